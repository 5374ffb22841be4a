"""An article's text cut into pieces for the article page, each knowing which
statement it belongs to and whether it names a source or is a cue.

Statements may nest and overlap (a headline statement around a quote, two readings
of one sentence), and HTML links may not nest, so the text is cut at every span's
start and end; each piece belongs to the shortest statement covering it (the most
specific one), and is marked as a source or cue when one of those spans covers it.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from claimsdb.query.results import StatementView


def origin_class(view: StatementView) -> str:
    """The colour a statement gets: its origin's identification, or own voice."""
    return "own" if view.own_voice else view.origin_identified


@dataclass(frozen=True)
class Piece:
    text: str
    statement: StatementView | None  # the innermost statement covering it
    first: bool  # the first piece of its statement (the one keyboard focus stops at)
    source: bool  # words naming a source of the statement
    cue: bool  # a reporting cue ("said", "according to")
    number: int = 0  # the statement's number in text order (as `claimsdb article`)


def pieces(text: str, views: Sequence[StatementView]) -> list[Piece]:
    """``text`` cut at every statement, source and cue boundary, in order."""
    statements = [(v.span_start, v.span_end, n, v) for n, v in enumerate(views, start=1)
                  if 0 <= v.span_start < v.span_end <= len(text)]
    sources: list[tuple[int, int]] = []
    cues: list[tuple[int, int]] = []
    for view in views:
        for hop in (hop for chain in view.chains for hop in chain):
            if hop.mention_span is not None:
                sources.append(hop.mention_span)
            if hop.cue_span is not None:
                cues.append(hop.cue_span)
    cuts = {0, len(text)}
    for start, end, *_ in statements:
        cuts.update((start, end))
    for start, end in (*sources, *cues):
        if 0 <= start < end <= len(text):
            cuts.update((start, end))
    bounds = sorted(cuts)
    at = {bound: index for index, bound in enumerate(bounds)}
    # Each span covers the pieces from its start's cut to its end's: mark those pieces
    # (work in proportion to what the spans cover, not pieces times spans: an article
    # of a hundred statements has hundreds of pieces).
    count = len(bounds) - 1
    innermost: list[tuple[int, int, StatementView] | None] = [None] * count
    for start, end, number, view in statements:
        length = end - start
        for index in range(at[start], at[end]):
            known = innermost[index]
            if known is None or (length, number) < known[:2]:
                innermost[index] = (length, number, view)
    is_source = _covered(bounds, sources)
    is_cue = _covered(bounds, cues)
    seen: set[int] = set()
    out: list[Piece] = []
    for index, (start, end) in enumerate(itertools.pairwise(bounds)):
        covering = innermost[index]
        view, number = None, 0
        if covering is not None:
            _, number, view = covering
        first = view is not None and view.id not in seen
        if view is not None:
            seen.add(view.id)
        out.append(Piece(text[start:end], view, first, is_source[index], is_cue[index],
                         number))
    return out


def _covered(bounds: list[int], spans: list[tuple[int, int]]) -> list[bool]:
    """For each piece between consecutive ``bounds``, whether one of ``spans`` covers
    it (a span reaching past the text covers the pieces inside it)."""
    covered = [False] * (len(bounds) - 1)
    for start, end in spans:
        first, stop = bisect.bisect_left(bounds, start), bisect.bisect_right(bounds, end) - 1
        if first < stop:
            covered[first:stop] = [True] * (stop - first)
    return covered
