"""``claimsdb chain`` and ``claimsdb actor`` on the database driver, without SQLAlchemy
(claimsdb.query.readpath).

The read path must answer exactly as the SQLAlchemy queries do (same views, same
bytes on the terminal), refuse the same databases with the same messages, and never
load SQLAlchemy on its way; the SQL it runs must be what SQLAlchemy compiles today.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import unquote

import pytest
from sqlalchemy import text

import claimsdb
from claimsdb.errors import NotFound
from claimsdb.format.seeds import seed_files
from claimsdb.output import render
from claimsdb.query import compile_reads, compiled_sql, queries, readpath
from claimsdb.store import driver, migrate
from claimsdb.store.db import compiled_for_driver, make_engine, read_connection
from conftest import DATA, loaded_by

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
            sql, params, _, expanding = compiled_for_driver(define(), dialect)
            stored = compiled_sql.QUERIES[dialect.name][name]
            assert (stored.sql, stored.params, stored.expanding) == (sql, params, expanding), name


def test_an_in_list_is_expanded_as_sqlalchemy_expands_it_when_it_executes(loaded, engine):
    """The statement and parameters the driver is handed are those SQLAlchemy hands it
    for the same list (seen by a cursor listener), for one item and for several."""
    from sqlalchemy import event

    seen = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listen)
    try:
        for ids in ([1], [1, 2, 5], list(range(1, 40))):
            seen.clear()
            with read_connection(engine) as conn:
                rows = conn.execute(queries._details_query(), {"statement_ids": ids}).all()
                [(statement, parameters)] = [s for s in seen if "POSTCOMPILE" not in s[0]
                                             and "details" in s[0]]
                stored = compiled_sql.QUERIES[conn.dialect.name]["details_of_many"]
                sql, bound = stored.statement({"statement_ids": ids})
                assert sql == statement
                assert (list(bound) if isinstance(bound, tuple) else bound) == (
                    list(parameters) if isinstance(parameters, tuple | list) else parameters)
            connection = driver.connect(loaded)
            try:
                with connection.reading() as reader:
                    assert [tuple(row) for row in rows] == reader.fetch(
                        stored, {"statement_ids": ids})
            finally:
                connection.close()
    finally:
        event.remove(engine, "before_cursor_execute", listen)


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


# -- claimsdb actor -----------------------------------------------------------------------

# Names and aliases with quotes, percent signs and question marks (the drivers'
# placeholders), SQL, and letters whose lower case differs from Python's in SQLite.
HOSTILE_ACTORS = """\
format: claimsdb/article@1
article:
  key: hostile-actor-text
  title: "Quotes ' \\" % and ? in names"
  outlet: wire-100pct
  published: 2025-03-14
  text: "Wire 100% — A %(name)s spokesman said “it's 50% done?”. Ölaf O'Brien said
    “nothing; DROP TABLE actors”."
actors:
  - {key: wire-100pct, name: "Wire 100% \\"Quoted\\"", kind: outlet, aliases: ["%(folded)s", "?"]}
  - key: obrien
    name: "Ölaf O'Brien"
    kind: person
    aliases: ["ÖLAF", "O'B; DROP TABLE actors"]
    roles: [{of: wire-100pct, title: "editor ' %s ?", from: 2020-01-31, to: 2024-02-29}]
  - key: pct-spokesman
    name: "A %(name)s spokesman"
    kind: person
    identified: role
    roles: [{of: wire-100pct, title: spokesman}]
statements:
  - key: fifty-percent
    quote: it's 50% done?
    chain: [{actor: pct-spokesman, cue: said}]
  - key: drop-table
    quote: nothing; DROP TABLE actors
    kind: direct
    chain: [{actor: obrien, cue: said}]
    denies: [fifty-percent]
"""


@pytest.fixture
def with_hostile_actors(loaded, engine, tmp_path):
    from claimsdb.ingest.importer import import_files

    path = tmp_path / "hostile-actor-text.yaml"
    path.write_text(HOSTILE_ACTORS, encoding="utf-8")
    import_files(engine, [path])
    return loaded


def _actor_names(engine) -> list[str]:
    """Every actor's key, name and alias, and a few of them as people type them."""
    with read_connection(engine) as conn:
        names = [value for (value,) in conn.execute(text(
            "SELECT key FROM actors UNION ALL SELECT name FROM actors "
            "UNION ALL SELECT alias FROM actor_aliases"))]
    return [*names, "PESKOV", "  Dmitry Peskov ", "kremlin", "ölaf", "%", "?", "%(folded)s"]


