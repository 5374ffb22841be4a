"""A read transaction on the database driver alone, without SQLAlchemy.

Importing SQLAlchemy costs a command more than SQLite takes to answer it: ``claimsdb
chain REF`` spent most of its time loading the ORM before asking one question. The
questions of such a command are compiled by SQLAlchemy ahead of time
(``claimsdb.query.compiled_sql``); this module opens the database the way
``claimsdb.store.db.make_engine`` does, from the same ``--db`` setting, and runs them
on the DB-API connection (``sqlite3``, or psycopg2 or psycopg for PostgreSQL):

- SQLite: a missing file is refused with the engine's message; a file that cannot be
  written opens read-only (immutable where its folder cannot hold a ``-shm`` file,
  ``claimsdb.store.sqlite_access``); the connection gets the engine's busy timeout and
  switch to WAL, and reads in one ``BEGIN`` ... ``COMMIT``.
- PostgreSQL: the SQLAlchemy URL becomes libpq's keyword arguments as SQLAlchemy's
  psycopg dialect makes them (with the engine's connect timeout and cursor setting);
  the transaction is REPEATABLE READ and READ ONLY, as ``read_connection`` makes it.
  The connection is psycopg2's where it is installed (the ``postgres`` extra installs
  it), else psycopg 3's: both are libpq underneath and take the same SQL, parameters
  (``%(name)s``) and server-side cursors, but importing psycopg 3 costs 280 ms, more
  than a peer's whole read command (``sqlite-utils query DB "select 1"``: 256 ms), and
  psycopg2 70 ms (issue 16). Everything that writes, and the engine, stay on psycopg 3.
- The schema version is checked as ``claimsdb.store.migrate.require_current_schema``
  checks it, with the same messages, from the migration files alone.

What this module cannot do exactly as the engine would, it does not try: it raises
``NotOnDriver`` (a URL of another driver or with several hosts, migration files that
are not plain, a revision only Alembic can resolve), and the caller takes the
SQLAlchemy path. A driver error comes out as the driver raised it, with the SQL that
failed in ``DriverConnection.last_sql``; ``claimsdb.store.db.driver_failure`` turns it
into the message the engine would have given (that path may load SQLAlchemy: it is
the error path).
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import sqlite3
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claimsdb.config import (
    ENV_VAR,
    UrlParts,
    redact,
    remember_secrets,
    resolve_url,
    sqlite_path,
    url_parts,
)
from claimsdb.errors import DatabaseError
from claimsdb.store import revisions

BUSY_TIMEOUT_ENV = "CLAIMSDB_BUSY_TIMEOUT"
DEFAULT_BUSY_TIMEOUT_MS = 10_000
PG_CONNECT_TIMEOUT_S = 10
# Lists and exports stream through server-side cursors, which PostgreSQL plans for the
# first tenth of the rows by default (see make_engine); every connection gets this.
# And no JIT compilation: its estimate-driven threshold compiled one actor's counts at
# 1M statements for 3.5 s of a 4.9 s query (issue 16); claimsdb's queries are index
# reads and counts whose run time is far below what compiling them costs.
PG_CURSOR_OPTIONS = "-c cursor_tuple_fraction=1 -c jit=off"
_SQLITE_SCHEMES = ("sqlite", "sqlite+pysqlite")
_POSTGRES_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")


class NotOnDriver(Exception):
    """This database or this question needs SQLAlchemy (or Alembic): take that path."""


@dataclass(frozen=True)
class CompiledQuery:
    """A read query as SQLAlchemy compiled it for one dialect: the SQL text, the names
    of its parameters in the order the driver takes them (None: by name, as psycopg's
    ``%(name)s``), and values the query itself binds (a LIMIT).

    ``expanding``: its IN lists (``bindparam(..., expanding=True)``), each with how
    SQLAlchemy writes one item of it (``?``; ``%(name_{})s::INTEGER``, numbered from
    1): the SQL holds ``__[POSTCOMPILE_name]`` where the list goes, and ``statement``
    puts the items there as SQLAlchemy does when it executes the query."""

    sql: str
    params: tuple[str, ...] | None
    constants: Mapping[str, Any] = field(default_factory=dict)
    expanding: Mapping[str, str] = field(default_factory=dict)

    def bind(self, values: Mapping[str, Any]) -> tuple | dict:
        merged = {**self.constants, **values}
        if self.params is None:
            return merged
        return tuple(merged[name] for name in self.params)

    def statement(self, values: Mapping[str, Any]) -> tuple[str, tuple | dict]:
        """The SQL and the parameters to hand the driver for these values (a list, not
        empty, for each expanding parameter)."""
        if not self.expanding:
            return self.sql, self.bind(values)
        merged = {**self.constants, **values}
        sql = self.sql
        lists = {name: list(merged.pop(name)) for name in self.expanding}
        for name, item in self.expanding.items():
            count = len(lists[name])
            sql = sql.replace(f"__[POSTCOMPILE_{name}]",
                              ", ".join(item.format(n) for n in range(1, count + 1)))
            if self.params is None:
                merged.update((f"{name}_{n}", value)
                              for n, value in enumerate(lists[name], start=1))
        if self.params is None:
            return sql, merged
        bound: list[Any] = []
        for name in self.params:
            if name in lists:
                bound.extend(lists[name])
            else:
                bound.append(merged[name])
        return sql, tuple(bound)


class DriverConnection:
    """A DB-API connection for reading, and which dialect's SQL it takes."""

    def __init__(self, dbapi_connection: Any, dialect: str, target: str):
        self.connection = dbapi_connection
        self.dialect = dialect  # "sqlite" or "postgresql"
        self.target = target  # the URL it was opened from
        self.last_sql: str | None = None  # the SQL that failed, for the error message

    def fetch(self, query: CompiledQuery, values: Mapping[str, Any]) -> list[tuple]:
        """The rows of ``query`` with these parameter values."""
        sql, bound = query.statement(values)
        self.last_sql = sql
        cursor = self.connection.cursor()
        try:
            cursor.execute(sql, bound)
            return cursor.fetchall()
        finally:
            cursor.close()

    def execute(self, sql: str) -> list[tuple]:
        """The rows of a fixed statement of this module's own (no parameters)."""
        self.last_sql = sql
        cursor = self.connection.cursor()
        try:
            cursor.execute(sql)
            return cursor.fetchall() if cursor.description is not None else []
        finally:
            cursor.close()

    @contextlib.contextmanager
    def reading(self) -> Iterator[DriverConnection]:
        """One read transaction at the current schema: every query in it sees one
        snapshot (``read_connection`` on the engine does the same)."""
        self.last_sql = None
        if self.dialect == "sqlite":
            self.execute("BEGIN")
        try:
            require_current_schema(self)
            yield self
        except BaseException:
            with contextlib.suppress(Exception):  # the first failure is the one to report
                self._end_transaction()
            raise
        self._end_transaction()

    def _end_transaction(self) -> None:
        if self.dialect == "sqlite":
            if self.connection.in_transaction:
                self.connection.execute("COMMIT")
        else:
            self.connection.rollback()  # it wrote nothing (READ ONLY)

    def close(self) -> None:
        self.connection.close()


