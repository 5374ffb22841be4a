"""Commands that look after a database: integrity checks and backups."""

from __future__ import annotations

from pathlib import Path

import click

from claimsdb.cli.context import Settings, pass_settings


@click.command()
@pass_settings
def check(settings: Settings) -> None:
    """Verify the database's integrity, beyond what its constraints enforce.

    Reports every problem, naming the article and statement (or table): spans that
    no longer select their quote in the stored text, chains with gaps or a repeated
    actor, stored speakers that disagree with the chain, relations to missing
    statements, 'repeats' loops, articles changed outside claimsdb, a schema that
    is not at this claimsdb's version, and storage damage (SQLite integrity_check
    and foreign_key_check, the full-text index; on PostgreSQL, amcheck's B-tree
    checks when the amcheck extension is installed). Reads only; exit code 1 when
    anything is wrong.

    \b
    Examples:
      claimsdb check
      claimsdb --db postgresql+psycopg://localhost/claims check
    """
    from claimsdb.checks import check_database

    report = check_database(settings.engine(create=False))
    click.echo(report.summary())
    if not report.ok:
        count = len(report.findings)
        raise click.ClickException(
            f"{count} integrity problem{'s' if count != 1 else ''} in {report.database} "
            "(listed above)"
        )


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--overwrite", is_flag=True, help="Replace FILE if it exists.")
@pass_settings
def backup(settings: Settings, file: Path, overwrite: bool) -> None:
    """Copy a SQLite database to FILE, consistently, while it is in use.

    Uses SQLite's online backup API: other processes may keep reading and importing
    meanwhile, and FILE holds exactly the articles committed when the backup began,
    each complete. The copy is verified with SQLite's integrity check and is a single
    self-contained file. For PostgreSQL use pg_dump.

    \b
    Examples:
      claimsdb backup claims-2025-04-02.db
      claimsdb --db team.db backup /mnt/backups/team.db --overwrite
    """
    from claimsdb.backup import backup_sqlite

    result = backup_sqlite(settings.engine(create=False), file, overwrite=overwrite)
    click.echo(f"backed up {result.source} to {result.destination} ({result.bytes:,} bytes; "
               f"{result.articles:,} article(s), {result.statements:,} statement(s))")
