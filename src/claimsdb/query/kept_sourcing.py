"""What imports store of each article's sourcing, checked against its rows and put right.

Every import stores, with an article's rows, three measures that those rows alone
decide (``claimsdb.format.sourcing``): each statement's ``depth``, each link's
``relays_for`` and the article's ``independent_origins``; ``claimsdb sources`` reads
them instead of working them out from every hop. Nothing changes an article's rows
but replacing the article whole, so only a write by another tool can leave them
wrong: ``claimsdb check`` works each out again from the statements and hops and
reports every difference (``differences``), and ``claimsdb init --recount`` writes
what they should be (``recount``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, bindparam, case, func, literal, or_, select, update
from sqlalchemy.orm import aliased

from claimsdb.query.graph import independent_origin_counts
from claimsdb.store.models import Article, Hop, Statement


@dataclass(frozen=True)
class Difference:
    """One stored measure that is not what the rows say."""

    what: str  # "statement depth", "link relays", "article independent origins"
    where: str  # the article, statement and link, in the user's words
    stored: int | None
    expected: int | None
    key: tuple[Any, ...]  # the row's primary key


def _depths() -> Select:
    """(statement id, article key, statement key, stored depth, depth from its hops) of
    every statement whose two differ."""
    worked_out = func.coalesce(select(func.max(Hop.position) + 1)
                               .where(Hop.statement_id == Statement.id).scalar_subquery(), 0)
    return (select(Statement.id, Article.key, Statement.key, Statement.depth, worked_out)
            .join(Article, Article.id == Statement.article_id)
            .where(Statement.depth.is_distinct_from(worked_out)).order_by(Statement.id))


def _relays() -> Select:
    """(statement id, chain, position, article key, statement key, stored relays_for,
    relays_for from the rows) of every link whose two differ: its chain's origin (the
    first chain's is the statement's speaker, a later chain's its last link), unless
    the link is that origin or the article's outlet, or the statement has no speaker."""
    last = aliased(Hop, name="last_link")
    origin = case((Hop.chain == literal(0), Statement.speaker_id),
                  else_=select(last.actor_id)
                  .where(last.statement_id == Hop.statement_id, last.chain == Hop.chain)
                  .order_by(last.position.desc()).limit(1).scalar_subquery())
    worked_out = case((or_(Statement.speaker_id.is_(None), Hop.actor_id == Article.outlet_id,
                           Hop.actor_id == origin), None), else_=origin)
    return (select(Hop.statement_id, Hop.chain, Hop.position, Article.key, Statement.key,
                   Hop.relays_for, worked_out)
            .join(Statement, Statement.id == Hop.statement_id)
            .join(Article, Article.id == Statement.article_id)
            .where(Hop.relays_for.is_distinct_from(worked_out))
            .order_by(Hop.statement_id, Hop.chain, Hop.position))


def differences(conn: Connection) -> Iterator[Difference]:
    """Every stored measure that differs from what the rows say: statements' depths,
    then links' relays, then articles' independent origins."""
    for statement_id, article, key, stored, expected in conn.execute(_depths()):
        yield Difference("statement depth", f"statement '{article}#{key}'", stored, expected,
                         (statement_id,))
    for statement_id, chain, position, article, key, stored, expected in conn.execute(
            _relays()):
        yield Difference("link relays", f"link {position} of chain {chain} of statement "
                         f"'{article}#{key}'", stored, expected, (statement_id, chain, position))
    counts = independent_origin_counts(conn)
    for article_id, key, stored in conn.execute(
            select(Article.id, Article.key, Article.independent_origins).order_by(Article.id)):
        expected = counts.get(key, 0)
        if stored != expected:
            yield Difference("article independent origins", f"article '{key}'", stored,
                             expected, (article_id,))


def recount(conn: Connection) -> int:
    """Write what the rows say wherever a stored measure differs (``claimsdb init
    --recount``); the number of values written. Articles are written whole by each
    import, so one committing meanwhile stores its own right values and changes none
    of these."""
    wrong = list(differences(conn))
    writes = {
        "statement depth": (update(Statement).where(Statement.id == bindparam("k0"))
                            .values(depth=bindparam("value"))),
        "link relays": (update(Hop).where(Hop.statement_id == bindparam("k0"),
                                          Hop.chain == bindparam("k1"),
                                          Hop.position == bindparam("k2"))
                        .values(relays_for=bindparam("value"))),
        "article independent origins": (update(Article).where(Article.id == bindparam("k0"))
                                        .values(independent_origins=bindparam("value"))),
    }
    for what, statement in writes.items():
        rows = [{"value": d.expected, **{f"k{i}": k for i, k in enumerate(d.key)}}
                for d in wrong if d.what == what]
        if rows:
            conn.execute(statement, rows)
    return len(wrong)


__all__ = ["Difference", "differences", "recount"]
