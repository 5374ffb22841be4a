"""Engines and connections, with the SQLite settings claimsdb relies on.

SQLite gets foreign keys (off by default), WAL (readers never wait for an import),
a busy timeout (a second writer waits instead of failing at once) and real
transactions: pysqlite's legacy mode would defer BEGIN until the first write, which
lets a read-then-write import race another process. Write transactions start with
BEGIN IMMEDIATE so two importers queue for the lock instead of deadlocking on it.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import sqlite3
from collections.abc import Iterator

from sqlalchemy import (
    URL,
    Connection,
    Dialect,
    Engine,
    Select,
    bindparam,
    create_engine,
    event,
    literal_column,
    select,
    text,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url

from claimsdb.config import ENV_VAR, is_sqlite, redact, remember_secrets, resolve_url, sqlite_path
from claimsdb.errors import DatabaseError

# The settings a connection gets live with the driver-level reader, which opens the
# database alike without SQLAlchemy (claimsdb.store.driver); their names here stay.
from claimsdb.store.driver import BUSY_TIMEOUT_ENV as BUSY_TIMEOUT_ENV
from claimsdb.store.driver import DEFAULT_BUSY_TIMEOUT_MS as DEFAULT_BUSY_TIMEOUT_MS
from claimsdb.store.driver import PG_CONNECT_TIMEOUT_S as PG_CONNECT_TIMEOUT_S
from claimsdb.store.driver import PG_CURSOR_OPTIONS, refuse_half_url, require_file, switch_to_wal
from claimsdb.store.driver import busy_timeout_ms as busy_timeout_ms

_WRITE_OPTION = "claimsdb_write"


# PostgreSQL's serialization_failure and deadlock_detected: the server rolled the
# transaction back because of a concurrent one; running it again may well succeed.
_CONFLICT_SQLSTATES = ("40001", "40P01")
_SQLITE_BUSY_SNAPSHOT = 517


class TransactionConflict(DatabaseError):
    """The transaction was rolled back to resolve a conflict with a concurrent one."""


def make_engine(target: str | None = None, *, create: bool = True,
                readonly: bool = False) -> Engine:
    """Build the engine for ``--db`` (a path or URL); ``create=False`` refuses a missing file.

    ``readonly`` (SQLite): open the file read-only (``mode=ro``), so nothing this
    engine runs can change it; for ``add --dry-run``."""
    given = target if target is not None else os.environ.get(ENV_VAR)
    remember_secrets(given)  # whatever fails below, its message hides them
    refuse_half_url(given)
    url = resolve_url(target)
    path = sqlite_path(url)
    if path is not None:
        if not create and not path.exists():
            require_file(path)
        if not path.parent.exists():
            raise DatabaseError(f"cannot create {path}: folder {path.parent} does not exist")
        if not path.exists():
            from claimsdb.store.sqlite_access import why_not_writable

            reason = why_not_writable(path)
            if reason is not None:
                raise DatabaseError(f"cannot create {path}: {reason}")
    parsed = _parse_url(url)
    if readonly and path is not None:
        from urllib.parse import quote

        parsed = parsed.set(database="file:" + quote(str(path)),
                            query={**parsed.query, "mode": "ro", "uri": "true"})
    options: dict = {}
    read_only = None
    if path is not None and path.is_file():
        from claimsdb.store.sqlite_access import read_only_access

        read_only = read_only_access(path)
        if read_only is not None:
            # The URL still names the file (for messages, backup, copy); connections
            # open it read-only, immutable where the folder cannot hold a -shm file.
            options["creator"] = functools.partial(sqlite3.connect, read_only.uri, uri=True)
    if parsed.get_backend_name() == "postgresql":
        connect_args: dict = {}
        if "connect_timeout" not in parsed.query:
            # libpq would wait for minutes on a host that drops packets.
            connect_args["connect_timeout"] = PG_CONNECT_TIMEOUT_S
        if "options" not in parsed.query:
            # Lists and exports stream through server-side cursors, which PostgreSQL
            # plans for the first tenth of the rows by default: '--via X' then walked
            # every statement in order (270 ms at 1M statements, against 23 ms planned
            # for all rows). claimsdb reads what it asks for to the end.
            connect_args["options"] = PG_CURSOR_OPTIONS
        options["connect_args"] = connect_args
    try:
        engine = create_engine(parsed, **options)
    except ModuleNotFoundError as error:
        if "psycopg" in str(error) or parsed.get_backend_name() == "postgresql":
            raise DatabaseError(
                "the PostgreSQL driver is not installed; run: pip install 'claimsdb[postgres]'"
            ) from None
        raise DatabaseError(f"no driver for {_safe(url)}: {error}") from None
    except sa_exc.ArgumentError as error:
        raise DatabaseError(f"not a database URL or path: {_safe(url)} ({error})") from None
    if is_sqlite(url):
        _configure_sqlite(engine, read_only=readonly or read_only is not None)
    return engine


def scratch_engine() -> Engine:
    """A new, empty database in memory, gone when the engine is disposed: what a dry
    run checks files against when there is no database yet, so that it creates no
    file. One connection (StaticPool), since each would be a database of its own."""
    from sqlalchemy.pool import StaticPool

    engine = create_engine("sqlite://", poolclass=StaticPool)
    _configure_sqlite(engine)
    return engine


def _parse_url(url: str) -> URL:
    """Parse ``--db``; a bare ``postgresql://`` or ``postgres://`` (as hosting services
    hand them out) means psycopg 3, the driver the ``postgres`` extra installs, rather
    than SQLAlchemy's default psycopg2."""
    try:
        parsed = make_url(url)
    except (sa_exc.ArgumentError, ValueError) as error:
        raise DatabaseError(
            f"not a database URL or path: {_safe(url)} ({error}). A URL looks like "
            "postgresql+psycopg://USER:PASSWORD@HOST:PORT/DATABASE"
        ) from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _configure_sqlite(engine: Engine, *, read_only: bool = False) -> None:
    timeout = busy_timeout_ms()

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # pragma: no branch - event hook
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(timeout)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if not read_only:  # switching to WAL writes the file (read_only_access)
            switch_to_wal(cursor, timeout)
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection):
        write = connection.get_execution_options().get(_WRITE_OPTION)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


