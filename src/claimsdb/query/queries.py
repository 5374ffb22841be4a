"""The questions users ask, as functions returning typed rows.

This is claimsdb's Python API as much as the CLI's back end: every function takes a
SQLAlchemy ``Connection`` (see ``claimsdb.store.db.read_connection``) and returns
dataclasses, never Click output. From a notebook::

    from claimsdb.store.db import make_engine, read_connection
    from claimsdb.query import queries

    with read_connection(make_engine("claims.db")) as conn:
        for s in queries.iter_statements(conn):
            print(s.ref, s.speaker.name if s.speaker else None, s.chain_names())

Lists are streamed in batches: one query for a batch of statements, then one query
each for their hops and relations, so the number of queries grows with the number of
batches, never with the number of rows.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Integer,
    Row,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal_column,
    null,
    or_,
    select,
    text,
    tuple_,
    type_coerce,
    union,
    union_all,
)
from sqlalchemy.orm import aliased

from claimsdb.errors import NotFound
from claimsdb.query import actor_counts, filters, search
from claimsdb.query.filters import DENIAL_TYPES as DENIAL_TYPES
from claimsdb.query.filters import StatementFilter as StatementFilter
from claimsdb.query.gc_pause import collector_paused
from claimsdb.query.graph import (
    kept_independent_origin_counts,
    later_denied_among,
    later_denied_ids,
)

# The results live in claimsdb.query.results (no SQLAlchemy); their old names here stay.
from claimsdb.query.results import ActorDetail as ActorDetail
from claimsdb.query.results import ActorRef as ActorRef
from claimsdb.query.results import ActorSummary as ActorSummary
from claimsdb.query.results import ArticleDetail as ArticleDetail
from claimsdb.query.results import ArticleSummary as ArticleSummary
from claimsdb.query.results import DenialView as DenialView
from claimsdb.query.results import HopView as HopView
from claimsdb.query.results import RelatedStatement as RelatedStatement
from claimsdb.query.results import RoleView as RoleView
from claimsdb.query.results import StatementView as StatementView
from claimsdb.query.suggestions import rank, statement_candidates
from claimsdb.query.views import (
    ABOUT,
    CONTEXT_WINDOW,
    HOP,
    INCOMING,
    OUTGOING,
    actor_detail,
    article_detail,
    article_summary,
    build_views,
    group_details,
    span_of,
    speaker_keys,
    with_speakers,
)
from claimsdb.query.views import (
    sentence_around as sentence_around,
)
from claimsdb.store.db import fetch_on_driver, serial_plans
from claimsdb.store.models import (
    Actor,
    ActorAlias,
    ActorCount,
    ActorRole,
    Article,
    Hop,
    Identification,
    Relation,
    RelationType,
    Statement,
    StatementAbout,
    StatementTopic,
)

BATCH = 1000


# -- resolving references ----------------------------------------------------------------

def find_actor(conn: Connection, name: str) -> ActorRef:
    """An actor by key, then by name or alias (case-insensitive); ambiguity is an error."""
    row = conn.execute(_actor_by_key(), {"actor_key": name}).first()
    if row is not None:
        return ActorRef(*row)
    rows = conn.execute(_actors_named(), {"folded": filters.folded_name(name)}).all()
    if len(rows) == 1:
        return ActorRef(*rows[0])
    if len(rows) > 1:
        raise NotFound(f"'{name}' names several actors; use a key:",
                       [f"{r.key}  ({r.name}, {r.kind})" for r in rows])
    from claimsdb.query.suggestions import suggest_actors

    similar = suggest_actors(conn, name)
    candidates = [f"{s.key}  ({s.candidate.labels[0]})" if s.kind == "key" else
                  f"{s.key}  ({s.candidate.labels[0]}; {s.kind} '{s.matched}')"
                  if s.kind == "alias" else f"{s.key}  ({s.matched})" for s in similar]
    raise NotFound(f"no actor '{name}'" + ("; did you mean:" if candidates else ""), candidates)


@functools.cache
def _actors_named() -> Select:
    """The actors with a name or alias, lower-cased, equal to ``folded``, by key."""
    folded = bindparam("folded", type_=String)  # (as a string compared to lower() was)
    return (select(Actor.key, Actor.name, Actor.kind, Actor.identified)
            .where(or_(func.lower(Actor.name) == folded,
                       Actor.id.in_(select(ActorAlias.actor_id)
                                    .where(func.lower(ActorAlias.alias) == folded))))
            .order_by(Actor.key))


@functools.cache
def _actor_id_by_key() -> Select:
    return select(Actor.id).where(Actor.key == bindparam("actor_key"))


def _actor_id(conn: Connection, name: str) -> int:
    key = find_actor(conn, name).key
    return conn.execute(_actor_id_by_key(), {"actor_key": key}).scalar_one()


def fts_available(conn: Connection) -> bool:
    """Whether the full-text index exists (SQLite may be built without FTS5)."""
    if conn.dialect.name == "postgresql":
        return True
    return conn.execute(text(search.FTS_TABLE_PROBE)).first() is not None


def search_condition(conn: Connection, words: str) -> ColumnElement[bool]:
    """Statements whose quote has every word of ``words`` (see ``claimsdb.query.search``:
    stemmed, ``word*`` for a prefix, alike on both backends)."""
    (condition,) = filters.conditions(StatementFilter(search=words), _Lookups(conn))
    return CONDITIONS[condition.name](**condition.values)


class _Lookups:
    """What deciding a filter asks the database (``claimsdb.query.filters``), through
    SQLAlchemy: a name that matches nothing is refused with suggestions."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.dialect = conn.dialect.name

    def article_id(self, key: str) -> int:
        return require_article(self.conn, key)

    def actor_id(self, name: str) -> int:
        return _actor_id(self.conn, name)

    def hop_identifications(self) -> bool:
        return self.conn.execute(_hop_identification_probe()).first() is not None

    def later_chains(self) -> bool:
        return self.conn.execute(_later_chain_probe()).first() is not None

    def full_text_index(self) -> bool:
        return fts_available(self.conn)

    def statements_high(self) -> int:
        return self.conn.execute(_statement_id_high()).scalar_one()

    def matches_at_least(self, condition: filters.Condition, n: int) -> bool:
        counted = self.conn.execute(_matches_counted(condition.name),
                                    {**condition.values, "cap": n}).scalar_one()
        return counted >= n

    def first_search_matches(self, fts_query: str, limit: int) -> list[tuple[int, int]]:
        return [tuple(row) for row in self.conn.execute(
            _first_fts_matches(), {"fts_query": fts_query, "limit": limit})]

    def first_via_statements(self, via_id: int, limit: int) -> list[tuple[int, int]]:
        return [tuple(row) for row in self.conn.execute(
            _first_via_statements(), {"via_id": via_id, "limit": limit})]

    def later_statement_of_earlier_article(self, article_id: int, statement_id: int) -> bool:
        return self.conn.execute(_later_statement_of_earlier_article(), {
            "article_id": article_id, "statement_id": statement_id}).first() is not None

    def later_denied_ids(self, among: list[filters.Condition], first: int | None
                         ) -> list[int]:
        if first is not None:
            found = _first_later_denied(self.conn, among, first)
            if found is not None:
                return found
        return sorted(later_denied_ids(self.conn))


# A first page of --later-denied walks the statements in list order, this many at a
# time (doubling up to the last), testing each claim; after ``_LATER_DENIED_WALK``
# statements without a full page, finding all of them at once costs less.
_LATER_DENIED_CHUNKS = (500, 1000, 2000, 4000)
_LATER_DENIED_WALK = 20_000


def _first_later_denied(conn: Connection, among: list[filters.Condition], first: int
                        ) -> list[int] | None:
    """The first ``first`` later-denied statements meeting ``among``, in list order, or
    None when they are too sparse to find this way.

    Finding every later-denied statement reads every claim and denial of the database
    (``graph.later_denied_ids``: 50 ms at 100k statements, growing with it); a first
    page needs only the statements before its last row, whose claims
    ``graph.later_denied_among`` walks from them."""
    conditions = [CONDITIONS[condition.name](**condition.values) for condition in among]
    order = (Statement.article_id, Statement.id)
    found: list[int] = []
    after: tuple[int, int] | None = None
    walked = 0
    chunks = iter(_LATER_DENIED_CHUNKS)
    size = next(chunks)
    while len(found) < first:
        if walked >= _LATER_DENIED_WALK:
            return None
        query = select(*order).where(*conditions)
        if after is not None:
            query = query.where(tuple_(*order) > tuple_(*after))
        rows = conn.execute(query.order_by(*order).limit(size)).all()
        if not rows:
            break
        ids = [row.id for row in rows]
        hits = later_denied_among(conn, ids)
        found += [statement_id for statement_id in ids if statement_id in hits]
        after, walked = tuple(rows[-1]), walked + len(rows)
        size = next(chunks, size)
    return found[:first]


def _filter_conditions(conn: Connection, flt: StatementFilter, *, first_rows: bool = False
                       ) -> list[ColumnElement[bool]]:
    return [CONDITIONS[condition.name](**condition.values)
            for condition in filters.conditions(flt, _Lookups(conn), first_rows=first_rows)]


# -- the conditions of a filter ----------------------------------------------------------
#
# One function per condition (and per shape of one), of its values: ``filters.conditions``
# decides which apply and with which values. Every value is a named parameter, so that
# a condition compiles to the same SQL whatever others it is combined with:
# ``claimsdb.query.compile_reads`` compiles each one ahead of time, and the driver-level
# read path (``claimsdb.query.listpath``) joins them with AND as SQLAlchemy does.

def _article_condition(article_id: int | None = None) -> ColumnElement[bool]:
    return Statement.article_id == bindparam("article_id", article_id)


def _speaker_condition(speaker_id: int | None = None, *, with_members: bool = False,
                       walk: bool = False) -> ColumnElement[bool]:
    return spoken_by(bindparam("speaker_id", speaker_id), with_members=with_members,
                     walk=walk)


def _speaker_first_chain_condition(speaker_id: int | None = None) -> ColumnElement[bool]:
    # Every chain is a first chain (``filters.conditions`` asks), so the stored speaker
    # is the only origin: a plain equality reads ``ix_statements_speaker_id_article_id_id``
    # in list order, and a first page stops after its rows (the IN over a UNION of
    # ``_speaker_condition`` found and sorted every statement of the speaker first:
    # 13,000 at 1M statements).
    return Statement.speaker_id == bindparam("speaker_id", speaker_id)


def _speaker_with_members_first_chain_condition(speaker_id: int | None = None
                                                ) -> ColumnElement[bool]:
    # As ``_speaker_first_chain_condition``, for the actor and those holding a role at
    # it: their ids (a handful) lead, each read from the speaker index. The IN over a
    # UNION of their statements had PostgreSQL hash every statement of the database to
    # join them (0.49 s for the first 50 of 33,000 at 1M statements).
    speaker = bindparam("speaker_id", speaker_id)
    return Statement.speaker_id.in_(union(
        select(Actor.id).where(Actor.id == speaker),
        select(ActorRole.actor_id).where(ActorRole.of_actor_id == speaker)))


