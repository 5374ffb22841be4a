"""Turning query results into text for people and JSON for programs."""

from __future__ import annotations

import dataclasses
import itertools
import textwrap
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, NamedTuple, TextIO

from claimsdb.output.records import statement_record
from claimsdb.output.shapes import actor_json, statement_json
from claimsdb.query.results import ActorRef, HopView, StatementView
from claimsdb.terminal import escape, for_display, one_line

RELATION_HEADINGS = {
    ("denies", False): "Denies",
    ("denies", True): "Denied by",
    ("contradicts", False): "Contradicts",
    ("contradicts", True): "Contradicted by",
    ("supports", False): "Supports",
    ("supports", True): "Supported by",
    ("repeats", False): "Repeats (upstream)",
    ("repeats", True): "Repeated by (downstream)",
    ("confirms", False): "Confirms",
    ("confirms", True): "Confirmed by",
    ("dismisses", False): "Dismisses",
    ("dismisses", True): "Dismissed by",
    ("corrects", False): "Corrects (an earlier statement of the same speaker or outlet)",
    ("corrects", True): "Corrected by (the same speaker or outlet)",
    ("retracts", False): "Retracts",
    ("retracts", True): "Retracted by",
    # a refusal's: it neither denies nor confirms what it names
    ("declines", False): "Declines to address (a refusal)",
    ("declines", True): "Declined to address by (refusals)",
}


def translated(view: StatementView) -> str:
    """" (translated from ru)" for a quote the article translates, else "": a direct
    quote in translation is still the speaker's words, but not their wording."""
    return f" (translated from {view.translated_from})" if view.translated_from else ""


def _who(actor: ActorRef) -> str:
    return f"{actor.name}  [{actor.describe()}]"


def wrapper(width: int, initial: str, subsequent: str, *, whole: str = ""
            ) -> textwrap.TextWrapper:
    """Wraps a view's lines at the width without ever splitting a key or ref (``whole``,
    which starts the text): a line break inside one would hand a user who copies it a
    key that does not exist. A ref longer than the line stays whole and overflows."""
    return textwrap.TextWrapper(width=width, initial_indent=initial,
                                subsequent_indent=subsequent, break_on_hyphens=False,
                                break_long_words=len(initial) + len(whole) <= width)


def chains_text(view: StatementView) -> str:
    """Every chain on one line, nearest source first: "AFP > X | AP > X"."""
    return " | ".join(" > ".join(names) for names in view.chains_names())


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def _named_here(hop: HopView) -> str:
    """How the article names a hop's source there, and how identifiable it is at that
    point, where either differs from the actor: 'named here as “he”; anonymous here'.
    A mention that is the actor's own name says nothing the hop's line does not."""
    parts = []
    if hop.mention and _folded(hop.mention) != _folded(hop.actor.name):
        parts.append(f"named here as “{hop.mention}”")
    if hop.identified and hop.identified != hop.actor.identified:
        parts.append(f"{hop.identified} here")
    return "; ".join(parts)


