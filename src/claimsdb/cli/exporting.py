"""``claimsdb export``: query results out to files and pipes."""

from __future__ import annotations

import sys

import click

from claimsdb.cli.context import Settings, pass_settings


@click.group()
def export() -> None:
    """Write stored data out for spreadsheets and other tools.

    \b
    Example:
      claimsdb export csv --table statements -o statements.csv
    """


@export.command("csv")
@click.option("--table", type=click.Choice(["statements"]), default="statements",
              show_default=True, help="What one row is.")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8", lazy=True), default="-",
              help="File to write; '-' (the default) is standard output.")
@click.option("--article", metavar="KEY", help="Only this article's statements.")
@click.option("--excel", is_flag=True,
              help="Add a byte-order mark and CRLF line ends, so Excel reads UTF-8 correctly.")
@click.option("--no-formula-guard", "formula_guard", flag_value=False, default=True,
              help="Write cells that start with = + - @ tab or CR verbatim. By default they "
              "get a leading apostrophe so a spreadsheet shows them as text instead of "
              "running them as formulas (quotes often start with a dash).")
@pass_settings
def export_csv(settings: Settings, table: str, output, article: str | None, excel: bool,
               formula_guard: bool) -> None:
    """Export as CSV (RFC 4180, UTF-8): one row per statement with its speaker, chain,
    denials and article.

    \b
    Columns (the first nine are a stable contract):
      article, statement, kind, quote, speaker, chain, chain_depth, denies, denied_by,
      speaker_key, speaker_kind, speaker_identified, outlet, cues, contradicts,
      contradicted_by, supports, supported_by, repeats, repeated_by, about, stated_on,
      article_title, published, url, span_start, span_end, context

    \b
    Examples:
      claimsdb export csv --table statements -o statements.csv
      claimsdb export csv --excel -o for-excel.csv
      claimsdb export csv | head
    """
    from claimsdb import export as exporter
    from claimsdb import queries
    from claimsdb.db import read_connection

    engine = settings.for_reading()
    with read_connection(engine) as conn:
        flt = queries.StatementFilter(article=article)
        views = queries.iter_statements(conn, flt)
        to_file = output.name not in ("-", "<stdout>")
        show_bar = to_file and sys.stderr.isatty()
        with click.progressbar(length=queries.count_statements(conn, flt)
                               if show_bar else 0,
                               label="exporting", file=sys.stderr, hidden=not show_bar) as bar:
            count = exporter.write_csv(
                exporter.statement_records(views), output, exporter.STATEMENT_COLUMNS,
                formula_guard=formula_guard, excel=excel,
                on_row=(lambda: bar.update(1)) if show_bar else None,
            )
    if to_file:
        click.echo(f"wrote {count} statement rows to {output.name}", err=True)
