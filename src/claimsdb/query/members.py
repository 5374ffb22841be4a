"""The little of each statement that listing claims and finding loops read.

``claimsdb claims`` and ``claimsdb loops`` look at every statement that carries a
claim with another (a tenth of a large database): its reference, quote and date, its
outlet, speaker and chains (actors only), and the types of its relations. Full
statement views (``claimsdb.query.queries``: context sentence, cues and spans, the
other end of every relation with its quote and speaker) cost ten times as much to read
and build, for nothing these answers show.

A ``Member`` answers the attributes of a ``StatementView`` that ``claimsdb.query.
tracing`` reads (``ref``, ``quote``, ``published``, ``article``, ``outlet``, ``speaker``,
``chains``, ``origins``, and the ``type`` of each relation), with the same values.
"""

from __future__ import annotations

import functools
import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, select
from sqlalchemy.engine import Dialect

from claimsdb.query.results import ActorRef, HopView, RelatedStatement, chain_origins
from claimsdb.store.idlists import among_ids, compile_for_ids, rows_for_ids
from claimsdb.store.models import Actor, Article, Hop, Relation, RelationType, Statement

CHUNK = 1000  # ids per IN list: with more, PostgreSQL scans every hop instead of its index


@dataclass(frozen=True)
class Member:
    """A statement as claims and loops read it (see the module's docstring)."""

    id: int
    article: str
    key: str
    quote: str
    published: str | None
    outlet: ActorRef | None
    speaker: ActorRef | None
    chains: tuple[tuple[HopView, ...], ...] = ()
    # Relations with their type only (``RelatedStatement.type``; the rest left blank).
    outgoing: tuple[RelatedStatement, ...] = ()
    incoming: tuple[RelatedStatement, ...] = ()

    @property
    def ref(self) -> str:
        return f"{self.article}#{self.key}"

    @property
    def origins(self) -> tuple[ActorRef, ...]:
        """As ``StatementView.origins``: each chain's original speaker, first chain
        first, each actor once; the speaker for the article's own voice."""
        return chain_origins(self.chains, self.speaker)


# A relation as members carry it: its type only, one shared value per type.
_TYPES = {kind.value: RelatedStatement(kind.value, "", "", None) for kind in RelationType}


