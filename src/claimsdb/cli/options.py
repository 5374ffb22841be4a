"""Options shared by several commands, defined once.

``statement_filter_options`` gives every command that selects statements (listing,
denials, exports) the same filters, turned into one ``queries.StatementFilter``
passed to the command as ``flt``. ``output_options`` gives list commands
``--format table|json|csv`` and friends, passed as ``output`` (an ``OutputOptions``).
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

import click

ORIGINS = ("named", "role", "anonymous")
KINDS = ("direct", "indirect", "refusal")
FORMATS = ("table", "json", "csv")
# The largest whole number both databases store (a signed 64-bit integer). Every
# number option is bounded by it: a larger --limit reached SQLite as an OverflowError.
LARGEST = 2**63 - 1


class WholeNumber(click.IntRange):
    """At least a minimum (shown in --help as before), at most ``LARGEST``."""

    def convert(self, value, param, ctx):
        number = super().convert(value, param, ctx)
        if number > LARGEST:
            self.fail(f"{number} is too large: at most {LARGEST} (the largest number a "
                      "database stores)", param, ctx)
        return number


def whole_number(minimum: int) -> WholeNumber:
    """The type of a number option: at least ``minimum``, at most ``LARGEST``; click
    names the option when a value is outside that."""
    return WholeNumber(min=minimum)


def statement_filter_options(command):
    """Add the statement filters; the command receives them as one ``flt`` argument."""
    options = [
        click.option("--article", metavar="KEY", help="Statements of this article."),
        click.option("--speaker", metavar="ACTOR",
                     help="Whose original speaker (of any of its chains) is this actor "
                     "(key, name or alias)."),
        click.option("--with-members", is_flag=True,
                     help="With --speaker: also actors holding a role at it "
                     "(the Kremlin's spokesman for --speaker kremlin)."),
        click.option("--via", metavar="ACTOR",
                     help="That passed through this actor: anywhere in any chain, or the "
                     "article's outlet."),
        click.option("--origin", type=click.Choice(ORIGINS),
                     help="How the original speaker of at least one of its chains is "
                     "identified where the article cites it (a hop's 'identified', else "
                     "the actor's)."),
        click.option("--kind", type=click.Choice(KINDS),
                     help="Direct quotes, reported speech, or refusals (\"declined to "
                     "comment\")."),
        click.option("--denied", is_flag=True, help="Only statements that something denies."),
        click.option("--denials", is_flag=True, help="Only statements that deny something."),
        click.option("--about", metavar="ACTOR", help="Statements about this actor."),
        click.option("--topic", metavar="TOPIC",
                     help="Statements tagged with this topic (written any way: "
                     "'Ceasefire talks' finds ceasefire-talks)."),
        click.option("--search", metavar="WORDS",
                     help="Quotes containing all these words, stemmed ('hijack' finds "
                     "'hijacked'); word* for a prefix. Any language."),
        click.option("--since", type=click.DateTime(["%Y-%m-%d"]), metavar="DATE",
                     help="Articles published on or after this date (YYYY-MM-DD)."),
        click.option("--until", type=click.DateTime(["%Y-%m-%d"]), metavar="DATE",
                     help="Articles published on or before this date (YYYY-MM-DD)."),
        click.option("--later-denied", is_flag=True,
                     help="Only statements whose claim a later article denies (both dated)."),
        click.option("--limit", type=whole_number(0), metavar="N",
                     help="At most N statements."),
    ]

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from claimsdb.query.filters import StatementFilter

        since, until = kwargs.pop("since"), kwargs.pop("until")
        if kwargs["with_members"] and not kwargs["speaker"]:
            raise click.UsageError("--with-members needs --speaker")
        kwargs["flt"] = StatementFilter(
            article=kwargs.pop("article"), speaker=kwargs.pop("speaker"),
            with_members=kwargs.pop("with_members"), via=kwargs.pop("via"),
            origin=kwargs.pop("origin"), kind=kwargs.pop("kind"),
            denied=kwargs.pop("denied"), denials=kwargs.pop("denials"),
            about=kwargs.pop("about"), search=kwargs.pop("search"),
            since=since.date() if since else None, until=until.date() if until else None,
            later_denied=kwargs.pop("later_denied"), limit=kwargs.pop("limit"),
            topic=kwargs.pop("topic"),
        )
        return command(*args, **kwargs)

    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


class OutputOptions(NamedTuple):
    """How a list command writes its rows (``output_options``). A named tuple rather
    than a frozen dataclass: this module loads on every read command's start-up, and
    making a frozen dataclass costs several times more (its methods are compiled then)."""

    format: str  # table | json | csv
    full: bool  # tables: wrap long text instead of truncating it
    formula_guard: bool  # csv: neutralise spreadsheet formulas


def output_options(command):
    """Add --format/--full/--no-formula-guard; the command receives ``output``."""
    options = [
        click.option("--format", "fmt", type=click.Choice(FORMATS), default="table",
                     show_default=True,
                     help="table for reading; json (one document, stable shape) or csv "
                     "(RFC 4180) for other tools."),
        click.option("--full", is_flag=True,
                     help="Tables: show long text whole (wrapped) instead of truncated."),
        click.option("--no-formula-guard", "formula_guard", flag_value=False, default=True,
                     help="CSV: write cells starting with = + - @ tab or CR verbatim "
                     "(by default they get a leading apostrophe, so spreadsheets show "
                     "text instead of running a formula)."),
    ]

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        kwargs["output"] = OutputOptions(kwargs.pop("fmt"), kwargs.pop("full"),
                                         kwargs.pop("formula_guard"))
        return command(*args, **kwargs)

    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


# -- keys that start with '-' ----------------------------------------------------------------

# A key (or ARTICLE#STATEMENT reference) as the article format allows it: [a-z0-9-]+.
# Compiled when a word starting with '-' first needs it, not on every start-up.
@functools.cache
def _key_like() -> re.Pattern[str]:
    return re.compile(r"-[a-z0-9-]*(#[a-z0-9-]*)?", re.IGNORECASE)


class KeyArgumentCommand(click.Command):
    """A command whose positional key may start with '-', as keys may.

    Click reads any word starting with '-' as an option, so ``claimsdb chain
    -weird-key#s`` failed with "No such option". Before Click parses, a word that is
    not one of the command's options (nor an option's value) and looks like a key is
    moved behind ``--``, where Click takes it as the argument; real options keep
    working wherever they stand. A word that still fails gets a hint to use ``--``.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        original = list(args)
        args = _keys_after_double_dash(self, ctx, args)
        try:
            return super().parse_args(ctx, args)
        except click.NoSuchOption as error:
            # Click names "-s" for "-stray" (short options cluster): hint the word given
            word = next((w for w in original if w.startswith(error.option_name)
                         and _key_like().fullmatch(w)), None)
            if word is None:
                raise
            hint = (f"{error.format_message()} If {word} is a key, put -- before it: "
                    f"{ctx.command_path} -- {word}")
            raise click.UsageError(hint, ctx) from None