def chain_text(view: StatementView, width: int = 100) -> str:
    """A statement's provenance, readable at a glance, from the article to the origin."""
    view = for_display(view)
    wrap = wrapper(width, "  ", "  ")
    how = (f"{view.kind}, translated from {view.translated_from}" if view.translated_from
           else view.kind)
    lines = [f"{view.ref}  ({how})", *wrap.wrap(f"“{view.quote}”")]
    if view.original:
        lines += wrapper(width, "  original: ", "            ").wrap(f"“{view.original}”")
    if view.context and view.context != view.quote:
        context = wrapper(width, "  in: ", "      ")
        lines += context.wrap(view.context)
    lines.append("")
    source = view.outlet.name if view.outlet else "the article itself (no outlet given)"
    dated = f", {view.published}" if view.published else ""
    lines.append(f"Article: {view.article_title}  [{view.article}{dated}]")
    lines.append("")
    if not view.chains:
        speaker = _who(view.outlet) if view.outlet else "the article itself (no outlet given)"
        lines.append("Chain: none; the article says this in its own voice")
        lines.append(f"  original speaker: {speaker}")
    for number, chain in enumerate(view.chains, start=1):
        if len(view.chains) == 1:
            lines.append("Chain, from the article to the original speaker:")
        else:
            if number > 1:
                lines.append("")
            lines.append(f"Chain {number} of {len(view.chains)}, from the article to the "
                         "original speaker:")
        lines.append(f"  {source}" + (f"  [{view.outlet.describe()}]" if view.outlet else ""))
        for depth, hop in enumerate(chain, start=1):
            cue = f"{hop.cue} " if hop.cue else ""
            last = depth == len(chain)
            marker = "   <- original speaker" if last else ""
            lines.append(f"  {'    ' * (depth - 1)}└─ {cue}→ {_who(hop.actor)}{marker}")
            named_here = _named_here(hop)
            if named_here:
                lines += wrapper(width, "  " + "    " * depth + "   ",
                                 "  " + "    " * depth + "     ").wrap(named_here)
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
            who = f" ({r.speaker.name})" if r.speaker else ""
            item = wrapper(width, "  - ", "    ", whole=r.ref)
            lines += item.wrap(f"{r.ref}{who}: «{r.quote}»")
    return "\n".join(lines)


# -- tables, JSON and CSV for list commands ----------------------------------------------

class Column(NamedTuple):
    """One column of a table: its header, its width's share and how it shows values.
    (A named tuple: every list command loads this module, and a frozen dataclass
    costs several times more to make at import.)"""

    name: str  # key in the flat record, and the CSV header
    header: str
    # Share of the width left over by fixed columns (0: fixed). Long text in a flexible
    # column is truncated, or wrapped with --full.
    flex: int = 0
    numeric: bool = False  # right-aligned
    # When every row has the same value (and all rows fit in the sample), print it once
    # above the table instead of repeating it in a column.
    collapse: bool = False
    # A key or reference a user copies into the next command: always shown whole, so
    # the text columns give way instead, even if the table must then be wider.
    key: bool = False


SAMPLE_ROWS = 200  # rows read before column widths are fixed; the rest stream through
MAX_COLUMN = 40  # widest a non-flex column gets, unless --full
MIN_FLEX = 24
FLEX_SHARE = 0.4  # of the width kept for flexible (text) columns when space is short
MIN_SHRUNK = 10  # a date stays whole
MIN_TEXT = 8  # the narrowest a shortened text column gets to make the table fit
MIN_READABLE = 20  # the narrowest a wrapped one gets (--full)
GAP = "  "
NARROW_GAP = " "  # between columns when two spaces would push the table past the width


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    # One line per cell: line breaks show as ⏎, control characters escaped (a bare CR
    # would otherwise send the terminal back over the row), runs of spaces folded.
    return " ".join(one_line(str(value)).split())


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def table_lines(records: Iterable[dict[str, Any]], columns: Sequence[Column], *,
                width: int = 100, full: bool = False) -> Iterator[str]:
    """An aligned text table, fitted to ``width``; long cells truncated unless ``full``,
    which wraps them instead. Widths come from the first rows, so output starts at once
    and memory stays flat however many rows follow."""
    iterator = iter(records)
    sample_records = list(itertools.islice(iterator, SAMPLE_ROWS + 1))
    complete = len(sample_records) <= SAMPLE_ROWS
    if complete and sample_records:
        for column in [c for c in columns if c.collapse]:
            values = {_cell(r.get(column.name)) for r in sample_records}
            if len(values) == 1:
                yield f"{column.header}: {values.pop()}"
                columns = [c for c in columns if c is not column]
    sample = [[_cell(r.get(c.name)) for c in columns] for r in sample_records]
    gap = GAP
    widths = _widths(sample, columns, width, full, gap)
    if sum(widths) + len(gap) * (len(columns) - 1) > width:
        gap = NARROW_GAP
        widths = _widths(sample, columns, width, full, gap)

    def render(cells: list[str]) -> Iterator[str]:
        if full:
            wrapped = [textwrap.wrap(cell, w) or [""]
                       for cell, w in zip(cells, widths, strict=True)]
            for line in itertools.zip_longest(*wrapped, fillvalue=""):
                yield _join(line, widths, columns, gap)
        else:
            yield _join([_fit(cell, w) for cell, w in zip(cells, widths, strict=True)],
                        widths, columns, gap)

    yield _join([c.header for c in columns], widths, columns, gap)
    yield _join(["-" * w for w in widths], widths, columns, gap)
    for cells in sample:
        yield from render(cells)
    for record in iterator:
        yield from render([_cell(record.get(c.name)) for c in columns])


