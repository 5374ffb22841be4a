"""Commands that follow a claim across articles: trace, claims, loops."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from claimsdb.cli.context import Settings, pass_settings
from claimsdb.cli.options import KeyArgumentCommand, output_options, whole_number
from claimsdb.cli.show import echo


@click.command(cls=KeyArgumentCommand)
@click.argument("ref", metavar="ARTICLE#STATEMENT")
@click.option("--format", "fmt", type=click.Choice(["tree", "json", "dot", "mermaid"]),
              default="tree", show_default=True,
              help="tree for reading; json for programs; dot (Graphviz) or mermaid for a "
              "picture.")
@click.option("--svg", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Also draw the graph to this SVG file (needs Graphviz's 'dot').")
@click.option("--max-depth", type=whole_number(1), default=100, show_default=True,
              help="How many repeats links to follow up and down.")
@pass_settings
def trace(settings: Settings, ref: str, fmt: str, svg: Path | None, max_depth: int) -> None:
    """Trace a claim across articles: every statement carrying it (following
    'repeats' links up to its first appearances and down to every relay), the
    independent origins behind it, and the denials, contradictions and supports of
    each, with how long after the first report they came.

    \b
    Examples:
      claimsdb trace putin-stance-stalls-talks#officials-putin-maximalist-demands
      claimsdb trace relay-05-dam#dam-sabotaged --format mermaid
      claimsdb trace vorsk-herald-dam#dam-sabotaged --svg claim.svg
    """
    import json

    from claimsdb.cli.reading import _width
    from claimsdb.output import trace_render

    graph = settings.database().trace(ref, max_depth=max_depth)
    if svg is not None:
        _draw_svg(trace_render.trace_dot(graph), svg, settings.protected_files())
    if fmt == "json":
        click.echo(json.dumps(trace_render.trace_json(graph), ensure_ascii=False, indent=2))
    elif fmt == "dot":
        click.echo(trace_render.trace_dot(graph), nl=False)
    elif fmt == "mermaid":
        click.echo(trace_render.trace_mermaid(graph), nl=False)
    else:
        echo(trace_render.tree_text(graph, width=_width()))


def _draw_svg(dot_source: str, target: Path, protect: tuple[Path, ...]) -> None:
    """Graphviz draws to a pipe; the picture is then written like every other output
    (claimsdb.store.outputs), so a FIFO stays a FIFO and the database is never a target."""
    import shutil  # here, not at the top: 'claimsdb --help' must stay quick
    import subprocess

    from claimsdb.store.outputs import destination, open_output

    destination(target, protect=protect)  # refuse a bad target before drawing
    dot = shutil.which("dot")
    if dot is None:
        raise click.ClickException(
            "Graphviz's 'dot' is not installed, so no SVG was drawn; install graphviz, or "
            "use --format dot and render it elsewhere")
    done = subprocess.run([dot, "-Tsvg"], input=dot_source.encode("utf-8"),
                          capture_output=True, timeout=120, check=False)
    if done.returncode != 0:
        raise click.ClickException(
            f"Graphviz failed: {done.stderr.decode('utf-8', 'replace').strip()}")
    with open_output(target, protect=protect, binary=True) as out:
        out.write(done.stdout)
    echo(f"drew {target}", err=True)


@click.command()
@click.option("--single-source", is_flag=True,
              help="Only claims carried by several articles that all rest on one origin.")
@click.option("--min-origins", type=whole_number(1), metavar="N",
              help="Only claims with at least N independent origins.")
@click.option("--all", "include_single", is_flag=True,
              help="Also claims carried by a single statement.")
@click.option("--article", metavar="KEY", help="Only claims that this article carries.")
@output_options
@pass_settings
def claims(settings: Settings, single_source: bool, min_origins: int | None,
           include_single: bool, article: str | None, output) -> None:
    """List claims (statements joined by 'repeats' links) with how many articles carry
    each and how many independent origins stand behind it: ten articles resting on one
    anonymous source are one origin, flagged single-source.

    \b
    Examples:
      claimsdb claims
      claimsdb claims --single-source
      claimsdb claims --min-origins 2 --format json
    """
    from claimsdb.cli.reading import _emit
    from claimsdb.output import render, trace_render
    from claimsdb.query import tracing

    columns = (
        render.Column("claim", "first appearance", key=True),
        render.Column("articles", "articles", numeric=True),
        render.Column("origins", "origins", numeric=True),
        render.Column("single_source", "single"),
        render.Column("denied", "denied", numeric=True),
        render.Column("origin_names", "origin", flex=1),
        render.Column("quote", "quote", flex=1),
    )
    csv_columns = (*columns, render.Column("statements", "statements"),
                   render.Column("first_published", "first_published"))
    with settings.database().reading() as conn:
        if article is not None:
            from claimsdb.query.queries import require_article

            require_article(conn, article)
        rows = tracing.iter_claims(conn, single_source=single_source, min_origins=min_origins,
                                   include_single=include_single, article=article)
        _emit(output, rows, columns=columns, csv_columns=csv_columns,
              record=trace_render.claim_row, to_json=trace_render.claim_json,
              empty="no claim matches")


@click.command()
@output_options
@pass_settings
def loops(settings: Settings, output) -> None:
    """Find circular reporting: 'repeats' links that form a cycle, chains that come
    back to an actor they passed (A > B > A), and outlets that cite each other for the
    same claim (A cites B, B cites A). Exit code 1 when any is found.

    \b
    Example:
      claimsdb loops
    """
    from claimsdb.cli.reading import _write
    from claimsdb.output import listings

    found = settings.database().loops()
    _write(output, found, listings.LOOPS)
    if found:
        sys.exit(1)
