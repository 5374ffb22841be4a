"""The ``claimsdb`` command line.

Command modules import only Click at module level; SQLAlchemy, Alembic and YAML
are imported inside the commands, so ``claimsdb --help`` and usage errors stay fast.
A command's module is itself imported only when that command is looked up
(``LazyCommands``): ``claimsdb chain`` does not load the server's, the exporter's or
the drafter's options.
Domain errors (``claimsdb.errors.ClaimsError``) become a message on stderr and exit
code 1; Click's usage errors exit with 2.
"""

from __future__ import annotations

import errno
import functools
import os
import sys
from collections.abc import Iterator, MutableMapping

import click

from claimsdb import __version__
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
        from claimsdb.cli.show import error_text
        from claimsdb.errors import ClaimsError
        from claimsdb.terminal import escape

        try:
            return super().invoke(ctx)
        except ClaimsError as error:
            from claimsdb.config import redact
            from claimsdb.store.outputs import OutputError

            if isinstance(error, OutputError) and error.standard_output:
                _silence_broken_pipe()  # what is left in its buffer cannot be written
            raise click.ClickException(
                redact(error_text(error), ctx.obj.db if ctx.obj else None)) from None
        except click.ClickException as error:
            # usage errors quote arguments, others a file's or a tool's words
            error.message = error_text(error)
            raise
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
            raise click.ClickException(escape(f"cannot write {where}: {error.strerror}")
                                       ) from None
        except Exception as error:
            message = _database_failure(ctx, error)
            if message is None or os.environ.get(DEBUG_ENV) == "1":
                raise
            raise click.ClickException(escape(message)) from None


_STORAGE_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
DEBUG_ENV = "CLAIMSDB_DEBUG"


def _database_failure(ctx: click.Context, error: Exception) -> str | None:
    """One line for a database failure that reached the command line untranslated (a
    read streamed after its command's error handling, a corner no handler knew): the
    driver's complaint, no password, no traceback. ``CLAIMSDB_DEBUG=1`` shows the
    traceback instead. Anything else is a bug and keeps its traceback."""
    exc = sys.modules.get("sqlalchemy.exc")
    if exc is None or not isinstance(error, exc.DBAPIError):
        return None
    from claimsdb.config import redact

    settings = ctx.obj
    engine = settings.opened_engine() if settings is not None else None
    if engine is not None:
        from claimsdb.store.db import describe_database, describe_failure

        described = describe_failure(engine, error)
        if described is not None:
            return redact(described, settings.db)
        where = describe_database(engine)
    else:
        where = "the database"
    lines = str(error.orig).strip().splitlines() or [type(error.orig).__name__]
    return redact(f"database error on {where}: {lines[0]} (set {DEBUG_ENV}=1 to see where "
                  "it happened)", settings.db if settings else None)


def _refuse_undecodable(command: click.Command) -> None:
    """Arguments that are not valid UTF-8 (Python hands them over with each bad byte
    as a lone surrogate) get a usage error naming them, instead of a UnicodeEncodeError
    where a driver or a file meets them. Paths are exempt: a file name is bytes, and
    Python opens a non-UTF-8 one correctly."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _refuse_undecodable(sub)
        return
    callback = command.callback

    @functools.wraps(callback)
    def checked(*args, **kwargs):
        ctx = click.get_current_context()
        for param in ctx.command.params:
            if isinstance(param.type, click.Path):
                continue
            value = ctx.params.get(param.name)
            for item in value if isinstance(value, tuple | list) else (value,):
                if isinstance(item, str) and not _is_utf8(item):
                    shown = item.encode("utf-8", "surrogateescape").decode("ascii",
                                                                           "backslashreplace")
                    raise click.BadParameter(
                        f"argument '{shown}' is not valid UTF-8; claimsdb reads its "
                        "arguments as UTF-8 (check the terminal's or script's encoding)",
                        ctx=ctx, param=param)
        return callback(*args, **kwargs)

    command.callback = checked


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


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


# Each command: the module of claimsdb.cli that defines it (under the command's name).
COMMANDS = {
    "init": "database",
    "seed": "database",
    "add": "database",
    "draft": "drafting",
    "chain": "reading",
    "statements": "reading",
    "actors": "reading",
    "actor": "reading",
    "denials": "reading",
    "articles": "reading",
    "article": "reading",
    "topics": "reading",
    "sources": "reading",
    "trace": "tracing",
    "claims": "tracing",
    "loops": "tracing",
    "export": "exporting",
    "check": "maintenance",
    "backup": "maintenance",
    "copy": "maintenance",
    "serve": "serving",
}


class LazyCommands(MutableMapping):
    """The group's commands by name, each imported from its module when first looked
    up: a command runs after importing its own module alone. Listing the names (usage
    errors' suggestions, ``--help``'s order) imports nothing; ``--help`` then looks
    every command up for its line, as before."""

    def __init__(self, modules: dict[str, str]):
        self._modules = dict(modules)
        self._loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded:
            import importlib

            module = importlib.import_module(f"claimsdb.cli.{self._modules[name]}")
            command = getattr(module, name)
            _refuse_undecodable(command)
            self._loaded[name] = command
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._modules.pop(name, None)
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        if name not in self._modules and name not in self._loaded:
            raise KeyError(name)
        self._modules.pop(name, None)
        self._loaded.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter({**self._modules, **self._loaded})

    def __len__(self) -> int:
        return len(self._modules.keys() | self._loaded.keys())

    def __contains__(self, name: object) -> bool:
        return name in self._modules or name in self._loaded


main.commands = LazyCommands(COMMANDS)
