"""Writing a batch of new articles with a few bulk statements (``claimsdb add --batch``).

Imported one at a time, every article costs about a dozen round trips (load its
actors, merge aliases and roles, resolve references, insert each table's rows), and
at tens of thousands of files those round trips, not the rows, are the import. When
every article of a batch is new, as when loading an archive, this module checks the
whole batch against the database in a handful of queries, replays the file-by-file
actor merging in memory in file order (so each file's counts, and the ids, are those
the file-by-file path would give), and writes each table once, with executemany.

It declines, before writing anything, whenever the file-by-file path could answer
differently: a stored article key (unchanged, conflicting or replaced), a URL or key
used twice, any actor problem, a reference to a statement that is not stored and not
in an earlier file of the batch, ``--update-actors``. The batch is then imported file
by file (``importer.import_batch``), which reports every problem as usual.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ARRAY, Connection, any_, bindparam, func, select, text, update

from claimsdb.format.articles import SAME_VOICE, ActorSpec, ArticleSpec
from claimsdb.ingest.pgcopy import write_rows, write_tuples
from claimsdb.ingest.rows import (
    insert_ignoring_duplicates,
    review_rows,
    speaker_key,
    topic_rows,
)
from claimsdb.query import actor_counts
from claimsdb.store.chronology import Dated, spec_dates, warnings_for
from claimsdb.store.locking import lock_articles, referred_articles
from claimsdb.store.models import (
    Actor,
    ActorAlias,
    ActorRole,
    Article,
    ArticleAuthor,
    Hop,
    Relation,
    RelationType,
    Review,
    Statement,
    StatementAbout,
    StatementTopic,
)

CHUNK = 5000  # keys per IN list and rows per RETURNING batch, well under parameter limits
SCALARS = ("name", "kind", "identified", "wikidata", "description", "note")
ADDED = "added"


class Declined(Exception):
    """The batch needs the file-by-file path (raised before anything is written, or to
    roll back the caller's savepoint when a concurrent import got in first)."""


def _chunks(items: Sequence[Any], size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _member_chunks(conn: Connection, column: Any, values: Sequence[Any]):
    """Conditions ``column IN values``, one per chunk of ``values``.

    On PostgreSQL one condition, ``column = ANY(:array)``: a single parameter, so the
    statement's text is the same whatever the values. An IN list of a few thousand
    values was compiled afresh by SQLAlchemy, converted again by psycopg and parsed
    and planned again by the server at every batch. SQLite has no arrays; its IN
    lists stay under its parameter limit."""
    if conn.dialect.name == "postgresql":
        if values:
            yield column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
        return
    for chunk in _chunks(values):
        yield column.in_(chunk)


def import_new_articles(conn: Connection, specs: Sequence[ArticleSpec]) -> list[dict[str, Any]]:
    """Write every article of the batch, or raise ``Declined`` having written nothing.

    Returns per article what ``importer.ImportResult`` needs: key, source, statements,
    actors added and updated, warnings (``claimsdb.store.chronology``).
    """
    if not specs:
        return []
    keys = [spec.key for spec in specs]
    if len(set(keys)) != len(keys):
        raise Declined
    references = [spec.external_references() for spec in specs]
    lock_articles(conn, keys, referred_articles(ref for refs in references for ref in refs))
    if _any_stored(conn, Article.key, keys):
        raise Declined
    urls = [spec.url for spec in specs if spec.url]
    if len(set(urls)) != len(urls) or _any_stored(conn, Article.url, urls):
        raise Declined
    actors = _ActorPlan(conn, specs)
    per_file = actors.simulate()
    external, stored = _resolve_references(conn, specs, references)
    actors.write()
    written: list[dict[str, Any]] = []

    def report() -> None:
        # The dates warnings_for looks up beyond a file's own statements: the stored
        # ones and those of the earlier files of the batch that later files link to.
        linked = {ref.split("#", 1)[0] for ref, statement_id in external.items()
                  if statement_id is None}
        dates = {**stored, **spec_dates(spec for spec in specs if spec.key in linked)}
        written.extend(
            {"source": spec.source, "key": spec.key, "statements": len(spec.statements),
             "actors_added": added, "actors_updated": updated,
             "warnings": tuple(warnings_for(spec, dates))
             if any(s.relations for s in spec.statements) else ()}
            for spec, (added, updated) in zip(specs, per_file, strict=True))

    _write_articles(conn, specs, actors.ids, external, meanwhile=report)
    if not written:  # (no statement stream ran it: a writer that did not read one)
        report()
    return written


def _any_stored(conn: Connection, column: Any, values: list[str]) -> bool:
    for condition in _member_chunks(conn, column, sorted(set(values))):
        if conn.execute(select(column).where(condition).limit(1)).first():
            return True
    return False


def _first_definitions(specs: Sequence[ArticleSpec]) -> list[list[ActorSpec]]:
    """Per file, in file order, its actor definitions that no earlier definition of
    the batch says word for word (``ActorSpec.definition``). Merging a definition a
    second time changes nothing, and most files of a batch repeat the same definitions
    (a batch of 500 files: 24,000 definitions of 460 actors), so only these are merged
    or looked at for locks. Each definition is hashed once, here, as plain values that
    the parsing worked out (``prefetch.parse_group``)."""
    seen: dict[tuple[Any, ...], ActorSpec] = {}
    first_seen = seen.setdefault
    firsts = []
    for spec in specs:
        firsts.append([actor for actor in spec.actors
                       if first_seen(actor.definition, actor) is actor])
    return firsts


class _ActorPlan:
    """The file-by-file actor merging (``importer._ActorMerge``) for a whole batch.

    The stored actors the batch names are read once; each file's definitions are then
    merged in memory, in file order, exactly as importing the files one by one would
    merge them: new actors are created by the first file that defines them (in key
    order within a file, which is also the order of their ids), empty fields are
    filled, aliases and roles added. A conflicting value or an unknown key declines.
    """

    def __init__(self, conn: Connection, specs: Sequence[ArticleSpec]):
        self.conn = conn
        self.specs = specs
        self.state: dict[str, dict[str, Any]] = {}
        self.stored: set[str] = set()
        self.new: list[str] = []  # actors to create, in creation order
        self.fills: dict[str, dict[str, Any]] = {}  # stored actor key -> filled fields
        self.aliases: dict[tuple[str, str], None] = {}  # (actor key, alias), in order
        self.roles: dict[tuple[Any, ...], None] = {}  # (key, of key, title, from, to)
        self.new_aliases: list[tuple[str, str]] = []
        self.new_roles: list[list[tuple[Any, ...]]] = []  # per file
        self.ids: dict[str, int] = {}
        self.used: list[frozenset[str]] = []
        self.firsts: list[list[ActorSpec]] = []  # per file: see _first_definitions

    def _load(self) -> None:
        self.used = [spec.actor_keys for spec in self.specs]
        self.firsts = _first_definitions(self.specs)
        wanted: set[str] = set()
        for firsts, used in zip(self.firsts, self.used, strict=True):
            wanted.update(a.key for a in firsts)  # every key's first definition is one
            wanted |= used
        columns = Actor.__table__.c
        rows: dict[str, Any] = {}
        for condition in _member_chunks(self.conn, Actor.key, sorted(wanted)):
            for row in self.conn.execute(select(*columns).where(condition)):
                rows[row.key] = row
        self._read_links(rows)
        if self.conn.dialect.name == "postgresql":
            locked = self._lock_for_merge(rows)
            rows.update(locked)
            self._read_links(locked)  # as they are now that no one else may add to them
        self.stored = set(rows)
        self.state = {key: {name: getattr(row, name) for name in ("id", *SCALARS)}
                      for key, row in rows.items()}

    def _read_links(self, rows: dict[str, Any]) -> None:
        """The stored aliases and roles of the actors ``rows`` (key -> row)."""
        ids = sorted(row.id for row in rows.values())
        key_of = {row.id: key for key, row in rows.items()}
        for condition in _member_chunks(self.conn, ActorAlias.actor_id, ids):
            for actor_id, alias in self.conn.execute(
                select(ActorAlias.actor_id, ActorAlias.alias).where(condition)
            ):
                self.aliases[(key_of[actor_id], alias)] = None
        of_actor = Actor.__table__.alias("of_actor")
        for condition in _member_chunks(self.conn, ActorRole.actor_id, ids):
            for key, of_key, title, started, ended in self.conn.execute(
                select(Actor.key, of_actor.c.key, ActorRole.title, ActorRole.started_on,
                       ActorRole.ended_on)
                .join(Actor, ActorRole.actor_id == Actor.id)
                .join(of_actor, ActorRole.of_actor_id == of_actor.c.id)
                .where(condition)
            ):
                self.roles[(key, of_key, title, started, ended)] = None

    def _lock_for_merge(self, rows: dict[str, Any]) -> dict[str, Any]:
        """PostgreSQL: lock the stored actors the batch will add to, in key order, and
        read them again (as ``importer._ActorMerge._lock_for_merge`` does per file).

        Only those a definition adds to as they are stored: an alias or role not
        stored yet, or a value for an empty field. Aliases and roles are only ever
        added, so an actor whose every definition is already stored cannot need the
        batch's writes, whatever others commit meanwhile. (Every actor a definition
        named was locked before: a batch repeating its actors' definitions locked
        all of them, for nothing, and each hop's foreign-key check then had to share
        the lock.)"""
        empty = {key: [name for name in SCALARS if getattr(row, name) is None]
                 for key, row in rows.items()}  # the fields a definition could fill
        wanted: set[str] = set()
        for a in (a for firsts in self.firsts for a in firsts if a.key in empty):
            if a.key in wanted:
                continue
            if (any((a.key, alias) not in self.aliases for alias in a.aliases)
                    or any((a.key, r.of, r.title, r.started_on, r.ended_on) not in self.roles
                           for r in a.roles)
                    or any(getattr(a, name) is not None for name in empty[a.key])):
                wanted.add(a.key)
        keys = sorted(wanted)
        locked: dict[str, Any] = {}
        for condition in _member_chunks(self.conn, Actor.key, keys):
            for row in self.conn.execute(
                select(*Actor.__table__.c).where(condition)
                .order_by(Actor.key).with_for_update(key_share=True)
            ):
                locked[row.key] = row
        return locked

    def simulate(self) -> list[tuple[int, int]]:
        """(actors added, actors updated) per file; declines on any actor problem."""
        self._load()
        counts = []
        for spec, used, firsts in zip(self.specs, self.used, self.firsts, strict=True):
            undefined = {a.key: a for a in spec.actors if a.key not in self.state}
            created = sorted(undefined)
            for key in created:
                actor = undefined[key]
                self.state[key] = {"id": None, "name": actor.name, "kind": actor.kind,
                                   "identified": actor.identified or "named",
                                   "wikidata": actor.wikidata, "description": actor.description,
                                   "note": actor.note}
                self.new.append(key)
            if not used <= self.state.keys():
                raise Declined
            changed: set[str] = set()
            new_roles: list[tuple[Any, ...]] = []
            self.new_roles.append(new_roles)
            for actor in firsts:  # merging a definition a second time changes nothing
                key = actor.key
                row = self.state[key]
                for name in SCALARS:
                    given, have = getattr(actor, name), row[name]
                    if given is None or given == have:
                        continue
                    if have is not None:
                        raise Declined  # a conflict: the file-by-file path reports it
                    row[name] = given
                    changed.add(key)
                    if key in self.stored:
                        self.fills.setdefault(key, {})[name] = given
                for alias in actor.aliases:
                    if (key, alias) not in self.aliases:
                        self.aliases[(key, alias)] = None
                        self.new_aliases.append((key, alias))
                        changed.add(key)
                for role in actor.roles:
                    entry = (key, role.of, role.title, role.started_on, role.ended_on)
                    if entry not in self.roles:
                        self.roles[entry] = None
                        new_roles.append(entry)
                        changed.add(key)
            counts.append((len(created), len(changed - set(created))))
        return counts

    def write(self) -> None:
        self.ids = {key: row["id"] for key, row in self.state.items() if key in self.stored}
        if self.new:
            rows = [{"key": key, **{name: self.state[key][name] for name in SCALARS}}
                    for key in self.new]
            inserted: list[str] = []
            for chunk in _chunks(rows):
                inserted += insert_ignoring_duplicates(self.conn, Actor.__table__, list(chunk),
                                                       returning=Actor.__table__.c.key)
            if len(inserted) != len(rows):
                raise Declined  # a concurrent import created one first: merge file by file
            for condition in _member_chunks(self.conn, Actor.key, self.new):
                self.ids.update(self.conn.execute(
                    select(Actor.key, Actor.id).where(condition)).all())
        for key, fill in self.fills.items():
            self.conn.execute(update(Actor).where(Actor.id == self.ids[key]).values(**fill))
        if self.new_aliases:
            insert_ignoring_duplicates(self.conn, ActorAlias.__table__, [
                {"actor_id": self.ids[key], "alias": alias} for key, alias in self.new_aliases])
        roles = []
        for per_file in self.new_roles:
            # In the order the file-by-file path inserts them, so the ids agree too.
            roles += sorted(((self.ids[key], self.ids[of], title, started, ended)
                             for key, of, title, started, ended in per_file), key=repr)
        if roles:
            write_rows(self.conn, ActorRole.__table__, [
                {"actor_id": a, "of_actor_id": o, "title": t, "started_on": s, "ended_on": e}
                for a, o, t, s, e in roles])


def _resolve_references(conn: Connection, specs: Sequence[ArticleSpec],
                        references: Sequence[set[str]]
                        ) -> tuple[dict[str, int | None], dict[str, Dated]]:
    """Statement references outside their own file (``references``, per file): stored
    ids, or None for statements of an earlier file of this batch (their ids are known
    once they are written); and the dates of the stored ones, for ``warnings_for``
    (read by the same query: ``chronology.stored_dates`` was one more per batch)."""
    resolved: dict[str, int | None] = {}
    dates: dict[str, Dated] = {}
    earlier: dict[str, ArticleSpec] = {}
    statement_keys: dict[str, set[str]] = {}  # of the earlier files references name
    stored_refs: set[str] = set()
    for spec, refs in zip(specs, references, strict=True):
        for ref in refs:
            article_key, key = ref.split("#", 1)
            if article_key in earlier:
                if article_key not in statement_keys:
                    statement_keys[article_key] = {s.key for s in earlier[article_key].statements}
                if key in statement_keys[article_key]:
                    resolved[ref] = None
                    continue
            stored_refs.add(ref)
        earlier[spec.key] = spec
    batch_articles = {spec.key for spec in specs}
    if any(ref.split("#", 1)[0] in batch_articles for ref in stored_refs):
        raise Declined  # a reference to a later file of the batch, or to no statement
    pairs = sorted(tuple(ref.split("#", 1)) for ref in stored_refs)
    for article_key, statement_key, statement_id, stated_on, published in _stored_statements(
            conn, pairs):
        ref = f"{article_key}#{statement_key}"
        if ref in stored_refs:
            resolved[ref] = statement_id
            dates[ref] = Dated(article_key, stated_on, published)
    if any(ref not in resolved for ref in stored_refs):
        raise Declined
    if any(True for spec in specs for s in spec.statements if s.relations
           for relation in SAME_VOICE for target in s.relations.get(relation, ())
           if not target.startswith(f"{spec.key}#")):
        raise Declined  # a correction across files: the file-by-file path checks its voice
    return resolved, dates


# The stored statements that (article key, statement key) pairs name, on PostgreSQL:
# the pairs travel as two arrays and are matched exactly. Matching article keys and
# statement keys each with an IN list fetched every statement of the named articles
# whose key was named in any of them (keys such as "s1" recur): about twelve rows for
# each one wanted.
_STORED_PAIRS = text(
    "SELECT articles.key, statements.key, statements.id, statements.stated_on, "
    "articles.published "
    "FROM unnest(CAST(:articles AS text[]), CAST(:statements AS text[])) AS wanted(a, s) "
    "JOIN articles ON articles.key = wanted.a "
    "JOIN statements ON statements.article_id = articles.id AND statements.key = wanted.s"
)


def _stored_statements(conn: Connection, pairs: Sequence[tuple[str, str]]):
    """(article key, statement key, id, stated_on, published) of the stored statements
    among ``pairs`` (and, on SQLite, others of the same articles, which the caller
    ignores)."""
    if not pairs:
        return
    if conn.dialect.name == "postgresql":
        yield from conn.execute(_STORED_PAIRS, {"articles": [a for a, _ in pairs],
                                                "statements": [s for _, s in pairs]})
        return
    for chunk in _chunks(pairs, 500):
        yield from conn.execute(
            select(Article.key, Statement.key, Statement.id, Statement.stated_on,
                   Article.published)
            .join(Statement, Statement.article_id == Article.id)
            .where(Article.key.in_(sorted({a for a, _ in chunk})),
                   Statement.key.in_(sorted({s for _, s in chunk})))
        )


# The next ``count`` values of a table's id sequence, as one array, in order. The
# sequence is looked up once, as an initplan (the scalar subquery), and handed to
# nextval as a regclass: written inside nextval's argument, pg_get_serial_sequence
# ran again for every id (a catalog lookup each), eight times the cost of the
# nextval calls themselves, and it was most of what the server did for a batch
# beyond storing its rows.
_RESERVED = ("(SELECT array_agg(id ORDER BY id) FROM (SELECT nextval((SELECT CAST("
             "pg_get_serial_sequence(:table_{n}, 'id') AS regclass))) AS id "
             "FROM generate_series(1, :count_{n})) AS reserved_{n})")


def _reserve_ids(conn: Connection, wanted: Sequence[tuple[Any, int]]) -> list[list[int]]:
    """Ids for new rows of each table (``wanted``: table and number of rows), so they
    can be written with a plain executemany or COPY instead of one INSERT ...
    RETURNING per row (SQLite cannot return the ids of a multi-row insert in row
    order). They are the ids the database would have given: on SQLite the write
    lock is held, and a new rowid is one more than the largest; on PostgreSQL they
    come from each column's own sequence, every table's in one round trip."""
    if conn.dialect.name == "postgresql":
        # One array per table rather than a row per id: a tenth of the time to read back.
        sql = "SELECT " + ", ".join(_RESERVED.format(n=n) for n in range(len(wanted)))
        parameters = {}
        for n, (table, count) in enumerate(wanted):
            parameters[f"table_{n}"] = table.name
            parameters[f"count_{n}"] = count
        return [list(ids or ()) for ids in conn.execute(text(sql), parameters).one()]
    reserved = []
    for table, count in wanted:
        if count == 0:
            reserved.append([])
            continue
        largest = conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
        reserved.append(list(range(largest + 1, largest + 1 + count)))
    return reserved


ARTICLE_COLUMNS = ("id", "key", "title", "outlet_id", "url", "published", "language", "text",
                   "content_hash", "imported_at", "retrieved", "archived_url", "note",
                   "independent_origins")
STATEMENT_COLUMNS = ("id", "article_id", "key", "quote", "span_start", "span_end", "kind",
                     "stated_on", "speaker_id", "note", "translated_from", "original", "depth")
# As ``rows.hop_columns`` gives them, after the hop's place in its chain and its actor,
# and before the origin it relays (``claimsdb.format.sourcing``).
HOP_COLUMNS = ("statement_id", "chain", "position", "actor_id", "cue", "mention", "identified",
               "cue_start", "cue_end", "mention_start", "mention_end", "relays_for")
NO_SPAN = (None, None)


def _write_articles(conn: Connection, specs: Sequence[ArticleSpec], actor_ids: dict[str, int],
                    external: dict[str, int | None], meanwhile: Callable[[], None]) -> None:
    """Every row of the batch's articles, table by table. Rows are built as tuples,
    which is what COPY sends (``claimsdb.ingest.pgcopy``): at a hundred thousand
    statements, building a dict per row cost more than PostgreSQL took to store it.

    ``meanwhile`` (work that needs no database) is run once the last statement row
    is sent: on PostgreSQL the server is then still storing the rows that wait in
    the connection's buffers (a batch's statements, with their full-text index, are
    most of its server time), so the work costs the import no time of its own."""
    now = dt.datetime.now(dt.UTC)
    article_ids, reserved = _reserve_ids(conn, [
        (Article.__table__, len(specs)),
        (Statement.__table__, sum(len(spec.statements) for spec in specs))])
    write_tuples(conn, Article.__table__, ARTICLE_COLUMNS, [
        (article_id, spec.key, spec.title, actor_ids[spec.outlet] if spec.outlet else None,
         spec.url, spec.published, spec.language, spec.text, spec.content_hash(), now,
         spec.retrieved, spec.archived_url, spec.note, spec.independent_origins)
        for spec, article_id in zip(specs, article_ids, strict=True)
    ])
    write_tuples(conn, ArticleAuthor.__table__, ("article_id", "position", "actor_id"), [
        (article_id, i, actor_ids[a])
        for spec, article_id in zip(specs, article_ids, strict=True)
        for i, a in enumerate(spec.authors)])
    # article key -> statement key -> id: the batch's statements, in file order
    statement_ids: dict[str, dict[str, int]] = {}
    start = 0
    for spec in specs:
        end = start + len(spec.statements)
        statement_ids[spec.key] = dict(zip([s.key for s in spec.statements],
                                           reserved[start:end], strict=True))
        start = end
    batch = [(spec, article_id, statement_ids[spec.key])
             for spec, article_id in zip(specs, article_ids, strict=True)]

    counting: list[_Counting] = []
    # Rows are made as COPY sends them (generators): on PostgreSQL the server stores
    # each stream's rows as they arrive, so building the next rows here overlaps with
    # its work instead of coming before it.
    def statements() -> Iterator[tuple[Any, ...]]:
        for spec, article_id, ids_by_key in batch:
            for s in spec.statements:
                yield (ids_by_key[s.key], article_id, s.key, s.quote, s.span_start, s.span_end,
                       s.kind, s.stated_on, actor_ids.get(speaker_key(spec, s.chain) or ""),
                       s.note, s.translated_from, s.original,
                       max(map(len, s.chains), default=0))  # sourcing.depth
        meanwhile()
        counting.append(_tally(batch, actor_ids, external, statement_ids))

    def hops() -> Iterator[tuple[Any, ...]]:
        # ``relays_for`` as ``claimsdb.format.sourcing.relays`` gives it, inline: a
        # million statements have two million links. A chain's origin is its last link
        # (the first chain's is the statement's speaker, which is that link); a statement
        # with a chain always has a speaker.
        for spec, _, ids_by_key in batch:
            outlet_id = actor_ids[spec.outlet] if spec.outlet else None
            for s in spec.statements:
                statement_id = ids_by_key[s.key]
                for c, chain in enumerate(s.chains):
                    if not chain:
                        continue
                    ids = [actor_ids[h.actor] for h in chain]
                    origin = ids[-1]
                    for i, h in enumerate(chain):
                        actor = ids[i]
                        yield (statement_id, c, i, actor, h.cue, h.mention,
                               h.identified, *(h.cue_span or NO_SPAN),
                               *(h.mention_span or NO_SPAN),
                               origin if actor != origin and actor != outlet_id else None)

    def about() -> Iterator[tuple[int, int]]:
        for spec, _, ids_by_key in batch:
            for s in spec.statements:
                if s.about:
                    statement_id = ids_by_key[s.key]
                    for a in s.about:
                        yield statement_id, actor_ids[a]

    def relations() -> Iterator[tuple[int, str, int | None]]:
        for spec, _, ids_by_key in batch:
            for s in spec.statements:
                if not s.relations:
                    continue
                statement_id = ids_by_key[s.key]
                for relation, targets in s.relations.items():
                    for target in targets:
                        article_key, key = target.split("#", 1)
                        target_id = (statement_ids.get(article_key, {}).get(key)
                                     or external.get(target))
                        yield statement_id, relation, target_id

    write_tuples(conn, Statement.__table__, STATEMENT_COLUMNS, statements())
    write_tuples(conn, Hop.__table__, HOP_COLUMNS, hops())
    write_tuples(conn, StatementAbout.__table__, ("statement_id", "actor_id"), about())
    write_tuples(conn, Relation.__table__, ("source_id", "type", "target_id"), relations())
    topics: list[dict[str, Any]] = []
    reviews: list[dict[str, Any]] = []
    for spec, _, ids_by_key in batch:
        topics += topic_rows(spec, ids_by_key)
        reviews += review_rows(spec, ids_by_key, actor_ids)
    write_rows(conn, StatementTopic.__table__, topics)
    write_rows(conn, Review.__table__, reviews)
    _keep_counts(conn, counting[0] if counting else
                 _tally(batch, actor_ids, external, statement_ids))


@dataclass
class _Counting:
    """What a batch brings to each actor's kept counts (``claimsdb.query.actor_counts``),
    less the speakers of the stored statements it denies."""

    tally: actor_counts.Tally
    speakers: dict[int, int | None]  # statement id -> speaker id, of the batch
    denials: list[tuple[int, int]]  # (source, target) statement ids


def _tally(batch: Sequence[tuple[ArticleSpec, int, dict[str, int]]],
           actor_ids: dict[str, int], external: dict[str, int | None],
           statement_ids: dict[str, dict[str, int]]) -> _Counting:
    """Count the batch's statements from its specs (no database: run while PostgreSQL
    stores the rows already sent)."""
    tally = actor_counts.Tally()
    speakers: dict[int, int | None] = {}
    denials: list[tuple[int, int]] = []
    denies = RelationType.DENIES.value
    for spec, _, ids_by_key in batch:
        outlet_id = actor_ids[spec.outlet] if spec.outlet else None
        for s in spec.statements:
            statement_id = ids_by_key[s.key]
            speaker_id = actor_ids.get(speaker_key(spec, s.chain) or "")
            speakers[statement_id] = speaker_id
            tally.statement(speaker_id, outlet_id,
                            [[actor_ids[h.actor] for h in chain] for chain in s.chains])
            for target in s.relations.get(denies, ()) if s.relations else ():
                article_key, key = target.split("#", 1)
                target_id = statement_ids.get(article_key, {}).get(key) or external.get(target)
                if target_id is not None:
                    denials.append((statement_id, target_id))
    return _Counting(tally, speakers, denials)


def _keep_counts(conn: Connection, counting: _Counting) -> None:
    """Add a batch's counts to those kept, with the speakers of the stored statements
    it denies read in one query."""
    speakers = counting.speakers
    stored = sorted({target for _, target in counting.denials if target not in speakers})
    for condition in _member_chunks(conn, Statement.id, stored):
        speakers.update((statement_id, speaker_id) for statement_id, speaker_id in
                        conn.execute(select(Statement.id, Statement.speaker_id).where(condition)))
    for source, target in counting.denials:
        counting.tally.denial(speakers[source], speakers[target])
    counting.tally.keep(conn)


__all__ = ["Declined", "import_new_articles"]
