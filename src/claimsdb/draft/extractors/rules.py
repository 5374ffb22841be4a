"""The default extractor: cue lexicons and word-order patterns, no model, no network.

It reads a text sentence by sentence and, for every cue word the lexicon knows
(said, told, according to, заявил, по словам, ...), tries the few orders in which
news prose attaches a source and a content to it:

- forward:  ``SOURCE CUE (that) CONTENT`` and ``SOURCE CUE: “QUOTE”``
- backward: ``CONTENT, SOURCE CUE.`` and ``“QUOTE,” SOURCE CUE.``
- inverted: ``CONTENT, CUE SOURCE.`` and ``«QUOTE», — CUE SOURCE.``
- source after the cue: ``according to SOURCE, CONTENT`` and ``CONTENT, according to SOURCE``

then extends the chain ("citing Y", "quoted by X", "sources told X", "X quoted Y as
saying"), types each source, resolves pronouns, and carries the speaker of a quote
on to the quotes that continue it. Quoted material is always taken whole, so a
quotation over several sentences is one statement.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from claimsdb.draft import denials
from claimsdb.draft.lexicon import Cue, Lexicon, is_time_phrase
from claimsdb.draft.results import Draft, DraftHop, DraftStatement
from claimsdb.draft.sources import Mentions, name_mentions, pronoun_class, source_type
from claimsdb.draft.text import Reading, Token, is_sentence_end, read

NAME = "rules"

_MAX_SUBJECT = 12  # words; a longer run before a cue is rarely its subject
_MAX_SOURCE = 12
_SEPARATORS = frozenset({",", "—", "–", "―", ":", "-"})
_NAME_INNER = frozenset({"’", "'", "-", "&"})
_MIN_CONTENT_WORDS = 2


@dataclass
class _Hop:
    mention: tuple[int, int]  # token range [first, last)
    cue: tuple[int, int]


@dataclass
class _Found:
    content: tuple[int, int]  # character span
    cue: tuple[int, int]  # token range
    cue_kind: str
    hops: list[_Hop]
    confidence: float
    quoted: bool = False
    refusal: bool = False  # "declined to comment": the content is those words
    review: list[str] = field(default_factory=list)
    parts: list[tuple[int, int]] = field(default_factory=list)  # character spans


def extract(text: str, lexicon: Lexicon) -> Draft:
    reading = read(text, lexicon)
    found = _Finder(reading, lexicon).run()
    statements = _build(reading, lexicon, found)
    return Draft(language=lexicon.language, extractor=NAME, statements=tuple(statements),
                 relations=tuple(denials.guess(statements, lexicon)))


class _Finder:
    def __init__(self, reading: Reading, lexicon: Lexicon):
        self.r = reading
        self.lex = lexicon
        self.tokens = reading.tokens
        self.quote_by_start = {q.start: n for n, q in enumerate(reading.quotes)}
        self.quote_by_end = {q.end: n for n, q in enumerate(reading.quotes)}
        self.used: set[int] = set()  # tokens already part of a found statement
        self.previous: tuple[int, _Found] | None = None  # (its sentence, the last hit)
        self.source_after: dict[str, list[Cue]] = {}  # by first word, to look up fast
        for cue in lexicon.source_after_cues:
            self.source_after.setdefault(cue.words[0], []).append(cue)
        self.citing_first = {words[0] for words in lexicon.citing_cues}
        self.title_lines: dict[tuple[int, int], bool] = {}
        self.refusal_at: dict[int, int] = {}  # first token of a refusal -> its end (char)
        for pattern in lexicon.refusals:
            for match in pattern.finditer(reading.text):
                at = reading.token_at(match.start())
                if at < len(self.tokens) and self.tokens[at].start == match.start():
                    self.refusal_at.setdefault(at, match.end())

    # -- the passes -------------------------------------------------------------

    def run(self) -> list[_Found]:
        found: list[_Found] = []
        for first, last in self.r.sentences:
            index = first
            while index < last:
                hit = None
                if index not in self.used and self.r.quote_of[index] < 0:
                    hit = self._at(index, first, last)
                if hit is not None:
                    found.append(hit)
                    self._claim(hit)
                    self.previous = (first, hit)
                index += 1
        found.sort(key=lambda f: f.content[0])
        return self._continue_quotes(self._nest(found))

    def _nest(self, found: list[_Found]) -> list[_Found]:
        """"According to Bloomberg, Western officials say C": when the content of
        "according to" (or another cue naming its source after it) opens with a
        source and its cue of speech, C is one statement with a
        chain of two hops, Bloomberg's first (the outer cue stays the statement's
        cue). Not for a pronoun ("Stein said she plans to ...": Stein's own words)
        nor a belief or an intention ("X said Y hopes ..."): those stay one hop."""
        nested = []
        for outer in found:
            inner = None
            if not (outer.quoted or outer.parts) and outer.hops and any(
                    self._words_at(outer.cue[0], cue.words, outer.cue[1])
                    for cue in self.lex.source_after_cues):
                inner = self._inner(outer)
            if inner is None:
                nested.append(outer)
                continue
            inner.hops = [*outer.hops, *inner.hops]
            inner.cue = outer.cue
            inner.cue_kind = outer.cue_kind
            inner.confidence = round(min(inner.confidence, outer.confidence) - 0.05, 2)
            nested.append(inner)
        return nested

    def _inner(self, outer: _Found) -> _Found | None:
        first = self.r.token_at(outer.content[0])
        last = self.r.token_at(outer.content[1])
        if last - first < 4 or self.tokens[first].lower in self.lex.complementizers:
            return None
        claimed = set(range(first, last))
        self.used -= claimed
        saved = self.previous
        self.previous = None
        hit = None
        try:
            for index in range(first + 1, min(last, first + _MAX_SUBJECT + 2)):
                token = self.tokens[index]
                if token.lower not in self.lex.verb_cues or token.capitalized:
                    continue
                candidate = self._at(index, first, last)
                if candidate is not None and candidate.hops and (
                        candidate.cue_kind == "speech"
                        and candidate.hops[0].mention[0] == first
                        and self.r.token_at(candidate.content[0]) > index
                        and not self._is_pronoun(candidate.hops[0].mention)):
                    hit = candidate
                break
        finally:
            self.used |= claimed
            self.previous = saved
        return hit

    def _claim(self, hit: _Found) -> None:
        for hop in hit.hops:
            self.used.update(range(*hop.mention))
            self.used.update(range(*hop.cue))
        self.used.update(range(*hit.cue))
        first = self.r.token_at(hit.content[0])
        last = self.r.token_at(hit.content[1])
        self.used.update(range(first, last))

    def _at(self, index: int, first: int, last: int) -> _Found | None:
        if index in self.refusal_at:
            hit = self._refusal(index, first, last)
            if hit is not None:
                return hit
        lower = self.tokens[index].lower
        for cue in self.source_after.get(lower, ()):
            if self._words_at(index, cue.words, last):
                return self._source_after(index, len(cue.words), cue, first, last)
        if lower in self.lex.quoted_as:
            hit = self._quoted_as(index, first, last)
            if hit is not None:
                return hit
        cue = self.lex.verb_cues.get(lower)
        if cue is None or (index > first and self.tokens[index].capitalized
                           and not self._title_case(first, last)):
            return None
        if index > first and self.tokens[index - 1].lower in self.lex.determiners:
            return None  # "a claim", "his writing": a noun
        return self._verb(index, cue, first, last)

    def _title_case(self, first: int, last: int) -> bool:
        """A headline in title case ("Obama Says Museum Will Tell of Suffering"),
        where a capitalised cue verb is still a verb: a whole line whose words
        (of more than three letters) are nearly all capitalised."""
        key = (first, last)
        cached = self.title_lines.get(key)
        if cached is None:
            long_words = [t for t in self.tokens[first:last] if t.is_word and len(t.text) > 3]
            capitals = sum(1 for t in long_words if t.capitalized)
            line_start = self.r.text.rfind("\n", 0, self.tokens[first].start) + 1
            line_end = self.r.text.find("\n", self.tokens[last - 1].end)
            whole = (not self.r.text[line_start:self.tokens[first].start].strip()
                     and not self.r.text[self.tokens[last - 1].end:
                                         None if line_end < 0 else line_end].strip())
            cached = whole and len(long_words) >= 3 and capitals >= 0.8 * len(long_words)
            self.title_lines[key] = cached
        return cached

    def _refusal(self, index: int, first: int, last: int) -> _Found | None:
        """"The ministry declined to comment": a refusal by the subject before it,
        its content the refusal's own words (the format's kind refusal)."""
        end = self.r.token_at(self.refusal_at[index])
        if end > last:
            return None
        cue_first = index
        while cue_first > first and self.tokens[cue_first - 1].lower in self.lex.auxiliaries:
            cue_first -= 1
        subject = self._without_time(self._subject_before(cue_first - 1, first), first)
        if subject is None:
            return None
        span = (self.tokens[index].start, self.refusal_at[index])
        if end < last and self.tokens[end].lower in self.lex.refusal_topics:
            # "declined to comment on the investigation": what it was about goes too
            rest = self._span(end, self._clause_end(end, last), 0.8)
            if rest is not None and not is_time_phrase(
                    self.r.text[rest[0][0]:rest[0][1]], self.lex):  # not "on Friday"
                span = (span[0], rest[0][1])
        return _Found(span, (index, end), "speech", [_Hop(subject, (index, end))], 0.8,
                      refusal=True)

    # -- a cue verb -----------------------------------------------------------------

    def _verb(self, index: int, cue: Cue, first: int, last: int) -> _Found | None:
        cue_first = index
        while cue_first > first and self.tokens[cue_first - 1].lower in self.lex.auxiliaries:
            cue_first -= 1
        verb_end = index + 1
        if verb_end < last and self.tokens[verb_end].lower in cue.particles:
            verb_end += 1  # "called for", "pointed out"
        elif cue.needs_particle:
            return None
        cue_range = (cue_first, verb_end)
        subject = self._without_time(self._subject_before(cue_first - 1, first), first)
        if subject is None:
            aside = self._cited_aside(cue_first - 1, first)
            if aside is not None:  # "Peskov, quoted by RIA Novosti, said C"
                hit = self._source_first(aside[0], cue, cue_range, first, last)
                if hit is not None:
                    hit.hops = ([aside[1], *hit.hops] if aside[2]
                                else [hit.hops[0], aside[1], *hit.hops[1:]])
                return hit
            subject = self._appositive_subject(cue_first - 1, first)
        if subject is None:
            subject = self._relative_subject(cue_first - 1, first)
            if subject is not None:  # "X, who said C, left": C ends at the comma
                hit = self._source_first(subject, cue, cue_range, first, last)
                return self._cut_at_comma(hit) if hit is not None else None
        if subject is not None:
            return self._source_first(subject, cue, cue_range, first, last)
        return self._source_elsewhere(index, cue, cue_range, first, last)

    def _source_first(self, subject, cue: Cue, cue_range, first: int,
                      last: int) -> _Found | None:
        """The source stands before its cue: the content follows it, surrounds it or
        comes before it."""
        after = cue_range[1]
        while after < last and self.tokens[after].lower in self.lex.listeners:
            after += 1  # «заявил журналистам, что ...»: the hearer is no content
        hop = _Hop(subject, cue_range)
        extra: list[_Hop] = []
        after, recipient = self._recipient(after, last, cue)
        if recipient is not None:  # "told Reuters on Monday": the hearer is Reuters
            recipient = self._without_time(recipient, recipient[0]) or recipient
            tail_source = self._is_named(recipient) and self._is_anonymous(subject)
            if tail_source:  # "sources told Reuters": Reuters, then its sources
                extra = [hop]
                hop = _Hop(recipient, cue_range)
        cited = self._tail_hops([hop, *extra], after, last)
        if len(cited) > 1 + len(extra):  # "X reported, citing Y, that ..."
            hop, extra = cited[0], cited[1:]
            after = max(h.mention[1] for h in cited)
        # forward: SOURCE CUE (that) CONTENT, unless a quotation just ended
        # before the source and no "that" follows the cue ("“...,” Ramos told AFP
        # in an interview", "“...,” she said several months later, and ...")
        content = self._content_after(after, last, cue)
        if content is not None and not content[1] and (
                cue.takes_object or content[2] < 0.8) and (
                self._quote_ends_before(subject[0], first)):
            before = self._content_before(subject[0], first)
            if before is not None:
                content = before
        if content is not None:
            span, quoted, confidence = content
            return self._finish(span, cue_range, cue, [hop, *extra], confidence, quoted)
        # parenthetical: CONTENT, SOURCE CUE, CONTENT.
        inner = self._parenthetical(subject[0], after, first, last, cue_range, [hop, *extra])
        if inner is not None:
            return inner
        # backward: CONTENT, SOURCE CUE. (a quotation may be followed by more:
        # "Sanders said during an interview on CNN")
        if self._ends_clause(after, last) or self._quote_ends_before(subject[0], first):
            content = self._content_before(subject[0], first)
            if content is not None:
                span, quoted, confidence = content
                hops = self._tail_hops([hop, *extra], after, last)
                return self._finish(span, cue_range, cue, hops, confidence, quoted)
        return None

    def _source_elsewhere(self, index: int, cue: Cue, cue_range, first: int,
                          last: int) -> _Found | None:
        """No source before the cue: it is the previous cue's (coordinated), the
        sentence's subject (a participle) or it follows the cue (inverted)."""
        cue_first, verb_end = cue_range
        # coordinated: "He said X and said that Y": the same source
        if (cue_first > first and self.tokens[cue_first - 1].lower in self.lex.coordinators
                and self.previous is not None and self.previous[0] == first):
            content = self._content_after(verb_end, last, cue)
            if content is not None:
                span, quoted, confidence = content
                return self._finish(span, cue_range, cue, list(self.previous[1].hops),
                                    confidence - 0.1, quoted)
        # participle: "SOURCE did something, saying (that) CONTENT"
        if (cue_first > first and self.tokens[cue_first - 1].text == ","
                and any(self.tokens[index].lower.endswith(s) for s in self.lex.participle_endings)):
            hops = self._previous_attribution_ends(cue_first - 1, first)
            if hops is None:
                source = self._main_subject(first, cue_first)
                hops = [_Hop(source, cue_range)] if source else None
            content = self._content_after(verb_end, last, cue) if hops else None
            if content is not None:
                span, quoted, confidence = content
                return self._finish(span, cue_range, cue, hops, confidence - 0.1, quoted)
        # inverted: CONTENT, CUE SOURCE.
        if cue_first > first and (self.tokens[cue_first - 1].text in _SEPARATORS
                                  or self.tokens[cue_first - 1].end in self.quote_by_end):
            source = self._source_forward(verb_end, last)
            tail = source[1] if source is not None else last
            while tail < last and self.tokens[tail].lower in self.lex.listeners:
                tail = self._after_time(tail + 1, last)  # «сказал Песков журналистам»
            if source is None or not (tail >= last or self._ends_source(tail, last)):
                return None
            if is_time_phrase(self._text(source), self.lex):
                # "“...,” Mitch McConnell, R-Ky., said Tuesday": the source stands
                # before the cue, described between commas
                subject = self._appositive_subject(cue_first - 1, first)
                comma = cue_first - 2
                while subject is None and comma > max(first, cue_first - 8):
                    if self.tokens[comma].text == ",":  # over a short aside ("R-Ky.")
                        subject = self._subject_before(comma - 1, first)
                        break
                    comma -= 1
                if subject is None:
                    return None
                return self._source_first(subject, cue, cue_range, first, last)
            source = self._with_appositive(source, last)
            content = self._content_before(cue_first, first)
            if content is None:
                return None
            span, quoted, confidence = content
            if cue.only_before_quote and not quoted:
                return None
            hops = self._tail_hops([_Hop(source, cue_range)], source[1], last)
            return self._finish(span, cue_range, cue, hops, confidence - 0.05, quoted)
        return None

    def _previous_attribution_ends(self, comma: int, first: int) -> list[_Hop] | None:
        """The chain of the statement found just before, when its attribution or its
        indirect content ends at ``comma`` in this sentence: "“A” - said Peskov,
        adding: “B”" and "Peskov said that A, adding that B" are both Peskov's."""
        if self.previous is None or self.previous[0] != first:
            return None
        hit = self.previous[1]
        end = max([hit.cue[1], *(h.mention[1] for h in hit.hops)])
        if end == comma or (not hit.quoted and self._skip_back(comma - 1) >= 0 and (
                self.tokens[self._skip_back(comma - 1)].end == hit.content[1])):
            return list(hit.hops)
        return None

    def _parenthetical(self, subject_first, after, first, last, cue_range, hops):
        """“A comic tone, she said, would make it easier”: one content in two parts."""
        if not (after < last - 2 and self.tokens[after].text == ","
                and subject_first - 1 > first and self.tokens[subject_first - 1].text == ","):
            return None
        following = self.tokens[after + 1]
        if following.lower in self.lex.content_stops or self._citing_at(after + 1, last):
            return None
        if following.lower in self.lex.verb_cues and any(
                following.lower.endswith(e) for e in self.lex.participle_endings):
            return None  # "A, an official said, adding that B": B is a statement of its own
        before = self._span(first, subject_first - 1, 0.7, minimum=1)
        rest = self._span(after + 1, self._clause_end(after + 1, last), 0.7)
        if before is None or rest is None or self.r.quote_of[first] >= 0:
            return None
        parts = [before[0], rest[0]]
        return _Found((parts[0][0], parts[1][1]), cue_range, "speech", hops, 0.7, False,
                      parts=parts)

    def _finish(self, span, cue_range, cue: Cue, hops, confidence, quoted) -> _Found | None:
        if any(is_time_phrase(self._text(hop.mention), self.lex) for hop in hops):
            return None  # "..., said Tuesday": a time, not a speaker
        if cue.needs_denial_phrase:
            content = self.r.text[span[0]:span[1]]
            if not any(p.search(content) for p in self.lex.denial_phrases):
                return None
        if cue.kind == "belief":
            confidence -= 0.1
        return _Found(span, cue_range, cue.kind, hops, round(min(confidence, 0.95), 2), quoted)

    def _recipient(self, after: int, last: int, cue: Cue) -> tuple[int, tuple[int, int] | None]:
        """Skip the hearer of "told reporters that": the words up to the
        complementizer, a colon or an opening quote, when one comes soon."""
        if not cue.takes_object:
            return after, None
        for index in range(after, min(after + 7, last)):
            token = self.tokens[index]
            if token.lower in self.lex.complementizers or token.text == ":" or (
                    token.start in self.quote_by_start):
                return (index, (after, index)) if index > after else (after, None)
            if not token.is_word and token.text not in _NAME_INNER:
                if index > after and (is_sentence_end(token) or token.text in (",", ";")):
                    return index, (after, index)  # "..., he told reporters."
                break
        return after, None

    # -- according to, по словам ------------------------------------------------------

    def _source_after(self, index: int, width: int, cue: Cue, first: int,
                      last: int) -> _Found | None:
        cue_range = (index, index + width)
        source = self._source_forward(index + width, last)
        if source is None:
            return None
        hops = self._tail_hops([_Hop(source, cue_range)], source[1], last)
        end = max(h.mention[1] for h in hops)
        if index > first and self.tokens[index - 1].text in _SEPARATORS:
            content = self._content_before(index, first)  # CONTENT, according to X.
        else:
            after = end + 1 if end < last and self.tokens[end].text in _SEPARATORS else end
            content = self._content_after(after, last, cue)
        if content is None:
            return None
        span, quoted, confidence = content
        return self._finish(span, cue_range, cue, hops, confidence, quoted)

    def _quoted_as(self, index: int, first: int, last: int) -> _Found | None:
        """X quoted Y as saying CONTENT: X first, then Y."""
        subject = self._without_time(self._subject_before(index - 1, first), first)
        if subject is None:
            return None
        for position in range(index + 1, min(index + _MAX_SOURCE, last - 1)):
            if self.tokens[position].lower == "as" and (
                    self.tokens[position + 1].lower in self.lex.verb_cues):
                verb = self.lex.verb_cues[self.tokens[position + 1].lower]
                content = self._content_after(position + 2, last, verb)
                if content is None or position == index + 1:
                    return None
                span, quoted, confidence = content
                hops = [_Hop(subject, (index, index + 1)),
                        _Hop((index + 1, position), (position, position + 2))]
                return self._finish(span, (index, index + 1), verb, hops, confidence, quoted)
        return None

    # -- sources --------------------------------------------------------------------

    def _subject_before(self, index: int, first: int) -> tuple[int, int] | None:
        """The words naming the source, walking back from the word before the cue to
        a clause boundary; None when there are none (an inverted or passive cue)."""
        end = index + 1
        position = self._before_source_tail(index, first)
        words = 0
        while position >= first:
            token = self.tokens[position]
            if self.r.quote_of[position] >= 0 or position in self.used:
                break
            if token.text == ")":  # "Sen. Marco Rubio (R-Fla.) said"
                opening = next((p for p in range(position - 1, max(first, position - 8) - 1, -1)
                                if self.tokens[p].text == "("), None)
                if opening is not None and opening > first:
                    position = opening - 1
                    continue
                break
            if not token.is_word:
                if token.text in _NAME_INNER or (
                        token.text == "." and position > first
                        and self._abbreviation(position - 1)):
                    position -= 1
                    continue
                break
            if token.lower in self.lex.subject_stops or (
                    token.lower in self.lex.verb_cues and not token.capitalized):
                break
            words += 1
            if words > _MAX_SUBJECT:
                return None
            position -= 1
        start = position + 1
        while start < end and not self.tokens[start].is_word:
            start += 1
        while end > start and self.tokens[end - 1].lower in self.lex.listeners:
            end -= 1  # «Песков журналистам заявил»: the hearer is not the source
        if start >= end:
            return None
        return self._trim_subject(start, end)

    def _without_time(self, subject: tuple[int, int] | None, first: int
                      ) -> tuple[int, int] | None:
        """The subject without a time phrase: "Trump now says" is Trump's, and in
        "Trump on Tuesday said" the walk stops at "on" with only "Tuesday": the
        source is the subject before the time phrase."""
        if subject is None:
            return None
        start, end = subject
        if not is_time_phrase(self._text(subject), self.lex):
            for cut in range(start + 1, end):
                if is_time_phrase(self._text((cut, end)), self.lex):
                    return (start, cut)
            for cut in range(end - 1, start, -1):  # "week the mayor" (earlier this week)
                if is_time_phrase(self._text((start, cut)), self.lex):
                    return (cut, end)
            return subject
        while start > first and self.tokens[start - 1].is_word and is_time_phrase(
                self._text((start - 1, end)), self.lex):
            start -= 1  # "on Tuesday", "earlier this week"
        if start - 1 < first:
            return None
        return self._subject_before(start - 1, first)

    def _main_subject(self, first: int, before: int) -> tuple[int, int] | None:
        """The subject opening the sentence: a pronoun or a capitalised name."""
        position = first
        while position < before and not self.tokens[position].is_word:
            position += 1
        if position >= before or self.r.quote_of[position] >= 0:
            return None
        token = self.tokens[position]
        if (token.lower,) in self.lex.pronouns:
            return (position, position + 1)
        end = position
        while end < before and (self.tokens[end].capitalized or (
                self.tokens[end].text in _NAME_INNER | {"."} and end > position)):
            end += 1
        if end == position or self.tokens[position].lower in self.lex.subject_stops:
            return None
        if end < before and not self.tokens[end].is_word:
            return None
        return (position, end)

    def _cut_at_comma(self, hit: _Found) -> _Found | None:
        if hit.quoted or hit.parts:
            return hit
        start = self.r.token_at(hit.content[0])
        end = self.r.token_at(hit.content[1])
        for position in range(start, end):
            if self.tokens[position].text == ",":
                span = self._span(start, position, hit.confidence)
                if span is None:
                    return None
                hit.content = span[0]
                break
        return hit

    def _relative_subject(self, index: int, first: int) -> tuple[int, int] | None:
        """"voters who say C", "Clinton, who said C": the noun before the relative
        pronoun is the source."""
        if index <= first or self.tokens[index].lower not in self.lex.relative_pronouns:
            return None
        before = index - 1
        if self.tokens[before].text == ",":
            before -= 1
        else:
            return None
        if before < first or not self.tokens[before].is_word:
            return None
        return self._subject_before(before, first)

    def _cited_aside(self, comma: int, first: int):
        """"Peskov, quoted by RIA Novosti, said" and "Reuters, citing two diplomats,
        said": the subject, the hop of the aside, and whether that hop comes first
        (a "by" cue names who reports the subject)."""
        if comma <= first or self.tokens[comma].text != ",":
            return None
        for opening in range(comma - 1, max(first, comma - _MAX_SOURCE) - 1, -1):
            if self.tokens[opening].text == ",":
                break
        else:
            return None
        width = self._citing_at(opening + 1, comma)
        if not width or opening + 1 + width >= comma:
            return None
        subject = self._subject_before(opening - 1, first)
        if subject is None:
            return None
        cue = (opening + 1, opening + 1 + width)
        hop = _Hop((cue[1], comma), cue)
        return subject, hop, self.tokens[cue[1] - 1].lower == "by"

    def _appositive_subject(self, comma: int, first: int) -> tuple[int, int] | None:
        """"Howard Dean, the former governor of Vermont, said": a name, a comma, a
        description, a comma, the cue; or the other way round, a role and then the
        name ("Bali's governor, Wayan Koster, said")."""
        if comma <= first or self.tokens[comma].text != ",":
            return None
        description = self._subject_before(comma - 1, first)
        if description is None:
            return None
        start = description[0]
        # the whole walk, untrimmed: back to the comma before the description
        while start > first and self.tokens[start - 1].text != "," and (
                self.tokens[start - 1].is_word):
            start -= 1
        if start - 1 <= first or self.tokens[start - 1].text != ",":
            return None
        name = self._subject_before(start - 2, first)
        if name is None:
            return None
        if not self.tokens[name[1] - 1].capitalized:
            # "Bali's governor, Wayan Koster, said": a role, then the name
            role = any(t.lower in self.lex.roles for t in self.tokens[name[0]:name[1]])
            if not (role and self.tokens[description[1] - 1].capitalized):
                return None
        return (name[0], comma)

    def _before_source_tail(self, index: int, first: int) -> int:
        """Step over a clause that ends an anonymous source ("a senior official who
        asked not to be named", "пожелавший остаться неизвестным") to its head."""
        if index < first or not self.lex.source_tails:
            return index
        start = self.tokens[first].start
        before = self.r.text[start:self.tokens[index].end]
        for pattern in self.lex.source_tails:
            match = pattern.search(before)
            if match:
                position = self.r.token_at(start + match.start()) - 1
                while position >= first and self.tokens[position].text == ",":
                    position -= 1
                return position
        return index

    def _trim_subject(self, start: int, end: int) -> tuple[int, int]:
        """"In a speech Trump" -> "Trump": keep a final capitalised run alone when
        nothing before it is a role or a name; a final pronoun stands alone."""
        last = self.tokens[end - 1]
        if (last.lower,) in self.lex.pronouns:
            return (end - 1, end)
        run = end
        while run > start and (self.tokens[run - 1].capitalized
                               or self.tokens[run - 1].text in _NAME_INNER | {"."}):
            run -= 1
        if start < run < end:
            before = self.tokens[start:run]
            if not any(t.capitalized or t.lower in self.lex.roles for t in before):
                return (run, end)
        return (start, end)

    def _source_forward(self, index: int, last: int) -> tuple[int, int] | None:
        """The source named after its cue ("said a spokesman", "according to the
        ministry"), to the next comma, quote, complementizer or citing cue."""
        position = index
        while position < min(last, index + _MAX_SOURCE):
            token = self.tokens[position]
            if not token.is_word and token.text not in _NAME_INNER and not (
                    token.text == "." and position > index
                    and self._abbreviation(position - 1)):
                break
            if token.lower in self.lex.complementizers or self._citing_at(position, last):
                break
            if position > index and token.lower in self.lex.verb_cues:
                break
            if position > index and token.lower in self.lex.listeners:
                break  # «заявил Песков журналистам»
            position += 1
        if position == index:
            return None
        return (index, position)

    def _with_appositive(self, source: tuple[int, int], last: int) -> tuple[int, int]:
        """"said Adrian Mapp, a Clinton delegate from New Jersey.": the description
        belongs to the source, up to the next comma or the sentence end."""
        comma = source[1]
        if comma + 1 >= last or self.tokens[comma].text != ",":
            return source
        start = self.tokens[comma + 1]
        if not (start.lower in self.lex.inverted_starts or start.lower in self.lex.roles):
            return source
        position = comma + 1
        while position < min(last, comma + 16):
            token = self.tokens[position]
            if not token.is_word and token.text not in _NAME_INNER and not (
                    token.text == "." and self._abbreviation(position - 1)):
                break
            if token.lower in self.lex.verb_cues and not token.capitalized:
                return source
            position += 1
        if position < last and self.tokens[position].text not in (",", ".", ";"):
            return source
        return (source[0], position)

    def _abbreviation(self, index: int) -> bool:
        """A title ("Mr", "Sen") or an initial ("C" in "Roger C. Altman") before a dot."""
        token = self.tokens[index]
        return token.lower in self.lex.titles or (len(token.text) == 1 and token.capitalized)

    def _ends_source(self, index: int, last: int) -> bool:
        token = self.tokens[index]
        return (is_sentence_end(token) or token.text in (",", ";", "—", "–", "(")
                or bool(self._citing_at(index, last)))

    def _tail_hops(self, hops: list[_Hop], after: int, last: int) -> list[_Hop]:
        """", citing Y" adds Y after the chain so far; ", quoted by X" puts X first."""
        position = self._after_time(after, last)
        if position < last and self.tokens[position].text == ",":
            position += 1
        width = self._citing_at(position, last)
        if not width:
            return hops
        source = self._source_forward(position + width, last)
        if source is None:
            return hops
        hop = _Hop(source, (position, position + width))
        if self.tokens[position + width - 1].lower in ("by",):
            return [hop, *hops]
        return [*hops, hop]

    def _after_time(self, index: int, last: int) -> int:
        """The position after a time phrase at ``index`` ("reported on Tuesday,
        citing ..."), else ``index``."""
        for end in range(min(last, index + 5), index, -1):
            if all(t.is_word for t in self.tokens[index:end]) and is_time_phrase(
                    self._text((index, end)), self.lex):
                return end
        return index

    def _citing_at(self, index: int, last: int) -> int:
        if index >= last or self.tokens[index].lower not in self.citing_first:
            return 0
        for words in self.lex.citing_cues:
            if self._words_at(index, words, last):
                return len(words)
        return 0

    def _words_at(self, index: int, words: tuple[str, ...], last: int) -> bool:
        if index + len(words) > last:
            return False
        return all(self.tokens[index + k].lower == w for k, w in enumerate(words))

    def _is_pronoun(self, span: tuple[int, int]) -> bool:
        return pronoun_class(self._text(span), self.lex) is not None

    def _is_named(self, span: tuple[int, int]) -> bool:
        return source_type(self._text(span), self.lex) == "named"

    def _is_anonymous(self, span: tuple[int, int]) -> bool:
        return source_type(self._text(span), self.lex) == "anonymous"

    def _text(self, span: tuple[int, int]) -> str:
        return self.r.text[self.tokens[span[0]].start:self.tokens[span[1] - 1].end]

    # -- contents -------------------------------------------------------------------

    def _content_after(self, index: int, last: int, cue: Cue):
        """(span, quoted, confidence) of the content that follows a cue, or None."""
        position = index
        while position < last and self.tokens[position].text in (",", ":"):
            position += 1
        if position >= last:
            return self._quote_on_next_line(position)
        token = self.tokens[position]
        quote = self.quote_by_start.get(token.start)
        if quote is not None:
            q = self.r.quotes[quote]
            return (q.inner_start, q.inner_end), True, 0.9
        if token.lower in self.lex.complementizers:
            position += 1
            confidence = 0.85
        elif cue.infinitive and token.lower in self.lex.infinitive_markers:
            confidence = 0.75  # "wants to leave": PolNeAR's content keeps the "to"
        elif cue.needs_infinitive:
            return None
        elif (later := self._complementizer_soon(position, last)) is not None:
            if self.tokens[later].text in (":", ","):
                q = self.r.quotes[self.quote_by_start[self.tokens[later + 1].start]]
                return (q.inner_start, q.inner_end), True, 0.85
            position = later + 1  # "said on Monday that", "said in a statement that"
            confidence = 0.8
        elif (cue.needs_complementizer or cue.only_before_quote or position > index
              or token.lower in self.lex.content_stops):
            return None
        else:
            confidence = 0.7
        end = self._clause_end(position, last)
        return self._span(position, end, confidence)

    def _quote_on_next_line(self, position: int):
        """'He said:' closing its line, and the quotation that opens the next
        paragraph: that quotation is the content."""
        if not (0 < position < len(self.tokens) and self.tokens[position - 1].text == ":"):
            return None
        quote = self.quote_by_start.get(self.tokens[position].start)
        if quote is None:
            return None
        q = self.r.quotes[quote]
        between = self.r.text[self.tokens[position - 1].end:q.start]
        if between.strip() or "\n" not in between or self.r.token_at(q.inner_start) in self.used:
            return None
        return (q.inner_start, q.inner_end), True, 0.85

    def _complementizer_soon(self, index: int, last: int) -> int | None:
        """A complementizer, or a colon before a quotation, after a few words:
        "said on Monday that", "said on Twitter: “...”"."""
        for position in range(index, min(index + 8, last)):
            token = self.tokens[position]
            if token.lower in self.lex.complementizers:
                return position
            if token.text in (":", ",") and position + 1 < last and (
                    self.tokens[position + 1].start in self.quote_by_start):
                return position
            if not token.is_word or token.lower in self.lex.verb_cues:
                return None
        return None

    def _content_before(self, index: int, first: int):
        """The content before ``, SOURCE CUE`` / ``, CUE SOURCE``: the quote that ends
        there (taken whole), or the sentence up to the comma."""
        position = self._skip_back(index - 1)
        if position < 0:
            return None
        token = self.tokens[position]
        quote = self.quote_by_end.get(token.end)
        if quote is None and position > 0 and token.text in ",.!?…":
            quote = self.quote_by_end.get(self.tokens[position - 1].end)
        if quote is None and position < first:
            return None
        if quote is not None:
            q = self.r.quotes[quote]
            if self.r.token_at(q.inner_start) in self.used:
                return None
            return (q.inner_start, q.inner_end), True, 0.9
        if position == index - 1:  # no comma or dash: "the report he said" is not speech
            return None
        start = first
        for back in range(position, first - 1, -1):
            if back in self.used:
                start = back + 1
                break
        return self._span(start, position + 1, 0.75)

    def _span(self, first: int, end: int, confidence: float, minimum: int = _MIN_CONTENT_WORDS):
        while end > first and self.tokens[end - 1].text in ".,;:!?…—–":
            end -= 1
        words = sum(1 for t in self.tokens[first:end] if t.is_word)
        if words < minimum or any(i in self.used for i in range(first, end)):
            return None
        return (self.tokens[first].start, self.tokens[end - 1].end), False, confidence

    def _clause_end(self, index: int, last: int) -> int:
        """The end of the content that starts at ``index``: the sentence end, or a
        trailing attribution (", he added", ", citing ...", ", according to ...")."""
        for position in range(index, last):
            token = self.tokens[position]
            if (token.lower in self.lex.coordinators and position > index
                    and self._cue_follows(position + 1, last)):
                end = position
                if self.tokens[end - 1].text == ",":
                    end -= 1
                return end  # "said X, and said that Y": Y is another statement
            if token.text in ("—", "–", "-") and position > index and (
                    self.tokens[position - 1].end < token.start):
                return position  # a dash aside: "he thought X - except that ..."
            if token.text != ",":
                continue
            following = self.tokens[position + 1] if position + 1 < last else None
            if following is not None and following.lower in self.lex.verb_cues and any(
                    following.lower.endswith(e) for e in self.lex.participle_endings):
                return position  # ", telling Stephanopoulos that ...": another statement
            if following is not None and following.lower in self.lex.content_ends:
                return position  # "..., compared with 41 percent": the writer's contrast
            if self._citing_at(position + 1, last) or any(
                    self._words_at(position + 1, c.words, last)
                    for c in self.source_after.get(following.lower if following else "", ())):
                return position
        return last

    def _quote_ends_before(self, index: int, first: int) -> bool:
        """A quotation ends right before ``index`` in this sentence."""
        position = self._skip_back(index - 1)
        return position >= first and self.tokens[position].end in self.quote_by_end

    def _skip_back(self, position: int) -> int:
        """Back over separators, within the line."""
        start = position
        while position >= 0 and self.tokens[position].text in _SEPARATORS:
            position -= 1
        if position >= 0 and start >= 0 and "\n" in self.r.text[
                self.tokens[position].end:self.tokens[start].start]:
            return -1
        return position

    def _cue_follows(self, index: int, last: int) -> bool:
        while index < last and self.tokens[index].lower in self.lex.auxiliaries:
            index += 1
        return index < last and self.tokens[index].lower in self.lex.verb_cues and (
            not self.tokens[index].capitalized)

    def _ends_clause(self, index: int, last: int) -> bool:
        while index < last and self.tokens[index].lower in self.lex.auxiliaries:
            index += 1
        if index >= last:
            return True
        token = self.tokens[index]
        if is_sentence_end(token) or token.text in (";", ",", "—", "–"):
            return True
        if token.lower not in self.lex.content_stops:
            return False
        # a short circumstance to the sentence end: "..., he said on Monday."
        rest = self.tokens[index:last]
        return len(rest) <= 9 and not any(t.lower in self.lex.complementizers for t in rest)

    # -- quotes that continue the previous speaker -------------------------------------

    def _continue_quotes(self, found: list[_Found]) -> list[_Found]:
        """A quotation with no cue of its own, right after a quoted statement (in the
        same paragraph or the next), continues it: one statement in several parts,
        as PolNeAR and a reader take it ("“A,” he said. “B.”")."""
        free: list[_Found] = []
        # Looked up by bisection, not by scanning every statement for every quotation
        # (a long text has thousands of both): the starts of the contents with the
        # furthest end so far, and the contents by end (kept sorted as they grow).
        starts = [f.content[0] for f in found]
        reach: list[int] = []
        for f in found:
            reach.append(max(f.content[1], reach[-1] if reach else f.content[1]))
        by_end = sorted((f.content[1], -n) for n, f in enumerate(found))
        grown = -1  # the furthest end of a content grown by a quotation
        for quote in self.r.quotes:
            inner = (quote.inner_start, quote.inner_end)
            within = bisect.bisect_right(starts, inner[0]) - 1
            if (within >= 0 and reach[within] >= inner[1]) or grown >= inner[1]:
                continue  # inside a statement's content already
            if self.r.token_at(quote.inner_start) in self.used:
                continue
            if sum(1 for t in self._tokens_in(*inner) if t.is_word) < 3:
                continue
            before = bisect.bisect_right(by_end, (quote.start, 1)) - 1
            if before < 0:
                continue
            number = -by_end[before][1]
            last = found[number]
            gap = self.r.text[last.content[1]:quote.start]
            if not last.quoted or gap.count("\n") > 2 or len(gap) > 300:
                continue
            gap_tokens = range(self.r.token_at(last.content[1]), self.r.token_at(quote.start))
            own = {i for h in last.hops for i in range(*h.mention)} | set(range(*last.cue))
            strangers = [i for i in gap_tokens if self.tokens[i].is_word and i not in own]
            same_paragraph = "\n" not in gap and self._attribution_sentence_ends(last, quote)
            if (len(strangers) > 3 and not same_paragraph) or any(
                    i in self.used for i in strangers):
                # something else is said in between: a quotation of its own, most
                # likely still the last speaker's, for the reviewer to confirm
                if self._whole_paragraph(quote) and "\n" in gap:
                    free.append(_Found(inner, last.cue, last.cue_kind, last.hops, 0.4, True,
                                       ["speaker guessed: the nearest earlier quoted source"]))
                    self.used.update(range(self.r.token_at(inner[0]),
                                           self.r.token_at(inner[1])))
                continue
            if not last.parts:
                last.parts.append(last.content)
            last.parts.append(inner)
            by_end.pop(before)
            bisect.insort(by_end, (inner[1], -number))
            last.content = (last.content[0], inner[1])
            grown = max(grown, inner[1])
            self.used.update(range(self.r.token_at(inner[0]), self.r.token_at(inner[1])))
            if "continued in a later quotation" not in last.review:
                last.review.append("continued in a later quotation")
        return sorted(found + free, key=lambda f: f.content[0])

    def _attribution_sentence_ends(self, hit: _Found, quote) -> bool:
        """The quotation opens the sentence after the one that attributes ``hit``
        ("“A,” said X, the head of Y. “B.”"): in one paragraph, that is X going on,
        however long the description of X between them."""
        position = self.r.token_at(quote.start) - 1
        while position >= 0 and self.tokens[position].text in "\"“”'‘’":
            position -= 1
        return position >= 0 and is_sentence_end(self.tokens[position])

    def _whole_paragraph(self, quote) -> bool:
        """The quotation opens its line: a paragraph of quoted speech."""
        line_start = self.r.text.rfind("\n", 0, quote.start) + 1
        return not self.r.text[line_start:quote.start].strip()

    def _tokens_in(self, start: int, end: int) -> list[Token]:
        return self.tokens[self.r.token_at(start):self.r.token_at(end)]


