"""The provenance graph in W3C PROV, built with the maintained ``prov`` package.

The mapping of every claimsdb concept is documented in docs/export.md ("W3C PROV");
in short:

- an actor is a ``prov:Agent`` (also ``prov:Person`` or ``prov:Organization`` where
  that fits), and a role (Peskov, spokesman of the Kremlin) is ``actedOnBehalfOf``;
- an article is an entity, a ``prov:Collection`` of the passages it prints,
  attributed to its outlet and authors;
- a statement is an entity, the claim itself, attributed to its original speaker;
- the passage the article prints, and the claim as each relay passed it on, are
  report entities, each derived from the next link toward the origin:
  ``wasQuotedFrom`` for a direct quote (the words themselves travel), a plain
  ``wasDerivedFrom`` typed ``claimsdb:Relay`` for reported speech (a paraphrase is a
  derivation, not a quotation); the printed passage also ``hadPrimarySource`` the
  statement, a shortcut past the relays to the origin;
- denies / contradicts / supports are ``wasInfluencedBy`` typed ``claimsdb:denies``
  and so on; repeats (the same claim again, pointing upstream) is ``wasDerivedFrom``
  typed ``claimsdb:repeats``.

Memory: the ``prov`` package serialises a whole document held in memory (about
20 KB per statement). So the graph is built in pieces of a few hundred statements,
each a small ``ProvDocument``; every record is still encoded by the package, and the
pieces are written one after another as one PROV-N document, or, for PROV-JSON, with
each record section spooled to a temporary file and the sections joined at the end.
An export of any size thus needs the memory of one piece (plus disk for the spool).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TextIO

from claimsdb.errors import ClaimsError

if TYPE_CHECKING:
    from prov.model import ProvDocument
    from sqlalchemy import Connection

    from claimsdb.queries import (
        ActorDefinition,
        ActorRef,
        ArticleSummary,
        RelationRow,
        StatementFilter,
        StatementView,
    )

NAMESPACES = {
    "claimsdb": "urn:claimsdb:ns#",  # claimsdb's own types and attributes
    "actor": "urn:claimsdb:actor:",
    "article": "urn:claimsdb:article:",
    "statement": "urn:claimsdb:statement:",
    "report": "urn:claimsdb:report:",
    "wd": "http://www.wikidata.org/entity/",
}
INSTALL_HINT = "pip install 'claimsdb[prov]'"
FORMATS = ("json", "provn")
PIECE = 500  # statements (or relations, articles, actors) per piece


def require_prov():
    """The ``prov`` package, or a clear way to get it: it is an optional extra."""
    try:
        import prov.model
    except ImportError:
        raise ClaimsError(
            f"W3C PROV export needs the 'prov' package; install it with: {INSTALL_HINT}"
        ) from None
    return prov.model


class _Piece:
    """One small PROV document, and how each claimsdb concept becomes its records."""

    def __init__(self, model):
        self.model = model
        self.doc: ProvDocument = model.ProvDocument()
        self.ns = {prefix: self.doc.add_namespace(prefix, uri)
                   for prefix, uri in NAMESPACES.items()}

    def q(self, prefix: str, local: str):
        return self.ns[prefix][local]

    def typed(self, name: str):
        return self.q("claimsdb", name)

    def statement_id(self, ref: str):
        return self.q("statement", ref.replace("#", "/", 1))

    def date(self, iso: str):
        from prov.constants import XSD_DATE, XSD_DATETIME

        return self.model.Literal(iso, XSD_DATE if len(iso) == 10 else XSD_DATETIME)

    # -- statements and their chains ------------------------------------------------------
    def statement(self, view: StatementView) -> None:
        doc = self.doc
        claim = self.statement_id(view.ref)
        attributes: list[tuple[Any, Any]] = [
            ("prov:type", self.typed("Statement")),
            ("prov:label", view.ref),
            ("prov:value", view.quote),
            ("claimsdb:ref", view.ref),
            ("claimsdb:kind", view.kind),
        ]
        if view.stated_on:
            attributes.append(("claimsdb:statedOn", self.date(view.stated_on)))
        attributes += [("claimsdb:about", self.q("actor", a.key)) for a in view.about]
        doc.entity(claim, attributes)
        if view.speaker is not None:
            doc.wasAttributedTo(claim, self.q("actor", view.speaker.key))
        article = self.q("article", view.article)
        if not view.chain:
            # The article's own voice: the printed words are the claim itself.
            doc.hadMember(article, claim)
            return
        printed = self.q("report", view.ref.replace("#", "/", 1))
        doc.entity(printed, [("prov:type", self.typed("Report")),
                             ("claimsdb:span", f"{view.span_start}-{view.span_end}")])
        doc.hadMember(article, printed)
        if view.outlet is not None:
            doc.wasAttributedTo(printed, self.q("actor", view.outlet.key))
        derive: Callable[..., Any] = doc.wasQuotedFrom if view.kind == "direct" else self._relay
        newer = printed
        for hop in view.chain:  # nearest first: each link's version comes from the next
            if hop.position == len(view.chain) - 1:
                older = claim
            else:
                older = self.q("report", f"{view.article}/{view.key}/hop-{hop.position}")
                doc.entity(older, [("prov:type", self.typed("Report")),
                                   ("claimsdb:position", hop.position)])
                doc.wasAttributedTo(older, self.q("actor", hop.actor.key))
            derive(newer, older,
                   other_attributes=[("claimsdb:cue", hop.cue)] if hop.cue else None)
            newer = older
        doc.hadPrimarySource(printed, claim)

    def _relay(self, newer, older, other_attributes=None):
        attributes = [("prov:type", self.typed("Relay")), *(other_attributes or [])]
        return self.doc.wasDerivedFrom(newer, older, other_attributes=attributes)

    # -- relations, articles, actors ---------------------------------------------------------
    def relation(self, row: RelationRow) -> None:
        source, target = self.statement_id(row.source.ref), self.statement_id(row.target.ref)
        attributes = [("prov:type", self.typed(row.type))]
        if row.type == "repeats":
            self.doc.wasDerivedFrom(source, target, other_attributes=attributes)
        else:
            self.doc.wasInfluencedBy(source, target, other_attributes=attributes)

    def article(self, summary: ArticleSummary, authors: Iterable[ActorRef]) -> None:
        article = self.q("article", summary.key)
        attributes: list[tuple[Any, Any]] = [
            ("prov:type", self.typed("Article")),
            ("prov:type", self.model.PROV["Collection"]),
            ("prov:label", summary.title),
            ("claimsdb:language", summary.language),
        ]
        if summary.url:
            attributes.append(("claimsdb:url", summary.url))
        if summary.published:
            attributes.append(("claimsdb:published", self.date(summary.published)))
        self.doc.entity(article, attributes)
        if summary.outlet is not None:
            self.doc.wasAttributedTo(article, self.q("actor", summary.outlet.key),
                                     other_attributes=[("prov:type", self.typed("outlet"))])
        for author in authors:
            self.doc.wasAttributedTo(article, self.q("actor", author.key),
                                     other_attributes=[("prov:type", self.typed("author"))])

    def actor(self, actor: ActorDefinition) -> None:
        agent = self.q("actor", actor.key)
        attributes: list[tuple[Any, Any]] = []
        prov_type = {"person": "Person", "organization": "Organization",
                     "outlet": "Organization", "government": "Organization"}.get(actor.kind)
        if prov_type:
            attributes.append(("prov:type", self.model.PROV[prov_type]))
        attributes += [
            ("prov:type", self.typed(actor.kind)),
            ("prov:label", actor.name),
            ("claimsdb:identified", actor.identified),
            *(("claimsdb:alias", alias) for alias in actor.aliases),
        ]
        if actor.wikidata:
            attributes.append(("claimsdb:wikidata", self.q("wd", actor.wikidata)))
        if actor.description:
            attributes.append(("claimsdb:description", actor.description))
        self.doc.agent(agent, attributes)
        for role in actor.roles:
            role_attributes: list[tuple[Any, Any]] = [("claimsdb:title", role.title)]
            if role.started_on:
                role_attributes.append(("claimsdb:from", self.date(role.started_on.isoformat())))
            if role.ended_on:
                role_attributes.append(("claimsdb:to", self.date(role.ended_on.isoformat())))
            self.doc.actedOnBehalfOf(agent, self.q("actor", role.of),
                                     other_attributes=role_attributes)


def _batched(items: Iterable[Any], size: int = PIECE) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def iter_provenance(conn: Connection, flt: StatementFilter,
                    on_statement: Callable[[], None] | None = None
                    ) -> Iterator[ProvDocument]:
    """The PROV graph of the statements a filter selects, as small documents whose
    union is the whole graph.

    In turn: the statements (with their reports and chains), the relations between
    two exported statements (one whose other end is not exported would name an
    entity the document does not describe), the articles holding them, and the
    actors: every actor for the whole database; for a filtered export, those its
    statements and articles involve, plus whom their roles point at.
    """
    from claimsdb import queries
    from claimsdb.models import Article

    model = require_prov()
    queries.filtered_statement_ids(conn, flt)  # resolve the filter before any work
    for chunk in _batched(queries.iter_statements(conn, flt)):
        piece = _Piece(model)
        for view in chunk:
            piece.statement(view)
            if on_statement is not None:
                on_statement()
        yield piece.doc
    for chunk in _batched(queries.iter_relations(conn, flt, both_ends=True)):
        piece = _Piece(model)
        for row in chunk:
            piece.relation(row)
        yield piece.doc
    ids = queries.involved_article_ids(conn, flt)
    articles = queries.list_articles(conn, where=Article.id.in_(ids) if ids is not None
                                     else None)
    for chunk in _batched(articles):
        piece = _Piece(model)
        authors = queries.article_authors(conn, [s.key for s in chunk])
        for summary in chunk:
            piece.article(summary, authors.get(summary.key, ()))
        yield piece.doc
    everyone = queries.selected_statement_ids(conn, flt) is None
    keys = queries.actor_keys(conn, None if everyone else queries.involved_actor_ids(conn, flt))
    done: set[str] = set()
    while keys:  # role targets too, so every actedOnBehalfOf names a described agent
        targets: set[str] = set()
        for chunk in _batched(keys):
            piece = _Piece(model)
            for definition in queries.actor_definitions(conn, chunk).values():
                piece.actor(definition)
                targets.update(role.of for role in definition.roles)
            done.update(chunk)
            yield piece.doc
        keys = sorted(targets - done)


def provenance_document(conn: Connection, flt: StatementFilter) -> ProvDocument:
    """The whole PROV graph as one ``ProvDocument``: the Python API for small
    exports (the command streams pieces instead)."""
    model = require_prov()
    document = model.ProvDocument()
    for prefix, uri in NAMESPACES.items():
        document.add_namespace(prefix, uri)
    for piece in iter_provenance(conn, flt):
        document.update(piece)
    return document


def write_prov(pieces: ProvDocument | Iterable[ProvDocument], out: TextIO,
               fmt: str = "json") -> int:
    """Write PROV-JSON (``json``) or PROV-N (``provn``); returns the statement count.

    ``pieces`` is one document or several (``iter_provenance``) written as one.
    """
    if fmt not in FORMATS:
        raise ClaimsError(f"unknown PROV format {fmt!r}; use one of {', '.join(FORMATS)}")
    model = require_prov()
    if isinstance(pieces, model.ProvDocument):
        pieces = [pieces]
    return (_write_provn if fmt == "provn" else _write_json)(pieces, out)


def _count_statements(doc: ProvDocument) -> int:
    return len(statements_in(doc))


def _write_provn(pieces: Iterable[ProvDocument], out: TextIO) -> int:
    model = require_prov()
    empty = model.ProvDocument()
    for prefix, uri in NAMESPACES.items():
        empty.add_namespace(prefix, uri)
    # The package's own header (document, prefixes), then each record as it writes it.
    header = empty.get_provn().rsplit("endDocument", 1)[0].rstrip()
    out.write(header + "\n")
    statements = 0
    for piece in pieces:
        statements += _count_statements(piece)
        for record in piece.get_records():
            out.write("  " + record.get_provn() + "\n")
    out.write("endDocument\n")
    return statements


def _write_json(pieces: Iterable[ProvDocument], out: TextIO) -> int:
    """PROV-JSON groups records by kind (all entities, then all agents, ...), so each
    kind is spooled to a temporary file while pieces arrive, then the spools are
    joined into one document."""
    statements = 0
    prefixes: dict[str, str] = {}
    blank = itertools.count(1)
    with contextlib.ExitStack() as stack:
        spools: dict[str, TextIO] = {}
        for piece in pieces:
            statements += _count_statements(piece)
            encoded = json.loads(piece.serialize(format="json"))
            prefixes.update(encoded.pop("prefix", {}))
            for kind, records in encoded.items():
                if kind not in spools:
                    spools[kind] = stack.enter_context(
                        tempfile.TemporaryFile("w+", encoding="utf-8"))
                for identifier, attributes in records.items():
                    # Relations have blank ids (_:id1, ...) numbered per piece: renumber.
                    name = f"_:id{next(blank)}" if identifier.startswith("_:") else identifier
                    spools[kind].write(_dumps(name) + ": " + _dumps(attributes) + "\n")
        out.write("{\n")
        for kind, spool in spools.items():
            out.write(f"  {_dumps(kind)}: {{\n")
            spool.seek(0)
            for index, line in enumerate(spool):
                out.write(("" if index == 0 else ",\n") + "    " + line.rstrip("\n"))
            out.write("\n  },\n")
        out.write(f'  "prefix": {_dumps(prefixes or NAMESPACES)}\n}}\n')
    return statements


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def statements_in(doc: ProvDocument) -> list[Any]:
    """The statement entities of a PROV document (written by claimsdb or read back)."""
    statement_type = f"{NAMESPACES['claimsdb']}Statement"
    return [
        record for record in doc.get_records(require_prov().ProvEntity)
        if any(str(getattr(t, "uri", t)) == statement_type
               for t in record.get_attribute("prov:type"))
    ]


def agents_in(doc: ProvDocument) -> list[Any]:
    return list(doc.get_records(require_prov().ProvAgent))
