"""Options shared by several commands, defined once.

``statement_filter_options`` gives every command that selects statements (listing,
denials, exports) the same filters, turned into one ``queries.StatementFilter``
passed to the command as ``flt``. ``output_options`` gives list commands
``--format table|json|csv`` and friends, passed as ``output`` (an ``OutputOptions``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import click

ORIGINS = ("named", "role", "anonymous")
KINDS = ("direct", "indirect")
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
                     help="Whose original speaker is this actor (key, name or alias)."),
        click.option("--with-members", is_flag=True,
                     help="With --speaker: also actors holding a role at it "
                     "(the Kremlin's spokesman for --speaker kremlin)."),
        click.option("--via", metavar="ACTOR",
                     help="That passed through this actor: anywhere in the chain, or the "
                     "article's outlet."),
        click.option("--origin", type=click.Choice(ORIGINS),
                     help="How the original speaker is identified."),
        click.option("--kind", type=click.Choice(KINDS), help="Direct quotes or reported speech."),
        click.option("--denied", is_flag=True, help="Only statements that something denies."),
        click.option("--denials", is_flag=True, help="Only statements that deny something."),
        click.option("--about", metavar="ACTOR", help="Statements about this actor."),
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
        from claimsdb.queries import StatementFilter

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
        )
        return command(*args, **kwargs)

    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


@dataclass(frozen=True)
class OutputOptions:
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