def _build(reading: Reading, lexicon: Lexicon, found: list[_Found]) -> list[DraftStatement]:
    """Typed statements: mention and cue texts as written, source types, pronouns
    resolved to the nearest fitting earlier mention (a drafted source or a name)."""
    text = reading.text
    tokens = reading.tokens
    contents = tuple(part for item in found for part in (item.parts or [item.content]))
    candidates = Mentions(name_mentions(text, lexicon), contents)
    statements = []
    for item in found:
        hops = []
        review = list(item.review)
        confidence = item.confidence
        for hop in item.hops:
            m_start, m_end = tokens[hop.mention[0]].start, tokens[hop.mention[1] - 1].end
            c_start, c_end = tokens[hop.cue[0]].start, tokens[hop.cue[1] - 1].end
            mention = text[m_start:m_end]
            antecedent = None
            kind = pronoun_class(mention, lexicon)
            stype = source_type(mention, lexicon)
            if kind is not None and kind != "speaker":
                antecedent = candidates.resolve(kind, mention, m_start)
                if antecedent is None:
                    review.append(f"'{mention}' not resolved to an earlier mention")
                    confidence -= 0.1
                else:
                    stype = source_type(antecedent.text, lexicon)
            if item.refusal:  # the refusal's words are its content, not a cue besides
                hops.append(DraftHop(mention, (m_start, m_end), "", None, stype, antecedent))
            else:
                hops.append(DraftHop(mention, (m_start, m_end), text[c_start:c_end],
                                     (c_start, c_end), stype, antecedent))
            if kind is None:
                candidates.add(mention, (m_start, m_end), stype)
        if item.cue_kind == "denial":
            review.append("a denial: check what it answers")
        cue_start, cue_end = tokens[item.cue[0]].start, tokens[item.cue[1] - 1].end
        start, end = item.content
        parts = tuple(item.parts) or ((start, end),)
        statements.append(DraftStatement(
            content=" ".join(text[s:e] for s, e in parts), content_span=(start, end),
            parts=parts,
            kind="refusal" if item.refusal else "direct" if item.quoted else "indirect",
            cue="" if item.refusal else text[cue_start:cue_end],
            cue_span=None if item.refusal else (cue_start, cue_end),
            chain=tuple(hops), confidence=round(max(confidence, 0.05), 2),
            cue_kind=item.cue_kind, review=tuple(review)))
    return statements