@contextlib.contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction that will write: all of it commits, or none of it does."""
    with translate_errors(engine), engine.connect() as conn:
        conn = conn.execution_options(**{_WRITE_OPTION: True})
        with conn.begin():
            yield conn


# Rows per index SQLite's ANALYZE reads: enough for the planner to know which index
# narrows a query, in milliseconds at any size.
ANALYSIS_LIMIT = 1000
# Tables the query shapes join and filter on; statistics only they need.
PLANNED_TABLES = ("actors", "articles", "statements", "chain_hops", "relations",
                  "statement_about", "actor_roles", "actor_aliases")


def update_planner_statistics(engine: Engine, *, thorough: bool = False) -> None:
    """Refresh the statistics the query planner chooses indexes by, after an import.

    SQLite keeps none until ANALYZE runs; without them it guesses, and guessed wrong
    for a selective filter (``--via X --origin anonymous`` went through every
    anonymous statement instead of X's few, 16 ms instead of 2 ms at 100k statements,
    ten times that at a million). Sampled, so it costs milliseconds. PostgreSQL's
    autovacuum analyzes on its own soon after a large change, when it is on;
    ``thorough`` (a large import) does it at once, so the next query is planned with
    the new sizes, and vacuums too: until a table is vacuumed its visibility map is
    empty, and every index-only scan reads the table's rows anyway (``claimsdb
    actors`` at 1M statements: 5.1 s before, 2.8 s after; the VACUUM of freshly
    inserted rows took 1.9 s). VACUUM cannot run inside a transaction, so it runs
    on a connection of its own in autocommit; a table the user does not own is
    skipped with a server warning, as ANALYZE does.
    """
    if engine.dialect.name == "postgresql":
        if thorough:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql(f"VACUUM (ANALYZE) {', '.join(PLANNED_TABLES)}")
        return
    with write_transaction(engine) as conn:
        conn.exec_driver_sql(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
        conn.exec_driver_sql("ANALYZE")


def writing(engine: Engine) -> Engine:
    """The same database, with every transaction started as a writer (on SQLite, BEGIN
    IMMEDIATE), for code that manages its own connection, such as migrations."""
    return engine.execution_options(**{_WRITE_OPTION: True})


@contextlib.contextmanager
def read_connection(engine: Engine) -> Iterator[Connection]:
    """A connection in one read transaction: every query of it, those run on the
    driver's cursor (``fetch_on_driver``) included, sees the database as of the first.

    A read is many queries (statements, then their chains and relations batch by
    batch). Under PostgreSQL's default READ COMMITTED each would see the latest commit,
    so an export running while its article was replaced found the old statements but
    no chain or relation for any of them, and exited 0. REPEATABLE READ gives the
    transaction one snapshot; READ ONLY lets the server rule out writes (a reader never
    takes part in serialization conflicts). SQLAlchemy puts the pooled connection back
    to the defaults afterwards. SQLite's read transaction (WAL) is one snapshot anyway.
    """
    with translate_errors(engine), engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with conn.begin():
            yield conn


@contextlib.contextmanager
def serial_plans(conn: Connection) -> Iterator[None]:
    """PostgreSQL plans the block's queries without parallel workers.

    A parallel plan of a query that joins a grouped subquery runs the subquery in
    every worker: the sourcing profile's depths, every hop grouped by statement, were
    grouped and hashed three times over at a million statements (1.5-2.0 s, against
    0.65 s in one process), on cores that the relay pairs' sibling connection was
    using. The setting is the transaction's own (``set_config(..., true)``) and is put
    back after the block; a failed query leaves it to the rollback."""
    if conn.dialect.name != "postgresql":
        yield
        return
    before = conn.exec_driver_sql("SHOW max_parallel_workers_per_gather").scalar_one()
    setting = text("SELECT set_config('max_parallel_workers_per_gather', :value, true)")
    conn.execute(setting, {"value": "0"})
    yield
    conn.execute(setting, {"value": before})


@contextlib.contextmanager
def translate_errors(engine: Engine) -> Iterator[None]:
    """Turn driver failures a user can act on into DatabaseError with advice (and no
    password: drivers may echo the connection string)."""
    try:
        yield
    except sa_exc.IntegrityError as error:
        raise _refused_write(engine, error) from None
    except sa_exc.DBAPIError as error:
        message = describe_failure(engine, error)
        if message is None:
            raise  # a failed SQL statement is claimsdb's bug, not the user's to fix
        if _sqlstate(error.orig) in _CONFLICT_SQLSTATES:
            raise TransactionConflict(message) from None
        raise DatabaseError(message) from None


def _sqlstate(error: BaseException | None) -> str | None:
    """A PostgreSQL error's SQLSTATE, as psycopg 3 (``sqlstate``) or psycopg2
    (``pgcode``, the read commands' driver) gives it."""
    return getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)


