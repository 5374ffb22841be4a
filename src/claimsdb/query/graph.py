"""Claims as a graph: statements joined by ``repeats`` into families, and what a
family's dates and chains say about it.

These are the pieces both the statement queries (``queries``: the ``later_denied``
filter, the sourcing profile's independent origins) and the claim tracing
(``tracing``) need. They sit below both, so neither imports the other for them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import (
    Connection,
    Select,
    and_,
    case,
    exists,
    func,
    literal_column,
    or_,
    select,
    tuple_,
)
from sqlalchemy.orm import aliased

from claimsdb.format.sourcing import Joined, independent
from claimsdb.store.models import Article, Hop, Relation, RelationType, Statement

REPEATS = RelationType.REPEATS.value
DENIES = RelationType.DENIES.value
CHUNK = 5000  # ids per IN list, well under SQLite's and PostgreSQL's parameter limits


def _chunks(items: Sequence, size: int = CHUNK) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def repeats_pairs(conn: Connection) -> list[tuple[int, int]]:
    """(source, target) of every ``repeats`` relation: what joins statements into
    claims. Read once where a command needs both the pairs and the families."""
    edges = select(Relation.source_id, Relation.target_id).where(Relation.type == REPEATS)
    return [(source, target) for source, target in conn.execute(edges)]


def families_of(pairs: Iterable[tuple[int, int]]) -> list[set[int]]:
    """The claims these ``repeats`` pairs join statements into (union-find)."""
    joined = Joined()
    for source, target in pairs:
        joined.join(source, target)
    return joined.groups()


def families(conn: Connection) -> list[set[int]]:
    """Every claim carried by more than one statement (union-find over repeats)."""
    return families_of(repeats_pairs(conn))


def later_denied_ids(conn: Connection) -> set[int]:
    """Statements whose claim is denied by a statement in a later article.

    "Later" needs both articles dated; a denial in the same article or an undated one
    does not count, because nothing then says it came after.
    """
    denials = conn.execute(
        select(Relation.source_id, Relation.target_id).where(Relation.type == DENIES)
    ).all()
    if not denials:
        return set()
    member_of: dict[int, int] = {}
    groups = families(conn)
    for index, group in enumerate(groups):
        for node in group:
            member_of[node] = index
    involved = {i for pair in denials for i in pair}
    for group in groups:
        if involved & group:
            involved |= group
    dates = _dates(conn, involved)

    result: set[int] = set()
    for denial, target in denials:
        denied_at = moment(dates.get(denial))
        if denied_at is None:
            continue
        claim = groups[member_of[target]] if target in member_of else {target}
        for statement in claim:
            said_at = moment(dates.get(statement))
            if said_at is not None and said_at < denied_at:
                result.add(statement)
    return result


def moment(published: str | None) -> dt.datetime | None:
    """An article's ``published`` (ISO text, a date or a datetime) as a point in time to
    compare: a date is its midnight, a time without offset is UTC."""
    if not published:
        return None
    value = dt.datetime.fromisoformat(published)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def later_denied_among(conn: Connection, ids: Sequence[int]) -> set[int]:
    """Which of these statements ``later_denied_ids`` holds, found from them alone: each
    one's claim (its family through ``repeats``, walked by a recursive query from the
    statement), the denials of the claim's statements and the articles' dates,
    compared as there. Costs what these statements' claims hold, not what the
    database does: a first page of ``--later-denied`` asks this of the statements in
    list order until it has its rows (``queries._Lookups``).

    Three queries, each led by its id list: PostgreSQL cannot estimate a recursive
    query's rows, and joined to one it hashed every statement of the database."""
    if not ids:
        return set()
    edge = aliased(Relation, name="edge")
    seeds = (select(Statement.id.label("seed"), Statement.id.label("member"))
             .where(Statement.id.in_(ids)).cte("claim", recursive=True))
    # One recursive part, both directions of an edge in it (PostgreSQL allows one
    # reference to the query being defined); UNION stops at statements already found.
    other_end = case((edge.source_id == seeds.c.member, edge.target_id), else_=edge.source_id)
    claim = seeds.union(
        select(seeds.c.seed, other_end)
        .join(edge, and_(edge.type == REPEATS,
                         or_(edge.source_id == seeds.c.member,
                             edge.target_id == seeds.c.member))))
    claims: dict[int, list[int]] = defaultdict(list)
    for seed, member in conn.execute(select(claim.c.seed, claim.c.member)):
        claims[member].append(seed)
    denied_on: dict[int, list[str | None]] = defaultdict(list)
    for chunk in _chunks(sorted(claims)):
        for target, published in conn.execute(
                select(Relation.target_id, _published_of(Relation.source_id))
                .where(Relation.target_id.in_(chunk), Relation.type == DENIES)):
            denied_on[target].append(published)
    seeds_denied = sorted({seed for member in denied_on for seed in claims[member]})
    said_on: dict[int, str | None] = {}
    for chunk in _chunks(seeds_denied):
        said_on.update(tuple(row) for row in conn.execute(
            select(Statement.id, _published_of(Statement.id))
            .where(Statement.id.in_(chunk))))
    found: set[int] = set()
    for member, dates in denied_on.items():
        latest = [at for at in map(moment, dates) if at is not None]
        for seed in claims[member]:
            said_at = moment(said_on.get(seed))
            if said_at is not None and any(said_at < denied_at for denied_at in latest):
                found.add(seed)
    return found


