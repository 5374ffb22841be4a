"""Fact-checkers' verdicts as schema.org ClaimReview (JSON-LD), for search engines and
fact-check aggregators (``claimsdb export claimreview``).

One ClaimReview per stored review: the claim is the reviewed statement's words, its
author the original speaker (not the outlet that printed it), its appearances the
article URLs carrying it (the statement's own article and every article whose
statements repeat it, as ``claimsdb trace`` finds them), its first appearance the
earliest article of the whole claim. The rating is free text in the fact-checker's
own words ("False", "Pants on Fire", "Неправда"), which schema.org carries as the
rating's ``alternateName``.

The document is written review by review (``{"@context": ..., "@graph": [...]}``), so
any number of reviews fits in constant memory.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any, TextIO

from sqlalchemy import Connection, select

from claimsdb.query import queries, tracing
from claimsdb.query.queries import ActorRef, StatementFilter, StatementView
from claimsdb.store.models import Actor, Review, Statement

CONTEXT = "https://schema.org"
BATCH = 200  # reviewed statements per round of queries
_PERSON_KINDS = {"person"}


def _agent(name: str, kind: str, wikidata: str | None = None) -> dict[str, Any]:
    agent: dict[str, Any] = {"@type": "Person" if kind in _PERSON_KINDS else "Organization",
                             "name": name}
    if wikidata:
        agent["sameAs"] = f"https://www.wikidata.org/wiki/{wikidata}"
    return agent


def _speaker(actor: ActorRef) -> dict[str, Any]:
    return _agent(actor.name, actor.kind)


def _work(view: StatementView) -> dict[str, Any]:
    work: dict[str, Any] = {"@type": "CreativeWork", "headline": view.article_title}
    if view.url:
        work["url"] = view.url
    if view.published:
        work["datePublished"] = view.published
    return work


def _appearances(trace: tracing.ClaimTrace, view: StatementView) -> list[dict[str, Any]]:
    """The reviewed statement's article, then the articles of the statements repeating
    it (nearest first, then earliest), each once; articles without a URL are left out,
    since an appearance is where a reader can find the claim."""
    carriers = sorted(trace.downstream.items(),
                      key=lambda item: (item[0] != view.id, item[1],
                                        trace.nodes[item[0]].published or "~", item[0]))
    seen: set[str] = set()
    works = []
    for statement_id, _distance in carriers:
        carrier = trace.nodes.get(statement_id)
        if carrier is None or not carrier.url or carrier.url in seen:
            continue
        seen.add(carrier.url)
        works.append(_work(carrier))
    return works


def claim_review(view: StatementView, trace: tracing.ClaimTrace, review: Any
                 ) -> dict[str, Any]:
    """One review (a row of ``reviews`` with its reviewer) as a ClaimReview object."""
    claim: dict[str, Any] = {"@type": "Claim"}
    if view.speaker is not None:
        claim["author"] = _speaker(view.speaker)
    if view.stated_on:
        claim["datePublished"] = view.stated_on
    appearances = _appearances(trace, view)
    if appearances:
        claim["appearance"] = appearances
    first = trace.first_appearance
    if first is not None:
        claim["firstAppearance"] = _work(first)
    item: dict[str, Any] = {"@type": "ClaimReview"}
    if review.url:
        item["url"] = review.url
    if review.reviewed_on:
        item["datePublished"] = review.reviewed_on
    item["author"] = _agent(review.name, review.kind, review.wikidata)
    item["claimReviewed"] = view.quote
    if review.summary:
        item["reviewBody"] = review.summary
    item["itemReviewed"] = claim
    item["reviewRating"] = {"@type": "Rating", "alternateName": review.rating}
    return item


def iter_claim_reviews(conn: Connection, flt: StatementFilter | None = None
                       ) -> Iterator[dict[str, Any]]:
    """Every review of the filter's statements as a ClaimReview, by article, statement
    (file order) and the review's place in the file."""
    query = (select(Statement.id).where(Statement.id.in_(select(Review.statement_id)))
             .order_by(Statement.article_id, Statement.id))
    ids = queries.selected_statement_ids(conn, flt or StatementFilter())
    if ids is not None:
        query = query.where(Statement.id.in_(ids))
    reviewed = list(conn.execute(query).scalars())  # ids only: few next to statements
    for start in range(0, len(reviewed), BATCH):
        chunk = reviewed[start:start + BATCH]
        views = tracing.views(conn, chunk)
        rows: dict[int, list[Any]] = {}
        for row in conn.execute(
            select(Review.statement_id, Review.rating, Review.url, Review.reviewed_on,
                   Review.summary, Actor.name, Actor.kind, Actor.wikidata)
            .join(Actor, Review.reviewer_id == Actor.id)
            .where(Review.statement_id.in_(chunk))
            .order_by(Review.statement_id, Review.position)
        ):
            rows.setdefault(row.statement_id, []).append(row)
        for statement_id in chunk:
            view = views[statement_id]
            trace = tracing.trace(conn, view.ref)
            for review in rows.get(statement_id, ()):
                yield claim_review(view, trace, review)


def stream_claim_reviews(conn: Connection, out: TextIO, flt: StatementFilter | None = None,
                         *, on_row: Callable[[], None] | None = None) -> int:
    """Write the JSON-LD document to ``out``, one ClaimReview at a time; the count."""
    count = 0
    out.write('{\n"@context": ' + json.dumps(CONTEXT) + ',\n"@graph": [')
    for item in iter_claim_reviews(conn, flt):
        out.write(",\n" if count else "\n")
        out.write(json.dumps(item, ensure_ascii=False))
        count += 1
        if on_row is not None:
            on_row()
    out.write("\n]\n}\n" if count else "]\n}\n")
    return count


def count_reviews(conn: Connection, flt: StatementFilter | None = None) -> int:
    from sqlalchemy import func

    query = select(func.count()).select_from(Review)
    ids = queries.selected_statement_ids(conn, flt or StatementFilter())
    if ids is not None:
        query = query.where(Review.statement_id.in_(ids))
    return conn.execute(query).scalar_one()


__all__ = ["claim_review", "count_reviews", "iter_claim_reviews", "stream_claim_reviews"]