def _actor_shown(detail) -> tuple[str, str]:
    return (render.actor_text(detail, width=WIDTH),
            json.dumps(render.actor_detail_json(detail), ensure_ascii=False, indent=2))


def test_every_actor_reads_the_same_on_the_driver(with_hostile_actors, engine):
    """Keys, names and aliases, hostile text, roles both ways, with and without a
    limit; a name that matches no actor or several is left to the full path."""
    names = _actor_names(engine)
    connection = driver.connect(with_hostile_actors)
    answered = left = 0
    try:
        for name in names:
            for limit in (None, 0, 1, 2):
                with connection.reading() as reader:
                    got = readpath.actor(reader, name, limit=limit)
                with read_connection(engine) as conn:
                    try:
                        expected = queries.actor(conn, name, limit=limit)
                    except NotFound:
                        expected = None
                if got is None:  # left to the full path: only what it refuses
                    left += 1
                    assert expected is None, (name, limit)
                    continue
                answered += 1
                assert got == expected, (name, limit)
                assert _actor_shown(got) == _actor_shown(expected), (name, limit)
    finally:
        connection.close()
    assert answered > 100 and left > 0
    with read_connection(engine) as conn:
        detail = queries.actor(conn, "obrien")
    assert [(r.title, r.started_on.isoformat(), r.ended_on.isoformat()) for r in detail.roles] \
        == [("editor ' %s ?", "2020-01-31", "2024-02-29")]
    assert {r.of.key for r in queries_actor(engine, "wire-100pct").members} == {
        "obrien", "pct-spokesman"}


def queries_actor(engine, name):
    with read_connection(engine) as conn:
        return queries.actor(conn, name)


def test_an_actor_with_more_statements_than_a_batch_reads_the_same(loaded, engine,
                                                                  monkeypatch):
    monkeypatch.setattr(readpath, "BATCH", 2)
    monkeypatch.setattr(queries, "BATCH", 3)
    connection = driver.connect(loaded)
    try:
        for name in ("peskov", "bloomberg"):
            with connection.reading() as reader:
                got = readpath.actor(reader, name)
            expected = queries_actor(engine, name)
            assert len(got.said) + len(got.relayed) > 3
            assert got == expected, name
    finally:
        connection.close()


def test_actor_on_the_command_line_prints_what_it_printed_before(with_hostile_actors, engine,
                                                                 cli):
    for name in ("peskov", "O'B; DROP TABLE actors", "%(folded)s", "wire-100pct"):
        expected = queries_actor(engine, name)
        text_out = cli("actor", name)
        json_out = cli("actor", name, "--format", "json")
        assert (text_out.exit_code, json_out.exit_code) == (0, 0), name
        assert (text_out.output, json_out.output) == tuple(
            s + "\n" for s in _actor_shown(expected)), name


def test_an_actor_name_that_matches_nothing_or_several_still_gets_its_message(loaded, cli):
    unknown = cli("actor", "peskow")
    assert unknown.exit_code == 1
    assert "no actor 'peskow'; did you mean:" in unknown.output
    assert "peskov" in unknown.output


def test_the_python_api_answers_actor_on_the_driver(loaded, engine):
    expected = queries_actor(engine, "peskov")
    with claimsdb.open(loaded) as database:
        assert database.actor("peskov") == expected
        assert database.opened_engine is None  # no SQLAlchemy engine was made
        with pytest.raises(NotFound, match="no actor 'nobody at all'"):
            database.actor("nobody at all")


@pytest.mark.parametrize("args", [
    ("chain", "putin-stance-stalls-talks#officials-putin-maximalist-demands"),
    ("actor", "peskov"),
    ("actor", "Dmitry Peskov", "--limit", "1", "--format", "json"),
])
def test_chain_and_actor_processes_do_not_import_sqlalchemy(seeded, args):
    ran, modules, _ = loaded_by(seeded, *args)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip()
    assert "claimsdb.query.readpath" in modules
    assert "sqlalchemy" not in modules and "alembic" not in modules


def test_a_read_command_imports_only_its_own_commands_module(seeded, backend):
    ran, modules, _ = loaded_by(seeded, "actor", "peskov")
    assert ran.returncode == 0, ran.stderr
    assert "claimsdb.cli.reading" in modules
    assert not {"claimsdb.cli.serving", "claimsdb.cli.exporting", "claimsdb.cli.drafting",
                "claimsdb.cli.database"} & modules
    if backend == "sqlite":  # (psycopg loads what it needs)
        assert not {"shutil", "importlib.resources"} & modules


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


