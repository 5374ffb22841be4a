"""Copying a whole claimsdb database into another, on the same or another backend.

This is how a laptop's SQLite file moves to the team's PostgreSQL server (and how a
server database becomes a SQLite file to take away). Rows keep their ids, so every
reference stays valid without translation; tables go in foreign-key order; rows are
read in batches (a server-side cursor on PostgreSQL) and written with Core
executemany, so memory stays flat however large the database is.

The source is read in one snapshot, so imports running meanwhile are either wholly in
the copy or not at all. The target is written in one transaction, migrations
included: if anything fails, the target is left exactly as it was. The target must
hold no claimsdb data. Merging two databases would need to renumber ids and reconcile
actors, which is what importing article files does; a copy never guesses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, DateTime, Engine, Table, func, insert, select

from claimsdb.errors import DatabaseError
from claimsdb.store import migrate
from claimsdb.store.db import read_connection, translate_errors, writing
from claimsdb.store.models import Base

BATCH_ROWS = 1000
# What the summary names, in this order; every table is copied.
SUMMARY_TABLES = (("articles", "article"), ("statements", "statement"), ("actors", "actor"),
                  ("relations", "relation"))


@dataclass(frozen=True)
class CopyResult:
    source: str
    target: str
    rows: dict[str, int]  # table name -> rows copied
    initialised: bool  # the target was empty and got the schema first

    @property
    def total(self) -> int:
        return sum(self.rows.values())

    def describe(self) -> str:
        parts = []
        for table, noun in SUMMARY_TABLES:
            n = self.rows.get(table, 0)
            parts.append(f"{n} {noun}{'' if n == 1 else 's'}")
        return (f"copied {', '.join(parts)} ({self.total} rows in {len(self.rows)} tables) "
                f"from {self.source} to {self.target}")


def copy_database(
    source: Engine,
    target: Engine,
    *,
    batch_rows: int = BATCH_ROWS,
    on_progress: Callable[[int, int], None] | None = None,
) -> CopyResult:
    """Copy every claimsdb table of ``source`` into ``target``.

    ``target`` may be empty (it is initialised with the migrations, in the same
    transaction) or initialised but without data; anything else is refused.
    ``on_progress(rows_copied, rows_total)`` is called after each batch.
    """
    if same_database(source, target):
        raise DatabaseError(
            f"the source and the target are the same database ({describe(source)}); "
            "copy to another file or database"
        )
    tables = list(Base.metadata.sorted_tables)
    with read_connection(source) as reader:
        migrate.require_current_schema(reader)
        counts = {t.name: reader.execute(select(func.count()).select_from(t)).scalar_one()
                  for t in tables}
        total = sum(counts.values())
        if on_progress is not None:
            on_progress(0, total)
        with migrate.run_migrations_on(writing(target)) as writer:
            initialised = _prepare_target(writer, describe(target))
            done = 0
            for table in tables:
                for batch in _batches(reader, table, batch_rows):
                    writer.execute(insert(table), _for_target(table, batch, writer))
                    done += len(batch)
                    if on_progress is not None:
                        on_progress(done, total)
            copied = {t.name: writer.execute(select(func.count()).select_from(t)).scalar_one()
                      for t in tables}
            if copied != counts:
                raise DatabaseError(
                    f"the copy does not match the source (rows per table: source {counts}, "
                    f"target {copied}); nothing was written to {describe(target)}"
                )
            if writer.dialect.name == "postgresql":
                _reset_sequences(writer, tables)
    return CopyResult(describe(source), describe(target), counts, initialised)


def _prepare_target(conn: Connection, where: str) -> bool:
    """Initialise an empty target; refuse one with claimsdb data, another schema version
    or foreign tables. Returns whether it was initialised."""
    from alembic import command

    if migrate.is_empty(conn):
        command.upgrade(migrate.alembic_config(conn), "head")
        return True
    migrate.require_current_schema(conn)
    held = {t.name: n for t in Base.metadata.sorted_tables
            if (n := conn.execute(select(func.count()).select_from(t)).scalar_one())}
    if held:
        what = ", ".join(f"{n} {name}" for name, n in held.items())
        raise DatabaseError(
            f"{where} already holds claimsdb data ({what}); nothing was copied. Copy into "
            "an empty or newly initialised database: create a new one (or delete the file) "
            "and run the copy again. To add articles to a database in use, import their "
            "files with 'claimsdb add'."
        )
    return False


def _batches(conn: Connection, table: Table, size: int) -> Iterator[list[dict[str, Any]]]:
    query = select(table).order_by(*table.primary_key.columns)
    # Reading fails in the source's terms (a damaged file is the source's), though
    # the rows are read inside the target's transaction.
    with translate_errors(conn.engine):
        result = conn.execute(query.execution_options(yield_per=size))
        try:
            for partition in result.partitions(size):
                yield [dict(row._mapping) for row in partition]
        finally:
            result.close()


def _for_target(table: Table, rows: list[dict[str, Any]], conn: Connection
                ) -> list[dict[str, Any]]:
    """Timestamps as each backend keeps them: PostgreSQL an aware UTC value; SQLite UTC
    wall time (it stores no offset, and the importer writes UTC), read back as naive."""
    columns = [c.name for c in table.columns
               if isinstance(c.type, DateTime) and c.type.timezone]
    if not columns:
        return rows
    aware = conn.dialect.name != "sqlite"
    for row in rows:
        for name in columns:
            value = row[name]
            if value is None:
                continue
            utc = (value.replace(tzinfo=dt.UTC) if value.tzinfo is None
                   else value.astimezone(dt.UTC))
            row[name] = utc if aware else utc.replace(tzinfo=None)
    return rows


def _reset_sequences(conn: Connection, tables: list[Table]) -> None:
    """Rows came with their ids, so the id sequences never moved: point each past the
    highest id, or the next import would collide with copied rows."""
    for table in tables:
        column = table.autoincrement_column
        if column is None:
            continue
        sequence = func.pg_get_serial_sequence(table.name, column.name)
        conn.execute(select(func.setval(
            sequence, func.coalesce(select(func.max(column)).scalar_subquery(), 0) + 1, False
        )))


def same_database(a: Engine, b: Engine) -> bool:
    ua, ub = a.url, b.url
    if ua.get_backend_name() != ub.get_backend_name():
        return False
    if ua.get_backend_name() == "sqlite":
        if not ua.database or not ub.database or ":memory:" in (ua.database, ub.database):
            return False
        return Path(ua.database).resolve() == Path(ub.database).resolve()
    return ((ua.host or "localhost", ua.port, ua.database)
            == (ub.host or "localhost", ub.port, ub.database))


def describe(engine: Engine) -> str:
    from claimsdb.store.db import describe_database

    return describe_database(engine)


__all__ = ["BATCH_ROWS", "CopyResult", "copy_database", "same_database"]
