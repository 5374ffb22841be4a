"""Commands that answer questions about what is stored."""

from __future__ import annotations

import sys

import click

from claimsdb.cli.context import Settings, pass_settings
from claimsdb.cli.options import (
    KeyArgumentCommand,
    output_options,
    statement_filter_options,
    whole_number,
)
from claimsdb.cli.show import echo


@click.command(cls=KeyArgumentCommand)
@click.argument("ref", metavar="ARTICLE#STATEMENT")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="text for reading, json for programs (jq).")
@pass_settings
def chain(settings: Settings, ref: str, fmt: str) -> None:
    """Show a statement's attribution chain: who the article cites, whom they cite,
    down to the original speaker, with each hop's reporting words, then what the
    statement denies and what denies it.

    REF is ARTICLE#STATEMENT; a statement key alone works when only one article has it.
    A key that starts with '-' is taken as it is (claimsdb chain -key#statement), here
    and in trace, article, actor and export article.

    \b
    Examples:
      claimsdb chain putin-stance-stalls-talks#officials-putin-maximalist-demands
      claimsdb chain officials-putin-maximalist-demands --format json | jq .chain
    """
    from claimsdb.output import render

    view = settings.database().chain(ref)
    if fmt == "json":
        import json

        click.echo(json.dumps(render.statement_json(view), ensure_ascii=False, indent=2))
    else:
        echo(render.chain_text(view, width=min(_width(), 120)))


def _width() -> int:
    """The terminal's width (or $COLUMNS); 80 when the output is not a terminal, the
    width a pager or a mail keeps. Capped at 160 so text stays readable."""
    return max(min(_terminal_columns(), 160), 40)


def _terminal_columns(fallback: int = 80) -> int:
    """``shutil.get_terminal_size((80, 24)).columns``, as that computes it, without
    importing ``shutil`` (and the compression modules it loads) into every command
    that prints: $COLUMNS when a positive number, else standard output's terminal,
    else ``fallback``."""
    import os

    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    try:
        size = os.get_terminal_size(sys.__stdout__.fileno())
    except (AttributeError, ValueError, OSError):
        return fallback
    return size.columns or fallback


def _emit(output, items, *, columns, record, to_json, csv_columns=None, empty="nothing matches"):
    from claimsdb.output.listings import Listing

    _write(output, items, Listing(tuple(columns), record, to_json,
                                  csv_columns=tuple(csv_columns) if csv_columns else None,
                                  empty=empty))


def _write(output, items, listing) -> None:
    """A list as the options ask (``claimsdb.output.listings``: the workbench's CSV and
    JSON links write the same)."""
    stream = sys.stdout  # CliRunner swaps it, so tests see the output
    listing.write(items, stream, fmt=output.format, width=_width(), full=output.full,
                  formula_guard=output.formula_guard)


@click.command()
@statement_filter_options
@output_options
@pass_settings
def statements(settings: Settings, flt, output) -> None:
    """List statements, filtered: who said it, through whom, how identified, denied or not.

    Filters combine (AND). Actor arguments take a key, a name or an alias.

    \b
    Examples:
      claimsdb statements --via bloomberg --origin anonymous
      claimsdb statements --speaker kremlin --with-members
      claimsdb statements --denied --format json | jq '.[].ref'
      claimsdb statements --search "peacekeeping forces" --format csv
    """
    from claimsdb.output import listings

    with settings.database().stream_statements(flt) as views:
        _write(output, views, listings.statements(one_article=bool(flt.article)))


@click.command()
@click.option("--kind", type=click.Choice(["person", "organization", "outlet", "government",
                                            "group"]), help="Only actors of this kind.")
@click.option("--identified", type=click.Choice(["named", "role", "anonymous"]),
              help="Only actors identified this way.")
@click.option("--limit", type=whole_number(0), metavar="N", help="At most N actors.")
@output_options
@pass_settings
def actors(settings: Settings, kind, identified, limit, output) -> None:
    """List actors with what they did: statements originated and relayed, denials
    issued and received. Most prolific first.

    \b
    Examples:
      claimsdb actors
      claimsdb actors --identified anonymous --format csv
    """
    from claimsdb.output import listings

    # the same rows as 'export --table actors', in CSV and JSON alike
    with settings.database().stream_actors(kind=kind, identified=identified,
                                           limit=limit) as rows:
        _write(output, rows, listings.ACTORS)