def describe_failure(engine: Engine, error: sa_exc.DBAPIError) -> str | None:
    """What went wrong, for the user, with no password in it; None for a failure
    only a bug in claimsdb explains."""
    if engine.dialect.name == "sqlite":
        damage = sqlite_damage(engine.url.database or ":memory:", error.orig)
        if damage is not None:
            return damage
    if isinstance(error, sa_exc.OperationalError):
        return redact(_describe_operational(engine, error), str(engine.url))
    if isinstance(error, sa_exc.InterfaceError):
        return redact(f"cannot use {_safe(str(engine.url))}: {error.orig}")
    if error.statement is None:
        # Refused before any SQL ran, while connecting: an option in the URL the
        # driver rejects (psycopg: 'invalid connection option "x"', 'bad value for
        # connect_timeout').
        return redact(_describe_connect_option(engine, str(error.orig)))
    return None


SQLITE_READONLY = 8
_SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26


def sqlite_damage(path: str | os.PathLike[str], error: BaseException | None) -> str | None:
    """The message for a SQLite file that is not a database, or is damaged (cut short,
    overwritten); None for any other error."""
    code = getattr(error, "sqlite_errorcode", None)
    text = str(error)
    if code is not None:
        code &= 0xFF  # the primary code, without the extended bits
    if code == _SQLITE_NOTADB or "file is not a database" in text:
        return (f"{path} is not a claimsdb database: it is not a SQLite database file "
                "(check --db)")
    if code == _SQLITE_CORRUPT or "database disk image is malformed" in text:
        return (f"{path} is damaged ({text}): the file was cut short or overwritten. "
                "Restore it from a backup (or try to salvage it with: sqlite3 "
                f"{path} .recover)")
    return None


