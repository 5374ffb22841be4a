"""Assertions shared by tests: full database dumps to prove "nothing changed"."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine, event, select
from sqlalchemy.engine import Engine as EngineClass

from claimsdb.store.models import Base


def dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every claimsdb table, sorted: equal dumps mean equal databases.

    Each actor's kept counts are summed over their slots: on PostgreSQL every writer
    adds to the row of its own slot (``claimsdb.query.actor_counts``), and only the
    sums mean anything, so two imports of the same files by different connections
    are equal."""
    from claimsdb.query import actor_counts

    with engine.connect() as conn:
        return {
            table.name: sorted(
                (tuple(row) for row in conn.execute(
                    actor_counts.kept() if table.name == "actor_counts" else select(table))),
                key=repr)
            for table in Base.metadata.sorted_tables
        }


def content(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Like ``dump`` but by keys instead of generated ids and import times, so two
    databases built by different routes can be compared."""
    from sqlalchemy import text

    queries = {
        "actors": "SELECT key, name, kind, identified, wikidata, description FROM actors",
        "aliases": "SELECT a.key, x.alias FROM actor_aliases x JOIN actors a ON a.id = x.actor_id",
        "roles": "SELECT a.key, o.key, r.title, r.started_on, r.ended_on FROM actor_roles r "
                 "JOIN actors a ON a.id = r.actor_id JOIN actors o ON o.id = r.of_actor_id",
        "articles": "SELECT a.key, a.title, o.key, a.url, a.published, a.language, a.text, "
                    "a.content_hash FROM articles a LEFT JOIN actors o ON o.id = a.outlet_id",
        "authors": "SELECT ar.key, x.position, a.key FROM article_authors x "
                   "JOIN articles ar ON ar.id = x.article_id JOIN actors a ON a.id = x.actor_id",
        "statements": "SELECT ar.key, s.key, s.quote, s.span_start, s.span_end, s.kind, "
                      "s.stated_on, sp.key FROM statements s "
                      "JOIN articles ar ON ar.id = s.article_id "
                      "LEFT JOIN actors sp ON sp.id = s.speaker_id",
        "hops": "SELECT ar.key, s.key, h.position, a.key, h.cue FROM chain_hops h "
                "JOIN statements s ON s.id = h.statement_id "
                "JOIN articles ar ON ar.id = s.article_id JOIN actors a ON a.id = h.actor_id",
        "about": "SELECT ar.key, s.key, a.key FROM statement_about x "
                 "JOIN statements s ON s.id = x.statement_id "
                 "JOIN articles ar ON ar.id = s.article_id JOIN actors a ON a.id = x.actor_id",
        "relations": "SELECT sa.key, s.key, r.type, ta.key, t.key FROM relations r "
                     "JOIN statements s ON s.id = r.source_id "
                     "JOIN articles sa ON sa.id = s.article_id "
                     "JOIN statements t ON t.id = r.target_id "
                     "JOIN articles ta ON ta.id = t.article_id",
    }
    with engine.connect() as conn:
        return {
            name: sorted((tuple(str(v) if v is not None else None for v in row)
                          for row in conn.execute(text(sql))), key=repr)
            for name, sql in queries.items()
        }


@contextlib.contextmanager
def counted_queries(target: Engine | type[EngineClass] = EngineClass) -> Iterator[list[str]]:
    """Every SQL statement sent to the database inside the block (``target``: one
    engine, or by default every engine): through SQLAlchemy, and through
    ``fetch_on_driver``, which runs hot lookups on the DB-API cursor unseen by events."""
    import claimsdb.query.queries

    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    original = claimsdb.query.queries.fetch_on_driver

    def counting(conn, query, parameters):
        seen.append(str(query))
        return original(conn, query, parameters)

    event.listen(target, "before_cursor_execute", count)
    claimsdb.query.queries.fetch_on_driver = counting
    try:
        yield seen
    finally:
        claimsdb.query.queries.fetch_on_driver = original
        event.remove(target, "before_cursor_execute", count)
