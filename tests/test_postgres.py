"""PostgreSQL as a first-class backend: the command line as a user runs it against a
server, the answers it gives being the same as on SQLite, and the errors a server can
cause (unreachable, no such database, refused login, malformed URL, no driver) each
said plainly with exit code 1 and no traceback.

Every test here runs only on PostgreSQL (the ``backend`` fixture is fixed to it), so
without a server they skip, and under CI (``CLAIMSDB_TEST_REQUIRE_POSTGRES=1``) they
fail instead.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from claimsdb.format.seeds import seed_files
from claimsdb.ingest.importer import import_files
from claimsdb.query.queries import search_condition
from claimsdb.store import migrate
from claimsdb.store.db import make_engine
from claimsdb.store.models import Statement
from conftest import DATA, REPO, Cli
from test_cli import MAXIMALIST, all_commands
from test_copy import ANALYSIS, TASS

pytestmark = pytest.mark.parametrize("backend", ["postgresql"])

EXAMPLE = REPO / "examples" / "kremlin-denies-report.yaml"
EXAMPLE_1_1 = REPO / "examples" / "lavrov-hospital-report.yaml"  # every format 1.1 field


def entry_point() -> str:
    script = Path(sys.executable).with_name("claimsdb")
    assert script.exists(), "the claimsdb console script is not installed"
    return str(script)


def run(*args: str, env: dict | None = None, cwd: Path | None = None
        ) -> subprocess.CompletedProcess:
    return subprocess.run([entry_point(), *args], capture_output=True, text=True,
                          timeout=120, env={**os.environ, **(env or {})}, cwd=cwd)


def assert_clean_error(done: subprocess.CompletedProcess, *phrases: str) -> None:
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stderr.startswith("Error: "), done.stderr
    assert "Traceback" not in done.stderr
    for phrase in phrases:
        assert phrase in done.stderr


def unused_name(url: str, suffix: str) -> str:
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{suffix}").render_as_string(
        hide_password=False)


# -- the command line, as a new user runs it against a server ------------------------------

def test_installed_commands_work_on_a_server_via_db_and_claimsdb_db(empty_db, tmp_path):
    init = run("--db", empty_db, "init", cwd=tmp_path)
    assert init.returncode == 0, init.stderr
    assert "created the claimsdb schema" in init.stdout
    env = {"CLAIMSDB_DB": empty_db}  # from here on, the database comes from the environment
    seeded = run("seed", env=env, cwd=tmp_path)
    assert seeded.returncode == 0, seeded.stderr
    assert "added article 'putin-stance-stalls-talks' (36 statements)" in seeded.stdout
    again = run("seed", env=env, cwd=tmp_path)
    assert "unchanged article 'putin-stance-stalls-talks' (already stored)" in again.stdout
    added = run("add", str(EXAMPLE), env=env, cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    assert "added article 'kremlin-denies-report' (2 statements); 2 new actors" in added.stdout

    chain = run("chain", MAXIMALIST, env=env, cwd=tmp_path)
    assert chain.returncode == 0, chain.stderr
    assert "└─ quoted by → Bloomberg  [outlet, named]" in chain.stdout
    assert "say → Western security officials  [group, anonymous]" in chain.stdout
    out = tmp_path / "statements.csv"
    exported = run("export", "csv", "--table", "statements", "-o", str(out), env=env,
                   cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    assert "wrote 38 statement rows" in exported.stderr
    assert not (tmp_path / "claims.db").exists()  # nothing fell back to SQLite

    # The same steps on SQLite give the same file, byte for byte.
    local = str(tmp_path / "local.db")
    for args in (["seed"], ["add", str(EXAMPLE)]):
        assert run("--db", local, *args).returncode == 0
    local_out = tmp_path / "local.csv"
    assert run("--db", local, "export", "csv", "-o", str(local_out)).returncode == 0
    assert out.read_bytes() == local_out.read_bytes()


# Every command, run on the same data in SQLite and in PostgreSQL, must answer the same.
# A new command needs an entry here (commands that write, and copy, are tested above
# and in test_copy.py; backup and check are backend-specific and tested below).
PARITY: dict[tuple[str, ...], list[list[str]]] = {
    ("chain",): [["chain", MAXIMALIST], ["chain", "officials-putin-maximalist-demands",
                                        "--format", "json"],
                 ["chain", "lavrov-hospital-report#zakharova-translated", "--format", "json"]],
    ("statements",): [
        ["statements"],
        ["statements", "--via", "bloomberg", "--origin", "anonymous"],
        ["statements", "--speaker", "kremlin", "--with-members"],
        ["statements", "--denied", "--format", "json"],
        ["statements", "--search", "peacekeeping forces", "--format", "csv"],
        ["statements", "--search", "Переговоры"],
        ["statements", "--search", "соответствуют действительности", "--format", "json"],
        ["statements", "--search", "demanded*", "--format", "csv"],  # issue 11 item 25
        ["statements", "--search", "deny peskov*"],
    ],
    ("actors",): [["actors"], ["actors", "--identified", "anonymous", "--format", "csv"]],
    ("actor",): [["actor", "peskov"], ["actor", "Bloomberg", "--format", "json"]],
    ("denials",): [["denials"], ["denials", "--via", "bloomberg", "--format", "json"],
                   ["denials", "--type", "all", "--by", "zakharova", "--format", "csv"]],
    ("topics",): [["topics"], ["topics", "--format", "json"]],
    ("articles",): [["articles"], ["articles", "--format", "json"]],
    ("article",): [["article", "tass-peskov-rejects-report"],
                   ["article", "kremlin-denies-report", "--format", "json"]],
    ("sources",): [["sources"], ["sources", "--article", "putin-stance-stalls-talks",
                                 "--format", "json"]],
    ("trace",): [["trace", MAXIMALIST], ["trace", MAXIMALIST, "--format", "json"]],
    ("claims",): [["claims"], ["claims", "--format", "json"]],
    ("loops",): [["loops"]],
    # A server does not exit: test_the_workbench_answers_the_same_on_postgresql_as_on_sqlite
    # below compares its pages and downloads instead (and tests/test_web_*.py run on both).
    ("serve",): [],
    ("export",): [],
    ("export", "csv"): [["export", "csv"], ["export", "csv", "--excel"]],
    ("export", "json"): [["export", "json"]],
    ("export", "jsonl"): [["export", "jsonl"]],
    ("export", "prov"): [["export", "prov"]],
    ("export", "claimreview"): [["export", "claimreview"]],
    ("export", "article"): [["export", "article", "tass-peskov-rejects-report"]],
    # Stored actors are reused by key, name and alias on either backend.
    ("draft",): [["draft", str(DATA / "draft" / "peskov-bloomberg.txt"), "--outlet",
                  "Bloomberg News"]],
}
# export datasette-metadata is for SQLite files only (tests/test_datasette.py).
NOT_IN_PARITY = {("init",), ("seed",), ("add",), ("copy",), ("backup",), ("check",),
                 ("export", "datasette-metadata")}


@pytest.fixture
def twins(db: str, tmp_path: Path) -> tuple[str, str]:
    """The same articles in a PostgreSQL database and a SQLite file."""
    local = tmp_path / "twin.db"
    files = [*seed_files(), EXAMPLE, EXAMPLE_1_1]
    for name, body in (("tass.yaml", TASS), ("analysis.yaml", ANALYSIS)):
        (tmp_path / name).write_text(body, encoding="utf-8")
        files.append(tmp_path / name)
    for target in (db, str(local)):
        engine = make_engine(target)
        if target == str(local):
            migrate.upgrade(engine)
        import_files(engine, files)
        engine.dispose()
    return db, str(local)


def test_every_command_answers_the_same_on_postgresql_as_on_sqlite(twins):
    server, local = twins
    registered = set(all_commands())
    missing = registered - set(PARITY) - NOT_IN_PARITY
    assert not missing, (f"add the command(s) {sorted(missing)} to PARITY in "
                         "tests/test_postgres.py: every command must work on both backends")
    compared = 0
    for path, invocations in PARITY.items():
        if path not in registered:
            continue
        for args in invocations:
            on_server = Cli(server)(*args)
            on_file = Cli(local)(*args)
            assert on_server.exit_code == 0, (args, on_server.stderr)
            assert on_file.exit_code == 0, (args, on_file.stderr)
            assert on_server.stdout_bytes == on_file.stdout_bytes, args
            assert on_server.stdout_bytes.strip(), args
            compared += 1
    assert compared >= 20


def test_check_and_backup_on_postgresql(twins, tmp_path):
    server, _ = twins
    checked = Cli(server)("check")
    assert checked.exit_code == 0, checked.stdout + checked.stderr
    assert "no problems found (5 articles, 52 statements" in checked.stdout
    backup = Cli(server)("backup", str(tmp_path / "b.db"))
    assert backup.exit_code == 1
    assert "pg_dump" in backup.stderr  # SQLite's backup API has no PostgreSQL counterpart
    assert "Traceback" not in backup.stderr
    assert not (tmp_path / "b.db").exists()


def test_search_uses_the_gin_index_with_the_query_as_claimsdb_sends_it(seeded, engine):
    """The plan of the statement claimsdb really executes (bound parameters, not
    literals): it must name the index the migration created."""
    with engine.connect() as conn:
        conn.execute(text("SET LOCAL enable_seqscan = off"))  # tiny tables: force the choice
        query = select(Statement.id).where(search_condition(conn, "maximalist demands"))
        compiled = query.compile(conn)
        plan = "\n".join(row[0] for row in conn.exec_driver_sql(
            "EXPLAIN " + str(compiled), compiled.params))
        found = conn.execute(query).scalars().all()
    assert "ix_statements_quote_fts" in plan, plan
    assert len(found) == 1


# -- errors a server can cause -------------------------------------------------------------

def test_an_unreachable_server_is_a_clear_error(db):
    closed_port = make_url(db).set(port=1).render_as_string(hide_password=False)
    for args in (["init"], ["seed"], ["chain", MAXIMALIST], ["export", "csv"]):
        done = run("--db", closed_port, *args)
        assert_clean_error(done, "cannot reach the PostgreSQL server",
                           "Check that the server is running")
        assert "Connection refused" in done.stderr


def test_an_unknown_host_is_a_clear_error(db):
    url = make_url(db).set(host="no-such-host.invalid").render_as_string(hide_password=False)
    assert_clean_error(run("--db", url, "init"), "cannot reach the PostgreSQL server",
                       "no-such-host.invalid")


def test_a_missing_database_says_how_to_create_it(db):
    url = unused_name(db, "missing")
    done = run("--db", url, "init")
    name = make_url(url).database
    assert_clean_error(done, f"the PostgreSQL server has no database '{name}'",
                       f"createdb -h 127.0.0.1 -U postgres {name}")


def test_a_refused_login_is_a_clear_error(db):
    """This server trusts local users, so the refusal it can show is an unknown role;
    a wrong password gives the same message with the server's reason."""
    url = make_url(db).set(username="no_such_claimsdb_user", password="secret")
    done = run("--db", url.render_as_string(hide_password=False), "seed")
    assert_clean_error(done, "refused the login", "no_such_claimsdb_user",
                       "Check the user name and password")
    assert "secret" not in done.stderr
    assert "***" in done.stderr