def _refused_write(engine: Engine, error: sa_exc.IntegrityError) -> DatabaseError:
    """A constraint refused a write that claimsdb had checked: the transaction was
    rolled back, so nothing was changed.

    On PostgreSQL a concurrent command can commit between the check and the write (two
    articles with one URL imported at once): that is a conflict, and running the
    transaction again meets the check that explains it. SQLite runs one writer at a
    time, so there it is reported as it is.
    """
    text = str(error.orig).strip()
    reason = " ".join(text.splitlines()[:2]) if text else type(error.orig).__name__
    if engine.dialect.name == "postgresql":
        return TransactionConflict(
            f"{_safe(str(engine.url))}: another command changed the database at the same "
            f"time, and the server refused this change ({reason}); nothing was changed. "
            "Run the command again."
        )
    where = engine.url.database or ":memory:"
    return DatabaseError(f"{where}: the database refused the change ({reason}); "
                         "nothing was changed")


def _describe_operational(engine: Engine, error: sa_exc.OperationalError) -> str:
    text = str(error.orig)
    sqlite = engine.dialect.name == "sqlite"
    where = (engine.url.database or ":memory:") if sqlite else _safe(str(engine.url))
    if getattr(error.orig, "sqlite_errorcode", None) == _SQLITE_BUSY_SNAPSHOT:
        # A read transaction tried to write after another process had written: waiting
        # cannot help, since its snapshot is already out of date.
        return (
            f"{where} was changed by another process while this command was reading it; "
            "nothing was changed. Run the command again."
        )
    if "database is locked" in text or "database table is locked" in text:
        return (
            f"{where} is locked by another process and stayed locked for "
            f"{busy_timeout_ms() / 1000:g} s; nothing was changed. Try again when the other "
            f"import finishes (or set {BUSY_TIMEOUT_ENV} to wait longer, in milliseconds)."
        )
    if sqlite and (getattr(error.orig, "sqlite_errorcode", 0) or 0) & 0xFF == SQLITE_READONLY:
        from claimsdb.store.sqlite_access import write_refusal

        return write_refusal(where)
    if "unable to open database file" in text:
        return f"cannot open {where}: check that the folder exists and is writable"
    if _sqlstate(error.orig) in _CONFLICT_SQLSTATES:
        reason = text.strip().splitlines()[0] if text.strip() else text
        return (
            f"{where}: the transaction collided with a concurrent one and the server rolled "
            f"it back ({reason}); nothing was changed. Run the command again."
        )
    if engine.dialect.name == "postgresql":
        return _describe_postgresql(engine, where, text)
    return f"database error on {where}: {text}"


