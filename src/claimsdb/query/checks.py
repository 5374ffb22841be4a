"""Integrity checks: what the schema's constraints cannot promise.

Foreign keys, CHECK and UNIQUE constraints keep single rows sane, but a claims
database kept for years can still go wrong in ways no constraint sees: a span that
no longer selects its quote (the text was edited by hand), a chain with a missing
hop, a stored speaker that disagrees with the chain, a ``repeats`` loop, an index
that disagrees with its table after a disk fault, a schema an older claimsdb left
behind. ``check_database`` looks for all of them, reads the database in one
snapshot and changes nothing, and reports every problem it finds, each naming the
article and statement (or table) and what is wrong.

Articles are read in batches (bounded by count and by text size), so checking a
large corpus needs memory for a few batches, not for the database; a large database's
batches are verified in worker processes while the next are read
(``claimsdb.query.article_checks`` holds those checks).
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import signal
from collections import defaultdict, deque
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import aliased

from claimsdb.errors import DatabaseError
from claimsdb.query import actor_counts, kept_sourcing
from claimsdb.query.article_checks import (
    BatchResult,
    BatchRows,
    ignore_interrupts,
    verify_batch,
)
from claimsdb.store.db import (
    SQLITE_READONLY,
    read_connection,
    translate_errors,
)
from claimsdb.store.driver import CompiledQuery
from claimsdb.store.idlists import among_ids, compile_for_ids, rows_for_ids
from claimsdb.store.models import (
    Actor,
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

BATCH_ARTICLES = 200
BATCH_TEXT_BYTES = 32 * 1024 * 1024
IN_CHUNK = 1000
# A database with fewer articles is checked in this process: starting worker processes
# (each a fresh interpreter that imports claimsdb) costs more than they would save.
POOL_MIN_ARTICLES = 500
BATCHES_IN_FLIGHT_PER_WORKER = 2
FTS_REBUILD_ADVICE = ("rebuild it with: sqlite3 DB \"INSERT INTO statements_fts(statements_fts) "
                      "VALUES ('rebuild')\"")


@dataclass(frozen=True)
class Finding:
    """One integrity problem: where it is and what is wrong."""

    check: str  # "schema", "storage", "span", "chain", "speaker", "relation", ...
    where: str  # "article 'k', statement 's'", "table 'relations'", "database"
    message: str

    def describe(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class CheckReport:
    database: str
    findings: list[Finding] = field(default_factory=list)
    # Not damage, but data worth a look (links whose dates run backwards): listed
    # apart from the findings and not failing the check (``claimsdb check --strict``
    # fails on them too).
    warnings: list[Finding] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    # What was verified beyond the row checks, and what could not be (and why).
    verified: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    def add(self, check: str, where: str, message: str) -> None:
        self.findings.append(Finding(check, where, message))

    def summary(self) -> str:
        counted = ", ".join(_plural(n, name) for name, n in self.counts.items())
        if self.ok:
            head = f"{self.database}: no problems found"
        else:
            count = len(self.findings)
            head = f"{self.database}: {count} problem{'s' if count != 1 else ''} found"
        if self.warnings:
            count = len(self.warnings)
            head += f", {count} warning{'s' if count != 1 else ''}"
        lines = [head + (f" ({counted} checked)" if counted else "")]
        lines += [f"  - {finding.describe()}" for finding in self.findings]
        lines += [f"  warning: {finding.describe()}" for finding in self.warnings]
        lines += [f"  ok: {item}" for item in self.verified] if self.ok else []
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)


def check_database(engine: Engine, *, workers: int = 1) -> CheckReport:
    """Run every check and return the findings; never writes to the database.

    ``workers``: processes that verify a large database's articles while this one
    reads them (``_verified_in_pool``); 1, the default, verifies them here, 0 starts
    one per CPU. Worker processes are opt-in because a spawned worker imports the
    calling program's main module: the ``claimsdb`` command asks for them, a script
    that does must guard its own work with ``if __name__ == "__main__"``.

    A database too damaged to read at all is a finding too (not a crash): each group
    of checks runs in its own savepoint, and what it could not read is reported.
    """
    report = CheckReport(_describe(engine))
    try:
        with read_connection(engine) as conn:
            if not _schema(conn, report):
                return report  # the rest would only report the schema's differences again
            storage = _sqlite_storage if conn.dialect.name == "sqlite" else _postgres_storage
            for name, run in (("storage", storage), ("orphan", _orphans),
                              ("article", functools.partial(_articles, workers=workers)),
                              ("repeats", _repeat_cycles),
                              ("circular reporting", _circular_reporting),
                              ("dates", _backwards_links),
                              ("actor counts", _actor_counts),
                              ("sourcing", _kept_sourcing)):
                _guarded(conn, report, name, run)
        if engine.dialect.name == "sqlite":
            try:
                _sqlite_search_index(engine, report)
            except DatabaseError as error:  # a writer held the lock past the busy timeout
                report.notes.append(f"full-text index not checked: {error}")
    except sa_exc.DBAPIError as error:
        advice = ("; restore it from a backup, or salvage what is readable with: "
                  f"sqlite3 {report.database} .recover > recovered.sql"
                  if engine.dialect.name == "sqlite" else "")
        report.add("storage", "database", f"cannot be read: {_first_line(error)}{advice}")
    return report


def _guarded(conn: Connection, report: CheckReport, name: str, run) -> None:
    savepoint = conn.begin_nested()
    try:
        run(conn, report)
    except sa_exc.DBAPIError as error:
        savepoint.rollback()
        report.add("storage", "database",
                   f"the {name} checks could not read the database: {_first_line(error)}")
    else:
        savepoint.commit()


def _first_line(error: sa_exc.DBAPIError) -> str:
    text_ = str(error.orig).strip()
    return text_.splitlines()[0] if text_ else type(error.orig).__name__


def _describe(engine: Engine) -> str:
    from claimsdb.store.db import describe_database

    return describe_database(engine)


def _schema(conn: Connection, report: CheckReport) -> bool:
    from claimsdb.store import migrate

    try:
        migrate.require_current_schema(conn)
    except DatabaseError as error:
        report.add("schema", "database", str(error))
        return False
    report.verified.append(f"schema at the migrations' head ({migrate.head_revision()})")
    return True


# -- the storage layer ---------------------------------------------------------------------

def _sqlite_storage(conn: Connection, report: CheckReport) -> None:
    rows = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check").fetchall()]
    if rows != ["ok"]:
        for row in rows:
            report.add("storage", "database file", f"SQLite integrity_check: {row}")
    else:
        report.verified.append("SQLite integrity_check")
    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    for table, rowid, parent, _fk in broken[:100]:
        report.add("storage", f"table '{table}'",
                   f"row {rowid} refers to a row of '{parent}' that does not exist")
    if len(broken) > 100:
        report.add("storage", "database", f"{len(broken) - 100:,} more rows with broken "
                   "foreign keys (PRAGMA foreign_key_check lists them all)")
    if not broken:
        report.verified.append("SQLite foreign_key_check")


def _sqlite_search_index(engine: Engine, report: CheckReport) -> None:
    """FTS5's own check compares the index with the quotes it was built from. SQLite
    runs it under a write lock, so it gets its own short transaction (other writers
    wait for it, readers do not)."""
    with translate_errors(engine), engine.connect() as conn, conn.begin():
        if not inspect(conn).has_table("statements_fts"):
            report.notes.append("no full-text index (this SQLite lacks FTS5); nothing to check")
            return
        try:
            conn.exec_driver_sql(
                "INSERT INTO statements_fts(statements_fts, rank) VALUES ('integrity-check', 1)"
            )
        except sa_exc.OperationalError as error:
            if (getattr(error.orig, "sqlite_errorcode", 0) or 0) & 0xFF == SQLITE_READONLY:
                from claimsdb.store.sqlite_access import why_not_writable

                reason = why_not_writable(Path(engine.url.database or ""))
                report.notes.append("full-text index not checked: FTS5's check needs to "
                                    f"write, and {reason or 'the database is read-only'}")
                return
            if "locked" not in str(error.orig):
                raise
            report.notes.append("full-text index not checked: a writer held the database "
                                "longer than the busy timeout; run the check again later")
            return
        except sa_exc.DatabaseError as error:
            report.add("search-index", "table 'statements_fts'",
                       f"the full-text index does not match the statements' quotes "
                       f"({error.orig}); {FTS_REBUILD_ADVICE}")
            return
    report.verified.append("full-text index matches the quotes (FTS5 integrity-check)")


def _postgres_storage(conn: Connection, report: CheckReport) -> None:
    """PostgreSQL has no integrity_check; amcheck's bt_index_check (with heapallindexed)
    verifies each B-tree index and that it indexes every row of its table."""
    installed = conn.execute(
        text("SELECT 1 FROM pg_extension WHERE extname = 'amcheck'")
    ).scalar()
    if not installed:
        report.notes.append(
            "PostgreSQL index structure not verified: the amcheck extension is not "
            "installed in this database (a superuser can run CREATE EXTENSION amcheck)"
        )
        return
    indexes = conn.execute(text(
        "SELECT c.relname, c.oid FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid "
        "JOIN pg_am am ON am.oid = c.relam "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE am.amname = 'btree' AND n.nspname = current_schema() ORDER BY c.relname"
    )).all()
    bad = 0
    for name, oid in indexes:
        savepoint = conn.begin_nested()
        try:
            conn.execute(text("SELECT bt_index_check(:oid, true)"), {"oid": oid})
            savepoint.commit()
        except sa_exc.DBAPIError as error:
            savepoint.rollback()
            bad += 1
            report.add("storage", f"index '{name}'", f"amcheck bt_index_check: "
                       f"{_first_line(error)}; rebuild it with REINDEX INDEX {name}")
    if not bad:
        report.verified.append(f"amcheck bt_index_check on {len(indexes)} B-tree indexes")


def _orphans(conn: Connection, report: CheckReport) -> None:
    """Rows whose parent is gone. Foreign keys prevent these while they are enforced;
    a SQLite file written with foreign keys off (by another tool) can still hold them."""
    target = aliased(Statement)
    source = aliased(Statement)
    for side, alias, column in (("target", target, Relation.target_id),
                                ("source", source, Relation.source_id)):
        rows = conn.execute(
            select(Relation.id, Relation.type, column)
            .outerjoin(alias, alias.id == column)
            .where(alias.id.is_(None)).limit(100)
        ).all()
        for relation_id, kind, missing in rows:
            report.add("relation", f"relation {relation_id} ({kind})",
                       f"its {side} statement (id {missing}) does not exist")
    hop_statement = aliased(Statement)
    for statement_id, position in conn.execute(
        select(Hop.statement_id, Hop.position)
        .outerjoin(hop_statement, hop_statement.id == Hop.statement_id)
        .where(hop_statement.id.is_(None)).limit(100)
    ):
        report.add("chain", f"hop {position} of statement id {statement_id}",
                   "belongs to a statement that does not exist")
    for statement_id, key, article_id in conn.execute(
        select(Statement.id, Statement.key, Statement.article_id)
        .outerjoin(Article, Article.id == Statement.article_id)
        .where(Article.id.is_(None)).limit(100)
    ):
        report.add("statement", f"statement '{key}' (id {statement_id})",
                   f"belongs to article id {article_id}, which does not exist")


def _actor_counts(conn: Connection, report: CheckReport) -> None:
    """Each actor's kept counts (``claimsdb actors``) against the same counts counted
    again from its statements, chains and relations (``claimsdb.query.actor_counts``).
    Every import keeps them in step; a write by another tool does not."""
    differ = actor_counts.disagreements(conn)
    if not differ:
        return
    keys = dict(conn.execute(select(Actor.id, Actor.key).where(
        Actor.id.in_([actor_id for actor_id, _, _ in differ[:100]]))).all())
    for actor_id, kept, counted in differ[:100]:
        report.add("actor counts", f"actor '{keys.get(actor_id, actor_id)}'",
                   f"kept as {_counts(kept)}, but its rows count {_counts(counted)}; "
                   "count them again with: claimsdb init --recount")
    if len(differ) > 100:
        report.add("actor counts", "database", f"{len(differ) - 100:,} more actors' "
                   "kept counts differ; count them again with: claimsdb init --recount")


def _kept_sourcing(conn: Connection, report: CheckReport) -> None:
    """Each statement's depth, each link's relayed origin and each article's
    independent origins, as its import stored them for ``claimsdb sources``, against
    the same worked out again from the statements and hops
    (``claimsdb.query.kept_sourcing``)."""
    shown = 0
    for difference in kept_sourcing.differences(conn):
        shown += 1
        if shown > 100:
            continue
        report.add("sourcing", difference.where,
                   f"{difference.what}: stored as {_value(difference.stored)}, but its rows "
                   f"say {_value(difference.expected)}; work them out again with: "
                   "claimsdb init --recount")
    if shown > 100:
        report.add("sourcing", "database", f"{shown - 100:,} more stored sourcing measures "
                   "differ from their rows; work them out again with: claimsdb init --recount")


def _value(value: int | None) -> str:
    return "none" if value is None else str(value)


def _counts(values: tuple[int, ...]) -> str:
    originated, relayed, issued, received = values
    return (f"{originated} originated, {relayed} relayed, {issued} denials issued, "
            f"{received} received")


# -- articles, statements and chains -------------------------------------------------------

def _article_batches(conn: Connection) -> Iterator[list[Any]]:
    size = func.octet_length(Article.text) if conn.dialect.name == "postgresql" \
        else func.length(func.cast(Article.text, _blob()))
    batch: list[int] = []
    weight = 0
    for article_id, length in conn.execute(select(Article.id, size).order_by(Article.id)).all():
        if batch and (len(batch) >= BATCH_ARTICLES or weight + (length or 0) > BATCH_TEXT_BYTES):
            yield batch
            batch, weight = [], 0
        batch.append(article_id)
        weight += length or 0
    if batch:
        yield batch


def _blob():
    from sqlalchemy import LargeBinary

    return LargeBinary()


def _articles(conn: Connection, report: CheckReport, *, workers: int = 1) -> None:
    """Each batch is read here, inside the check's one read transaction (so every
    check sees one snapshot), and verified by ``article_checks.verify_batch``: in this
    process for a small database or ``workers`` 1, in worker processes for a large
    one. The findings are added in batch order either way, so the report is the same."""
    batches = list(_article_batches(conn))
    queries = _BatchQueries(conn.dialect)
    reads = (_read_batch(conn, queries, ids) for ids in batches)
    workers = workers or os.cpu_count() or 1
    if workers == 1 or sum(len(ids) for ids in batches) < POOL_MIN_ARTICLES:
        results: Iterator[BatchResult] = map(verify_batch, reads)
    else:
        results = _verified_in_pool(reads, workers)
    counts = {"articles": 0, "statements": 0, "hops": 0, "relations": 0}
    for result in results:
        for check, where, message in result.findings:
            report.add(check, where, message)
        counts["articles"] += result.articles
        counts["statements"] += result.statements
        counts["hops"] += result.hops
        counts["relations"] += result.relations
    report.counts.update(counts)


def _verified_in_pool(reads: Iterator[BatchRows], workers: int) -> Iterator[BatchResult]:
    """The batches' results in their order, verified by a pool of worker processes
    while this process reads the next batches; at most a few batches in flight, so
    memory stays that of a few batches however large the database.

    The workers are started with ``spawn``: a fresh interpreter that imports
    ``claimsdb.query.article_checks`` and inherits nothing. ``fork`` would copy this
    process's open SQLite connection (whose file locks SQLite does not carry across a
    fork) and psycopg connection (whose socket a child closing it would end for the
    parent too), and forking a process that runs threads (the pool's own) is unsafe;
    ``forkserver`` starts clean too but exists on Unix only and saves nothing for one
    pool per check. (A spawned worker imports the program's main module as
    ``multiprocessing`` does, which is why the pool is opt-in: see
    ``check_database``.) Workers
    ignore Ctrl-C: the interrupt reaches this process, which
    cancels what is queued, waits for the batches being verified (a moment) and lets
    the interrupt end the command as usual, leaving no process behind. A worker that
    dies (killed, out of memory) breaks the pool; its batches and the rest are then
    verified here, with the same result.
    """
    with _interrupts_held():
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=ignore_interrupts)
    pending: deque[tuple[Future[BatchResult] | None, BatchRows]] = deque()
    try:
        while True:
            try:
                rows = next(reads)
            except StopIteration:
                break
            except Exception:
                # What was read before the failure is reported, as when checked here.
                while pending:
                    yield _result(*pending.popleft())
                raise
            pending.append((_submit(pool, rows), rows))
            while len(pending) >= workers * BATCHES_IN_FLIGHT_PER_WORKER:
                yield _result(*pending.popleft())
        while pending:
            yield _result(*pending.popleft())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _submit(pool: ProcessPoolExecutor, rows: BatchRows) -> Future[BatchResult] | None:
    try:
        with _interrupts_held():  # a submit may start a worker
            return pool.submit(verify_batch, rows)
    except BrokenProcessPool:
        return None  # verified here (``_result``)


@contextmanager
def _interrupts_held() -> Iterator[None]:
    """Ctrl-C held back (delivered when this ends) while workers may be started: a
    worker started meanwhile begins with it blocked, and so cannot be interrupted while
    it starts up, before its initializer ignores it (as ``multiprocessing`` starts its
    resource tracker)."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows: no process group gets Ctrl-C
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def _result(future: Future[BatchResult] | None, rows: BatchRows) -> BatchResult:
    if future is not None:
        try:
            return future.result()
        except BrokenProcessPool:
            pass
    return verify_batch(rows)


class _BatchQueries:
    """The queries that read one batch, built and compiled once per check and run on
    the driver's cursor, each taking its ids as one parameter
    (``claimsdb.store.idlists``): through ``conn.execute`` two thirds of the checking
    process's reading was SQLAlchemy writing out each IN list and building result
    rows (at 1M statements, reading is what the workers wait for)."""

    def __init__(self, dialect: Dialect) -> None:
        def member(column):
            return among_ids(column, dialect)

        outlet, speaker = aliased(Actor), aliased(Actor)
        target, target_article = aliased(Statement), aliased(Article)
        self.articles = (
            select(Article.id, Article.key, Article.title, Article.url, Article.published,
                   Article.language, Article.text, Article.content_hash, Article.outlet_id,
                   Article.retrieved, Article.archived_url, Article.note,
                   outlet.key.label("outlet_key"))
            .outerjoin(outlet, outlet.id == Article.outlet_id)
            .where(member(Article.id)).order_by(Article.id))
        self.statements = (
            select(Statement.article_id, Statement.id, Statement.key, Statement.quote,
                   Statement.span_start, Statement.span_end, Statement.kind,
                   Statement.stated_on, Statement.speaker_id, Statement.note,
                   speaker.key.label("speaker_key"), Statement.translated_from,
                   Statement.original)
            .outerjoin(speaker, speaker.id == Statement.speaker_id)
            .where(member(Statement.article_id)).order_by(Statement.id))
        self.hops = (
            select(Hop.statement_id, Hop.chain, Hop.position, Hop.actor_id, Hop.cue,
                   Hop.mention, Hop.identified, Hop.cue_start, Hop.cue_end,
                   Hop.mention_start, Hop.mention_end, Actor.key.label("actor_key"))
            .join(Actor, Actor.id == Hop.actor_id)
            .where(member(Hop.statement_id))
            .order_by(Hop.statement_id, Hop.chain, Hop.position))
        self.about = (
            select(StatementAbout.statement_id, Actor.key)
            .join(Actor, Actor.id == StatementAbout.actor_id)
            .where(member(StatementAbout.statement_id)))
        self.relations = (
            select(Relation.source_id, Relation.type, target_article.key.label("article_key"),
                   target.key.label("statement_key"),
                   target.speaker_id.label("target_speaker_id"),
                   target_article.outlet_id.label("target_outlet_id"))
            .join(target, target.id == Relation.target_id)
            .join(target_article, target_article.id == target.article_id)
            .where(member(Relation.source_id)))
        self.topics = (
            select(StatementTopic.statement_id, StatementTopic.topic)
            .where(member(StatementTopic.statement_id)))
        self.reviews = (
            select(Review.statement_id, Actor.key.label("by"), Review.rating, Review.url,
                   Review.reviewed_on, Review.summary)
            .join(Actor, Actor.id == Review.reviewer_id)
            .where(member(Review.statement_id))
            .order_by(Review.statement_id, Review.position))
        self.authors = (
            select(ArticleAuthor.article_id, ArticleAuthor.position, Actor.key)
            .join(Actor, Actor.id == ArticleAuthor.actor_id)
            .where(member(ArticleAuthor.article_id))
            .order_by(ArticleAuthor.article_id, ArticleAuthor.position))
        for name in ("articles", "statements", "hops", "about", "relations", "topics",
                     "reviews", "authors"):
            setattr(self, name, compile_for_ids(getattr(self, name), dialect))


def _read_batch(conn: Connection, queries: _BatchQueries, ids: list[int]) -> BatchRows:
    """One batch of articles with every row that belongs to them, as plain tuples in
    the columns ``article_checks`` describes (picklable, for a worker process)."""
    statements = _rows(conn, queries.statements, ids)
    # Statement ids grouped by article, as the statements are checked (the IN lists
    # below follow that order, as they always have).
    by_article: dict[int, list[int]] = {}
    for row in statements:
        by_article.setdefault(row[0], []).append(row[1])
    statement_ids = [id_ for group in by_article.values() for id_ in group]
    return BatchRows(
        articles=_rows(conn, queries.articles, ids),
        statements=statements,
        hops=_in_chunks(conn, queries.hops, statement_ids),
        about=_in_chunks(conn, queries.about, statement_ids),
        relations=_in_chunks(conn, queries.relations, statement_ids),
        topics=_in_chunks(conn, queries.topics, statement_ids),
        reviews=_in_chunks(conn, queries.reviews, statement_ids),
        authors=_rows(conn, queries.authors, ids),
    )


def _rows(conn: Connection, query: CompiledQuery, ids: list[int]) -> list[tuple[Any, ...]]:
    return rows_for_ids(conn, query, ids)


def _in_chunks(conn: Connection, query, ids: list[int]) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(ids), IN_CHUNK):
        rows += _rows(conn, query, ids[start:start + IN_CHUNK])
    return rows


