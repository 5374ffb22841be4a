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
