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
- denies / contradicts / supports / confirms / dismisses / retracts / declines are
  ``wasInfluencedBy`` typed ``claimsdb:denies`` and so on; repeats (the same claim
  again, pointing upstream) is ``wasDerivedFrom`` typed ``claimsdb:repeats``; corrects
  (the same speaker or outlet revising a statement) is PROV's revision, a
  ``wasDerivedFrom`` typed ``prov:Revision`` and ``claimsdb:corrects``;
- a quote the article translates carries ``claimsdb:translatedFrom`` (and
  ``claimsdb:original``, the words as said).

One mapping, two encoders: ``statement_records`` and its siblings turn each concept
into plain PROV records once. The ``prov`` package builds documents from them
(``iter_provenance``, ``provenance_document``) and encodes PROV-N, a piece of a few
hundred statements at a time. PROV-JSON groups records by kind, so ``stream_prov``
writes it section by section, one pass over the records' sources per kind, encoding
each record as the package does: the first entity reaches the reader at once,
nothing is spooled, and memory stays flat however large the export (the tests parse
the output with ``prov`` and compare it with the package's document and with the
output of the buffered writer it replaced).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

from claimsdb.errors import ClaimsError

if TYPE_CHECKING:
    from prov.model import ProvDocument
    from sqlalchemy import Connection

    from claimsdb.query.queries import (
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


@dataclass(frozen=True)
class QName:
    """A qualified name as an attribute value ("claimsdb:Statement", "wd:Q7747")."""

    text: str


@dataclass(frozen=True)
class Typed:
    """A literal with an XSD datatype ("2025-03-12" as xsd:date)."""

    text: str
    datatype: str


# kind (the PROV-JSON section / PROV-N keyword), identifier (None for relations), and
# attributes in order: the formal ones ("prov:entity", ...) first, then the others.
Record = tuple[str, "str | None", list[tuple[str, Any]]]


def _statement_id(ref: str) -> str:
    return "statement:" + ref.replace("#", "/", 1)


def _date(iso: str) -> Typed:
    return Typed(iso, "xsd:date" if len(iso) == 10 else "xsd:dateTime")


def _attributed(entity: str, agent: str, *other: tuple[str, Any]) -> Record:
    return ("wasAttributedTo", None, [("prov:entity", entity), ("prov:agent", agent), *other])


def _derived(newer: str, older: str, *other: tuple[str, Any]) -> Record:
    return ("wasDerivedFrom", None,
            [("prov:generatedEntity", newer), ("prov:usedEntity", older), *other])


def statement_records(view: StatementView) -> Iterator[Record]:
    """A statement, the passage printing it and its chain of relays, as PROV records."""
    return _statement_records(
        view.article, view.key, view.quote, view.kind, view.stated_on,
        [a.key for a in view.about], view.speaker.key if view.speaker else None,
        view.outlet.key if view.outlet else None, view.span_start, view.span_end,
        [[(hop.position, hop.cue, hop.actor.key, hop.mention) for hop in chain]
         for chain in view.chains],
        view.translated_from, view.original)


def _statement_records(article_key: str, key: str, quote: str, kind: str,
                       stated_on: str | None, about: list[str], speaker: str | None,
                       outlet: str | None, span_start: int, span_end: int,
                       chains: list[list[tuple[int, str | None, str, str | None]]],
                       translated_from: str | None = None, original: str | None = None
                       ) -> Iterator[Record]:
    """``statement_records`` from plain values; ``chains``: each chain's hops as
    (position, cue, actor key, mention), nearest first.

    With several chains ("according to AFP and AP") the claim is attributed to every
    chain's origin, and the printed passage is derived along each chain; the first
    chain's relayed versions keep the ids a single chain has
    (``report:ARTICLE/KEY/hop-N``), a later chain's are ``.../chain-C/hop-N``."""
    ref = f"{article_key}#{key}"
    claim = _statement_id(ref)
    attributes: list[tuple[str, Any]] = [
        ("prov:type", QName("claimsdb:Statement")),
        ("prov:label", ref),
        ("prov:value", quote),
        ("claimsdb:ref", ref),
        ("claimsdb:kind", kind),
    ]
    if stated_on:
        attributes.append(("claimsdb:statedOn", _date(stated_on)))
    attributes += [("claimsdb:about", QName(f"actor:{actor}")) for actor in about]
    if translated_from:
        attributes.append(("claimsdb:translatedFrom", translated_from))
        if original:
            attributes.append(("claimsdb:original", original))
    yield ("entity", claim, attributes)
    if speaker is not None:
        yield _attributed(claim, f"actor:{speaker}")
    attributed = {speaker}
    for chain in chains[1:]:
        origin = chain[-1][2]
        if origin not in attributed:
            attributed.add(origin)
            yield _attributed(claim, f"actor:{origin}")
    article = f"article:{article_key}"
    if not chains:
        # The article's own voice: the printed words are the claim itself.
        yield ("hadMember", None, [("prov:collection", article), ("prov:entity", claim)])
        return
    printed = f"report:{article_key}/{key}"
    yield ("entity", printed, [("prov:type", QName("claimsdb:Report")),
                               ("claimsdb:span", f"{span_start}-{span_end}")])
    yield ("hadMember", None, [("prov:collection", article), ("prov:entity", printed)])
    if outlet is not None:
        yield _attributed(printed, f"actor:{outlet}")
    # a direct quote's words travel (wasQuotedFrom); reported speech is a relay
    how = QName("prov:Quotation") if kind == "direct" else QName("claimsdb:Relay")
    for number, chain in enumerate(chains):
        newer = printed
        prefix = f"report:{article_key}/{key}/" + (f"chain-{number}/" if number else "")
        for position, cue, actor, mention in chain:  # each link's version comes from the next
            if position == len(chain) - 1:
                older = claim
            else:
                older = f"{prefix}hop-{position}"
                attributes = [("prov:type", QName("claimsdb:Report")),
                              ("claimsdb:position", position)]
                if number:
                    attributes.append(("claimsdb:chain", number))
                yield ("entity", older, attributes)
                yield _attributed(older, f"actor:{actor}")
            cued = [("claimsdb:cue", cue)] if cue else []
            if mention:  # format 1.1: the words naming the cited source there
                cued.append(("claimsdb:mention", mention))
            # (attributes in the order the package's wasQuotedFrom gives them: PROV-N
            # lines stay the same as before)
            typed = ([*cued, ("prov:type", how)] if kind == "direct"
                     else [("prov:type", how), *cued])
            yield _derived(newer, older, *typed)
            newer = older
    yield _derived(printed, claim, ("prov:type", QName("prov:PrimarySource")))


def relation_records(row: RelationRow) -> Iterator[Record]:
    """repeats is a derivation (the same claim again), corrects a revision (PROV's
    derivation of a revised version); the others typed influences."""
    source, target = _statement_id(row.source.ref), _statement_id(row.target.ref)
    typed = ("prov:type", QName(f"claimsdb:{row.type}"))
    if row.type == "repeats":
        yield _derived(source, target, typed)
    elif row.type == "corrects":
        yield _derived(source, target, ("prov:type", QName("prov:Revision")), typed)
    else:
        yield ("wasInfluencedBy", None,
               [("prov:influencee", source), ("prov:influencer", target), typed])


def article_records(summary: ArticleSummary, authors: Iterable[ActorRef]) -> Iterator[Record]:
    article = f"article:{summary.key}"
    attributes: list[tuple[str, Any]] = [
        ("prov:type", QName("claimsdb:Article")),
        ("prov:type", QName("prov:Collection")),
        ("prov:label", summary.title),
        ("claimsdb:language", summary.language),
    ]
    if summary.url:
        attributes.append(("claimsdb:url", summary.url))
    if summary.published:
        attributes.append(("claimsdb:published", _date(summary.published)))
    # Format 1.1: when this text was retrieved, and where a frozen copy of it is kept
    # (the copy is the same entity seen elsewhere, hence an attribute, not a new one).
    if summary.retrieved:
        attributes.append(("claimsdb:retrieved", _date(summary.retrieved)))
    if summary.archived_url:
        attributes.append(("claimsdb:archivedUrl", summary.archived_url))
    yield ("entity", article, attributes)
    if summary.outlet is not None:
        yield _attributed(article, f"actor:{summary.outlet.key}",
                          ("prov:type", QName("claimsdb:outlet")))
    for author in authors:
        yield _attributed(article, f"actor:{author.key}",
                          ("prov:type", QName("claimsdb:author")))


_AGENT_TYPES = {"person": "Person", "organization": "Organization",
                "outlet": "Organization", "government": "Organization"}


def actor_records(actor: ActorDefinition) -> Iterator[Record]:
    """An actor is an agent; each of its roles an actedOnBehalfOf."""
    agent = f"actor:{actor.key}"
    attributes: list[tuple[str, Any]] = []
    if actor.kind in _AGENT_TYPES:
        attributes.append(("prov:type", QName(f"prov:{_AGENT_TYPES[actor.kind]}")))
    attributes += [
        ("prov:type", QName(f"claimsdb:{actor.kind}")),
        ("prov:label", actor.name),
        ("claimsdb:identified", actor.identified),
        *(("claimsdb:alias", alias) for alias in actor.aliases),
    ]
    if actor.wikidata:
        attributes.append(("claimsdb:wikidata", QName(f"wd:{actor.wikidata}")))
    if actor.description:
        attributes.append(("claimsdb:description", actor.description))
    yield ("agent", agent, attributes)
    for role in actor.roles:
        other: list[tuple[str, Any]] = [("claimsdb:title", role.title)]
        if role.started_on:
            other.append(("claimsdb:from", _date(role.started_on.isoformat())))
        if role.ended_on:
            other.append(("claimsdb:to", _date(role.ended_on.isoformat())))
        yield ("actedOnBehalfOf", None,
               [("prov:delegate", agent), ("prov:responsible", f"actor:{role.of}"), *other])


# -- where the records come from -------------------------------------------------------------

def _statement_source(conn: Connection, flt: StatementFilter,
                      on_statement: Callable[[], None] | None = None
                      ) -> Iterator[list[Record]]:
    """Straight from the query layer's lean row batches: a view per statement (with
    its context sentence) would cost more than the records themselves."""
    from claimsdb.query import queries

    for batch, details in queries.statement_batches(conn, flt, lean=True):
        hops_of, about_of = details.hops, details.about
        for row in batch:
            (statement_id, article, key, quote, kind, span_start, span_end, stated_on,
             _title, _published, _url, outlet_key, *_outlet, speaker_key) = row[:16]
            hops = hops_of.get(statement_id, ())
            about = about_of.get(statement_id, ())
            yield list(_statement_records(
                article, key, quote, kind, stated_on, [actor[0] for actor in about],
                speaker_key, outlet_key, span_start, span_end, _chains(hops),
                row.translated_from, row.original))
            if on_statement is not None:
                on_statement()


def _chains(hops: Iterable[tuple]
            ) -> list[list[tuple[int, str | None, str, str | None]]]:
    """Detail hop tuples (chain number last) as chains of (position, cue, actor key,
    mention)."""
    chains: dict[int, list[tuple[int, str | None, str, str | None]]] = {}
    for hop in hops:
        chains.setdefault(hop[-1], []).append((hop[0], hop[1], hop[2], hop[6]))
    return list(chains.values())


def _relation_source(conn: Connection, flt: StatementFilter) -> Iterator[list[Record]]:
    """Relations between two exported statements (one whose other end is not exported
    would name an entity the document does not describe)."""
    from claimsdb.query import queries

    for row in queries.iter_relations(conn, flt, both_ends=True):
        yield list(relation_records(row))


def _article_source(conn: Connection, flt: StatementFilter) -> Iterator[list[Record]]:
    from claimsdb.query import queries
    from claimsdb.store.models import Article

    ids = queries.involved_article_ids(conn, flt)
    articles = queries.list_articles(conn, where=Article.id.in_(ids) if ids is not None
                                     else None)
    for chunk in _batched(articles):
        authors = queries.article_authors(conn, [s.key for s in chunk])
        for summary in chunk:
            yield list(article_records(summary, authors.get(summary.key, ())))


def _actor_source(conn: Connection, flt: StatementFilter) -> Iterator[list[Record]]:
    """Every actor for the whole database; for a filtered export, those its statements
    and articles involve, plus whom their roles point at (so every actedOnBehalfOf
    names a described agent)."""
    from claimsdb.query import queries

    everyone = queries.selected_statement_ids(conn, flt) is None
    keys = queries.actor_keys(conn, None if everyone else queries.involved_actor_ids(conn, flt))
    done: set[str] = set()
    while keys:
        targets: set[str] = set()
        for chunk in _batched(keys):
            for definition in queries.actor_definitions(conn, chunk).values():
                yield list(actor_records(definition))
                targets.update(role.of for role in definition.roles)
            done.update(chunk)
        keys = sorted(targets - done)


def _batched(items: Iterable[Any], size: int | None = None) -> Iterator[list[Any]]:
    size = size or PIECE
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _new_piece(model) -> ProvDocument:
    document = model.ProvDocument()
    for prefix, uri in NAMESPACES.items():
        document.add_namespace(prefix, uri)
    return document


def _add(document: ProvDocument, record: Record, model, names: dict[str, Any]) -> None:
    """One record into a ``prov`` document, built by the package itself. ``names``:
    the document's qualified names by text, each resolved once."""
    from prov.constants import PROV_RECORD_IDS_MAP

    kind, identifier, attributes = record

    def name(text: str) -> Any:
        found = names.get(text)
        if found is None:
            found = names[text] = document.valid_qualified_name(text)
        return found

    def value(item: Any) -> Any:
        if isinstance(item, QName):
            return name(item.text)
        if isinstance(item, Typed):
            return model.Literal(item.text, name(item.datatype))
        return item

    document.new_record(PROV_RECORD_IDS_MAP[kind], identifier,
                        [(key, value(item)) for key, item in attributes])


def iter_provenance(conn: Connection, flt: StatementFilter,
                    on_statement: Callable[[], None] | None = None
                    ) -> Iterator[ProvDocument]:
    """The PROV graph of the statements a filter selects, as small ``prov`` documents
    (a few hundred statements, relations, articles or actors each) whose union is the
    whole graph: the statements (with their reports and chains), the relations
    between two exported statements, the articles holding them, and the actors."""
    from claimsdb.query import queries

    model = require_prov()
    queries.filtered_statement_ids(conn, flt)  # resolve the filter before any work
    for source in (_statement_source(conn, flt, on_statement), _relation_source(conn, flt),
                   _article_source(conn, flt), _actor_source(conn, flt)):
        for chunk in _batched(source):
            piece = _new_piece(model)
            names: dict[str, Any] = {}
            for records in chunk:
                for record in records:
                    _add(piece, record, model, names)
            yield piece


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


# PROV-JSON holds each kind of record in one object, in this order (the package's).
JSON_SECTIONS = ("entity", "agent", "wasAttributedTo", "hadMember", "wasDerivedFrom",
                 "wasInfluencedBy", "actedOnBehalfOf")
# Which sources give records of each kind.
_SOURCES_OF = {
    "entity": ("statements", "articles"),
    "agent": ("actors",),
    "wasAttributedTo": ("statements", "articles"),
    "hadMember": ("statements",),
    "wasDerivedFrom": ("statements", "relations"),
    "wasInfluencedBy": ("relations",),
    "actedOnBehalfOf": ("actors",),
}


def stream_prov(conn: Connection, flt: StatementFilter, out: TextIO, fmt: str = "json", *,
                on_statement: Callable[[], None] | None = None) -> int:
    """Write the PROV graph of the filter's statements as it is read, in constant
    memory; returns the statement count.

    PROV-N takes records in any order, so the pieces of ``iter_provenance`` are written
    as the package encodes them. PROV-JSON groups records by kind (every entity, then
    every agent, ...), so it is written section by section, each a pass over the
    sources of that kind's records (statements are read four times, which costs less
    than encoding them through the package once), with each record encoded here as
    the package encodes it (the tests parse the result with ``prov`` and compare it
    with the package's own document). Nothing is held back: the first entities
    reach the reader at once.
    """
    if fmt not in FORMATS:
        raise ClaimsError(f"unknown PROV format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "provn":
        return _write_provn(iter_provenance(conn, flt, on_statement), out)
    from claimsdb.query import queries

    queries.filtered_statement_ids(conn, flt)  # a bad filter fails before any output
    counted = [0]

    def count() -> None:
        counted[0] += 1
        if on_statement is not None:
            on_statement()

    sources: dict[str, Callable[[], Iterator[list[Record]]]] = {
        "statements": lambda: _statement_source(conn, flt, count if not counted[0] else None),
        "articles": lambda: _article_source(conn, flt),
        "relations": lambda: _relation_source(conn, flt),
        "actors": lambda: _actor_source(conn, flt),
    }
    blank = itertools.count(1)
    out.write("{\n")
    for kind in JSON_SECTIONS:
        first = True
        for source in _SOURCES_OF[kind]:
            for records in sources[source]():
                for record_kind, identifier, attributes in records:
                    if record_kind != kind:
                        continue
                    name = identifier if identifier is not None else f"_:id{next(blank)}"
                    out.write(f"  {_dumps(kind)}: {{\n    " if first else ",\n    ")
                    out.write(_dumps(name) + ": " + _dumps(_json_attributes(attributes)))
                    first = False
        if not first:
            out.write("\n  },\n")
    out.write(f'  "prefix": {_dumps(NAMESPACES)}\n}}\n')
    return counted[0]


def _json_value(item: Any) -> Any:
    if isinstance(item, QName):
        return {"$": item.text, "type": "xsd:QName"}
    if isinstance(item, Typed):
        return {"$": item.text, "type": item.datatype}
    if isinstance(item, bool):  # pragma: no cover - no boolean attributes today
        return {"$": "true" if item else "false", "type": "xsd:boolean"}
    if isinstance(item, int):
        return {"$": str(item), "type": "xsd:int"}
    return item


def _json_attributes(attributes: list[tuple[str, Any]]) -> dict[str, Any]:
    """Attributes as PROV-JSON has them: a name given several values maps to a list."""
    encoded: dict[str, Any] = {}
    for name, item in attributes:
        value = _json_value(item)
        if name not in encoded:
            encoded[name] = value
        elif isinstance(encoded[name], list):
            encoded[name].append(value)
        else:
            encoded[name] = [encoded[name], value]
    return encoded


_encode = json.JSONEncoder(ensure_ascii=False).encode


def _dumps(value: Any) -> str:
    return _encode(value)


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
