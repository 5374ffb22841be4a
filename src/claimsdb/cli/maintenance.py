"""Commands that look after a database: integrity checks, backups and copies."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click

from claimsdb.cli.context import Settings, pass_settings
from claimsdb.cli.show import echo


@click.command()
@click.option("--strict", is_flag=True,
              help="Exit with code 1 on warnings too (links whose dates run backwards), "
              "not only on integrity problems.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, show_default=True,
              metavar="N",
              help="Processes verifying the articles of a large database (500 or more) "
              "while the checking process reads them: 0 for one per CPU, 1 for none "
              "beside the checking process. The report is the same either way.")
@pass_settings
def check(settings: Settings, strict: bool, jobs: int) -> None:
    """Verify the database's integrity, beyond what its constraints enforce.

    Reports every problem, naming the article and statement (or table): spans that
    no longer select their quote in the stored text, chains with gaps or a repeated
    actor, stored speakers that disagree with the chain, relations to missing
    statements, 'repeats' loops, articles changed outside claimsdb, a schema that
    is not at this claimsdb's version, and storage damage (SQLite integrity_check
    and foreign_key_check, the full-text index; on PostgreSQL, amcheck's B-tree
    checks when the amcheck extension is installed). Reads only; exit code 1 when
    anything is wrong.

    Warnings are listed apart ("warning:" lines) and do not change the exit code
    unless --strict: a 'repeats' link to an article published later, or a denial
    dated before the claim it denies. They are usually a wrong date or link, but the
    data may be odd and true, and it is not damage to the database.

    \b
    Examples:
      claimsdb check
      claimsdb check --jobs 1
      claimsdb --db postgresql+psycopg://localhost/claims check
    """
    report = settings.database().check(workers=jobs)
    echo(report.summary())
    if not report.ok:
        count = len(report.findings)
        raise click.ClickException(
            f"{count} integrity problem{'s' if count != 1 else ''} in {report.database} "
            "(listed above)"
        )
    if strict and report.warnings:
        count = len(report.warnings)
        raise click.ClickException(
            f"{count} warning{'s' if count != 1 else ''} in {report.database} (listed "
            "above; --strict fails on warnings)")


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--overwrite", is_flag=True, help="Replace FILE if it exists.")
@pass_settings
def backup(settings: Settings, file: Path, overwrite: bool) -> None:
    """Copy a SQLite database to FILE, consistently, while it is in use.

    Uses SQLite's online backup API: other processes may keep reading and importing
    meanwhile, and FILE holds exactly the articles committed when the backup began,
    each complete. The copy is verified with SQLite's integrity check and is a single
    self-contained file. FILE may be '-' (standard output), a FIFO or a device: the
    finished copy is written through. The database itself is refused. For PostgreSQL
    use pg_dump, or 'claimsdb copy --to FILE.db'.

    \b
    Examples:
      claimsdb backup claims-2025-04-02.db
      claimsdb --db team.db backup /mnt/backups/team.db --overwrite
    """
    from claimsdb.store.outputs import is_stdout

    result = settings.database().backup(file, overwrite=overwrite)
    where = "standard output" if is_stdout(file) else result.destination
    echo(f"backed up {result.source} to {where} ({result.bytes:,} bytes; "
         f"{result.articles:,} article(s), {result.statements:,} statement(s))",
         err=is_stdout(file))  # the copy itself went to standard output


@click.command()
@click.option("--to", "target", required=True, metavar="PATH_OR_URL",
              help="The database to copy into: a SQLite file path or a SQLAlchemy URL. "
              "It must be empty (it is initialised first) or newly initialised.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@pass_settings
def copy(settings: Settings, target: str, quiet: bool) -> None:
    """Copy the whole database (--db) into another one, on either backend: from a
    laptop's SQLite file to the team's PostgreSQL server, or back.

    Everything is copied with the same ids, in one transaction on the target: if
    anything fails, the target is left as it was. The source may be in use; the copy
    is of one moment. A target that already holds claimsdb data is refused (to add
    articles to a database in use, import their files with 'claimsdb add').

    \b
    Examples:
      claimsdb --db claims.db copy --to postgresql+psycopg://me@db.example.org/claims
      claimsdb --db postgresql+psycopg://me@db.example.org/claims copy --to snapshot.db
    """
    show_bar = not quiet and sys.stderr.isatty()
    with contextlib.ExitStack() as stack:
        bar = None

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if bar is None:
                bar = stack.enter_context(click.progressbar(
                    length=total, label="copying", file=sys.stderr))
            bar.update(done - bar.pos)

        result = settings.database().copy_to(target,
                                             on_progress=progress if show_bar else None)
    if not quiet:
        if result.initialised:
            echo(f"initialised a new claimsdb database at {result.target}", err=True)
        echo(result.describe())