# -- relations across articles -------------------------------------------------------------

def _repeat_cycles(conn: Connection, report: CheckReport) -> None:
    graph: dict[int, list[int]] = defaultdict(list)
    for source, target in conn.execute(
        select(Relation.source_id, Relation.target_id)
        .where(Relation.type == RelationType.REPEATS.value)
    ):
        graph[source].append(target)
    loops = strongly_connected(graph)
    if not loops:
        return
    members = sorted({node for loop in loops for node in loop})
    names: dict[int, str] = {}
    for start in range(0, len(members), IN_CHUNK):
        for statement_id, article_key, key in conn.execute(
            select(Statement.id, Article.key, Statement.key)
            .join(Article, Article.id == Statement.article_id)
            .where(Statement.id.in_(members[start:start + IN_CHUNK]))
        ):
            names[statement_id] = f"{article_key}#{key}"
    for loop in loops:
        path = " -> ".join(names.get(n, f"id {n}") for n in [*loop, loop[0]])
        report.add("repeats", f"statement {names.get(loop[0], loop[0])}",
                   f"'repeats' links form a cycle ({path}); repeats must point toward the "
                   "origin, so one of these links is wrong")


def _backwards_links(conn: Connection, report: CheckReport) -> None:
    """``repeats`` of a later article, denials dated before what they deny
    (``claimsdb.store.chronology``): warnings, since the data may be odd but true."""
    from claimsdb.store.chronology import JUDGED, Dated, backwards

    source, target = aliased(Statement), aliased(Statement)
    source_article, target_article = aliased(Article), aliased(Article)
    rows = conn.execute(
        select(Relation.type, source_article.key, source.key, source.stated_on,
               source_article.published, target_article.key, target.key, target.stated_on,
               target_article.published)
        .join(source, source.id == Relation.source_id)
        .join(source_article, source_article.id == source.article_id)
        .join(target, target.id == Relation.target_id)
        .join(target_article, target_article.id == target.article_id)
        .where(Relation.type.in_(JUDGED))
        .order_by(source_article.key, source.key, Relation.type, target_article.key,
                  target.key)
    )
    for kind, s_article, s_key, s_stated, s_published, t_article, t_key, t_stated, \
            t_published in rows:
        why = backwards(kind, Dated(s_article, s_stated, s_published),
                        Dated(t_article, t_stated, t_published))
        if why:
            report.warnings.append(Finding(
                "dates", f"article '{s_article}', statement '{s_key}', field '{kind}'",
                f"{kind} '{t_article}#{t_key}': this statement {why}"))


