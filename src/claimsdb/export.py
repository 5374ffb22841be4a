"""Writing query results out: CSV for spreadsheets.

Rows are written as they arrive from the query layer, so an export of any size runs
in constant memory. CSV cells that a spreadsheet would execute as a formula are
neutralised by default (OWASP's advice: prefix them with an apostrophe); real
articles quote lines that begin with a dash, so users must know about
``--no-formula-guard``, which writes every value verbatim.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TextIO

from claimsdb.queries import StatementView

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# The contract's columns first (ARTICLE_FORMAT.md), then what a sourcing analyst wants
# next to them in a spreadsheet.
STATEMENT_COLUMNS: tuple[str, ...] = (
    "article", "statement", "kind", "quote", "speaker", "chain", "chain_depth",
    "denies", "denied_by",
    "speaker_key", "speaker_kind", "speaker_identified", "outlet", "cues",
    "contradicts", "contradicted_by", "supports", "supported_by", "repeats", "repeated_by",
    "about", "stated_on", "article_title", "published", "url", "span_start", "span_end",
    "context",
)
JOIN = "; "
CHAIN_JOIN = " > "


def guard_formula(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def statement_record(view: StatementView) -> dict[str, Any]:
    """One statement as a flat record (the CSV row, and the basis of JSON Lines)."""
    speaker = view.speaker
    return {
        "article": view.article,
        "statement": view.key,
        "kind": view.kind,
        "quote": view.quote,
        "speaker": speaker.name if speaker else "",
        "chain": CHAIN_JOIN.join(view.chain_names()),
        "chain_depth": view.chain_depth,
        "denies": JOIN.join(view.related("denies")),
        "denied_by": JOIN.join(view.related("denies", incoming=True)),
        "speaker_key": speaker.key if speaker else "",
        "speaker_kind": speaker.kind if speaker else "",
        "speaker_identified": speaker.identified if speaker else "",
        "outlet": view.outlet.name if view.outlet else "",
        "cues": CHAIN_JOIN.join(hop.cue or "" for hop in view.chain),
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
    }


def write_csv(
    records: Iterable[dict[str, Any]],
    out: TextIO,
    columns: Sequence[str],
    *,
    formula_guard: bool = True,
    excel: bool = False,
    on_row: Callable[[], None] | None = None,
) -> int:
    """Write a header and one row per record (RFC 4180 quoting); returns the row count.

    ``excel`` adds a UTF-8 byte-order mark and CRLF line ends, which Excel needs to
    read UTF-8 correctly; otherwise lines end with LF, which every other tool expects.
    """
    if excel:
        out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n" if excel else "\n")
    writer.writerow(columns)
    count = 0
    for record in records:
        row = []
        for column in columns:
            value = record.get(column)
            text = "" if value is None else str(value)
            row.append(guard_formula(text) if formula_guard and isinstance(value, str) else text)
        writer.writerow(row)
        count += 1
        if on_row is not None:
            on_row()
    return count


def statement_records(views: Iterable[StatementView]) -> Iterator[dict[str, Any]]:
    return (statement_record(view) for view in views)
