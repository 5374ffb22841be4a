"""Opening a database the way a job needs it: to read, to write, or to check a dry run.

Each front end used to decide this for itself (the command line did). Deciding it
here means a Python user, the command line and the workbench open a database alike:
reading needs the current schema; writing initialises a brand-new, empty database
first; a dry run writes nothing at all, not even a new file.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from claimsdb.config import resolve_url, sqlite_path
from claimsdb.store import migrate
from claimsdb.store.db import describe_database, make_engine, read_connection, scratch_engine


def require_readable(engine: Engine) -> None:
    """Refuse a database that is not at this version's schema (too old, too new, none)."""
    with read_connection(engine) as conn:
        migrate.require_current_schema(conn)


def prepare_for_writing(engine: Engine) -> bool:
    """Check the schema before writing, initialising a brand-new (empty) database first;
    True when this call created the schema.

    Another process may initialise it meanwhile; then ``upgrade`` finds the schema in
    place and changes nothing, and this call reports that it created nothing.
    """
    with read_connection(engine) as conn:
        empty = migrate.is_empty(conn)
        if not empty:
            migrate.require_current_schema(conn)
    return empty and migrate.upgrade(engine)[0] is None


@dataclass
class DryRunTarget:
    """The database a dry run checks files against.

    ``scratch`` is true when there was no database to check against (no SQLite file,
    or a database without the claimsdb schema): the files are then imported into an
    empty database in memory, as a real add would start from an empty one, and
    ``missing`` says what was missing. The caller disposes of ``engine``.
    """

    engine: Engine
    scratch: bool
    missing: str | None = None


def open_for_dry_run(target: str | None) -> DryRunTarget:
    """Open ``target`` so that nothing can be written: an existing SQLite file read-only
    (``mode=ro``; on PostgreSQL the dry run's transaction is READ ONLY); where there is
    no database yet, an empty scratch database in memory, so no file is created (not
    even -wal or -shm)."""
    path = sqlite_path(resolve_url(target))
    if path is not None and not path.exists():
        missing = f"no database at {path} yet"
    else:
        engine = make_engine(target, create=False, readonly=True)
        try:
            with read_connection(engine) as conn:
                empty = migrate.is_empty(conn)
                if not empty:
                    migrate.require_current_schema(conn)
        except BaseException:
            engine.dispose()
            raise
        if not empty:
            return DryRunTarget(engine, scratch=False)
        where = str(path) if path is not None else describe_database(engine)
        engine.dispose()
        missing = f"{where} has no claimsdb schema yet"
    scratch = scratch_engine()
    migrate.upgrade(scratch)
    return DryRunTarget(scratch, scratch=True, missing=missing)
