"""The stable JSON shape of a statement (docs/export.md), one definition for every output.

The text views (``--json``), the JSON and JSON Lines exports and the trace graphs all
write a statement this way; keeping the shape here, below both ``render`` and
``export``, is what lets ``render`` use the CSV writer without ``export`` importing
``render`` back.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from claimsdb.query.queries import ActorRef, StatementView


def actor_json(actor: ActorRef | None) -> dict[str, Any] | None:
    return dataclasses.asdict(actor) if actor else None


def _hops_json(chain) -> list[dict[str, Any]]:
    return [{"position": hop.position, "actor": actor_json(hop.actor), "cue": hop.cue}
            for hop in chain]


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
        "chain": _hops_json(view.chain),
        "chains": [_hops_json(chain) for chain in view.chains],
        "origins": [actor_json(a) for a in view.origins],
        "chain_depth": view.chain_depth,
        "about": [actor_json(a) for a in view.about],
        "relations": [
            {"direction": "outgoing", **dataclasses.asdict(r)} for r in view.outgoing
        ] + [
            {"direction": "incoming", **dataclasses.asdict(r)} for r in view.incoming
        ],
    }
