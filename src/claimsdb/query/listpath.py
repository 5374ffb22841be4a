"""``claimsdb statements`` and ``claimsdb denials`` answered on the database driver,
without loading SQLAlchemy.

A filtered list such as ``claimsdb statements --via bloomberg --limit 20`` takes the
database a few milliseconds; loading SQLAlchemy and its ORM took the command most of
a second. Here the same queries run on the DB-API connection (``claimsdb.store.driver``)
as SQLAlchemy compiled them ahead of time (``claimsdb.query.compiled_sql``, from the
definitions in ``claimsdb.query.queries``, which stay the only source of the SQL).

A filter's conditions combine (AND), too many ways to compile each combination, so
each condition is compiled on its own, as SQLAlchemy writes it inside the list's
WHERE (every parameter named, so its SQL does not depend on the others), and joined
here with AND where the list query marks them: the SQL that SQLAlchemy compiles for
the whole query, character for character (``tests/test_listpath.py`` checks every
combination). Which conditions apply, in which shape and with which values is
decided by ``claimsdb.query.filters``, the code the SQLAlchemy path runs too. The
rows become views through ``claimsdb.query.views``, as there.

What this path cannot answer the same way it leaves to the SQLAlchemy path by
raising ``NotOnDriver`` before any row is read: a name that matches no actor or
article, or several (the message there suggests what was meant), a search without
SQLite's full-text table, and ``--later-denied`` (found by walking the claim graph).
Nothing here imports SQLAlchemy (an import-linter contract checks it).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from claimsdb.query import filters
from claimsdb.query.compiled_sql import QUERIES
from claimsdb.query.filters import CONDITIONS_MARK, Condition, StatementFilter
from claimsdb.query.results import ActorRef, StatementView
from claimsdb.query.search_terms import FTS_TABLE_PROBE
from claimsdb.query.views import build_views, group_details, speaker_keys, with_speakers
from claimsdb.store.driver import CompiledQuery, DriverConnection, NotOnDriver

if TYPE_CHECKING:
    from claimsdb.query.denial_results import DenialView

BATCH = 1000  # statements (or denials) per batch, as queries.BATCH
_DETAIL_PARTS = ("hops", "outgoing", "incoming", "about")
_cursor_numbers = itertools.count(1)  # a server-side cursor's name is unique in a session


class DriverLookups:
    """What deciding a filter asks the database (``filters.Lookups``), on the driver: a
    name that does not name exactly one actor or article, and the later-denied
    statements, are left to the SQLAlchemy path."""

    def __init__(self, conn: DriverConnection):
        self.conn = conn
        self.dialect = conn.dialect

    def _rows(self, name: str, values: Mapping[str, Any] | None = None) -> list[tuple]:
        return self.conn.fetch(QUERIES[self.dialect][name], values or {})

    def article_id(self, key: str) -> int:
        found = self._rows("article_id_by_key", {"article_key": key})
        if not found:
            raise NotOnDriver(f"no article {key!r}")  # the message suggests similar keys
        return found[0][0]

    def actor_id(self, name: str) -> int:
        found = self._rows("actor_id_by_key", {"actor_key": name})
        if found:
            return found[0][0]
        named = self._rows("actors_named", {"folded": filters.folded_name(name)})
        if len(named) != 1:
            raise NotOnDriver(f"{name!r} names no actor or several")  # suggestions
        return self._rows("actor_id_by_key", {"actor_key": named[0][0]})[0][0]

    def hop_identifications(self) -> bool:
        return bool(self._rows("hop_identification_probe"))

    def later_chains(self) -> bool:
        return bool(self._rows("later_chain_probe"))

    def full_text_index(self) -> bool:
        return bool(self.conn.execute(FTS_TABLE_PROBE))

    def statements_high(self) -> int:
        return self._rows("statement_id_high")[0][0]

    def matches_at_least(self, condition: Condition, n: int) -> bool:
        counted = self._rows(f"matches:{condition.name}", {**condition.values, "cap": n})
        return counted[0][0] >= n

    def first_search_matches(self, fts_query: str, limit: int) -> list[tuple[int, int]]:
        return [tuple(row) for row in self._rows(
            "first_search_matches", {"fts_query": fts_query, "limit": limit})]

    def first_via_statements(self, via_id: int, limit: int) -> list[tuple[int, int]]:
        return [tuple(row) for row in self._rows(
            "first_via_statements", {"via_id": via_id, "limit": limit})]

    def later_statement_of_earlier_article(self, article_id: int, statement_id: int) -> bool:
        return bool(self._rows("later_statement_of_earlier_article",
                               {"article_id": article_id, "statement_id": statement_id}))

    def later_denied_ids(self, among: list[Condition], first: int | None) -> list[int]:
        raise NotOnDriver("the later-denied statements are found through SQLAlchemy")


# -- assembling a list query -------------------------------------------------------------

def _limited(limit: int | None) -> str:
    """The name's ending for a list with this LIMIT (typed as ``queries._limit`` types it)."""
    if limit is None:
        return ""
    return "_limited_wide" if filters.wide_limit(limit) else "_limited"


