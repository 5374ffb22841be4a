"""Each actor's counts (``claimsdb actors``), kept in ``actor_counts`` as articles come and go.

An actor's four counts are sums over statements and relations: the statements it
originated, the ones that passed through it, the denials from its statements and
into them. Counted from those rows at every question, the first page of ``claimsdb
actors`` read every statement and hop of the database (1.9 s on SQLite, 3.1 s on
PostgreSQL at a million statements, ten times its time at 100k). So the counts are
kept instead, the way the rows they count change: every writer ``record``s what the
articles it wrote bring, after writing them, and ``withdraw``s what an article takes
away, before deleting it, in the transaction (and savepoint) that changes the rows,
so a rollback takes both back together. ``counted`` defines the counts in SQL, for a
few articles (what a file adds, what a deleted article takes away) and for the whole
database (``claimsdb init --recount``, and ``claimsdb check``, which compares it
with what is kept); ``Tally`` makes the same sums in Python for the rows a bulk
import is about to write (the migration that made the table holds its own copy as
SQL). The test suite checks every database it builds, so each import of every test
compares the two.

What an article brings: its statements' counts, and the ``denies`` relations that
touch its statements (from them, or into them from another article): deleting an
article deletes both, and the relations into it that a replacement restores are
counted again with it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    Connection,
    Select,
    and_,
    bindparam,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from claimsdb.store.models import (
    ActorCount,
    Article,
    Hop,
    Relation,
    RelationType,
    Statement,
)

# PostgreSQL writers add to the row of their slot: their server process id modulo this.
SLOTS = 64
COUNTS = ("originated", "relayed", "denials_issued", "denials_received")
ARTICLES_AT_ONCE = 500  # article ids per IN list


def _row(actor: Any, originated: Any = 0, relayed: Any = 0, issued: Any = 0,
         received: Any = 0) -> list[Any]:
    return [actor.label("actor_id"),
            *((literal(value) if isinstance(value, int) else value).label(name)
              for name, value in zip(COUNTS, (originated, relayed, issued, received),
                                     strict=True))]


def count(conn: Connection, articles: Sequence[int] | None = None) -> list[tuple[int, ...]]:
    """(actor id, originated, relayed, denials issued, denials received) of every actor
    something counts, counted from the rows: of the whole database, or what these
    ``articles`` bring (see the module's docstring)."""
    if articles is None:
        rows = conn.execute(counted(scoped=False))
    else:
        articles = list(articles)
        low, high = conn.execute(_statement_bounds(), {"articles": articles}).one()
        if low is None:
            return []
        rows = conn.execute(counted(scoped=True),
                            {"articles": articles, "low": low, "high": high})
    return [(actor_id, *(int(n) for n in counts)) for actor_id, *counts in rows
            if actor_id is not None]


@functools.cache
def _statement_bounds() -> Select:
    """The smallest and largest id of the articles' statements, from their index
    entries. (``+ 0``: as ``min(id)``, PostgreSQL walked the primary key from its end
    until a row of the articles came up, half the table for articles in its middle.)"""
    ids = Statement.id + literal(0)
    return select(func.min(ids), func.max(ids)).where(
        Statement.article_id.in_(bindparam("articles", expanding=True)))


@functools.cache
def counted(*, scoped: bool) -> Select:
    """The query of ``count``: of the whole database, or (``scoped``) of the articles
    whose ids are bound to ``articles``, whose statements' ids lie from ``low`` to
    ``high``. Built once: each import asks it again.

    The bounds let each part read a range of the statements' and hops' primary keys
    (and of the relations' indexes) beside the articles' own condition, which alone
    PostgreSQL met by reading every hop of the database (a batch of 500 articles: 127
    ms at 100k statements, growing with the database).

    The same counts as ever: originated is each statement whose first chain's origin
    (``statements.speaker_id``) or a later chain's origin is the actor, once; relayed,
    each statement with the actor in a chain or as the article's outlet that it did
    not originate; the denials, by the speakers at either end of each ``denies``."""
    if not scoped:
        mine = None
        hop_scope: list[Any] = []
        statement_scope: list[Any] = []
    else:
        articles = bindparam("articles", expanding=True)
        low, high = bindparam("low"), bindparam("high")
        statement_scope = [Statement.id.between(low, high), Statement.article_id.in_(articles)]
        mine = select(Statement.id).where(*statement_scope)
        hop_scope = [Hop.statement_id.between(low, high), Hop.statement_id.in_(mine)]

    following = aliased(Hop, name="following")
    last_of_later_chain = and_(
        Hop.chain > literal(0),
        ~select(following.position).where(following.statement_id == Hop.statement_id,
                                          following.chain == Hop.chain,
                                          following.position == Hop.position + 1).exists())
    first = (select(*_row(Statement.speaker_id, originated=func.count()))
             .where(Statement.speaker_id.is_not(None), *statement_scope)
             .group_by(Statement.speaker_id))
    # A later chain's origin that is not also the first chain's: originated, and not
    # relayed (its hop counted it among the statements with it in a chain).
    distinct_statements = func.count(Hop.statement_id.distinct())
    later = (select(*_row(Hop.actor_id, originated=distinct_statements,
                          relayed=-distinct_statements))
             .select_from(Hop).join(Statement, Statement.id == Hop.statement_id)
             .where(last_of_later_chain, *statement_scope,
                    or_(Statement.speaker_id.is_(None), Statement.speaker_id != Hop.actor_id))
             .group_by(Hop.actor_id))
    in_chain = (select(*_row(Hop.actor_id, relayed=distinct_statements))
                .where(*hop_scope).group_by(Hop.actor_id))
    speaker_hop = aliased(Hop, name="speaker_hop")
    own_in_chain = (select(*_row(Statement.speaker_id, relayed=-func.count()))
                    .where(Statement.speaker_id.is_not(None), *statement_scope,
                           select(speaker_hop.position)
                           .where(speaker_hop.statement_id == Statement.id,
                                  speaker_hop.actor_id == Statement.speaker_id).exists())
                    .group_by(Statement.speaker_id))
    outlet_hop = aliased(Hop, name="outlet_hop")
    outlet_relayed = (select(*_row(Article.outlet_id, relayed=func.count()))
                      .select_from(Article)
                      .join(Statement, Statement.article_id == Article.id)
                      .where(Article.outlet_id.is_not(None), *statement_scope,
                             or_(Statement.speaker_id.is_(None),
                                 Statement.speaker_id != Article.outlet_id),
                             ~select(outlet_hop.position)
                             .where(outlet_hop.statement_id == Statement.id,
                                    outlet_hop.actor_id == Article.outlet_id).exists())
                      .group_by(Article.outlet_id))
    denials = _denials(mine, None if not scoped else (low, high))
    source = aliased(Statement, name="source")
    target = aliased(Statement, name="target")
    issued = (select(*_row(source.speaker_id, issued=func.count()))
              .select_from(denials).join(source, source.id == denials.c.source_id)
              .where(source.speaker_id.is_not(None)).group_by(source.speaker_id))
    received = (select(*_row(target.speaker_id, received=func.count()))
                .select_from(denials).join(target, target.id == denials.c.target_id)
                .where(target.speaker_id.is_not(None)).group_by(target.speaker_id))
    parts = union_all(first, later, in_chain, own_in_chain, outlet_relayed, issued,
                      received).subquery("parts")
    return (select(parts.c.actor_id, *(func.sum(parts.c[name]).label(name)
                                       for name in COUNTS))
            .group_by(parts.c.actor_id).order_by(parts.c.actor_id))


def _denials(mine: Select | None, bounds: tuple[Any, Any] | None) -> Any:
    """(source_id, target_id) of the ``denies`` relations counted: all of them, or
    those touching the statements ``mine`` (whose ids lie within ``bounds``), each once."""
    query = select(Relation.source_id, Relation.target_id).where(
        Relation.type == RelationType.DENIES.value)
    if mine is None or bounds is None:
        return query.subquery("denials")
    low, high = bounds
    return union_all(
        query.where(Relation.source_id.between(low, high), Relation.source_id.in_(mine)),
        query.where(Relation.target_id.between(low, high), Relation.target_id.in_(mine),
                    Relation.source_id.not_in(mine)),
    ).subquery("denials")


class Tally:
    """What rows about to be written bring to the counts, counted as they are built, as
    ``counted`` counts them once stored: a bulk import's articles (``claimsdb.ingest.
    bulk``). Counting a batch's 10,000 statements again from the database after
    writing them cost PostgreSQL 0.1 s, and seconds for the first batches of a new
    database, before the server had statistics on its growing tables; these are the
    same sums, made beside the rows. ``claimsdb check`` compares the two."""

    def __init__(self) -> None:
        self.changes: dict[int, list[int]] = {}

    def _row(self, actor_id: int) -> list[int]:
        row = self.changes.get(actor_id)
        if row is None:
            row = self.changes[actor_id] = [0, 0, 0, 0]
        return row

    def statement(self, speaker_id: int | None, outlet_id: int | None,
                  chains: Sequence[Sequence[int]]) -> None:
        """A statement: its stored speaker (the first chain's origin), its article's
        outlet, and each chain's actors, nearest source first."""
        row = self._row
        passed = {actor_id for chain in chains for actor_id in chain}
        for actor_id in passed:  # relayed, unless it originated (below)
            row(actor_id)[1] += 1
        if speaker_id is not None:
            counts = row(speaker_id)
            counts[0] += 1
            if speaker_id in passed:
                counts[1] -= 1
        if len(chains) > 1:  # later chains' origins: originated, not relayed
            for actor_id in {chain[-1] for chain in chains[1:] if chain} - {speaker_id}:
                counts = row(actor_id)
                counts[0] += 1
                counts[1] -= 1
        if outlet_id is not None and outlet_id != speaker_id and outlet_id not in passed:
            row(outlet_id)[1] += 1

    def denial(self, source_speaker: int | None, target_speaker: int | None) -> None:
        """A ``denies`` relation, by the speakers of its two statements."""
        if source_speaker is not None:
            self._row(source_speaker)[2] += 1
        if target_speaker is not None:
            self._row(target_speaker)[3] += 1

    def keep(self, conn: Connection) -> None:
        """Add the counts to those kept (once the rows are written)."""
        _apply(conn, self.changes)


def kept() -> Select:
    """(actor_id, and the four counts) as kept: each actor's slots summed."""
    return (select(ActorCount.actor_id,
                   *(func.sum(getattr(ActorCount, name)).label(name) for name in COUNTS))
            .group_by(ActorCount.actor_id))


def record(conn: Connection, articles: Iterable[int]) -> None:
    """Add what these stored articles bring to the kept counts (after writing them)."""
    _add(conn, articles, 1)


def withdraw(conn: Connection, articles: Iterable[int]) -> None:
    """Take away what these stored articles bring (before deleting them)."""
    _add(conn, articles, -1)


def _add(conn: Connection, articles: Iterable[int], sign: int) -> None:
    ids = sorted(set(articles))
    changes: dict[int, list[int]] = {}
    for start in range(0, len(ids), ARTICLES_AT_ONCE):
        for actor_id, *counts in count(conn, ids[start:start + ARTICLES_AT_ONCE]):
            total = changes.setdefault(actor_id, [0, 0, 0, 0])
            for i, n in enumerate(counts):
                total[i] += sign * n
    _apply(conn, changes)


def _apply(conn: Connection, changes: dict[int, list[int]]) -> None:
    """Add ``changes`` (actor id: the four counts) to the rows of this writer's slot,
    in actor order. Two PostgreSQL writers whose process ids share a slot (1 in 64)
    wait for each other's commit; if a batch adding more than once meets another in a
    cycle, the server rolls one back and claimsdb runs it again (``store.db.
    TransactionConflict``), as for any deadlock between imports."""
    rows = [{"actor_id": actor_id, "slot": _slot(conn),
             **dict(zip(COUNTS, counts, strict=True))}
            for actor_id, counts in sorted(changes.items()) if any(counts)]
    if not rows:
        return
    conn.execute(_upsert(conn.dialect.name), rows)


def _upsert(dialect: str) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(ActorCount)
    return statement.on_conflict_do_update(
        index_elements=[ActorCount.actor_id, ActorCount.slot],
        set_={name: getattr(ActorCount, name) + getattr(statement.excluded, name)
              for name in COUNTS})


def _slot(conn: Connection) -> int:
    if conn.dialect.name != "postgresql":
        return 0
    slot = conn.info.get("claimsdb_actor_count_slot")
    if slot is None:
        slot = conn.info["claimsdb_actor_count_slot"] = int(conn.execute(
            select(func.pg_backend_pid() % bindparam("slots", SLOTS))).scalar_one())
    return slot


def recount(conn: Connection) -> int:
    """Count every actor again from the rows and keep only that (``claimsdb init
    --recount``); the number of actors counted. On PostgreSQL the table is locked
    first: an import committing between the count and its rows would be counted twice."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("LOCK TABLE actor_counts IN EXCLUSIVE MODE")
    conn.execute(ActorCount.__table__.delete())
    rows = [{"actor_id": actor_id, "slot": 0, **dict(zip(COUNTS, counts, strict=True))}
            for actor_id, *counts in count(conn)]
    if rows:
        conn.execute(ActorCount.__table__.insert(), rows)
    return len(rows)


def disagreements(conn: Connection) -> list[tuple[int, tuple[int, ...], tuple[int, ...]]]:
    """(actor id, counts kept, counts counted) of every actor where they differ."""
    have = {actor_id: tuple(int(n or 0) for n in counts)
            for actor_id, *counts in conn.execute(kept())}
    found = {actor_id: tuple(counts) for actor_id, *counts in count(conn)}
    zero = (0, 0, 0, 0)
    return [(actor_id, have.get(actor_id, zero), found.get(actor_id, zero))
            for actor_id in sorted(set(have) | set(found))
            if have.get(actor_id, zero) != found.get(actor_id, zero)]


__all__ = [
    "COUNTS",
    "SLOTS",
    "Tally",
    "count",
    "counted",
    "disagreements",
    "kept",
    "record",
    "recount",
    "withdraw",
]
