"""``claimsdb chain`` on the database driver, without SQLAlchemy (claimsdb.query.readpath).

The read path must answer exactly as the SQLAlchemy queries do (same views, same
bytes on the terminal), refuse the same databases with the same messages, and never
load SQLAlchemy on its way; the SQL it runs must be what SQLAlchemy compiles today.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

import claimsdb
from claimsdb.format.seeds import seed_files
from claimsdb.output import render
from claimsdb.query import compile_reads, compiled_sql, queries, readpath
from claimsdb.store import driver, migrate
from claimsdb.store.db import compiled_text, make_engine, read_connection
from conftest import DATA

# The test corpora that hold valid articles: hops, relations both ways, about-actors,
# scripts and long relay chains.
CORPUS = [path for folder in ("corpus", "search", "trace")
          for path in sorted((DATA / folder).glob("*.yaml"))]
WIDTH = 80


@pytest.fixture
def loaded(db, engine):
    """The seed articles and the test corpus."""
    from claimsdb.ingest.importer import import_files

    import_files(engine, [*seed_files(), *CORPUS])
    return db


def _refs(engine) -> list[str]:
    with read_connection(engine) as conn:
        return [f"{article}#{key}" for article, key in conn.execute(text(
            "SELECT a.key, s.key FROM statements s JOIN articles a ON a.id = s.article_id "
            "ORDER BY s.id"))]


def _shown(view) -> tuple[str, str]:
    return (render.chain_text(view, width=WIDTH),
            json.dumps(render.statement_json(view), ensure_ascii=False, indent=2))


# -- the generated SQL -------------------------------------------------------------------

def test_the_compiled_queries_are_up_to_date():
    generated = Path(compiled_sql.__file__).read_text(encoding="utf-8")
    assert generated == compile_reads.render_module(), (
        "claimsdb/query/compiled_sql.py differs from what the query definitions compile "
        f"to: run `{compile_reads.COMMAND}` and commit the result")


def test_the_compiled_queries_are_what_the_engines_dialect_compiles(engine):
    """The dialect of a connected engine (server version known) compiles them alike."""
    with read_connection(engine) as conn:
        dialect = conn.dialect
        for name, define in compile_reads.READS.items():
            sql, params, _ = compiled_text(define(), dialect, expanding=True)
            stored = compiled_sql.QUERIES[dialect.name][name]
            assert (stored.sql, stored.params) == (sql, params), name


# -- the same answers ----------------------------------------------------------------------

def test_every_statement_reads_the_same_on_the_driver(loaded, engine):
    refs = _refs(engine)
    assert len(refs) > 60
    connection = driver.connect(loaded)
    try:
        for ref in refs:
            with read_connection(engine) as conn:
                expected = queries.statement(conn, ref)
            with connection.reading() as reader:
                got = readpath.statement(reader, ref)
            assert got == expected, ref
            assert _shown(got) == _shown(expected), ref
    finally:
        connection.close()


def test_bare_keys_read_the_same_and_unknown_ones_are_left_to_the_full_path(loaded, engine):
    connection = driver.connect(loaded)
    try:
        with connection.reading() as reader:
            bare = "officials-putin-maximalist-demands"
            with read_connection(engine) as conn:
                assert readpath.statement(reader, bare) == queries.statement(conn, bare)
                assert readpath.statement(reader, f"  {bare} ") == queries.statement(conn, bare)
            assert readpath.statement(reader, "no-such-statement") is None
            assert readpath.statement(reader, "no-such-article#x") is None
            assert readpath.statement(reader, "putin-stance-stalls-talks#ничего") is None
    finally:
        connection.close()


def test_chain_on_the_command_line_prints_what_it_printed_before(loaded, engine, cli):
    """Byte for byte, text and JSON, for every statement of the seeds and the corpus."""
    for ref in _refs(engine):
        with read_connection(engine) as conn:
            view = queries.statement(conn, ref)
        text_out = cli("chain", ref)
        json_out = cli("chain", ref, "--format", "json")
        assert (text_out.exit_code, json_out.exit_code) == (0, 0), ref
        # CliRunner's output is no terminal: 80 columns, as _shown renders.
        assert (text_out.output, json_out.output) == tuple(s + "\n" for s in _shown(view)), ref


def test_the_python_api_answers_on_the_driver_and_reuses_its_connection(loaded, engine):
    ref = "putin-stance-stalls-talks#officials-putin-maximalist-demands"
    with read_connection(engine) as conn:
        expected = queries.statement(conn, ref)
    with claimsdb.open(loaded) as database:
        assert database.chain(ref) == expected
        kept = database._driver
        assert kept is not None and database.opened_engine is None  # no SQLAlchemy engine
        assert database.chain(ref) == expected
        assert database._driver is kept
        answers = []
        worker = threading.Thread(target=lambda: answers.append(database.chain(ref)))
        worker.start()
        worker.join()
        assert answers == [expected]  # another thread: a connection of its own
    assert database._driver is None


def test_a_reference_that_names_nothing_still_gets_suggestions(loaded, cli):
    result = cli("chain", "putin-stance-stalls-talks#officials-putin-maximalist-demand")
    assert result.exit_code == 1
    assert "did you mean" in result.output
    assert "officials-putin-maximalist-demands" in result.output


def test_the_driver_reads_in_one_snapshot_and_cannot_write(seeded, backend):
    """As read_connection: PostgreSQL REPEATABLE READ and READ ONLY; SQLite one read
    transaction (WAL), so every query of a lookup sees the same commit."""
    connection = driver.connect(seeded)
    try:
        with connection.reading() as reader:
            if backend == "postgresql":
                assert reader.execute("SHOW transaction_isolation") == [("repeatable read",)]
                assert reader.execute("SHOW transaction_read_only") == [("on",)]
            else:
                assert reader.connection.in_transaction
                assert reader.execute("PRAGMA journal_mode") == [("wal",)]
                assert reader.execute("PRAGMA busy_timeout") == [(driver.busy_timeout_ms(),)]
    finally:
        connection.close()


# -- no SQLAlchemy ---------------------------------------------------------------------------

def _run_chain(db: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "80"}
    return subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "claimsdb", "--db", db, "chain", *args],
        capture_output=True, text=True, encoding="utf-8", env=env, timeout=60, check=False)


def test_chain_loads_no_sqlalchemy(seeded, engine):
    ref = "putin-stance-stalls-talks#officials-putin-maximalist-demands"
    with read_connection(engine) as conn:
        view = queries.statement(conn, ref)
    for args, expected in (((ref,), _shown(view)[0]),
                           ((ref, "--format", "json"), _shown(view)[1])):
        ran = _run_chain(seeded, *args)
        assert ran.returncode == 0, ran.stderr
        assert ran.stdout == expected + "\n"
        imported = [line.rsplit("|", 1)[-1].strip() for line in ran.stderr.splitlines()
                    if line.startswith("import time:")]
        assert "claimsdb.query.readpath" in imported
        assert not [name for name in imported if name.split(".")[0] in ("sqlalchemy", "alembic")]


# -- the same refusals -------------------------------------------------------------------------

def _same_refusal(cli, db: str, expected_part: str) -> None:
    """``chain`` (the driver) refuses as ``statements`` (SQLAlchemy) does, word for word."""
    on_driver = cli("chain", "a#b", db=db)
    full_way = cli("statements", db=db)
    assert on_driver.exit_code == full_way.exit_code == 1
    assert on_driver.output == full_way.output
    assert expected_part in on_driver.output


def test_an_empty_database_is_refused_alike(empty_db, backend, cli):
    if backend == "sqlite":
        Path(empty_db).touch()
    _same_refusal(cli, empty_db, "the database is empty; run 'claimsdb init' first")


def test_a_database_of_something_else_is_refused_alike(empty_db, backend, cli):
    engine = make_engine(empty_db)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)"))
    engine.dispose()
    _same_refusal(cli, empty_db, "has tables but no claimsdb schema version")


def test_older_and_newer_schemas_are_refused_alike(db, engine, cli):
    migrate.downgrade(engine, "0001")
    _same_refusal(cli, db, "is older than this claimsdb")
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    _same_refusal(cli, db, "(9999_from_the_future) is newer than this claimsdb")
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :head"),
                     {"head": migrate.head_revision()})


def test_missing_and_damaged_files_are_refused_alike(tmp_path, cli):
    _same_refusal(cli, str(tmp_path / "nothing-here.db"), "no database at")
    garbage = tmp_path / "notes.db"
    garbage.write_text("Заметки — not a database at all, just “text”.\n" * 200,
                       encoding="utf-8")
    _same_refusal(cli, str(garbage), "is not a claimsdb database")
    _same_refusal(cli, "postgresql:postgres@127.0.0.1/test", "lacks '//'")


def test_server_failures_are_refused_alike_without_the_password(postgres, cli):
    url = postgres.url.set(password="s3cret-пароль", database="claimsdb_no_such_database")
    target = url.render_as_string(hide_password=False)
    _same_refusal(cli, target, "has no database 'claimsdb_no_such_database'")
    assert "s3cret" not in cli("chain", "a#b", db=target).output
    refused = postgres.url.set(port=1).render_as_string(hide_password=False)
    _same_refusal(cli, refused, "cannot reach the PostgreSQL server")


def test_a_postgresql_url_becomes_the_arguments_sqlalchemy_would_pass():
    from sqlalchemy.dialects.postgresql.psycopg import dialect

    from claimsdb.config import url_parts
    from claimsdb.store.db import _parse_url

    for url in ("postgresql+psycopg://postgres@127.0.0.1:5432/test",
                "postgresql://ann:p%40ss%3Aw0rd@db.example.org/claims?sslmode=require",
                "postgres://bob@[::1]:6543/newsroom?connect_timeout=3&application_name=x",
                "postgresql+psycopg:///claims?options=-c%20work_mem%3D64MB"):
        _, expected = dialect().create_connect_args(_parse_url(url))
        expected.pop("context", None)
        expected.setdefault("connect_timeout", driver.PG_CONNECT_TIMEOUT_S)
        expected.setdefault("options", driver.PG_CURSOR_OPTIONS)
        assert driver.postgresql_arguments(url_parts(url)) == expected, url
    with pytest.raises(driver.NotOnDriver):
        driver.connect("postgresql://a@h1/claims?host=h2")
    with pytest.raises(driver.NotOnDriver):
        driver.connect("mysql://a@h/claims")
