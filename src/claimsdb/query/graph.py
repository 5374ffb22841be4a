"""Claims as a graph: statements joined by ``repeats`` into families, and what a
family's dates and chains say about it.

These are the pieces both the statement queries (``queries``: the ``later_denied``
filter, the sourcing profile's independent origins) and the claim tracing
(``tracing``) need. They sit below both, so neither imports the other for them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, and_, case, or_, select
from sqlalchemy.orm import aliased

from claimsdb.store.models import Actor, Article, Hop, Relation, RelationType, Statement

REPEATS = RelationType.REPEATS.value
DENIES = RelationType.DENIES.value
CHUNK = 5000  # ids per IN list, well under SQLite's and PostgreSQL's parameter limits


def _chunks(items: Sequence, size: int = CHUNK) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def families(conn: Connection) -> list[set[int]]:
    """Every claim carried by more than one statement (union-find over repeats)."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    edges = select(Relation.source_id, Relation.target_id).where(Relation.type == REPEATS)
    rows = conn.execute(edges.execution_options(yield_per=10_000))
    for source, target in rows:
        parent[find(source)] = find(target)
    groups: dict[int, set[int]] = defaultdict(set)
    for node in list(parent):
        groups[find(node)].add(node)
    return sorted(groups.values(), key=min)


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

class _Groups:
    """Origins and what each passed its claims through; relays join two origins only
    when the relay is itself an origin (a shared outlet does not make two sources one)."""

    def __init__(self):
        self.relays: dict[str, set[str]] = defaultdict(set)

    def add(self, origin: str, relays: Sequence[str]) -> None:
        self.relays[origin].update(r for r in relays if r != origin)

    def count(self) -> int:
        parent = {origin: origin for origin in self.relays}

        def find(key: str) -> str:
            while parent[key] != key:
                parent[key] = parent[parent[key]]
                key = parent[key]
            return key

        for origin, relays in self.relays.items():
            for relay in relays:
                if relay in parent:
                    parent[find(relay)] = find(origin)
        return len({find(origin) for origin in parent})


def independent_origin_counts(conn: Connection, article_id: int | None = None
                              ) -> dict[str | None, int]:
    """Independent origins behind each article's statements (keyed by article key) and
    behind all of them together (key None). Streams statements with their hops; each
    chain of a statement is a path to its own origin (the stored speaker is the first
    chain's, a later chain's is its last hop)."""
    speaker = aliased(Actor)
    outlet = aliased(Actor)
    hop_actor = aliased(Actor)
    query = (
        select(Statement.id, Article.key.label("article"), speaker.key.label("speaker"),
               outlet.key.label("outlet"), Hop.chain, hop_actor.key.label("hop"))
        .join(Article, Statement.article_id == Article.id)
        .join(speaker, Statement.speaker_id == speaker.id)
        .outerjoin(outlet, Article.outlet_id == outlet.id)
        .outerjoin(Hop, Hop.statement_id == Statement.id)
        .outerjoin(hop_actor, Hop.actor_id == hop_actor.id)
        .order_by(Statement.id, Hop.chain, Hop.position)
    )
    if article_id is not None:
        query = query.where(Statement.article_id == article_id)
    per_article: dict[str, _Groups] = defaultdict(_Groups)
    total = _Groups()

    def flush(article: str, origin: str, outlet: str | None, path: list[str]) -> None:
        # The article's own outlet relays every statement of the article (it is the
        # implicit first link, and may be written as an explicit one): passing through
        # it says nothing about whether two origins are one. Counting it as a relay made
        # a single own-voice statement, which makes the outlet an origin, fold every
        # source of the article into one.
        relays = [r for r in (path[:-1] if path and path[-1] == origin else path)
                  if r != outlet]
        per_article[article].add(origin, relays)
        total.add(origin, relays)

    current = None
    path: list[str] = []
    article = origin = outlet = None
    for row in conn.execute(query.execution_options(yield_per=10_000)):
        if (row.id, row.chain or 0) != current:
            if current is not None:
                flush(article, origin if not current[1] else path[-1], outlet, path)
            current, article, origin, outlet = ((row.id, row.chain or 0), row.article,
                                                row.speaker, row.outlet)
            path = []
        if row.hop is not None:
            path.append(row.hop)
    if current is not None:
        flush(article, origin if not current[1] else path[-1], outlet, path)
    counts: dict[str | None, int] = {key: groups.count() for key, groups in per_article.items()}
    counts[None] = total.count()
    return counts
