"""How the drafting benchmarks compare a drafted content with a hand-marked one.

Shared by the PolNeAR scorer (``draft_eval.py``) and the seed scorer
(``draft_seeds.py``) so that "found" means the same thing in both tables: contents
are compared as sets of word positions in the article text (punctuation and
quotation marks do not count, nor a leading complementizer "that"), and a drafted
content matches a hand-marked one when their shared words are at least half of each,
pairs taken one to one, best overlap first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol, TypeVar

_WORD = re.compile(r"\w+(?:[-’'.&]\w+)*", re.UNICODE)


class HasContent(Protocol):
    content: frozenset[int]


Gold = TypeVar("Gold", bound=HasContent)
Drafted = TypeVar("Drafted", bound=HasContent)


def words(text: str) -> list[tuple[int, int, str]]:
    """The words of ``text`` with their character spans, lower-cased."""
    return [(m.start(), m.end(), m.group().lower()) for m in _WORD.finditer(text)]


def covered(tokens, fragments, skip_that: bool = False) -> frozenset[int]:
    """The positions of the words that any of the character spans ``fragments``
    touches; without a leading "that" when ``skip_that``."""
    found = [n for n, (s, e, _) in enumerate(tokens)
             if any(s < fe and fs < e for fs, fe in fragments)]
    if skip_that and found and tokens[found[0]][2] == "that":
        found = found[1:]
    return frozenset(found)


def drafted_content(statement, tokens) -> frozenset[int]:
    """The words of a drafted statement's content. The words of a hop or cue that
    stand between the parts of a continued quotation are not content (PolNeAR
    labels each word once, and a hand annotation's quote leaves them out too)."""
    cue = covered(tokens, [statement.cue_span]) if statement.cue_span else frozenset()
    attribution = frozenset().union(*(
        covered(tokens, [h.mention_span, h.cue_span])
        for h in statement.chain if h.mention_span and h.cue_span))
    parts = list(statement.parts) or [statement.content_span]
    return covered(tokens, parts, skip_that=True) - attribution - cue


def match(gold: Sequence[Gold], drafted: Sequence[Drafted],
          exact: bool) -> list[tuple[Gold, Drafted]]:
    """One-to-one pairs, best overlap first: overlap means the shared words are at
    least half of the larger content; ``exact`` asks for identical word sets."""
    pairs = []
    for g, gold_item in enumerate(gold):
        for p, drafted_item in enumerate(drafted):
            shared = len(gold_item.content & drafted_item.content)
            if not shared:
                continue
            if exact:
                if gold_item.content == drafted_item.content:
                    pairs.append((1.0, g, p))
                continue
            score = shared / max(len(gold_item.content), len(drafted_item.content))
            if score >= 0.5:
                pairs.append((score, g, p))
    pairs.sort(reverse=True)
    used_gold, used_drafted, matched = set(), set(), []
    for _, g, p in pairs:
        if g in used_gold or p in used_drafted:
            continue
        used_gold.add(g)
        used_drafted.add(p)
        matched.append((gold[g], drafted[p]))
    return matched


def prf(matched: int, drafted: int, gold: int) -> dict[str, float]:
    precision = matched / drafted if drafted else 0.0
    recall = matched / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3)}


def ratio(part: int, whole: int) -> float | None:
    """``part / whole`` to three places; None when there is nothing to count."""
    return round(part / whole, 3) if whole else None
