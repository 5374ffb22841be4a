"""The provenance graph in W3C PROV, built with the maintained ``prov`` package.

The mapping of every claimsdb concept is documented in docs/export.md ("PROV"); in
short:

- an actor is a ``prov:Agent`` (``prov:Person`` or ``prov:Organization`` where that
  fits), and a role (Peskov, spokesman of the Kremlin) is ``actedOnBehalfOf``;
- an article is an entity (a ``prov:Collection`` of the reports it prints),
  attributed to its outlet and authors;
- a statement is an entity, the claim itself, attributed to its original speaker;
- each relay of the chain is an entity too (the claim as that link passed it on),
  attributed to the relaying actor and derived from the next link toward the origin:
  ``wasQuotedFrom`` for a direct quote (the words themselves travel), a plain
  ``wasDerivedFrom`` typed ``claimsdb:Relay`` for reported speech (a paraphrase is a
  derivation, not a quotation); the article's own report also ``hadPrimarySource``
  the statement, a shortcut past the relays to the origin;
- denies / contradicts / supports are ``wasInfluencedBy`` typed ``claimsdb:denies``
  and so on; repeats (the same claim again, pointing upstream) is ``wasDerivedFrom``
  typed ``claimsdb:repeats``.

The ``prov`` package builds a document in memory before it serialises it, so unlike
the CSV and JSON exports this one holds the whole (filtered) graph at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

from claimsdb.errors import ClaimsError

if TYPE_CHECKING:
    from prov.model import ProvDocument
    from sqlalchemy import Connection

    from claimsdb.queries import StatementFilter, StatementView

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


def require_prov():
    """The ``prov`` package, or a clear way to get it: it is an optional extra."""
    try:
        import prov.model
    except ImportError:
        raise ClaimsError(
            f"W3C PROV export needs the 'prov' package; install it with: {INSTALL_HINT}"
        ) from None
    return prov.model


class _Builder:
    def __init__(self, conn: Connection):
        model = require_prov()
        self.conn = conn
        self.model = model
        self.doc: ProvDocument = model.ProvDocument()
        self.ns = {prefix: self.doc.add_namespace(prefix, uri)
                   for prefix, uri in NAMESPACES.items()}
        self.statements: set[str] = set()
        self.articles: set[str] = set()
        self.actors: set[str] = set()
        self.relations: list[tuple[str, str, str]] = []

    # -- names -------------------------------------------------------------------------
    def q(self, prefix: str, local: str):
        return self.ns[prefix][local]

    def statement_id(self, article: str, key: str):
        return self.q("statement", f"{article}/{key}")

    def typed(self, name: str):
        return self.q("claimsdb", name)

    def _date(self, iso: str):
        from prov.constants import XSD_DATE, XSD_DATETIME

        return self.model.Literal(iso, XSD_DATE if len(iso) == 10 else XSD_DATETIME)

    # -- statements --------------------------------------------------------------------
    def add_statement(self, view: StatementView) -> None:
        doc = self.doc
        ref = view.ref
        self.statements.add(ref)
        self.articles.add(view.article)
        claim = self.statement_id(view.article, view.key)
        attributes: list[tuple[Any, Any]] = [
            ("prov:type", self.typed("Statement")),
            ("prov:label", ref),
            ("prov:value", view.quote),
            ("claimsdb:kind", view.kind),
            ("claimsdb:ref", ref),
        ]
        if view.stated_on:
            attributes.append(("claimsdb:statedOn", self._date(view.stated_on)))
        for actor in view.about:
            attributes.append(("claimsdb:about", self.q("actor", actor.key)))
            self.actors.add(actor.key)
        doc.entity(claim, attributes)
        if view.speaker is not None:
            self.actors.add(view.speaker.key)
            doc.wasAttributedTo(claim, self.q("actor", view.speaker.key))
        article = self.q("article", view.article)
        if not view.chain:
            # The article's own voice: the printed words are the claim itself.
            doc.hadMember(article, claim)
            return
        derive: Callable[..., Any] = (
            doc.wasQuotedFrom if view.kind == "direct" else self._relay)
        printed = self.q("report", f"{view.article}/{view.key}")
        doc.entity(printed, [("prov:type", self.typed("Report")),
                             ("claimsdb:relayedBy", "outlet" if view.outlet else "article"),
                             ("claimsdb:span", f"{view.span_start}-{view.span_end}")])
        doc.hadMember(article, printed)
        if view.outlet is not None:
            self.actors.add(view.outlet.key)
            doc.wasAttributedTo(printed, self.q("actor", view.outlet.key))
        # Walk the chain nearest first: each link's version comes from the next one.
        newer = printed
        for hop in view.chain:
            self.actors.add(hop.actor.key)
            is_origin = hop.position == len(view.chain) - 1
            if is_origin:
                older = claim
            else:
                older = self.q("report", f"{view.article}/{view.key}/hop-{hop.position}")
                doc.entity(older, [("prov:type", self.typed("Report")),
                                   ("claimsdb:position", hop.position)])
                doc.wasAttributedTo(older, self.q("actor", hop.actor.key))
            attrs = [("claimsdb:cue", hop.cue)] if hop.cue else []
            derive(newer, older, other_attributes=attrs or None)
            newer = older
        doc.hadPrimarySource(printed, claim)

    def _relay(self, newer, older, other_attributes=None):
        attributes = [("prov:type", self.typed("Relay")), *(other_attributes or [])]
        return self.doc.wasDerivedFrom(newer, older, other_attributes=attributes)

    def collect_relations(self, view: StatementView) -> None:
        for related in view.outgoing:
            self.relations.append((view.ref, related.type, related.ref))

    def add_relations(self) -> None:
        """Relations whose both ends are exported (the other end is otherwise unknown
        to the document)."""
        for source, relation, target in self.relations:
            if target not in self.statements:
                continue
            source_id = self.statement_id(*source.split("#", 1))
            target_id = self.statement_id(*target.split("#", 1))
            attributes = [("prov:type", self.typed(relation))]
            if relation == "repeats":
                self.doc.wasDerivedFrom(source_id, target_id, other_attributes=attributes)
            else:
                self.doc.wasInfluencedBy(source_id, target_id, other_attributes=attributes)

    # -- articles and actors --------------------------------------------------------------
    def add_articles(self) -> None:
        from claimsdb import queries
        from claimsdb.models import Article

        keys = sorted(self.articles)
        for start in range(0, len(keys), queries.BATCH):
            chunk = keys[start:start + queries.BATCH]
            authors = queries.article_authors(self.conn, chunk)
            for summary in queries.list_articles(self.conn, where=Article.key.in_(chunk)):
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
                    attributes.append(("claimsdb:published", self._date(summary.published)))
                self.doc.entity(article, attributes)
                if summary.outlet is not None:
                    self.actors.add(summary.outlet.key)
                    self.doc.wasAttributedTo(
                        article, self.q("actor", summary.outlet.key),
                        other_attributes=[("prov:type", self.typed("outlet"))])
                for author in authors.get(summary.key, ()):
                    self.actors.add(author.key)
                    self.doc.wasAttributedTo(
                        article, self.q("actor", author.key),
                        other_attributes=[("prov:type", self.typed("author"))])

    def add_actors(self, everyone: bool) -> None:
        from claimsdb import queries

        keys = set(queries.actor_keys(self.conn)) if everyone else set(self.actors)
        definitions: dict[str, Any] = {}
        pending = sorted(keys)
        while pending:  # role targets too, so every actedOnBehalfOf names a known agent
            found = queries.actor_definitions(self.conn, pending)
            definitions.update(found)
            pending = sorted({r.of for d in found.values() for r in d.roles} - set(definitions))
        for key in sorted(definitions):
            actor = definitions[key]
            attributes: list[tuple[Any, Any]] = []
            prov_type = {"person": "Person", "organization": "Organization",
                         "outlet": "Organization", "government": "Organization"}.get(actor.kind)
            if prov_type:
                attributes.append(("prov:type", self.model.PROV[prov_type]))
            attributes += [
                ("prov:type", self.typed(actor.kind)),
                ("prov:label", actor.name),
                ("claimsdb:identified", actor.identified),
            ]
            attributes += [("claimsdb:alias", alias) for alias in actor.aliases]
            if actor.wikidata:
                attributes.append(("claimsdb:wikidata", self.q("wd", actor.wikidata)))
            if actor.description:
                attributes.append(("claimsdb:description", actor.description))
            self.doc.agent(self.q("actor", key), attributes)
        for key in sorted(definitions):
            for role in definitions[key].roles:
                attributes = [("claimsdb:title", role.title)]
                if role.started_on:
                    attributes.append(("claimsdb:from", self._date(role.started_on.isoformat())))
                if role.ended_on:
                    attributes.append(("claimsdb:to", self._date(role.ended_on.isoformat())))
                self.doc.actedOnBehalfOf(self.q("actor", key), self.q("actor", role.of),
                                         other_attributes=attributes)


def provenance_document(conn: Connection, flt: StatementFilter,
                        on_statement: Callable[[], None] | None = None) -> ProvDocument:
    """The PROV document of the statements a filter selects.

    The whole database exports every actor; a filtered export, the actors its
    statements and articles involve and the actors their roles point at.
    """
    from claimsdb import queries

    builder = _Builder(conn)
    queries.filtered_statement_ids(conn, flt)  # resolve the filter before any work
    for view in queries.iter_statements(conn, flt):
        builder.add_statement(view)
        builder.collect_relations(view)
        if on_statement is not None:
            on_statement()
    builder.add_relations()
    builder.add_articles()
    builder.add_actors(everyone=flt == queries.StatementFilter())
    return builder.doc


def write_prov(doc: ProvDocument, out: TextIO, fmt: str = "json") -> None:
    """PROV-JSON (``json``) or PROV-N (``provn``), as the ``prov`` package writes them."""
    if fmt == "provn":
        out.write(doc.get_provn())
        out.write("\n")
    elif fmt == "json":
        # As a string: the package writes bytes to streams it does not recognise.
        out.write(doc.serialize(format="json", indent=2, ensure_ascii=False))
        out.write("\n")
    else:
        raise ClaimsError(f"unknown PROV format {fmt!r}; use one of {', '.join(FORMATS)}")


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
