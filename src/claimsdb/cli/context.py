"""What every command shares: where the database is, opened the way the command needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import click

from claimsdb.cli.show import echo

if TYPE_CHECKING:
    from sqlalchemy import Engine


@dataclass
class Settings:
    db: str | None
    _engine: Engine | None = field(default=None, repr=False)

    def engine(self, *, create: bool) -> Engine:
        if self._engine is None:
            from claimsdb.store.db import make_engine

            self._engine = make_engine(self.db, create=create)
            click.get_current_context().call_on_close(self._engine.dispose)
        return self._engine

    def protected_files(self) -> tuple[Path, ...]:
        """The database's own files, which no output may overwrite (none on a server)."""
        from claimsdb.config import resolve_url, sqlite_path
        from claimsdb.store.outputs import database_files

        return database_files(sqlite_path(resolve_url(self.db)))

    def for_reading(self) -> Engine:
        """An engine on an existing database at the current schema version."""
        from claimsdb.store.db import read_connection
        from claimsdb.store.migrate import require_current_schema

        engine = self.engine(create=False)
        with read_connection(engine) as conn:
            require_current_schema(conn)
        return engine

    def for_writing(self, *, quiet: bool = False) -> Engine:
        """Like ``for_reading``, but a brand-new (empty) database is initialised first."""
        from claimsdb.store import migrate
        from claimsdb.store.db import read_connection

        engine = self.engine(create=True)
        with read_connection(engine) as conn:
            empty = migrate.is_empty(conn)
            if not empty:
                migrate.require_current_schema(conn)
        # Another command may have initialised it meanwhile; then upgrade finds the
        # schema in place, changes nothing, and there is nothing to announce.
        if empty and migrate.upgrade(engine)[0] is None and not quiet:
            echo(f"initialised a new claimsdb database at {describe(engine)}", err=True)
        return engine


    def for_dry_run(self, *, quiet: bool = False) -> tuple[Engine, bool]:
        """The database ``add --dry-run`` checks against, opened so that nothing is
        written, and whether it is a scratch one.

        An existing database is opened read-only (SQLite ``mode=ro``; on PostgreSQL the
        dry run's transaction is READ ONLY). Where there is no database yet (no SQLite
        file, or a database without the claimsdb schema) the files are checked against
        an empty database in memory (True): a real ``add`` would start from an empty
        one too, and no file is created, not even -wal or -shm.
        """
        from claimsdb.config import resolve_url, sqlite_path
        from claimsdb.store import migrate
        from claimsdb.store.db import make_engine, read_connection, scratch_engine

        path = sqlite_path(resolve_url(self.db))
        if path is not None and not path.exists():
            missing = f"no database at {path} yet"
        else:
            engine = make_engine(self.db, create=False, readonly=True)
            click.get_current_context().call_on_close(engine.dispose)
            with read_connection(engine) as conn:
                empty = migrate.is_empty(conn)
                if not empty:
                    migrate.require_current_schema(conn)
            if not empty:
                return engine, False
            where = str(path) if path is not None else describe(engine)
            missing = f"{where} has no claimsdb schema yet"
        if not quiet:
            echo(f"{missing}; checked the files alone (nothing was created)", err=True)
        scratch = scratch_engine()
        click.get_current_context().call_on_close(scratch.dispose)
        migrate.upgrade(scratch)
        return scratch, True


def describe(engine: Engine) -> str:
    from claimsdb.store.db import describe_database

    return describe_database(engine)


pass_settings = click.make_pass_decorator(Settings)