def is_driver_error(error: BaseException) -> bool:
    """Whether ``error`` is a DB-API error of a driver this module uses."""
    return driver_error_class(error) is not None


def driver_error_class(error: BaseException) -> type[Exception] | None:
    """The DB-API ``Error`` class of the driver that raised ``error`` (None: not a
    driver's error). Only drivers already imported can have raised it."""
    import sys

    for name in ("sqlite3", "psycopg2", "psycopg"):
        module = sys.modules.get(name)
        if module is not None and isinstance(error, module.Error):
            return module.Error
    return None


def connect(target: str | os.PathLike[str] | None) -> DriverConnection:
    """A connection for reading the database of ``--db`` (``$CLAIMSDB_DB``, ``claims.db``)."""
    given = os.fspath(target) if target is not None else os.environ.get(ENV_VAR)
    remember_secrets(given)  # whatever fails below, its message hides them
    refuse_half_url(given)
    url = resolve_url(target)
    parts = url_parts(url)
    if parts is None:
        raise NotOnDriver(url)
    if parts.scheme in _SQLITE_SCHEMES:
        return _connect_sqlite(url, parts.query)
    if parts.scheme in _POSTGRES_SCHEMES:
        return DriverConnection(_connect_postgresql(parts), "postgresql", url)
    raise NotOnDriver(parts.scheme)


