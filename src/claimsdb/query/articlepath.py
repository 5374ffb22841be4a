"""``claimsdb article KEY`` and the workbench's article page, answered on the database
driver without loading SQLAlchemy.

As ``claimsdb.query.readpath`` does for ``claimsdb chain``: the queries are defined once
in ``claimsdb.query.queries`` (``ARTICLE_READS``), compiled ahead of time into
``claimsdb.query.compiled_sql``, and run here on the DB-API connection; the rows become
an ``ArticleDetail`` through ``claimsdb.query.views.article_detail``, the code the
SQLAlchemy path builds it with, so both return equal results.

A key that names no stored article returns None: the caller asks ``queries.article``,
whose message suggests what was meant (fuzzy matching needs SQLAlchemy). Nothing here
imports SQLAlchemy (an import-linter contract checks it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from claimsdb.query.compiled_sql import QUERIES
from claimsdb.query.results import ActorRef
from claimsdb.query.views import article_detail, group_details, with_speakers
from claimsdb.store.driver import DriverConnection

if TYPE_CHECKING:
    from claimsdb.query.article_results import ArticleDetail


def article(conn: DriverConnection, key: str, *, context: bool = True) -> ArticleDetail | None:
    """One article with its statements in text order, as ``queries.article`` returns
    it; None when no article has this key."""
    compiled = QUERIES[conn.dialect]
    found = conn.fetch(compiled["article_by_key"], {"article_key": key})
    if not found:
        return None
    article_id, text, note = found[0]
    given = {"article_id": article_id}
    (summary,) = conn.fetch(compiled["article_summary"], given)
    authors = conn.fetch(compiled["article_authors"], given)
    rows = conn.fetch(compiled["article_statements"], given)
    hops, related, about = group_details(conn.fetch(compiled["article_details"], given))
    if related:
        with_speakers(related, {row[0]: ActorRef(*row) for row in conn.fetch(
            compiled["article_related_speakers"], given)})
    return article_detail(summary, text, note, authors, rows, hops, related, about,
                          context=context)
