"""Finding a quote's character span in the article text.

Spans are offsets in Python's (and PostgreSQL's) characters, i.e. code points, into
the text exactly as stored. When a quote is not found, ``near_miss`` looks again
ignoring case, quote-mark style, dash style and runs of whitespace, so the error can
show the user the words the text really has.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence

_FOLD = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"',
        "\u00bb": '"', "\u2033": '"', "\u2039": "'", "\u203a": "'",
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
        "\u2015": "-", "\u2212": "-", "\u00a0": " ", "\u202f": " ", "\u2009": " ",
    }
)


class QuoteNotFound(Exception):
    pass


class QuoteAmbiguous(Exception):
    def __init__(self, count: int, lines: list[int]):
        super().__init__(count)
        self.count = count
        self.lines = lines


class OccurrenceMissing(Exception):
    def __init__(self, found: int):
        super().__init__(found)
        self.found = found


def locate(text: str, quote: str, occurrence: int | None) -> tuple[int, int]:
    """The (start, end) of the quote; the Nth match when ``occurrence`` is given.

    Matches are searched one character after the previous match's start, so
    overlapping matches count, as the format defines.
    """
    if occurrence is None:
        first = text.find(quote)
        if first < 0:
            raise QuoteNotFound(quote)
        if text.find(quote, first + 1) >= 0:
            starts = list(_all_starts(text, quote))
            raise QuoteAmbiguous(len(starts), [line_of(text, s) for s in starts[:5]])
        return first, first + len(quote)
    start = -1
    for found in range(occurrence):
        start = text.find(quote, start + 1)
        if start < 0:
            raise OccurrenceMissing(found)
    return start, start + len(quote)


Request = tuple[str, int | None]  # (quote, occurrence)
Located = tuple[int, int] | QuoteNotFound | QuoteAmbiguous | OccurrenceMissing

# Below this many statements x text characters, one ``locate`` per quote is quicker
# than building an index (each ``locate`` is one or two C-speed scans of the text).
FAST_PATH_WORK = 20_000_000
GRAM = 12  # characters per indexed gram
MAX_STRIDE = 8  # text positions between indexed grams
_KEEP_STARTS = 5  # match positions an ambiguity error shows
_SHARED_GRAM = 16  # quotes sharing one gram before they are grouped (see _index_matches)


def locate_all(text: str, requests: Sequence[Request], *, fast: bool | None = None
               ) -> list[Located]:
    """``locate`` for many quotes at once: each result is the span or the exception
    ``locate`` would raise (returned, not raised, so every problem can be reported).

    Calling ``locate`` per quote scans the whole text once or twice per quote, which
    for 50,000 quotes over a multi-megabyte text takes hours. The fast path reads the
    text once (see ``_index_matches``) and gives the same results; ``fast`` forces
    one path or the other (tests compare them), ``None`` picks by the work involved.
    """
    if fast is None:
        fast = len(requests) * len(text) >= FAST_PATH_WORK
    results: list[Located | None] = [None] * len(requests)
    indexed: list[int] = []
    for number, (quote, occurrence) in enumerate(requests):
        if fast and len(quote) >= GRAM:
            indexed.append(number)
            continue
        try:
            results[number] = locate(text, quote, occurrence)
        except (QuoteNotFound, QuoteAmbiguous, OccurrenceMissing) as error:
            results[number] = error
    if indexed:
        quotes = sorted({requests[n][0] for n in indexed})
        keep = max([_KEEP_STARTS, *(requests[n][1] or 0 for n in indexed)])
        matches = _index_matches(text, quotes, keep)
        for number in indexed:
            quote, occurrence = requests[number]
            count, starts = matches[quote]
            results[number] = _result(text, quote, occurrence, count, starts)
    return results  # type: ignore[return-value]


def _result(text: str, quote: str, occurrence: int | None, count: int, starts: list[int]
            ) -> Located:
    """What ``locate`` returns or raises, from a quote's match count and first starts."""
    if occurrence is None:
        if count == 0:
            return QuoteNotFound(quote)
        if count > 1:
            return QuoteAmbiguous(count, [line_of(text, s) for s in starts[:_KEEP_STARTS]])
        return starts[0], starts[0] + len(quote)
    if count < occurrence:
        return OccurrenceMissing(count)
    start = starts[occurrence - 1]
    return start, start + len(quote)