@click.command(cls=KeyArgumentCommand)
@click.argument("name", metavar="ACTOR")
@click.option("--limit", type=whole_number(0), metavar="N",
              help="Show at most N statements said and N relayed.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@pass_settings
def actor(settings: Settings, name: str, limit, fmt: str) -> None:
    """Show one actor: kind, identification, aliases, roles, and what it said and relayed.

    ACTOR is a key, a name or an alias (case-insensitive).

    \b
    Examples:
      claimsdb actor peskov
      claimsdb actor "Western officials" --format json
    """
    from claimsdb.output import render

    detail = settings.database().actor(name, limit=limit)
    if fmt == "json":
        import json

        click.echo(json.dumps(render.actor_detail_json(detail), ensure_ascii=False, indent=2))
    else:
        echo(render.actor_text(detail, width=_width()))


@click.command()
@statement_filter_options
@click.option("--by", metavar="ACTOR",
              help="Only denials this actor made (its original speaker: key, name or alias).")
@click.option("--type", "type_", type=click.Choice(["denies", "dismisses", "all"]),
              default="denies", show_default=True,
              help="Factual denials, dismissals (\"speculation and gossip\": rejected "
              "without a factual denial), or both.")
@output_options
@pass_settings
def denials(settings: Settings, flt, by: str | None, type_: str, output) -> None:
    """List denials: who denied, the denial's words, and the denied statement with its
    original speaker and chain. Filters select the denied statements; --by selects
    who denied.

    \b
    Examples:
      claimsdb denials
      claimsdb denials --via bloomberg --format json
      claimsdb denials --by kremlin --type all
    """
    from claimsdb.output import listings

    with settings.database().stream_denials(flt, by=by, type=type_) as views:
        _write(output, views, listings.denials(type_))


@click.command()
@click.option("--limit", type=whole_number(0), metavar="N", help="At most N articles.")
@output_options
@pass_settings
def articles(settings: Settings, limit, output) -> None:
    """List articles, newest first, with statement, anonymous and denied counts.

    \b
    Examples:
      claimsdb articles
      claimsdb articles --format json | jq '.[].key'
    """
    from claimsdb.output import listings

    # the same rows as 'export --table articles', in CSV and JSON alike
    with settings.database().stream_articles(limit=limit) as rows:
        _write(output, rows, listings.ARTICLES)


@click.command()
@click.option("--limit", type=whole_number(0), metavar="N", help="At most N topics.")
@output_options
@pass_settings
def topics(settings: Settings, limit, output) -> None:
    """List the topics statements are tagged with ('topics:' in article files), most
    used first, with how many statements and articles have each.

    Topics are stored normalised: lowercase, words joined by dashes ("Ceasefire
    talks" is ceasefire-talks). 'claimsdb statements --topic TOPIC' lists a topic's
    statements.

    \b
    Examples:
      claimsdb topics
      claimsdb topics --limit 10 --format csv
      claimsdb statements --topic "ceasefire talks"
    """
    from claimsdb.output import render

    _emit(output, settings.database().topics(limit=limit), columns=render.TOPIC_TABLE,
          record=render.topic_row, to_json=render.topic_row, empty="no topics")


@click.command(cls=KeyArgumentCommand)
@click.argument("key")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@pass_settings
def article(settings: Settings, key: str, fmt: str) -> None:
    """Show one article: its metadata, then its text with every annotated statement
    bracketed and numbered (⟦3 … ⟧3), so what was not annotated stands out. The words
    naming a statement's sources are marked ⟨3 … ⟩3, its cues ⌊3 … ⌋3.

    \b
    Example:
      claimsdb article putin-stance-stalls-talks
    """
    from claimsdb.output import render

    detail = settings.database().article(key)
    if fmt == "json":
        import json  # (here: the text view needs no JSON)

        click.echo(json.dumps(render.article_detail_json(detail), ensure_ascii=False, indent=2))
    else:
        echo(render.article_text(detail, width=_width()))


@click.command()
@click.option("--article", metavar="KEY", help="Only this article.")
@click.option("--total-only", is_flag=True, help="Only the whole database's profile.")
@output_options
@pass_settings
def sources(settings: Settings, article: str | None, total_only: bool, output) -> None:
    """Sourcing profile: how many statements rest on named, role-only and anonymous
    origins, how many the outlet asserts itself, average chain length and share of
    direct quotes; per article, then for the whole database ("all").

    \b
    Examples:
      claimsdb sources
      claimsdb sources --article putin-stance-stalls-talks --format json
    """
    from claimsdb.output import listings

    profiles = settings.database().sources(article=article, by_article=not total_only)
    _write(output, profiles, listings.SOURCES)
