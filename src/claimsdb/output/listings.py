"""How each list is written, once, for every front end.

A list command (``claimsdb statements``, ``actors``, ``denials``, ``articles``,
``sources``, ``loops``) and the workbench's CSV and JSON links write the same rows
with the same columns through ``render.emit``: the command line prints them, the web
route sends them. Keeping the choice of columns and row functions here is what makes
the two byte for byte the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, NamedTuple, TextIO

from claimsdb.output import records, render


class Listing(NamedTuple):
    """One list's table columns, CSV columns, row and JSON functions, and what an empty
    table says. (A named tuple, not a frozen dataclass, which costs several times more
    to make when ``claimsdb statements`` starts.)"""

    columns: tuple[render.Column, ...]
    record: Callable[[Any], dict[str, Any]]
    to_json: Callable[[Any], Any]
    csv_columns: tuple[render.Column, ...] | None = None
    empty: str = "nothing matches"

    def write(self, items: Iterable[Any], out: TextIO, *, fmt: str, width: int = 100,
              full: bool = False, formula_guard: bool = True) -> int:
        """``items`` as a table, CSV or JSON to ``out``; the count."""
        columns = self.csv_columns if fmt == "csv" and self.csv_columns else self.columns
        return render.emit(items, out, fmt=fmt, columns=columns, record=self.record,
                           to_json=self.to_json, width=width, full=full,
                           formula_guard=formula_guard, empty=self.empty)


def _named(names: Iterable[str]) -> tuple[render.Column, ...]:
    return tuple(render.Column(name, name) for name in names)


def _statement_list_columns(columns: tuple[str, ...]) -> tuple[str, ...]:
    """The export's columns with ``origin`` where version 1 had it, after ``context``;
    the columns format 1.1 added follow it, so a version-1 reader's columns keep their
    places."""
    after = columns.index("context") + 1
    return (*columns[:after], "origin", *columns[after:])


def statements(*, one_article: bool = False) -> Listing:
    """``claimsdb statements``: without the article column when one article is asked."""
    columns = render.STATEMENT_TABLE
    if one_article:
        columns = tuple(c for c in columns if c.name != "article")
    csv_columns = _named(_statement_list_columns(records.STATEMENT_COLUMNS))
    return Listing(columns, render.statement_row, render.statement_json,
                   csv_columns=csv_columns,
                   empty="no statement matches")


SOURCES = Listing(render.SOURCES_TABLE, render.sources_row, render.sources_json,
                  csv_columns=render.SOURCES_CSV, empty="no statements")


def _actors() -> Listing:
    from claimsdb.output import export

    return Listing(render.ACTOR_TABLE, export.actor_record, export.actor_json,
                   csv_columns=_named(records.ACTOR_COLUMNS), empty="no actors")


def _articles() -> Listing:
    from claimsdb.output import export

    return Listing(render.ARTICLE_TABLE, export.article_record, export.article_json,
                   csv_columns=_named(records.ARTICLE_COLUMNS), empty="no articles")


def _loops() -> Listing:
    from claimsdb.output import trace_render

    return Listing((render.Column("kind", "kind"), render.Column("path", "loop", flex=1),
                    render.Column("statements", "statements", key=True)),
                   trace_render.loop_row, trace_render.loop_json,
                   empty="no circular reporting found")


# Lists whose rows come from the exporter or the claim tracing, made when first asked
# for: ``claimsdb statements`` and ``denials`` (read on the database driver alone,
# ``claimsdb.query.listpath``) must not pay for the exporter's imports (csv, json) nor
# the tracing's (SQLAlchemy).
_MADE_WHEN_ASKED = {"ACTORS": _actors, "ARTICLES": _articles, "LOOPS": _loops}


def __getattr__(name: str) -> Any:
    """``ACTORS``, ``ARTICLES`` and ``LOOPS`` (``_MADE_WHEN_ASKED``), each made once."""
    if name not in _MADE_WHEN_ASKED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    listing = _MADE_WHEN_ASKED[name]()
    globals()[name] = listing
    return listing


def denials(type_: str = "denies") -> Listing:
    """``claimsdb denials --type``: which of denial and dismissal a row is shows in the
    table only when both can occur."""
    columns = render.DENIAL_TABLE if type_ == "denies" else render.REJECTION_TABLE
    return Listing(columns, render.denial_row, render.denial_json,
                   csv_columns=render.DENIAL_CSV,
                   empty="no denials" if type_ == "denies" else "no denials or dismissals")
