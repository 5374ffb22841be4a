"""The relational model of claims, their speakers, attribution chains and relations.

Vocabulary (used the same way in the CLI and the docs):

- actor: anyone who can say or relay something (person, organization, outlet,
  government, group), shared across articles by its key.
- article: one news article and its full text; statements point into that text.
- statement: one claim as an article reports it, with the character span of the words
  that carry it.
- hop: one link of a statement's attribution chain, nearest first. The article's outlet
  is the implicit link before position 0 and is not stored as a hop. The last hop's
  actor is the original speaker; a statement without hops is the article's own voice.
- relation: a typed edge between two statements (denies, contradicts, supports,
  repeats; since format 1.1 also confirms, dismisses, corrects, retracts, and a
  refusal's declines), possibly across articles. ``repeats`` points upstream, toward the origin.
- chain: a statement may be carried by several chains ("according to AFP and AP");
  hops carry their chain's number (0 for the first, the only one in version-1 files).
- topic: a free tag saying what a claim is about beyond actors.
- review: a fact-checker's verdict on a statement.

Enumerations are strings with CHECK constraints rather than database enum types, so
adding a value is one portable migration on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from claimsdb.format.vocabulary import (
    KEY_LENGTH,
    ActorKind,
    Identification,
    RelationType,
    StatementKind,
)

# Every constraint gets a predictable name, so migrations (including SQLite batch
# mode, which must name what it drops) can refer to them.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# The vocabularies live in claimsdb.format.vocabulary (no SQLAlchemy there, for the
# article parser); re-exported here, where the schema uses them.
__all__ = ["KEY_LENGTH", "ActorKind", "Identification", "RelationType", "StatementKind"]


def _in(column: str, values: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


intpk = Annotated[int, mapped_column(Integer, primary_key=True)]
key_str = Annotated[str, mapped_column(String(KEY_LENGTH))]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Actor(Base):
    __tablename__ = "actors"
    __table_args__ = (
        CheckConstraint(_in("kind", ActorKind), name="kind"),
        CheckConstraint(_in("identified", Identification), name="identified"),
    )

    id: Mapped[intpk]
    key: Mapped[key_str] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    identified: Mapped[str] = mapped_column(String(16), default=Identification.NAMED.value)
    wikidata: Mapped[str | None] = mapped_column(String(32))
    description: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)

    aliases: Mapped[list[ActorAlias]] = relationship(
        back_populates="actor", cascade="all, delete-orphan", order_by="ActorAlias.alias"
    )
    roles: Mapped[list[ActorRole]] = relationship(
        back_populates="actor",
        cascade="all, delete-orphan",
        foreign_keys="ActorRole.actor_id",
    )

    def __repr__(self) -> str:
        return f"Actor(key={self.key!r}, name={self.name!r}, kind={self.kind!r})"


class ActorCount(Base):
    """What ``claimsdb actors`` counts of an actor, kept as the rows it counts change.

    Counted from the statements, chains and relations at every question, the first
    page of ``claimsdb actors`` read every statement and hop of the database (1.9 s
    on SQLite, 3.1 s on PostgreSQL at a million statements) and grew with it. These
    rows hold each actor's counts as sums: every writer adds what an article brings
    and takes away what a deleted article took with it, in the same transaction as
    the rows themselves (``claimsdb.query.actor_counts``), so they cannot disagree
    with them once committed; ``claimsdb check`` counts everything again and
    compares.

    An actor's counts are the sum of its rows. PostgreSQL imports run side by side,
    so each writes the row of its own ``slot`` (its server process id modulo
    ``SLOTS``): two imports adding to one actor's counts would otherwise queue for
    one row until the first commits. SQLite writers are serial and use slot 0."""

    __tablename__ = "actor_counts"

    actor_id: Mapped[int] = mapped_column(
        ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True)
    slot: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Statements the actor is an original speaker of (any chain's origin).
    originated: Mapped[int] = mapped_column(Integer, server_default="0")
    # Statements that passed through it (a chain link or the article's outlet), not its own.
    relayed: Mapped[int] = mapped_column(Integer, server_default="0")
    # ``denies`` relations from its statements, and into them.
    denials_issued: Mapped[int] = mapped_column(Integer, server_default="0")
    denials_received: Mapped[int] = mapped_column(Integer, server_default="0")


class ActorAlias(Base):
    __tablename__ = "actor_aliases"

    actor_id: Mapped[int] = mapped_column(
        ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True
    )
    alias: Mapped[str] = mapped_column(String(500), primary_key=True)

    actor: Mapped[Actor] = relationship(back_populates="aliases")


class ActorRole(Base):
    """An actor holds a title at another actor: Peskov is the Kremlin's spokesman."""

    __tablename__ = "actor_roles"
    __table_args__ = (
        CheckConstraint("ended_on IS NULL OR started_on IS NULL OR ended_on >= started_on",
                        name="dates_ordered"),
        CheckConstraint("actor_id <> of_actor_id", name="not_self"),
    )

    id: Mapped[intpk]
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"))
    of_actor_id: Mapped[int] = mapped_column(
        ForeignKey("actors.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(Text)
    started_on: Mapped[dt.date | None] = mapped_column(Date)
    ended_on: Mapped[dt.date | None] = mapped_column(Date)

    actor: Mapped[Actor] = relationship(back_populates="roles", foreign_keys=[actor_id])
    of_actor: Mapped[Actor] = relationship(foreign_keys=[of_actor_id])



Index("ix_actor_roles_actor_id", ActorRole.actor_id)


class Article(Base):
    __tablename__ = "articles"

    id: Mapped[intpk]
    key: Mapped[key_str] = mapped_column(unique=True)
    title: Mapped[str] = mapped_column(Text)
    outlet_id: Mapped[int | None] = mapped_column(
        ForeignKey("actors.id", ondelete="RESTRICT"), index=True
    )
    url: Mapped[str | None] = mapped_column(String(2000), unique=True)
    # ISO 8601 as given (a date, or a datetime with its offset). Text sorts and
    # compares correctly for filtering by day and keeps what the user wrote.
    published: Mapped[str | None] = mapped_column(String(40), index=True)
    language: Mapped[str] = mapped_column(String(35), default="en")
    text: Mapped[str] = mapped_column(Text)
    # sha256 of the article's canonical content: tells "same again" from "changed".
    content_hash: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    # Format 1.1: when the text was retrieved (ISO date as given), where an archived
    # copy is, and the annotator's note.
    retrieved: Mapped[str | None] = mapped_column(String(40))
    archived_url: Mapped[str | None] = mapped_column(String(2000))
    note: Mapped[str | None] = mapped_column(Text)
    # Its independent origins (``claimsdb sources``): decided by its own statements
    # alone, so stored with them on import (``claimsdb.format.sourcing``); ``claimsdb
    # check`` works it out again. No default (migration 0006 says why): NULL is a row
    # another tool wrote, which check reports.
    independent_origins: Mapped[int | None] = mapped_column(Integer)

    outlet: Mapped[Actor | None] = relationship()
    authors: Mapped[list[ArticleAuthor]] = relationship(
        cascade="all, delete-orphan", order_by="ArticleAuthor.position"
    )
    statements: Mapped[list[Statement]] = relationship(
        back_populates="article", cascade="all, delete-orphan", order_by="Statement.span_start"
    )

    def __repr__(self) -> str:
        return f"Article(key={self.key!r}, title={self.title!r})"


class ArticleAuthor(Base):
    __tablename__ = "article_authors"
    __table_args__ = (UniqueConstraint("article_id", "actor_id"),)

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="RESTRICT"), index=True)

    actor: Mapped[Actor] = relationship()


