"""Schema changes through Alembic, run from code.

The migrations ship inside the wheel (``claimsdb/_migrations``) so an installed
claimsdb can create and upgrade databases without a checkout; in a checkout they are
the top-level ``migrations/`` folder that ``alembic`` itself uses.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy import Connection, Engine, inspect, text

from claimsdb.errors import DatabaseError
from claimsdb.store.db import translate_errors, writing

# Reading the migration files needs neither SQLAlchemy nor Alembic (claimsdb.store.revisions).
from claimsdb.store.revisions import head_from_files as _head_from_files
from claimsdb.store.revisions import migrations_dir as migrations_dir

# Objects that migrations create but the ORM does not model (full-text search: the
# FTS5 table and its shadow tables on SQLite, the GIN index on PostgreSQL).
# Autogenerate must not propose dropping them.
UNMODELLED_TABLE_PREFIXES = ("statements_fts",)
UNMODELLED_INDEXES = ("ix_statements_quote_fts",)
# Any constant works; it only has to be the same for every claimsdb process.
_PG_MIGRATION_LOCK = 0x636C61696D73


def include_name(name, type_, parent_names) -> bool:
    return not (type_ == "table" and name and name.startswith(UNMODELLED_TABLE_PREFIXES))


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Autogenerate filter for reflected objects that ``include_name`` does not see
    (expression indexes such as the PostgreSQL full-text index)."""
    return not (type_ == "index" and name in UNMODELLED_INDEXES)


def alembic_config(connection: Connection | None = None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the migrations have no head"
    return head


def current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


@contextlib.contextmanager
def run_migrations_on(engine: Engine) -> Iterator[Connection]:
    """A connection in one transaction, prepared for schema changes.

    SQLite: foreign keys are switched off for the duration (batch mode rebuilds a table
    by copying and dropping it, which with foreign keys on would cascade deletes) and
    checked afterwards. PostgreSQL: an advisory lock makes concurrent ``init`` runs
    queue instead of racing.
    """
    # Start as a writer (SQLite: BEGIN IMMEDIATE): a second process initialising the
    # same new file then waits for the first instead of failing on a lock upgrade.
    with translate_errors(engine), writing(engine).connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys = OFF")
        try:
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    lock = text("SELECT pg_advisory_xact_lock(:k)")
                    conn.execute(lock, {"k": _PG_MIGRATION_LOCK})
                yield conn
                if sqlite:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise DatabaseError(f"migration left broken foreign keys: {broken[:5]}")
        finally:
            if sqlite:
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys = ON")


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str]:
    """Bring the schema to ``revision``; returns (revision before, revision after)."""
    from alembic import command

    with run_migrations_on(engine) as conn:
        before = current_revision(conn)
        if before is not None:
            _refuse_unknown(before)
        command.upgrade(alembic_config(conn), revision)
        after = current_revision(conn)
        if after == head_revision():
            require_complete_schema(conn, after)
    return before, after or ""


def steps_between(before: str | None, after: str) -> list[tuple[str, str]]:
    """The migrations that took a database from ``before`` (None: no schema) to
    ``after``, oldest first, each with the first line of its docstring: what an upgrade
    changed, in the words of the migration that did it."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    steps = script.iterate_revisions(after, before or "base")
    return [(step.revision, " ".join((step.doc or "").split())) for step in reversed(list(steps))]


def _refuse_unknown(current: str) -> None:
    """A revision the migrations do not know was written by a newer claimsdb (Alembic
    would say only "Can't locate revision")."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    try:
        known = script.get_revision(current) is not None
    except Exception:  # alembic's CommandError/ResolutionError: not one of ours
        known = False
    if not known:
        raise DatabaseError(
            f"the database schema ({current}) is newer than this claimsdb "
            f"({head_revision()}); upgrade claimsdb"
        )


def require_complete_schema(connection: Connection, revision: str) -> None:
    """Every table the head revision creates is there: a table dropped by hand would
    otherwise pass as "up to date" and fail later, in the middle of some command."""
    from claimsdb.store.models import Base

    present = set(inspect(connection).get_table_names())
    expected = [t.name for t in Base.metadata.sorted_tables]
    if connection.dialect.name == "sqlite":
        expected.append("statements_fts")  # the full-text index (migration 0002)
    missing = [name for name in expected if name not in present]
    if missing:
        names = ", ".join(f"'{name}'" for name in missing)
        raise DatabaseError(
            f"the database is at the head revision ({revision}) but "
            f"table{'s' if len(missing) > 1 else ''} {names} "
            f"{'are' if len(missing) > 1 else 'is'} missing; it was changed outside "
            "claimsdb. Restore it from a backup."
        )


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    with run_migrations_on(engine) as conn:
        command.downgrade(alembic_config(conn), revision)


def require_current_schema(connection: Connection) -> None:
    """Refuse to work on a database that is empty, older or newer than this claimsdb."""
    if _head_from_files() is not None and _stored_revisions(connection) == [_head_from_files()]:
        return  # the usual case, settled without importing Alembic (a fifth of a second)
    current = current_revision(connection)
    head = head_revision()
    if current == head:
        return
    if current is None:
        if inspect(connection).get_table_names():
            raise DatabaseError(
                "this database has tables but no claimsdb schema version; "
                "it is not a claimsdb database (or was made by an unreleased version)"
            )
        raise DatabaseError("the database is empty; run 'claimsdb init' first")
    _refuse_unknown(current)
    raise DatabaseError(
        f"the database schema ({current}) is older than this claimsdb ({head}); "
        "run 'claimsdb init' to upgrade it"
    )


def _stored_revisions(connection: Connection) -> list[str] | None:
    """The revisions recorded in the database (Alembic's table), or None without it."""
    if connection.dialect.name == "sqlite":
        found = connection.execute(text(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        )).first()
    else:
        found = connection.execute(text("SELECT to_regclass('alembic_version')")).scalar()
    if not found:
        return None
    return list(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())


def is_empty(connection: Connection) -> bool:
    # Alembic's own reading of the version is not needed to tell "no schema at all"
    # (and importing Alembic costs every 'claimsdb add' a fifth of a second).
    return not _stored_revisions(connection) and not inspect(connection).get_table_names()
