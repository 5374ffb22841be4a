"""Writing a bulk import's rows with PostgreSQL's COPY (``add --batch`` on PostgreSQL),
and with one positional executemany on SQLite (``insert_tuples``).

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
import itertools
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
                 rows: Iterable[Sequence[Any]]) -> None:
    """Insert ``rows`` (tuples of values in the order of ``columns``; a list, or a
    generator that COPY consumes as it sends) into ``table``: with COPY on
    PostgreSQL, with an executemany INSERT elsewhere. No rows, no statement."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return
    rows = itertools.chain((first,), rows)
    if conn.dialect.name == "postgresql":
        copy_rows(conn, table, columns, rows)
    elif conn.dialect.paramstyle == "qmark":  # SQLite
        insert_tuples(conn, table, tuple(columns), list(rows))
    else:
        conn.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])


def insert_tuples(conn: Connection, table: Table, columns: tuple[str, ...],
                  rows: list[Sequence[Any]]) -> None:
    """One executemany INSERT of ``rows`` as they are, positional (SQLite).

    ``insert(table)`` over dicts made SQLAlchemy build every row's parameters again
    from its compiled statement (a fifth of a bulk import's time on SQLite, more than
    building the rows). The statement goes through ``exec_driver_sql`` instead, so
    cursor events and error translation are as before; the columns whose type
    converts values on the way in (dates and times on SQLite) are converted here with
    the type's own bind processor, so the stored values are the same."""
    sql, processors = _insert_statement(conn.dialect, table, columns)
    if processors:
        rows = [tuple(value if process is None or value is None else process(value)
                      for process, value in zip(processors, row, strict=True))
                for row in rows]
    conn.exec_driver_sql(sql, rows)


def write_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """``write_tuples`` of rows given as dicts with the same keys, column names."""
    if not rows:
        return
    if conn.dialect.name not in ("postgresql", "sqlite"):
        conn.execute(insert(table), list(rows))
        return
    columns = tuple(rows[0])
    row_of = itemgetter(*columns)
    values = map(row_of, rows) if len(columns) > 1 else ((row_of(r),) for r in rows)
    write_tuples(conn, table, columns, list(values))


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
def _insert_statement(dialect: Any, table: Table, columns: tuple[str, ...]
                      ) -> tuple[str, tuple[Callable[[Any], Any] | None, ...] | None]:
    """The positional (qmark) INSERT of ``columns`` and, when any column's type converts
    values for this dialect, each column's bind processor (None where it has none)."""
    quote = dialect.identifier_preparer.quote
    marks = ", ".join(["?"] * len(columns))
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608 (quoted model names)
           f"VALUES ({marks})")
    processors = tuple(table.c[c].type._cached_bind_processor(dialect) for c in columns)
    return sql, processors if any(processors) else None


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


__all__ = ["copy_rows", "insert_tuples", "write_rows", "write_tuples"]
