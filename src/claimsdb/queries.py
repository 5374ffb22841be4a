"""The questions users ask, as functions returning typed rows.

This is claimsdb's Python API as much as the CLI's back end: every function takes a
SQLAlchemy ``Connection`` (see ``claimsdb.db.read_connection``) and returns
dataclasses, never Click output. From a notebook::

    from claimsdb.db import make_engine, read_connection
    from claimsdb import queries

    with read_connection(make_engine("claims.db")) as conn:
        for s in queries.iter_statements(conn):
            print(s.ref, s.speaker.name if s.speaker else None, s.chain_names())

Lists are streamed in batches: one query for a batch of statements, then one query
each for their hops and relations, so the number of queries grows with the number of
batches, never with the number of rows.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, Select, case, func, literal, select
from sqlalchemy.orm import aliased

from claimsdb.errors import NotFound
from claimsdb.models import Actor, Article, Hop, Relation, Statement

BATCH = 1000
CONTEXT_WINDOW = 400  # characters each side of a span fetched to find its sentence


@dataclass(frozen=True)
class ActorRef:
    key: str
    name: str
    kind: str
    identified: str

    def describe(self) -> str:
        """'outlet, named' / 'group, anonymous': what a reader needs to weigh a source."""
        return f"{self.kind}, {self.identified}"


@dataclass(frozen=True)
class HopView:
    position: int
    actor: ActorRef
    cue: str | None


@dataclass(frozen=True)
class RelatedStatement:
    """A statement at the other end of a relation, with enough to show it in a line."""

    type: str
    ref: str
    quote: str
    speaker: str | None


@dataclass(frozen=True)
class StatementView:
    id: int
    article: str
    key: str
    quote: str
    kind: str
    span_start: int
    span_end: int
    stated_on: str | None
    article_title: str
    published: str | None
    url: str | None
    outlet: ActorRef | None
    speaker: ActorRef | None
    context: str
    chain: tuple[HopView, ...] = ()
    outgoing: tuple[RelatedStatement, ...] = ()  # this statement denies/supports/... them
    incoming: tuple[RelatedStatement, ...] = ()  # they deny/support/... this statement
    about: tuple[ActorRef, ...] = field(default=())

    @property
    def ref(self) -> str:
        return f"{self.article}#{self.key}"

    @property
    def chain_depth(self) -> int:
        return len(self.chain)

    @property
    def own_voice(self) -> bool:
        return not self.chain

    def chain_names(self) -> list[str]:
        return [hop.actor.name for hop in self.chain]

    def related(self, relation: str, *, incoming: bool = False) -> list[str]:
        pool = self.incoming if incoming else self.outgoing
        return [r.ref for r in pool if r.type == relation]


# -- resolving references ----------------------------------------------------------------

def find_statement_id(conn: Connection, ref: str) -> int:
    """The id of ``ARTICLE#STATEMENT``, or of a bare statement key that is unique."""
    ref = ref.strip()
    if "#" in ref:
        article_key, statement_key = ref.rsplit("#", 1)
        found = conn.execute(
            select(Statement.id).join(Article, Statement.article_id == Article.id)
            .where(Article.key == article_key, Statement.key == statement_key)
        ).scalar()
        if found is not None:
            return found
        article_id = conn.execute(select(Article.id).where(Article.key == article_key)).scalar()
        if article_id is None:
            raise NotFound(f"no article '{article_key}' is stored",
                           _close_keys(conn, select(Article.key), article_key))
        candidates = _close_keys(
            conn, select(Statement.key).where(Statement.article_id == article_id), statement_key
        )
        raise NotFound(f"article '{article_key}' has no statement '{statement_key}'",
                       [f"{article_key}#{c}" for c in candidates])
    rows = conn.execute(
        select(Statement.id, Article.key).join(Article, Statement.article_id == Article.id)
        .where(Statement.key == ref).limit(21)
    ).all()
    if len(rows) == 1:
        return rows[0].id
    if len(rows) > 1:
        raise NotFound(f"statement key '{ref}' is in several articles; say which one:",
                       [f"{article}#{ref}" for _, article in rows[:20]])
    pattern = f"%{ref}%"
    similar = conn.execute(
        select(Article.key, Statement.key).join(Article, Statement.article_id == Article.id)
        .where(Statement.key.like(pattern)).order_by(Article.key, Statement.key).limit(20)
    ).all()
    raise NotFound(f"no statement '{ref}'" + ("; similar keys:" if similar else
                                               " (use ARTICLE#STATEMENT)"),
                   [f"{a}#{s}" for a, s in similar])


def _close_keys(conn: Connection, query: Select, key: str) -> list[str]:
    import difflib

    keys = conn.execute(query.limit(50_000)).scalars().all()
    return difflib.get_close_matches(key, keys, n=5, cutoff=0.5)


# -- statements --------------------------------------------------------------------------

def _statement_select() -> Select:
    speaker = aliased(Actor, name="speaker")
    outlet = aliased(Actor, name="outlet")
    window_start = case(
        (Statement.span_start > CONTEXT_WINDOW, Statement.span_start - CONTEXT_WINDOW),
        else_=literal(0),
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
                Article.text, window_start + 1,
                Statement.span_end - window_start + CONTEXT_WINDOW,
            ).label("window"),
        )
        .join(Article, Statement.article_id == Article.id)
        .outerjoin(speaker, Statement.speaker_id == speaker.id)
        .outerjoin(outlet, Article.outlet_id == outlet.id)
    )


def statement(conn: Connection, ref: str) -> StatementView:
    """One statement with its chain, relations and context sentence."""
    statement_id = find_statement_id(conn, ref)
    rows = conn.execute(_statement_select().where(Statement.id == statement_id)).all()
    return _enrich(conn, rows)[0]


