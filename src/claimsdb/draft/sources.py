"""Who a mention names: a named person or organisation, a role, or an anonymous
source; and what a pronoun ("he", "they", "the spokesman") stands for."""

from __future__ import annotations

import bisect
import re

from claimsdb.draft.lexicon import Lexicon, is_time_phrase
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


class Mentions:
    """The mentions a pronoun may stand for, kept in text order so that resolving
    one looks only at the nearest earlier ones: a long text has thousands of
    mentions and pronouns, and scanning every mention for every pronoun (and every
    content for every mention) made drafting it take minutes.

    Mentions inside ``contents`` (what earlier sources were reported to say) are
    tried after the others: a name a speaker talks about is seldom who "he" is in
    the next sentence, the speaker is ("Peskov said the Western assessment was
    wrong. He added ..." is Peskov's, not the West's)."""

    LOOKBACK = 400  # nearest mentions tried for one pronoun; antecedents are near

    def __init__(self, candidates: list[tuple[str, tuple[int, int], SourceType]],
                 contents: tuple[tuple[int, int], ...] = ()):
        ordered = sorted(contents)
        self._content_starts = [start for start, _ in ordered]
        self._reach: list[int] = []  # the furthest end of the contents so far
        for _, end in ordered:
            self._reach.append(max(end, self._reach[-1] if self._reach else end))
        self._ends: list[int] = []
        self._items: list[tuple[str, tuple[int, int], SourceType, bool]] = []
        for text, span, stype in candidates:
            self.add(text, span, stype)

    def _inside(self, span: tuple[int, int]) -> bool:
        at = bisect.bisect_right(self._content_starts, span[0]) - 1
        return at >= 0 and self._reach[at] >= span[1]

    def add(self, text: str, span: tuple[int, int], stype: SourceType) -> None:
        at = bisect.bisect_right(self._ends, span[1])
        self._ends.insert(at, span[1])
        self._items.insert(at, (text, span, stype, self._inside(span)))

    def resolve(self, kind: str, mention: str, before: int) -> Antecedent | None:
        """The nearest earlier mention (ending before ``before``) that fits the
        pronoun: a person pronoun takes a named or role mention, a group pronoun
        ("they") an anonymous, plural or organisation one, a description ("the
        spokesman") a mention with the same noun."""
        head = mention.lower().split()[-1] if mention.split() else ""
        end = bisect.bisect_right(self._ends, before)
        nearest = self._items[max(0, end - self.LOOKBACK):end][::-1]
        for text, span, stype, _inside in [m for m in nearest if not m[3]] + [
                m for m in nearest if m[3]]:
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
        for start, end in _sentence_pieces(match, lexicon):
            name = text[start:end]
            if is_time_phrase(name, lexicon):
                continue  # "on Monday. He said": Monday is no one
            words = name.split()
            if len(words) == 1:
                opening = start == 0 or text[:start].rstrip()[-1:] in ".!?\n\"“”«»—"
                lower = words[0].lower()
                if opening or lower in lexicon.roles or (lower,) in lexicon.pronouns:
                    continue
                if lower in lexicon.verb_cues or lower in lexicon.subject_stops:
                    continue
            found.append((name, (start, end), source_type(name, lexicon)))
    # Groups a "they" may stand for: "Western officials", "sources".
    for pattern in lexicon.anonymous:
        for match in pattern.finditer(text):
            start = match.start()
            before = _PREVIOUS_WORD.search(text, max(0, start - _WORD_REACH), start)
            if before and before.group(1)[0].isupper():
                start = before.start(1)
            found.append((text[start:match.end()], (start, match.end()), "anonymous"))
    return found


def _sentence_pieces(match: re.Match[str], lexicon: Lexicon) -> list[tuple[int, int]]:
    """A capitalised run split where a sentence ends inside it ("Monday. He"): a dot
    after a title ("Mr.") or an initial ("C.") stays inside the name."""
    pieces = []
    start = match.start()
    for word in re.finditer(r"\S+", match.group()):
        if word.group().endswith(".") and word.end() < len(match.group()):
            bare = word.group()[:-1]
            if len(bare) > 1 and bare.lower() not in lexicon.titles:
                pieces.append((start, match.start() + word.end() - 1))
                start = match.start() + word.end() + 1
    pieces.append((start, match.end()))
    return [(s, e) for s, e in pieces if e > s]


_PREVIOUS_WORD = re.compile(r"(\w+) $", re.UNICODE)
_WORD_REACH = 60  # how far back the word before a group is looked for: not the whole text