def _published_of(statement_id: Any) -> Any:
    """When the article of a statement (an id column) was published: a subquery looked
    up by primary key for each row, whatever the planner estimates."""
    said = aliased(Statement, name="said")
    return (select(Article.published).join(said, said.article_id == Article.id)
            .where(said.id == statement_id).scalar_subquery())


def _dates(conn: Connection, ids: set[int]) -> dict[int, str | None]:
    dates: dict[int, str | None] = {}
    for chunk in _chunks(sorted(ids)):
        dates.update(tuple(row) for row in conn.execute(
            select(Statement.id, Article.published)
            .join(Article, Statement.article_id == Article.id).where(Statement.id.in_(chunk))
        ))
    return dates


# -- independent origins per article, for the sourcing profile ------------------------------
# Each chain of a statement is a path to its own origin (the stored speaker is the first
# chain's, a later chain's is its last hop); the links before the origin are its relays.
# Origins are one when one's claims pass through the other: a relay that is itself an
# origin in the same scope joins the two, and the independent origins are the groups
# that remain. The article's own outlet relays every statement of the article (it is
# the implicit first link, and may be written as an explicit one): passing through it
# says nothing about whether two origins are one, so it never joins them (counting it
# made a single own-voice statement, which makes the outlet an origin, fold every
# source of the article into one). ``claimsdb.format.sourcing`` says the same in
# Python, for the values each import stores.
#
# ``kept_independent_origin_counts`` answers ``claimsdb sources`` from what imports
# stored (each article's count, each link's ``relays_for``); ``independent_origin_
# counts`` works the same counts out from the statements and hops alone, for ``claimsdb
# check`` to compare (``claimsdb.query.kept_sourcing``). There the database does the
# reading: the number of origins of each article, the origins of all, and the few
# (origin, relay) pairs that can join two origins, so that Python joins only those.

_FOLLOWING = aliased(Hop, name="following")
_LAST = aliased(Hop, name="last_hop")


def _later_origins(article_id: int | None) -> Select:
    """(article_id, origin_id) of every later chain's origin (its last hop) of the
    statements with a speaker: few rows, through the partial index on later chains."""
    query = (select(Statement.article_id, Hop.actor_id)
             .join(Statement, Statement.id == Hop.statement_id)
             .where(Hop.chain > literal_column("0"), Statement.speaker_id.is_not(None),
                    ~exists().where(_FOLLOWING.statement_id == Hop.statement_id,
                                    _FOLLOWING.chain == Hop.chain,
                                    _FOLLOWING.position == Hop.position + 1)))
    if article_id is not None:
        query = query.where(Statement.article_id == article_id)
    return query


def _origin_counts(conn: Connection, article_id: int | None
                   ) -> tuple[list[tuple[str, int, int]], set[int]]:
    """(key, id, number of origins) of each article with one, and every origin.

    An article's origins are its statements' speakers (each chain's first origin),
    counted by the database from the article's statements, plus the few later chains'
    origins that speak none of its statements. (A UNION of both, counted distinct per
    article, materialised a million rows: 2.9 s at 1M statements.)"""
    where = [Statement.speaker_id.is_not(None)]
    if article_id is not None:
        where.append(Statement.article_id == article_id)
    per_article = conn.execute(
        select(Article.key, Article.id, func.count(Statement.speaker_id.distinct()))
        .join(Statement, Statement.article_id == Article.id).where(*where)
        .group_by(Article.id, Article.key)).all()
    everyone = set(conn.execute(select(Statement.speaker_id).where(*where).distinct())
                   .scalars())
    later = _later_origins(article_id)
    spoken = aliased(Statement, name="spoken")
    extra: dict[int, int] = defaultdict(int)
    # Made distinct here: a DISTINCT made SQLite read every statement in article order
    # rather than the partial index.
    for article, _ in set(conn.execute(
            later.where(~exists().where(spoken.article_id == Statement.article_id,
                                        spoken.speaker_id == Hop.actor_id))).all()):
        extra[article] += 1
    everyone.update(origin for _, origin in conn.execute(later))
    return [(key, article, n + extra[article]) for key, article, n in per_article], everyone