def _circular_reporting(conn: Connection, report: CheckReport) -> None:
    """Outlets citing each other and chains that come back to an actor are findings
    about the reporting, not damage to the database: noted, not failed. (A ``repeats``
    cycle is reported above as a problem.)"""
    from claimsdb.query.tracing import find_loops

    for loop in find_loops(conn):
        if loop.kind != "repeats":
            report.notes.append(f"circular reporting in {', '.join(loop.statements)}: "
                                f"{loop.describe()} (see 'claimsdb loops')")


def strongly_connected(graph: Mapping[int, list[int]]) -> list[list[int]]:
    """Every cycle's members (Tarjan's strongly connected components with more than one
    node, iterative so a long chain of repeats cannot exhaust the stack), each ordered
    along a path of the cycle."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    components: list[list[int]] = []
    counter = 0
    for root in list(graph):
        if root in index:
            continue
        work = [(root, iter(graph.get(root, ())))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph.get(child, ()))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(_cycle_order(component, graph))
    return components


def _cycle_order(component: list[int], graph: Mapping[int, list[int]]) -> list[int]:
    """The shortest cycle through the component's smallest node (breadth-first; one
    exists because every member reaches every other), for a readable message."""
    inside = set(component)
    start = min(component)
    parent: dict[int, int] = {start: start}
    queue = [start]
    for node in queue:
        for child in graph.get(node, ()):
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(parent[path[-1]])
                return path[::-1]
            if child in inside and child not in parent:
                parent[child] = node
                queue.append(child)
    return sorted(component)  # pragma: no cover - unreachable for a real component


def _plural(count: int, name: str) -> str:
    return f"{count:,} {name if count != 1 else name.removesuffix('s')}"