def _via_condition(via_id: int | None = None) -> ColumnElement[bool]:
    return passed_through(bindparam("via_id", via_id))


def _via_upto_condition(via_id: int | None = None, statement_high: int | None = None
                        ) -> ColumnElement[bool]:
    """A first page of ``--via`` known to lie among the actor's chain links up to
    statement id ``statement_high`` and its articles' statements
    (``filters.first_via_page`` says when): the links are read no further."""
    return passed_through(bindparam("via_id", via_id),
                          links_upto=bindparam("statement_high", statement_high, type_=Integer))


def _first_via_statements() -> Select:
    """The first ``:limit`` statements with actor ``:via_id`` in a chain, in statement
    id order, with their articles: read from the start of the actor's range of
    ``ix_chain_hops_actor_id_statement_id``, which stops after them."""
    links = (select(Hop.statement_id).where(Hop.actor_id == bindparam("via_id", type_=Integer))
             .distinct().order_by(Hop.statement_id).limit(bindparam("limit", type_=Integer)))
    return select(Statement.id, Statement.article_id).where(Statement.id.in_(links))


def _kind_condition(kind: str | None = None) -> ColumnElement[bool]:
    return Statement.kind == bindparam("kind", kind, type_=Statement.kind.type)


def _walked_id(walk: bool) -> ColumnElement[int]:
    """The statement id an IN condition tests: ``walk``, as ``statements.id + 0``, so that
    SQLite walks list order and tests each statement (``filters.WALKED`` says when)."""
    return Statement.id + _constant(0) if walk else Statement.id


def _matched(matches: Select, statement_id: Any, *, walk: bool = False, probe: bool = False
             ) -> ColumnElement[bool]:
    """A statement is among ``matches`` (its column ``statement_id`` holds the ids):
    ``probe``, as EXISTS of its own row, which SQLite asks of each statement as it walks
    list order, reading one index entry (``filters.PROBED`` says when); else as IN the
    list (``walk``: see ``_walked_id``)."""
    if probe:
        return matches.where(statement_id == Statement.id).exists()
    return _walked_id(walk).in_(matches)


def _denied_matches() -> Select:
    return select(Relation.target_id).where(
        Relation.type == bindparam("denied_type", RelationType.DENIES.value,
                                   type_=Relation.type.type))


def _denials_matches() -> Select:
    return select(Relation.source_id).where(
        Relation.type == bindparam("denying_type", RelationType.DENIES.value,
                                   type_=Relation.type.type))


def _about_matches(about_id: int | None = None) -> Select:
    return select(StatementAbout.statement_id).where(
        StatementAbout.actor_id == bindparam("about_id", about_id))


def _topic_matches(topic: str | None = None) -> Select:
    return select(StatementTopic.statement_id).where(
        StatementTopic.topic == bindparam("topic", topic, type_=StatementTopic.topic.type))


def _denied_condition(*, walk: bool = False, probe: bool = False) -> ColumnElement[bool]:
    return _matched(_denied_matches(), Relation.target_id, walk=walk, probe=probe)


def _denials_condition(*, walk: bool = False, probe: bool = False) -> ColumnElement[bool]:
    return _matched(_denials_matches(), Relation.source_id, walk=walk, probe=probe)


def _about_condition(about_id: int | None = None, *, walk: bool = False, probe: bool = False
                     ) -> ColumnElement[bool]:
    return _matched(_about_matches(about_id), StatementAbout.statement_id, walk=walk,
                    probe=probe)


def _search_postgresql_condition(search_query: str | None = None) -> ColumnElement[bool]:
    return search.postgres_match(Statement.quote, search_query)


def _fts_matches(fts_query: str | None = None) -> Select:
    """The statements whose quote matches (SQLite's full-text table), in rowid order
    when ordered: the order in which FTS5 reads its lists, and stops."""
    return (select(text("rowid")).select_from(text("statements_fts"))
            .where(text("statements_fts MATCH :fts_query").bindparams(fts_query=fts_query)))


def _search_fts_condition(fts_query: str | None = None, *, walk: bool = False
                          ) -> ColumnElement[bool]:
    return _walked_id(walk).in_(_fts_matches(fts_query))


def _search_fts_upto_condition(fts_query: str | None = None, rowid_high: int | None = None
                               ) -> ColumnElement[bool]:
    """A first page of ``--search`` whose rows are known to lie among the matches up to
    statement id ``rowid_high`` (``filters.first_search_page`` says when): FTS5 reads
    its lists no further than that id."""
    return Statement.id.in_(_fts_matches(fts_query).where(
        text("rowid <= :rowid_high").bindparams(
            bindparam("rowid_high", rowid_high, type_=Integer))))


def _first_fts_matches() -> Select:
    """The first ``:limit`` matches of ``:fts_query`` in statement id order, with their
    articles: FTS5 stops after them (0.06 ms at a million statements, where listing
    every match of two common words took 11 ms)."""
    return (select(Statement.id, Statement.article_id)
            .where(Statement.id.in_(_fts_matches().order_by(text("rowid"))
                                    .limit(bindparam("limit", type_=Integer)))))


def _later_statement_of_earlier_article() -> Select:
    """Whether a statement with an id above ``:statement_id`` belongs to an article
    before ``:article_id`` in list order: read from ``ix_statements_article_id_id``
    over the articles before that one (``id + 0``: not from the primary key over every
    later statement)."""
    return (select(literal_column("1"))
            .where(Statement.article_id < bindparam("article_id", type_=Integer),
                   Statement.id + _constant(0) > bindparam("statement_id", type_=Integer))
            .limit(1))


def _search_substring_condition(terms: tuple[search.Term, ...] = ()) -> ColumnElement[bool]:
    return search.substring_condition(Statement.quote, list(terms))


def _topic_condition(topic: str | None = None, *, walk: bool = False, probe: bool = False
                     ) -> ColumnElement[bool]:
    return _matched(_topic_matches(topic), StatementTopic.statement_id, walk=walk,
                    probe=probe)


def _later_denied_condition(later_denied_ids: list[int] | None = None) -> ColumnElement[bool]:
    # Integers only, so inlining them is safe, and no parameter limit applies.
    ids = bindparam("later_denied_ids", later_denied_ids or [], expanding=True,
                    literal_execute=True)
    return Statement.id.in_(ids)


def _published_condition(since: str | None = None, until: str | None = None, *,
                         after: bool = True, before: bool = True, bounded: bool = False
                         ) -> ColumnElement[bool]:
    """Statements of the articles published in the range; ``bounded``: see
    ``_first_dated``."""

    def in_range(article: Any) -> list[ColumnElement[bool]]:
        published, found = article.published, []
        if after:
            found.append(published >= bindparam("since", since, type_=published.type))
        if before:
            found.append(published < bindparam("until", until, type_=published.type))
        return found

    dated = select(Article.id).where(*in_range(Article))
    if bounded:
        dated = dated.where(Article.id >= _first_dated(in_range))
    return Statement.article_id.in_(dated)


# How many articles, in id order, a first page dated by ``--since``/``--until`` looks at
# for its first match before asking the date index (``_first_dated``).
FIRST_DATED_WALK = 100


def _first_dated(in_range: Any) -> Any:
    """The least id of the articles in a date range, found within its bounded cost: the
    first match among the first ``FIRST_DATED_WALK`` articles in id order (a range of
    early dates: most articles match), else the least id the date index finds (a late
    range: the articles it holds are few); past every id when none matches.

    PostgreSQL walks the articles in id order for a first page of a date range and tests
    each one's date, counting on the matches being spread evenly; dates grow with ids,
    so a late range walked every article before it (44,942 at a million statements,
    2.6x the 100k time). From this bound the walk starts at the first match. The bound
    is exact, so the rows are the same."""
    first = (select(Article.id, Article.published).order_by(Article.id)
             .limit(FIRST_DATED_WALK).subquery("first_articles")).c
    anywhere = aliased(Article, name="dated_anywhere")
    # ``id + 0``: the least id read from the date index's matches, not by walking the
    # primary key in order until one matches (which is what is being avoided).
    return select(func.coalesce(
        select(func.min(first.id)).where(*in_range(first)).scalar_subquery(),
        select(func.min(anywhere.id + literal_column("0"))).where(*in_range(anywhere))
        .scalar_subquery(),
        literal_column(str(2**31 - 1)))).scalar_subquery()


def _origin_shape(shape: str, named: bool) -> Any:
    def condition(origin: str | None = None) -> ColumnElement[bool]:
        return origin_condition(shape, named, origin)

    return condition


CONDITIONS: dict[str, Any] = {
    "article": _article_condition,
    "speaker": _speaker_condition,
    "speaker_with_members": functools.partial(_speaker_condition, with_members=True),
    "speaker_first_chain": _speaker_first_chain_condition,
    "speaker_with_members_first_chain": _speaker_with_members_first_chain_condition,
    "via": _via_condition,
    "via_upto": _via_upto_condition,
    **{filters.origin_condition_name(shape, origin): _origin_shape(shape, origin == "named")
       for shape in filters.ORIGIN_SHAPES for origin in ("named", "role")},
    "kind": _kind_condition,
    "denied": _denied_condition,
    "denials": _denials_condition,
    "about": _about_condition,
    "search_postgresql": _search_postgresql_condition,
    "search_fts": _search_fts_condition,
    "search_fts_upto": _search_fts_upto_condition,
    "search_substring": _search_substring_condition,
    "topic": _topic_condition,
    "later_denied": _later_denied_condition,
    "published_since": functools.partial(_published_condition, before=False),
    "published_until": functools.partial(_published_condition, after=False),
    "published_since_until": _published_condition,
    **{f"published_{dates}_bounded": functools.partial(CONDITION, bounded=True)
       for dates, CONDITION in (
           ("since", functools.partial(_published_condition, before=False)),
           ("until", functools.partial(_published_condition, after=False)),
           ("since_until", _published_condition))},
}
CONDITIONS.update({filters.walked(name): functools.partial(CONDITIONS[name], walk=True)
                   for name in filters.WALKED})
CONDITIONS.update({filters.probed(name): functools.partial(CONDITIONS[name], probe=True)
                   for name in filters.PROBED})
# The conditions the driver-level read path cannot run: a search without SQLite's
# full-text table (a LIKE per word), and the later-denied statements (found by
# walking the claim graph in Python).
NOT_ON_DRIVER = frozenset({"search_substring", "later_denied"})
# The conditions of one backend only (``filters.conditions`` names them by dialect).
ONE_DIALECT = {"search_fts": "sqlite", "search_fts_upto": "sqlite", "via_upto": "sqlite",
               "search_postgresql": "postgresql",
               **{f"published_{dates}_bounded": "postgresql"
                  for dates in ("since", "until", "since_until")},
               **{filters.walked(name): "sqlite" for name in filters.WALKED},
               **{filters.probed(name): "sqlite" for name in filters.PROBED}}
