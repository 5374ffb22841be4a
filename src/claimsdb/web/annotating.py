"""Annotating in the workbench: a new article from pasted text, a file or a URL
through the drafter; accepting, rejecting and editing its suggestions; statements
made from a selection; saving through ``claimsdb add``'s importer.

Every write is a POST answered with a redirect to the draft's page (the page is
always drawn from the draft on disk, so a reload or a restart shows the same), and
every POST passes the CSRF and read-only guards in ``security`` first. Nothing reaches
the database before Save, and Save writes only a draft with no problems left.
"""

from __future__ import annotations

import io
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from claimsdb.draft import keys
from claimsdb.errors import ArticleConflict, ArticleError, ClaimsError
from claimsdb.format.vocabulary import ActorKind, Identification, RelationType, StatementKind
from claimsdb.web import drafts
from claimsdb.web.pages import render

RELATIONS = [r.value for r in RelationType]
REVIEW_FIELDS = ("by", "rating", "url", "date", "summary")
MAX_UPLOAD = 10 * 1024 * 1024
_ITEM = re.compile(r"\b(?P<what>statement|actor) '(?P<key>[^'#]*)'")


def _workbench(request: Request) -> drafts.Workbench:
    return request.app.state.workbench


def _database(request: Request):
    return request.app.state.database


