"""The article page's text cut into marked pieces (claimsdb.web.marking) and written
as markup (claimsdb.web.fragments.marked_text).

``pieces`` marks each piece through the spans covering it (linear in what the spans
cover); these tests hold it to the rule it implements, written here the plain way
(every piece against every span), on nested, overlapping, touching, empty and
out-of-range spans.
"""

from __future__ import annotations

import itertools
import random

from claimsdb.query.results import ActorRef, HopView, StatementView
from claimsdb.web import fragments, marking

ACTOR = ActorRef("a", "A", "person", "named")


def _view(number: int, start: int, end: int, hops: list[tuple] = ()) -> StatementView:
    """A statement; ``hops``: (cue span, mention span) of each."""
    chain = tuple(HopView(position, ACTOR, "said", "A", None, cue, mention)
                  for position, (cue, mention) in enumerate(hops, start=1))
    return StatementView(id=number, article="art", key=f"s{number}", quote="q",
                         kind="direct", span_start=start, span_end=end, stated_on=None,
                         article_title="t", published=None, url=None, outlet=None,
                         speaker=None, context="", chains=(chain,) if chain else ())


def _plain_rule(text, views):
    """Every piece against every span: the innermost statement (shortest, then first),
    a source or cue when one of those spans covers it."""
    statements = [(v.span_start, v.span_end, n, v) for n, v in enumerate(views, start=1)
                  if 0 <= v.span_start < v.span_end <= len(text)]
    spans = [(hop.mention_span, hop.cue_span) for v in views for c in v.chains for hop in c]
    sources = [s for s, _ in spans if s is not None]
    cues = [c for _, c in spans if c is not None]
    cuts = {0, len(text)} | {b for s, e, *_ in statements for b in (s, e)}
    cuts |= {b for s, e in (*sources, *cues) if 0 <= s < e <= len(text) for b in (s, e)}
    seen, out = set(), []
    for start, end in itertools.pairwise(sorted(cuts)):
        covering = [(e - s, n, v) for s, e, n, v in statements if s <= start and end <= e]
        _, number, view = min(covering, key=lambda c: c[:2]) if covering else (0, 0, None)
        first = view is not None and view.id not in seen
        if view is not None:
            seen.add(view.id)
        out.append((text[start:end], view and view.id, first,
                    any(s <= start and end <= e for s, e in sources),
                    any(s <= start and end <= e for s, e in cues), number))
    return out


def _as_tuples(pieces):
    return [(p.text, p.statement and p.statement.id, p.first, p.source, p.cue, p.number)
            for p in pieces]


def test_nested_and_overlapping_statements_are_cut_by_the_plain_rule():
    text = "Officials said the talks, according to Reuters, had stalled. Nothing else."
    views = [
        _view(1, 0, 60, [((10, 14), (0, 9))]),  # the whole sentence
        _view(2, 15, 60, [((25, 34), (38, 45))]),  # nested in it
        _view(3, 15, 60),  # the same span: the first of the two wins
        _view(4, 40, 70),  # overlapping the end
        _view(5, 60, 60),  # empty: not marked
        _view(6, 70, 999),  # beyond the text: not marked
    ]
    assert _as_tuples(marking.pieces(text, views)) == _plain_rule(text, views)
    assert "".join(p.text for p in marking.pieces(text, views)) == text


def test_random_spans_are_cut_by_the_plain_rule():
    generator = random.Random(15)
    text = "abcdefghij" * 8
    for _ in range(300):
        views = []
        for number in range(1, generator.randint(1, 8)):
            start = generator.randint(-2, len(text))
            end = generator.randint(start - 1, len(text) + 2)
            hops = [(tuple(sorted(generator.sample(range(-1, len(text) + 2), 2))),
                     tuple(sorted(generator.sample(range(len(text)), 2))))
                    for _ in range(generator.randint(0, 2))]
            views.append(_view(number, start, end, hops))
        assert _as_tuples(marking.pieces(text, views)) == _plain_rule(text, views)


def test_the_marked_text_links_each_statement_and_escapes_its_text():
    text = 'He said "<b>x</b>" \u202eand then &c.'
    views = [_view(1, 8, 18, [((3, 7), (0, 2))]), _view(2, 19, 26)]
    html = str(fragments.marked_text(marking.pieces(text, views)))
    assert html == (
        '<span class="src ">He</span> <span class="cue ">said</span> '
        '<a class="st o-named " href="#st-s1" data-statement="s1" data-number="1">'
        '&#34;&lt;b&gt;x&lt;/b&gt;&#34;</a> '
        '<a class="st o-own " href="#st-s2" data-statement="s2" data-number="2">'
        '\\u202eand th</a>en &amp;c.')
