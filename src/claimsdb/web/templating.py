"""The Jinja2 environment every page renders with.

Text in claimsdb comes from anywhere, so nothing reaches a page unescaped: autoescape
is on for every template, and every value printed passes ``terminal.escape`` first
(``finalize``), so control characters and bidirectional overrides show as visible
escapes (``\\u202e``) instead of reordering the page, as on the terminal. Links to
the outside go through ``outside_url``: only http and https are ever linked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup
from markupsafe import escape as escape_html

from claimsdb.terminal import escape
from claimsdb.web import fragments
from claimsdb.web.filtering import query_string
from claimsdb.web.fragments import path_part as path_part
from claimsdb.web.fragments import statement_path as statement_path
from claimsdb.web.fragments import trace_path as trace_path
from claimsdb.web.marking import origin_class

TEMPLATES = Path(__file__).parent / "templates"


def _finalize(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and not isinstance(value, jinja2.utils.markupsafe.Markup):
        return escape(value)
    return value


def field_value(value: Any) -> Markup:
    """A value for a form field, HTML-escaped but otherwise exact: what is shown in an
    input is what the form sends back, so an edit never turns a character into its
    visible escape (``\\u202e``) in the saved text. Inside a field it cannot reorder
    the page."""
    return escape_html("" if value is None else str(value))


def outside_url(url: str | None) -> str | None:
    """``url`` if it is a web address a browser may follow, else None (no
    ``javascript:`` or ``data:`` link can come from an article file)."""
    if not url:
        return None
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None


def when(value: str | None) -> str:
    """A stored date or date-time for a page: ``2025-05-01 08:00`` (UTC offset and
    seconds left to the CSV and JSON), ``undated`` when there is none."""
    if not value:
        return "undated"
    return value.replace("T", " ")[:16]


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(outside_url=outside_url, path=path_part, when=when, field=field_value)
    env.globals.update(statement_path=statement_path, trace_path=trace_path,
                       origin_class=origin_class, with_params=query_string,
                       actor_link=fragments.actor_link,
                       statement_link=fragments.statement_link,
                       statement_link_ref=fragments.statement_link_ref,
                       origin_badge=fragments.origin_badge,
                       chains=fragments.chains, relations=fragments.relations,
                       marked_text=fragments.marked_text)
    return env
