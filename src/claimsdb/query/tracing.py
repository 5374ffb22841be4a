"""Tracing a claim across articles: its origin, who carried it, who denied it.

A *claim* is a family of statements joined by ``repeats`` links (each carries the
same claim as the statement it repeats, which is nearer the origin). Within a family:

- the *roots* are the statements that repeat nothing: the earliest appearances the
  annotations know of;
- the *origins* are the original speakers of its statements (the last hop of each
  chain, or the outlet for an outlet's own voice);
- two origins are *dependent* when one passes the claim through the other (one
  appears in a chain, or as the outlet, of a statement the other originated); the
  *independent origins* are the groups that remain. Ten articles that all rest on the
  same anonymous officials are one origin: a single-source claim.

Upstream and downstream walks are recursive CTEs (``WITH RECURSIVE``, the same SQL on
SQLite and PostgreSQL) bounded by a depth limit; ``UNION`` discards repeated rows, so
a cycle (which the importer refuses, but an old database might hold) cannot loop
forever.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, and_, case, func, literal, or_, select
from sqlalchemy.orm import aliased

from claimsdb.format.articles import find_cycle
from claimsdb.query.gc_pause import collector_paused
from claimsdb.query.graph import families_of, repeats_pairs
from claimsdb.query.members import (
    Member,
    MemberRows,
    Paths,
    load_members,
    load_paths,
    member_rows,
    members_from_rows,
    read_actors,
)
from claimsdb.query.queries import (
    ActorRef,
    StatementView,
    _enrich,
    _statement_select,
    find_statement_id,
)
from claimsdb.store.models import Article, Hop, Relation, RelationType, Statement
from claimsdb.store.siblings import beside, read_ahead

MAX_DEPTH = 100
REPEATS = RelationType.REPEATS.value
CHUNK = 5000  # ids per IN list, well under SQLite's and PostgreSQL's parameter limits
MEMBERS_AT_ONCE = 5000  # statements of claims read together (see members.load_members)


def _chunks(items: Sequence, size: int = CHUNK) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


# -- walking repeats links -----------------------------------------------------------------

def walk(conn: Connection, start: Iterable[int], *, upstream: bool,
         max_depth: int = MAX_DEPTH) -> dict[int, int]:
    """Statements reachable over ``repeats`` links, with their distance (0 = start).

    Upstream follows links toward the origin (a statement to what it repeats);
    downstream the other way (to everything that repeats it, directly or not).
    """
    start = sorted(set(start))
    if not start:
        return {}
    there = Relation.target_id if upstream else Relation.source_id
    found: dict[int, int] = {}
    for chunk in _chunks(start):
        seed = select(Statement.id.label("id"), literal(0).label("depth")).where(
            Statement.id.in_(chunk))
        walked = seed.cte("walked", recursive=True)
        step = (select(there.label("id"), (walked.c.depth + 1).label("depth"))
                .select_from(walked)
                .join(Relation, _links_of(conn, walked.c.id, upstream=upstream))
                .where(walked.c.depth < max_depth))
        walked = walked.union(step)
        rows = conn.execute(select(walked.c.id, func.min(walked.c.depth))
                            .group_by(walked.c.id))
        for statement_id, depth in rows:
            found[statement_id] = min(depth, found.get(statement_id, depth))
    return found


def _links_of(conn: Connection, statement_id: Any, *, upstream: bool) -> Any:
    """The ``repeats`` links from a statement (``upstream``: those it makes, else those
    made to it), as a join condition on ``Relation``.

    On SQLite each statement's links are picked by id from their own index entries:
    joined on the link's end, SQLite builds a Bloom filter of every link before the
    first step, a scan of the whole table (10 ms of a 12 ms walk at 1M statements,
    ten times the 100k figure), whatever few links the claim has."""
    here = Relation.source_id if upstream else Relation.target_id
    if conn.dialect.name != "sqlite":
        return and_(here == statement_id, Relation.type == REPEATS)
    link = aliased(Relation, name="link")
    link_here = link.source_id if upstream else link.target_id
    return Relation.id.in_(select(link.id).where(link_here == statement_id,
                                                 link.type == REPEATS))


def repeats_edges(conn: Connection, ids: Iterable[int]) -> list[tuple[int, int]]:
    """(repeater, repeated) pairs among the given statements."""
    ids = sorted(set(ids))
    edges: list[tuple[int, int]] = []
    for chunk in _chunks(ids):
        edges.extend(conn.execute(
            select(Relation.source_id, Relation.target_id)
            .where(Relation.type == REPEATS, Relation.source_id.in_(chunk))
        ))
    members = set(ids)
    return sorted((s, t) for s, t in edges if t in members)


def views(conn: Connection, ids: Iterable[int], *, context: bool = True
          ) -> dict[int, StatementView]:
    """The statements' views by id, a thousand per query. ``context=False``: without
    the context sentence, which answers listing claims or loops never show and which
    costs most of a view."""
    out: dict[int, StatementView] = {}
    for chunk in _chunks(sorted(set(ids)), 1000):
        rows = conn.execute(_statement_select().where(Statement.id.in_(chunk))).all()
        out.update((v.id, v) for v in _enrich(conn, rows, context=context))
    return out


# -- origins and their independence ----------------------------------------------------------

def passes_through(view: StatementView | Member) -> list[ActorRef]:
    """Everyone the statement came through along its first chain, outlet first, origin
    last (``paths`` has every chain)."""
    return paths(view)[0] if view.chains else ([view.outlet] if view.outlet else [])


def paths(view: StatementView | Member) -> list[list[ActorRef]]:
    """Each chain's path, outlet first, origin last; one path (the outlet, or nothing)
    for the article's own voice."""
    start = [view.outlet] if view.outlet else []
    if not view.chains:
        return [start]
    return [start + [hop.actor for hop in chain] for chain in view.chains]