class Statement(Base):
    __tablename__ = "statements"
    __table_args__ = (
        UniqueConstraint("article_id", "key"),
        CheckConstraint("span_start >= 0 AND span_end > span_start", name="span"),
        CheckConstraint(_in("kind", StatementKind), name="kind"),
    )

    id: Mapped[intpk]
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    key: Mapped[key_str]
    quote: Mapped[str] = mapped_column(Text)
    span_start: Mapped[int] = mapped_column(Integer)
    span_end: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16), default=StatementKind.INDIRECT.value)
    stated_on: Mapped[str | None] = mapped_column(String(40))
    # The original speaker: the last hop's actor, or the outlet for the article's own
    # voice (NULL when that article has no outlet). Derived on import and kept because
    # "who said it" is the question asked most; `claimsdb check` verifies it.
    speaker_id: Mapped[int | None] = mapped_column(
        ForeignKey("actors.id", ondelete="RESTRICT")
    )
    # Format 1.1: the quote is the article's translation of words said in this
    # language (a code such as "ru"), with the original words when the file gives them.
    translated_from: Mapped[str | None] = mapped_column(String(35))
    original: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    # The number of links of its longest chain (0: the article's own voice), for the
    # sourcing profile; stored on import like speaker_id, and checked the same way
    # (NULL, as for independent_origins: a row another tool wrote).
    depth: Mapped[int | None] = mapped_column(Integer)

    article: Mapped[Article] = relationship(back_populates="statements")
    speaker: Mapped[Actor | None] = relationship()
    hops: Mapped[list[Hop]] = relationship(
        back_populates="statement", cascade="all, delete-orphan",
        order_by="[Hop.chain, Hop.position]"
    )
    about: Mapped[list[StatementAbout]] = relationship(cascade="all, delete-orphan")
    topics: Mapped[list[StatementTopic]] = relationship(
        cascade="all, delete-orphan", order_by="StatementTopic.topic"
    )
    reviews: Mapped[list[Review]] = relationship(
        cascade="all, delete-orphan", order_by="Review.position"
    )

    def __repr__(self) -> str:
        return f"Statement(id={self.id!r}, key={self.key!r})"