@pytest.mark.parametrize("url", [
    "postgresql+psycopg://postgres:hunter2@127.0.0.1:notaport/claims",
    "postgresql+psycopg://postgres:hunter2@127.0.0.1:5432:99/claims",
    "postgresql+psycopg:/127.0.0.1/claims",
    "postgres:127.0.0.1/claims",
    "://nothing",
    "postgresql+nosuchdriver://postgres@127.0.0.1/claims",
])
def test_a_malformed_url_is_a_clear_error(db, url, tmp_path):
    done = run("--db", url, "init", cwd=tmp_path)
    assert_clean_error(done, "not a database URL or path")
    assert "hunter2" not in done.stderr
    assert list(tmp_path.iterdir()) == []  # no SQLite file made of a mistyped URL


def test_a_missing_driver_says_to_install_the_extra(db):
    program = ("import sys; sys.modules['psycopg'] = None; "
               "from claimsdb.cli import main; main()")
    for url in (db, db.replace("postgresql+psycopg://", "postgresql://")):
        for args in (["init"], ["chain", MAXIMALIST]):
            done = subprocess.run([sys.executable, "-c", program, "--db", url, *args],
                                  capture_output=True, text=True, timeout=120)
            assert_clean_error(done, "the PostgreSQL driver is not installed",
                               "pip install 'claimsdb[postgres]'")