def independent_origins(statements: Iterable[StatementView | Member]
                        ) -> list[list[ActorRef]]:
    """Origins grouped so that origins whose chains pass through each other share a
    group; each group is one independent origin. Sorted, largest group first.

    Every chain of a statement counts: "according to AFP and AP" with nothing else
    joining them is two independent origins."""
    statements = list(statements)
    origins: dict[str, ActorRef] = {}
    for view in statements:
        for origin in view.origins:
            origins[origin.key] = origin
    if len(origins) < 2:  # nothing to join: most claims, at a million statements
        return [list(origins.values())] if origins else []
    parent = {key: key for key in origins}

    def find(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for view in statements:
        for path in paths(view) if view.chains else []:
            origin = path[-1]
            for relay in path[:-1]:
                if relay.key in parent and relay.key != origin.key:
                    parent[find(relay.key)] = find(origin.key)
    groups: dict[str, list[ActorRef]] = defaultdict(list)
    for key, actor in origins.items():
        groups[find(key)].append(actor)
    return sorted((sorted(g, key=lambda a: a.key) for g in groups.values()),
                  key=lambda g: (-len(g), g[0].key))


# -- dates --------------------------------------------------------------------------------

def published_at(view: StatementView | Member) -> dt.datetime | None:
    """The article's publication as an aware datetime (a bare date is its midnight UTC)."""
    if not view.published:
        return None
    try:
        moment = dt.datetime.fromisoformat(view.published)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def days_between(first: dt.datetime, then: dt.datetime, date_only: bool) -> float | int:
    """Days from ``first`` to ``then``: whole calendar days when either is only a date
    (as ``describe_delay`` counts them), else fractional, to the minute."""
    if date_only:
        return (then - first).days
    return round((then - first).total_seconds() / 86400, 4)


def describe_delay(delta: dt.timedelta, date_only: bool) -> str:
    if date_only:
        days = delta.days
        return "the same day as" if days == 0 else f"{days} day{'s' if days != 1 else ''} after"
    seconds = int(delta.total_seconds())
    if seconds < 0:
        return "before"
    if seconds < 3600:
        minutes = seconds // 60
        return f"{minutes} minute{'s' if minutes != 1 else ''} after"
    if seconds < 2 * 86400:
        hours = seconds // 3600
        return f"{hours} hour{'s' if hours != 1 else ''} after"
    days = seconds // 86400
    return f"{days} days after"


# -- the trace ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Reaction:
    """A reaction aimed at a statement of the claim: a denial, contradiction, support,
    confirmation, dismissal, correction, retraction or refusal (``declines``: every
    relation but repeats). Each keeps its own type and delay: a dismissal
    ("speculation") or a refusal ("declined to comment") is a response, with its time
    to response, but not a denial, so "denied" and the time to a denial stay about
    factual denials."""

    type: str
    by: StatementView  # the statement that denies/contradicts/supports
    target_id: int
    delay: str | None  # "6 hours after" the first appearance, when both are dated
    # the same in days (0.25 for six hours; whole days when either date has no time)
    days: float | None = None


@dataclass(frozen=True)
class ClaimTrace:
    asked: int
    nodes: dict[int, StatementView]
    repeats: list[tuple[int, int]]  # (repeater, repeated)
    upstream: dict[int, int]  # ancestors of the asked statement, with distance
    downstream: dict[int, int]  # statements repeating it, with distance
    reactions: list[Reaction]
    origins: list[list[ActorRef]] = field(default_factory=list)

    @property
    def roots(self) -> list[int]:
        repeating = {s for s, _ in self.repeats}
        return sorted(i for i in self.nodes if i not in repeating)

    @property
    def articles(self) -> set[str]:
        return {v.article for v in self.nodes.values()}

    @property
    def single_source(self) -> bool:
        return len(self.origins) == 1 and len(self.articles) > 1

    def children(self, node: int) -> list[int]:
        """Statements that repeat ``node`` directly, earliest article first."""
        kids = self._repeated_by.get(node, [])
        return sorted(kids, key=lambda i: (self.nodes[i].published or "~", i))

    @functools.cached_property
    def _repeated_by(self) -> dict[int, list[int]]:
        """Built once: looking children up in the edge list for every node took time
        proportional to the square of a long relay chain."""
        out: dict[int, list[int]] = defaultdict(list)
        for source, target in self.repeats:
            out[target].append(source)
        return out

    @property
    def first_appearance(self) -> StatementView | None:
        dated = [v for v in self.nodes.values() if published_at(v)]
        if dated:
            return min(dated, key=lambda v: (published_at(v), v.id))
        roots = self.roots
        return self.nodes[roots[0]] if roots else None


def trace(conn: Connection, ref: str, *, max_depth: int = MAX_DEPTH) -> ClaimTrace:
    """The whole provenance graph of the claim a statement carries."""
    asked = find_statement_id(conn, ref)
    upstream = walk(conn, [asked], upstream=True, max_depth=max_depth)
    downstream = walk(conn, [asked], upstream=False, max_depth=max_depth)
    family = claim_members(conn, [asked])
    nodes = views(conn, family)
    edges = repeats_edges(conn, family)
    reactions = _reactions(conn, nodes)
    return ClaimTrace(asked, nodes, edges, upstream, downstream, reactions,
                      independent_origins(nodes.values()))


def claim_members(conn: Connection, start: Iterable[int]) -> set[int]:
    """Every statement carrying the same claim: the connected family over ``repeats``
    links (up to the roots, down to everything repeating them, and so on until
    nothing new is reached; siblings repeating the same origin carry the claim too).

    One recursive query over statement ids alone, following links both ways: ``UNION``
    keeps each statement once, so the work grows with the family's size. (Walking up
    and down in turns with a depth per row, as before, revisited a 1,300-article relay
    chain once per member: seven seconds.)
    """
    start = sorted(set(start))
    members: set[int] = set()
    for chunk in _chunks(start):
        seed = select(Statement.id.label("id")).where(Statement.id.in_(chunk))
        family = seed.cte("family", recursive=True)
        step = (select(case((Relation.source_id == family.c.id, Relation.target_id),
                            else_=Relation.source_id).label("id"))
                .join(family, or_(Relation.source_id == family.c.id,
                                  Relation.target_id == family.c.id))
                .where(Relation.type == REPEATS))
        family = family.union(step)
        members.update(conn.execute(select(family.c.id)).scalars())
    return members


def _reactions(conn: Connection, nodes: dict[int, StatementView]) -> list[Reaction]:
    wanted = [(v.id, r) for v in nodes.values() for r in v.incoming if r.type != REPEATS]
    if not wanted:
        return []
    refs = {r.ref for _, r in wanted}
    by_ref = {}
    for chunk in _chunks(sorted(refs), 500):
        pairs = [tuple(ref.split("#", 1)) for ref in chunk]
        ids = conn.execute(
            select(Statement.id).join(Article, Statement.article_id == Article.id)
            .where(Article.key.in_({a for a, _ in pairs}),
                   Statement.key.in_({s for _, s in pairs}))
        ).scalars().all()
        by_ref.update((v.ref, v) for v in views(conn, ids).values())
    first = ClaimTrace(0, nodes, [], {}, {}, []).first_appearance
    first_at = published_at(first) if first else None
    reactions = []
    for target_id, related in wanted:
        by = by_ref[related.ref]
        when = published_at(by)
        delay = days = None
        if first_at and when:
            date_only = len(first.published or "") == 10 or len(by.published or "") == 10
            delay = describe_delay(when - first_at, date_only)
            days = days_between(first_at, when, date_only)
        reactions.append(Reaction(related.type, by, target_id, delay, days))
    return sorted(reactions, key=lambda r: (r.target_id, r.type, r.by.ref))


# -- all claims ---------------------------------------------------------------------------

@dataclass(frozen=True)
class ClaimSummary:
    claim: str  # the ref of its first appearance
    quote: str
    statements: int
    articles: int
    origins: int  # independent origins
    origin_names: tuple[str, ...]  # one name per independent origin
    single_source: bool
    first_published: str | None
    denied: int  # statements of the claim that something denies
    members: tuple[int, ...] = ()


def iter_claims(conn: Connection, *, single_source: bool = False,
                min_origins: int | None = None, include_single: bool = False,
                article: str | None = None) -> Iterator[ClaimSummary]:
    """Claims with their corroboration, largest first. Claims carried by one statement
    are left out unless ``include_single``."""
    with collector_paused():
        summaries = _claim_summaries(conn, single_source=single_source,
                                     min_origins=min_origins, include_single=include_single,
                                     article=article)
    yield from sorted(summaries, key=lambda s: (-s.articles, -s.statements, s.claim))


def _claim_summaries(conn: Connection, *, single_source: bool, min_origins: int | None,
                     include_single: bool, article: str | None) -> list[ClaimSummary]:
    pairs = repeats_pairs(conn)
    groups = families_of(pairs)
    if include_single:
        grouped = set().union(*groups) if groups else set()
        query = select(Statement.id)
        if article is not None:
            query = query.join(Article, Statement.article_id == Article.id).where(
                Article.key == article)
        groups += [{i} for i in conn.execute(query).scalars() if i not in grouped]
    # What a summary needs of the relations, read once for the whole database rather
    # than with every member: which statements repeat another (the pairs above) and
    # which are denied (a few tens of thousands at a million statements).
    repeating = {source for source, _ in pairs}
    denied = set(conn.execute(select(Relation.target_id)
                              .where(Relation.type == RelationType.DENIES.value)).scalars())
    summaries = []
    # The members of the next chunks are read on a sibling connection while these are
    # summarised (``claimsdb.store.siblings``).
    actors = read_actors(conn)
    for chunk, rows in read_ahead(conn, _group_chunks(groups, MEMBERS_AT_ONCE), _chunk_rows):
        members = members_from_rows(actors, rows)
        for group in chunk:
            claim_views = [members[i] for i in group]
            if article is not None and all(v.article != article for v in claim_views):
                continue
            summary = summarise(claim_views, repeating=repeating, denied=denied)
            if single_source and not summary.single_source:
                continue
            if min_origins is not None and summary.origins < min_origins:
                continue
            summaries.append(summary)
    return summaries


def _chunk_rows(conn: Connection, chunk: list[set[int]]) -> list[MemberRows]:
    return member_rows(conn, set().union(*chunk), relations=False)


def _group_chunks(groups: list[set[int]], size: int) -> Iterator[list[set[int]]]:
    chunk: list[set[int]] = []
    count = 0
    for group in groups:
        chunk.append(group)
        count += len(group)
        if count >= size:
            yield chunk
            chunk, count = [], 0
    if chunk:
        yield chunk


def summarise(claim_views: Sequence[StatementView | Member], *, repeating: set[int],
              denied: set[int]) -> ClaimSummary:
    """One claim's corroboration. ``repeating``: ids of statements that repeat another;
    ``denied``: ids of statements something denies (either may hold other claims' ids
    too)."""
    ids = {v.id for v in claim_views}
    dated = [(at, v.id, v) for v in claim_views if (at := published_at(v)) is not None]
    if dated:
        first = min(dated, key=lambda item: (item[0], item[1]))[2]
    else:
        first_id = min(ids - repeating or ids)
        first = next(v for v in claim_views if v.id == first_id)
    origins = independent_origins(claim_views)
    articles = {v.article for v in claim_views}
    return ClaimSummary(
        claim=first.ref, quote=first.quote, statements=len(claim_views),
        articles=len(articles), origins=len(origins),
        origin_names=tuple(" / ".join(a.name for a in g) for g in origins),
        single_source=len(origins) == 1 and len(articles) > 1,
        first_published=first.published,
        denied=len(ids & denied),
        members=tuple(sorted(ids)),
    )


# -- circular reporting -------------------------------------------------------------------

@dataclass(frozen=True)
class Loop:
    kind: str  # "repeats" | "chain" | "citation"
    path: tuple[str, ...]  # statement refs or actor keys, closed (first == last)
    statements: tuple[str, ...]  # the statements involved

    def describe(self) -> str:
        what = {"repeats": "repeats links form a cycle",
                "chain": "a chain passes through the same actor twice",
                "citation": "outlets cite each other for the same claim"}[self.kind]
        return f"{what}: {' -> '.join(self.path)}"


def find_loops(conn: Connection) -> list[Loop]:
    """Circular reporting: repeats cycles, chains that come back to an actor, and
    outlets citing each other (A cites B, B cites A) within one claim."""
    with collector_paused():
        return _find_loops(conn)


def _find_loops(conn: Connection) -> list[Loop]:
    # The chain loops on a sibling connection (``claimsdb.store.siblings``): their
    # candidates are found by the server alone, while this connection reads the claims.
    with beside(conn, _chain_loops) as chain_loops:
        loops: list[Loop] = []
        pairs = repeats_pairs(conn)
        graph: dict[int, list[int]] = defaultdict(list)
        for source, target in pairs:
            graph[source].append(target)
        remaining = dict(graph)
        while True:
            cycle = find_cycle(remaining)
            if not cycle:
                break
            names = load_members(conn, cycle, relations=False)
            refs = _rotated([names[i].ref for i in cycle[:-1]])
            loops.append(Loop("repeats", (*refs, refs[0]), tuple(refs)))
            for node in cycle[:-1]:
                remaining.pop(node, None)
        # The families' statements some thousands at a time, not one family per query:
        # there are tens of thousands of families at a million statements. Their paths
        # are read as actor ids to find the few families whose outlets cite each
        # other; only those are read as members, for the loop's keys and references.
        citations: list[Loop] = []
        for chunk in _group_chunks(families_of(pairs), MEMBERS_AT_ONCE):
            paths_of = load_paths(conn, set().union(*chunk))
            circular = [group for group in chunk
                        if _cites_in_circle(paths_of[i] for i in group)]
            if circular:
                members = load_members(conn, set().union(*circular), relations=False)
                for group in circular:
                    citations += _citation_loops(members[i] for i in sorted(group))
        return loops + chain_loops() + citations


def _rotated(cycle: list[str]) -> list[str]:
    """The same cycle starting at its smallest element, so output is deterministic."""
    start = cycle.index(min(cycle))
    return cycle[start:] + cycle[:start]


def _chain_loops(conn: Connection) -> list[Loop]:
    """Statements whose chain (outlet included) visits an actor twice: A > B > A. (Two
    chains of one statement may well share an actor: that is no loop.)"""
    # Candidates only (the paths below decide): an actor twice in a statement's hops,
    # grouped in the order of ix_chain_hops_actor_id_statement_id (grouping by chain
    # too sorted every hop: 2.6x the CPU), and the article's outlet as a later link.
    repeated = (select(Hop.statement_id).group_by(Hop.actor_id, Hop.statement_id)
                .having(func.count() > 1))
    relaying = _outlet_relaying(conn.dialect.name)
    ids = set(conn.execute(repeated).scalars()) | set(conn.execute(relaying).scalars())
    loops = []
    for view in load_members(conn, ids, relations=False).values():
        for chain in paths(view):
            path = [a.key for a in chain]
            if len(set(path)) < len(path):
                loops.append(Loop("chain", tuple(path), (view.ref,)))
    return sorted(loops, key=lambda loop: loop.statements)


def _outlet_relaying(dialect: str) -> Any:
    """Statements whose article's outlet is a later link of a chain (position > 0).

    On SQLite led by the articles: for each, the outlet's hops among the ids of the
    article's statements (an index range: an article's statements are stored
    together), each then checked to be the article's (``article_id + 0`` keeps SQLite
    from turning back to the other order). Led by the statements, it probed the
    outlet's hops once for each of a million statements: 0.4 s against 0.17 s.
    PostgreSQL hashes either shape; the plain join is its faster (0.3 s against 0.7 s,
    where it hashed every later hop and evaluated the bounds on each)."""
    if dialect != "sqlite":
        return (select(Hop.statement_id)
                .join(Statement, Statement.id == Hop.statement_id)
                .join(Article, Article.id == Statement.article_id)
                .where(Hop.actor_id == Article.outlet_id, Hop.position > 0))
    mine = aliased(Statement, name="of_article")
    first = select(func.min(mine.id)).where(mine.article_id == Article.id).scalar_subquery()
    last = select(func.max(mine.id)).where(mine.article_id == Article.id).scalar_subquery()
    return (select(Hop.statement_id).select_from(Article)
            .join(Hop, and_(Hop.actor_id == Article.outlet_id,
                            Hop.statement_id.between(first, last)))
            .join(Statement, and_(Statement.id == Hop.statement_id,
                                  Statement.article_id + 0 == Article.id))
            .where(Hop.position > 0))


def _cites_in_circle(claim_paths: Iterable[Paths]) -> bool:
    """Whether, in one claim, actors cite each other around a circle (the test of
    ``_citation_loops``, on actor ids).

    Every actor of a circle both cites and is cited, so only the links between such
    actors are searched, and a circle needs two of them: most claims have none, and
    are answered without a search."""
    links = {(cites, cited) for paths_here in claim_paths for path in paths_here
             for cites, cited in itertools.pairwise(path) if cites != cited}
    both = {cites for cites, _ in links} & {cited for _, cited in links}
    inner = [(cites, cited) for cites, cited in links if cites in both and cited in both]
    if len(inner) < 2:
        return False
    graph: dict[int, list[int]] = defaultdict(list)
    for cites, cited in inner:
        graph[cites].append(cited)
    return find_cycle(graph) is not None


def _citation_loops(claim_views: Iterable[StatementView | Member]) -> list[Loop]:
    graph: dict[str, set[str]] = defaultdict(set)
    carriers: dict[tuple[str, str], set[str]] = defaultdict(set)
    for view in claim_views:
        for chain in paths(view):
            path = [a.key for a in chain]
            for cites, cited in itertools.pairwise(path):
                if cites != cited:
                    graph[cites].add(cited)
                    carriers[(cites, cited)].add(view.ref)
    cycle = find_cycle({k: sorted(v) for k, v in graph.items()})
    if not cycle:
        return []
    cycle = [*_rotated(cycle[:-1]), None]
    cycle[-1] = cycle[0]
    involved = sorted(set().union(*(carriers[(a, b)] for a, b in itertools.pairwise(cycle))))
    return [Loop("citation", tuple(cycle), tuple(involved))]