def _widths(sample: list[list[str]], columns: Sequence[Column], width: int, full: bool,
            gap: str = GAP) -> list[int]:
    """Key columns get their whole width, always. Other fixed columns get their natural
    width (capped); flexible ones share what is left by weight. When that leaves the
    text columns too little, the widest fixed columns give way first, then the text
    columns shrink down to MIN_TEXT. Only keys longer than the width allows make a
    table wider than ``width``."""
    widths = [max([len(c.header)] + [len(row[i]) for row in sample])
              for i, c in enumerate(columns)]
    keys = [i for i, c in enumerate(columns) if c.key]
    flexible = [i for i, c in enumerate(columns) if c.flex and not c.key]
    fixed = [i for i, c in enumerate(columns) if not c.flex and not c.key]
    if not full:
        for i in fixed:
            widths[i] = min(widths[i], MAX_COLUMN)
    gaps = len(gap) * (len(columns) - 1)
    budget = width - gaps - sum(widths[i] for i in keys)
    natural_flex = sum(widths[i] for i in flexible)
    wanted_flex = min(natural_flex, max(MIN_FLEX * len(flexible), int(width * FLEX_SHARE)))
    while sum(widths[i] for i in fixed) > budget - wanted_flex:
        widest = max(fixed, key=lambda i: widths[i], default=None)
        if widest is None or widths[widest] <= max(len(columns[widest].header), MIN_SHRUNK):
            break
        widths[widest] -= 1
    if not flexible:
        return widths
    # Shortened text needs only a hint of the value; wrapped text (--full) is read.
    floor = MIN_READABLE if full else MIN_TEXT
    least = {i: min(widths[i], max(floor, len(columns[i].header))) for i in flexible}
    room = max(budget - sum(widths[i] for i in fixed), sum(least.values()))
    # Hand out the room by weight; a column needing less than its share gives the rest
    # to the others.
    pending = sorted(flexible, key=lambda i: widths[i] / columns[i].flex)
    while pending:
        weight = sum(columns[i].flex for i in pending)
        i = pending.pop(0)
        # its share, leaving the others at least their narrowest
        share = min(room * columns[i].flex // weight, room - sum(least[j] for j in pending))
        widths[i] = min(widths[i], max(share, least[i]))
        room -= widths[i]
    return widths


def _join(cells: Sequence[str], widths: Sequence[int], columns: Sequence[Column],
          gap: str = GAP) -> str:
    parts = [cell.rjust(w) if c.numeric else cell.ljust(w)
             for cell, w, c in zip(cells, widths, columns, strict=True)]
    return gap.join(parts).rstrip()


def emit(items: Iterable[Any], out: TextIO, *, fmt: str, columns: Sequence[Column],
         record: Callable[[Any], dict[str, Any]], to_json: Callable[[Any], Any],
         width: int = 100, full: bool = False, formula_guard: bool = True,
         empty: str = "nothing matches") -> int:
    """Write items as a table, a JSON array (streamed) or CSV; returns the count."""
    count = 0
    if fmt == "json":
        import json  # (here: a chain or an actor shown as text needs no JSON)

        out.write("[")
        for item in items:
            out.write(",\n  " if count else "\n  ")
            out.write(json.dumps(to_json(item), ensure_ascii=False))
            count += 1
        out.write("\n]\n" if count else "]\n")
        return count
    if fmt == "csv":
        from claimsdb.output.export import write_csv

        return write_csv((record(i) for i in items), out, [c.name for c in columns],
                         formula_guard=formula_guard)
    counted = _Counter(record(i) for i in items)
    lines = table_lines(counted, columns, width=width, full=full)
    head: list[str] = []
    for line in lines:
        head.append(line)
        if line.startswith("-") or line.startswith(" "):  # the rule under the header
            break
    first = next(lines, None)
    if first is None:
        out.write(f"({empty})\n")
        return 0
    out.write("\n".join(head) + "\n" + first + "\n")
    for line in lines:
        out.write(line + "\n")
    return counted.count


class _Counter:
    def __init__(self, iterable: Iterable[Any]):
        self.iterator = iter(iterable)
        self.count = 0

    def __iter__(self):
        return self

    def __next__(self):
        value = next(self.iterator)
        self.count += 1
        return value


# -- what each list shows ------------------------------------------------------------------

def _origin(view: StatementView) -> str:
    """How each chain's origin is identified where the article cites it ("named;
    anonymous" for two chains)."""
    return "; ".join(view.origins_identified)


STATEMENT_TABLE = (
    Column("article", "article", collapse=True, key=True),
    Column("statement", "statement", key=True),
    Column("speaker", "speaker", flex=1), Column("origin", "origin"),
    Column("chain_depth", "hops", numeric=True), Column("quote", "quote", flex=2),
)


def statement_row(view: StatementView) -> dict[str, Any]:
    record = {**statement_record(view), "origin": _origin(view)}
    if view.translated_from:  # first, so a shortened quote keeps it (CSV has a column)
        record["quote"] = f"{translated(view).strip()} {view.quote}"
    return record


ACTOR_TABLE = (
    Column("key", "key", key=True), Column("name", "name", flex=1), Column("kind", "kind"),
    Column("identified", "identified"), Column("originated", "said", numeric=True),
    Column("relayed", "relayed", numeric=True),
    Column("denials_issued", "denials", numeric=True),
    Column("denials_received", "denied", numeric=True),
)


DENIAL_TABLE = (
    Column("denier", "denied by", flex=1), Column("denial_quote", "denial", flex=2),
    Column("denied_key", "denied statement", key=True),
    Column("denied_speaker", "its origin", flex=1),
    Column("denied_origin", "identified"),
)


REJECTION_TABLE = (  # denials --type dismisses|all: which of the two each row is
    Column("denier", "by", flex=1), Column("type", "how"),
    Column("denial_quote", "words", flex=2),
    Column("denied_key", "statement", key=True),
    Column("denied_speaker", "its origin", flex=1),
    Column("denied_origin", "identified"),
)


def denial_row(denial) -> dict[str, Any]:
    denied = denial.denied
    return {
        "type": denial.type,
        "denier": denial.denier.name if denial.denier else "",
        "denial": denial.denial.ref,
        "denial_quote": denial.denial.quote,
        "denied": denied.ref,
        "denied_key": denied.key if denied.article == denial.denial.article else denied.ref,
        "denied_quote": denied.quote,
        "denied_speaker": "; ".join(a.name for a in denied.origins),
        "denied_origin": _origin(denied),
        "denied_chain": chains_text(denied),
    }


DENIAL_CSV = (
    Column("denier", ""), Column("denial", ""), Column("denial_quote", ""),
    Column("denied", ""), Column("denied_quote", ""), Column("denied_speaker", ""),
    Column("denied_origin", ""), Column("denied_chain", ""), Column("type", ""),
)


def denial_json(denial) -> dict[str, Any]:
    return {"denier": actor_json(denial.denier), "denial": statement_json(denial.denial),
            "denied": statement_json(denial.denied), "type": denial.type}


ARTICLE_TABLE = (
    Column("key", "key", key=True), Column("published", "published"),
    Column("outlet", "outlet", flex=1),
    Column("statements", "statements", numeric=True),
    Column("anonymous", "anonymous", numeric=True), Column("denied", "denied", numeric=True),
    Column("title", "title", flex=1),
)


def article_json(summary) -> dict[str, Any]:
    return {**dataclasses.asdict(summary), "outlet": actor_json(summary.outlet)}


TOPIC_TABLE = (
    Column("topic", "topic", key=True),
    Column("statements", "statements", numeric=True),
    Column("articles", "articles", numeric=True),
)


def topic_row(summary) -> dict[str, Any]:
    """A topic with its counts: the table row, CSV row and JSON object alike."""
    return dataclasses.asdict(summary)


SOURCES_TABLE = (  # short headers: ten columns must fit 80 characters beside the keys
    Column("scope", "article", key=True), Column("statements", "stmts", numeric=True),
    Column("named", "named", numeric=True), Column("role", "role", numeric=True),
    Column("anonymous", "anon", numeric=True),
    Column("anonymous_pct", "anon%", numeric=True),
    Column("own_voice", "own", numeric=True),
    Column("average_chain_depth", "hops", numeric=True),
    Column("direct_pct", "direct%", numeric=True),
    Column("independent_origins", "origins", numeric=True),
)
SOURCES_CSV = (*SOURCES_TABLE, Column("title", "title"))


def sources_row(profile) -> dict[str, Any]:
    return {**dataclasses.asdict(profile),
            "anonymous_pct": round(100 * profile.anonymous_share, 1),
            "direct_pct": round(100 * profile.direct_share, 1),
            "average_chain_depth": round(profile.average_chain_depth, 2)}


def sources_json(profile) -> dict[str, Any]:
    return {**dataclasses.asdict(profile), "anonymous_share": profile.anonymous_share}


# -- single objects as text ----------------------------------------------------------------

def actor_text(detail, width: int = 100) -> str:
    detail = for_display(detail)
    s = detail.summary
    lines = [f"{s.name}  [{s.key}]", f"  {s.kind}, {s.identified}"]
    if detail.aliases:
        lines.append("  also: " + ", ".join(detail.aliases))
    if detail.wikidata:
        lines.append(f"  wikidata: {detail.wikidata}")
    if detail.description:
        lines += textwrap.wrap(detail.description, width, initial_indent="  ",
                               subsequent_indent="  ")
    for role in detail.roles:
        lines.append(f"  {role.title} of {role.of.name} [{role.of.key}]{_dates(role)}")
    for member in detail.members:
        lines.append(f"  {member.of.name} [{member.of.key}] is its {member.title}{_dates(member)}")
    lines.append("")
    lines.append(f"Originated {s.originated} statement(s), relayed {s.relayed}; issued "
                 f"{s.denials_issued} denial(s), received {s.denials_received}.")
    for heading, views in (("Said", detail.said), ("Relayed", detail.relayed)):
        if not views:
            continue
        lines.append("")
        lines.append(f"{heading}:")
        for view in views:
            via = chains_text(view) or "own voice"
            item = wrapper(width, "  - ", "    ", whole=view.ref)
            lines += item.wrap(f"{view.ref} ({via}): «{view.quote}»")
    return "\n".join(lines)


def _dates(role) -> str:
    if role.started_on or role.ended_on:
        return f" ({role.started_on or '…'} to {role.ended_on or 'now'})"
    return ""


def actor_detail_json(detail) -> dict[str, Any]:
    return {
        **dataclasses.asdict(detail.summary),
        "wikidata": detail.wikidata,
        "description": detail.description,
        "aliases": list(detail.aliases),
        "roles": [{"title": r.title, "of": actor_json(r.of),
                   "from": r.started_on.isoformat() if r.started_on else None,
                   "to": r.ended_on.isoformat() if r.ended_on else None} for r in detail.roles],
        "members": [{"title": r.title, "actor": actor_json(r.of),
                     "from": r.started_on.isoformat() if r.started_on else None,
                     "to": r.ended_on.isoformat() if r.ended_on else None}
                    for r in detail.members],
        # The counts above keep the names of the `actors` list; the statements
        # themselves get their own names, so no key means two things.
        "statements_said": [statement_json(v) for v in detail.said],
        "statements_relayed": [statement_json(v) for v in detail.relayed],
    }


# How ``claimsdb article`` marks what the spans select, per kind of mark.
MARKS = {"statement": ("⟦", "⟧"), "source": ("⟨", "⟩"), "cue": ("⌊", "⌋")}
MARK_LEGEND = ("Marked: ⟦n the statement⟧n, ⟨n the words naming its source⟩n, "
               "⌊n its cue⌋n")


def text_marks(views: Sequence[StatementView]) -> list[dict[str, Any]]:
    """What ``claimsdb article`` marks, in text order: each statement's span, and the
    spans of the words naming each hop's source (``source``) and of its cue, numbered
    by statement as in the list below the text."""
    marks: list[dict[str, Any]] = []
    for number, view in enumerate(views, start=1):
        marks.append({"type": "statement", "number": number, "statement": view.key,
                      "span": [view.span_start, view.span_end], "actor": None})
        for hop in (hop for chain in view.chains for hop in chain):
            for kind, span in (("source", hop.mention_span), ("cue", hop.cue_span)):
                if span is not None:
                    marks.append({"type": kind, "number": number, "statement": view.key,
                                  "span": list(span), "actor": hop.actor.key})
    marks.sort(key=lambda m: (m["span"][0], m["span"][1], m["number"]))
    return marks


def marked_text(text: str, views: Sequence[StatementView], *, sources: bool = False) -> str:
    """The article text with each statement's span bracketed and numbered: ⟦3 … ⟧3;
    with ``sources``, also the words naming each source ⟨3 … ⟩3 and each cue ⌊3 … ⌋3."""
    marks: list[tuple[int, int, str]] = []  # (offset, order, marker): closes before opens
    for mark in text_marks(views):
        if mark["type"] != "statement" and not sources:
            continue
        opening, closing = MARKS[mark["type"]]
        number = mark["number"]
        marks.append((mark["span"][0], 1, f"{opening}{number} "))
        marks.append((mark["span"][1], 0, f" {closing}{number}"))
    pieces = []
    previous = 0
    for offset, _, marker in sorted(marks, key=lambda m: (m[0], m[1])):
        pieces.append(text[previous:offset])
        pieces.append(marker)
        previous = offset
    pieces.append(text[previous:])
    return "".join(pieces)


def article_text(detail, width: int = 100) -> str:
    # The text keeps its paragraphs; the spans index the stored text, so mark first.
    body = escape(marked_text(detail.text, detail.statements, sources=True))
    detail = for_display(detail)
    s = detail.summary
    lines = [s.title, f"  [{s.key}]"]
    meta = [("outlet", s.outlet.name if s.outlet else None), ("published", s.published),
            ("url", s.url), ("archived", s.archived_url), ("retrieved", s.retrieved),
            ("language", s.language),
            ("authors", ", ".join(a.name for a in detail.authors) or None)]
    lines += [f"  {name}: {value}" for name, value in meta if value]
    if detail.note:
        lines += textwrap.wrap(f"note: {detail.note}", width, initial_indent="  ",
                               subsequent_indent="    ")
    lines.append(f"  {s.statements} statements, {s.anonymous} from anonymous origins, "
                 f"{s.denied} denied")
    lines.append("")
    lines.append(body)
    lines.append("")
    if any(hop.cue_span or hop.mention_span
           for v in detail.statements for chain in v.chains for hop in chain):
        lines.append(MARK_LEGEND)
        lines.append("")
    lines.append("Statements (numbered as marked above):")
    for number, view in enumerate(detail.statements, start=1):
        via = chains_text(view) or "own voice"
        item = wrapper(width, f"  {number:>3}. ", " " * 7, whole=view.key)
        lines += item.wrap(f"{view.key} [{view.kind}; {via}]")
    return "\n".join(lines)


def article_detail_json(detail) -> dict[str, Any]:
    """The `articles` row (with its count renamed statement_count), the text, the
    authors and every statement in text order."""
    summary = article_json(detail.summary)
    summary["statement_count"] = summary.pop("statements")
    return {**summary, "note": detail.note, "text": detail.text,
            "authors": [actor_json(a) for a in detail.authors],
            "statements": [statement_json(v) for v in detail.statements],
            "marks": text_marks(detail.statements)}
