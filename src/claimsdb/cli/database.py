"""Commands that create a database and put articles into it."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from claimsdb.cli.context import Settings, describe, pass_settings
from claimsdb.cli.options import whole_number
from claimsdb.cli.show import echo, error_text

PROGRESS_THRESHOLD = 10  # files; fewer finish before a bar would be worth drawing
ANALYZE_FILES = 500  # an import this large refreshes PostgreSQL's planner statistics at once


@click.command()
@pass_settings
def init(settings: Settings) -> None:
    """Create the database schema, or upgrade it to this version of claimsdb.

    Safe to run at any time: an up-to-date database is left as it is.

    \b
    Example:
      claimsdb init
      claimsdb --db team.db init
    """
    from claimsdb.store import migrate

    engine = settings.engine(create=True)
    before, after = migrate.upgrade(engine)
    where = describe(engine)
    if before is None:
        echo(f"created the claimsdb schema (version {after}) in {where}")
    elif before == after:
        echo(f"{where} is up to date (schema version {after})")
    else:
        echo(f"upgraded {where} from schema version {before} to {after}")


@click.command()
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@pass_settings
def seed(settings: Settings, quiet: bool) -> None:
    """Import the bundled, annotated seed articles.

    Running it again changes nothing. A new database is initialised first.

    \b
    Example:
      claimsdb seed && claimsdb chain officials-putin-maximalist-demands
    """
    from claimsdb.format.seeds import seed_files

    # Name seeds "seed putin-stance-stalls-talks.yaml", not by their path inside the
    # installed package, which means nothing to the user.
    _import(settings, seed_files(), replace=False, dry_run=False, keep_going=False, quiet=quiet,
            label=lambda source: f"seed {Path(source).name}")


@click.command()
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, allow_dash=True))
@click.option("--replace", is_flag=True,
              help="Overwrite a stored article whose content changed (one transaction; "
              "relations other articles make to its statements are kept).")
@click.option("--update-actors", is_flag=True,
              help="Let the files' actor fields (name, kind, identified, wikidata, "
              "description) overwrite differing stored values, to correct an actor; "
              "the output lists each change. Without it such a difference is an error.")
@click.option("--dry-run", is_flag=True,
              help="Check everything, including references to stored data, and report what "
              "an add would; write nothing (the database is opened read-only; with no "
              "database yet, the files are checked alone and none is created).")
@click.option("--keep-going", is_flag=True,
              help="After a file fails, go on with the next and report every failure "
              "(exit code 1 if any failed).")
@click.option("--batch", type=whole_number(1), default=1, show_default=True,
              metavar="N",
              help="Import N files per transaction, for loading many files quickly. A "
              "file with a problem is still rolled back alone (the files before it are "
              "kept); a database failure loses the whole batch.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@pass_settings
def add(settings: Settings, files: tuple[str, ...], replace: bool, update_actors: bool,
        dry_run: bool, keep_going: bool, batch: int, quiet: bool) -> None:
    """Import article files (YAML or JSON); a folder means the article files in it,
    and - means one article file read from standard input.

    Each file is one transaction (or, with --batch, its own savepoint): a file with
    any problem changes nothing, and every problem in it is listed, those only the
    database can find (unknown actors, conflicting actors, references) included. A
    file whose article is already stored with the same content is reported as
    unchanged. A link whose dates run backwards (a 'repeats' of a later article, a
    denial dated before the claim it denies) is imported with a warning on stderr.

    \b
    Examples:
      claimsdb add kremlin-denies.yaml
      claimsdb add --dry-run drafts/
      claimsdb add --replace kremlin-denies.yaml
      claimsdb add --update-actors corrected-actors.yaml
      claimsdb add --batch 500 archive/2024/
      curl -s https://example.org/a.yaml | claimsdb add -
    """
    from claimsdb.format.articles import read_stream
    from claimsdb.format.seeds import article_files

    if files.count("-") > 1:
        raise click.UsageError("'-' (standard input) can be given only once")
    # Standard input is read here, in order, before any parsing worker starts: it is
    # one stream, which a worker process could not read. Its text_file is relative to
    # the current folder, and must lie inside it.
    items: list = []
    for name in files:
        if name == "-":
            items.append(read_stream(sys.stdin.buffer))
        else:
            items.extend(article_files([Path(name)]))
    _import(settings, items, replace=replace, dry_run=dry_run,
            update_actors=update_actors, keep_going=keep_going, quiet=quiet, batch=batch)


def _import(settings: Settings, files: list[Path], *, replace: bool, dry_run: bool,
            keep_going: bool, quiet: bool, update_actors: bool = False, batch: int = 1,
            label=None) -> None:
    from claimsdb.ingest.prefetch import ParsedFiles

    if not files:
        raise click.ClickException("no article files found (looked for .yaml, .yml, .json)")
    # With --batch, parsing starts first: its workers come up while the database opens.
    parsing = ParsedFiles(files, batch) if batch > 1 else None
    try:
        if dry_run:
            engine, scratch = settings.for_dry_run(quiet=quiet)
        else:
            engine, scratch = settings.for_writing(quiet=quiet), False
        # A scratch database (no database yet) takes the import for real, so later
        # files see earlier ones exactly as in a real add; it vanishes afterwards.
        _import_into(engine, files, parsing, replace=replace,
                     dry_run=dry_run and not scratch, keep_going=keep_going, quiet=quiet,
                     update_actors=update_actors, batch=batch, label=label,
                     shown_as_dry_run=dry_run)
    finally:
        if parsing is not None:
            parsing.close()


def _import_into(engine, files: list[Path], parsing, *, replace: bool, dry_run: bool,
                 keep_going: bool, quiet: bool, update_actors: bool, batch: int,
                 label, shown_as_dry_run: bool = False) -> None:
    import dataclasses

    from claimsdb.errors import ArticleConflict, ArticleError
    from claimsdb.format.articles import read_article
    from claimsdb.ingest.importer import (
        DryRunPlan,
        ImportResult,
        check_broken_file,
        import_spec,
        import_stream,
    )
    from claimsdb.ingest.prefetch import gc_paused

    counts: dict[str, int] = {}
    failures: list[str] = []
    show_bar = not quiet and len(files) >= PROGRESS_THRESHOLD and sys.stderr.isatty()

    plan = DryRunPlan() if dry_run else None  # what earlier files of a dry run would add

    def record(outcome) -> None:
        if isinstance(outcome, ArticleError) and outcome.partial is not None:
            # A file with problems of its own: the checks against the database that
            # those problems leave meaningful are reported with them, in one pass.
            outcome = check_broken_file(engine, outcome, plan)
        if not isinstance(outcome, ImportResult):
            if not keep_going:
                _report_stop(counts, shown_as_dry_run)
                raise outcome
            failures.append(error_text(outcome))
            return
        if shown_as_dry_run:
            outcome = dataclasses.replace(outcome, dry_run=True)
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
        if label is not None:
            outcome = dataclasses.replace(outcome, source=label(outcome.source))
        for warning in outcome.warnings:
            echo(f"Warning: {outcome.source}: {warning.describe()}", err=True)
        if not quiet and not show_bar:
            echo(outcome.describe())

    with click.progressbar(length=len(files), label="importing", file=sys.stderr,
                           hidden=not show_bar) as bar:
        if batch == 1:
            for path in files:
                try:
                    record(import_spec(engine, read_article(path), replace=replace,
                                       dry_run=dry_run, update_actors=update_actors,
                                       plan=plan))
                except (ArticleError, ArticleConflict) as error:
                    record(error)
                bar.update(1)
        else:
            for item in parsing.batches():  # later files parse meanwhile
                if isinstance(item, ArticleError):  # a file that could not be read
                    record(item)
                    bar.update(1)
                    continue
                with gc_paused():  # holding a batch of parsed articles: see prefetch
                    outcomes = import_stream(engine, item, replace=replace, dry_run=dry_run,
                                             update_actors=update_actors,
                                             keep_going=keep_going, plan=plan)
                for outcome in outcomes:
                    record(outcome)
                bar.update(len(outcomes))
    if not dry_run and not shown_as_dry_run and (counts.get("added") or counts.get("replaced")):
        from claimsdb.store.db import update_planner_statistics

        update_planner_statistics(engine, thorough=len(files) >= ANALYZE_FILES)
    if not quiet and (show_bar or len(files) > 1):
        echo(_summary(counts, shown_as_dry_run, len(failures)))
    if failures:
        for message in failures:
            echo(f"Error: {message}", err=True)
        raise click.exceptions.Exit(1)


def _summary(counts: dict[str, int], dry_run: bool, failed: int) -> str:
    parts = [f"{counts.get(s, 0)} {s}" for s in ("added", "replaced", "unchanged")
             if counts.get(s)]
    if failed:
        parts.append(f"{failed} failed")
    prefix = "dry run, nothing written: " if dry_run else ""
    return prefix + (", ".join(parts) if parts else "nothing imported")


def _report_stop(counts: dict[str, int], dry_run: bool) -> None:
    done = sum(counts.values())
    if done and not dry_run:
        echo(f"stopped at a bad file; the {done} file(s) before it were imported "
                   f"({_summary(counts, dry_run, 0)})", err=True)
