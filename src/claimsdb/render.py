"""Turning query results into text for people and JSON for programs."""

from __future__ import annotations

import dataclasses
import textwrap
from typing import Any

from claimsdb.queries import ActorRef, StatementView

RELATION_HEADINGS = {
    ("denies", False): "Denies",
    ("denies", True): "Denied by",
    ("contradicts", False): "Contradicts",
    ("contradicts", True): "Contradicted by",
    ("supports", False): "Supports",
    ("supports", True): "Supported by",
    ("repeats", False): "Repeats (upstream)",
    ("repeats", True): "Repeated by (downstream)",
}


def actor_json(actor: ActorRef | None) -> dict[str, Any] | None:
    return dataclasses.asdict(actor) if actor else None


def statement_json(view: StatementView) -> dict[str, Any]:
    """The stable JSON shape of one statement (documented in docs/json.md)."""
    return {
        "ref": view.ref,
        "article": view.article,
        "statement": view.key,
        "kind": view.kind,
        "quote": view.quote,
        "span": [view.span_start, view.span_end],
        "stated_on": view.stated_on,
        "context": view.context,
        "article_title": view.article_title,
        "published": view.published,
        "url": view.url,
        "outlet": actor_json(view.outlet),
        "speaker": actor_json(view.speaker),
        "chain": [
            {"position": hop.position, "actor": actor_json(hop.actor), "cue": hop.cue}
            for hop in view.chain
        ],
        "chain_depth": view.chain_depth,
        "about": [actor_json(a) for a in view.about],
        "relations": [
            {"direction": "outgoing", **dataclasses.asdict(r)} for r in view.outgoing
        ] + [
            {"direction": "incoming", **dataclasses.asdict(r)} for r in view.incoming
        ],
    }


def _who(actor: ActorRef) -> str:
    return f"{actor.name}  [{actor.describe()}]"


def chain_text(view: StatementView, width: int = 100) -> str:
    """A statement's provenance, readable at a glance, from the article to the origin."""
    wrap = textwrap.TextWrapper(width=width, initial_indent="  ", subsequent_indent="  ")
    lines = [f"{view.ref}  ({view.kind})", *wrap.wrap(f"“{view.quote}”")]
    if view.context and view.context != view.quote:
        context = textwrap.TextWrapper(width=width, initial_indent="  in: ",
                                       subsequent_indent="      ")
        lines += context.wrap(view.context)
    lines.append("")
    source = view.outlet.name if view.outlet else "the article itself (no outlet given)"
    dated = f", {view.published}" if view.published else ""
    lines.append(f"Article: {view.article_title}  [{view.article}{dated}]")
    lines.append("")
    if not view.chain:
        speaker = _who(view.outlet) if view.outlet else "the article itself (no outlet given)"
        lines.append("Chain: none; the article says this in its own voice")
        lines.append(f"  original speaker: {speaker}")
    else:
        lines.append("Chain, from the article to the original speaker:")
        lines.append(f"  {source}" + (f"  [{view.outlet.describe()}]" if view.outlet else ""))
        for depth, hop in enumerate(view.chain, start=1):
            cue = f"{hop.cue} " if hop.cue else ""
            last = depth == len(view.chain)
            marker = "   <- original speaker" if last else ""
            lines.append(f"  {'    ' * (depth - 1)}└─ {cue}→ {_who(hop.actor)}{marker}")
    if view.stated_on:
        lines.append(f"  stated on {view.stated_on}")
    if view.about:
        lines.append("")
        lines.append("About: " + ", ".join(a.name for a in view.about))
    for (relation, incoming), heading in RELATION_HEADINGS.items():
        pool = view.incoming if incoming else view.outgoing
        related = [r for r in pool if r.type == relation]
        if not related:
            continue
        lines.append("")
        lines.append(f"{heading}:")
        for r in related:
            who = f" ({r.speaker})" if r.speaker else ""
            item = textwrap.TextWrapper(width=width, initial_indent="  - ",
                                        subsequent_indent="    ")
            lines += item.wrap(f"{r.ref}{who}: «{r.quote}»")
    return "\n".join(lines)
