"""Writing query results out: CSV for spreadsheets, JSON Lines and JSON for programs.

Rows are written as they arrive from the query layer, so an export of any size runs
in constant memory: nothing here collects a table into a list. CSV cells that a
spreadsheet would execute as a formula are neutralised by default (OWASP's advice:
prefix them with an apostrophe); real articles quote lines that begin with a dash,
so users must know about ``--no-formula-guard``, which writes every value verbatim.

What one row is, per table (docs/export.md has every column):

- ``statements``: one statement, with its speaker, chain and relations flattened;
- ``chain``: one link of one statement's chain (the long form of chains);
- ``relations``: one relation touching a selected statement;
- ``actors``: one actor involved in the selected statements, with its definition;
- ``articles``: one article holding selected statements.
"""

from __future__ import annotations

import csv
import dataclasses
import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

from claimsdb.errors import ClaimsError
from claimsdb.output.records import (  # (named here too, as before)
    ACTOR_COLUMNS,
    ARTICLE_COLUMNS,
    CHAIN_JOIN,
    CHAINS_JOIN,
    HOP_COLUMNS,
    JOIN,
    RELATION_COLUMNS,
    RELATION_TYPES_IN_COLUMNS,
    RELATION_TYPES_LAST,
    STATEMENT_COLUMNS,
    statement_record,
)
from claimsdb.output.shapes import span_json, statement_json

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from claimsdb.query.queries import (
        ActorDefinition,
        ActorRef,
        ActorSummary,
        ArticleSummary,
        HopRow,
        RelationRow,
        StatementFilter,
        StatementView,
    )

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

DEFINITION_BATCH = 500  # actors and articles enriched per round of queries