# What each probed condition matches (``filters.PROBED``), to count how many statements
# it matches before choosing its shape: the statement ids, and the parameters given.
MATCHES: dict[str, Any] = {"denied": _denied_matches, "denials": _denials_matches,
                           "about": _about_matches, "topic": _topic_matches,
                           "search_fts": _fts_matches}  # (SQLite only, as the condition)


def _matches_counted(name: str) -> Select:
    """How many statements condition ``name`` matches, counting no further than
    ``:cap`` (an index range read that stops there)."""
    return select(func.count()).select_from(
        MATCHES[name]().limit(bindparam("cap", type_=Integer)).subquery("matching"))


def _statement_id_high() -> Select:
    """The highest statement id: the number of statements, near enough, read from the
    end of the primary key (a count reads every row)."""
    return select(func.coalesce(func.max(Statement.id), 0))


def spoken_by(speaker_id: int | Any, *, with_members: bool = False, walk: bool = False
              ) -> ColumnElement[bool]:
    """Statements whose original speaker, of any of their chains, is this actor (an id,
    or a bound parameter for one): the first chain's is the stored speaker; a later
    chain's is found through the hops of later chains. One IN over a UNION (as for
    ``passed_through``), each part read through its own index. ``with_members``: also
    the actors holding a role at it. ``walk``: see ``_walked_id``."""
    parts = [select(Statement.id).where(Statement.speaker_id == speaker_id)]
    later = Hop.actor_id == speaker_id
    if with_members:
        # (a part of its own, not an OR: each part reads the speaker index)
        members = select(ActorRole.actor_id).where(ActorRole.of_actor_id == speaker_id)
        parts.append(select(Statement.id).where(Statement.speaker_id.in_(members)))
        later = or_(later, Hop.actor_id.in_(members))
    return _walked_id(walk).in_(union(*parts, later_origins(later)))


def passed_through(via_id: int | Any, *, links_upto: Any = None) -> ColumnElement[bool]:
    """Statements that passed through this actor (an id, or a bound parameter for one):
    anywhere in any chain, or as the article's outlet; ``links_upto``: the chain links
    only up to that statement id (a bound parameter).

    One IN over a UNION, not an OR of two INs: PostgreSQL cannot combine two hashed
    subplans through indexes and scanned every statement (190 ms at 1M statements);
    this way both backends start from the actor's chain links and articles."""
    outlet_statements = (select(Statement.id).join(Article, Statement.article_id == Article.id)
                         .where(Article.outlet_id == via_id))
    links = select(Hop.statement_id).where(Hop.actor_id == via_id)
    if links_upto is not None:
        links = links.where(Hop.statement_id <= links_upto)
    return Statement.id.in_(links.union(outlet_statements))


def later_origins(actor_condition: ColumnElement[bool] | None = None) -> Select:
    """The statements where an actor meeting ``actor_condition`` (on ``Hop.actor_id``)
    is the original speaker of a chain after the first: the last hop of its chain.

    The first chain's origin is ``statements.speaker_id``, which has its own index;
    later chains are rare, and the partial index ``ix_chain_hops_later_chains``
    (chain > 0, written as a constant so that both backends can use it) holds only
    their hops, so this costs nothing on a database of single-chain statements."""
    following = aliased(Hop, name="following")
    query = select(Hop.statement_id) if actor_condition is None else \
        select(Hop.statement_id).where(actor_condition)
    return (query
            .where(Hop.chain > _constant(0),
                   ~select(following.position)
                   .where(following.statement_id == Hop.statement_id,
                          following.chain == Hop.chain,
                          following.position == Hop.position + _constant(1))
                   .exists()))


def _last_hop_of_first_chain(hop: type[Hop] | Any) -> ColumnElement[bool]:
    """``hop`` is the origin's hop: the last of the statement's first chain (the one
    its stored speaker comes from). Through the primary key: (statement, chain, position)."""
    later = aliased(Hop, name="later_hop")
    # (a named parameter: the driver-level read path runs this inside joined conditions)
    return and_(hop.chain == bindparam("first_chain", 0), ~exists().where(
        later.statement_id == hop.statement_id, later.chain == hop.chain,
        later.position > hop.position))


def origin_overrides() -> Any:
    """(statement_id, identified) of the statements whose origin hop gives its own
    identification: few rows, found through the index on ``chain_hops.identified``."""
    return (select(Hop.statement_id.label("statement_id"),
                   Hop.identified.label("identified"))
            .where(Hop.identified.is_not(None), _last_hop_of_first_chain(Hop))
            .subquery("origin_overrides"))


def origin_identification(speaker_identified: Any, override: Any) -> ColumnElement[str]:
    """How an origin is identified where the article cites it: the origin hop's own
    ``identified`` when the file gives one, else the speaker's; a statement without a
    speaker (the own voice of an article without an outlet) counts as named."""
    return func.coalesce(override, speaker_identified, Identification.NAMED.value)


def _last_hop_of_chain(hop: type[Hop] | Any) -> ColumnElement[bool]:
    """``hop`` is the last of its chain: the origin of that chain."""
    later = aliased(Hop, name="later_hop")
    return ~exists().where(later.statement_id == hop.statement_id, later.chain == hop.chain,
                           later.position > hop.position)


@functools.cache
def _hop_identification_probe() -> Select:
    """Whether any chain link gives its own identification (``filters.origin_shape``).
    Ordered by the indexed column, so that SQLite seeks ``ix_chain_hops_identified``
    rather than scanning every hop for one (0.17 s at 1M statements, where none does:
    every ``--origin`` list paid it)."""
    return (select(Hop.statement_id).where(Hop.identified.is_not(None))
            .order_by(Hop.identified).limit(1))


@functools.cache
def _later_chain_probe() -> Select:
    """Whether any statement has a later chain. Ordered by the partial index's first
    column, so that SQLite reads that index (a probe) rather than scanning every hop
    (15 ms at 100k statements)."""
    return (select(Hop.statement_id).where(Hop.chain > _constant(0))
            .order_by(Hop.actor_id).limit(1))


def origin_condition(shape: str, named: bool, origin: str | None = None
                     ) -> ColumnElement[bool]:
    """Statements where at least one chain's origin is identified as ``origin`` (the
    origin hop's own ``identified`` when given, else its actor's; see
    ``origin_identification``), so that both backends start from indexes; ``named``:
    ``origin`` is "named", which also takes a statement without a speaker. The
    ``shape`` (``filters.origin_shape`` picks it) fits what the database holds:

    Without a single hop that sets its own ``identified`` and without later chains
    (every version-1 database), the speaker index answers alone (``speaker``), and a
    more selective filter beside it can still lead the plan. With later chains but no
    hop identification (``later_chains``), the later chains join as a correlated
    EXISTS through the partial index ``ix_chain_hops_later_chains``. Otherwise
    (``union``) one IN over a UNION: the speaker index for actors identified so (less
    the statements whose first origin hop says otherwise), the hop index for origin
    hops that say so, and the later chains' origins without their own
    identification. Asking which costs one probe of each of
    ``ix_chain_hops_identified`` and ``ix_chain_hops_later_chains``.

    ``unindexed``: only the first rows in article order are wanted (a page of the
    workbench, ``--limit``) on SQLite; see below."""
    value = bindparam("origin", origin, type_=Actor.identified.type)
    actors = select(Actor.id).where(Actor.identified == value)
    if shape == filters.ORIGIN_UNINDEXED:
        # Every origin kind is a large share of the statements: walking article order
        # and testing each row gives the first rows at once, where SQLite's choice,
        # the speaker index, finds and sorts every match first (0.7 ms against 370 ms
        # for the first 51 of ?origin=anonymous at 100k statements). ``+ 0`` keeps the
        # index out of the plan; a more selective filter beside it (an article,
        # --via) still leads. A whole list keeps the index (reading every match once,
        # it is the shorter way). Named origins include the statements without a
        # speaker: both tests on ``+ 0``, or SQLite answers the OR through the index,
        # every match found and sorted first (1.1 s for the first 51 at 100k).
        unindexed = Statement.speaker_id + _constant(0)
        if named:
            return or_(unindexed.in_(actors), unindexed.is_(None))
        return unindexed.in_(actors)
    by_speaker = Statement.speaker_id.in_(actors)
    if named:
        by_speaker = or_(by_speaker, Statement.speaker_id.is_(None))
    if shape == filters.ORIGIN_BY_SPEAKER:
        return by_speaker
    if shape == filters.ORIGIN_LATER_CHAINS:
        return or_(by_speaker, later_origins(Hop.actor_id.in_(actors))
                   .where(Hop.statement_id == Statement.id).exists())
    said_otherwise = exists().where(Hop.statement_id == Statement.id,
                                    Hop.identified.is_not(None),
                                    _last_hop_of_first_chain(Hop))
    by_actor = select(Statement.id).where(by_speaker, ~said_otherwise)
    by_hop = select(Hop.statement_id).where(Hop.identified == value,
                                            _last_hop_of_chain(Hop))
    by_later_actor = later_origins(and_(Hop.actor_id.in_(actors), Hop.identified.is_(None)))
    return Statement.id.in_(by_actor.union(by_hop, by_later_actor))


def filtered_statement_ids(conn: Connection, flt: StatementFilter) -> Select:
    """The ids of the statements a filter selects, in article then file order."""
    query = select(Statement.id).where(*_filter_conditions(conn, flt)).order_by(
        Statement.article_id, Statement.id)
    return query.limit(flt.limit) if flt.limit is not None else query


def find_statement_id(conn: Connection, ref: str) -> int:
    """The id of ``ARTICLE#STATEMENT``, or of a bare statement key that is unique."""
    ref = ref.strip()
    if "#" in ref:
        article_key, statement_key = ref.rsplit("#", 1)
        found = conn.execute(_statement_by_ref(), {"article_key": article_key,
                                                   "statement_key": statement_key}).scalar()
        if found is not None:
            return found
        article_id = conn.execute(select(Article.id).where(Article.key == article_key)).scalar()
        if article_id is None:
            similar = _similar_articles(conn, article_key)
            raise NotFound(f"no article '{article_key}' is stored"
                           + ("; did you mean:" if similar else ""), similar)
        candidates = rank(statement_key, statement_candidates(conn, statement_key, article_id))
        raise NotFound(f"article '{article_key}' has no statement '{statement_key}'"
                       + ("; did you mean:" if candidates else ""), [c.key for c in candidates])
    rows = conn.execute(_statements_with_key(), {"statement_key": ref}).all()
    if len(rows) == 1:
        return rows[0].id
    if len(rows) > 1:
        raise NotFound(f"statement key '{ref}' is in several articles; say which one:",
                       [f"{article}#{ref}" for _, article in rows[:20]])
    similar = rank(ref, statement_candidates(conn, ref), n=10)
    raise NotFound(f"no statement '{ref}'" + ("; did you mean:" if similar else
                                               " (use ARTICLE#STATEMENT)"),
                   [c.key for c in similar])


