"""A page's query string as the CLI's statement filters.

The list pages take the same filters as ``claimsdb statements`` under the same names
(``?via=bloomberg&origin=anonymous``), so a URL reads like the command it matches;
``command`` writes that command out, for the page to show.
"""

from __future__ import annotations

import datetime as dt
import shlex
from collections.abc import Mapping

from claimsdb.errors import ClaimsError
from claimsdb.query.queries import StatementFilter

TEXT = ("article", "speaker", "via", "about", "topic", "search")
CHOICES = {"origin": ("named", "role", "anonymous"),
           "kind": ("direct", "indirect", "refusal")}
FLAGS = ("with_members", "denied", "denials", "later_denied")
DATES = ("since", "until")
PAGE_SIZE = 50


class BadQuery(ClaimsError):
    """A query string the page cannot use: 400, with what to change."""


def _flag(params: Mapping[str, str], name: str) -> bool:
    return params.get(name, "") not in ("", "0", "false", "no", "off")


def _date(params: Mapping[str, str], name: str) -> dt.date | None:
    value = params.get(name, "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BadQuery(f"{name}={value!r} is not a date; write it as YYYY-MM-DD") from None


def statement_filter(params: Mapping[str, str]) -> StatementFilter:
    """The filter the parameters ask for (empty ones are ignored, as an empty form
    field sends them); ``BadQuery`` names a value that cannot be used."""
    values: dict[str, object] = {name: params.get(name, "").strip() or None for name in TEXT}
    for name, allowed in CHOICES.items():
        value = params.get(name, "").strip() or None
        if value is not None and value not in allowed:
            raise BadQuery(f"{name}={value!r}: choose one of {', '.join(allowed)}")
        values[name] = value
    for name in FLAGS:
        values[name] = _flag(params, name)
    if values["with_members"] and not values["speaker"]:
        raise BadQuery("with_members needs a speaker")
    for name in DATES:
        values[name] = _date(params, name)
    return StatementFilter(**values)  # type: ignore[arg-type]


def is_empty(flt: StatementFilter) -> bool:
    return flt == StatementFilter()


def page_number(params: Mapping[str, str]) -> int:
    value = params.get("page", "1").strip() or "1"
    if not value.isdigit() or int(value) < 1 or len(value) > 9:
        raise BadQuery(f"page={value!r} is not a page number (1, 2, ...)")
    return int(value)


def arguments(flt: StatementFilter) -> list[str]:
    """The CLI options giving ``flt``, in the order --help lists them."""
    out: list[str] = []
    for name in ("article", "speaker", "with_members", "via", "origin", "kind", "denied",
                 "denials", "about", "topic", "search", "since", "until", "later_denied"):
        value = getattr(flt, name)
        option = "--" + name.replace("_", "-")
        if value is True:
            out.append(option)
        elif value:
            out += [option, str(value)]
    return out


def command(words: list[str]) -> str:
    """A command line as a person would type it, quoted for a POSIX shell."""
    return " ".join(shlex.quote(word) for word in words)


def query_string(params: Mapping[str, str], **changes: object) -> str:
    """The page's own parameters with ``changes`` (None removes one): for paging links
    and the CSV and JSON twins of a filtered list."""
    from urllib.parse import urlencode

    merged = {k: v for k, v in params.items() if v != ""}
    for name, value in changes.items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = str(value)
    return urlencode(merged)