def _keys_after_double_dash(command: click.Command, ctx: click.Context,
                            args: list[str]) -> list[str]:
    takes_value: set[str] = set()
    flags: set[str] = set()
    for param in command.get_params(ctx):
        if isinstance(param, click.Option):
            names = [*param.opts, *param.secondary_opts]
            (flags if param.is_flag or param.count else takes_value).update(names)
    slots = sum(p.nargs if p.nargs > 0 else 1_000_000 for p in command.get_params(ctx)
                if isinstance(p, click.Argument))
    options: list[str] = []
    positional: list[tuple[int, str]] = []  # (position, word): keys keep their order
    dashed: list[tuple[int, str]] = []
    index = 0
    while index < len(args):
        word = args[index]
        if word == "--":
            positional += [(i, w) for i, w in enumerate(args[index + 1:], index + 1)]
            break
        if not word.startswith("-") or word == "-":
            positional.append((index, word))
        elif word.split("=", 1)[0] in takes_value:
            options.append(word)
            if "=" not in word and index + 1 < len(args):  # its value, whatever it is
                index += 1
                options.append(args[index])
        elif word in flags:
            options.append(word)
        else:
            # an unknown option, a key, or -oFILE (a short option with its value
            # attached): decided below, once the keys given plainly are counted
            dashed.append((index, word))
        index += 1
    free = slots - len(positional)
    moved: list[tuple[int, str]] = []
    for position, word in dashed:
        # "--word" is more likely a mistyped option than a key, unless it is a reference
        is_key = _key_like().fullmatch(word) is not None and (
            not word.startswith("--") or "#" in word)
        if free > 0 and is_key:
            moved.append((position, word))
            free -= 1
        else:
            options.append(word)
    if not moved:
        return args
    return [*options, "--", *(word for _, word in sorted(positional + moved))]
