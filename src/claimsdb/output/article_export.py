"""A stored article, written back as an article file (docs/format.md).

This is how a user edits an article: ``claimsdb export article KEY -o FILE``, edit,
``claimsdb add --replace FILE``. The file must therefore re-import to exactly the
stored data: into an empty database it recreates the article and every actor it
needs, and into the database it came from it is reported as unchanged.

So the file carries the text inline (whatever file it was first read from), the full
stored definition of every actor the article uses (with aliases and roles) plus the
actors those roles point at (a role's ``of`` actor must be importable too), chains
with their cues (and, since format 1.1, each hop's mention and identification, with
``cue_occurrence``/``mention_occurrence`` only where the stored span is not the match
nearest to the quote), relations as local keys or ``ARTICLE#KEY`` for other articles, and
``occurrence:`` only where a quote appears more than once in the text.

The YAML is checked by reading it back before it is returned: a value that YAML
cannot carry in the readable style (a line separator character in a literal block,
say) is written double-quoted instead, and any remaining difference is an error
rather than a file that would silently import different data.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import yaml
from sqlalchemy import Connection, select
from sqlalchemy.orm import aliased

from claimsdb import __version__
from claimsdb.errors import ClaimsError
from claimsdb.format import spans, yamlio
from claimsdb.format.articles import FORMAT_ID, FORMAT_ID_1_1
from claimsdb.format.yamlwriting import Dumper, Flow, FlowList
from claimsdb.query import queries
from claimsdb.store.models import (
    Actor,
    Article,
    ArticleAuthor,
    Hop,
    Identification,
    Relation,
    RelationType,
    Review,
    Statement,
    StatementAbout,
    StatementKind,
    StatementTopic,
)

# What version 1 has; anything else in an article makes its file format 1.1.
VERSION_1_KINDS = (StatementKind.INDIRECT.value, StatementKind.DIRECT.value)
VERSION_1_RELATIONS = (RelationType.DENIES.value, RelationType.CONTRADICTS.value,
                       RelationType.SUPPORTS.value, RelationType.REPEATS.value)


def article_document(conn: Connection, key: str) -> dict[str, Any]:
    """The article file's content as plain data, in the order a person reads it."""
    article_id = queries.require_article(conn, key)
    outlet = aliased(Actor)
    article = conn.execute(
        select(Article.key, Article.title, Article.url, Article.published, Article.language,
               Article.text, Article.retrieved, Article.archived_url, Article.note,
               outlet.key.label("outlet"))
        .outerjoin(outlet, Article.outlet_id == outlet.id)
        .where(Article.id == article_id)
    ).one()
    authors = list(conn.execute(
        select(Actor.key).join(ArticleAuthor, ArticleAuthor.actor_id == Actor.id)
        .where(ArticleAuthor.article_id == article_id).order_by(ArticleAuthor.position)
    ).scalars())
    # File order: statements were inserted in the order the file listed them.
    statements = conn.execute(
        select(Statement.id, Statement.key, Statement.quote, Statement.span_start,
               Statement.span_end, Statement.kind, Statement.stated_on, Statement.note,
               Statement.translated_from, Statement.original)
        .where(Statement.article_id == article_id).order_by(Statement.id)
    ).all()
    chains = _chains(conn, article_id)
    about = _about(conn, article_id)
    relations = _relations(conn, article_id, key)
    topics = _topics(conn, article_id)
    reviews = _reviews(conn, article_id)
    version_1_1 = bool(article.retrieved or article.archived_url or article.note)

    used: list[str] = []  # actor keys in order of first use

    def use(actor_key: str | None) -> None:
        if actor_key and actor_key not in used:
            used.append(actor_key)

    use(article.outlet)
    for author in authors:
        use(author)
    entries = []
    uses_1_1 = False  # a field only format 1.1 has: the file then declares @1.1
    for s in statements:
        entry: dict[str, Any] = {"key": s.key, "quote": s.quote}
        if not spans.is_unique(article.text, s.quote):
            entry["occurrence"] = spans.occurrence_of(article.text, s.quote, s.span_start)
        if s.kind != StatementKind.INDIRECT.value:
            entry["kind"] = s.kind
            uses_1_1 |= s.kind not in VERSION_1_KINDS
        if s.translated_from:
            uses_1_1 = True
            entry["translated_from"] = s.translated_from
            if s.original is not None:
                entry["original"] = s.original
        written = []
        for chain in chains.get(s.id, {}).values():
            hops = []
            for hop in chain:
                use(hop.actor)
                hop_entry = _hop_entry(article.text, s, hop)
                uses_1_1 = uses_1_1 or (isinstance(hop_entry, dict) and len(
                    hop_entry.keys() - {"actor", "cue"}) > 0)
                hops.append(hop_entry)
            written.append(hops)
        # One chain (or none) is written as 'chain', as version 1 has it; several
        # sources ("AFP and AP") as 'chains', a format 1.1 field.
        if len(written) > 1:
            # a chain of keys on one line ("- [afp, ministry]"); with cues, a hop a line
            entry["chains"] = [hops if any(isinstance(h, dict) for h in hops)
                               else FlowList(hops) for hops in written]
            uses_1_1 = True
        else:
            entry["chain"] = written[0] if written else []
        if s.stated_on:
            entry["stated_on"] = _date_value(s.stated_on)
        if about.get(s.id):
            for actor_key in about[s.id]:
                use(actor_key)
            entry["about"] = FlowList(about[s.id])
        for relation in RelationType:
            targets = relations.get((s.id, relation.value))
            if targets:
                entry[relation.value] = FlowList(targets)
                uses_1_1 |= relation.value not in VERSION_1_RELATIONS
        # Format 1.1 fields, written only when stored: a version-1 article exports
        # byte for byte as before.
        if topics.get(s.id):
            entry["topics"] = FlowList(topics[s.id])
        if s.note is not None:
            entry["note"] = s.note
        if reviews.get(s.id):
            for review in reviews[s.id]:
                use(review["by"])
            entry["reviews"] = reviews[s.id]
        version_1_1 = version_1_1 or bool(topics.get(s.id) or s.note is not None
                                          or reviews.get(s.id))
        entries.append(entry)

    head: dict[str, Any] = {"key": article.key, "title": article.title}
    if article.outlet:
        head["outlet"] = article.outlet
    if article.url:
        head["url"] = article.url
    if article.published:
        head["published"] = _date_value(article.published)
    if article.archived_url:
        head["archived_url"] = article.archived_url
    if article.retrieved:
        head["retrieved"] = _date_value(article.retrieved)
    head["language"] = article.language
    if authors:
        head["authors"] = FlowList(authors)
    if article.note is not None:
        head["note"] = article.note
    head["text"] = article.text
    actors = [_actor_entry(d) for d in _actors_with_role_targets(conn, used)]
    version_1_1 = version_1_1 or any("note" in actor for actor in actors)
    return {
        "format": FORMAT_ID_1_1 if version_1_1 or uses_1_1 else FORMAT_ID,
        "article": head,
        "actors": actors,
        "statements": entries,
    }


