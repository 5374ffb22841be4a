"""Each exported table's columns, and a statement as one flat record of them.

``claimsdb export`` writes these (``claimsdb.output.export``, which names them too), and
so do the list commands: ``claimsdb statements`` prints its table from the same record
and writes the same columns for ``--format csv`` (``claimsdb.output.listings``,
``claimsdb.output.render``). They live apart from the writers so that a list printed
as a table needs neither the CSV and JSON writers nor what they import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from claimsdb.query.results import StatementView

# The contract's columns first (ARTICLE_FORMAT.md), then what a sourcing analyst wants
# next to them in a spreadsheet.
STATEMENT_COLUMNS: tuple[str, ...] = (
    "article", "statement", "kind", "quote", "speaker", "chain", "chain_depth",
    "denies", "denied_by",
    "speaker_key", "speaker_kind", "speaker_identified", "outlet", "cues",
    "contradicts", "contradicted_by", "supports", "supported_by", "repeats", "repeated_by",
    "about", "stated_on", "article_title", "published", "url", "span_start", "span_end",
    "context",
    # Format 1.1, after every earlier column so that spreadsheets keep their places:
    "confirms", "confirmed_by", "dismisses", "dismissed_by", "corrects", "corrected_by",
    "retracts", "retracted_by", "translated_from",
    # ... and a refusal's relation, after those:
    "declines", "declined_by",
)
HOP_COLUMNS: tuple[str, ...] = (
    "article", "statement", "position", "actor", "actor_key", "actor_kind",
    "actor_identified", "cue", "is_origin", "chain_depth", "chain",
)
RELATION_COLUMNS: tuple[str, ...] = (
    "source", "type", "target", "source_speaker", "target_speaker", "source_speaker_key",
    "target_speaker_key", "source_quote", "target_quote",
)
ACTOR_COLUMNS: tuple[str, ...] = (
    "key", "name", "kind", "identified", "aliases", "roles", "wikidata", "description",
    "originated", "relayed", "denials_issued", "denials_received",
)
ARTICLE_COLUMNS: tuple[str, ...] = (
    "key", "title", "outlet", "outlet_key", "published", "url", "language", "authors",
    "statements", "anonymous", "denied",
    "retrieved", "archived_url",  # format 1.1, after the stable columns
)
# The relation columns after the first two (denies, denied_by), in column order: each
# type's outgoing column, then its incoming one.
RELATION_TYPES_IN_COLUMNS = ("contradicts", "supports", "repeats",
                             "confirms", "dismisses", "corrects", "retracts")
# The relation columns after ``translated_from``, in the same form.
RELATION_TYPES_LAST = ("declines",)
INCOMING_COLUMN = {"denies": "denied_by", "contradicts": "contradicted_by",
                   "supports": "supported_by", "repeats": "repeated_by",
                   "confirms": "confirmed_by", "dismisses": "dismissed_by",
                   "corrects": "corrected_by", "retracts": "retracted_by",
                   "declines": "declined_by"}
JOIN = "; "
CHAIN_JOIN = " > "
CHAINS_JOIN = " | "  # between the chains of a statement with several ("AFP and AP")


def statement_record(view: StatementView) -> dict[str, Any]:
    """One statement as a flat record (the CSV row). With several chains, ``chain`` and
    ``cues`` join the chains with " | ", and the speaker columns join every chain's
    original speaker with "; " (first chain first)."""
    origins = view.origins
    return {
        "article": view.article,
        "statement": view.key,
        "kind": view.kind,
        "quote": view.quote,
        "speaker": JOIN.join(a.name for a in origins),
        "chain": CHAINS_JOIN.join(CHAIN_JOIN.join(names) for names in view.chains_names()),
        "chain_depth": view.chain_depth,
        "denies": JOIN.join(view.related("denies")),
        "denied_by": JOIN.join(view.related("denies", incoming=True)),
        "speaker_key": JOIN.join(a.key for a in origins),
        "speaker_kind": JOIN.join(a.kind for a in origins),
        "speaker_identified": JOIN.join(a.identified for a in origins),
        "outlet": view.outlet.name if view.outlet else "",
        "cues": CHAINS_JOIN.join(CHAIN_JOIN.join(hop.cue or "" for hop in chain)
                                 for chain in view.chains),
        "contradicts": JOIN.join(view.related("contradicts")),
        "contradicted_by": JOIN.join(view.related("contradicts", incoming=True)),
        "supports": JOIN.join(view.related("supports")),
        "supported_by": JOIN.join(view.related("supports", incoming=True)),
        "repeats": JOIN.join(view.related("repeats")),
        "repeated_by": JOIN.join(view.related("repeats", incoming=True)),
        "about": JOIN.join(a.key for a in view.about),
        "stated_on": view.stated_on or "",
        "article_title": view.article_title,
        "published": view.published or "",
        "url": view.url or "",
        "span_start": view.span_start,
        "span_end": view.span_end,
        "context": view.context,
        **{column: JOIN.join(view.related(relation, incoming=incoming))
           for relation in RELATION_TYPES_IN_COLUMNS[3:]
           for column, incoming in ((relation, False), (INCOMING_COLUMN[relation], True))},
        "translated_from": view.translated_from or "",
        **{column: JOIN.join(view.related(relation, incoming=incoming))
           for relation in RELATION_TYPES_LAST
           for column, incoming in ((relation, False), (INCOMING_COLUMN[relation], True))},
    }
