"""Who a mention names: a named person or organisation, a role, or an anonymous
source; and what a pronoun ("he", "they", "the spokesman") stands for."""

from __future__ import annotations

import re

from claimsdb.draft.lexicon import Lexicon
from claimsdb.draft.results import Antecedent, SourceType

_WORD = re.compile(r"\w+(?:[-’'.&]\w+)*", re.UNICODE)
_DETERMINERS = frozenset({"the", "a", "an"})


def pronoun_class(mention: str, lexicon: Lexicon) -> str | None:
    """What a pronoun may stand for (person, group, role, ...), None for a name."""
    words = tuple(w.lower() for w in _WORD.findall(mention))
    return lexicon.pronouns.get(words)


def source_type(mention: str, lexicon: Lexicon) -> SourceType:
    """Anonymous if an anonymity pattern matches ("officials", "people familiar with
    the matter"); named if the mention ends in a capitalised word that is no title
    (an institution by its name, "The Kremlin", even though "Kremlin" makes "a
    Kremlin spokesman" a role) or a capitalised word remains once roles, titles and
    a leading determiner are set aside ("Kremlin spokesman Dmitry Peskov", "The
    Washington Post"); otherwise a role ("a Kremlin spokesman")."""
    if any(p.search(mention) for p in lexicon.anonymous):
        return "anonymous"
    words = _WORD.findall(mention)
    if words and words[-1][0].isupper() and words[-1].lower().rstrip(".") not in lexicon.titles:
        return "named"  # an institution by its name: "The Kremlin", "the White House"
    for number, word in enumerate(words):
        lower = word.lower()
        if number == 0 and lower in _DETERMINERS:
            continue
        if (word[0].isupper() and lower not in lexicon.roles
                and lower.rstrip(".") not in lexicon.titles):
            return "named"
    return "role"


def resolve(kind: str, mention: str, before: int,
            candidates: list[tuple[str, tuple[int, int], SourceType]],
            contents: tuple[tuple[int, int], ...] = ()) -> Antecedent | None:
    """The nearest earlier mention (ending before ``before``) that fits the pronoun:
    a person pronoun takes a named or role mention, a group pronoun ("they") an
    anonymous, plural or organisation one, a description ("the spokesman") a mention
    with the same noun.

    Mentions inside ``contents`` (what earlier sources were reported to say) are
    tried last: a name a speaker talks about is seldom who "he" is in the next
    sentence, the speaker is ("Peskov said the Western assessment was wrong. He
    added ..." is Peskov's, not the West's)."""
    head = mention.lower().split()[-1] if mention.split() else ""
    ordered = sorted(candidates, key=lambda c: -c[1][1])
    inside = [c for c in ordered if any(s <= c[1][0] and c[1][1] <= e for s, e in contents)]
    for text, span, stype in [c for c in ordered if c not in inside] + inside:
        if span[1] > before:
            continue
        lower = text.lower()
        if kind == "person" and stype != "anonymous" and not lower.endswith("s"):
            return Antecedent(text, span)
        if kind == "group" and (stype == "anonymous" or lower.endswith("s")):
            return Antecedent(text, span)
        if kind in ("role", "organisation") and head and head in lower:
            return Antecedent(text, span)
    return None


_NAME = re.compile(r"(?<![\w.])(?:[A-ZА-ЯЁ][\w’'-]+\.? ){0,3}[A-ZА-ЯЁ][\w’'-]+", re.UNICODE)


def name_mentions(text: str, lexicon: Lexicon) -> list[tuple[str, tuple[int, int], SourceType]]:
    """Capitalised word runs of the text that name someone ("Dmitry Peskov",
    "Peskov"), as antecedent candidates beside the drafted sources. A single word
    opening a sentence counts only when it is not a pronoun or a common word the
    lexicon knows."""
    found = []
    for match in _NAME.finditer(text):
        words = match.group().split()
        if len(words) == 1:
            start = match.start()
            opening = start == 0 or text[:start].rstrip()[-1:] in ".!?\n\"“”«»—"
            lower = words[0].lower()
            if opening or lower in lexicon.roles or (lower,) in lexicon.pronouns:
                continue
            if lower in lexicon.verb_cues or lower in lexicon.subject_stops:
                continue
        found.append((match.group(), (match.start(), match.end()),
                      source_type(match.group(), lexicon)))
    # Groups a "they" may stand for: "Western officials", "sources".
    for pattern in lexicon.anonymous:
        for match in pattern.finditer(text):
            start = match.start()
            before = _PREVIOUS_WORD.search(text, 0, start)
            if before and before.group(1)[0].isupper():
                start = before.start(1)
            found.append((text[start:match.end()], (start, match.end()), "anonymous"))
    return found


_PREVIOUS_WORD = re.compile(r"(\w+) $", re.UNICODE)
