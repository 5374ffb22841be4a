"""Rows for a list of ids, read on the database driver's cursor.

``claimsdb check``, ``claims`` and ``loops`` read every row that belongs to thousands
of articles or statements, a thousand ids at a time. Through ``conn.execute`` much of
that reading was SQLAlchemy itself: coercing and writing out each IN list of a
thousand parameters, and building a result row for every row. A query here is built
with Core and compiled once per dialect (``compile_for_ids``), its ids one parameter,
``ids`` (``among_ids``): on SQLite an expanding ``IN (?, ...)``; on PostgreSQL
``= ANY(:ids)`` with the ids as one array, which is what the server makes of an IN
list anyway. It runs on the connection's DB-API cursor, in its transaction
(``rows_for_ids``), and gives the driver's plain tuples: the same values as
``conn.execute``, since ``compiled_for_driver`` refuses a query whose columns a result
type would convert.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ARRAY, Connection, Integer, any_, bindparam
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ColumnElement, Select

from claimsdb.store.db import compiled_for_driver, run_on_driver
from claimsdb.store.driver import CompiledQuery


def among_ids(column: Any, dialect: Dialect) -> ColumnElement[bool]:
    """``column`` is one of the ids given as the parameter ``ids``."""
    if dialect.name == "postgresql":
        return column == any_(bindparam("ids", type_=ARRAY(Integer)))
    return column.in_(bindparam("ids", expanding=True))


def compile_for_ids(query: Select, dialect: Dialect) -> CompiledQuery:
    """``query`` (written with ``among_ids``) as the driver takes it; compile once and
    reuse: compiling is what this saves."""
    return CompiledQuery(*compiled_for_driver(query, dialect))


def rows_for_ids(conn: Connection, query: CompiledQuery, ids: Sequence[int],
                 **values: Any) -> list[tuple[Any, ...]]:
    """The rows of ``query`` for these ids (not empty), in one fetch, as the driver's
    plain tuples (picklable, unlike SQLAlchemy's rows, which carry their metadata)."""
    if conn.dialect.name == "postgresql":
        # The array as PostgreSQL writes it, cast by the query (``::INTEGER[]``): psycopg
        # dumps a list of ints one element at a time in Python, a tenth of ``loops`` at
        # a million statements; an id is an int, so its text needs no quoting.
        bound: Any = "{" + ",".join(map(str, map(int, ids))) + "}"
    else:
        bound = list(ids)
    return run_on_driver(conn, *query.statement({"ids": bound, **values}))