def _similar_articles(conn: Connection, key: str) -> list[str]:
    """Stored articles a misspelt key (or a title) may mean, as lines to show."""
    from claimsdb.query.suggestions import suggest_articles

    return [f"{s.key}  ({s.candidate.labels[0]})" for s in suggest_articles(conn, key)]


# -- statements --------------------------------------------------------------------------
#
# The statements of the hot paths (a chain lookup, each batch of a list or an export)
# are built once, with bound parameters, and reused: building a select with aliased
# entities costs milliseconds of Python, and a reused statement also keeps its cache
# key, so SQLAlchemy goes straight to the compiled SQL.

def _constant(number: int) -> ColumnElement[int]:
    return literal_column(str(int(number)), Integer)


@functools.cache
def _statement_by_ref() -> Select:
    return (select(Statement.id).join(Article, Statement.article_id == Article.id)
            .where(Article.key == bindparam("article_key"),
                   Statement.key == bindparam("statement_key")))


@functools.cache
def _statements_with_key() -> Select:
    """The statements with a key, in any article (enough of them to say it is ambiguous)."""
    return (select(Statement.id, Article.key).join(Article, Statement.article_id == Article.id)
            .where(Statement.key == bindparam("statement_key")).limit(21))


@functools.cache
def _statement_by_id() -> Select:
    return _statement_select().where(Statement.id == bindparam("statement_id"))


@functools.cache
def _statement_row_by_ref() -> Select:
    return _statement_select().where(Article.key == bindparam("article_key"),
                                     Statement.key == bindparam("statement_key"))


@functools.cache
def _statement_select() -> Select:
    speaker = aliased(Actor, name="speaker")
    outlet = aliased(Actor, name="outlet")
    # Constants of the code, written into the SQL rather than bound: SQLAlchemy then
    # has fewer parameters to process on every execution of this hot statement.
    width = _constant(CONTEXT_WINDOW)
    window_start = case(
        (Statement.span_start > width, Statement.span_start - width),
        else_=_constant(0),
    )
    return (
        select(
            Statement.id, Article.key.label("article"), Statement.key, Statement.quote,
            Statement.kind, Statement.span_start, Statement.span_end, Statement.stated_on,
            Article.title.label("article_title"), Article.published, Article.url,
            outlet.key.label("outlet_key"), outlet.name.label("outlet_name"),
            outlet.kind.label("outlet_kind"), outlet.identified.label("outlet_identified"),
            speaker.key.label("speaker_key"), speaker.name.label("speaker_name"),
            speaker.kind.label("speaker_kind"), speaker.identified.label("speaker_identified"),
            window_start.label("window_start"),
            func.substr(
                Article.text, window_start + _constant(1),
                Statement.span_end - window_start + width,
            ).label("window"),
            Article.language, Statement.translated_from, Statement.original,
        )
        .join(Article, Statement.article_id == Article.id)
        .outerjoin(speaker, Statement.speaker_id == speaker.id)
        .outerjoin(outlet, Article.outlet_id == outlet.id)
    )


def statement(conn: Connection, ref: str) -> StatementView:
    """One statement with its chain, relations and context sentence."""
    rows = []
    if "#" in ref:  # the usual ARTICLE#STATEMENT: straight to the row, one round trip
        article_key, statement_key = ref.strip().rsplit("#", 1)
        rows = fetch_on_driver(conn, _statement_row_by_ref(),
                                {"article_key": article_key, "statement_key": statement_key})
    if not rows:  # a bare key, or nothing stored: resolve it (or say what is close)
        statement_id = find_statement_id(conn, ref)
        rows = conn.execute(_statement_by_id(), {"statement_id": statement_id}).all()
    return _enrich(conn, rows)[0]


def iter_statements(conn: Connection, flt: StatementFilter | None = None, *,
                    batch: int = BATCH, context: bool = True) -> Iterator[StatementView]:
    """The statements a filter selects (all by default), in article then file order.

    Streamed: rows arrive in batches of ``batch``, each enriched with one more query.
    ``context=False``: see ``build_views``.
    """
    for rows, details in statement_batches(conn, flt, batch=batch):
        yield from _views(rows, details, context=context)


def statement_batches(conn: Connection, flt: StatementFilter | None = None, *,
                      batch: int = BATCH, lean: bool = False
                      ) -> Iterator[tuple[Sequence[Row], StatementDetails]]:
    """``iter_statements`` before the views are built: each batch's statement rows
    (the columns of ``_statement_select``) and their details as plain tuples. A CSV
    export of millions of statements flattens these directly; building a view object
    per statement, chain link and actor would cost it more than the database does.

    The filter is resolved (and a bad one refused) when this is called, not when the
    first batch is read. ``lean``: see ``StatementDetails.load``.
    """
    flt = flt or StatementFilter()
    query = statement_list(_filter_conditions(conn, flt, first_rows=True), limit=flt.limit,
                           limited=flt.limit is not None)

    def batches() -> Iterator[tuple[Sequence[Row], StatementDetails]]:
        result = conn.execute(query.execution_options(yield_per=batch))
        for partition in result.partitions():
            yield partition, StatementDetails.load(conn, [row.id for row in partition],
                                                   lean=lean)

    return batches()


def statement_list(conditions: Sequence[ColumnElement[bool]], *, limit: int | None = None,
                   limited: bool = False, wide: bool | None = None) -> Select:
    """The statements meeting ``conditions``, in article then file order; the first
    ``limit`` when ``limited`` (``wide``: see ``_limit``).

    A first page is chosen by id alone, then its rows read: SQLite computes every
    column of a row (the context window cut from the article's text among them)
    before it sorts, so a filter answered through an IN subquery (``--denied``,
    ``--about``, ``--search``) built and sorted the whole row of every match for 50
    of them (3,100 at 100k statements, 31,000 at 1M); sorting their ids alone costs a
    fraction of that, and where the matches are many the ids are read in list order
    from ``ix_statements_article_id_id`` and the page stops after its rows."""
    order = (Statement.article_id, Statement.id)
    if not limited:
        return _statement_select().where(*conditions).order_by(*order)
    page = (select(Statement.id).where(*conditions).order_by(*order)
            .limit(_limit(limit, wide)).correlate(None))
    return _statement_select().where(Statement.id.in_(page)).order_by(*order)


def _limit(limit: int | None, wide: bool | None = None) -> Any:
    """A LIMIT as a named parameter (the driver-level read path binds it by name), typed
    as SQLAlchemy types a number: BIGINT from 2**31 on (``filters.wide_limit``), which
    PostgreSQL's SQL then casts to; ``wide`` for a query compiled without the number."""
    wide = filters.wide_limit(limit) if wide is None else wide
    return bindparam("limit", limit, type_=BigInteger if wide else Integer)


@functools.cache
def _statements_by_ids() -> Select:
    return _statement_select().where(Statement.id.in_(bindparam("statement_ids",
                                                               expanding=True)))


def _actor(prefix: str, row) -> ActorRef | None:
    key = getattr(row, f"{prefix}_key")
    if key is None:
        return None
    return ActorRef(key, getattr(row, f"{prefix}_name"), getattr(row, f"{prefix}_kind"),
                    getattr(row, f"{prefix}_identified"))


def _views(rows: Sequence, details: StatementDetails, *, context: bool = True
           ) -> list[StatementView]:
    return build_views(rows, details.hops, details.related, details.about, context=context)


def _enrich(conn: Connection, rows: Sequence, *, context: bool = True) -> list[StatementView]:
    """Attach chains, relations and about-actors to a batch with one more query
    (``context=False``: see ``build_views``)."""
    return _views(rows, StatementDetails.load(conn, [row[0] for row in rows]),
                  context=context)


_IDS = "statement_ids"
_NO_HOP_VALUES = tuple(null() for _ in range(6))  # the hop-only columns of other branches
_HOP, _OUTGOING, _INCOMING, _ABOUT = HOP, OUTGOING, INCOMING, ABOUT


@functools.cache
def _details_query(one: bool = False, lean: bool = False, ranged: bool = False,
                   of_article: bool = False) -> Select:
    """Chain links, relations both ways and about-actors of a set of statements, as one
    query (UNION ALL of ``_detail_branches``): one round trip instead of four, which is
    most of a chain lookup's time, on a server above all. ``of_article``: those of
    every statement of the article ``article_id``."""
    combined = union_all(*_detail_branches(one, lean, ranged, of_article)).subquery("details")
    return select(combined).order_by(combined.c.part, combined.c.statement_id,
                                     combined.c.chain, combined.c.sort_text,
                                     combined.c.sort_number)


@functools.cache
def _detail_queries(lean: bool = False, ranged: bool = False) -> tuple[Select, ...]:
    """The branches as four queries, each sorted through its own index. For a batch on
    SQLite (no round trips to save) this is a third cheaper than sorting their union."""
    hops, outgoing, incoming, about = _detail_branches(False, lean, ranged)
    return (hops.order_by(Hop.statement_id, Hop.chain, Hop.position),
            *(branch.order_by(*[list(branch.selected_columns)[i] for i in (1, 3, 4)])
              # mine, type, id (not the constant chain number: SQLite reads a number in
              # ORDER BY as a column's place)
              for branch in (outgoing, incoming)),
            about.order_by(StatementAbout.statement_id, Actor.key))


