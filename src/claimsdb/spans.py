"""Finding a quote's character span in the article text.

Spans are offsets in Python's (and PostgreSQL's) characters, i.e. code points, into
the text exactly as stored. When a quote is not found, ``near_miss`` looks again
ignoring case, quote-mark style, dash style and runs of whitespace, so the error can
show the user the words the text really has.
"""

from __future__ import annotations

import re

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


def _fold(text: str) -> tuple[str, list[int]]:
    """Folded text and, for each folded character, its offset in the original."""
    folded: list[str] = []
    origin: list[int] = []
    previous_space = False
    for index, char in enumerate(text.translate(_FOLD)):
        if char.isspace():
            if previous_space:
                continue
            char = " "
            previous_space = True
        else:
            previous_space = False
        for piece in char.casefold():
            folded.append(piece)
            origin.append(index)
    return "".join(folded), origin


def near_miss(text: str, quote: str) -> str | None:
    """The text's own words for a quote that differs only in case, marks or spacing."""
    folded_quote = re.sub(r"\s+", " ", quote.translate(_FOLD)).casefold().strip()
    if not folded_quote:
        return None
    folded_text, origin = _fold(text)
    found = folded_text.find(folded_quote)
    if found < 0:
        return None
    start = origin[found]
    end = origin[found + len(folded_quote) - 1] + 1
    return text[start:end]