def _index_matches(text: str, quotes: Sequence[str], keep: int
                   ) -> dict[str, tuple[int, list[int]]]:
    """Every quote's match count and its first ``keep`` starts, in one pass over the text.

    Each quote (at least GRAM characters long) is indexed by the grams at its offsets
    0 .. stride-1, and the text is read only at positions that are multiples of the
    stride. A match starting at ``t`` covers exactly one such position ``p`` with
    ``p - t`` in 0 .. stride-1, and the quote's gram at offset ``p - t`` is the text's
    gram at ``p``: so every match is found exactly once, by checking the candidate
    start ``p - offset``. Matches may overlap, as ``locate`` counts them.

    Quotes often share their first words ("According to the ministry, ..."): a gram
    shared by many quotes is grouped by (offset, quote length), and each group is
    checked with one dictionary lookup of the text's slice, so a hit costs the number
    of groups rather than the number of quotes.
    """
    shortest = min(len(q) for q in quotes)
    stride = max(1, min(MAX_STRIDE, shortest - GRAM + 1))
    # Each entry is number * stride + offset: plain ints take a third of the memory
    # of (number, offset) tuples, and there are stride entries per quote.
    grams: dict[str, list[int] | list[tuple[int, int, dict[str, int]]]] = {}
    for number, quote in enumerate(quotes):
        for offset in range(stride):
            grams.setdefault(quote[offset:offset + GRAM], []).append(number * stride + offset)
    for gram, entries in grams.items():
        if len(entries) > _SHARED_GRAM:
            groups: dict[tuple[int, int], dict[str, int]] = {}
            for entry in entries:
                number, offset = divmod(entry, stride)
                quote = quotes[number]
                groups.setdefault((offset, len(quote)), {})[quote] = number
            grams[gram] = [(offset, length, table)
                           for (offset, length), table in sorted(groups.items())]
    counts = [0] * len(quotes)
    # Starts arrive in increasing order from one text position to the next, but up to
    # ``stride`` of them (for one quote) come from the same position in any order:
    # holding ``keep + stride`` before dropping the rest keeps the first ``keep`` exact.
    hold = keep + stride
    found: list[list[int]] = [[] for _ in quotes]

    def record(number: int, start: int) -> None:
        counts[number] += 1
        if len(found[number]) < hold:
            found[number].append(start)

    get = grams.get
    startswith = text.startswith
    for position in range(0, len(text) - GRAM + 1, stride):
        candidates = get(text[position:position + GRAM])
        if candidates is None:
            continue
        for entry in candidates:
            if isinstance(entry, tuple):
                offset, length, table = entry
                start = position - offset
                if start >= 0:
                    number = table.get(text[start:start + length])
                    if number is not None:
                        record(number, start)
                continue
            number, offset = divmod(entry, stride)
            start = position - offset
            if start >= 0 and startswith(quotes[number], start):
                record(number, start)
    return {
        quote: (counts[number], sorted(found[number])[:keep])
        for number, quote in enumerate(quotes)
    }


NearRequest = tuple[str, int | None, int, int]  # (words, occurrence, quote start, end)
Near = tuple[int, int] | None | OccurrenceMissing


def locate_near(text: str, requests: Sequence[NearRequest]) -> list[Near]:
    """Where a hop's cue or mention is: the span of its ``occurrence``-th match when
    that is given (``OccurrenceMissing`` when there are fewer), else of the match
    nearest to the statement's quote; None when the words are not in the text.

    Nearest means the fewest characters between the match and the quote (0 when they
    overlap); of two matches equally near, the earlier. Matching is exact, as for
    quotes, but only whole words match: "he" is not found inside "the" or "head"
    (``_whole_words``), and occurrences count whole-word matches. Each distinct
    string is searched once, however many hops use it ("said" in every statement of a
    long article), and its matches are then bisected.
    """
    starts = _starts_of(text, {words for words, *_ in requests})
    results: list[Near] = []
    for words, occurrence, quote_start, quote_end in requests:
        found = starts[words]
        if occurrence is not None:
            if len(found) < occurrence:
                results.append(OccurrenceMissing(len(found)))
                continue
            start = found[occurrence - 1]
        elif not found:
            results.append(None)
            continue
        else:
            start = _nearest(found, len(words), quote_start, quote_end)
        results.append((start, start + len(words)))
    return results


def is_nearest(text: str, words: str, start: int, quote_start: int, quote_end: int) -> bool:
    """Whether the match of ``words`` at ``start`` is the one ``locate_near`` picks
    without an occurrence. Only the stretch of text around the quote within the
    match's own distance is read: any match as near lies inside it."""
    length = len(words)
    distance = max(0, quote_start - (start + length), start - quote_end)
    low = max(0, quote_start - distance - length)
    high = min(len(text), quote_end + distance + length)
    window = text[low:high]
    found = _whole_words(text, words, (low + s for s in _all_starts(window, words)))
    return bool(found) and _nearest(found, length, quote_start, quote_end) == start


def word_occurrence_of(text: str, words: str, start: int) -> int:
    """Which whole-word match (1-based, as ``cue_occurrence`` counts) begins at ``start``."""
    return len(_whole_words(text, words, _all_starts(text[:start + len(words)], words)))