def _detail_branches(one: bool, lean: bool, ranged: bool = False,
                     of_article: bool = False) -> list[Select]:
    """One select each for chain links, outgoing and incoming relations, about-actors.

    Every branch has the same columns: what it is (``part``), the statement, the chain
    number (0 but for hops), two sort keys (text, number) and five text values, then
    six values only a hop has:
    hop: (cue, actor key, name, kind, identified; mention, the hop's identified, cue
    start and end, mention start and end), sorted by chain then position;
    relation: (type, other article, other statement, its quote, its speaker's key),
    sorted by type then creation; about: (-, actor key, name, kind, identified).
    ``one``: for a single statement, compared with ``=`` (an expanding IN list costs
    SQLAlchemy more Python than the whole query costs SQLite). ``lean``: only keys,
    names and cues (the rest NULL), without the other statements' quotes and speakers:
    what a CSV export needs, and a third cheaper for SQLite. ``ranged``: the statements
    with ids from ``lo`` to ``hi`` (see ``StatementDetails.load``). ``of_article``: the
    statements of the article ``article_id`` (an article page: no list of ids to bind,
    so the query is compiled once, ahead of time, for the driver-level read path).
    """
    ids = bindparam(_IDS, expanding=not one)
    nothing = null()

    def chosen(column):
        if of_article:
            return column.in_(select(Statement.id).where(
                Statement.article_id == bindparam("article_id")))
        if ranged:
            return column.between(bindparam("lo"), bindparam("hi"))
        return column == ids if one else column.in_(ids)

    blank = literal_column("''")
    hops = (
        select(_constant(_HOP).label("part"), Hop.statement_id.label("statement_id"),
               Hop.chain.label("chain"),
               blank.label("sort_text"), Hop.position.label("sort_number"),
               Hop.cue.label("v1"), Actor.key.label("v2"), Actor.name.label("v3"),
               nothing.label("v4") if lean else Actor.kind.label("v4"),
               nothing.label("v5") if lean else Actor.identified.label("v5"),
               Hop.mention.label("h0"), Hop.identified.label("h1"),  # PROV needs the mention
               *(nothing.label(f"h{n}") for n in range(2, 6)) if lean else (
                   Hop.cue_start.label("h2"), Hop.cue_end.label("h3"),
                   Hop.mention_start.label("h4"), Hop.mention_end.label("h5")))
        # A range of ids: ``+ 0`` keeps SQLite from scanning every actor and probing
        # each one's chain links for the range (5 ms for one article's 30 statements
        # at 1M statements, growing with the actors); it reads the range from the
        # primary key and looks each actor up.
        .join(Actor, (Hop.actor_id + _constant(0) if ranged else Hop.actor_id) == Actor.id)
        .where(chosen(Hop.statement_id))
    )
    branches = [hops]
    for part, mine, theirs in ((_OUTGOING, Relation.source_id, Relation.target_id),
                               (_INCOMING, Relation.target_id, Relation.source_id)):
        other = aliased(Statement, name=f"other_{part}")
        other_article = aliased(Article, name=f"other_article_{part}")
        other_speaker = aliased(Actor, name=f"other_speaker_{part}")
        branch = (
            select(_constant(part), mine, _constant(0), Relation.type, Relation.id,
                   Relation.type,
                   other_article.key, other.key,
                   nothing if lean else other.quote, nothing if lean else other_speaker.key,
                   *_NO_HOP_VALUES)
            .join(other, theirs == other.id)
            .join(other_article, other.article_id == other_article.id)
            .where(chosen(mine))
        )
        if not lean:
            branch = branch.outerjoin(other_speaker, other.speaker_id == other_speaker.id)
        branches.append(branch)
    branches.append(
        select(_constant(_ABOUT), StatementAbout.statement_id, _constant(0), Actor.key,
               _constant(0),
               nothing, Actor.key, nothing if lean else Actor.name,
               nothing if lean else Actor.kind, nothing if lean else Actor.identified,
               *_NO_HOP_VALUES)
        .join(Actor, StatementAbout.actor_id == Actor.id)
        .where(chosen(StatementAbout.statement_id))
    )
    return branches


@dataclass
class StatementDetails:
    """What belongs to each statement of a batch, by statement id, as plain tuples:

    - ``hops``: (position, cue, actor key, name, kind, identified, mention, the hop's
      identified, cue start, cue end, mention start, mention end, chain number), by
      chain, nearest first;
    - ``related``: (incoming, type, other statement's ref, its quote, its speaker as
      an ``ActorRef``), by type then age; ``incoming`` is true when the other one
      relates to it;
    - ``about``: (actor key, name, kind, identified), by key.
    """

    hops: dict[int, list[tuple]]
    related: dict[int, list[tuple]]
    about: dict[int, list[tuple]]

    @classmethod
    def load(cls, conn: Connection, ids: list[int], *, lean: bool = False
             ) -> StatementDetails:
        """``lean``: actor kinds and identifications, the other statements' quotes and
        speakers are None (see ``_details_query``)."""
        rows: Sequence[Sequence] = []
        if ids:
            one = len(ids) == 1
            lowest, highest = min(ids), max(ids)
            # A batch of a whole export is (nearly) a run of consecutive ids: read the
            # run through the indexes' ranges instead of a list of a thousand ids, which
            # costs SQLAlchemy more to expand than the database to read. Ids of the run
            # that are not in the batch are left out below.
            ranged = not one and highest - lowest < 2 * len(ids)
            wanted = set(ids) if ranged and highest - lowest + 1 != len(ids) else None
            parameters = ({"lo": lowest, "hi": highest} if ranged
                          else {_IDS: ids[0] if one else ids})
            # One statement, or a run of ids (no list to expand): on the driver's cursor,
            # skipping SQLAlchemy's per-query and per-row work (see fetch_on_driver).
            def fetch(query: Select) -> Sequence[Sequence]:
                if one or ranged:
                    return fetch_on_driver(conn, query, parameters)
                return conn.execute(query, parameters).all()

            if one or conn.dialect.name != "sqlite":
                rows = fetch(_details_query(one, lean, ranged))
            else:
                rows = [row for query in _detail_queries(lean, ranged) for row in fetch(query)]
            if wanted is not None:
                rows = [row for row in rows if row[1] in wanted]
        hops, related, about = group_details(rows)
        if not lean and related:
            _speakers_as_actors(conn, related)
        return cls(hops, related, about)


def actor_refs(conn: Connection, keys: set[str]) -> dict[str, ActorRef]:
    """The actors with these keys, as references, by key."""
    found: dict[str, ActorRef] = {}
    ordered = sorted(keys)
    for start in range(0, len(ordered), BATCH):
        for key, name, kind, identified in conn.execute(
                _actors_by_keys(), {"actor_keys": ordered[start:start + BATCH]}):
            found[key] = ActorRef(key, name, kind, identified)
    return found


@functools.cache
def _actors_by_keys() -> Select:
    return select(Actor.key, Actor.name, Actor.kind, Actor.identified).where(
        Actor.key.in_(bindparam("actor_keys", expanding=True)))


@functools.cache
def _actor_by_key() -> Select:
    """One actor as a reference (the driver-level read path looks up related statements'
    speakers one by one: there are few, and a list of them would need an IN to expand)."""
    return select(Actor.key, Actor.name, Actor.kind, Actor.identified).where(
        Actor.key == bindparam("actor_key"))


def _speakers_as_actors(conn: Connection, related: dict[int, list[tuple]]) -> None:
    """Replace the speaker keys of related statements by actor references: the few
    distinct speakers in one query, rather than four more columns in every detail row."""
    with_speakers(related, actor_refs(conn, speaker_keys(related)))


@functools.cache
def _article_id_by_key() -> Select:
    return select(Article.id).where(Article.key == bindparam("article_key"))


def require_article(conn: Connection, key: str) -> int:
    """The id of a stored article, or NotFound with similar keys."""
    found = conn.execute(_article_id_by_key(), {"article_key": key}).scalar()
    if found is None:
        similar = _similar_articles(conn, key)
        raise NotFound(f"no article '{key}' is stored" + ("; did you mean:" if similar else ""),
                       similar)
    return found


def count_statements(conn: Connection, flt: StatementFilter | None = None) -> int:
    flt = flt or StatementFilter()
    query = select(func.count()).select_from(Statement).where(*_filter_conditions(conn, flt))
    if flt.limit is not None:
        return min(conn.execute(query).scalar_one(), flt.limit)
    return conn.execute(query).scalar_one()


# -- actors ------------------------------------------------------------------------------

def _actor_counts() -> Select:
    """One row per actor with its four counts, as kept (``claimsdb.query.actor_counts``:
    counted from every statement, hop and relation at each question, the first page
    took 1.9 s on SQLite and 3.1 s on PostgreSQL at a million statements)."""
    kept = actor_counts.kept().subquery("kept")
    return (select(Actor.id, Actor.key, Actor.name, Actor.kind, Actor.identified,
                   *(cast(func.coalesce(kept.c[name], 0), BigInteger).label(name)
                     for name in actor_counts.COUNTS))
            .outerjoin(kept, kept.c.actor_id == Actor.id))


def list_actors(conn: Connection, *, kind: str | None = None, identified: str | None = None,
                limit: int | None = None) -> Iterator[ActorSummary]:
    """Every actor with its counts, most statements originated first."""
    query = _actor_counts()
    if kind is not None:
        query = query.where(Actor.kind == kind)
    if identified is not None:
        query = query.where(Actor.identified == identified)
    query = query.order_by(text("originated DESC"), text("relayed DESC"), Actor.key)
    if limit is not None:
        query = query.limit(limit)
    for row in conn.execute(query.execution_options(yield_per=BATCH)):
        yield ActorSummary(row.key, row.name, row.kind, row.identified, row.originated,
                           row.relayed, row.denials_issued, row.denials_received)


def actor(conn: Connection, name: str, *, limit: int | None = None) -> ActorDetail:
    """One actor: identity, aliases, roles, and what it said and relayed.

    Its queries are built once, with bound parameters (the ``_actor_*`` selects and
    ``_said_by``, ``_relayed_by``): ``claimsdb.query.readpath`` runs the same SQL,
    compiled ahead of time, on the database driver."""
    ref = find_actor(conn, name)
    actor_id = {"actor_id": conn.execute(_actor_id_by_key(), {"actor_key": ref.key}
                                         ).scalar_one()}
    row = conn.execute(_actor_row(), actor_id).one()
    wikidata, description = conn.execute(_actor_about(), actor_id).one()
    aliases = tuple(conn.execute(_actor_aliases(), actor_id).scalars())
    limited = {} if limit is None else {"limit": limit}
    # None of either kind kept (``actor_counts``): no list to look for (see readpath.actor).
    said = conn.execute(_said_by(limit is not None), {**actor_id, **limited}).all() \
        if row.originated else []
    relayed = conn.execute(_relayed_by(limit is not None), {**actor_id, **limited}).all() \
        if row.relayed else []
    return actor_detail(
        row, wikidata, description, aliases,
        roles=conn.execute(_actor_roles(members=False), actor_id).all(),
        members=conn.execute(_actor_roles(members=True), actor_id).all(),
        said=_enrich_in_batches(conn, said), relayed=_enrich_in_batches(conn, relayed))


def _enrich_in_batches(conn: Connection, rows: Sequence) -> list[StatementView]:
    """``_enrich`` a batch of ``BATCH`` rows at a time (the ids of a batch go into one
    IN list, and a database takes only so many parameters)."""
    return [view for start in range(0, len(rows), BATCH)
            for view in _enrich(conn, rows[start:start + BATCH])]


@functools.cache
def _actor_row() -> Select:
    """One actor's id, reference and counts, by id: its kept counts (``claimsdb.query.
    actor_counts``), the sum of its few rows, however many statements it has. (Counted
    from its statements, an actor's page grew with the busiest speaker's statements:
    4.7x from 100k to 1M statements on SQLite.)"""
    actor_id = bindparam("actor_id")

    def kept(name: str) -> Any:
        # (cast: PostgreSQL sums integers as numeric, which psycopg reads as Decimal)
        return (select(cast(func.coalesce(func.sum(getattr(ActorCount, name)), 0), BigInteger))
                .where(ActorCount.actor_id == actor_id).scalar_subquery())

    return select(Actor.id, Actor.key, Actor.name, Actor.kind, Actor.identified,
                  *(kept(name).label(name) for name in actor_counts.COUNTS)
                  ).where(Actor.id == actor_id)