def _hop_entry(text: str, statement: Any, hop: Any) -> str | Flow:
    """A hop as the file writes it: a bare actor key, or ``{actor, cue, ...}`` with
    only what was given. An occurrence is written only where the stored span is not
    the one the nearest-match rule finds, so a version-1 hop is written as before."""
    near = (statement.span_start, statement.span_end)
    entry = Flow(actor=hop.actor)
    if hop.cue is not None:
        entry["cue"] = hop.cue
        if hop.cue_start is not None and not spans.is_nearest(text, hop.cue, hop.cue_start,
                                                              *near):
            entry["cue_occurrence"] = spans.word_occurrence_of(text, hop.cue, hop.cue_start)
    if hop.mention is not None:
        entry["mention"] = hop.mention
        if hop.mention_start is not None and not spans.is_nearest(
                text, hop.mention, hop.mention_start, *near):
            entry["mention_occurrence"] = spans.word_occurrence_of(text, hop.mention,
                                                                   hop.mention_start)
    if hop.identified is not None:
        entry["identified"] = hop.identified
    return entry if len(entry) > 1 else hop.actor


def _chains(conn: Connection, article_id: int) -> dict[int, dict[int, list[Any]]]:
    """Each statement's chains by chain number, each hop as a row (actor key, cue,
    mention, identified, cue and mention starts)."""
    chains: dict[int, dict[int, list[Any]]] = defaultdict(dict)
    for row in conn.execute(
        select(Hop.statement_id, Hop.chain, Actor.key.label("actor"), Hop.cue, Hop.mention,
               Hop.identified, Hop.cue_start, Hop.mention_start)
        .join(Actor, Hop.actor_id == Actor.id)
        .join(Statement, Hop.statement_id == Statement.id)
        .where(Statement.article_id == article_id)
        .order_by(Hop.statement_id, Hop.chain, Hop.position)
    ):
        chains[row.statement_id].setdefault(row.chain, []).append(row)
    return chains


def _about(conn: Connection, article_id: int) -> dict[int, list[str]]:
    about: dict[int, list[str]] = defaultdict(list)
    for statement_id, actor_key in conn.execute(
        select(StatementAbout.statement_id, Actor.key)
        .join(Actor, StatementAbout.actor_id == Actor.id)
        .join(Statement, StatementAbout.statement_id == Statement.id)
        .where(Statement.article_id == article_id)
        .order_by(StatementAbout.statement_id, Actor.key)
    ):
        about[statement_id].append(actor_key)
    return about