@pytest.mark.parametrize("path", [
    "/srv/claims.db", "/tmp/with space/c.db", "/tmp/p%20q/c.db", "/tmp/hash#1/c.db",
    "/tmp/été/ünï.db", "/tmp/a@b:c/d.db", "/tmp/line\nbreak.db", "//two/slashes.db", "",
])
def test_a_sqlite_file_url_has_the_parts_the_url_pattern_finds(path):
    """``url_parts`` reads a SQLite file's URL (what ``resolve_url`` makes of a path)
    without compiling the URL pattern; the parts are those the pattern gives."""
    from claimsdb import config

    url = "sqlite:///" + path
    match = config._url_pattern().match(url)
    assert config.url_parts(url) == config.UrlParts(
        match["scheme"], username=None, password=None, host=None, port=None,
        database=unquote(match["database"]), query={})
    # a query string still goes the pattern's way
    assert config.url_parts(url + "?mode=ro").query == {"mode": "ro"}


# -- PostgreSQL: psycopg2 where installed, else psycopg 3 ------------------------------------

REF = "putin-stance-stalls-talks#officials-putin-maximalist-demands"
# The read commands the driver answers, with their list options (server-side cursors).
DRIVER_COMMANDS = [
    ("statements", "--format", "json"),
    ("statements", "--via", "rubio", "--limit", "20", "--format", "json"),
    ("statements", "--origin", "anonymous", "--format", "csv"),
    ("actor", "peskov", "--format", "json"),
    ("article", "putin-stance-stalls-talks", "--format", "json"),
    ("denials", "--format", "json"),
]


@pytest.mark.parametrize("backend", ["postgresql"])
def test_postgresql_reads_alike_on_psycopg2_and_on_psycopg(loaded, engine, cli, monkeypatch):
    """psycopg2 (installed by the ``postgres`` extra) answers the read commands; with
    only psycopg 3 installed the same questions give the same answers, byte for byte."""
    refs = _refs(engine)

    def answers() -> tuple[str, list, list]:
        connection = driver.connect(loaded)
        try:
            with connection.reading() as reader:
                chains = [_shown(readpath.statement(reader, ref)) for ref in refs]
            driver_name = type(connection.connection).__module__.split(".")[0]
        finally:
            connection.close()
        shown = []
        for args in DRIVER_COMMANDS:
            result = cli(*args)
            assert result.exit_code == 0, (args, result.output)
            shown.append(result.output)
        return driver_name, chains, shown

    on_psycopg2 = answers()
    monkeypatch.setitem(sys.modules, "psycopg2", None)  # as if not installed
    on_psycopg = answers()
    assert (on_psycopg2[0], on_psycopg[0]) == ("psycopg2", "psycopg")
    assert on_psycopg2[1:] == on_psycopg[1:]
    assert len(on_psycopg2[1]) == len(refs) > 60


@pytest.mark.parametrize("backend", ["postgresql"])
def test_postgresql_reads_in_one_snapshot_on_psycopg_too(seeded, monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg2", None)
    connection = driver.connect(seeded)
    try:
        assert type(connection.connection).__module__.split(".")[0] == "psycopg"
        with connection.reading() as reader:
            assert reader.execute("SHOW transaction_isolation") == [("repeatable read",)]
            assert reader.execute("SHOW transaction_read_only") == [("on",)]
    finally:
        connection.close()


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_read_command_on_postgresql_loads_psycopg2_and_not_psycopg(seeded):
    """Importing psycopg 3 costs more than a peer's whole read command (issue 16)."""
    ran, modules, _ = loaded_by(seeded, "chain", REF)
    assert ran.returncode == 0, ran.stderr
    assert "psycopg2" in modules
    assert "psycopg" not in modules and "sqlalchemy" not in modules


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_server_that_never_answers_is_waited_for_once(cli):
    """libpq's connect timeout, reported from the psycopg2 attempt: asking again
    through the engine would wait the whole timeout a second time."""
    import socket

    with socket.socket() as listener:  # accepts connections (the kernel does) and says nothing
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        port = listener.getsockname()[1]
        url = f"postgresql://postgres:s3cret@127.0.0.1:{port}/claims?connect_timeout=1"
        result = cli("chain", "a#b", db=url)
        listener.settimeout(0.5)
        attempts = 0
        with contextlib.suppress(TimeoutError):
            while True:
                listener.accept()[0].close()
                attempts += 1
    assert result.exit_code == 1
    assert "cannot reach the PostgreSQL server for" in result.output
    assert "timeout expired" in result.output
    assert "s3cret" not in result.output
    assert attempts == 1
