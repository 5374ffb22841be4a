"""The pages a person reads: lists, an article with its statements marked, a
statement, an actor, a claim's trace. Each route reads its parameters, asks the
library one or two questions and renders one template; every page is a plain link
and reads without JavaScript.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from claimsdb.errors import ClaimsError, DatabaseError, NotFound
from claimsdb.web import filtering, marking, tracegraph
from claimsdb.web.drafts import DraftChanged
from claimsdb.web.filtering import PAGE_SIZE


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    env = request.app.state.templates
    context.update(request=request, read_only=request.app.state.read_only,
                   csrf_token=request.scope.get("state", {}).get("csrf_token", ""),
                   params=dict(request.query_params))
    return HTMLResponse(env.get_template(template).render(context), status_code=status)


def _database(request: Request):
    return request.app.state.database


def _page(items, page: int) -> tuple[list, bool]:
    """Page ``page`` of a stream (one row more is read, to know whether a next page
    exists)."""
    start = (page - 1) * PAGE_SIZE
    rows = list(itertools.islice(items, start, start + PAGE_SIZE + 1))
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def home(request: Request) -> Response:
    return RedirectResponse("/articles", status_code=303)


def articles(request: Request) -> Response:
    params = request.query_params
    flt = filtering.statement_filter(params)
    page = filtering.page_number(params)
    filtered = not filtering.is_empty(flt)
    with _database(request).stream_articles(having=flt if filtered else None) as rows:
        shown, more = _page(rows, page)
    return render(request, "articles.html", rows=shown, page=page, more=more,
                  filtered=filtered, flt=flt,
                  command=filtering.command(["claimsdb", "statements",
                                             *filtering.arguments(flt)]))


def statements(request: Request) -> Response:
    params = request.query_params
    flt = filtering.statement_filter(params)
    page = filtering.page_number(params)
    # The SQL asks for the rows up to this page's and one more, no further: a page of
    # 50 then costs a page of 50, not a first batch of 1,000 statements and their chains.
    upto = replace(flt, limit=page * PAGE_SIZE + 1)
    with _database(request).stream_statements(upto) as views:
        shown, more = _page(views, page)
    return render(request, "statements.html", rows=shown, page=page, more=more, flt=flt,
                  command=filtering.command(["claimsdb", "statements",
                                             *filtering.arguments(flt)]))


def article(request: Request) -> Response:
    # The page shows the whole text, so no statement needs its context sentence.
    detail = _database(request).article(request.path_params["key"], context=False)
    return render(request, "article.html", detail=detail,
                  pieces=marking.pieces(detail.text, detail.statements))


def statement(request: Request) -> Response:
    ref = f"{request.path_params['article']}#{request.path_params['key']}"
    view = _database(request).chain(ref)
    return render(request, "statement.html", view=view)


def actors(request: Request) -> Response:
    params = request.query_params
    kind = params.get("kind") or None
    identified = params.get("identified") or None
    if kind not in (None, "person", "organization", "outlet", "government", "group"):
        raise filtering.BadQuery(f"kind={kind!r}: choose person, organization, outlet, "
                                 "government or group")
    if identified not in (None, "named", "role", "anonymous"):
        raise filtering.BadQuery(f"identified={identified!r}: choose named, role or anonymous")
    page = filtering.page_number(params)
    with _database(request).stream_actors(kind=kind, identified=identified) as rows:
        shown, more = _page(rows, page)
    words = ["claimsdb", "actors"] + (["--kind", kind] if kind else []) + (
        ["--identified", identified] if identified else [])
    return render(request, "actors.html", rows=shown, page=page, more=more,
                  command=filtering.command(words))


def actor(request: Request) -> Response:
    detail = _database(request).actor(request.path_params["key"])
    return render(request, "actor.html", detail=detail)


def trace(request: Request) -> Response:
    ref = f"{request.path_params['article']}#{request.path_params['key']}"
    graph = _database(request).trace(ref)
    reactions: dict[int, list] = {}
    for reaction in graph.reactions:
        reactions.setdefault(reaction.target_id, []).append(reaction)
    ordered = sorted(graph.nodes.values(), key=lambda v: (v.published or "~", v.id))
    return render(request, "trace.html", trace=graph, layout=tracegraph.layout(graph),
                  box=(tracegraph.BOX_WIDTH, tracegraph.BOX_HEIGHT), ordered=ordered,
                  reactions=reactions, asked=graph.nodes[graph.asked],
                  first=graph.first_appearance)


def sources(request: Request) -> Response:
    article_key = request.query_params.get("article") or None
    profiles = _database(request).sources(article=article_key)
    words = ["claimsdb", "sources"] + (["--article", article_key] if article_key else [])
    return render(request, "sources.html", rows=profiles, command=filtering.command(words))


def denials(request: Request) -> Response:
    params = request.query_params
    flt = filtering.statement_filter(params)
    by, type_ = denial_options(params)
    page = filtering.page_number(params)
    with _database(request).stream_denials(flt, by=by, type=type_) as views:
        shown, more = _page(views, page)
    words = ["claimsdb", "denials", *filtering.arguments(flt)] + (
        ["--by", by] if by else []) + (["--type", type_] if type_ != "denies" else [])
    return render(request, "denials.html", rows=shown, page=page, more=more, type=type_,
                  command=filtering.command(words))


def denial_options(params) -> tuple[str | None, str]:
    by = params.get("by", "").strip() or None
    type_ = params.get("type", "").strip() or "denies"
    if type_ not in ("denies", "dismisses", "all"):
        raise filtering.BadQuery(f"type={type_!r}: choose denies, dismisses or all")
    return by, type_


def loops(request: Request) -> Response:
    found = _database(request).loops()
    return render(request, "loops.html", rows=found, command="claimsdb loops")


async def problem(request: Request, error: Exception) -> Response:
    """A domain error as a page: 404 for what does not exist, 409 for a write based
    on a draft another tab has changed since, 400 for a request the library refused
    (with its message, which says what to change)."""
    if isinstance(error, HTTPException):
        return render(request, "problem.html", status=error.status_code,
                      title=str(error.status_code), message=error.detail)
    if isinstance(error, DatabaseError):
        status, title = 503, "The database did not answer"
    elif isinstance(error, NotFound):
        status, title = 404, "Not found"
    elif isinstance(error, DraftChanged):
        status, title = 409, "The draft changed meanwhile"
    else:
        status, title = 400, "Cannot show that"
    return render(request, "problem.html", status=status, title=title, message=str(error))


EXCEPTION_HANDLERS = {ClaimsError: problem, HTTPException: problem}

ROUTES = [
    Route("/", home),
    Route("/articles", articles),
    Route("/articles/{key}", article),
    Route("/statements", statements),
    Route("/statements/{article}/{key}", statement),
    Route("/actors", actors),
    Route("/actors/{key}", actor),
    Route("/trace/{article}/{key}", trace),
    Route("/sources", sources),
    Route("/denials", denials),
    Route("/loops", loops),
]
