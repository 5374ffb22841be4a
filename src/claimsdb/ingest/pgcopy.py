"""Writing a bulk import's rows with PostgreSQL's COPY (``add --batch`` on PostgreSQL).

``claimsdb.ingest.bulk`` writes each table of a batch of new articles in one go. With
executemany, psycopg still sends one INSERT per row (pipelined, but each parsed,
planned and executed by the server on its own), which made the import's database
stage run at half the speed of COPY of the same rows. COPY sends the rows as one
stream that the server inserts in one statement.

It changes how the rows travel, not what is checked: COPY runs on the SQLAlchemy
connection's own psycopg connection, in its transaction and savepoint, so every
foreign key, unique index and CHECK constraint is enforced by the server exactly as
for an INSERT, and the article locks the import holds (``claimsdb.store.locking``)
are the same. Columns left out take their defaults, as with INSERT, so the ids a
serial column hands out are those executemany would have given, in row order. A
server error comes out as SQLAlchemy's (an ``IntegrityError`` for a constraint),
as from ``conn.execute``, so ``claimsdb.store.db.translate_errors`` explains it the
same way. Values travel in psycopg's binary format: no text escaping for tabs,
newlines or backslashes to get wrong, and no parsing on the server.

SQLAlchemy's cursor events do not fire for COPY.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Table, insert
from sqlalchemy import exc as sa_exc

# PostgreSQL type names for binary COPY, by the SQLAlchemy type the column has: a
# binary value must be of the column's exact type (an int8 is refused by an int4).
_BINARY_TYPES = {"integer": "int4", "text": "text", "string": "varchar", "date": "date",
                 "datetime": "timestamptz"}


def write_tuples(conn: Connection, table: Table, columns: Sequence[str],
                 rows: Sequence[Sequence[Any]]) -> None:
    """Insert ``rows`` (tuples of values in the order of ``columns``) into ``table``:
    with COPY on PostgreSQL, with an executemany INSERT elsewhere."""
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        conn.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    copy_rows(conn, table, columns, rows)


def write_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """``write_tuples`` of rows given as dicts with the same keys, column names."""
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        conn.execute(insert(table), list(rows))
        return
    columns = tuple(rows[0])
    row_of = itemgetter(*columns)
    values = map(row_of, rows) if len(columns) > 1 else ((row_of(r),) for r in rows)
    copy_rows(conn, table, columns, values)


def copy_rows(conn: Connection, table: Table, columns: Sequence[str],
              rows: Iterable[Sequence[Any]]) -> None:
    """COPY ``rows`` (tuples in the order of ``columns``) into ``table`` on the
    connection's psycopg connection, inside its current transaction."""
    sql, types = _statement(conn.dialect.identifier_preparer.quote, table, tuple(columns))
    dbapi = conn.dialect.loaded_dbapi
    driver = conn.connection.driver_connection
    try:
        with driver.cursor() as cursor, cursor.copy(sql) as copy:
            copy.set_types(types)
            for row in rows:
                copy.write_row(row)
    except dbapi.Error as error:
        raise sa_exc.DBAPIError.instance(sql, None, error, dbapi.Error,
                                         dialect=conn.dialect) from error


@functools.lru_cache(maxsize=64)
def _statement(quote: Callable[[str], str], table: Table, columns: tuple[str, ...]
               ) -> tuple[str, list[str]]:
    """The COPY statement and the types of its columns."""
    sql = (f"COPY {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
           "FROM STDIN (FORMAT BINARY)")
    return sql, [_binary_type(table, column) for column in columns]


def _binary_type(table: Table, column: str) -> str:
    column_type = table.c[column].type
    kind = type(column_type).__visit_name__
    if kind == "datetime" and not column_type.timezone:
        return "timestamp"
    return _BINARY_TYPES[kind]


__all__ = ["copy_rows", "write_rows", "write_tuples"]