def _connect_sqlite(url: str, query: Mapping[str, object]) -> DriverConnection:
    path = sqlite_path(url)
    if path is None or query:  # in memory (no schema), or driver options: the engine's
        raise NotOnDriver(url)
    require_file(path)
    from claimsdb.store.sqlite_access import read_only_access

    read_only = read_only_access(path) if path.is_file() else None
    if read_only is not None:
        dbapi_connection = sqlite3.connect(read_only.uri, uri=True, check_same_thread=False)
    else:
        dbapi_connection = sqlite3.connect(str(path), check_same_thread=False)
    connection = DriverConnection(dbapi_connection, "sqlite", url)
    try:
        dbapi_connection.isolation_level = None  # BEGIN is emitted in reading()
        timeout = busy_timeout_ms()
        connection.execute(f"PRAGMA busy_timeout = {int(timeout)}")
        connection.execute("PRAGMA foreign_keys = ON")
        if read_only is None:  # switching to WAL writes the file (read_only_access)
            cursor = dbapi_connection.cursor()
            connection.last_sql = "PRAGMA journal_mode = WAL"
            try:
                switch_to_wal(cursor, timeout)
            finally:
                cursor.close()
        connection.execute("PRAGMA synchronous = NORMAL")
    except BaseException:
        dbapi_connection.close()
        raise
    return connection


def postgresql_arguments(parts: UrlParts) -> dict[str, Any]:
    """psycopg's keyword arguments for a URL, as SQLAlchemy's psycopg dialect makes
    them (``create_connect_args``), with those ``make_engine`` adds."""
    if any(not isinstance(value, str) for value in parts.query.values()) or (
            "host" in parts.query or "port" in parts.query):
        raise NotOnDriver("several hosts")  # SQLAlchemy's multi-host rules apply
    arguments: dict[str, Any] = {
        name: value for name, value in (("host", parts.host), ("dbname", parts.database),
                                        ("user", parts.username), ("password", parts.password),
                                        ("port", parts.port)) if value}
    arguments.update(parts.query)
    arguments.setdefault("connect_timeout", PG_CONNECT_TIMEOUT_S)
    arguments.setdefault("options", PG_CURSOR_OPTIONS)
    return arguments


def _connect_postgresql(parts: UrlParts) -> Any:
    arguments = postgresql_arguments(parts)
    try:
        import psycopg2
    except ModuleNotFoundError:
        pass
    else:
        return _connect_psycopg2(psycopg2, arguments)
    try:
        import psycopg
    except ModuleNotFoundError:
        raise DatabaseError(
            "the PostgreSQL driver is not installed; run: pip install 'claimsdb[postgres]'"
        ) from None
    connection = psycopg.connect(**arguments)
    try:
        connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        connection.read_only = True
    except BaseException:
        connection.close()
        raise
    return connection


def _connect_psycopg2(psycopg2: Any, arguments: dict[str, Any]) -> Any:
    """A psycopg2 connection reading as psycopg's would (see the module's docstring).

    A failure to connect, but for a timeout, is left to the engine (``NotOnDriver``):
    psycopg 3 words libpq's complaints its own way ("connection failed: ..."), and the
    engine's message for them is the one users and tests know. Asking again costs
    nothing for a refused connection, a wrong password or an unknown database; after a
    timeout it would cost the whole timeout again, so that one is reported from here.
    """
    try:
        connection = psycopg2.connect(**arguments)
    except psycopg2.OperationalError as error:
        if "timeout expired" in str(error):
            raise
        raise NotOnDriver("connecting failed; the engine reports why") from None
    except psycopg2.Error:
        raise NotOnDriver("connecting failed; the engine reports why") from None
    try:
        connection.set_session(isolation_level="REPEATABLE READ", readonly=True)
    except BaseException:
        connection.close()
        raise
    return connection


def require_file(path: Path) -> None:
    """Reading needs the file: it is never created for a question."""
    if not path.exists():
        raise DatabaseError(
            f"no database at {path}. Create one with 'claimsdb init' "
            "(and 'claimsdb seed' for the bundled articles), or point --db at yours."
        )


