"""The documentation matches the program.

docs/cli.md is the `--help` of every command, generated; when a command changes,
regenerate it with:  CLAIMSDB_UPDATE_DOCS=1 pytest tests/test_docs.py
"""

from __future__ import annotations

import os
import re

import click
from click.testing import CliRunner

from claimsdb.cli import main
from conftest import REPO

REFERENCE = REPO / "docs" / "cli.md"


def command_paths(group: click.Group = main, prefix: tuple[str, ...] = ()):
    for name in sorted(group.commands):
        command = group.commands[name]
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from command_paths(command, (*prefix, name))


def render_reference() -> str:
    runner = CliRunner()
    parts = [
        "# Command reference",
        "",
        "Every command's `--help`, generated from the program "
        "(`CLAIMSDB_UPDATE_DOCS=1 pytest tests/test_docs.py` rewrites this file).",
        "",
    ]
    for path in [(), *command_paths()]:
        result = runner.invoke(main, [*path, "--help"], terminal_width=100,
                               prog_name="claimsdb")
        assert result.exit_code == 0, result.output
        title = " ".join(("claimsdb", *path))
        parts += [f"## {title}", "", "```", result.output.rstrip(), "```", ""]
    return "\n".join(parts)


def test_cli_reference_is_up_to_date():
    expected = render_reference()
    if os.environ.get("CLAIMSDB_UPDATE_DOCS") == "1":
        REFERENCE.write_text(expected, encoding="utf-8")
    assert REFERENCE.read_text(encoding="utf-8") == expected, (
        "docs/cli.md is out of date: run CLAIMSDB_UPDATE_DOCS=1 pytest tests/test_docs.py")


def test_every_command_is_mentioned_in_the_readme_or_a_guide():
    text = (REPO / "README.md").read_text(encoding="utf-8") + "".join(
        p.read_text(encoding="utf-8") for p in (REPO / "docs").glob("*.md")
        if p.name != "cli.md")
    missing = [" ".join(path) for path in command_paths()
               if not re.search(r"claimsdb (\S+ )*" + re.escape(" ".join(path)) + r"\b", text)]
    assert missing == [], f"commands no guide mentions: {missing}"


def _bench_run():
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("bench_run", REPO / "bench" / "run.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_performance_page_holds_a_results_block_written_by_the_benchmark():
    """The figures in docs/performance.md are bench/run.py's output, not typed in."""
    bench = _bench_run()
    page = (REPO / "docs" / "performance.md").read_text(encoding="utf-8")
    block = page[page.index(bench.DOC_START):page.index(bench.DOC_END)]
    assert "Written by `python bench/run.py --doc" in block
    for size in ("10k", "100k", "1m"):
        assert f"#### {size} statements" in block
    assert re.search(r"\*\*\d+ of \d+ targets met\*\*", block)


def test_the_benchmark_writes_its_results_between_the_markers_only(tmp_path):
    bench = _bench_run()
    row = {"size": "10k", "backend": "sqlite", "measure": "chain lookup p50", "value": 50.0,
           "unit": "us", "baseline_name": "same SQL, raw driver", "baseline": 40.0,
           "ratio": 1.25, "target": "≤ 3x", "met": True, "note": ""}
    missed = {**row, "measure": "CSV export", "unit": "rows/s", "value": 7.0, "baseline": 10.0,
              "ratio": 0.7, "target": "≥ 0.8x", "met": False}
    data = {"started": "2026-11-26T06:00:00+00:00", "finished": "2026-11-26T06:40:00+00:00",
            "arguments": {"sizes": "10k", "batch": "500", "repeat": "2"},
            "environment": {"nproc": "2", "cpu_model": "Test CPU", "git_commit": "abc1234",
                            "git_dirty": False, "free_h": "       total\nMem:  23Gi\n",
                            "load_average": [0.5, 0.5, 0.5], "python": "3.11.7"},
            "rows": [row, missed]}
    doc = tmp_path / "page.md"
    doc.write_text(f"# Page\n\nbefore\n{bench.DOC_START}\nold figures\n{bench.DOC_END}\nafter\n",
                   encoding="utf-8")
    bench.write_doc(doc, bench.render_results(data))
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# Page\n\nbefore\n") and text.endswith("\nafter\n")
    assert "old figures" not in text
    assert "at commit `abc1234`" in text and "2 cores (Test CPU), 23 GiB" in text
    assert "**1 of 2 targets met**; missed: sqlite CSV export at 10k (0.70x" in text
    assert "| sqlite | chain lookup p50 | 50 µs | same SQL, raw driver | 40 µs | 1.25x | " \
           "≤ 3x **met** |" in text
