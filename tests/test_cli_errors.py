"""Issue 11 item 10 (parts): one-line errors, never a traceback, for what a user can do.

Numbers beyond what a database stores, arguments that are not UTF-8, a file that is
not a database (or a damaged one) as --db, a database made by a newer claimsdb, and
a table dropped behind claimsdb's back. Commands run in-process with exceptions
propagating, so a traceback fails the test; one case runs as a real process, with a
real non-UTF-8 byte in its argv.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from claimsdb.store.db import make_engine
from claimsdb.store.migrate import head_revision
from conftest import REPO, Cli

CLAIMSDB = Path(sys.executable).with_name("claimsdb")
TOO_BIG = str(2**63)  # one more than a signed 64-bit integer holds
SEED = str(REPO / "examples" / "kremlin-denies-report.yaml")  # self-contained


@pytest.mark.parametrize("args", [
    ["statements", "--limit", TOO_BIG], ["denials", "--limit", TOO_BIG],
    ["actors", "--limit", TOO_BIG], ["articles", "--limit", TOO_BIG],
    ["export", "csv", "--table", "statements", "--limit", TOO_BIG],
    ["claims", "--min-origins", TOO_BIG], ["trace", "a#b", "--max-depth", TOO_BIG],
    ["add", "--batch", TOO_BIG, SEED],
])
def test_item_10_a_number_too_large_is_a_usage_error(cli, args):
    """Issue 11 item 10: --limit 9223372036854775808 (an OverflowError on SQLite)."""
    result = cli(*args)
    assert result.exit_code == 2, result.output
    assert f"{TOO_BIG} is too large: at most 9223372036854775807" in result.output


def test_item_10_the_largest_limit_works(cli):
    """Issue 11 item 10: the bound itself is accepted, on both backends."""
    cli("seed", "-q")
    result = cli("statements", "--limit", str(2**63 - 1), "--format", "json")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("args", [
    ["chain", "kremlin\udcff#x"], ["statements", "--search", "caf\udce9"],
    ["statements", "--speaker", "\udcff"], ["trace", "\udcff#x"],
    ["export", "article", "\udcffkey"], ["denials", "--article", "a\udcff"],
])
def test_item_10_an_argument_that_is_not_utf8_is_named(cli, args):
    """Issue 11 item 10: a non-UTF-8 byte in an argument (UnicodeEncodeError before)."""
    result = cli(*args)
    assert result.exit_code == 2, result.output
    assert "is not valid UTF-8" in result.output
    assert "\\x" in result.output  # the byte shown, escaped


def test_item_10_a_non_utf8_argument_in_a_real_process(tmp_path):
    """Issue 11 item 10: the same with real bytes in argv; a non-UTF-8 file name is
    still a file name (Linux paths are bytes)."""
    db = tmp_path / "claims.db"
    done = subprocess.run([str(CLAIMSDB), "--db", str(db), "chain", b"caf\xe9#x"],
                          capture_output=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert b"Traceback" not in done.stderr
    assert b"argument 'caf\\xe9#x' is not valid UTF-8" in done.stderr
    named = tmp_path / "caf\udce9.yaml"
    shutil.copyfile(SEED, named)
    added = subprocess.run([str(CLAIMSDB), "--db", str(db), "add", "-q", bytes(named)],
                           capture_output=True, timeout=60)
    assert added.returncode == 0, added.stderr


# -- a file that is not a database, or a damaged one ---------------------------------------

def _good_file(tmp_path: Path) -> bytes:
    path = tmp_path / "good.db"
    cli = Cli(str(path))
    assert cli("seed", "-q").exit_code == 0
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode = DELETE")
    return path.read_bytes()


def _not_a_database(data: bytes) -> bytes:
    return b"this is a text file, not a database\n" * 200


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 3]


def _header_only(data: bytes) -> bytes:
    return data[:60]


def _overwritten(data: bytes) -> bytes:
    damaged = bytearray(data)
    for page in range(3 * 4096, len(damaged), 4096):  # every page after the third
        damaged[page + 100:page + 400] = b"\xab" * 300
    return bytes(damaged)


DAMAGE = {"not a database": (_not_a_database, "is not a claimsdb database"),
          "truncated": (_truncated, "is damaged"),
          "header only": (_header_only, "is damaged"),
          "overwritten": (_overwritten, "is damaged")}
COMMANDS = [["statements"], ["add", SEED], ["init"], ["check"], ["export", "jsonl"],
            ["articles"], ["copy", "--to", "{tmp}/copy.db"], ["backup", "{tmp}/backup.db"]]


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_item_10_a_file_that_is_not_a_sound_database(tmp_path, damage):
    """Issue 11 item 10: a non-database or a truncated/overwritten SQLite file as --db:
    "X is not a claimsdb database" / "X is damaged", exit code 1, no traceback."""
    make, expected = DAMAGE[damage]
    data = make(_good_file(tmp_path))
    failed = 0
    for args in COMMANDS:
        target = tmp_path / "work.db"
        for leftover in tmp_path.glob("work.db*"):
            leftover.unlink()
        (tmp_path / "copy.db").unlink(missing_ok=True)
        target.write_bytes(data)
        result = Cli(str(target))(*[a.format(tmp=tmp_path) for a in args])
        if damage == "overwritten" and result.exit_code == 0:
            continue  # SQLite notices damage only in the pages a command reads
        assert result.exit_code == 1, (args, result.output)
        assert f"{target} {expected}" in result.output, (args, result.output)
        failed += 1
    assert failed >= 5


HEAD = head_revision()


# -- schema newer than this claimsdb, or with a table dropped --------------------------------

def test_item_10_init_on_a_newer_schema_says_so(db, cli):
    """Issue 11 item 10: init on a database from a newer claimsdb (alembic's
    CommandError "Can't locate revision" before)."""
    engine = make_engine(db)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    try:
        for command in ("init", "statements", "seed"):
            result = cli(command)
            assert result.exit_code == 1, result.output
            assert (f"the database schema (0099) is newer than this claimsdb ({HEAD}); "
                    "upgrade claimsdb") in result.output
    finally:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": HEAD})
        engine.dispose()


@pytest.mark.inconsistent_db
def test_item_10_init_reports_a_dropped_table(db, cli, backend):
    """Issue 11 item 10: a dropped table was reported by init as "up to date"."""
    engine = make_engine(db)
    with engine.begin() as conn:
        cascade = " CASCADE" if backend == "postgresql" else ""
        conn.execute(text(f"DROP TABLE statement_about{cascade}"))
    engine.dispose()
    result = cli("init")
    assert result.exit_code == 1, result.output
    assert "up to date" not in result.output
    assert (f"the database is at the head revision ({HEAD}) but table 'statement_about' is "
            "missing") in result.output
    assert "Restore it from a backup" in result.output


@pytest.mark.inconsistent_db
def test_item_10_an_unexpected_database_failure_is_one_line(db, cli, backend, monkeypatch):
    """Issue 11 item 10: a database failure no handler expected (here a column dropped
    behind claimsdb's back) is one line on stderr; CLAIMSDB_DEBUG=1 shows the traceback."""
    from sqlalchemy import exc as sa_exc

    assert cli("add", "-q", SEED).exit_code == 0
    engine = make_engine(db)
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE actors DROP COLUMN wikidata"))
    engine.dispose()
    result = cli("actor", "peskov")
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert "wikidata" in lines[0]
    if backend == "sqlite":
        return  # SQLite calls it an OperationalError, which the usual handler words
    assert "set CLAIMSDB_DEBUG=1 to see where it happened" in lines[0]
    monkeypatch.setenv("CLAIMSDB_DEBUG", "1")
    with pytest.raises(sa_exc.DBAPIError):
        cli("actor", "peskov")