@functools.cache
def _half_url() -> re.Pattern[str]:
    """Compiled when a target with a ':' is first checked (a path rarely has one)."""
    return re.compile(r"(postgres(ql)?|sqlite|mysql|mariadb|oracle|mssql)(\+\w+)?:(?!//)", re.I)


def refuse_half_url(target: str | os.PathLike[str] | None) -> None:
    """A scheme without '//' would be taken for a file name and become a new SQLite
    database somewhere unexpected."""
    if target is None or ":" not in os.fspath(target):
        return  # (what the pattern needs to match)
    if _half_url().match(os.fspath(target)):
        shown = redact(os.fspath(target), os.fspath(target))
        raise DatabaseError(
            f"not a database URL or path: {shown} looks like a URL but "
            "lacks '//' after the scheme, e.g. postgresql+psycopg://USER@HOST/DATABASE"
        )


def busy_timeout_ms() -> int:
    raw = os.environ.get(BUSY_TIMEOUT_ENV)
    try:
        return int(raw) if raw else DEFAULT_BUSY_TIMEOUT_MS
    except ValueError:
        raise DatabaseError(
            f"{BUSY_TIMEOUT_ENV} must be a whole number of milliseconds, not {raw!r}"
        ) from None


def switch_to_wal(cursor: sqlite3.Cursor, timeout_ms: int) -> None:
    """``PRAGMA journal_mode = WAL``, waiting like the busy timeout would.

    Switching a new file to WAL needs an exclusive lock, and SQLite reports a lock held
    by another process at once, without calling the busy handler: two commands that
    both create the same new database (two ``claimsdb seed`` started together) would
    fail on it now and then. A file already in WAL answers at once and takes no lock.
    """
    deadline = time.monotonic() + timeout_ms / 1000
    pause = 0.002
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() >= deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.05)


# -- the schema version ------------------------------------------------------------------

def require_current_schema(connection: DriverConnection) -> None:
    """Refuse a database that is empty, older or newer than this claimsdb, with the
    messages of ``claimsdb.store.migrate.require_current_schema``; ``NotOnDriver``
    where only Alembic can tell."""
    head = revisions.head_from_files()
    known = revisions.known_from_files()
    if head is None or known is None:
        raise NotOnDriver("migration files that are not plain")
    stored = stored_revisions(connection)
    if stored == [head]:
        return
    if stored is not None and len(stored) > 1:
        raise NotOnDriver("several revisions stored")
    current = stored[0] if stored else None
    if current is None:
        if stored is not None or _has_tables(connection):
            raise DatabaseError(
                "this database has tables but no claimsdb schema version; "
                "it is not a claimsdb database (or was made by an unreleased version)"
            )
        raise DatabaseError("the database is empty; run 'claimsdb init' first")
    if current in known:
        raise DatabaseError(
            f"the database schema ({current}) is older than this claimsdb ({head}); "
            "run 'claimsdb init' to upgrade it"
        )
    if any(revision.startswith(current) for revision in known):
        raise NotOnDriver("a partial revision")  # Alembic may resolve it
    raise DatabaseError(
        f"the database schema ({current}) is newer than this claimsdb "
        f"({head}); upgrade claimsdb"
    )


def stored_revisions(connection: DriverConnection) -> list[str] | None:
    """The revisions recorded in the database (Alembic's table), or None without it."""
    if connection.dialect == "sqlite":
        found = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'")
    else:
        found = [row for row in connection.execute("SELECT to_regclass('alembic_version')")
                 if row[0] is not None]
    if not found:
        return None
    return [row[0] for row in connection.execute("SELECT version_num FROM alembic_version")]


def _has_tables(connection: DriverConnection) -> bool:
    """Whether the database has any table (as SQLAlchemy's inspector lists them: SQLite's
    own tables aside; on PostgreSQL, those of the default schema)."""
    if connection.dialect == "sqlite":
        return bool(connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite~_%' ESCAPE '~' LIMIT 1"))
    return bool(connection.execute(
        "SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
        "ON n.oid = c.relnamespace WHERE n.nspname = current_schema() "
        "AND c.relkind IN ('r', 'p') LIMIT 1"))
