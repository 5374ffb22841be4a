"""What a drafter proposes: typed, span-located results a reviewer checks.

Everything here is plain data (frozen dataclasses) so that a drafter is a pure
function from (text, language) to a ``Draft`` and its results can be compared,
pickled and rendered by any front end. Spans are ``(start, end)`` character offsets
into the text the drafter was given, end exclusive, like ``text[start:end]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Span = tuple[int, int]
SourceType = Literal["named", "role", "anonymous"]
StatementKind = Literal["direct", "indirect", "refusal"]  # refusal: "declined to comment"
RelationType = Literal["denies", "dismisses"]


@dataclass(frozen=True)
class Antecedent:
    """The earlier mention a pronoun ("he", "the spokesman") stands for."""

    text: str
    span: Span


@dataclass(frozen=True)
class DraftHop:
    """One link of a statement's attribution chain, as the text writes it."""

    mention: str  # the words naming the source there, kept as written
    mention_span: Span | None
    cue: str  # the reporting words ("said", "according to", "citing")
    cue_span: Span | None
    source_type: SourceType
    antecedent: Antecedent | None = None  # set when the mention is a pronoun


@dataclass(frozen=True)
class DraftStatement:
    """A proposed statement: its content, how it is reported, and through whom.

    ``chain`` is nearest first, like an article file's ``chain``: the source the
    article names, then who that source cites, to the original speaker last.
    """

    content: str
    content_span: Span
    kind: StatementKind
    cue: str
    cue_span: Span | None
    chain: tuple[DraftHop, ...]
    confidence: float  # 0..1, the drafter's own estimate; reviewers sort by it
    cue_kind: str = "speech"  # speech | belief | denial (from the lexicon)
    # The pieces of the content: one, or several when a quotation goes on after its
    # cue ("“A,” he said. “B.”"); ``content`` joins them with spaces.
    parts: tuple[Span, ...] = ()
    review: tuple[str, ...] = field(default=())  # hints for the reviewer


@dataclass(frozen=True)
class DraftRelation:
    """A guessed relation between two drafted statements (indexes into
    ``Draft.statements``): always a guess, so it always asks for review."""

    type: RelationType
    source: int  # the statement that denies or dismisses
    target: int  # the statement it answers
    confidence: float
    review: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Draft:
    """All a drafter found in one text."""

    language: str
    extractor: str
    statements: tuple[DraftStatement, ...]
    relations: tuple[DraftRelation, ...]
