"""Statement views built from plain rows, whichever way the rows were read.

The SQLAlchemy queries (``claimsdb.query.queries``) and the driver-level read path
(``claimsdb.query.readpath``) fetch the same columns; building the views here, once,
is what makes their results the same. Nothing here imports SQLAlchemy.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from claimsdb.query.results import ActorRef, HopView, RelatedStatement, StatementView

if TYPE_CHECKING:
    from claimsdb.query.actor_results import ActorDetail, RoleView
    from claimsdb.query.article_results import ArticleDetail, ArticleSummary

CONTEXT_WINDOW = 400  # characters each side of a span fetched to find its sentence

# What a row of the details query is (its ``part`` column): see ``_detail_branches``
# in claimsdb.query.queries.
HOP, OUTGOING, INCOMING, ABOUT = range(4)


def group_details(rows: Sequence[Sequence]
                  ) -> tuple[dict[int, list[tuple]], dict[int, list[tuple]],
                             dict[int, list[tuple]]]:
    """The details query's rows by statement id: hops (position, cue, actor key, name,
    kind, identified, mention, the hop's identified, cue start and end, mention start
    and end, chain number) by chain then position, related (incoming, type, other ref,
    its quote, its speaker's key) and about (actor key, name, kind, identified), in the
    rows' order."""
    hops: dict[int, list[tuple]] = defaultdict(list)
    related: dict[int, list[tuple]] = defaultdict(list)
    about: dict[int, list[tuple]] = defaultdict(list)
    for part, statement_id, chain, _text, number, v1, v2, v3, v4, v5, *hop_only in rows:
        if part == HOP:
            hops[statement_id].append((number, v1, v2, v3, v4, v5, *hop_only, chain))
        elif part == ABOUT:
            about[statement_id].append((v2, v3, v4, v5))
        else:
            related[statement_id].append((part == INCOMING, v1, f"{v2}#{v3}", v4, v5))
    return hops, related, about


def speaker_keys(related: Mapping[int, list[tuple]]) -> set[str]:
    """The speakers of related statements, to look up as actors."""
    return {row[4] for rows in related.values() for row in rows if row[4] is not None}


def with_speakers(related: dict[int, list[tuple]], actors: Mapping[str, ActorRef]) -> None:
    """Replace the speaker keys of related statements by actor references."""
    for rows in related.values():
        rows[:] = [(*row[:4], actors.get(row[4]) if row[4] is not None else None)
                   for row in rows]


def build_views(rows: Sequence, hops: Mapping[int, list[tuple]],
                related: Mapping[int, list[tuple]], about: Mapping[int, list[tuple]],
                *, context: bool = True) -> list[StatementView]:
    """Statement views from statement rows (the columns of ``_statement_select`` in
    ``claimsdb.query.queries``) and their details as grouped by ``group_details``.

    ``context=False`` leaves each view's ``context`` empty: finding the sentence around
    every quote is the costliest part of a view, and a page that shows the article's
    whole text (the workbench's article page) has no use for it."""
    empty = ()
    views = []
    for row in rows:
        # Unpacked by position (the columns of _statement_select): two dozen lookups by
        # name cost as much as building the view.
        (statement_id, article, key, quote, kind, span_start, span_end, stated_on, title,
         published, url, outlet_key, outlet_name, outlet_kind, outlet_identified,
         speaker_key, speaker_name, speaker_kind, speaker_identified, window_start,
         window, language, translated_from, original) = row
        mine = related.get(statement_id)
        chain = hops.get(statement_id)
        about_of = about.get(statement_id)
        views.append(StatementView(
            id=statement_id, article=article, key=key, quote=quote, kind=kind,
            span_start=span_start, span_end=span_end, stated_on=stated_on,
            article_title=title, published=published, url=url,
            outlet=ActorRef(outlet_key, outlet_name, outlet_kind, outlet_identified)
            if outlet_key is not None else None,
            speaker=ActorRef(speaker_key, speaker_name, speaker_kind, speaker_identified)
            if speaker_key is not None else None,
            context=sentence_around(window or "", span_start - window_start,
                                    span_end - window_start, language) if context else "",
            # (most statements relate to nothing and are about nothing: no work then)
            chains=_chains([HopView(position, ActorRef(actor, name, actor_kind, identified),
                                    cue, mention, hop_identified, span_of(cue_start, cue_end),
                                    span_of(mention_start, mention_end))
                            for (position, cue, actor, name, actor_kind, identified, mention,
                                 hop_identified, cue_start, cue_end, mention_start,
                                 mention_end, _number) in chain],
                           [row[-1] for row in chain]) if chain else empty,
            outgoing=tuple([RelatedStatement(*r[1:]) for r in mine if not r[0]]
                           ) if mine else empty,
            incoming=tuple([RelatedStatement(*r[1:]) for r in mine if r[0]]) if mine else empty,
            about=tuple([ActorRef(*a) for a in about_of]) if about_of else empty,
            translated_from=translated_from, original=original,
        ))
    return views


def article_summary(row: Sequence) -> ArticleSummary:
    """An article's summary from a row of ``list_articles``'s query (key, title,
    published, url, language, retrieved, archived URL, the outlet's key, name, kind and
    identification, then the counts of statements, anonymous ones and denied ones)."""
    (key, title, published, url, language, retrieved, archived_url, outlet_key, outlet_name,
     outlet_kind, outlet_identified, statements, anonymous, denied) = row
    from claimsdb.query.article_results import ArticleSummary

    outlet = (ActorRef(outlet_key, outlet_name, outlet_kind, outlet_identified)
              if outlet_key is not None else None)
    return ArticleSummary(key, title, outlet, published, url, language, statements, anonymous,
                          denied, retrieved=retrieved, archived_url=archived_url)


def article_detail(summary_row: Sequence, text: str, note: str | None,
                   author_rows: Sequence[Sequence], rows: Sequence,
                   hops: Mapping[int, list[tuple]], related: Mapping[int, list[tuple]],
                   about: Mapping[int, list[tuple]], *, context: bool = True) -> ArticleDetail:
    """One article from the rows of its queries (``ARTICLE_READS`` in
    ``claimsdb.query.queries``): its summary row, text, note, authors (key, name, kind,
    identification), statement rows and their grouped details (speakers of related
    statements already actors), its statements in text order.

    The statement rows come without their ``window`` (None): it is cut here from the
    text, as ``_statement_select`` cuts it in SQL (``substr`` from ``window_start``,
    to ``CONTEXT_WINDOW`` characters past the span)."""
    if context:
        rows = [(*row[:20], text[row[19]:row[6] + CONTEXT_WINDOW], *row[21:]) for row in rows]
    from claimsdb.query.article_results import ArticleDetail

    views = sorted(build_views(rows, hops, related, about, context=context),
                   key=lambda v: (v.span_start, v.span_end))
    return ArticleDetail(article_summary(summary_row), text,
                         tuple(ActorRef(*row) for row in author_rows), tuple(views), note=note)


def _chains(hops: list[HopView], numbers: list[int]) -> tuple[tuple[HopView, ...], ...]:
    """Hops in chain then position order, split at each change of chain number."""
    if not numbers or numbers[-1] == 0:  # one chain: nearly every statement
        return (tuple(hops),)
    chains: list[list[HopView]] = []
    previous = None
    for hop, number in zip(hops, numbers, strict=True):
        if number != previous:
            chains.append([])
            previous = number
        chains[-1].append(hop)
    return tuple(tuple(chain) for chain in chains)


def actor_detail(row: Sequence, wikidata: str | None, description: str | None,
                 aliases: Sequence[str], *, roles: Sequence[Sequence],
                 members: Sequence[Sequence], said: Sequence[StatementView],
                 relayed: Sequence[StatementView]) -> ActorDetail:
    """``claimsdb actor``'s answer from its rows: ``row`` the actor's (id, key, name,
    kind, identified and its four counts), ``roles`` and ``members`` those of
    ``_actor_roles`` in ``claimsdb.query.queries``."""
    from claimsdb.query.actor_results import ActorDetail, ActorSummary

    _id, *summary = row
    return ActorDetail(summary=ActorSummary(*summary), wikidata=wikidata,
                       description=description, aliases=tuple(aliases),
                       roles=role_views(roles), members=role_views(members),
                       said=tuple(said), relayed=tuple(relayed))


def role_views(rows: Sequence[Sequence]) -> tuple[RoleView, ...]:
    """(title, started on, ended on, the other actor's key, name, kind, identified)."""
    from claimsdb.query.actor_results import RoleView

    return tuple(RoleView(title, ActorRef(key, name, kind, identified), stored_date(started),
                          stored_date(ended))
                 for title, started, ended, key, name, kind, identified in rows)


def stored_date(value: Any) -> dt.date | None:
    """A date column's value as SQLAlchemy's ``Date`` gives it: PostgreSQL's driver
    returns a date, SQLite's the ISO text SQLAlchemy stored."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def span_of(start: int | None, end: int | None) -> tuple[int, int] | None:
    return (start, end) if start is not None else None


def sentence_around(window: str, start: int, end: int, language: str = "en") -> str:
    """The sentence(s) of the window that hold [start, end), cut at line breaks outside
    the span, whitespace-folded.

    Sentences come from sentencex (a rule-based segmenter with abbreviation lists for
    some 300 languages, chosen by the article's language tag), so "U.S." or "Dr." do
    not end a sentence and cut the attribution off the context. Only the window
    around the span is segmented, never the whole article.
    """
    start = max(start, 0)
    end = max(end, start)
    left, right = 0, len(window)
    for sentence in _sentences(_segmenter_language(language), window):
        if sentence[1] <= start:
            left = sentence[1]
        elif sentence[0] >= max(end, start + 1):
            right = sentence[0]
            break
    # A line break ends the context as a sentence end does (headings, list items,
    # paragraphs), except inside the span itself.
    left = max(left, window.rfind("\n", 0, start) + 1)
    line_end = window.find("\n", end)
    if line_end >= 0:
        right = min(right, line_end)
    return " ".join(window[left:right].split())


def _sentences(language: str, window: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence. ``segment`` returns the pieces of the text in
    order, a third of the cost of ``get_sentence_boundaries`` (dicts per sentence);
    its offsets are summed, and the slower call is the fallback should the pieces
    ever not add up to the text."""
    from sentencex import get_sentence_boundaries, segment

    spans: list[tuple[int, int]] = []
    offset = 0
    for piece in segment(language, window):
        spans.append((offset, offset + len(piece)))
        offset += len(piece)
    if offset == len(window):
        return spans
    return [(b["start_index"], b["end_index"])
            for b in get_sentence_boundaries(language, window)]


@functools.lru_cache(maxsize=256)
def _segmenter_language(tag: str | None) -> str:
    """The language subtag of a BCP 47 tag (pt-BR: pt); sentencex falls back along
    its own language chains (and to English rules) for what it does not know."""
    primary = (tag or "en").split("-")[0].split("_")[0].strip().lower()
    return primary or "en"