def guard_formula(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


# -- statements ----------------------------------------------------------------------------

def statement_records(views: Iterable[StatementView]) -> Iterator[dict[str, Any]]:
    return (statement_record(view) for view in views)


# -- chain links, relations ------------------------------------------------------------------

def _actor_json(actor: ActorRef | None) -> dict[str, Any] | None:
    return dataclasses.asdict(actor) if actor else None


def hop_record(hop: HopRow) -> dict[str, Any]:
    return {
        "article": hop.article,
        "statement": hop.statement,
        "position": hop.position,
        "actor": hop.actor.name,
        "actor_key": hop.actor.key,
        "actor_kind": hop.actor.kind,
        "actor_identified": hop.actor.identified,
        "cue": hop.cue or "",
        "is_origin": "true" if hop.is_origin else "false",
        "chain_depth": hop.chain_depth,
        "chain": hop.chain,
    }


def hop_json(hop: HopRow) -> dict[str, Any]:
    return {
        "ref": hop.ref,
        "article": hop.article,
        "statement": hop.statement,
        "position": hop.position,
        "actor": _actor_json(hop.actor),
        "cue": hop.cue,
        "mention": hop.mention,
        "identified": hop.identified,
        "cue_span": span_json(hop.cue_span),
        "mention_span": span_json(hop.mention_span),
        "is_origin": hop.is_origin,
        "chain_depth": hop.chain_depth,
        "chain": hop.chain,
    }


def relation_record(row: RelationRow) -> dict[str, Any]:
    source, target = row.source.speaker, row.target.speaker
    return {
        "source": row.source.ref,
        "type": row.type,
        "target": row.target.ref,
        "source_speaker": source.name if source else "",
        "target_speaker": target.name if target else "",
        "source_speaker_key": source.key if source else "",
        "target_speaker_key": target.key if target else "",
        "source_quote": row.source.quote,
        "target_quote": row.target.quote,
    }


def relation_json(row: RelationRow) -> dict[str, Any]:
    def end(statement) -> dict[str, Any]:
        return {"ref": statement.ref, "article": statement.article,
                "statement": statement.key, "quote": statement.quote,
                "speaker": _actor_json(statement.speaker)}

    return {"type": row.type, "source": end(row.source), "target": end(row.target)}


# -- actors, articles --------------------------------------------------------------------------

@dataclass(frozen=True)
class ActorRow:
    """An actor's counts (from ``queries.list_actors``) with its stored definition."""

    summary: ActorSummary
    definition: ActorDefinition
    # the actors its roles are held at, by key: JSON names them as actor objects
    places: dict[str, ActorRef] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class ArticleRow:
    summary: ArticleSummary
    authors: tuple[ActorRef, ...]


def _role_text(role) -> str:
    dates = ""
    if role.started_on or role.ended_on:
        dates = f" ({role.started_on or ''}–{role.ended_on or ''})"
    return f"{role.title} of {role.of}{dates}"


def actor_record(row: ActorRow) -> dict[str, Any]:
    s, d = row.summary, row.definition
    return {
        "key": s.key, "name": s.name, "kind": s.kind, "identified": s.identified,
        "aliases": JOIN.join(d.aliases),
        "roles": JOIN.join(_role_text(r) for r in d.roles),
        "wikidata": d.wikidata or "", "description": d.description or "",
        "originated": s.originated, "relayed": s.relayed,
        "denials_issued": s.denials_issued, "denials_received": s.denials_received,
    }


def actor_json(row: ActorRow) -> dict[str, Any]:
    s, d = row.summary, row.definition
    return {
        "key": s.key, "name": s.name, "kind": s.kind, "identified": s.identified,
        "aliases": list(d.aliases),
        "roles": [{"title": r.title, "of": _actor_json(row.places.get(r.of)),
                   "from": r.started_on.isoformat() if r.started_on else None,
                   "to": r.ended_on.isoformat() if r.ended_on else None} for r in d.roles],
        "wikidata": d.wikidata, "description": d.description,
        "originated": s.originated, "relayed": s.relayed,
        "denials_issued": s.denials_issued, "denials_received": s.denials_received,
    }


def article_record(row: ArticleRow) -> dict[str, Any]:
    s = row.summary
    return {
        "key": s.key, "title": s.title,
        "outlet": s.outlet.name if s.outlet else "", "outlet_key": s.outlet.key if s.outlet else "",
        "published": s.published or "", "url": s.url or "", "language": s.language,
        "authors": JOIN.join(a.name for a in row.authors),
        "statements": s.statements, "anonymous": s.anonymous, "denied": s.denied,
        "retrieved": s.retrieved or "", "archived_url": s.archived_url or "",
    }


def article_json(row: ArticleRow) -> dict[str, Any]:
    s = row.summary
    return {
        "key": s.key, "title": s.title, "outlet": _actor_json(s.outlet),
        "published": s.published, "url": s.url, "language": s.language,
        "authors": [_actor_json(a) for a in row.authors],
        "statements": s.statements, "anonymous": s.anonymous, "denied": s.denied,
        "retrieved": s.retrieved, "archived_url": s.archived_url,
    }


def _batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def iter_actor_rows(conn: Connection, flt: StatementFilter) -> Iterator[ActorRow]:
    """The actors the filter's statements involve (every actor when it selects all),
    in ``queries.list_actors`` order, each with its stored definition."""
    from claimsdb.query import queries

    involved = queries.selected_statement_ids(conn, flt)
    keep: set[str] | None = None
    if involved is not None:
        # A set of actor keys, not of rows: actors are few next to statements.
        keep = set(queries.actor_keys(conn, queries.involved_actor_ids(conn, flt)))

    summaries = queries.list_actors(conn)
    if keep is not None:
        summaries = (s for s in summaries if s.key in keep)
    return with_definitions(conn, summaries)


def with_definitions(conn: Connection, summaries: Iterable[ActorSummary]
                     ) -> Iterator[ActorRow]:
    """Actor summaries (``queries.list_actors``) with their stored definitions: the
    one shape of an actors row, for ``export --table actors`` and ``claimsdb actors``."""
    from claimsdb.query import queries

    for chunk in _batched(summaries, DEFINITION_BATCH):
        definitions = queries.actor_definitions(conn, [s.key for s in chunk])
        places = queries.actor_refs(conn, {role.of for d in definitions.values()
                                           for role in d.roles})
        for summary in chunk:
            yield ActorRow(summary, definitions[summary.key], places)


def iter_article_rows(conn: Connection, flt: StatementFilter) -> Iterator[ArticleRow]:
    """The articles holding the filter's statements (every article when it selects
    all), newest first, with their authors."""
    from claimsdb.query import queries
    from claimsdb.store.models import Article

    ids = queries.involved_article_ids(conn, flt)
    where = Article.id.in_(ids) if ids is not None else None
    return with_authors(conn, queries.list_articles(conn, where=where))


def with_authors(conn: Connection, summaries: Iterable[ArticleSummary]
                 ) -> Iterator[ArticleRow]:
    """Article summaries (``queries.list_articles``) with their authors: the one shape
    of an articles row, for ``export --table articles`` and ``claimsdb articles``."""
    from claimsdb.query import queries

    for chunk in _batched(summaries, DEFINITION_BATCH):
        authors = queries.article_authors(conn, [s.key for s in chunk])
        for summary in chunk:
            yield ArticleRow(summary, tuple(authors.get(summary.key, ())))


# -- tables ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Table:
    """One ``--table`` choice: its rows, and how a row becomes CSV and JSON."""

    name: str
    noun: str  # what one row is, for messages ("wrote 36 statement rows")
    columns: tuple[str, ...]
    rows: Callable[[Connection, StatementFilter], Iterator[Any]]
    record: Callable[[Any], dict[str, Any]]  # flat, for CSV
    to_json: Callable[[Any], dict[str, Any]]
    count: Callable[[Connection, StatementFilter], int]
    # Rows already flat, in ``columns`` order, where a table has a quicker way to them
    # than ``record(row)`` for each row of ``rows`` (same values: tests compare them).
    csv_rows: Callable[[Connection, StatementFilter], Iterator[Sequence[Any]]] | None = None


def _statement_rows(conn: Connection, flt: StatementFilter) -> Iterator[StatementView]:
    from claimsdb.query import queries

    queries.filtered_statement_ids(conn, flt)  # resolve the filter now: fail before writing
    return queries.iter_statements(conn, flt)


def _count_statements(conn: Connection, flt: StatementFilter) -> int:
    from claimsdb.query import queries

    return queries.count_statements(conn, flt)


def _count_hops(conn: Connection, flt: StatementFilter) -> int:
    from claimsdb.query import queries

    return queries.count_rows(conn, queries.hops_select(conn, flt))


def _count_relations(conn: Connection, flt: StatementFilter) -> int:
    from claimsdb.query import queries

    return queries.count_rows(conn, queries.relations_select(conn, flt))


def _count_actors(conn: Connection, flt: StatementFilter) -> int:
    from claimsdb.query import queries

    ids = queries.involved_actor_ids(conn, flt) \
        if queries.selected_statement_ids(conn, flt) is not None else None
    return len(queries.actor_keys(conn, ids))


def _count_articles(conn: Connection, flt: StatementFilter) -> int:
    from sqlalchemy import func, select

    from claimsdb.query import queries
    from claimsdb.store.models import Article

    ids = queries.involved_article_ids(conn, flt)
    query = select(func.count()).select_from(Article)
    if ids is not None:
        query = query.where(Article.id.in_(ids))
    return conn.execute(query).scalar_one()


def _hop_rows(conn: Connection, flt: StatementFilter) -> Iterator[HopRow]:
    from claimsdb.query import queries

    return queries.iter_hops(conn, flt)


def _relation_rows(conn: Connection, flt: StatementFilter) -> Iterator[RelationRow]:
    from claimsdb.query import queries

    return queries.iter_relations(conn, flt)


def statement_csv_rows(conn: Connection, flt: StatementFilter) -> Iterator[list[Any]]:
    """``statement_record`` of every statement the filter selects, as lists in
    ``STATEMENT_COLUMNS`` order, straight from the query layer's row batches.

    An export of a million statements through views builds several million objects
    (a view, its chain links, their actors, a record) only to take them apart again,
    and that costs more than the database's work. This flattens the same rows and
    details directly; ``tests/test_export_speed_paths.py`` checks it against
    ``statement_record`` value for value.
    """
    from claimsdb.query import queries

    # lean: the keys, names and cues the columns need; a bad filter fails here
    batches = queries.statement_batches(conn, flt, lean=True)
    sentence = queries.sentence_around
    types = ("denies", *RELATION_TYPES_IN_COLUMNS, *RELATION_TYPES_LAST)
    before_translation = 1 + len(RELATION_TYPES_IN_COLUMNS)
    names = {relation: number for number, relation in enumerate(types)}
    count = len(types)
    empty: tuple = ()
    unrelated = ("",) * (2 * count)  # most statements relate to nothing

    def rows() -> Iterator[list[Any]]:
        for batch, details in batches:
            hops_of, related_of, about_of = details.hops, details.related, details.about
            # The origins of chains after the first, which the lean details name but do
            # not describe: the few there are, in one query per batch.
            later = {hop[2] for hops in hops_of.values() if hops[-1][-1]
                     for hop in _origins(hops)}
            described = queries.actor_refs(conn, later) if later else {}
            for row in batch:
                (statement_id, article, key, quote, kind, span_start, span_end, stated_on,
                 title, published, url, _outlet_key, outlet_name, _outlet_kind,
                 _outlet_identified, speaker_key, speaker_name, speaker_kind,
                 speaker_identified, window_start, window, language, translated_from,
                 _original) = row
                hops = hops_of.get(statement_id, empty)
                mine = related_of.get(statement_id)
                if mine:
                    # each type made (in ``types`` order); then the same received
                    lists: list[list[str]] = [[] for _ in range(2 * count)]
                    for incoming, relation, ref, _quote, _speaker in mine:
                        lists[names[relation] + count * incoming].append(ref)
                    related = [JOIN.join(refs) for refs in lists]
                else:
                    related = unrelated
                about = about_of.get(statement_id)
                if hops and hops[-1][-1]:  # several chains
                    origins = [described[hop[2]] for hop in _origins(hops)]
                    speakers = [JOIN.join(getattr(a, part) for a in origins)
                                for part in ("name", "key", "kind", "identified")]
                    chain = CHAINS_JOIN.join(CHAIN_JOIN.join([hop[3] for hop in c])
                                             for c in _split(hops))
                    cues = CHAINS_JOIN.join(CHAIN_JOIN.join([hop[1] or "" for hop in c])
                                            for c in _split(hops))
                    depth = max(len(c) for c in _split(hops))
                else:
                    speakers = [speaker_name or "", speaker_key or "", speaker_kind or "",
                                speaker_identified or ""]
                    chain = CHAIN_JOIN.join([hop[3] for hop in hops])
                    cues = CHAIN_JOIN.join([hop[1] or "" for hop in hops])
                    depth = len(hops)
                yield [
                    article, key, kind, quote, speakers[0], chain, depth,
                    related[0], related[count], speakers[1], speakers[2], speakers[3],
                    outlet_name or "", cues,
                    related[1], related[count + 1], related[2], related[count + 2],
                    related[3], related[count + 3],
                    JOIN.join([actor[0] for actor in about]) if about else "",
                    stated_on or "", title, published or "", url or "", span_start, span_end,
                    sentence(window or "", span_start - window_start, span_end - window_start,
                             language),
                    *[cell for number in range(4, before_translation)
                      for cell in (related[number], related[count + number])],
                    translated_from or "",
                    *[cell for number in range(before_translation, count)
                      for cell in (related[number], related[count + number])],
                ]

    return rows()


def _split(hops: Sequence[tuple]) -> list[list[tuple]]:
    """Detail hop tuples (chain number last) split into their chains."""
    chains: list[list[tuple]] = []
    for hop in hops:
        if not chains or chains[-1][-1][-1] != hop[-1]:
            chains.append([])
        chains[-1].append(hop)
    return chains


def _origins(hops: Sequence[tuple]) -> list[tuple]:
    """The last hop of each chain, each actor once, first chain first."""
    seen: dict[str, tuple] = {}
    for chain in _split(hops):
        seen.setdefault(chain[-1][2], chain[-1])
    return list(seen.values())


TABLES: dict[str, Table] = {
    table.name: table for table in (
        Table("statements", "statement", STATEMENT_COLUMNS, _statement_rows, statement_record,
              statement_json, _count_statements, statement_csv_rows),
        Table("chain", "hop", HOP_COLUMNS, _hop_rows, hop_record, hop_json, _count_hops),
        Table("relations", "relation", RELATION_COLUMNS, _relation_rows, relation_record,
              relation_json, _count_relations),
        Table("actors", "actor", ACTOR_COLUMNS, iter_actor_rows, actor_record, actor_json,
              _count_actors),
        Table("articles", "article", ARTICLE_COLUMNS, iter_article_rows, article_record,
              article_json, _count_articles),
    )
}


# -- writers -----------------------------------------------------------------------------------

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
    Line breaks inside a quoted value are written as they are stored.
    """
    return write_csv_rows(([record.get(column) for column in columns] for record in records),
                          out, columns, formula_guard=formula_guard, excel=excel, on_row=on_row)


_TRIGGER_CHARACTERS = frozenset(FORMULA_TRIGGERS)


def _has_bare_return(row: Sequence[Any]) -> bool:
    return any(type(value) is str and "\r" in value for value in row)


def write_csv_rows(
    rows: Iterable[Sequence[Any]],
    out: TextIO,
    columns: Sequence[str],
    *,
    formula_guard: bool = True,
    excel: bool = False,
    on_row: Callable[[], None] | None = None,
) -> int:
    """``write_csv`` for rows that are already sequences in ``columns`` order.

    Every value holding a line break is quoted, so a spreadsheet reads it as one cell
    whatever the break. Python's csv module quotes only the characters of its own line
    terminator: with LF line ends, a bare CR (``"Reuters\rKremlin"``) would be written
    unquoted, and Excel and LibreOffice end the row there, making the rest of the value
    the first cell of a new, unguarded row. A row holding a CR is therefore written
    with every text cell quoted (RFC 4180 allows quoting any field). Once no value can
    split a row, the only place a spreadsheet looks for a formula is the first
    character of a cell, which is what the formula guard checks.
    """
    if excel:
        out.write("\ufeff")
    terminator = "\r\n" if excel else "\n"
    writer = csv.writer(out, lineterminator=terminator)
    writer.writerow(columns)
    write = writer.writerow
    # CRLF line ends already make the csv module quote CR and LF
    quoting = None if excel else csv.writer(out, lineterminator=terminator,
                                            quoting=csv.QUOTE_NONNUMERIC).writerow
    triggers = _TRIGGER_CHARACTERS
    count = 0
    for row in rows:
        if formula_guard:
            # csv.writer writes None as an empty cell and numbers as str() does
            row = ["'" + value if isinstance(value, str) and value and value[0] in triggers
                   else value for value in row]
        if quoting is not None and _has_bare_return(row):
            # QUOTE_NONNUMERIC would write None as a quoted empty string: the same cell
            quoting(["" if value is None else value for value in row])
        else:
            write(row)
        count += 1
        if on_row is not None:
            on_row()
    return count


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def write_jsonl(objects: Iterable[dict[str, Any]], out: TextIO, *,
                on_row: Callable[[], None] | None = None) -> int:
    """One compact JSON object per line (JSON Lines); returns the count."""
    count = 0
    for obj in objects:
        out.write(_dumps(obj))
        out.write("\n")
        count += 1
        if on_row is not None:
            on_row()
    return count


def write_json(objects: Iterable[dict[str, Any]], out: TextIO, *,
               on_row: Callable[[], None] | None = None) -> int:
    """One JSON array, written element by element so it never sits in memory whole."""
    count = 0
    out.write("[")
    for obj in objects:
        out.write(",\n" if count else "\n")
        out.write(_dumps(obj))
        count += 1
        if on_row is not None:
            on_row()
    out.write("\n]\n" if count else "]\n")
    return count


# -- where the output goes -------------------------------------------------------------------
# One place decides how every user-named output is written (claimsdb.store.outputs); these
# names stay importable from here, loaded when first asked for: claimsdb.store.outputs
# imports tempfile, shutil and hashlib, which a list printed to the terminal (claimsdb
# statements, on the driver) never needs.
def __getattr__(name: str) -> Any:
    if name in ("open_output", "is_stdout"):
        from claimsdb.store import outputs

        return getattr(outputs, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def table_writer(conn: Connection, fmt: str, table_name: str, flt: StatementFilter,
                 **csv_options: bool) -> Callable[..., int]:
    """How to write one table (``TABLES``) of the filter's rows as ``csv``, ``jsonl`` or
    ``json``: a function of the stream (and an optional ``on_row``) returning the row
    count. ``claimsdb export csv|jsonl|json`` and ``Database.export`` both come here,
    so a Python user gets the command's exact bytes.

    The filter is resolved now, before the caller opens its output, so a bad one fails
    before anything is created or written.
    """
    if fmt not in ("csv", "jsonl", "json"):
        raise ClaimsError(f"not a table format: {fmt!r} (csv, jsonl or json)")
    if table_name not in TABLES:
        raise ClaimsError(f"no table {table_name!r} (one of {', '.join(TABLES)})")
    table = TABLES[table_name]
    flat = fmt == "csv" and table.csv_rows is not None
    rows = table.csv_rows(conn, flt) if flat else table.rows(conn, flt)

    def write(out: TextIO, on_row: Callable[[], None] | None = None) -> int:
        if flat:
            return write_csv_rows(rows, out, table.columns, on_row=on_row, **csv_options)
        if fmt == "csv":
            return write_csv((table.record(r) for r in rows), out, table.columns,
                             on_row=on_row, **csv_options)
        if fmt == "jsonl":
            return write_jsonl((table.to_json(r) for r in rows), out, on_row=on_row)
        return write_json((table.to_json(r) for r in rows), out, on_row=on_row)

    return write
