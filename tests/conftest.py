"""Fixtures: real databases on both backends, each test on its own fresh copy.

PostgreSQL tests use ``CLAIMSDB_TEST_POSTGRES`` (a SQLAlchemy URL of a server where
the user may create databases), by default a local server at 127.0.0.1:5432 (user
postgres, database test). If that server cannot be reached they are skipped, unless
``CLAIMSDB_TEST_REQUIRE_POSTGRES=1`` (set by CI), which makes it a failure.

Each test gets a database migrated to head: on SQLite a copy of a migrated template
file, on PostgreSQL ``CREATE DATABASE ... TEMPLATE`` of a migrated template database.
Both are dropped afterwards.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from claimsdb.cli import main
from claimsdb.format.seeds import seed_files
from claimsdb.store import migrate
from claimsdb.store.db import make_engine

PG_ENV = "CLAIMSDB_TEST_POSTGRES"
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REQUIRE_PG_ENV = "CLAIMSDB_TEST_REQUIRE_POSTGRES"
BACKENDS = ("sqlite", "postgresql")
INCONSISTENT = "inconsistent_db"  # marker: see _check_integrity
REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"

_counter = itertools.count()
_run_id = uuid.uuid4().hex[:8]


def pytest_report_header(config):
    url = os.environ.get(PG_ENV) or PG_DEFAULT
    required = os.environ.get(REQUIRE_PG_ENV) == "1"
    mode = "required" if required else "skipped if unreachable"
    return [f"claimsdb PostgreSQL tests: {url} ({mode})"]


# -- PostgreSQL server --------------------------------------------------------------------

class PostgresServer:
    """Creates and drops throw-away databases on the configured server."""

    def __init__(self, url: str):
        self.url = make_url(url)
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT",
                                   connect_args={"connect_timeout": 5})

    def database_url(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def create(self, name: str, template: str | None = None) -> str:
        with self.admin.connect() as conn:
            suffix = f' TEMPLATE "{template}"' if template else ""
            conn.execute(text(f'CREATE DATABASE "{name}"{suffix}'))
        return self.database_url(name)

    def drop(self, name: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    url = os.environ.get(PG_ENV) or PG_DEFAULT
    required = os.environ.get(REQUIRE_PG_ENV) == "1"
    server = PostgresServer(url)
    try:
        with server.admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as error:  # any connection failure
        if required:
            pytest.fail(f"PostgreSQL at {url} is required but unreachable: {error}")
        pytest.skip(f"PostgreSQL at {url} unreachable: {error}")
    yield server
    server.admin.dispose()


@pytest.fixture(scope="session")
def postgres_template(postgres: PostgresServer) -> Iterator[str]:
    name = f"claimsdb_tpl_{_run_id}"
    url = postgres.create(name)
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield name
    postgres.drop(name)


# -- SQLite template -----------------------------------------------------------------------

@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(str(path))
    migrate.upgrade(engine)
    with engine.connect() as conn:  # fold the WAL into the file so a plain copy is complete
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


# -- per-test databases --------------------------------------------------------------------

@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


def pytest_configure(config):
    config.addinivalue_line(
        "markers", f"{INCONSISTENT}: the test leaves its database inconsistent on purpose "
        "(it corrupts it), so the integrity check after it is skipped")


def _check_integrity(request, target: str) -> None:
    """Every database a test built must pass 'claimsdb check' when the test is done,
    unless the test marks itself as corrupting it on purpose."""
    if request.node.get_closest_marker(INCONSISTENT):
        return
    from claimsdb.query.checks import check_database

    engine = make_engine(target, create=False)
    try:
        report = check_database(engine)
    finally:
        engine.dispose()
    if not report.ok:
        pytest.fail(f"the test left an inconsistent database:\n{report.summary()}",
                    pytrace=False)


@pytest.fixture
def db(backend: str, request, tmp_path: Path) -> Iterator[str]:
    """The --db value of a fresh database at the latest schema, on the test's backend;
    checked with claimsdb's integrity checks after the test."""
    if backend == "sqlite":
        path = tmp_path / "claims.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield str(path)
        _check_integrity(request, str(path))
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    template = request.getfixturevalue("postgres_template")
    name = f"claimsdb_t_{_run_id}_{next(_counter)}"
    url = server.create(name, template=template)
    yield url
    try:
        _check_integrity(request, url)
    finally:
        server.drop(name)


@pytest.fixture
def empty_db(backend: str, request, tmp_path: Path) -> Iterator[str]:
    """The --db value of a database with no schema at all."""
    if backend == "sqlite":
        yield str(tmp_path / "empty.db")
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    name = f"claimsdb_e_{_run_id}_{next(_counter)}"
    url = server.create(name)
    yield url
    server.drop(name)


@pytest.fixture
def engine(db: str) -> Iterator[Engine]:
    engine = make_engine(db)
    yield engine
    engine.dispose()


@pytest.fixture
def seeded(db: str, engine: Engine) -> str:
    """A database holding the bundled seed articles."""
    from claimsdb.ingest.importer import import_files

    import_files(engine, seed_files())
    return db


# -- the command line ----------------------------------------------------------------------

class Cli:
    """Runs claimsdb in-process against one database."""

    def __init__(self, db: str | None):
        self.db = db
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None, db: str | None = None):
        target = db or self.db
        argv = (["--db", target] if target else []) + [str(a) for a in args]
        return self.runner.invoke(main, argv, input=input, catch_exceptions=False)


@pytest.fixture
def cli(db: str) -> Cli:
    return Cli(db)


@pytest.fixture
def write_article(tmp_path: Path):
    """Write an article file (YAML text) into the test's folder; returns its path."""

    def write(content: str, name: str = "article.yaml", encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(content.encode(encoding))
        return path

    return write


def loaded_by(db: str, *args: str) -> tuple[subprocess.CompletedProcess, set[str], int]:
    """``claimsdb --db DB ARGS`` run in a fresh process: the run, the modules it had
    loaded when the command ended, and how many of the search's diacritic patterns it
    had compiled. What a command imports shows in no output, so the tests that keep
    read commands' start-up short (no SQLAlchemy, no exporter) read it here."""
    program = (
        "import sys\n"
        "from claimsdb.cli import main\n"
        "try:\n"
        f"    main({['--db', db, *args]!r}, prog_name='claimsdb')\n"
        "except SystemExit as done:\n"
        "    code = done.code\n"
        "terms = sys.modules.get('claimsdb.query.search_terms')\n"
        "compiled = terms._diacritics.cache_info().currsize if terms else 0\n"
        "sys.stderr.write(f'COMPILED {compiled}\\n')\n"
        "sys.stderr.write('MODULES ' + ' '.join(sorted(sys.modules)) + '\\n')\n"
        "sys.exit(code)\n")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "80"}
    ran = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                         encoding="utf-8", env=env, timeout=60, check=False)
    modules = set(ran.stderr.rsplit("MODULES ", 1)[1].split()) if "MODULES " in ran.stderr \
        else set()
    compiled = int(ran.stderr.rsplit("COMPILED ", 1)[1].split()[0]) \
        if "COMPILED " in ran.stderr else 0
    return ran, modules, compiled

