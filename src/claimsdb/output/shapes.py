"""The stable JSON shape of a statement (docs/export.md), one definition for every output.

The text views (``--json``), the JSON and JSON Lines exports and the trace graphs all
write a statement this way; keeping the shape here, below both ``render`` and
``export``, is what lets ``render`` use the CSV writer without ``export`` importing
``render`` back.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from claimsdb.query.results import ActorRef, HopView, StatementView


def actor_json(actor: ActorRef | None) -> dict[str, Any] | None:
    return dataclasses.asdict(actor) if actor else None


def span_json(span: tuple[int, int] | None) -> list[int] | None:
    return list(span) if span is not None else None


def hop_json(hop: HopView) -> dict[str, Any]:
    """One link of a chain. ``identified`` is the hop's own (null: as the actor is);
    the spans are where the cue and the words naming the source are in the text."""
    return {"position": hop.position, "actor": actor_json(hop.actor), "cue": hop.cue,
            "mention": hop.mention, "identified": hop.identified,
            "cue_span": span_json(hop.cue_span), "mention_span": span_json(hop.mention_span)}


def statement_json(view: StatementView) -> dict[str, Any]:
    """The stable JSON shape of one statement (documented in docs/export.md)."""
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
        # ``chain`` is the first chain (whose origin is ``speaker``); ``chains`` has
        # every chain, for a statement with several sources ("AFP and AP"), and
        # ``origins`` every chain's original speaker.
        "chain": [hop_json(hop) for hop in view.chain],
        "chains": [[hop_json(hop) for hop in chain] for chain in view.chains],
        "origins": [actor_json(a) for a in view.origins],
        "chain_depth": view.chain_depth,
        "about": [actor_json(a) for a in view.about],
        "relations": [
            {"direction": "outgoing", **dataclasses.asdict(r)} for r in view.outgoing
        ] + [
            {"direction": "incoming", **dataclasses.asdict(r)} for r in view.incoming
        ],
        # Format 1.1: null unless the quote translates words said in another language.
        "translated_from": view.translated_from,
        "original": view.original,
    }