def _whole_words(text: str, words: str, starts: Iterable[int]) -> list[int]:
    """The matches that neither begin nor end inside a word of the text: where the
    words begin (end) with a letter or digit, the text's character before (after) the
    match must not be one."""
    check_before = words[:1].isalnum()
    check_after = words[-1:].isalnum()
    length = len(words)
    kept = []
    for start in starts:
        if check_before and start > 0 and text[start - 1].isalnum():
            continue
        end = start + length
        if check_after and end < len(text) and text[end].isalnum():
            continue
        kept.append(start)
    return kept


def _nearest(starts: list[int], length: int, quote_start: int, quote_end: int) -> int:
    # The first match that ends after the quote starts either overlaps the quote
    # (distance 0, and no earlier match overlaps it) or lies after it; the match just
    # before it ends at or before the quote's start.
    index = bisect.bisect_left(starts, quote_start - length + 1)
    if index < len(starts) and starts[index] < quote_end:
        return starts[index]
    before = starts[index - 1] if index > 0 else None
    after = starts[index] if index < len(starts) else None
    if after is None or (before is not None
                         and quote_start - (before + length) <= after - quote_end):
        return before  # type: ignore[return-value]
    return after


def _starts_of(text: str, needles: set[str]) -> dict[str, list[int]]:
    """Every match's start of each string, in order; long strings through the gram
    index of ``_index_matches`` when there are enough of them to make it pay."""
    long = sorted(n for n in needles if len(n) >= GRAM)
    found: dict[str, list[int]] = {}
    if long and len(long) * len(text) >= FAST_PATH_WORK:
        found = {n: starts for n, (_count, starts)
                 in _index_matches(text, long, len(text)).items()}
    for needle in needles:
        found[needle] = _whole_words(text, needle, found[needle] if needle in found
                                     else _all_starts(text, needle))
    return found


def occurrence_of(text: str, quote: str, start: int) -> int:
    """Which match (1-based) of ``quote`` begins at ``start``."""
    count = 0
    for found in _all_starts(text, quote):
        count += 1
        if found >= start:
            break
    return count


def is_unique(text: str, quote: str) -> bool:
    first = text.find(quote)
    return first >= 0 and text.find(quote, first + 1) < 0


def _all_starts(text: str, quote: str):
    start = text.find(quote)
    while start >= 0:
        yield start
        start = text.find(quote, start + 1)


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


# For each character a near-miss search folds to, a regex class of every character
# that folds to it ('"' also matches “ ” „ « » and so on).
_VARIANTS: dict[str, str] = {}
for _source, _target in {chr(k): v for k, v in _FOLD.items()}.items():
    _VARIANTS[_target] = _VARIANTS.get(_target, _target) + _source
_CLASSES = {target: "[" + re.escape(chars) + "]" for target, chars in _VARIANTS.items()}

# Near-miss searches per text. Each reads the whole text once, so a file whose quotes
# are mostly missing (the wrong text file) would cost quotes x text: 2,000 quotes in a
# 2.8 MB text took over four minutes. After this many, the rest are reported without.
NEAR_MISS_SEARCHES = 20


def near_miss(text: str, quote: str) -> str | None:
    """The text's own words for a quote that differs only in case, marks or spacing."""
    return NearMisses(text).find(quote)


class NearMisses:
    """Near-miss searches in one text, at most ``limit`` of them.

    The text is folded once (quote marks, dashes and case; to a copy of the same
    length, so offsets carry over) and each quote becomes a plain pattern over the
    copy (any run of whitespace for a space): a fast literal scan, where a
    case-insensitive pattern of character classes over the original was ten times
    slower. ``searched`` counts the scans; ``find`` returns None, without reading the
    text, once the limit is spent (``exhausted`` then says so).
    """

    def __init__(self, text: str, limit: int = NEAR_MISS_SEARCHES):
        self.text = text
        self.limit = limit
        self.searched = 0
        self.exhausted = False
        self._folded: str | None = None

    def available(self) -> bool:
        if self.searched >= self.limit:
            self.exhausted = True
            return False
        return True

    def find(self, quote: str) -> str | None:
        folded_quote = quote.translate(_FOLD).strip()
        if not folded_quote or not self.available():
            return None
        self.searched += 1
        if self._folded is None:
            folded = self.text.translate(_FOLD).lower()
            # lower() lengthens a few characters (İ): then offsets would not carry over,
            # and the search runs case-insensitively on the text itself instead.
            self._folded = folded if len(folded) == len(self.text) else ""
        if self._folded:
            pattern = r"\s+".join(re.escape(word) for word in folded_quote.lower().split())
            found = re.search(pattern, self._folded)
            return self.text[found.start():found.end()] if found else None
        return _near_miss_ignoring_case(self.text, folded_quote)


def _near_miss_ignoring_case(text: str, folded: str) -> str | None:
    parts: list[str] = []
    for token in re.split(r"(\s+)", folded):
        if not token:
            continue
        if token.isspace():
            parts.append(r"\s+")
            continue
        parts.extend(_CLASSES.get(char) or re.escape(char) for char in token)
    found = re.search("".join(parts), text, re.IGNORECASE)
    return found.group() if found else None