@functools.cache
def _actor_about() -> Select:
    return select(Actor.wikidata, Actor.description).where(Actor.id == bindparam("actor_id"))


@functools.cache
def _actor_aliases() -> Select:
    return (select(ActorAlias.alias).where(ActorAlias.actor_id == bindparam("actor_id"))
            .order_by(ActorAlias.alias))


@functools.cache
def _actor_roles(members: bool) -> Select:
    """The titles an actor holds at others (``members``: that others hold at it), each
    with the other actor: (title, started on, ended on, key, name, kind, identified).
    The dates come as stored (see ``claimsdb.query.views.stored_date``), so that the
    database driver reads them as SQLAlchemy does."""
    other = aliased(Actor)
    mine, theirs = ((ActorRole.of_actor_id, ActorRole.actor_id) if members
                    else (ActorRole.actor_id, ActorRole.of_actor_id))
    return (select(ActorRole.title, type_coerce(ActorRole.started_on, String),
                   type_coerce(ActorRole.ended_on, String), other.key, other.name,
                   other.kind, other.identified)
            .join(other, theirs == other.id).where(mine == bindparam("actor_id"))
            .order_by(other.key, ActorRole.title))


@functools.cache
def _said_by(limited: bool) -> Select:
    """The statements an actor originated (``spoken_by``), in article then file order;
    ``limited``: the first ``limit``.

    A first page takes the first ``limit`` of the actor's first-chain statements from
    ``ix_statements_speaker_id_article_id_id`` in list order, with the (rare) later
    chains' origins beside them: the first ``limit`` of the whole are among these.
    Asked for all of them, PostgreSQL joined every statement of the database to find
    the speaker's (a sequential scan, 24 ms at 100k statements, growing with the
    database)."""
    actor_id = bindparam("actor_id")
    order = (Statement.article_id, Statement.id)
    if not limited:
        return _statement_select().where(spoken_by(actor_id)).order_by(*order)
    first = (select(Statement.id).where(Statement.speaker_id == actor_id).order_by(*order)
             .limit(bindparam("limit")).subquery("first_said"))
    ids = union(select(first.c.id), later_origins(Hop.actor_id == actor_id))
    return (_statement_select().where(Statement.id.in_(ids)).order_by(*order)
            .limit(bindparam("limit")))


@functools.cache
def _relayed_by(limited: bool) -> Select:
    """The statements that passed through an actor (``passed_through``) and that it
    did not originate, in article then file order; ``limited``: the first ``limit``,
    their ids chosen first (see ``statement_list``), each one's article looked up by
    id: as a join, PostgreSQL hashed every statement of the database for it (a
    sequential scan of 1M statements, 0.45 s)."""
    actor_id = bindparam("actor_id")
    relayed = _relayed_ids(actor_id)
    order = (Statement.article_id, Statement.id)
    if not limited:
        return _statement_select().where(Statement.id.in_(relayed)).order_by(*order)
    relayed = relayed.subquery("relayed")
    article_of = (select(Statement.article_id).where(Statement.id == relayed.c.statement_id)
                  .scalar_subquery())
    page = (select(relayed.c.statement_id).order_by(article_of, relayed.c.statement_id)
            .limit(bindparam("limit")))
    return _statement_select().where(Statement.id.in_(page)).order_by(*order)


def _relayed_ids(actor_id: Any) -> Select:
    """The ids of the statements an actor relayed: passed through it (a chain link or
    the article's outlet), less those it originated (its statements as first-chain
    speaker, and the later chains it is the origin of). Each set is read from its own
    index alone (the speaker index for the statements it originated), so that no
    statement row is read to tell them apart: looking up each statement's speaker cost
    PostgreSQL 0.2 s for an actor with 12,600 chain links at 1M statements."""
    outlet_statements = (select(Statement.id.label("statement_id"))
                         .join(Article, Statement.article_id == Article.id)
                         .where(Article.outlet_id == actor_id))
    passed = union(select(Hop.statement_id.label("statement_id"))
                   .where(Hop.actor_id == actor_id), outlet_statements).subquery("passed")
    originated = select(Statement.id).where(Statement.speaker_id == actor_id)
    return (select(passed.c.statement_id)
            .where(passed.c.statement_id.not_in(originated),
                   ~later_origins(Hop.actor_id == actor_id)
                   .where(Hop.statement_id == passed.c.statement_id).exists()))


# -- denials -----------------------------------------------------------------------------

def denial_pairs(conditions: Sequence[ColumnElement[bool]], types: Sequence[str] | None, *,
                 by: int | None = None, by_given: bool = False, limit: int | None = None,
                 limited: bool = False, wide: bool | None = None) -> Select:
    """(denial, denied statement, relation type) of the relations of ``types`` whose
    denied statement meets ``conditions`` (and whose denial's speaker is the actor
    ``by``, when given), in denied-statement order; the first ``limit`` when
    ``limited``. Every value a named parameter (see ``CONDITIONS``)."""
    where = [Relation.type.in_(bindparam("denial_types", types, expanding=True,
                                         type_=Relation.type.type)),
             Relation.target_id.in_(select(Statement.id).where(*conditions))]
    if by_given:
        where.append(Relation.source_id.in_(
            select(Statement.id).where(Statement.speaker_id == bindparam("by_id", by))))
    pairs = (select(Relation.source_id, Relation.target_id, Relation.type)
             .where(*where)
             .order_by(Relation.target_id, Relation.id))
    return pairs.limit(_limit(limit, wide)) if limited else pairs


def iter_denials(conn: Connection, flt: StatementFilter | None = None,
                 batch: int = BATCH, *, by: str | None = None,
                 type: str = "denies") -> Iterator[DenialView]:
    """Every denial whose denied statement matches the filter (all by default).

    ``by``: only denials whose speaker is this actor (key, name or alias). ``type``:
    ``denies`` (factual denials, the default), ``dismisses`` (rejections without a
    factual denial: "speculation") or ``all`` (both)."""
    flt = flt or StatementFilter()
    types = filters.denial_types(type)
    conditions = _filter_conditions(conn, flt)
    by_id = _actor_id(conn, by) if by is not None else None
    pairs = denial_pairs(conditions, types, by=by_id, by_given=by is not None,
                         limit=flt.limit, limited=flt.limit is not None)
    result = conn.execute(pairs.execution_options(yield_per=batch))
    for partition in result.partitions():
        ids = sorted({i for source_id, target_id, _ in partition for i in (source_id, target_id)})
        views = {v.id: v for v in _enrich(conn, conn.execute(
            _statements_by_ids(), {"statement_ids": ids}).all())}
        for source_id, target_id, relation in partition:
            yield DenialView(views[source_id], views[target_id], relation)


# -- articles ----------------------------------------------------------------------------

def list_articles(conn: Connection, *, limit: int | None = None,
                  where: ColumnElement[bool] | None = None,
                  article_id: int | None = None) -> Iterator[ArticleSummary]:
    """Every article (or those ``where`` selects, or the one ``article_id`` names),
    newest first (undated last), with statement counts.

    ``article_id`` restricts the counting itself to that article: neither backend
    pushes an outer condition into the grouped count, so an article's page would
    otherwise count every statement of the database (150 ms at 100k on SQLite)."""
    if article_id is not None:
        query, parameters = _article_summary(), {"article_id": article_id}
    else:
        query, parameters = _articles_select(), {}
    if where is not None:
        query = query.where(where)
    if limit is not None:
        query = query.limit(limit)
    for row in conn.execute(query.execution_options(yield_per=BATCH), parameters):
        yield article_summary(row)


@functools.cache
def _article_summary() -> Select:
    """The summary of the article ``article_id`` (its page, ``claimsdb article``)."""
    return _articles_select(one=True)


def _articles_select(one: bool = False) -> Select:
    """Articles with their counts, in ``list_articles``'s order and columns (those
    ``claimsdb.query.views.article_summary`` reads); ``one``: only ``article_id``."""
    outlet = aliased(Actor)
    speaker = aliased(Actor)
    overrides = origin_overrides()
    origin = origin_identification(speaker.identified, overrides.c.identified)
    counts = (
        select(Statement.article_id,
               func.count().label("statements"),
               func.count(case((and_(
                   origin == Identification.ANONYMOUS.value,
                   ~_later_origin_identified(Identification.NAMED.value),
                   ~_later_origin_identified(Identification.ROLE.value)), 1)))
               .label("anonymous"),
               func.count(case((exists().where(
                   Relation.target_id == Statement.id,
                   Relation.type == RelationType.DENIES.value), 1))).label("denied"))
        .outerjoin(speaker, Statement.speaker_id == speaker.id)
        .outerjoin(overrides, overrides.c.statement_id == Statement.id)
        .where(*([Statement.article_id == bindparam("article_id")] if one else []))
        .group_by(Statement.article_id).subquery()
    )
    query = (
        select(Article.key, Article.title, Article.published, Article.url, Article.language,
               Article.retrieved, Article.archived_url,
               outlet.key.label("outlet_key"), outlet.name.label("outlet_name"),
               outlet.kind.label("outlet_kind"), outlet.identified.label("outlet_identified"),
               func.coalesce(counts.c.statements, 0).label("statements"),
               func.coalesce(counts.c.anonymous, 0).label("anonymous"),
               func.coalesce(counts.c.denied, 0).label("denied"))
        .outerjoin(outlet, Article.outlet_id == outlet.id)
        .outerjoin(counts, counts.c.article_id == Article.id)
        .order_by(Article.published.is_(None), Article.published.desc(), Article.key)
    )
    return query.where(Article.id == bindparam("article_id")) if one else query


def articles_with_statements(conn: Connection, flt: StatementFilter) -> ColumnElement[bool]:
    """The condition selecting articles with at least one statement the filter matches
    (``list_articles(where=...)``): the workbench's article list filters this way."""
    return Article.id.in_(select(Statement.article_id).where(
        Statement.id.in_(filtered_statement_ids(conn, flt))))


def article(conn: Connection, key: str, *, context: bool = True) -> ArticleDetail:
    """One article: metadata, full text and its statements in the order they appear
    (``context=False``: without each statement's context sentence, see ``build_views``).

    Its queries (``ARTICLE_READS``) are the ones ``claimsdb.query.articlepath`` runs
    on the database driver, compiled ahead of time; both build the result with
    ``claimsdb.query.views.article_detail``, so they answer alike."""
    found = fetch_on_driver(conn, _article_by_key(), {"article_key": key})
    if not found:
        require_article(conn, key)  # says what is stored under a similar key
    article_id, text_, note = found[0]
    given = {"article_id": article_id}
    (summary,) = fetch_on_driver(conn, _article_summary(), given)
    authors = fetch_on_driver(conn, _article_authors(), given)
    rows = fetch_on_driver(conn, _article_statements(), given)
    hops, related, about = group_details(fetch_on_driver(conn, _article_details(), given))
    if related:
        with_speakers(related, {row[0]: ActorRef(*row) for row in fetch_on_driver(
            conn, _article_related_speakers(), given)})
    return article_detail(summary, text_, note, authors, rows, hops, related, about,
                          context=context)


