"""docs/python.md runs: every python block of it, in order, on both backends.

The page is what a Python user copies, so it is tested as written. Its examples open
``claimsdb.open("claims.db")``; here that name is the test's database (a SQLite file
or a PostgreSQL URL from the ``db`` fixture), and files the examples write land in
the test's own folder.
"""

from __future__ import annotations

import contextlib
import io
import re

import pytest

from conftest import REPO

PAGE = REPO / "docs" / "python.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def python_blocks() -> list[str]:
    return BLOCK.findall(PAGE.read_text(encoding="utf-8"))


def test_the_page_has_examples():
    assert len(python_blocks()) >= 5


def test_every_example_runs(db: str, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "docs_python"}
    printed = io.StringIO()
    for number, block in enumerate(python_blocks(), 1):
        code = block.replace('claimsdb.open("claims.db")', f"claimsdb.open({db!r})")
        with contextlib.redirect_stdout(printed):
            try:
                exec(compile(code, f"docs/python.md block {number}", "exec"), namespace)
            except Exception as error:  # name the block: the traceback shows its line
                pytest.fail(f"docs/python.md block {number} failed: {error!r}\n"
                            f"printed so far:\n{printed.getvalue()}")
    text = printed.getvalue()
    assert "statements from anonymous sources" in text
    written = (tmp_path / "statements.csv").read_text(encoding="utf-8")
    assert written.startswith("article,statement,")


def test_library_calls_never_print(db: str, capsys):
    """Library code reports through return values and callbacks, never on the terminal."""
    import claimsdb

    with claimsdb.open(db) as database:
        database.seed(batch=2)
        database.seed(dry_run=True)
        database.statements()
        database.check()
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_a_dry_run_on_a_missing_file_creates_nothing(tmp_path):
    import claimsdb
    from claimsdb.ingest.adding import DatabaseNotice

    target = tmp_path / "none.db"
    notices = []
    with claimsdb.open(target) as database:
        report = database.seed(dry_run=True, on_progress=notices.append)
    assert report.dry_run and report.counts == {"added": 1}
    assert isinstance(notices[0], DatabaseNotice) and "no database at" in notices[0].message
    assert not list(tmp_path.iterdir())


def test_import_claimsdb_does_not_load_the_api():
    import subprocess
    import sys

    code = "import sys, claimsdb; print('sqlalchemy' in sys.modules, 'claimsdb.api' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.split() == ["False", "False"]
