"""``claimsdb export``: query results out to files and pipes.

Every export streams from the query layer and writes to ``-o FILE`` or to standard
output (``-o -``, the default); ``claimsdb.store.outputs`` decides how (a regular file is
renamed into place when complete, a FIFO or device is written through, the database
itself is refused). A progress bar
appears on stderr only when writing to a file from a terminal, so pipes carry
nothing but data; a reader that goes away (``| head``) ends the export quietly.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from claimsdb.cli.context import Settings, pass_settings
from claimsdb.cli.options import KeyArgumentCommand, statement_filter_options
from claimsdb.cli.show import echo

TABLE_NAMES = ("statements", "chain", "relations", "actors", "articles")


@click.group()
def export() -> None:
    """Write stored data out for spreadsheets, programs and provenance tools.

    csv, jsonl, json, prov and claimreview take the same filters as 'claimsdb
    statements'; article writes one stored article back as an editable article file;
    prov writes the provenance graph in W3C PROV; claimreview writes fact-checkers'
    verdicts as schema.org ClaimReview. docs/export.md describes every column, shape
    and PROV mapping.

    \b
    Examples:
      claimsdb export csv --table statements -o statements.csv
      claimsdb export jsonl --origin anonymous | jq .speaker.name
      claimsdb export article putin-stance-stalls-talks -o article.yaml
      claimsdb export prov -o provenance.json
    """


def _output_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "-o", "--output", default="-", show_default=True, metavar="FILE",
        type=click.Path(dir_okay=False, allow_dash=True),
        help="File to write; '-' is standard output. A regular file appears only once "
        "complete; a FIFO, device or /dev/fd/N is written through.",
    )(command)


def _table_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--table", type=click.Choice(TABLE_NAMES), default="statements", show_default=True,
        help="What one row is: a statement; a link of a chain (long form); a relation; "
        "an actor involved in the statements; an article holding them.",
    )(command)


def _progress(to_file: bool, noun: str, stack):
    """A progress callback drawing a bar on stderr when writing to a file from a
    terminal; otherwise None (and the library runs no count query)."""
    if not (to_file and sys.stderr.isatty()):
        return None
    bar = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = stack.enter_context(click.progressbar(
                length=total, label=f"exporting {noun}s", file=sys.stderr))
        bar.update(done - bar.pos)

    return update


def _export_file(settings: Settings, fmt: str, output: str, noun: str, **options: Any):
    """One ``Database.export_file`` call, with a progress bar when it helps."""
    import contextlib

    from claimsdb.store import outputs

    with contextlib.ExitStack() as stack:
        progress = _progress(not outputs.is_stdout(output), noun, stack)
        return settings.database().export_file(fmt, output, on_progress=progress, **options)


def _export_table(settings: Settings, fmt: str, table_name: str, output: str, flt,
                  **csv_options: bool) -> None:
    from claimsdb.output.export import TABLES
    from claimsdb.store import outputs

    result = _export_file(settings, fmt, output, TABLES[table_name].noun, table=table_name,
                          flt=flt, **csv_options)
    if not outputs.is_stdout(output):
        echo(f"wrote {result.rows} {result.noun} rows to {output}", err=True)


@export.command("csv")
@_table_option
@_output_option
@click.option("--excel", is_flag=True,
              help="Add a byte-order mark and CRLF line ends, so Excel reads UTF-8 correctly.")
@click.option("--no-formula-guard", "formula_guard", flag_value=False, default=True,
              help="Write cells that start with = + - @ tab or CR verbatim. By default they "
              "get a leading apostrophe so a spreadsheet shows them as text instead of "
              "running them as formulas (quotes often start with a dash).")
@statement_filter_options
@pass_settings
def export_csv(settings: Settings, table: str, output: str, excel: bool, formula_guard: bool,
               flt) -> None:
    """Export as CSV (RFC 4180, UTF-8) for spreadsheets: one row per statement, chain
    link, relation, actor or article (--table).

    \b
    statements columns (the first nine are a stable contract):
      article, statement, kind, quote, speaker, chain, chain_depth, denies, denied_by,
      speaker_key, speaker_kind, speaker_identified, outlet, cues, contradicts,
      contradicted_by, supports, supported_by, repeats, repeated_by, about, stated_on,
      article_title, published, url, span_start, span_end, context
    chain: article, statement, position, actor, actor_key, actor_kind,
      actor_identified, cue, is_origin, chain_depth, chain
    relations: source, type, target, source_speaker, target_speaker,
      source_speaker_key, target_speaker_key, source_quote, target_quote
    actors: actor, name, kind, identified, aliases, roles, wikidata, description,
      originated, relayed, denials_issued, denials_received
    articles: article, title, outlet, outlet_key, published, url, language, authors,
      statements, anonymous, denied, retrieved, archived_url

    \b
    The filters select statements; the other tables show what belongs to them
    (--limit too counts statements).

    \b
    Examples:
      claimsdb export csv --table statements -o statements.csv
      claimsdb export csv --table chain --via bloomberg -o bloomberg-chains.csv
      claimsdb export csv --table relations --denied --excel -o denials.csv
      claimsdb export csv | head
    """
    _export_table(settings, "csv", table, output, flt, formula_guard=formula_guard,
                  excel=excel)


@export.command("jsonl")
@_table_option
@_output_option
@statement_filter_options
@pass_settings
def export_jsonl(settings: Settings, table: str, output: str, flt) -> None:
    """Export as JSON Lines: one JSON object per line (per statement by default).

    A statement object has the same shape as 'claimsdb chain --format json', its
    chain an array of hop objects (docs/export.md).

    \b
    Examples:
      claimsdb export jsonl -o statements.jsonl
      claimsdb export jsonl --speaker peskov | jq -r .quote
      claimsdb export jsonl --table relations --denied
    """
    _export_table(settings, "jsonl", table, output, flt)


@export.command("json")
@_table_option
@_output_option
@statement_filter_options
@pass_settings
def export_json(settings: Settings, table: str, output: str, flt) -> None:
    """Export a whole result as one JSON document: an array of objects, the same
    objects as 'export jsonl' (written one by one, so any size fits in memory).

    \b
    Examples:
      claimsdb export json --article putin-stance-stalls-talks -o statements.json
      claimsdb export json --table actors | jq '.[] | select(.identified == "anonymous")'
    """
    _export_table(settings, "json", table, output, flt)


@export.command("article", cls=KeyArgumentCommand)
@click.argument("key")
@_output_option
@pass_settings
def export_article(settings: Settings, key: str, output: str) -> None:
    """Write a stored article back as an article file (YAML), ready to edit.

    The file holds the text inline, every actor the article uses (with aliases and
    roles) and every statement with its chain and relations. Importing it into an
    empty database recreates the same data; importing it unchanged into this one
    reports 'unchanged'. To change an article: export it, edit the file, then
    'claimsdb add --replace FILE'.

    \b
    Example:
      claimsdb export article kremlin-denies-report -o kremlin.yaml
      $EDITOR kremlin.yaml && claimsdb add --replace kremlin.yaml
    """
    from claimsdb.store import outputs

    result = settings.database().export_file("article", output, key=key)
    if not outputs.is_stdout(output):
        echo(f"wrote article '{key}' ({result.statements} statements, "
             f"{result.actors} actors) to {output}", err=True)


@export.command("prov")
@_output_option
@click.option("--prov-n", "provn", is_flag=True,
              help="Write PROV-N (the human-readable notation) instead of PROV-JSON.")
@statement_filter_options
@pass_settings
def export_prov(settings: Settings, output: str, provn: bool, flt) -> None:
    """Export the provenance graph in W3C PROV (PROV-JSON by default).

    Statements are entities attributed to their original speakers (agents); each
    relay of a chain is a derivation step (wasQuotedFrom for direct quotes); articles
    are entities; denials, contradictions, support and repeats are typed relations.
    docs/export.md maps every claimsdb concept to PROV. Needs the 'prov' package:
    pip install 'claimsdb[prov]'.

    \b
    Examples:
      claimsdb export prov -o provenance.json
      claimsdb export prov --prov-n --article putin-stance-stalls-talks
    """
    from claimsdb.store import outputs

    result = _export_file(settings, "provn" if provn else "prov", output, "statement",
                          flt=flt)
    if not outputs.is_stdout(output):
        echo(f"wrote the provenance of {result.rows} statements to {output}", err=True)


@export.command("claimreview")
@_output_option
@statement_filter_options
@pass_settings
def export_claimreview(settings: Settings, output: str, flt) -> None:
    """Export fact-checkers' verdicts ('reviews:' in article files) as schema.org
    ClaimReview JSON-LD, one object per review, for search engines and fact-check
    aggregators.

    Each gives the claim's words (claimReviewed), its original speaker
    (itemReviewed.author), the article URLs carrying it (its own article and those
    repeating it) and its first appearance, and the verdict (reviewRating
    alternateName). The filters select the reviewed statements (docs/export.md).

    \b
    Examples:
      claimsdb export claimreview -o claimreview.jsonld
      claimsdb export claimreview --topic elections | jq '.["@graph"][].reviewRating'
    """
    from claimsdb.store import outputs

    result = _export_file(settings, "claimreview", output, "review", flt=flt)
    if not outputs.is_stdout(output):
        echo(f"wrote {result.rows} ClaimReview objects to {output}", err=True)


@export.command("datasette-metadata")
@_output_option
@pass_settings
def export_datasette_metadata(settings: Settings, output: str) -> None:
    """Write a Datasette metadata file for this SQLite database (docs/datasette.md).

    It names rows by their key or name, hides claimsdb's internal tables, describes
    the views statement_sources, denials and article_sourcing, and lets the
    statements and statement_sources pages search quotes. Datasette reads SQLite
    files only; for a PostgreSQL database, 'claimsdb copy' it to a file first.

    \b
    Example:
      claimsdb export datasette-metadata -o metadata.json
      datasette claims.db --metadata metadata.json
    """
    from claimsdb.store import outputs

    result = settings.database().export_file("datasette-metadata", output)
    if not outputs.is_stdout(output):
        echo(f"wrote Datasette metadata for database '{result.name}' to {output}", err=True)