def _describe_postgresql(engine: Engine, where: str, text: str) -> str:
    """libpq's connection errors, with what to check for each."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    first = lines[0] if lines else text
    # "connection failed: connection to server at "h", port p failed: FATAL:  database ..."
    detail = first.rsplit("failed: ", 1)[-1].replace("FATAL:  ", "")
    url = engine.url
    if "does not exist" in first and "database" in first:
        return (
            f"the PostgreSQL server has no database '{url.database}' ({where}). Create it "
            f"first, e.g. createdb -h {url.host or 'localhost'} -U {url.username or 'postgres'} "
            f"{url.database}, then run 'claimsdb init'."
        )
    if ("authentication failed" in first or ("role" in first and "does not exist" in first)
            or "no password supplied" in first or "not permitted to log in" in first):
        return (
            f"the PostgreSQL server refused the login for {where}: {detail}. Check the user "
            "name and password in the URL."
        )
    if _is_option_complaint(first):
        return _describe_connect_option(engine, first)
    if first.startswith(("connection failed", "connection timeout", "failed to resolve host",
                         "connection is bad", "connection to server")):
        return (
            f"cannot reach the PostgreSQL server for {where}: {detail}. Check that the "
            "server is running and that the host and port in the URL are right."
        )
    return f"cannot use the PostgreSQL database {where}: {first}"


# libpq's and psycopg's complaints about the URL's options themselves (sslmode=bogus,
# an unknown key, a non-number timeout): the server was never asked, so "cannot reach
# the server" would send the user looking in the wrong place.
_OPTION_COMPLAINTS = re.compile(
    r"invalid (?:\w+ )?value|invalid connection option|bad value for|invalid integer value|"
    r"invalid sslmode|invalid target_session_attrs|invalid channel_binding|"
    r"invalid gssencmode|invalid ssl_min_protocol_version|invalid ssl_max_protocol_version|"
    r"missing \"=\" after|unterminated quoted string|invalid URI query parameter|"
    r"invalid percent-encoded token|invalid port number",
    re.IGNORECASE)


def _is_option_complaint(text: str) -> bool:
    return bool(_OPTION_COMPLAINTS.search(text))


def _describe_connect_option(engine: Engine, text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    reason = (lines[0] if lines else text).removeprefix("connection is bad: ")
    backend = "PostgreSQL " if engine.dialect.name == "postgresql" else ""
    return (f"the {backend}connection options in {_safe(str(engine.url))} are not valid: "
            f"{reason}. Check the settings after '?' in the URL.")


def _safe(url: str) -> str:
    """A URL fit to print: its password hidden, whatever its shape (even one that
    does not parse)."""
    return redact(url, url)


def describe_database(engine: Engine) -> str:
    """The database as messages name it: a SQLite file's path, or the URL without its
    password (also one given as ``?password=``, which SQLAlchemy's own rendering
    shows)."""
    if engine.dialect.name == "sqlite":
        return engine.url.database or ":memory:"
    return redact(engine.url.render_as_string(hide_password=True))


def fetch_on_driver(conn: Connection, query: Select, parameters: dict) -> list[tuple]:
    """The rows of a Core query, run on the connection's DB-API cursor.

    For hot lookups that return plain integers and strings (one statement's row and
    details, what ``claimsdb chain`` shows): ``conn.execute`` spends about 25 µs per
    call hashing the query's cache key and building result metadata, two thirds of a
    lookup that SQLite answers in 30 µs. The query is still built with Core and
    compiled by SQLAlchemy (once per dialect); it runs in the connection's transaction,
    and driver errors come out as SQLAlchemy's, as from ``conn.execute``. SQLAlchemy's
    cursor events do not fire for it.
    """
    sql, bound = driver_statement(conn.dialect, query, parameters)
    return run_on_driver(conn, sql, bound)


def run_on_driver(conn: Connection, sql: str, bound: tuple | dict) -> list[tuple]:
    """The rows of SQL text already in the driver's parameter style (what
    ``fetch_on_driver`` and a ``claimsdb.store.driver.CompiledQuery`` make), run on the
    connection's DB-API cursor in its transaction; driver errors come out as
    SQLAlchemy's."""
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(sql, bound)
        return cursor.fetchall()
    except conn.dialect.loaded_dbapi.Error as error:
        raise sa_exc.DBAPIError.instance(sql, bound, error, conn.dialect.loaded_dbapi.Error,
                                         dialect=conn.dialect) from error
    finally:
        cursor.close()


def driver_statement(dialect: Dialect, query: Select, parameters: dict
                     ) -> tuple[str, tuple | dict]:
    """What ``fetch_on_driver`` hands the driver: SQL text and bound values in the
    driver's parameter style."""
    sql, names, defaults = _compiled_text(query, dialect)
    values = {**defaults, **parameters}
    return sql, tuple(values[name] for name in names) if names is not None else values