def _to_draft(key: str, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/annotate/{key}{anchor}", status_code=303)


def new_article(request: Request) -> Response:
    return render(request, "annotate_new.html", drafts=_workbench(request).keys(),
                  problem=None)


async def start(request: Request) -> Response:
    """Draft a new article from the pasted text, the uploaded file or the URL."""
    from claimsdb.api import fetch_document, read_document

    async with request.form(max_part_size=MAX_UPLOAD) as form:
        text = str(form.get("text") or "")
        url = str(form.get("url") or "").strip()
        upload = form.get("file")
        raw = await upload.read() if upload is not None and not isinstance(upload, str) else b""
        name = getattr(upload, "filename", None) or ""
    database = _database(request)
    try:
        if url:  # a web address only: a path here would read the server's files
            document = fetch_document(url, public_only=request.app.state.public_fetch_only)
        elif raw:
            document = read_document("-", stdin=io.BytesIO(raw))
        elif text.strip():
            document = read_document("-", stdin=io.BytesIO(text.encode("utf-8")))
        else:
            raise ClaimsError("nothing to annotate: paste the article's text, choose a "
                              ".txt or .html file, or give its URL")
        key = keys.slug(name.rsplit(".", 1)[0]) if name and not document.title else None
        drafted = database.draft(document, key=key or None)
    except ClaimsError as error:
        return render(request, "annotate_new.html", status=400,
                      drafts=_workbench(request).keys(), problem=str(error))
    workbench = _workbench(request)
    if workbench.exists(drafted.key):
        return render(request, "annotate_new.html", status=409,
                      drafts=workbench.keys(),
                      problem=f"a draft '{drafted.key}' is open already: open it below, "
                      "save or discard it first")
    draft = drafts.from_drafted(drafted.text)
    workbench.save(draft)
    return _to_draft(draft.key)


def edit_stored(request: Request) -> Response:
    """Open a stored article for editing: its export becomes a draft whose Save
    replaces it."""
    key = request.path_params["key"]
    workbench = _workbench(request)
    if not workbench.exists(key):
        out = io.StringIO()
        _database(request).export("article", out, key=key)
        workbench.save(drafts.from_stored(out.getvalue()))
    return _to_draft(key)


def editor(request: Request) -> Response:
    draft = _workbench(request).load(request.path_params["key"])
    return render(request, "annotate.html", draft=draft, **_view(request, draft))


def _view(request: Request, draft: drafts.Draft) -> dict[str, Any]:
    problems = _problems(draft)
    return {
        "origins": origins(draft, _database(request).actor_identifications(
            [key for s in draft.statements if (key := _origin_actor(s))])),
        "pieces": marks(draft.text, draft.statements, [s.statement for s in draft.suggestions]),
        "hops": {str(s.get("key")): hops(s) for s in draft.statements},
        "relations": {str(s.get("key")): relations(s) for s in draft.statements},
        "reviews": {str(s.get("key")): reviews(s) for s in draft.statements},
        "problems": problems,
        "kinds": [k.value for k in StatementKind],
        "relation_types": RELATIONS,
        "actor_kinds": [k.value for k in ActorKind],
        "identifications": [i.value for i in Identification],
    }


def _origin_hop(statement: dict[str, Any]) -> Any:
    """The last hop of the statement's (first) chain: its origin; None for its own
    voice."""
    chain = statement.get("chain")
    if not chain and statement.get("chains"):
        chain = statement["chains"][0]
    return chain[-1] if isinstance(chain, list) and chain else None


def _origin_actor(statement: dict[str, Any]) -> str | None:
    hop = _origin_hop(statement)
    actor = hop.get("actor") if isinstance(hop, dict) else hop
    return str(actor) if actor else None


def origins(draft: drafts.Draft, stored: dict[str, str]) -> dict[str, str]:
    """How each accepted statement is coloured, as the article page colours it: its
    own voice, or its origin's identification where the article cites it (the origin
    hop's own ``identified`` when given, else the actor's as this draft defines it,
    else as stored; an actor not known yet counts as named until Save checks it)."""
    defined = {str(a.get("key")): str(a.get("identified") or Identification.NAMED.value)
               for a in draft.actors}
    found = {}
    for statement in draft.statements:
        hop = _origin_hop(statement)
        if hop is None:
            found[str(statement.get("key"))] = "own"
            continue
        actor = _origin_actor(statement) or ""
        given = hop.get("identified") if isinstance(hop, dict) else None
        found[str(statement.get("key"))] = str(
            given or defined.get(actor) or stored.get(actor) or Identification.NAMED.value)
    return found


def _problems(draft: drafts.Draft) -> dict[str, list[dict[str, Any]]]:
    """The last Save's problems by where the page shows them: ``statement KEY`` or
    ``actor KEY`` when the problem names an item of this draft (in its item, else in
    its message, a statement before an actor), else ``article``."""
    places = ({f"statement {s.get('key')}" for s in draft.statements}
              | {f"actor {a.get('key')}" for a in draft.actors})
    grouped: dict[str, list[dict[str, Any]]] = {}
    for problem in draft.problems:
        named = [f"{m['what']} {m['key']}" for text in (problem.get("item"),
                                                      problem.get("message"))
                 for m in _ITEM.finditer(text or "")]
        named.sort(key=lambda place: not place.startswith("statement"))
        where = next((place for place in named if place in places), "article")
        grouped.setdefault(where, []).append(problem)
    return grouped


def hops(statement: dict[str, Any]) -> list[dict[str, str]]:
    """The statement's chain as rows of actor, cue and mention (a hop written as a
    bare actor key becomes a row with only the actor)."""
    rows = []
    for hop in statement.get("chain") or []:
        if isinstance(hop, str):
            rows.append({"actor": hop, "cue": "", "mention": ""})
        elif isinstance(hop, dict):
            rows.append({name: str(hop.get(name) or "") for name in ("actor", "cue", "mention")})
    return rows


def reviews(statement: dict[str, Any]) -> list[dict[str, str]]:
    """The statement's fact-check verdicts as rows of the review fields."""
    return [{name: str(review.get(name) or "") for name in REVIEW_FIELDS}
            for review in statement.get("reviews") or [] if isinstance(review, dict)]


def relations(statement: dict[str, Any]) -> list[tuple[str, str]]:
    return [(kind, str(target)) for kind in RELATIONS
            for target in statement.get(kind) or []]


def marks(text: str, accepted: list[dict[str, Any]], suggested: list[dict[str, Any]]
          ) -> list[dict[str, Any]]:
    """The article text cut into pieces, each quote of an accepted statement or a
    suggestion marked (the first place the quote occurs; a quote overlapping one
    marked before it stays unmarked)."""
    spans: list[tuple[int, int, str, str]] = []
    for state, statements in (("accepted", accepted), ("suggested", suggested)):
        for statement in statements:
            quote = str(statement.get("quote") or "")
            start = text.find(quote) if quote else -1
            if start < 0:
                continue
            end = start + len(quote)
            if any(start < e and s < end for s, e, _, _ in spans):
                continue
            spans.append((start, end, state, str(statement.get("key"))))
    pieces, at = [], 0
    for start, end, state, key in sorted(spans):
        if start > at:
            pieces.append({"text": text[at:start], "state": None, "key": None})
        pieces.append({"text": text[start:end], "state": state, "key": key})
        at = end
    if at < len(text):
        pieces.append({"text": text[at:], "state": None, "key": None})
    return pieces


def _based_on(request: Request) -> str | None:
    """The draft revision the page that sends this write was drawn from."""
    return request.headers.get(drafts.REVISION_HEADER)


def _changing(request: Request) -> drafts.Draft:
    """The draft a write changes, refused (409) when the page was drawn from an
    older revision of it: another tab changed it meanwhile."""
    draft = _workbench(request).load(request.path_params["key"])
    _workbench(request).check(draft, _based_on(request))
    draft.problems = []  # an edit makes the last Save's problems stale
    return draft


def accept(request: Request) -> Response:
    draft = _changing(request)
    key = request.path_params["statement"]
    draft.accept(key)
    _workbench(request).save(draft)
    return _to_draft(draft.key, f"#statement-{key}")


def reject(request: Request) -> Response:
    draft = _changing(request)
    draft.reject(request.path_params["statement"])
    _workbench(request).save(draft)
    return _to_draft(draft.key)


async def create_statement(request: Request) -> Response:
    """A new statement from the selected words (its quote), with an empty chain (the
    outlet's own voice) until hops are added."""
    draft = _changing(request)
    async with request.form() as form:
        quote = str(form.get("quote") or "").strip()
    if not quote:
        raise ClaimsError("select the statement's words in the text (or type them) first")
    key = keys.unique(keys.slug(quote), draft.used_keys(), fallback="statement")
    draft.statements.append({"key": key, "quote": quote, "chain": []})
    draft.sort()
    _workbench(request).save(draft)
    return _to_draft(draft.key, f"#statement-{key}")


async def update_statement(request: Request) -> Response:
    """The statement's quote, kind, chain (hop by hop), relations, topics, note and
    fact-check verdicts as the form gives them; empty rows are dropped."""
    draft = _changing(request)
    key = request.path_params["statement"]
    statement = draft.statement(key)
    async with request.form() as form:
        quote = str(form.get("quote") or "").strip()
        kind = str(form.get("kind") or "")
        actors, cues, mentions = (form.getlist(n) for n in ("actor", "cue", "mention"))
        types, targets = form.getlist("relation"), form.getlist("target")
        topics = str(form.get("topics") or "")
        verdicts = [form.getlist(f"review_{name}") for name in REVIEW_FIELDS]
        note = str(form.get("note") or "").strip()
    statement["quote"] = quote
    _set(statement, "kind", kind if kind and kind != "indirect" else None)
    if "chains" not in statement:  # several chains are edited in the file, not here
        statement["chain"] = _chain(statement.get("chain") or [], actors, cues, mentions)
    for relation in RELATIONS:
        statement.pop(relation, None)
    for relation, target in zip(types, targets, strict=False):
        if str(target).strip() and relation in RELATIONS:
            statement.setdefault(str(relation), []).append(str(target).strip())
    rows = [{name: str(value).strip() for name, value in zip(REVIEW_FIELDS, row, strict=True)
             if str(value).strip()} for row in zip(*verdicts, strict=False)]
    _set(statement, "reviews", [row for row in rows if row] or None)
    _set(statement, "topics", [t.strip() for t in topics.split(",") if t.strip()] or None)
    _set(statement, "note", note or None)
    draft.sort()
    _workbench(request).save(draft)
    return _to_draft(draft.key, f"#statement-{key}")


def _chain(before: list[Any], actors: list, cues: list, mentions: list) -> list[Any]:
    """The chain the form's rows give. A row for the same actor as the hop it replaces
    keeps that hop's other fields (``identified``, ``cue_occurrence``...), which the
    form does not show, so an edit never drops them."""
    chain = []
    for number, row in enumerate(zip(actors, cues, mentions, strict=False)):
        given = {name: str(value).strip() for name, value in zip(("actor", "cue", "mention"),
                                                                 row, strict=True)}
        if not any(given.values()):
            continue
        old = before[number] if number < len(before) else None
        old = {"actor": old} if isinstance(old, str) else old
        hop = dict(old) if isinstance(old, dict) and old.get("actor") == given["actor"] else {}
        for name, value in given.items():
            _set(hop, name, value or None)
        chain.append({name: hop[name] for name in ("actor", "cue", "mention") if name in hop}
                     | {name: value for name, value in hop.items()
                        if name not in ("actor", "cue", "mention")})
    return chain


def _set(mapping: dict[str, Any], name: str, value: Any) -> None:
    if value is None:
        mapping.pop(name, None)
    else:
        mapping[name] = value


def remove_statement(request: Request) -> Response:
    draft = _changing(request)
    draft.statements.remove(draft.statement(request.path_params["statement"]))
    _workbench(request).save(draft)
    return _to_draft(draft.key)


ARTICLE_FIELDS = ("title", "outlet", "published", "url", "note")


async def update_article(request: Request) -> Response:
    """The article's own fields (title, outlet, published, URL, note); its key and
    text stay as drafted (the key names the draft's files)."""
    draft = _changing(request)
    async with request.form() as form:
        values = {name: str(form.get(name) or "").strip() for name in ARTICLE_FIELDS}
    for name, value in values.items():
        _set(draft.document["article"], name, value or None)
    _workbench(request).save(draft)
    return _to_draft(draft.key)


async def create_actor(request: Request) -> Response:
    """A new actor defined in the article file (key, name, kind, identification)."""
    draft = _changing(request)
    async with request.form() as form:
        values = {n: str(form.get(n) or "").strip()
                  for n in ("key", "name", "kind", "identified")}
    name = values["name"]
    if not name:
        raise ClaimsError("a new actor needs a name")
    taken = {str(a.get("key")) for a in draft.actors}
    key = values["key"] or keys.unique(keys.slug(name), taken, fallback="actor")
    actor = {"key": key, "name": name, "kind": values["kind"] or "person"}
    if values["identified"] and values["identified"] != "named":
        actor["identified"] = values["identified"]
    draft.actors.append(actor)
    _workbench(request).save(draft)
    return _to_draft(draft.key, "#actors")


def save(request: Request) -> Response:
    """Import the draft through ``claimsdb add`` (one transaction; replacing the
    stored article when the draft was opened from it). With problems nothing is
    written: they are kept with the draft and shown beside their items."""
    from claimsdb.format.articles import ArticleBytes

    workbench = _workbench(request)
    draft = workbench.load(request.path_params["key"])
    workbench.check(draft, _based_on(request))
    item = ArticleBytes(source=f"draft '{draft.key}'",
                        raw=draft.article_file().encode("utf-8"),
                        base_dir=workbench.folder)
    try:
        _database(request).add([item], replace=draft.replace)
    except ArticleError as error:
        draft.problems = [{"item": p.item, "field": p.field, "message": p.message}
                          for p in error.problems]
    except ArticleConflict:
        draft.problems = [{"item": "article", "field": "key", "message":
                           f"an article '{draft.key}' is already stored: open it for "
                           "editing from its page, or give this draft another key"}]
    else:
        workbench.discard(draft.key)
        return RedirectResponse(f"/articles/{draft.key}", status_code=303)
    workbench.save(draft)
    return _to_draft(draft.key, "#problems")


def discard(request: Request) -> Response:
    workbench = _workbench(request)
    draft = workbench.load(request.path_params["key"])
    workbench.check(draft, _based_on(request))
    workbench.discard(draft.key, draft.revision)
    return RedirectResponse("/annotate", status_code=303)


def download(request: Request) -> Response:
    """The draft as the article file ``claimsdb add`` would import to the same result."""
    draft = _workbench(request).load(request.path_params["key"])
    return Response(draft.article_file(), media_type="application/yaml; charset=utf-8",
                    headers={"content-disposition":
                             f'attachment; filename="{draft.key}.yaml"'})


def find_statements(request: Request) -> Response:
    """Stored statements whose quote has all the words of ``q`` (the full-text search
    of ``claimsdb statements --search``), for a relation's target: at most 20, each
    with its reference (``ARTICLE#KEY``), quote and original speaker."""
    from claimsdb.api import StatementFilter

    words = request.query_params.get("q", "").strip()
    if len(words) < 3:
        return JSONResponse([])
    with _database(request).stream_statements(StatementFilter(search=words, limit=20)) as rows:
        found = [{"ref": f"{v.article}#{v.key}", "quote": v.quote,
                  "speaker": v.speaker.name if v.speaker else None} for v in rows]
    return JSONResponse(found)


def find_actors(request: Request) -> Response:
    """Stored actors whose key, or a word of whose name or alias, starts with ``q``,
    for a hop's actor field: at most 20, each with its key, name, kind,
    identification and aliases (the page asks as the user types, rather than
    listing every stored actor)."""
    typed = request.query_params.get("q", "").strip()[:200]
    found = _database(request).find_actors(typed) if typed else []
    return JSONResponse([{"key": a.key, "name": a.name, "kind": a.kind,
                          "identified": a.identified, "aliases": list(a.aliases)}
                         for a in found])


ROUTES = [
    Route("/annotate/find/actors.json", find_actors, methods=["GET"]),
    Route("/annotate/find/statements.json", find_statements, methods=["GET"]),
    Route("/annotate", new_article, methods=["GET"]),
    Route("/annotate", start, methods=["POST"]),
    Route("/annotate/{key}", editor, methods=["GET"]),
    Route("/annotate/{key}/article.yaml", download, methods=["GET"]),
    Route("/annotate/{key}/save", save, methods=["POST"]),
    Route("/annotate/{key}/discard", discard, methods=["POST"]),
    Route("/annotate/{key}/actors", create_actor, methods=["POST"]),
    Route("/annotate/{key}/article", update_article, methods=["POST"]),
    Route("/annotate/{key}/statements", create_statement, methods=["POST"]),
    Route("/annotate/{key}/statements/{statement}", update_statement, methods=["POST"]),
    Route("/annotate/{key}/statements/{statement}/remove", remove_statement,
          methods=["POST"]),
    Route("/annotate/{key}/suggestions/{statement}/accept", accept, methods=["POST"]),
    Route("/annotate/{key}/suggestions/{statement}/reject", reject, methods=["POST"]),
    Route("/articles/{key}/edit", edit_stored, methods=["POST"]),
]
