"""What every command shares: where the database is, opened the way the command needs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy import Engine

    from claimsdb.api import Database


class Settings:
    """The group's options, and the database object the command opened (if any).
    (A plain class: every command makes one, and a dataclass costs more to define than
    the command spends here.)"""

    def __init__(self, db: str | None):
        self.db = db
        self._database: Database | None = None

    def database(self) -> Database:
        """The library's database object for ``--db``, closed when the command ends."""
        if self._database is None:
            from claimsdb.api import Database

            self._database = Database(self.db)
            click.get_current_context().call_on_close(self._database.close)
        return self._database

    def engine(self, *, create: bool) -> Engine:
        return self.database().engine(create=create)

    def opened_engine(self) -> Engine | None:
        """The engine if the command made one (to describe a database failure)."""
        return self._database.opened_engine if self._database is not None else None

    def protected_files(self) -> tuple[Path, ...]:
        """The database's own files, which no output may overwrite (none on a server)."""
        return self.database().protected_files()


def describe(engine: Engine) -> str:
    from claimsdb.store.db import describe_database

    return describe_database(engine)


pass_settings = click.make_pass_decorator(Settings)