def compiled_text(query: Select, dialect: Dialect, *, expanding: bool = False
                  ) -> tuple[str, tuple[str, ...] | None, dict]:
    """SQL text, parameter order (None: named parameters) and bound values of a query
    fit for the driver's cursor, as ``fetch_on_driver`` runs it (and as
    ``claimsdb.query.compile_reads`` writes it down ahead of time). ``expanding``:
    an IN list of bound values stays ``__[POSTCOMPILE_name]`` in the text, for the
    caller to expand as SQLAlchemy would (``claimsdb.query.listpath``)."""
    return _compiled_text(query, dialect, expanding)


def compiled_for_driver(query: Select, dialect: Dialect
                        ) -> tuple[str, tuple[str, ...] | None, dict, dict[str, str]]:
    """``compiled_text`` for a query written down ahead of time
    (``claimsdb.query.compile_reads``), which may have expanding IN lists
    (``bindparam(..., expanding=True)``): the SQL keeps SQLAlchemy's
    ``__[POSTCOMPILE_name]`` where each list goes, and the fourth item says how
    SQLAlchemy writes one item of each when it executes the query, ``{}`` standing for
    the item's number from 1 (``?`` for SQLite; ``%(name_{})s`` and a cast for
    psycopg), read off its expansion of a one-item list of the same name and type
    (``claimsdb.store.driver.CompiledQuery.statement`` writes the list out)."""
    sql, params, constants = compiled_text(query, dialect, expanding=True)
    items = {}
    for parameter in query.compile(dialect=dialect).post_compile_params:
        name = parameter.key
        probe = select(literal_column("1")).where(literal_column("x").in_(
            bindparam(name, expanding=True, type_=parameter.type))).compile(dialect=dialect)
        written = probe.construct_expanded_state({name: [None]}).statement
        item = written[written.index("x IN (") + len("x IN ("):written.rindex(")")]
        items[name] = item.replace(f"{name}_1", f"{name}_{{}}")
    return sql, params, {key: value for key, value in constants.items()
                         if key not in items}, items


@functools.lru_cache(maxsize=64)
def _compiled_text(query: Select, dialect: Dialect, expanding: bool = False
                   ) -> tuple[str, tuple[str, ...] | None, dict]:
    """SQL text, parameter order (None: named parameters) and the query's own bound
    values. Refuses what only ``conn.execute`` can do: expanding IN lists (unless
    ``expanding``; values written into the SQL always), and result types that convert
    values (dates, JSON), which the driver's rows would skip."""
    compiled = query.compile(dialect=dialect)
    if compiled.literal_execute_params or (compiled.post_compile_params and not expanding):
        raise TypeError("a query with expanding parameters needs conn.execute")
    # (the dialect's own implementation of each type: SQLite's DATETIME converts text,
    # the generic DateTime it stands in for has no converter of its own)
    if any(column.type.dialect_impl(dialect).result_processor(dialect, None) is not None
           for column in query.selected_columns):
        raise TypeError("a result type converts values; the query needs conn.execute")
    names = tuple(compiled.positiontup) if compiled.positional else None
    return str(compiled), names, compiled.params


def driver_failure(engine: Engine, error: BaseException, statement: str | None
                   ) -> BaseException:
    """What to raise for a DB-API error of the driver-level reader
    (``claimsdb.store.driver``): the message ``translate_errors`` gives for the same
    failure through ``engine`` (None for ``statement``: it failed while connecting), or,
    for a failure only a bug in claimsdb explains, SQLAlchemy's wrapping of it."""
    from claimsdb.store.driver import driver_error_class

    # (the driver's own Error class: on PostgreSQL the reader may be psycopg2's while
    # the engine is psycopg 3's)
    base = driver_error_class(error) or engine.dialect.loaded_dbapi.Error
    wrapped = sa_exc.DBAPIError.instance(statement, None, error,  # type: ignore[arg-type]
                                         base, dialect=engine.dialect)
    try:
        with translate_errors(engine):
            raise wrapped from error
    except BaseException as translated:
        return translated