def with_conditions(dialect: str, name: str, conditions: Sequence[Condition]
                    ) -> tuple[CompiledQuery, dict[str, Any]]:
    """The compiled list query ``name`` with these conditions joined where it marks
    them, and their values; ``NotOnDriver`` for a condition compiled for SQLAlchemy
    only."""
    if not conditions:
        return QUERIES[dialect][name.replace("statement_list", "statement_list_unfiltered")
                                .replace("denial_pairs", "denial_pairs_unfiltered")], {}
    values: dict[str, Any] = {}
    for condition in conditions:
        if f"condition:{condition.name}" not in QUERIES[dialect]:
            raise NotOnDriver(condition.name)
        values.update(condition.values)
    return _joined(dialect, name, tuple(condition.name for condition in conditions)), values


@functools.lru_cache(maxsize=256)
def _joined(dialect: str, name: str, conditions: tuple[str, ...]) -> CompiledQuery:
    compiled = QUERIES[dialect]
    query = compiled[name]
    pieces = [compiled[f"condition:{condition}"] for condition in conditions]
    if len(conditions) == 1:
        pieces = [compiled.get(f"condition_alone:{conditions[0]}", pieces[0])]
    before, after = query.sql.split(CONDITIONS_MARK)
    sql = before + " AND ".join(piece.sql for piece in pieces) + after
    constants = dict(query.constants)
    for piece in pieces:
        constants.update(piece.constants)
    if query.params is None:  # named parameters: the order is in the text
        return CompiledQuery(sql, None, constants, query.expanding)
    ahead = _placeholders(before)
    params = (*query.params[:ahead], *(each for piece in pieces for each in piece.params or ()),
              *query.params[ahead:])
    return CompiledQuery(sql, params, constants, query.expanding)


def _placeholders(sql: str) -> int:
    """The positional parameters in ``sql``: ``?`` and IN lists still to expand."""
    return sql.count("?") + sql.count("__[POSTCOMPILE_")


def expanded(query: CompiledQuery, name: str, values: Sequence[Any]
             ) -> tuple[CompiledQuery, dict[str, Any]]:
    """``query`` with the IN list ``name`` written out for ``values`` (at least one), as
    SQLAlchemy expands it (``CompiledQuery.expanding``: ``?, ?`` or ``%(name_1)s::INTEGER,
    %(name_2)s::INTEGER``); and the values by their numbered names."""
    names = [f"{name}_{number}" for number in range(1, len(values) + 1)]
    written = ", ".join(query.expanding[name].format(number)
                        for number in range(1, len(values) + 1))
    sql = query.sql.replace(f"__[POSTCOMPILE_{name}]", written)
    params = None if query.params is None else tuple(
        each for given in query.params for each in (names if given == name else (given,)))
    lists = {key: value for key, value in query.expanding.items() if key != name}
    return (CompiledQuery(sql, params, query.constants, lists),
            dict(zip(names, values, strict=True)))


# -- reading -------------------------------------------------------------------------------

def _stream(conn: DriverConnection, query: CompiledQuery, values: Mapping[str, Any]
            ) -> Iterator[list[tuple]]:
    """The rows in batches of ``BATCH``, as SQLAlchemy's ``yield_per`` reads them: a
    server-side cursor on PostgreSQL, so a whole list streams in constant memory."""
    connection = conn.connection
    cursor = (connection.cursor(name=f"claimsdb_list_{next(_cursor_numbers)}")
              if conn.dialect == "postgresql" else connection.cursor())
    try:
        conn.last_sql = query.sql
        cursor.execute(query.sql, query.bind(values))
        while True:
            conn.last_sql = query.sql
            rows = cursor.fetchmany(BATCH)
            if not rows:
                return
            yield rows
    finally:
        cursor.close()