# "What did X say", a page at a time: a speaker's statements in list order (article,
# then file order), so that the first page is read from the index and nothing sorted.
Index("ix_statements_speaker_id_article_id_id", Statement.speaker_id, Statement.article_id,
      Statement.id)
# Every list in list order (article, then file order): a first page of a filter that
# many statements meet is read from this index and stops after its rows, and a page
# chosen by id (``queries.statement_list``) sorts ids alone.
Index("ix_statements_article_id_id", Statement.article_id, Statement.id)


class StatementAbout(Base):
    __tablename__ = "statement_about"

    statement_id: Mapped[int] = mapped_column(
        ForeignKey("statements.id", ondelete="CASCADE"), primary_key=True
    )
    actor_id: Mapped[int] = mapped_column(
        ForeignKey("actors.id", ondelete="RESTRICT"), primary_key=True, index=True
    )

    actor: Mapped[Actor] = relationship()


class StatementTopic(Base):
    """A free tag on a statement, normalised to a lowercase key ("ceasefire-talks")."""

    __tablename__ = "statement_topics"

    statement_id: Mapped[int] = mapped_column(
        ForeignKey("statements.id", ondelete="CASCADE"), primary_key=True
    )
    topic: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True, index=True)


class Review(Base):
    """A fact-checker's verdict on a statement (format 1.1 ``reviews:``)."""

    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("statement_id", "position"),
                      CheckConstraint("position >= 0", name="position"))

    id: Mapped[intpk]
    statement_id: Mapped[int] = mapped_column(
        ForeignKey("statements.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer)  # order in the file
    reviewer_id: Mapped[int] = mapped_column(
        ForeignKey("actors.id", ondelete="RESTRICT"), index=True
    )
    rating: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(2000))
    reviewed_on: Mapped[str | None] = mapped_column(String(40))
    summary: Mapped[str | None] = mapped_column(Text)

    reviewer: Mapped[Actor] = relationship()


class Hop(Base):
    """One link of an attribution chain; position 0 is the source the article names.

    ``chain`` numbers a statement's chains from 0. Since format 1.1 a hop may record
    the words that name its source there (``mention``), how identifiable the source is
    at that point (``identified``; NULL: as the actor is), and the character spans of
    its cue and mention in the article text (NULL where not located)."""

    __tablename__ = "chain_hops"
    __table_args__ = (
        CheckConstraint("position >= 0", name="position"),
        CheckConstraint("chain >= 0", name="chain"),
        CheckConstraint(f"identified IS NULL OR {_in('identified', Identification)}",
                        name="identified"),
        CheckConstraint("cue_start IS NULL OR (cue_start >= 0 AND cue_end > cue_start)",
                        name="cue_span"),
        CheckConstraint("mention_start IS NULL OR "
                        "(mention_start >= 0 AND mention_end > mention_start)",
                        name="mention_span"),
    )

    statement_id: Mapped[int] = mapped_column(
        ForeignKey("statements.id", ondelete="CASCADE"), primary_key=True
    )
    chain: Mapped[int] = mapped_column(Integer, primary_key=True, server_default="0")
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="RESTRICT"))
    cue: Mapped[str | None] = mapped_column(Text)
    mention: Mapped[str | None] = mapped_column(Text)
    identified: Mapped[str | None] = mapped_column(String(16))
    cue_start: Mapped[int | None] = mapped_column(Integer)
    cue_end: Mapped[int | None] = mapped_column(Integer)
    mention_start: Mapped[int | None] = mapped_column(Integer)
    mention_end: Mapped[int | None] = mapped_column(Integer)
    # The origin whose claim this link relays: its chain's origin, unless the link is
    # that origin or the article's outlet (NULL). Stored on import so that ``claimsdb
    # sources`` reads the database's (origin, relay) pairs from one small index instead
    # of working out every hop's origin (``claimsdb.format.sourcing``). No foreign key:
    # the same actor is this statement's speaker or its chain's last link, which have
    # one, and PostgreSQL would check every hop again.
    relays_for: Mapped[int | None] = mapped_column(Integer)

    statement: Mapped[Statement] = relationship(back_populates="hops")
    actor: Mapped[Actor] = relationship()


