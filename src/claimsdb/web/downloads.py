"""Every list page's CSV and JSON twin: ``/statements.csv?via=bloomberg`` is, byte for
byte, ``claimsdb statements --via bloomberg --format csv``.

The rows come from the same library calls and go through the same writer
(``claimsdb.output.listings``) as the command's, with the command's defaults (the
formula guard on). Lists are written whole, not paged: the page number only chooses
what the HTML page shows.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from claimsdb.output import listings
from claimsdb.web import filtering
from claimsdb.web.pages import denial_options

MEDIA = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}

Rows = Callable[[Request], tuple[AbstractContextManager[Iterable[Any]], listings.Listing]]


def _statements(request: Request):
    flt = filtering.statement_filter(request.query_params)
    return (request.app.state.database.stream_statements(flt),
            listings.statements(one_article=bool(flt.article)))


def _articles(request: Request):
    if not filtering.is_empty(filtering.statement_filter(request.query_params)):
        raise filtering.BadQuery("the article list downloads whole, as 'claimsdb articles' "
                                 "writes it; for a filtered list, download the matching "
                                 "statements (/statements.csv with the same filters)")
    return request.app.state.database.stream_articles(), listings.ARTICLES


def _actors(request: Request):
    params = request.query_params
    return (request.app.state.database.stream_actors(
        kind=params.get("kind") or None, identified=params.get("identified") or None),
        listings.ACTORS)


def _denials(request: Request):
    flt = filtering.statement_filter(request.query_params)
    by, type_ = denial_options(request.query_params)
    return (request.app.state.database.stream_denials(flt, by=by, type=type_),
            listings.denials(type_))


def _sources(request: Request):
    article = request.query_params.get("article") or None
    return nullcontext(request.app.state.database.sources(article=article)), listings.SOURCES


def _loops(request: Request):
    return nullcontext(request.app.state.database.loops()), listings.LOOPS


def download(name: str, rows: Rows, fmt: str):
    def endpoint(request: Request) -> Response:
        opened, listing = rows(request)
        out = io.StringIO()
        with opened as items:
            listing.write(items, out, fmt=fmt)
        headers = {}
        if fmt == "csv":
            headers["content-disposition"] = f'attachment; filename="{name}.csv"'
        return Response(out.getvalue().encode("utf-8"), media_type=MEDIA[fmt],
                        headers=headers)

    return endpoint


LISTS: dict[str, Rows] = {"statements": _statements, "articles": _articles,
                          "actors": _actors, "denials": _denials, "sources": _sources,
                          "loops": _loops}

ROUTES = [Route(f"/{name}.{fmt}", download(name, rows, fmt))
          for name, rows in LISTS.items() for fmt in ("csv", "json")]