@functools.cache
def _article_by_key() -> Select:
    """An article's id, text and note, by key."""
    return select(Article.id, Article.text, Article.note).where(
        Article.key == bindparam("article_key"))


@functools.cache
def _article_authors() -> Select:
    """The authors of the article ``article_id``, in the order the article file gives."""
    from claimsdb.store.models import ArticleAuthor

    return (select(Actor.key, Actor.name, Actor.kind, Actor.identified)
            .join(ArticleAuthor, ArticleAuthor.actor_id == Actor.id)
            .where(ArticleAuthor.article_id == bindparam("article_id"))
            .order_by(ArticleAuthor.position))


@functools.cache
def _article_statements() -> Select:
    """The statement rows of the article ``article_id`` (in file order; the views are
    sorted into text order after), without the ``window`` of text around each: the
    article's whole text is read anyway, and ``views.article_detail`` cuts the windows
    from it. (Cutting them in SQL made PostgreSQL decompress the article's text once
    for every statement: 15-30 ms for an article of 100.)"""
    query = _statement_select()
    return query.with_only_columns(
        *[null().label("window") if column.name == "window" else column
          for column in query.selected_columns]
    ).where(Statement.article_id == bindparam("article_id")).order_by(
        Statement.article_id, Statement.id)


def _article_details() -> Select:
    return _details_query(of_article=True)


@functools.cache
def _article_related_speakers() -> Select:
    """The speakers of the statements that the article's statements relate to or that
    relate to them, in one query (one lookup each would be a round trip each)."""
    mine = select(Statement.id).where(Statement.article_id == bindparam("article_id"))
    others = union(select(Relation.target_id).where(Relation.source_id.in_(mine)),
                   select(Relation.source_id).where(Relation.target_id.in_(mine)))
    return select(Actor.key, Actor.name, Actor.kind, Actor.identified).where(
        Actor.id.in_(select(Statement.speaker_id).where(Statement.id.in_(others))))


# The questions of an article's page and ``claimsdb article``, by the name they have in
# the generated claimsdb.query.compiled_sql (see claimsdb.query.compile_reads).
ARTICLE_READS = {
    "article_by_key": _article_by_key,
    "article_summary": _article_summary,
    "article_authors": _article_authors,
    "article_statements": _article_statements,
    "article_details": _article_details,
    "article_related_speakers": _article_related_speakers,
}


# -- sourcing profile ----------------------------------------------------------------------

@dataclass(frozen=True)
class SourcingProfile:
    """How an article's (or the whole database's) statements are sourced."""

    scope: str  # an article key, or "all"
    title: str
    statements: int
    # Each statement counts once, by its best-identified origin: with several chains
    # ("AFP and anonymous officials") a named one makes it named, and ``anonymous``
    # counts the statements that rest on anonymous sources only.
    named: int  # an origin identified by name (including the article's own voice)
    role: int  # no named origin, one known by role
    anonymous: int  # every origin anonymous
    own_voice: int  # no chain: the outlet or article asserts it
    average_chain_depth: float  # of each statement's longest chain
    direct_share: float  # share of direct quotes, 0..1
    independent_origins: int = 0  # origins that do not pass the claims through each other

    @property
    def anonymous_share(self) -> float:
        return self.anonymous / self.statements if self.statements else 0.0


def _later_origin_identified(identified: str) -> ColumnElement[bool]:
    """A chain after the first of the statement originates with a source identified
    so: its origin hop's own identification when given, else its actor's (the first
    chain's origin is the stored speaker, with ``origin_overrides``)."""
    origin = aliased(Actor, name=f"later_origin_{identified}")
    return (later_origins(func.coalesce(Hop.identified, origin.identified) == identified)
            .join(origin, origin.id == Hop.actor_id)
            .where(Hop.statement_id == Statement.id).exists())


def _origin_exceptions(article_id: int | None = None) -> Any:
    """(statement_id, identified, named, role) of the few statements whose origins are
    not simply their speaker: ``identified``, the first chain's origin hop's own
    identification (``origin_overrides``); ``named`` and ``role``, 1 when a chain after
    the first originates with a source identified so (its origin hop's identification
    when given, else its actor's).

    Both parts are read through their own index (on ``chain_hops.identified``, and the
    partial index on later chains) into one small grouped subquery, which a profile
    joins once: a correlated EXISTS per measure probed every statement's hops five
    times, and SQLite flattened the overrides into a probe of every first chain. The
    overrides are asked for by value (the schema's CHECK allows no other): with
    ``identified`` NULL almost everywhere, SQLite's statistics made ``IS NOT NULL`` look
    unselective and it scanned every hop (0.4 s at 1M statements).
    ``article_id``: of that article's statements only."""
    origin = aliased(Actor, name="later_origin")
    identified = func.coalesce(Hop.identified, origin.identified)
    later = later_origins().with_only_columns(
        Hop.statement_id.label("statement_id"), null().label("identified"),
        case((identified == Identification.NAMED.value, 1), else_=0).label("named"),
        case((identified == Identification.ROLE.value, 1), else_=0).label("role"),
    ).join(origin, origin.id == Hop.actor_id)
    overrides = (select(Hop.statement_id.label("statement_id"),
                        Hop.identified.label("identified"), _constant(0).label("named"),
                        _constant(0).label("role"))
                 .where(Hop.identified.in_([level.value for level in Identification]),
                        _last_hop_of_first_chain(Hop)))
    if article_id is not None:
        of_article = Hop.statement_id.in_(
            select(Statement.id).where(Statement.article_id == article_id))
        later, overrides = later.where(of_article), overrides.where(of_article)
    both = union_all(overrides, later).subquery("origin_exception_rows")
    return (select(both.c.statement_id, func.max(both.c.identified).label("identified"),
                   func.max(both.c.named).label("named"), func.max(both.c.role).label("role"))
            .group_by(both.c.statement_id).subquery("origin_exceptions"))


def _profile_query(article_id: int | None) -> Select:
    """The profile's measures of each article's statements (``article_id``: of that
    article only), as counts and sums: the averages are taken from them, and the total
    is the sum of the articles' rows (a second pass over every statement doubled the
    time). Grouped by the statements' article id alone; the caller joins the articles'
    keys and titles to the 50,000 rows (grouped with them, PostgreSQL sorted every
    statement with its article's title, on disk, at 1M statements).

    Each statement's depth (its longest chain; 0: own voice) is the one its import
    stored (``claimsdb.format.sourcing``): read from its hops, statement by statement,
    it was 0.7 of the 1.2 s this query took on SQLite at 1M statements."""
    speaker = aliased(Actor)
    exceptions = _origin_exceptions(article_id)
    first = origin_identification(speaker.identified, exceptions.c.identified)
    named = or_(first == Identification.NAMED.value,
                func.coalesce(exceptions.c.named, 0) == 1)
    role = or_(first == Identification.ROLE.value, func.coalesce(exceptions.c.role, 0) == 1)
    query = (select(Statement.article_id,
                    func.count().label("statements"),
                    func.count(case((named, 1))).label("named"),
                    func.count(case((and_(~named, role), 1))).label("role"),
                    # (the anonymous are the rest: ``_Tally``)
                    func.count(case((Statement.depth == 0, 1))).label("own_voice"),
                    func.sum(Statement.depth).label("depth"),
                    func.count(case((Statement.kind == "direct", 1))).label("direct"))
             .select_from(Statement)
             .outerjoin(speaker, Statement.speaker_id == speaker.id)
             .outerjoin(exceptions, exceptions.c.statement_id == Statement.id))
    if article_id is not None:
        query = query.where(Statement.article_id == article_id)
    return query.group_by(Statement.article_id)


@dataclass(frozen=True)
class _Tally:
    """One profile's counts and sums, before its averages."""

    statements: int = 0
    named: int = 0
    role: int = 0
    anonymous: int = 0
    own_voice: int = 0
    depth: int = 0
    direct: int = 0

    def __add__(self, other: _Tally) -> _Tally:
        return _Tally(self.statements + other.statements, self.named + other.named,
                      self.role + other.role, self.anonymous + other.anonymous,
                      self.own_voice + other.own_voice, self.depth + other.depth,
                      self.direct + other.direct)

    def profile(self, scope: str, title: str, independent_origins: int) -> SourcingProfile:
        n = self.statements
        return SourcingProfile(scope, title, n, self.named, self.role, self.anonymous,
                               self.own_voice, self.depth / n if n else 0.0,
                               self.direct / n if n else 0.0, independent_origins)


def sourcing_profiles(conn: Connection, *, article: str | None = None,
                      by_article: bool = True) -> list[SourcingProfile]:
    """A profile per article (unless ``by_article`` is false) followed by the total.

    One grouped pass over the statements: the total of every article is the sum of
    their rows (a second pass over every statement doubled the time)."""
    with collector_paused():
        return _sourcing_profiles(conn, article=article, by_article=by_article)


def _sourcing_profiles(conn: Connection, *, article: str | None, by_article: bool
                       ) -> list[SourcingProfile]:
    article_id = require_article(conn, article) if article is not None else None
    measures = _profile_query(article_id).subquery("measures")
    per_article = (select(Article.key, Article.title, measures)
                   .join(measures, measures.c.article_id == Article.id)
                   .order_by(Article.key))

    def tally(row: Any) -> _Tally:
        return _Tally(row.statements, row.named, row.role,
                      row.statements - row.named - row.role, row.own_voice,
                      int(row.depth or 0), row.direct)

    with serial_plans(conn):
        rows = conn.execute(per_article).all()
    origins = kept_independent_origin_counts(conn, article_id)
    profiles = []
    total = _Tally()
    for row in rows:
        counts = tally(row)
        total += counts
        if by_article:
            profiles.append(counts.profile(row.key, row.title, origins.get(row.key, 0)))
    if article is None or not by_article:
        profiles.append(total.profile("all", "all articles", origins.get(None, 0)))
    return profiles


# -- rows for export (claimsdb export) ------------------------------------------------------
# Each table of ``claimsdb export`` streams rows for the statements a StatementFilter
# selects; the filter is applied through ``filtered_statement_ids`` so every list and
# every export agree on what a filter means: ``limit`` too counts statements, so
# ``--table chain --limit 10`` is the chains of ten statements.

@dataclass(frozen=True)
class StatementEnd:
    """A statement at one end of a relation: enough to read the row on its own."""

    article: str
    key: str
    quote: str
    speaker: ActorRef | None

    @property
    def ref(self) -> str:
        return f"{self.article}#{self.key}"