def _chunks(items: Sequence[int], size: int = CHUNK) -> Iterator[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class _MemberQueries:
    """What ``load_members`` reads for a chunk of ids, compiled once per dialect and
    run on the driver's cursor (``claimsdb.store.idlists``): through ``conn.execute``
    a third of the reading was SQLAlchemy writing out the IN lists of a thousand ids
    and building rows."""

    def __init__(self, dialect: Dialect) -> None:
        self.hops = compile_for_ids(
            select(Hop.statement_id, Hop.chain, Hop.position, Hop.actor_id)
            .where(among_ids(Hop.statement_id, dialect))
            .order_by(Hop.statement_id, Hop.chain, Hop.position), dialect)
        self.statements = compile_for_ids(
            select(Statement.id, Article.key, Statement.key, Statement.quote,
                   Article.published, Article.outlet_id, Statement.speaker_id)
            .join(Article, Article.id == Statement.article_id)
            .where(among_ids(Statement.id, dialect)), dialect)
        self.outlets = compile_for_ids(
            select(Statement.id, Article.outlet_id)
            .join(Article, Article.id == Statement.article_id)
            .where(among_ids(Statement.id, dialect)), dialect)
        self.relations = tuple(
            compile_for_ids(select(mine, Relation.type).where(among_ids(mine, dialect))
                            .order_by(mine, Relation.type, Relation.id), dialect)
            for mine in (Relation.source_id, Relation.target_id))


@functools.lru_cache(maxsize=4)
def _member_queries(dialect: Dialect) -> _MemberQueries:
    return _MemberQueries(dialect)


def load_members(conn: Connection, ids: Iterable[int], *, relations: bool = True
                 ) -> dict[int, Member]:
    """The members with these ids; ``relations``: with the types of their relations
    (``claimsdb loops`` reads none)."""
    return members_from_rows(read_actors(conn), member_rows(conn, ids, relations=relations))


def read_actors(conn: Connection) -> dict[int, ActorRef]:
    """Every actor as members show it, by id: read once and shared (a few hundred rows,
    where a join gave every row its four columns again)."""
    return {actor_id: ActorRef(key, name, kind, identified) for actor_id, key, name, kind,
            identified in conn.execute(select(Actor.id, Actor.key, Actor.name, Actor.kind,
                                              Actor.identified))}


# The driver's rows for a thousand members: their hops, their statements, and the
# types of their relations (outgoing and incoming; None when not asked for).
MemberRows = tuple[list[tuple], list[tuple], tuple[list[tuple], list[tuple]] | None]


def member_rows(conn: Connection, ids: Iterable[int], *, relations: bool = True
                ) -> list[MemberRows]:
    """What ``load_members`` reads, as the driver gives it: apart from building the
    members, so that a sibling connection can read the next rows while the caller
    builds these (``claimsdb claims``, ``claimsdb.store.siblings``)."""
    queries = _member_queries(conn.dialect)
    return [(rows_for_ids(conn, queries.hops, chunk),
             rows_for_ids(conn, queries.statements, chunk),
             tuple(rows_for_ids(conn, query, chunk) for query in queries.relations)
             if relations else None)
            for chunk in _chunks(sorted(set(ids)))]


def members_from_rows(actors: dict[int, ActorRef], rows: Iterable[MemberRows]
                      ) -> dict[int, Member]:
    """The members that ``member_rows`` read."""
    out: dict[int, Member] = {}
    # A link is only its place and actor here: one immutable HopView for each pair,
    # shared (building one per hop was a third of the time at 1M statements).
    links_seen: dict[tuple[int, int], HopView] = {}

    def link(position: int, actor_id: int) -> HopView:
        found = links_seen.get((position, actor_id))
        if found is None:
            found = links_seen[position, actor_id] = HopView(position, actors[actor_id], None)
        return found

    for hops, statements, relation_rows in rows:
        chains: dict[int, list[tuple[HopView, ...]]] = {}
        for (statement_id, _), links in itertools.groupby(hops, key=lambda r: (r[0], r[1])):
            chains.setdefault(statement_id, []).append(tuple(
                link(position, actor_id) for _, _, position, actor_id in links))
        outgoing, incoming = (_relation_types(*relation_rows) if relation_rows is not None
                              else ({}, {}))
        for statement_id, article, key, quote, published, outlet_id, speaker_id in statements:
            out[statement_id] = Member(
                statement_id, article, key, quote, published, actors.get(outlet_id),
                actors.get(speaker_id), tuple(chains.get(statement_id, ())),
                outgoing.get(statement_id, ()), incoming.get(statement_id, ()))
    return out


def _relation_types(*directions: list[tuple]
                    ) -> tuple[dict[int, tuple[RelatedStatement, ...]], ...]:
    """(outgoing, incoming): each statement's relations, as types only, by id."""
    found = []
    for rows in directions:
        by_id: dict[int, list[RelatedStatement]] = defaultdict(list)
        for statement_id, type_ in rows:
            by_id[statement_id].append(_TYPES.get(type_) or RelatedStatement(type_, "", "", None))
        found.append({k: tuple(v) for k, v in by_id.items()})
    return found[0], found[1]


# A statement's paths as actor ids: each chain's actors, outlet first, origin last.
Paths = tuple[tuple[int, ...], ...]


def load_paths(conn: Connection, ids: Iterable[int]) -> dict[int, Paths]:
    """Each statement's paths as ``tracing.paths`` gives them, in actor ids: the outlet
    (when the article has one) then each chain's actors; the outlet alone, or nothing,
    for the article's own voice. ``claimsdb loops`` looks for an actor met twice in
    these: ids compare as keys do (one actor, one key), and reading ids builds no
    members, which was most of the time of finding loops at a million statements."""
    queries = _member_queries(conn.dialect)
    out: dict[int, Paths] = {}
    for chunk in _chunks(sorted(set(ids))):
        chains: dict[int, list[tuple[int, ...]]] = {}
        rows = rows_for_ids(conn, queries.hops, chunk)
        for (statement_id, _), links in itertools.groupby(rows, key=lambda r: (r[0], r[1])):
            chains.setdefault(statement_id, []).append(tuple(row[3] for row in links))
        for statement_id, outlet_id in rows_for_ids(conn, queries.outlets, chunk):
            start = (outlet_id,) if outlet_id is not None else ()
            found = chains.get(statement_id)
            out[statement_id] = (tuple(start + chain for chain in found) if found
                                 else (start,))
    return out