def iter_statements(conn: Connection, *, article: str | None = None,
                    batch: int = BATCH) -> Iterator[StatementView]:
    """Every statement (of one article, if given), in article then file order, streamed."""
    query = _statement_select().order_by(Statement.article_id, Statement.id)
    if article is not None:
        query = query.where(Article.key == article)
    result = conn.execution_options(yield_per=batch).execute(query)
    for partition in result.partitions():
        yield from _enrich(conn, partition)


def _actor(prefix: str, row) -> ActorRef | None:
    key = getattr(row, f"{prefix}_key")
    if key is None:
        return None
    return ActorRef(key, getattr(row, f"{prefix}_name"), getattr(row, f"{prefix}_kind"),
                    getattr(row, f"{prefix}_identified"))


def _enrich(conn: Connection, rows: Sequence) -> list[StatementView]:
    """Attach chains, relations and about-actors to a batch with three more queries."""
    ids = [row.id for row in rows]
    chains = _chains(conn, ids)
    outgoing, incoming = _relations(conn, ids)
    about = _about(conn, ids)
    return [
        StatementView(
            id=row.id, article=row.article, key=row.key, quote=row.quote, kind=row.kind,
            span_start=row.span_start, span_end=row.span_end, stated_on=row.stated_on,
            article_title=row.article_title, published=row.published, url=row.url,
            outlet=_actor("outlet", row), speaker=_actor("speaker", row),
            context=sentence_around(row.window or "", row.span_start - row.window_start,
                                    row.span_end - row.window_start),
            chain=tuple(chains.get(row.id, ())),
            outgoing=tuple(outgoing.get(row.id, ())),
            incoming=tuple(incoming.get(row.id, ())),
            about=tuple(about.get(row.id, ())),
        )
        for row in rows
    ]


def _chains(conn: Connection, ids: list[int]) -> dict[int, list[HopView]]:
    chains: dict[int, list[HopView]] = defaultdict(list)
    if not ids:
        return chains
    rows = conn.execute(
        select(Hop.statement_id, Hop.position, Hop.cue, Actor.key, Actor.name, Actor.kind,
               Actor.identified)
        .join(Actor, Hop.actor_id == Actor.id)
        .where(Hop.statement_id.in_(ids))
        .order_by(Hop.statement_id, Hop.position)
    )
    for row in rows:
        chains[row.statement_id].append(
            HopView(row.position, ActorRef(row.key, row.name, row.kind, row.identified), row.cue)
        )
    return chains


def _relations(conn: Connection, ids: list[int]
               ) -> tuple[dict[int, list[RelatedStatement]], dict[int, list[RelatedStatement]]]:
    outgoing: dict[int, list[RelatedStatement]] = defaultdict(list)
    incoming: dict[int, list[RelatedStatement]] = defaultdict(list)
    if not ids:
        return outgoing, incoming
    other = aliased(Statement, name="other")
    other_article = aliased(Article, name="other_article")
    other_speaker = aliased(Actor, name="other_speaker")
    for mine, theirs, into in ((Relation.source_id, Relation.target_id, outgoing),
                               (Relation.target_id, Relation.source_id, incoming)):
        rows = conn.execute(
            select(mine.label("mine"), Relation.type, other_article.key.label("article"),
                   other.key, other.quote, other_speaker.name.label("speaker"))
            .join(other, theirs == other.id)
            .join(other_article, other.article_id == other_article.id)
            .outerjoin(other_speaker, other.speaker_id == other_speaker.id)
            .where(mine.in_(ids))
            .order_by(mine, Relation.type, Relation.id)
        )
        for row in rows:
            into[row.mine].append(
                RelatedStatement(row.type, f"{row.article}#{row.key}", row.quote, row.speaker)
            )
    return outgoing, incoming


def _about(conn: Connection, ids: list[int]) -> dict[int, list[ActorRef]]:
    from claimsdb.models import StatementAbout

    about: dict[int, list[ActorRef]] = defaultdict(list)
    if not ids:
        return about
    rows = conn.execute(
        select(StatementAbout.statement_id, Actor.key, Actor.name, Actor.kind, Actor.identified)
        .join(Actor, StatementAbout.actor_id == Actor.id)
        .where(StatementAbout.statement_id.in_(ids))
        .order_by(StatementAbout.statement_id, Actor.key)
    )
    for row in rows:
        about[row.statement_id].append(ActorRef(row.key, row.name, row.kind, row.identified))
    return about


_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*\s|\n")


def sentence_around(window: str, start: int, end: int) -> str:
    """The sentence (or line) of the window that holds [start, end), whitespace-folded."""
    left = 0
    for match in _SENTENCE_END.finditer(window, 0, max(start, 0)):
        left = match.end()
    right_match = _SENTENCE_END.search(window, max(end, start))
    right = right_match.start() + 1 if right_match else len(window)
    if right_match and window[right_match.start()] == "\n":
        right = right_match.start()
    return " ".join(window[left:right].split())


def require_article(conn: Connection, key: str) -> int:
    """The id of a stored article, or NotFound with similar keys."""
    found = conn.execute(select(Article.id).where(Article.key == key)).scalar()
    if found is None:
        raise NotFound(f"no article '{key}' is stored", _close_keys(conn, select(Article.key), key))
    return found


def count_statements(conn: Connection, *, article: str | None = None) -> int:
    query = select(func.count()).select_from(Statement)
    if article is not None:
        query = query.join(Article, Statement.article_id == Article.id).where(
            Article.key == article
        )
    return conn.execute(query).scalar_one()
