"""The ``claimsdb`` command line.

Command modules import only Click at module level; SQLAlchemy, Alembic and YAML
are imported inside the commands, so ``claimsdb --help`` and usage errors stay fast.
Domain errors (``claimsdb.errors.ClaimsError``) become a message on stderr and exit
code 1; Click's usage errors exit with 2.
"""

from __future__ import annotations

import errno
import os
import sys

import click

from claimsdb import __version__
from claimsdb.cli import database, exporting, maintenance, reading, tracing
from claimsdb.cli.context import Settings

EPILOG = """\b
Examples:
  claimsdb init && claimsdb seed
  claimsdb chain putin-stance-stalls-talks#officials-putin-maximalist-demands
  claimsdb add my-article.yaml
  claimsdb export csv --table statements -o statements.csv
  claimsdb --db postgresql+psycopg://user@host/claims seed
"""


class ClaimsGroup(click.Group):
    """Turns domain errors into clean messages and keeps piping quiet."""

    def invoke(self, ctx: click.Context):
        from claimsdb.errors import ClaimsError

        try:
            return super().invoke(ctx)
        except ClaimsError as error:
            from claimsdb.outputs import OutputError

            if isinstance(error, OutputError) and error.standard_output:
                _silence_broken_pipe()  # what is left in its buffer cannot be written
            raise click.ClickException(str(error)) from None
        except BrokenPipeError:
            _silence_broken_pipe()
            ctx.exit(0)
        except OSError as error:
            if error.errno not in _STORAGE_FULL:
                raise
            # A full disk under standard output (click.echo of a large result): one
            # line, not a traceback.
            _silence_broken_pipe()
            where = error.filename or "standard output"
            raise click.ClickException(f"cannot write {where}: {error.strerror}") from None


_STORAGE_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def _silence_broken_pipe() -> None:
    """The reader went away (``| head``): stop quietly, as Unix tools do."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:  # pragma: no cover - stdout without a file descriptor
        pass


@click.group(
    name="claimsdb",
    cls=ClaimsGroup,
    epilog=EPILOG,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--db",
    envvar="CLAIMSDB_DB",
    metavar="PATH_OR_URL",
    help="Database: a SQLite file path, or a SQLAlchemy URL such as "
    "postgresql+psycopg://user@host/dbname. Also $CLAIMSDB_DB. Default: ./claims.db",
)
@click.version_option(__version__, "--version", "-V", prog_name="claimsdb")
@click.pass_context
def main(ctx: click.Context, db: str | None) -> None:
    """Record who claims what in news articles, through whom, and who denies it."""
    ctx.obj = Settings(db=db)


for command in (
    database.init,
    database.seed,
    database.add,
    reading.chain,
    reading.statements,
    reading.actors,
    reading.actor,
    reading.denials,
    reading.articles,
    reading.article,
    reading.sources,
    tracing.trace,
    tracing.claims,
    tracing.loops,
    exporting.export,
    maintenance.check,
    maintenance.backup,
    maintenance.copy,
):
    main.add_command(command)
