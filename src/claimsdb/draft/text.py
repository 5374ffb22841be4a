"""The text as the drafter reads it: tokens, sentences and quotations, located.

Every piece keeps its character offsets into the original text, so whatever the
extractor proposes can be shown in place and written to an article file as a span.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from claimsdb.draft.lexicon import Lexicon

# Words (with inner apostrophes, hyphens, dots and ampersands: don't, U.S, AT&T,
# пресс-секретарь) or single marks. Trailing dots are separate tokens.
_TOKEN = re.compile(r"\w+(?:[-’'.&]\w+)*|[^\w\s]", re.UNICODE)
_SENTENCE_END = frozenset(".!?…")


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    text: str
    lower: str

    @property
    def is_word(self) -> bool:
        return self.text[0].isalnum() or self.text[0] == "_"

    @property
    def capitalized(self) -> bool:
        return self.text[0].isupper()


@dataclass(frozen=True)
class Quote:
    """A top-level quotation: ``start``/``end`` include the marks, ``inner_*`` not.
    A dash-opened speech turn has no marks: both pairs coincide."""

    start: int
    end: int
    inner_start: int
    inner_end: int


@dataclass
class Reading:
    """One text, tokenised and segmented once for every pass of the extractor."""

    text: str
    tokens: list[Token]
    starts: list[int]  # token start offsets, for bisect
    sentences: list[tuple[int, int]]  # token index ranges [first, last)
    quotes: list[Quote]
    quote_of: list[int]  # per token: the index of its quote, or -1

    def token_at(self, offset: int) -> int:
        """The index of the first token starting at or after ``offset``."""
        return bisect.bisect_left(self.starts, offset)


def tokenize(text: str) -> list[Token]:
    return [Token(m.start(), m.end(), m.group(), m.group().lower())
            for m in _TOKEN.finditer(text)]


def read(text: str, lexicon: Lexicon) -> Reading:
    tokens = tokenize(text)
    starts = [t.start for t in tokens]
    quotes = find_quotes(text, lexicon)
    quote_of = [-1] * len(tokens)
    for number, quote in enumerate(quotes):
        first = bisect.bisect_left(starts, quote.inner_start)
        last = bisect.bisect_left(starts, quote.inner_end)
        for index in range(first, last):
            quote_of[index] = number
    sentences = _join(_sentences(text, tokens, starts, lexicon.language), tokens,
                      quote_of, lexicon)
    return Reading(text, tokens, starts, sentences, quotes, quote_of)


def _join(sentences: list[tuple[int, int]], tokens: list[Token], quote_of: list[int],
          lexicon: Lexicon) -> list[tuple[int, int]]:
    """Undo the splits a reader would not make: inside one quotation ("“A. B,” he
    said" is one sentence for attribution) and after a title ("Ms. | Sherry")."""
    joined: list[tuple[int, int]] = []
    for first, last in sentences:
        if joined:
            before = joined[-1][1] - 1
            inside = quote_of[before] >= 0 and quote_of[before] == quote_of[first]
            if not inside and before >= 1 and tokens[before].text in (".", "…"):
                inside = quote_of[before - 1] >= 0 and quote_of[before - 1] == quote_of[first]
            title = (before >= 1 and tokens[before].text == "."
                     and (tokens[before - 1].lower in lexicon.titles
                          or (len(tokens[before - 1].text) == 1
                              and tokens[before - 1].text.isupper()))
                     and tokens[before].end == tokens[first].start - 1)
            if inside or title:
                joined[-1] = (joined[-1][0], last)
                continue
        joined.append((first, last))
    return joined


def _sentences(text: str, tokens: list[Token], starts: list[int],
               language: str) -> list[tuple[int, int]]:
    """Token ranges of the sentences, from sentencex run line by line (a line break
    always ends a sentence: headlines, paragraphs, list items)."""
    from sentencex import segment

    bounds: list[tuple[int, int]] = []
    offset = 0
    for line in text.split("\n"):
        if line.strip():
            position = offset
            for piece in segment(language, line):
                bounds.append((position, position + len(piece)))
                position += len(piece)
        offset += len(line) + 1
    ranges = []
    for start, end in bounds:
        first = bisect.bisect_left(starts, start)
        last = bisect.bisect_left(starts, end)
        if last > first:
            ranges.append((first, last))
    return ranges


def find_quotes(text: str, lexicon: Lexicon) -> list[Quote]:
    """Top-level quotations, line by line. A quotation left open at the end of its
    line ends there (news style opens each quoted paragraph again); marks nested
    inside a quotation are part of it. Lines opened by a speech dash are speech turns:
    the parts between `` — `` separators alternate speech and narration."""
    quotes: list[Quote] = []
    closer_of = dict(lexicon.quotes)
    offset = 0
    for line in text.split("\n"):
        stripped = line.lstrip()
        if stripped[:1] in lexicon.speech_dashes:
            quotes.extend(_dash_turns(line, offset, closer_of, _DASH_SPLIT))
        elif _hyphen_turns(stripped, lexicon):
            quotes.extend(_dash_turns(line, offset, closer_of, _HYPHEN_SPLIT))
        else:
            view = line
            for digraph, mark in lexicon.quote_digraphs:
                # same length, so offsets hold: '' -> "⁠ (a word joiner after the mark)
                view = view.replace(digraph, mark + "\u2060" * (len(digraph) - 1))
            quotes.extend(_marked(view, offset, closer_of))
        offset += len(line) + 1
    return quotes


def _marked(line: str, offset: int, closer_of: dict[str, str]) -> list[Quote]:
    found = []
    index = 0
    length = len(line)
    while index < length:
        char = line[index]
        closer = closer_of.get(char)
        if closer is None or not _can_open(line, index):
            index += 1
            continue
        stack = [closer]
        position = index + 1
        while position < length and stack:
            c = line[position]
            if c == stack[-1] and _can_close(line, position):
                stack.pop()
            elif c in closer_of and c != stack[-1] and _can_open(line, position):
                stack.append(closer_of[c])
            position += 1
        inner_end = position - 1 if not stack else length
        end = position if not stack else length
        while end < length and line[end] == "\u2060":
            end += 1
        while inner_end > index + 1 and line[inner_end - 1] in ", \t\u2060":
            inner_end -= 1  # “We see no progress,” he said: the comma is the writer's
        inner_start = index + 1
        while inner_start < inner_end and line[inner_start] == "\u2060":
            inner_start += 1
        if inner_end - inner_start > 0:
            found.append(Quote(offset + index, offset + end, offset + inner_start,
                               offset + inner_end))
        index = end
    return found


def _can_open(line: str, index: int) -> bool:
    """An opening mark starts a word: not an apostrophe inside one (don’t, 'n')."""
    before = line[index - 1] if index else " "
    after = line[index + 1] if index + 1 < len(line) else " "
    return not before.isalnum() and not after.isspace()


def _can_close(line: str, index: int) -> bool:
    after = line[index + 1] if index + 1 < len(line) else " "
    return not after.isalnum()


_DASH_SPLIT = re.compile(r"[,.!?…]?\s+[—–―]\s+")
_HYPHEN_SPLIT = re.compile(r"[,.!?…]?\s+-\s+")
_HYPHEN_OPENING = re.compile(r"-\s+\S")
_NARRATION_WORDS = 4


def _hyphen_turns(stripped: str, lexicon: Lexicon) -> bool:
    """A line typed with hyphens for speech dashes (``- Speech - he said.``): it opens
    with a spaced hyphen and a later spaced hyphen is followed, within a few words,
    by a cue verb. A list item ("- The Times reports ...") has no such second hyphen
    before narration, so lists are not read as speech."""
    if not _HYPHEN_OPENING.match(stripped):
        return False
    for match in _HYPHEN_SPLIT.finditer(stripped, 1):
        following = stripped[match.end():].split()[:_NARRATION_WORDS]
        if any(word.strip(",.:;!?").lower() in lexicon.verb_cues for word in following):
            return True
    return False


def _dash_turns(line: str, offset: int, closer_of: dict[str, str],
                separator: re.Pattern[str]) -> list[Quote]:
    """``— Speech, — narration. — Speech.``: the speech parts, without their dashes.
    A narration part may itself quote (``- said Peskov, adding: "..."``)."""
    lead = len(line) - len(line.lstrip())
    begin = lead + 1
    turns = []
    speaking = True
    for match in [*separator.finditer(line, begin), None]:
        stop = match.start() if match else len(line)
        if speaking:
            start = begin
            while start < stop and line[start].isspace():
                start += 1
            end = stop
            if match and line[match.start()] in ",.!?…":
                end = match.start() + (0 if line[match.start()] == "," else 1)
            if end > start:
                turns.append(Quote(offset + start, offset + end, offset + start, offset + end))
        else:
            turns.extend(_marked(line[begin:stop], offset + begin, closer_of))
        if match is None:
            break
        speaking = not speaking
        begin = match.end()
    return turns


def is_sentence_end(token: Token) -> bool:
    return token.text in _SENTENCE_END