def _relays(article_id: int | None, *, hashed: bool) -> Select:
    """Distinct (article, origin, relay) of every chain, the relay neither the chain's
    origin nor the article's outlet; the article only where the relay is an origin in
    that article too (the pairs that join two of its origins: few), else NULL (the
    pairs of the whole database: at most one per two actors). One pass over the hops
    for both scopes.

    Whether a relay is an origin in its article is a probe of the speakers' index,
    else a look among the later chains' origins, which are few and read once.
    ``hashed``: grouped, so that PostgreSQL hashes the pairs instead of sorting every
    relay hop; else DISTINCT, which SQLite keeps in a b-tree of the distinct rows."""
    later_origin = (select(_LAST.actor_id).where(_LAST.statement_id == Hop.statement_id,
                                                 _LAST.chain == Hop.chain)
                    .order_by(_LAST.position.desc()).limit(1).scalar_subquery())
    origin = case((Hop.chain == literal_column("0"), Statement.speaker_id),
                  else_=later_origin)
    spoken = aliased(Statement, name="spoken")
    origin_here = or_(
        exists().where(spoken.article_id == Statement.article_id,
                       spoken.speaker_id == Hop.actor_id),
        tuple_(Statement.article_id, Hop.actor_id).in_(
            _later_origins(article_id).correlate(None)))
    query = (select(case((origin_here, Statement.article_id)).label("article_id"),
                    origin.label("origin_id"), Hop.actor_id.label("relay_id"))
             .join(Statement, Statement.id == Hop.statement_id)
             .join(Article, Article.id == Statement.article_id)
             .where(Statement.speaker_id.is_not(None), Hop.actor_id != origin,
                    or_(Article.outlet_id.is_(None), Hop.actor_id != Article.outlet_id)))
    if article_id is not None:
        query = query.where(Statement.article_id == article_id)
    if not hashed:
        return query.distinct()
    pairs = query.subquery("relay_pairs")
    return select(pairs).group_by(pairs.c.article_id, pairs.c.origin_id, pairs.c.relay_id)


def independent_origin_counts(conn: Connection, article_id: int | None = None
                              ) -> dict[str | None, int]:
    """Independent origins behind each article's statements (keyed by article key) and
    behind all of them together (key None), worked out from the statements and hops
    alone: what every import's stored counts must equal (``claimsdb check``)."""
    per_article, everyone = _origin_counts(conn, article_id)
    joins: dict[int, list[tuple[int, int]]] = defaultdict(list)
    pairs: set[tuple[int, int]] = set()
    for article, origin, relay in conn.execute(
            _relays(article_id, hashed=conn.dialect.name == "postgresql")):
        if article is not None:
            joins[article].append((origin, relay))
        if relay in everyone:
            pairs.add((origin, relay))
    counts: dict[str | None, int] = {key: independent(n, joins.get(article, ()))
                                     for key, article, n in per_article}
    counts[None] = independent(len(everyone), pairs)
    return counts


def _origins(conn: Connection) -> set[int]:
    """Every origin of the database: its statements' speakers and its later chains'
    origins (few, through the partial index on later chains)."""
    origins = set(conn.execute(select(Statement.speaker_id)
                               .where(Statement.speaker_id.is_not(None)).distinct()).scalars())
    origins.update(origin for _, origin in conn.execute(_later_origins(None)))
    return origins


def kept_independent_origin_counts(conn: Connection, article_id: int | None = None
                                   ) -> dict[str | None, int]:
    """``independent_origin_counts`` from what each import stored: every article's own
    count, and for the whole database its origins joined by the distinct (origin,
    relay) pairs of every link that relays, read from the partial index on those links
    (at a million statements 135,000 pairs of 1.1 million links: working out each
    link's origin from its statement took most of 3.6 s). One article's total is its
    own count."""
    # NULL: a row another tool wrote without it (``claimsdb check`` reports it); counted
    # as none rather than failing the whole answer.
    query = select(Article.key, func.coalesce(Article.independent_origins, 0))
    if article_id is not None:
        query = query.where(Article.id == article_id)
    counts: dict[str | None, int] = dict(conn.execute(query).all())
    if article_id is not None:
        counts[None] = sum(counts.values())
        return counts
    everyone = _origins(conn)
    pairs = conn.execute(select(Hop.relays_for, Hop.actor_id)
                         .where(Hop.relays_for.is_not(None)).distinct())
    counts[None] = independent(len(everyone), ((origin, relay) for origin, relay in pairs
                                                if relay in everyone))
    return counts
