"""Every export of one database, taken through the command line, as one JSON file.

Run as a script by tests/test_upgrade_from_previous_release.py, once with the previous
release's code on PYTHONPATH (before the upgrade) and once with the current code (after
it): the same script on both sides, so the two sets of exports are asked for in exactly
the same way. It therefore uses only what both releases have: ``claimsdb.cli.main``,
run in-process with Click's CliRunner (one process per side; a process per command
would make the comparison take minutes).

    python tests/upgrade_exports.py DB OUT.json [FILE ...]

With FILEs it first builds the database (``init``, then one ``add`` of all FILEs).
Every command must exit 0 ('loops' 1: it found loops); a failure is written to the
output as such, so the test names it. ``code`` says which claimsdb ran.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from click.testing import CliRunner

import claimsdb
from claimsdb.cli import main

TABLES = ("statements", "chain", "relations", "actors", "articles")
LISTS = ("statements", "actors", "articles", "sources", "denials", "loops")


class Exports:
    """The outputs of the commands run so far, by command line."""

    def __init__(self, db: str, folder: Path):
        self.db = db
        self.folder = folder
        self.runner = CliRunner()
        self.outputs: dict[str, str] = {}
        self.failures: dict[str, str] = {}

    def run(self, *args: str, ok: tuple[int, ...] = (0,)) -> str:
        result = self.runner.invoke(main, ["--db", self.db, *args], catch_exceptions=True)
        if result.exit_code not in ok:
            self.failures[" ".join(args)] = \
                f"exit {result.exit_code}: {result.output}{result.exception!r}"
        return result.output

    def keep(self, *args: str, ok: tuple[int, ...] = (0,)) -> str:
        """Run and keep what the command printed."""
        output = self.run(*args, ok=ok)
        self.outputs[" ".join(args)] = output
        return output

    def keep_file(self, *args: str) -> None:
        """Run a command that writes a file (-o) and keep the file's bytes (as text)."""
        target = self.folder / f"out{len(self.outputs)}"
        self.run(*args, "-o", str(target))
        self.outputs[" ".join(args)] = target.read_bytes().decode("utf-8") if \
            target.exists() else "(no file written)"


def take_exports(db: str, folder: Path) -> Exports:
    exports = Exports(db, folder)
    for table in TABLES:
        exports.keep_file("export", "csv", "--table", table)
        exports.keep_file("export", "json", "--table", table)
    exports.keep_file("export", "jsonl")
    exports.keep_file("export", "prov")
    exports.keep_file("export", "prov", "--prov-n")
    for name in LISTS:  # 'loops' exits 1 when it finds loops (the trace corpus has some)
        exports.keep(name, "--format", "json", ok=(0, 1) if name == "loops" else (0,))
        exports.keep(name, "--format", "csv", ok=(0, 1) if name == "loops" else (0,))
    exports.keep("claims", "--all", "--format", "json")
    articles = json.loads(exports.outputs["articles --format json"] or "[]")
    for article in articles:
        exports.keep_file("export", "article", article["key"])
    statements = json.loads(exports.outputs["statements --format json"] or "[]")
    for statement in statements:
        exports.keep("chain", statement["ref"], "--format", "json")
    return exports


def main_script(argv: list[str]) -> int:
    db, out, files = argv[0], Path(argv[1]), argv[2:]
    with tempfile.TemporaryDirectory() as folder:
        exports = Exports(db, Path(folder))
        if files:
            exports.run("init")
            exports.run("add", *files)
        if not exports.failures:
            exports = take_exports(db, Path(folder))
    out.write_text(json.dumps({"code": claimsdb.__file__, "outputs": exports.outputs,
                               "failures": exports.failures},
                              ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main_script(sys.argv[1:]))