@pytest.mark.parametrize("scheme", ["postgresql://", "postgres://"])
def test_a_url_without_a_driver_name_uses_psycopg(empty_db, scheme):
    """Hosting services hand out postgres://...; SQLAlchemy would look for psycopg2."""
    url = empty_db.replace("postgresql+psycopg://", scheme)
    assert Cli(url)("seed", "-q").exit_code == 0
    result = Cli(url)("chain", MAXIMALIST)
    assert result.exit_code == 0, result.stderr
    assert "Western security officials" in result.stdout



WORKBENCH_PAGES = [
    "/articles", "/articles?via=bloomberg&origin=anonymous",
    "/articles/putin-stance-stalls-talks", "/articles/tass-peskov-rejects-report",
    "/statements", "/statements?search=peacekeeping+forces", "/statements?page=2",
    "/statements/putin-stance-stalls-talks/officials-putin-maximalist-demands",
    "/actors", "/actors/peskov", "/actors/bloomberg", "/sources", "/denials?type=all",
    "/loops", "/trace/putin-stance-stalls-talks/officials-putin-maximalist-demands",
    "/statements.csv", "/statements.json?denied=1", "/actors.csv", "/articles.json",
    "/denials.csv", "/sources.json", "/loops.json",
]


def test_the_workbench_answers_the_same_on_postgresql_as_on_sqlite(twins):
    """claimsdb serve on either backend: the same pages and the same downloads (each
    page's CSRF token aside, which is random per browser)."""
    from starlette.testclient import TestClient

    from claimsdb.api import Database
    from claimsdb.web.app import create_app

    def pages(target: str) -> list[bytes]:
        database = Database(target)
        try:
            with TestClient(create_app(database), base_url="http://127.0.0.1") as client:
                answers = [client.get(url) for url in WORKBENCH_PAGES]
        finally:
            database.close()
        assert [a.status_code for a in answers] == [200] * len(WORKBENCH_PAGES)
        return [re.sub(rb'name="csrf[-_]token" (?:content|value)="[^"]*"', b"", a.content)
                for a in answers]

    server, local = twins
    for url, on_server, on_file in zip(WORKBENCH_PAGES, pages(server), pages(local),
                                       strict=True):
        assert on_server == on_file, url