def statement_details(conn: DriverConnection, ids: list[int]
                      ) -> tuple[dict[int, list[tuple]], dict[int, list[tuple]],
                                 dict[int, list[tuple]]]:
    """Chain links, relations and about-actors of a batch, as
    ``queries.StatementDetails.load`` reads them (same queries, same choices)."""
    compiled = QUERIES[conn.dialect]
    rows: list[tuple] = []
    if ids:
        one = len(ids) == 1
        lowest, highest = min(ids), max(ids)
        ranged = not one and highest - lowest < 2 * len(ids)
        wanted = set(ids) if ranged and highest - lowest + 1 != len(ids) else None

        def fetch(name: str) -> list[tuple]:
            if one:
                return conn.fetch(compiled[name], {"statement_ids": ids[0]})
            if ranged:
                return conn.fetch(compiled[name], {"lo": lowest, "hi": highest})
            return conn.fetch(*expanded(compiled[name], "statement_ids", ids))

        if one:
            rows = fetch("details_of_one")
        elif conn.dialect != "sqlite":
            rows = fetch("details_ranged" if ranged else "details_listed")
        else:
            way = "ranged" if ranged else "listed"
            rows = [row for part in _DETAIL_PARTS for row in fetch(f"details_{part}_{way}")]
        if wanted is not None:
            rows = [row for row in rows if row[1] in wanted]
    hops, related, about = group_details(rows)
    if related:
        actors: dict[str, ActorRef] = {}
        ordered = sorted(speaker_keys(related))
        for start in range(0, len(ordered), BATCH):
            for row in conn.fetch(*expanded(compiled["actors_by_keys"], "actor_keys",
                                            ordered[start:start + BATCH])):
                actors[row[0]] = ActorRef(*row)
        with_speakers(related, actors)
    return hops, related, about


def _views(conn: DriverConnection, rows: Sequence[tuple]) -> list[StatementView]:
    hops, related, about = statement_details(conn, [row[0] for row in rows])
    return build_views(rows, hops, related, about)


def statements(conn: DriverConnection, flt: StatementFilter | None = None
               ) -> Iterator[StatementView]:
    """The statements a filter selects, as ``queries.iter_statements`` yields them. The
    filter is decided now (``NotOnDriver`` before anything is read); the rows are
    read as the iterator is."""
    flt = flt or StatementFilter()
    conditions = filters.conditions(flt, DriverLookups(conn), first_rows=True)
    query, values = with_conditions(conn.dialect, "statement_list" + _limited(flt.limit),
                                    conditions)
    if flt.limit is not None:
        values["limit"] = flt.limit

    def views() -> Iterator[StatementView]:
        for rows in _stream(conn, query, values):
            yield from _views(conn, rows)

    return views()


def denials(conn: DriverConnection, flt: StatementFilter | None = None, *,
            by: str | None = None, type: str = "denies") -> Iterator[DenialView]:
    """The denials of the statements a filter selects, as ``queries.iter_denials``
    yields them; decided now, read as the iterator is (see ``statements``)."""
    flt = flt or StatementFilter()
    types = filters.denial_types(type)
    lookups = DriverLookups(conn)
    conditions = filters.conditions(flt, lookups)
    name = "denial_pairs"
    values: dict[str, Any] = {}
    if by is not None:
        name += "_by"
        values["by_id"] = lookups.actor_id(by)
    if flt.limit is not None:
        name += _limited(flt.limit)
        values["limit"] = flt.limit
    query, condition_values = with_conditions(conn.dialect, name, conditions)
    query, type_values = expanded(query, "denial_types", types)
    values.update(condition_values, **type_values)

    from claimsdb.query.denial_results import DenialView

    def views() -> Iterator[DenialView]:
        by_ids = QUERIES[conn.dialect]["statements_by_ids"]
        for pairs in _stream(conn, query, values):
            ids = sorted({i for source_id, target_id, _ in pairs for i in (source_id, target_id)})
            found = {view.id: view
                     for view in _views(conn, conn.fetch(*expanded(by_ids, "statement_ids",
                                                                   ids)))}
            for source_id, target_id, relation in pairs:
                yield DenialView(found[source_id], found[target_id], relation)

    return views()