# "Everything that came through Bloomberg": find hops by actor, then their statements.
Index("ix_chain_hops_actor_id_statement_id", Hop.actor_id, Hop.statement_id)
# "Everything AP originated" must find the origins of chains after the first, which
# statements.speaker_id (the first chain's origin) does not hold: only those hops.
Index("ix_chain_hops_later_chains", Hop.actor_id, Hop.statement_id,
      sqlite_where=text("chain > 0"), postgresql_where=text("chain > 0"))
# "Anonymous origins": the few hops that give their own identification (format 1.1).
Index("ix_chain_hops_identified", Hop.identified)
# The whole database's independent origins: its distinct (origin, relay) pairs, read
# from this index alone.
Index("ix_chain_hops_relays", Hop.relays_for, Hop.actor_id,
      sqlite_where=text("relays_for IS NOT NULL"),
      postgresql_where=text("relays_for IS NOT NULL"))


class Relation(Base):
    __tablename__ = "relations"
    __table_args__ = (
        UniqueConstraint("source_id", "type", "target_id"),
        CheckConstraint(_in("type", RelationType), name="type"),
        CheckConstraint("source_id <> target_id", name="not_self"),
    )

    id: Mapped[intpk]
    source_id: Mapped[int] = mapped_column(ForeignKey("statements.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int] = mapped_column(ForeignKey("statements.id", ondelete="CASCADE"))

    source: Mapped[Statement] = relationship(foreign_keys=[source_id])
    target: Mapped[Statement] = relationship(foreign_keys=[target_id])


# "Who denied this?" walks relations backwards from their target.
Index("ix_relations_target_id_type", Relation.target_id, Relation.type)
