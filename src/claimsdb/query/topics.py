"""What claims are about beyond actors: the topic tags and how much each is used."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from claimsdb.store.models import Statement, StatementTopic

BATCH = 1000


@dataclass(frozen=True)
class TopicSummary:
    topic: str  # the normalised key ("ceasefire-talks")
    statements: int  # statements tagged with it
    articles: int  # articles holding such statements


def list_topics(conn: Connection, *, limit: int | None = None) -> Iterator[TopicSummary]:
    """Every topic with its counts, most statements first (then by topic, so the order
    is the same on every backend)."""
    statements = func.count().label("statements")
    query = (
        select(StatementTopic.topic, statements,
               func.count(func.distinct(Statement.article_id)).label("articles"))
        .join(Statement, StatementTopic.statement_id == Statement.id)
        .group_by(StatementTopic.topic)
        .order_by(statements.desc(), StatementTopic.topic)
    )
    if limit is not None:
        query = query.limit(limit)
    for row in conn.execute(query.execution_options(yield_per=BATCH)):
        yield TopicSummary(row.topic, row.statements, row.articles)


__all__ = ["TopicSummary", "list_topics"]
