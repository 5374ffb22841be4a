"""The pieces of markup pages repeat for every statement: a link to an actor or a
statement, a statement's origin badge, its chains and its relations, and an article's
text with its statements marked.

They were Jinja macros, and an article page of 100 statements called them a thousand
times: a macro call costs Jinja tens of microseconds, more than the markup it writes,
so these are plain functions the templates call (globals of the environment,
``claimsdb.web.templating``). Each value goes through
``shown``, exactly what a template does to a value it prints (``terminal.escape``,
then HTML escaping), so the pages read and escape as before, byte for byte.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from markupsafe import Markup
from markupsafe import escape as escape_html

from claimsdb.query.results import ActorRef, RelatedStatement, StatementView
from claimsdb.terminal import escape
from claimsdb.web.marking import Piece, origin_class


def shown(value: Any) -> Markup:
    """A value as a template prints it: None as nothing, text with control and
    bidirectional characters made visible (``\\u202e``), then HTML-escaped."""
    if value is None:
        return Markup("")
    if isinstance(value, str) and not isinstance(value, Markup):
        value = escape(value)
    return escape_html(value)


def path_part(text: str) -> str:
    """One segment of a page's path (an article or actor key): percent-encoded."""
    return quote(text, safe="")


_OWN_VOICE = Markup('<span class="own">own voice</span>')


def actor_link(actor: ActorRef | None) -> Markup:
    """A link to the actor's page; "own voice" when there is no actor."""
    if not actor:
        return _OWN_VOICE
    return Markup(f'<a class="actor" href="/actors/{shown(path_part(actor.key))}">'
                  f"<bdi>{shown(actor.name)}</bdi></a>")


def statement_link(view: StatementView, text: str | None = None) -> Markup:
    """A link to the statement's page, reading ``text`` (its reference by default)."""
    return Markup(f'<a class="ref" href="{shown(statement_path(view))}">'
                  f"{shown(text if text else view.ref)}</a>")


def statement_link_ref(related: RelatedStatement) -> Markup:
    """A link to a related statement's page, reading its reference."""
    article, key = related.ref.split("#", 1)
    return Markup(f'<a class="ref" href="/statements/{shown(path_part(article))}/'
                  f'{shown(path_part(key))}">{shown(related.ref)}</a>')


def origin_badge(view: StatementView) -> Markup:
    """The statement's origin (named, role, anonymous, own voice), coloured by it."""
    origin = origin_class(view)
    label = "own voice" if origin == "own" else origin
    return Markup(f'<span class="origin o-{shown(origin)}">{shown(label)}</span>')


def statement_path(view: Any) -> str:
    return f"/statements/{path_part(view.article)}/{path_part(view.key)}"


def trace_path(view: Any) -> str:
    return f"/trace/{path_part(view.article)}/{path_part(view.key)}"


def chains(view: StatementView) -> Markup:
    """The statement's chains, each from the article's outlet to the original speaker,
    with each hop's cue, kind and identification; or that it is the article's own
    voice."""
    if view.own_voice:
        speaker = f" ({actor_link(view.speaker)})" if view.speaker else ""
        return Markup(f"<p class=\"chain own\">The article's own voice{speaker}: "
                      "no source cited.</p>\n")
    outlet = (f'{actor_link(view.outlet)} <span class="meta">[outlet]</span>' if view.outlet
              else '<span class="meta">the article (no outlet given)</span>')
    parts = []
    for number, chain in enumerate(view.chains, start=1):
        parts.append(f'<ol class="chain" aria-label="Chain {number}, from the article to '
                     f'the original speaker">\n  <li class="hop outlet">{outlet}</li>\n')
        last = len(chain) - 1
        for place, hop in enumerate(chain):
            identification = shown(hop.identification)
            mention = (f'<span class="meta">named here as “<bdi>{shown(hop.mention)}</bdi>”'
                       "</span>" if hop.mention and hop.mention != hop.actor.name else "")
            origin = '<span class="meta">← original speaker</span>' if place == last else ""
            parts.append(
                f'  <li class="hop"><span class="cue">{shown(hop.cue or "cites")}</span> → '
                f"{actor_link(hop.actor)}\n"
                f'    <span class="meta">[{shown(hop.actor.kind)}, <span class="o-'
                f'{identification}">{identification}</span>]</span>\n'
                f"{mention}{origin}</li>\n")
        parts.append("</ol>\n")
    return Markup("".join(parts))


_NO_RELATIONS = Markup('<p class="meta">No relations to other statements.</p>\n')


def relations(view: StatementView) -> Markup:
    """What relates to the statement (it is denied, repeated...) and what it relates
    to, each with the other statement's link, speaker and quote."""
    if not (view.outgoing or view.incoming):
        return _NO_RELATIONS
    parts = ['<ul class="relations">\n']
    for related in view.incoming:
        parts.append(_relation(related, True))
    for related in view.outgoing:
        parts.append(_relation(related, False))
    parts.append("</ul>\n")
    return Markup("".join(parts))


def _relation(related: RelatedStatement, incoming: bool) -> str:
    kind = shown(related.type)
    how = (f'<span class="rel-type">{kind}</span> it:' if incoming
           else f'it <span class="rel-type">{kind}</span>')
    speaker = f"({actor_link(related.speaker)})" if related.speaker else ""
    return (f'  <li class="rel rel-{kind}">{how} {statement_link_ref(related)} {speaker} '
            f"«<bdi>{shown(related.quote)}</bdi>»</li>\n")


_NOT_A_STOP = ' tabindex="-1"'  # (keyboard focus stops at a statement's first piece)


def marked_text(pieces: Sequence[Piece]) -> Markup:
    """An article's text as the article page shows it (``claimsdb.web.marking.pieces``):
    each statement's pieces a link to its details (the first one a keyboard stop),
    words naming a source and cues marked."""
    openings: dict[int, tuple[str, str]] = {}  # a statement's markup, made once
    parts = []
    for piece in pieces:
        classes = ("src " if piece.source else "") + ("cue " if piece.cue else "")
        view = piece.statement
        if view is not None:
            opening = openings.get(view.id)
            if opening is None:
                key = shown(view.key)
                opening = openings[view.id] = (
                    f'<a class="st o-{shown(origin_class(view))} ',
                    f'" href="#st-{key}" data-statement="{key}" data-number="')
            parts.append(f'{opening[0]}{classes}{opening[1]}{piece.number}"'
                         f'{"" if piece.first else _NOT_A_STOP}>{shown(piece.text)}</a>')
        elif classes:
            parts.append(f'<span class="{classes}">{shown(piece.text)}</span>')
        else:
            parts.append(shown(piece.text))
    return Markup("".join(parts))