def _topics(conn: Connection, article_id: int) -> dict[int, list[str]]:
    topics: dict[int, list[str]] = defaultdict(list)
    for statement_id, topic in conn.execute(
        select(StatementTopic.statement_id, StatementTopic.topic)
        .join(Statement, StatementTopic.statement_id == Statement.id)
        .where(Statement.article_id == article_id)
        .order_by(StatementTopic.statement_id, StatementTopic.topic)
    ):
        topics[statement_id].append(topic)
    return topics


def _reviews(conn: Connection, article_id: int) -> dict[int, list[dict[str, Any]]]:
    """Each statement's reviews as file entries, in file order."""
    reviews: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in conn.execute(
        select(Review.statement_id, Actor.key.label("by"), Review.rating, Review.url,
               Review.reviewed_on, Review.summary)
        .join(Actor, Review.reviewer_id == Actor.id)
        .join(Statement, Review.statement_id == Statement.id)
        .where(Statement.article_id == article_id)
        .order_by(Review.statement_id, Review.position)
    ):
        entry: dict[str, Any] = {"by": row.by, "rating": row.rating}
        if row.url:
            entry["url"] = row.url
        if row.reviewed_on:
            entry["date"] = _date_value(row.reviewed_on)
        if row.summary is not None:
            entry["summary"] = row.summary
        reviews[row.statement_id].append(entry)
    return reviews


def _relations(conn: Connection, article_id: int, article_key: str
               ) -> dict[tuple[int, str], list[str]]:
    """Outgoing relations by (statement id, type): local keys, or ARTICLE#KEY.

    Relations other articles make to this one belong to those articles' files.
    """
    source, target = aliased(Statement), aliased(Statement)
    target_article = aliased(Article)
    found: dict[tuple[int, str], list[str]] = defaultdict(list)
    for source_id, relation, target_article_key, target_key in conn.execute(
        select(Relation.source_id, Relation.type, target_article.key, target.key)
        .join(source, Relation.source_id == source.id)
        .join(target, Relation.target_id == target.id)
        .join(target_article, target.article_id == target_article.id)
        .where(source.article_id == article_id)
        .order_by(Relation.id)
    ):
        ref = target_key if target_article_key == article_key \
            else f"{target_article_key}#{target_key}"
        found[(source_id, relation)].append(ref)
    return found


def _actors_with_role_targets(conn: Connection, keys: list[str]
                              ) -> list[queries.ActorDefinition]:
    """The definitions of these actors, then of every actor their roles point at
    (and theirs, and so on), so each role's ``of`` resolves in an empty database."""
    ordered = list(keys)
    definitions: dict[str, queries.ActorDefinition] = {}
    pending = list(keys)
    while pending:
        found = queries.actor_definitions(conn, pending)
        definitions.update(found)
        pending = []
        for actor_key in list(found):
            for role in found[actor_key].roles:
                if role.of not in definitions and role.of not in pending:
                    pending.append(role.of)
                    ordered.append(role.of)
    return [definitions[k] for k in ordered]


def _actor_entry(actor: queries.ActorDefinition) -> dict[str, Any]:
    entry: dict[str, Any] = {"key": actor.key, "name": actor.name, "kind": actor.kind}
    if actor.identified != Identification.NAMED.value:
        entry["identified"] = actor.identified
    if actor.aliases:
        entry["aliases"] = FlowList(actor.aliases)
    if actor.wikidata:
        entry["wikidata"] = actor.wikidata
    if actor.description:
        entry["description"] = actor.description
    if actor.note is not None:
        entry["note"] = actor.note
    if actor.roles:
        roles = []
        for role in actor.roles:
            item = Flow({"of": role.of, "title": role.title})
            if role.started_on:
                item["from"] = role.started_on
            if role.ended_on:
                item["to"] = role.ended_on
            roles.append(item)
        entry["roles"] = roles
    return entry


def _date_value(iso: str) -> dt.date | str:
    """A plain date as a YAML date (unquoted); a date and time stays exact text."""
    try:
        return dt.date.fromisoformat(iso) if len(iso) == 10 else iso
    except ValueError:
        return iso


# -- YAML ----------------------------------------------------------------------------------

def to_yaml(document: dict[str, Any]) -> str:
    header = (
        f"# Article '{document['article']['key']}', exported by claimsdb {__version__}.\n"
        "# Edit it, then store your changes with: claimsdb add --replace THIS-FILE\n"
    )
    body = yaml.dump(document, Dumper=Dumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=False, width=100)
    text = header + body
    if yamlio.load(text) != _plain(document):
        raise ClaimsError(
            f"could not write article '{document['article']['key']}' as YAML that reads back "
            "exactly; please report this as a claimsdb bug")
    return text


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def export_article(conn: Connection, key: str) -> str:
    """The stored article ``key`` as the text of an article file (YAML)."""
    return to_yaml(article_document(conn, key))
