"""Commands that create a database and put articles into it."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from claimsdb.cli.context import Settings, describe, pass_settings
from claimsdb.cli.options import whole_number
from claimsdb.cli.show import echo, error_text

PROGRESS_THRESHOLD = 10  # files; fewer finish before a bar would be worth drawing


@click.command()
@click.option("--recount", is_flag=True,
              help="Also work out again from the stored rows what imports keep: every "
                   "actor's statements and denials ('claimsdb actors') and each article's "
                   "sourcing measures ('claimsdb sources'); what 'claimsdb check' advises "
                   "when they disagree with the rows.")
@pass_settings
def init(settings: Settings, recount: bool) -> None:
    """Create the database schema, or upgrade it to this version of claimsdb.

    Safe to run at any time: an up-to-date database is left as it is.

    \b
    Example:
      claimsdb init
      claimsdb --db team.db init
      claimsdb init --recount
    """
    database = settings.database()
    before, after = database.init()

    where = describe(settings.engine(create=True))
    if before is None:
        echo(f"created the claimsdb schema (version {after}) in {where}")
    elif before == after:
        echo(f"{where} is up to date (schema version {after})")
    else:
        # A schema version alone means nothing to a user: say that the stored data was
        # kept, and what each step brought, in its migration's own words.
        echo(f"upgraded {where} from schema version {before} to {after}, keeping every "
             "stored article, statement and actor as it was:")
        for revision, summary in database.schema_changes(before, after):
            echo(f"  {revision}: {summary}")
    if recount:
        counted = database.recount_actors()
        echo(f"counted the statements and denials of {counted:,} actor(s) again")
        corrected = database.recount_sourcing()
        echo(f"worked out every article's sourcing measures again: {corrected:,} "
             f"{'value' if corrected == 1 else 'values'} corrected")


@click.command()
@click.option("--replace", is_flag=True,
              help="Overwrite a stored seed article that was changed after seeding "
              "(without it, such an article is left as it is and seed stops).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@pass_settings
def seed(settings: Settings, replace: bool, quiet: bool) -> None:
    """Import the bundled, annotated seed articles.

    Running it again changes nothing. A new database is initialised first. A seed
    article stored exactly as an earlier release bundled it is replaced by this
    release's annotation; one that was changed after seeding is left alone unless
    --replace is given.

    \b
    Examples:
      claimsdb seed && claimsdb chain officials-putin-maximalist-demands
      claimsdb seed --replace
    """
    from claimsdb.format.seeds import seed_files
    from claimsdb.ingest.importer import REPLACED

    def explain(outcome) -> str:
        # Unasked, seed replaces only an earlier release's bundled version: say so.
        if outcome.status == REPLACED and not replace:
            return ("; it was stored as an earlier release bundled it (unchanged since), "
                    "and is now this release's annotation")
        return ""

    # Name seeds "seed putin-stance-stalls-talks.yaml", not by their path inside the
    # installed package, which means nothing to the user.
    _import(settings, seed_files(), replace=replace, dry_run=False, keep_going=False,
            quiet=quiet, label=lambda source: f"seed {Path(source).name}", explain=explain,
            run=lambda **options: settings.database().seed(**options))


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

    Files that only define actors (format: claimsdb/actors@1, a team's actor
    registry) are imported first; then each article after the articles of the same
    add that it references, otherwise in the order given (a folder's in name order).
    A cycle of references between files is an error naming them; none is imported.

    Each file is all or nothing (its own savepoint; files share a transaction of at
    most half a second, or --batch N files, and each is reported once that has
    committed): a file with any problem changes nothing, and every problem in it is
    listed, those only the database can find (unknown actors, conflicting actors,
    references) included. A
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
      claimsdb add team-actors.yaml newsroom/
      curl -s https://example.org/a.yaml | claimsdb add -
    """
    from claimsdb.format.articles import read_stream
    from claimsdb.format.seeds import article_files

    if files.count("-") > 1:
        raise click.UsageError("'-' (standard input) can be given only once")
    # Standard input is read here, in order, before any parsing worker starts: it is
    # one stream, which a worker process could not read. Its text_file is relative to
    # the current folder, and must lie inside it. A folder stands for its article files.
    items: list = []
    for name in files:
        if name == "-":
            items.append(read_stream(sys.stdin.buffer))
        else:
            items.extend(article_files([Path(name)]))
    _import(settings, items, replace=replace, dry_run=dry_run,
            update_actors=update_actors, keep_going=keep_going, quiet=quiet, batch=batch)


def _import(settings: Settings, items: list, *, replace: bool, dry_run: bool,
            keep_going: bool, quiet: bool, update_actors: bool = False, batch: int = 1,
            label=None, explain=None, run=None) -> None:
    """Run the import through the library and show it: each file's outcome as it comes
    (or a progress bar on a terminal, for many files), warnings and failures on stderr,
    then the totals. ``run`` is the library call (``Database.add`` of ``items`` unless
    given); ``label`` renames an outcome's source, ``explain`` adds to its line."""
    import dataclasses

    from claimsdb.errors import ArticleConflict, ArticleError

    # claimsdb.ingest.adding (and SQLAlchemy with it) is loaded by the run, once it has
    # started the parsing workers (``Database.add``); imported here, before the run, it
    # held the workers back by the time it takes to load.
    if not items:
        raise click.ClickException("no article files found (looked for .yaml, .yml, .json)")
    show_bar = not quiet and len(items) >= PROGRESS_THRESHOLD and sys.stderr.isatty()
    counts: dict[str, int] = {}
    failures: list[str] = []

    with click.progressbar(length=len(items), label="importing", file=sys.stderr,
                           hidden=not show_bar) as bar:
        def show(outcome) -> None:
            from claimsdb.ingest.adding import DatabaseNotice  # (loaded by the run)

            if isinstance(outcome, DatabaseNotice):
                if not quiet:
                    echo(outcome.message, err=True)
                return
            bar.update(1)
            if isinstance(outcome, ArticleError | ArticleConflict):  # with --keep-going
                failures.append(error_text(outcome))
                return
            counts[outcome.status] = counts.get(outcome.status, 0) + 1
            if label is not None:
                outcome = dataclasses.replace(outcome, source=label(outcome.source))
            for warning in outcome.warnings:
                echo(f"Warning: {outcome.source}: {warning.describe()}", err=True)
            if not quiet and not show_bar:
                echo(outcome.describe() + (explain(outcome) if explain is not None else ""))

        if run is None:
            def run(**options):
                return settings.database().add(items, **options)
        try:
            run(replace=replace, dry_run=dry_run, batch=batch, update_actors=update_actors,
                keep_going=keep_going, on_progress=show)
        except (ArticleError, ArticleConflict):
            from claimsdb.ingest.adding import summary

            done = sum(counts.values())
            if done and not dry_run:
                echo(f"stopped at a bad file; the {done} file(s) before it were imported "
                     f"({summary(counts, dry_run)})", err=True)
            raise
    if not quiet and (show_bar or len(items) > 1):
        from claimsdb.ingest.adding import summary

        echo(summary(counts, dry_run, len(failures)))
    if failures:
        for message in failures:
            echo(f"Error: {message}", err=True)
        raise click.exceptions.Exit(1)
