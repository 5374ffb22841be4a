"""What a question about one statement returns: the statement, its chain, its relations;
what a question about one actor returns; and about one article: its summary, text,
authors and statements.

These dataclasses live apart from the queries that fill them (``claimsdb.query.queries``,
which re-exports them under their old names) so that code holding results needs no
SQLAlchemy: the renderers, and the read path that answers ``claimsdb chain`` on the
database driver alone (``claimsdb.query.readpath``, ``claimsdb.query.articlepath``).

Defining a dataclass compiles its methods, which every command that loads this module
paid for all of them: what only an actor, an article or a denial is made of lives in
``actor_results``, ``article_results`` and ``denial_results``, and the names here load
them when first asked for (``__getattr__``), so ``claimsdb chain`` defines only the
statement's classes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from claimsdb.format.vocabulary import Identification

if TYPE_CHECKING:
    from collections.abc import Sequence


@dataclass(frozen=True)
class ActorRef:
    """An actor as a result names it: key, name, kind, how it is identified."""

    key: str
    name: str
    kind: str
    identified: str

    def describe(self) -> str:
        """'outlet, named' / 'group, anonymous': what a reader needs to weigh a source."""
        return f"{self.kind}, {self.identified}"


@dataclass(frozen=True)
class HopView:
    """One link of a chain: the actor cited there and the words citing it."""

    position: int
    actor: ActorRef
    cue: str | None
    # Format 1.1: the words naming the source at this point, how identifiable it is
    # there (None: as the actor is), and where cue and mention are in the text.
    mention: str | None = None
    identified: str | None = None
    cue_span: tuple[int, int] | None = None
    mention_span: tuple[int, int] | None = None

    @property
    def identification(self) -> str:
        """How identifiable the source is at this point of the article."""
        return self.identified or self.actor.identified


@dataclass(frozen=True)
class RelatedStatement:
    """A statement at the other end of a relation, with enough to show it in a line."""

    type: str
    ref: str
    quote: str
    speaker: ActorRef | None  # its original speaker (None: no outlet, own voice)


@dataclass(frozen=True)
class StatementView:
    """A statement with its article, speaker, chains, relations and context sentence."""

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
    # Every chain that carries it, each nearest source first ("according to AFP and
    # AP": two); none for the article's own voice. ``speaker`` is the first chain's
    # origin; ``origins`` has every chain's.
    chains: tuple[tuple[HopView, ...], ...] = ()
    outgoing: tuple[RelatedStatement, ...] = ()  # this statement denies/supports/... them
    incoming: tuple[RelatedStatement, ...] = ()  # they deny/support/... this statement
    about: tuple[ActorRef, ...] = field(default=())
    # Format 1.1: the quote translates words said in this language, given as ``original``.
    translated_from: str | None = None
    original: str | None = None

    @property
    def ref(self) -> str:
        return f"{self.article}#{self.key}"

    @property
    def chain(self) -> tuple[HopView, ...]:
        """The first chain (the only one of most statements)."""
        return self.chains[0] if self.chains else ()

    @property
    def chain_depth(self) -> int:
        """Links between the reader and the origin: the longest chain's."""
        return max((len(chain) for chain in self.chains), default=0)

    @property
    def own_voice(self) -> bool:
        return not self.chains

    @property
    def origins(self) -> tuple[ActorRef, ...]:
        """The original speaker of each chain, first chain first, each actor once; the
        speaker (the outlet, or nobody) for the article's own voice."""
        return chain_origins(self.chains, self.speaker)

    def chain_names(self) -> list[str]:
        """The first chain's names, nearest first (``chains_names`` for all chains)."""
        return [hop.actor.name for hop in self.chain]

    def chains_names(self) -> list[list[str]]:
        return [[hop.actor.name for hop in chain] for chain in self.chains]

    @property
    def origin_identified(self) -> str:
        """How identifiable the first chain's origin is where the article cites it: the
        last hop's own identification when the file gives one, else the speaker's (the
        article's own voice without an outlet counts as named)."""
        if self.chain and self.chain[-1].identified:
            return self.chain[-1].identified
        return self.speaker.identified if self.speaker else Identification.NAMED.value

    @property
    def origins_identified(self) -> tuple[str, ...]:
        """How identifiable each of ``origins`` is where the article cites it: its
        origin hop's own identification when given, else its actor's (``--origin``
        matches any of them)."""
        if not self.chains:
            return (self.origin_identified,)
        found: dict[str, str] = {}
        for chain in self.chains:
            found.setdefault(chain[-1].actor.key, chain[-1].identification)
        return tuple(found.values())

    def related(self, relation: str, *, incoming: bool = False) -> list[str]:
        pool = self.incoming if incoming else self.outgoing
        return [r.ref for r in pool if r.type == relation]


def chain_origins(chains: Sequence[Sequence[Any]], speaker: ActorRef | None
                  ) -> tuple[ActorRef, ...]:
    """Each chain's original speaker (its last hop's actor), first chain first, each
    actor once; ``speaker`` (the outlet, or nobody) for the article's own voice. For
    every shape of statement that carries chains of hops with an ``actor``."""
    if not chains:
        return (speaker,) if speaker is not None else ()
    found: dict[str, ActorRef] = {}
    for chain in chains:
        found.setdefault(chain[-1].actor.key, chain[-1].actor)
    return tuple(found.values())


# The classes that live in their own modules (see the docstring), by name.
_ELSEWHERE = {
    "ActorSummary": "actor_results", "RoleView": "actor_results",
    "ActorDetail": "actor_results", "ArticleSummary": "article_results",
    "ArticleDetail": "article_results", "DenialView": "denial_results",
}


def __getattr__(name: str) -> Any:
    if name in _ELSEWHERE:
        import importlib

        return getattr(importlib.import_module(f"claimsdb.query.{_ELSEWHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