@dataclass(frozen=True)
class HopRow:
    """One link of one statement's chain: chains in long form, one row per hop."""

    article: str
    statement: str
    position: int
    actor: ActorRef
    cue: str | None
    chain_depth: int  # the length of this hop's chain
    # The last link of each chain is an original speaker; earlier links only relayed.
    mention: str | None = None  # format 1.1, as in HopView
    identified: str | None = None
    cue_span: tuple[int, int] | None = None
    mention_span: tuple[int, int] | None = None
    chain: int = 0  # which of the statement's chains, from 0

    @property
    def ref(self) -> str:
        return f"{self.article}#{self.statement}"

    @property
    def is_origin(self) -> bool:
        return self.position == self.chain_depth - 1


@dataclass(frozen=True)
class RelationRow:
    type: str
    source: StatementEnd
    target: StatementEnd


@dataclass(frozen=True)
class RoleDefinition:
    of: str  # the key of the actor the title is held at
    title: str
    started_on: dt.date | None
    ended_on: dt.date | None


@dataclass(frozen=True)
class ActorDefinition:
    """An actor exactly as stored: what an article file's ``actors`` entry holds."""

    key: str
    name: str
    kind: str
    identified: str
    wikidata: str | None
    description: str | None
    aliases: tuple[str, ...]
    roles: tuple[RoleDefinition, ...]
    note: str | None = None  # the annotator's note (format 1.1)


def selected_statement_ids(conn: Connection, flt: StatementFilter) -> Select | None:
    """The ids of the filter's statements, or None when it selects them all (so a
    whole-database export needs no IN clause)."""
    if flt == StatementFilter():
        return None
    ids = filtered_statement_ids(conn, flt)
    # Without a limit the order is irrelevant inside IN (...); with one it picks the rows.
    return ids if flt.limit is not None else ids.order_by(None)


def _stream(conn: Connection, query: Select, batch: int) -> Iterator:
    result = conn.execute(query.execution_options(yield_per=batch))
    for partition in result.partitions():
        yield from partition


def count_rows(conn: Connection, query: Select) -> int:
    """How many rows a select returns (for progress bars), without fetching them."""
    return conn.execute(
        select(func.count()).select_from(query.order_by(None).subquery())
    ).scalar_one()


def hops_select(conn: Connection, flt: StatementFilter | None = None) -> Select:
    """The chain links of the filter's statements, in statement order then nearest first.

    Built (and the filter's actor names resolved) eagerly, so a bad filter fails
    before anything is written.
    """
    flt = flt or StatementFilter()
    longest = aliased(Hop, name="longest")
    depth = (select(func.count()).where(longest.statement_id == Hop.statement_id,
                                        longest.chain == Hop.chain)
             .scalar_subquery())
    query = (
        select(Article.key.label("article"), Statement.key.label("statement"), Hop.position,
               Hop.cue, Actor.key.label("actor_key"), Actor.name.label("actor_name"),
               Actor.kind.label("actor_kind"), Actor.identified.label("actor_identified"),
               depth.label("chain_depth"), Hop.mention, Hop.identified, Hop.cue_start,
               Hop.cue_end, Hop.mention_start, Hop.mention_end, Hop.chain)
        .select_from(Hop)
        .join(Statement, Hop.statement_id == Statement.id)
        .join(Article, Statement.article_id == Article.id)
        .join(Actor, Hop.actor_id == Actor.id)
        .order_by(Statement.article_id, Statement.id, Hop.chain, Hop.position)
    )
    ids = selected_statement_ids(conn, flt)
    if ids is not None:
        query = query.where(Statement.id.in_(ids))
    return query


def iter_hops(conn: Connection, flt: StatementFilter | None = None, *,
              batch: int = BATCH) -> Iterator[HopRow]:
    """Every chain link of the statements a filter selects, streamed in batches.

    Statements in the article's own voice have no links and so no rows.
    """
    rows = _stream(conn, hops_select(conn, flt), batch)
    return (HopRow(r.article, r.statement, r.position, _actor("actor", r), r.cue,
                   r.chain_depth, r.mention, r.identified, span_of(r.cue_start, r.cue_end),
                   span_of(r.mention_start, r.mention_end), chain=r.chain) for r in rows)


def relations_select(conn: Connection, flt: StatementFilter | None = None, *,
                     both_ends: bool = False) -> Select:
    """Relations with either end (``both_ends``: both) among the filter's statements,
    each once, in the source statement's order."""
    flt = flt or StatementFilter()
    source, target = aliased(Statement, name="source"), aliased(Statement, name="target")
    source_article = aliased(Article, name="source_article")
    target_article = aliased(Article, name="target_article")
    source_speaker = aliased(Actor, name="source_speaker")
    target_speaker = aliased(Actor, name="target_speaker")
    query = (
        select(Relation.type,
               source_article.key.label("source_article"), source.key.label("source_key"),
               source.quote.label("source_quote"),
               source_speaker.key.label("source_speaker_key"),
               source_speaker.name.label("source_speaker_name"),
               source_speaker.kind.label("source_speaker_kind"),
               source_speaker.identified.label("source_speaker_identified"),
               target_article.key.label("target_article"), target.key.label("target_key"),
               target.quote.label("target_quote"),
               target_speaker.key.label("target_speaker_key"),
               target_speaker.name.label("target_speaker_name"),
               target_speaker.kind.label("target_speaker_kind"),
               target_speaker.identified.label("target_speaker_identified"))
        .select_from(Relation)
        .join(source, Relation.source_id == source.id)
        .join(source_article, source.article_id == source_article.id)
        .outerjoin(source_speaker, source.speaker_id == source_speaker.id)
        .join(target, Relation.target_id == target.id)
        .join(target_article, target.article_id == target_article.id)
        .outerjoin(target_speaker, target.speaker_id == target_speaker.id)
        .order_by(source.article_id, source.id, Relation.id)
    )
    ids = selected_statement_ids(conn, flt)
    if ids is not None:
        within = and_ if both_ends else or_
        query = query.where(within(Relation.source_id.in_(ids), Relation.target_id.in_(ids)))
    return query


def iter_relations(conn: Connection, flt: StatementFilter | None = None, *,
                   both_ends: bool = False, batch: int = BATCH) -> Iterator[RelationRow]:
    """Every relation touching the statements a filter selects (``both_ends``: only
    those between two of them), streamed in batches."""
    rows = _stream(conn, relations_select(conn, flt, both_ends=both_ends), batch)
    return (
        RelationRow(
            r.type,
            StatementEnd(r.source_article, r.source_key, r.source_quote,
                         _actor("source_speaker", r)),
            StatementEnd(r.target_article, r.target_key, r.target_quote,
                         _actor("target_speaker", r)),
        )
        for r in rows
    )


def involved_actor_ids(conn: Connection, flt: StatementFilter | None = None) -> Select:
    """Ids of the actors the filter's statements involve: speakers, chain links,
    subjects (about), and their articles' outlets and authors."""
    from claimsdb.store.models import ArticleAuthor

    flt = flt or StatementFilter()
    statements = selected_statement_ids(conn, flt)
    if statements is None:
        statements = select(Statement.id)
    articles = select(Statement.article_id).where(Statement.id.in_(statements))
    return (
        select(Statement.speaker_id.label("actor_id"))
        .where(Statement.id.in_(statements), Statement.speaker_id.is_not(None))
        .union(
            select(Hop.actor_id).where(Hop.statement_id.in_(statements)),
            select(StatementAbout.actor_id).where(StatementAbout.statement_id.in_(statements)),
            select(Article.outlet_id).where(Article.id.in_(articles),
                                            Article.outlet_id.is_not(None)),
            select(ArticleAuthor.actor_id).where(ArticleAuthor.article_id.in_(articles)),
        )
    )


def involved_article_ids(conn: Connection, flt: StatementFilter | None = None
                         ) -> Select | None:
    """Ids of the articles holding the filter's statements; None means every article."""
    ids = selected_statement_ids(conn, flt or StatementFilter())
    if ids is None:
        return None
    return select(Statement.article_id).where(Statement.id.in_(ids))


def actor_definitions(conn: Connection, keys: Sequence[str]) -> dict[str, ActorDefinition]:
    """Stored definitions (with aliases and roles) of the actors with these keys."""
    found: dict[str, ActorDefinition] = {}
    other = aliased(Actor, name="other")
    unique = sorted(set(keys))
    for start in range(0, len(unique), BATCH):
        chunk = unique[start:start + BATCH]
        # Sorted here, not by the database: callers list the definitions in this order,
        # which must not depend on the backend's row order or collation.
        rows = sorted(conn.execute(
            select(Actor.id, Actor.key, Actor.name, Actor.kind, Actor.identified,
                   Actor.wikidata, Actor.description, Actor.note).where(Actor.key.in_(chunk))
        ).all(), key=lambda row: row.key)
        ids = [a.id for a in rows]
        aliases: dict[int, list[str]] = defaultdict(list)
        for actor_id, alias in conn.execute(
            select(ActorAlias.actor_id, ActorAlias.alias).where(ActorAlias.actor_id.in_(ids))
            .order_by(ActorAlias.actor_id, ActorAlias.alias)
        ):
            aliases[actor_id].append(alias)
        roles: dict[int, list[RoleDefinition]] = defaultdict(list)
        for role in conn.execute(
            select(ActorRole.actor_id, other.key, ActorRole.title, ActorRole.started_on,
                   ActorRole.ended_on)
            .join(other, ActorRole.of_actor_id == other.id)
            .where(ActorRole.actor_id.in_(ids))
            .order_by(ActorRole.actor_id, ActorRole.id)
        ):
            roles[role.actor_id].append(
                RoleDefinition(role.key, role.title, role.started_on, role.ended_on))
        for a in rows:
            found[a.key] = ActorDefinition(
                a.key, a.name, a.kind, a.identified, a.wikidata, a.description,
                tuple(aliases[a.id]), tuple(roles[a.id]), note=a.note)
    return found


def actor_keys(conn: Connection, ids: Select | None = None) -> list[str]:
    """Keys of the actors whose ids a select gives (all actors for None), sorted."""
    query = select(Actor.key).order_by(Actor.key)
    if ids is not None:
        query = query.where(Actor.id.in_(ids))
    return list(conn.execute(query).scalars())


def article_authors(conn: Connection, article_keys: Sequence[str]) -> dict[str, list[ActorRef]]:
    """The authors of each of these articles, in byline order."""
    from claimsdb.store.models import ArticleAuthor

    authors: dict[str, list[ActorRef]] = defaultdict(list)
    unique = sorted(set(article_keys))
    for start in range(0, len(unique), BATCH):
        for row in conn.execute(
            select(Article.key.label("article"), Actor.key, Actor.name, Actor.kind,
                   Actor.identified)
            .join(ArticleAuthor, ArticleAuthor.article_id == Article.id)
            .join(Actor, ArticleAuthor.actor_id == Actor.id)
            .where(Article.key.in_(unique[start:start + BATCH]))
            .order_by(Article.key, ArticleAuthor.position)
        ):
            authors[row.article].append(ActorRef(row.key, row.name, row.kind, row.identified))
    return authors
