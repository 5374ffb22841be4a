"""Row writing that both import paths share: one article at a time (``importer``) and
many new articles at once (``bulk``).

It lives apart from both so that neither imports the other for it: the importer hands
whole batches to ``bulk``, and ``bulk`` needs only these two pieces back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table

from claimsdb.format.articles import ArticleSpec, HopSpec


def insert_ignoring_duplicates(conn: Connection, table: Table, rows: list[dict[str, Any]],
                               returning: Any = None) -> list[Any]:
    """INSERT ... ON CONFLICT DO NOTHING: the row may have been added by a concurrent
    import, which is fine because the definitions are compared afterwards. With
    ``returning`` (a column), gives that column of the rows this call inserted."""
    if not rows:
        return []
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    statement = dialect_insert(table).on_conflict_do_nothing()
    if returning is None:
        conn.execute(statement, rows)
        return []
    return list(conn.execute(statement.returning(returning), rows).scalars())


def topic_rows(spec: ArticleSpec, statement_ids: dict[str, int]) -> list[dict[str, Any]]:
    """``statement_topics`` rows of an article, its statements' ids by key."""
    return [{"statement_id": statement_ids[s.key], "topic": topic}
            for s in spec.statements for topic in s.topics]


def review_rows(spec: ArticleSpec, statement_ids: dict[str, int],
                actor_ids: dict[str, int]) -> list[dict[str, Any]]:
    """``reviews`` rows of an article, in file order per statement."""
    return [{"statement_id": statement_ids[s.key], "position": position,
             "reviewer_id": actor_ids[r.by], "rating": r.rating, "url": r.url,
             "reviewed_on": r.date, "summary": r.summary}
            for s in spec.statements for position, r in enumerate(s.reviews)]


def speaker_key(spec: ArticleSpec, chain: Sequence[Any]) -> str | None:
    """The original speaker: the chain's last actor, else the outlet (own voice)."""
    return chain[-1].actor if chain else spec.outlet


def hop_columns(hop: HopSpec) -> dict[str, Any]:
    """A hop's row values besides its place in the chain and its actor: the cue, and
    since format 1.1 its mention, identification and the spans of cue and mention."""
    cue_span = hop.cue_span or (None, None)
    mention_span = hop.mention_span or (None, None)
    return {"cue": hop.cue, "mention": hop.mention, "identified": hop.identified,
            "cue_start": cue_span[0], "cue_end": cue_span[1],
            "mention_start": mention_span[0], "mention_end": mention_span[1]}
