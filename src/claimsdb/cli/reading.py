"""Commands that answer questions about what is stored."""

from __future__ import annotations

import click

from claimsdb.cli.context import Settings, pass_settings


@click.command()
@click.argument("ref", metavar="ARTICLE#STATEMENT")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="text for reading, json for programs (jq).")
@pass_settings
def chain(settings: Settings, ref: str, fmt: str) -> None:
    """Show a statement's attribution chain: who the article cites, whom they cite,
    down to the original speaker, with each hop's reporting words, then what the
    statement denies and what denies it.

    REF is ARTICLE#STATEMENT; a statement key alone works when only one article has it.

    \b
    Examples:
      claimsdb chain putin-stance-stalls-talks#officials-putin-maximalist-demands
      claimsdb chain officials-putin-maximalist-demands --format json | jq .chain
    """
    import json
    import shutil

    from claimsdb import queries, render
    from claimsdb.db import read_connection

    engine = settings.for_reading()
    with read_connection(engine) as conn:
        view = queries.statement(conn, ref)
    if fmt == "json":
        click.echo(json.dumps(render.statement_json(view), ensure_ascii=False, indent=2))
    else:
        width = min(shutil.get_terminal_size((100, 24)).columns, 120)
        click.echo(render.chain_text(view, width=width))
