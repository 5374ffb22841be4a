"""claimsdb from Python: one object for a database, with everything the command line does.

Every front end calls this: the command line parses options, makes a call here (or to
the layer below) and renders what comes back; the workbench will do the same. So it
returns typed results and never prints or exits: progress goes to a callback, problems
are ``claimsdb.errors.ClaimsError`` subclasses carrying what a user needs.

Each question opens one read transaction, so what it returns is one consistent
snapshot. ``docs/python.md`` has runnable examples (a test runs them).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from claimsdb.draft.actors import KnownActor
    from claimsdb.draft.documents import Document
    from claimsdb.draft.drafting import ArticleDraft
    from claimsdb.format.articles import ArticleBytes, ArticleSpec, read_article, read_stream
    from claimsdb.format.seeds import article_files, seed_files
    from claimsdb.ingest.adding import AddReport, DatabaseNotice, Outcome
    from claimsdb.ingest.importer import ImportResult
    from claimsdb.output.export import ActorRow, ArticleRow
    from claimsdb.output.export_result import ExportResult
    from claimsdb.query import checks, queries, tracing
    from claimsdb.query.finding import FoundActor
    from claimsdb.query.queries import StatementFilter
    from claimsdb.query.topics import TopicSummary
    from claimsdb.store.backup import BackupResult
    from claimsdb.store.copying import CopyResult
    from claimsdb.store.driver import DriverConnection

# Every import below is made inside the call that needs it: the command line opens
# its database through this module, and a command that only reads must not pay for
# the YAML reader, the importer or the integrity checks. The helpers a Python user
# reaches through this module load the same way (``__getattr__`` at the end).

__all__ = [
    "AddReport",
    "ArticleDraft",
    "Database",
    "DatabaseNotice",
    "ExportResult",
    "StatementFilter",
    "article_files",
    "draft_article",
    "open",
    "read_article",
    "read_document",
    "read_stream",
    "save_draft",
    "seed_files",
]


# Driver connections kept for threads other than the first (``_hand_back_driver``): as
# many as a web server's requests usually run at once.
_SPARE_DRIVERS = 4
_SPARES_LOCK = threading.Lock()


class Database:
    """A claimsdb database, named by a SQLite path or a SQLAlchemy URL (``None``: the
    ``$CLAIMSDB_DB`` variable or ``claims.db``, as on the command line).

    Nothing is opened until the first call, and a SQLite file is created only by a
    call that writes (``init``, ``add``): a question or a dry run on a missing file
    is an error or a check against nothing, never a new empty file.
    """

    def __init__(self, target: str | Path | None = None):
        self.target = str(target) if target is not None else None
        self._engine: Engine | None = None
        self._driver: DriverConnection | None = None  # for questions asked without SQLAlchemy
        self._driver_thread: int | None = None
        # Driver connections other threads (a web server's) opened and handed back, for
        # the next question of any thread: one thread at a time uses each.
        self._spare_drivers: list[DriverConnection] = []
        self._driver_busy = False  # a list is being read on it

    def engine(self, *, create: bool = True) -> Engine:
        """The SQLAlchemy engine (made once); ``create=False`` refuses a missing file."""
        if self._engine is None:
            from claimsdb.store.db import make_engine

            self._engine = make_engine(self.target, create=create)
        return self._engine

    @property
    def opened_engine(self) -> Engine | None:
        """The engine if a call has made it (for describing a failure), else None."""
        return self._engine

    def close(self) -> None:
        """Close the pooled connections. The engine is kept: a later call (or an error
        message describing the database) may still use it, and reconnects."""
        if self._engine is not None:
            self._engine.dispose()
        self._close_driver()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- creating and writing ---------------------------------------------------------

    def init(self) -> tuple[str | None, str]:
        """Create the schema, or upgrade it to this version of claimsdb; the schema
        version before (``None``: there was none) and after. Safe at any time."""
        from claimsdb.store import migrate

        return migrate.upgrade(self.engine(create=True))

    upgrade = init

    def recount_actors(self) -> int:
        """Count every actor's statements and denials again from the stored rows and
        keep only those counts (``claimsdb init --recount``: what ``check`` advises
        when kept counts disagree, after another tool wrote to the database); the
        number of actors counted."""
        from claimsdb.query import actor_counts
        from claimsdb.store.db import write_transaction

        with write_transaction(self.engine()) as conn:
            return actor_counts.recount(conn)

    def recount_sourcing(self) -> int:
        """Work out again what each import stored of its articles' sourcing (statement
        depths, the origin each link relays, independent origins) and write it where
        it differs (``claimsdb init --recount``); the number of values written."""
        from claimsdb.query import kept_sourcing
        from claimsdb.store.db import write_transaction

        with write_transaction(self.engine()) as conn:
            return kept_sourcing.recount(conn)

    def schema_changes(self, before: str | None, after: str) -> list[tuple[str, str]]:
        """What an ``init`` that went from schema version ``before`` to ``after`` did:
        each migration's revision and one-line summary, oldest first (none when the
        database was up to date), so an upgrade can be explained to its user."""
        from claimsdb.store import migrate

        return [] if before == after else migrate.steps_between(before, after)

    def add(self, items: Iterable[str | Path | ArticleBytes] | str | Path, *,
            replace: bool = False, dry_run: bool = False, batch: int = 1,
            update_actors: bool = False, keep_going: bool = False,
            on_progress: Callable[[Outcome | DatabaseNotice], None] | None = None
            ) -> AddReport:
        """Import article files: paths or ``ArticleBytes`` (an article read from a
        stream with ``read_stream``). ``article_files`` turns folders into the article
        files in them, as the command line does.

        The options are ``claimsdb add``'s: ``replace`` overwrites a stored article
        whose content changed; ``dry_run`` checks everything and writes nothing;
        ``batch`` files per transaction (with worker processes parsing ahead);
        ``update_actors`` lets the files correct stored actors; ``keep_going``
        reports every failing file instead of raising the first. ``on_progress``
        gets each file's outcome as soon as the transaction holding it has committed
        (without ``batch``, several files share a transaction of at most half a
        second, each in its own savepoint).
        """
        from claimsdb.format.articles import ArticleBytes
        from claimsdb.ingest.prefetch import start_parsing

        if isinstance(items, str | Path):
            items = [items]
        files = [item if isinstance(item, ArticleBytes) else Path(item) for item in items]
        # The parsing workers start before the importer (and SQLAlchemy) is loaded:
        # they come up on another core meanwhile. add_files closes them.
        started = start_parsing(files, batch=batch, dry_run=dry_run)
        try:
            from claimsdb.ingest.adding import add_files
        except BaseException:
            if started[1] is not None:
                started[1].close()
            raise
        return add_files(self.target, files, engine=lambda: self.engine(create=True),
                         replace=replace, dry_run=dry_run, batch=batch,
                         update_actors=update_actors, keep_going=keep_going,
                         on_progress=on_progress, started=started)

    def seed(self, *, replace: bool = False, **options: Any) -> AddReport:
        """Import the bundled seed articles (``claimsdb seed``); options as for ``add``.

        A seed article stored exactly as an earlier release bundled it is replaced by
        this release's version (a database seeded before an upgrade gets the current
        annotation; nobody's work is in the old one), reported as replaced. One stored
        with other content was changed after seeding: it is left alone and
        ``SeedConflict`` raised, unless ``replace``, which overwrites it as ``add``'s
        does (relations other articles make to its statements are kept).
        """
        from claimsdb.errors import ArticleConflict, SeedConflict
        from claimsdb.format.seeds import earlier_seed_versions, seed_files

        try:
            return self.add(seed_files(), replace=replace or earlier_seed_versions(),
                            **options)
        except SeedConflict:
            raise
        except ArticleConflict as conflict:
            raise SeedConflict(f"seed {Path(str(conflict.source)).name}",
                               conflict.key) from None

    def add_article(self, spec: ArticleSpec, *, replace: bool = False,
                    dry_run: bool = False, update_actors: bool = False) -> ImportResult:
        """Import one parsed article (``read_article``, ``parse_article``) in its own
        transaction; its ``ImportResult``."""
        from claimsdb.ingest.importer import import_spec
        from claimsdb.store import opening

        engine = self.engine(create=True)
        opening.prepare_for_writing(engine)
        return import_spec(engine, spec, replace=replace, dry_run=dry_run,
                           update_actors=update_actors)

    # -- questions ----------------------------------------------------------------------

    @contextlib.contextmanager
    def reading(self) -> Iterator[Connection]:
        """One read transaction at the current schema: everything asked through the
        connection sees one snapshot (``claimsdb.query`` functions take it)."""
        from claimsdb.store import opening
        from claimsdb.store.db import read_connection

        engine = self.engine(create=False)
        opening.require_readable(engine)
        with read_connection(engine) as conn:
            yield conn

    @contextlib.contextmanager
    def _streaming(self, rows: Callable[[Connection], Iterator[Any]]) -> Iterator[Iterator[Any]]:
        with self.reading() as conn:
            yield rows(conn)

    def stream_statements(self, flt: StatementFilter | None = None
                          ) -> contextlib.AbstractContextManager[Iterator[queries.StatementView]]:
        """``statements`` in constant memory: a context manager giving an iterator that
        reads in batches from one snapshot, open until the ``with`` block ends.

        Answered on the database driver, without loading SQLAlchemy, wherever that
        gives the same answer (``claimsdb.query.listpath``)."""
        from claimsdb.query import listpath

        def full_way(conn: Connection) -> Iterator[queries.StatementView]:
            from claimsdb.query import queries

            return queries.iter_statements(conn, flt)

        return self._listing(lambda conn: listpath.statements(conn, flt), full_way)

    def stream_denials(self, flt: StatementFilter | None = None, *, by: str | None = None,
                       type: str = "denies",
                       ) -> contextlib.AbstractContextManager[Iterator[queries.DenialView]]:
        """``denials`` in constant memory, as ``stream_statements``."""
        from claimsdb.query import listpath

        def full_way(conn: Connection) -> Iterator[queries.DenialView]:
            from claimsdb.query import queries

            return queries.iter_denials(conn, flt, by=by, type=type)

        return self._listing(lambda conn: listpath.denials(conn, flt, by=by, type=type),
                             full_way)

    @contextlib.contextmanager
    def _listing(self, on_driver: Callable[[DriverConnection], Iterator[Any]],
                 full_way: Callable[[Connection], Iterator[Any]]) -> Iterator[Iterator[Any]]:
        """A list read on the driver (``on_driver`` decides the filter before it reads,
        or raises ``NotOnDriver``), else the full way, through SQLAlchemy. A driver
        error, also one raised while the caller iterates, comes out as the engine
        would have reported it."""
        from claimsdb.store import driver

        connection = None
        try:
            connection = self._driver_connection()
            with connection.reading() as conn:
                try:
                    items = on_driver(conn)
                except driver.NotOnDriver:
                    items = None
                if items is not None:
                    # (the connection is in use until the list is done: a question asked
                    # meanwhile, in this thread, gets a connection of its own)
                    kept, self._driver_busy = self._driver_busy, connection is self._driver
                    try:
                        yield items
                    finally:
                        self._driver_busy = kept
                        items.close()  # its cursor, inside the transaction it reads in
                    return
        except driver.NotOnDriver:
            pass
        except Exception as error:
            if not driver.is_driver_error(error):
                raise
            failed = connection.last_sql if connection is not None else None
            self._drop_failed(connection)
            connection = None
            from claimsdb.store.db import driver_failure

            raise driver_failure(self.engine(create=False), error, failed) from None
        finally:
            if connection is not None and connection is not self._driver:
                self._hand_back_driver(connection)
        with self._streaming(full_way) as items:
            yield items

    def stream_actors(self, *, kind: str | None = None, identified: str | None = None,
                      limit: int | None = None
                      ) -> contextlib.AbstractContextManager[Iterator[ActorRow]]:
        """``actors`` in constant memory, each with its stored definition (aliases,
        roles, description): the rows of ``claimsdb actors`` and ``export --table actors``."""
        from claimsdb.output.export import with_definitions
        from claimsdb.query import queries

        return self._streaming(lambda conn: with_definitions(conn, queries.list_actors(
            conn, kind=kind, identified=identified, limit=limit)))

    def stream_articles(self, *, limit: int | None = None,
                        having: StatementFilter | None = None
                        ) -> contextlib.AbstractContextManager[Iterator[ArticleRow]]:
        """``articles`` in constant memory, each with its authors: the rows of
        ``claimsdb articles`` and ``export --table articles``. ``having``: only
        articles with a statement this filter matches (its ``limit`` is ignored)."""
        from claimsdb.output.export import with_authors
        from claimsdb.query import queries

        def rows(conn: Connection) -> Iterator[ArticleRow]:
            where = None
            if having is not None:
                import dataclasses

                flt = dataclasses.replace(having, limit=None)
                where = queries.articles_with_statements(conn, flt)
            return with_authors(conn, queries.list_articles(conn, limit=limit, where=where))

        return self._streaming(rows)

    def chain(self, ref: str) -> queries.StatementView:
        """One statement with its attribution chain (``claimsdb chain REF``).

        Answered on the database driver, without loading SQLAlchemy, wherever that
        gives the same answer (``claimsdb.query.readpath``); a reference that names
        nothing goes the full way, for the message suggesting what was meant."""
        view = self._chain_on_driver(ref)
        if view is not None:
            return view
        from claimsdb.query import queries

        with self.reading() as conn:
            return queries.statement(conn, ref)

    def _chain_on_driver(self, ref: str) -> queries.StatementView | None:
        from claimsdb.query import readpath

        return self._on_driver(lambda conn: readpath.statement(conn, ref))

    def _on_driver(self, question: Callable[[DriverConnection], Any]) -> Any:
        """The answer of ``question`` asked in one read transaction on the database
        driver, without SQLAlchemy; None where only the SQLAlchemy path can answer
        (``NotOnDriver``, or ``question`` returned None). A driver error becomes the
        message the engine would give."""
        from claimsdb.store import driver

        connection = None
        try:
            connection = self._driver_connection()
            with connection.reading() as conn:
                answer = question(conn)
        except driver.NotOnDriver:
            answer = None
        except Exception as error:
            if not driver.is_driver_error(error):
                raise
            failed = connection.last_sql if connection is not None else None
            self._drop_failed(connection)
            connection = None
            from claimsdb.store.db import driver_failure

            raise driver_failure(self.engine(create=False), error, failed) from None
        finally:
            if connection is not None and connection is not self._driver:
                self._hand_back_driver(connection)
        return answer

    def _driver_connection(self) -> DriverConnection:
        """This thread's driver-level connection: kept for the thread that opened it
        first (the next question reuses it); for any other thread a spare one handed
        back by another thread, or a new one (``_hand_back_driver`` keeps it)."""
        from claimsdb.store import driver

        if (self._driver is not None and self._driver_thread == threading.get_ident()
                and not self._driver_busy):
            return self._driver
        with _SPARES_LOCK:
            if self._spare_drivers:
                return self._spare_drivers.pop()
        connection = driver.connect(self.target)
        with _SPARES_LOCK:
            if self._driver is None:  # (the thread first, so no other thread takes it)
                self._driver_thread = threading.get_ident()
                self._driver = connection
        return connection

    def _drop_failed(self, connection: DriverConnection | None) -> None:
        """Close the connection a driver error came from (no other thread uses it:
        that one, not theirs)."""
        if connection is None:
            return
        if connection is self._driver:
            self._driver = None
        with contextlib.suppress(Exception):  # (it is what just failed)
            connection.close()

    def _hand_back_driver(self, connection: DriverConnection) -> None:
        """A connection of a thread other than the first, after its question: kept for
        the next one (a web server's worker threads take turns with a few), closed
        when enough are kept already."""
        with _SPARES_LOCK:
            if len(self._spare_drivers) < _SPARE_DRIVERS:
                self._spare_drivers.append(connection)
                return
        connection.close()

    def _close_driver(self) -> None:
        with _SPARES_LOCK:
            closing, self._spare_drivers = self._spare_drivers, []
        if self._driver is not None:
            closing.append(self._driver)
            self._driver = None
        for connection in closing:
            with contextlib.suppress(Exception):  # (it may be what just failed)
                connection.close()

    def statements(self, flt: StatementFilter | None = None) -> list[queries.StatementView]:
        """Statements matching the filter (``claimsdb statements``), in the command's order."""
        with self.stream_statements(flt) as views:
            return list(views)

    def actors(self, *, kind: str | None = None, identified: str | None = None,
               limit: int | None = None) -> list[queries.ActorSummary]:
        """Every actor with its counts, most statements originated first."""
        from claimsdb.query import queries

        with self.reading() as conn:
            return list(queries.list_actors(conn, kind=kind, identified=identified,
                                            limit=limit))

    def actor(self, name: str, *, limit: int | None = None) -> queries.ActorDetail:
        """One actor: roles, members, what it said and relayed (``claimsdb actor``).

        Answered on the database driver, without loading SQLAlchemy, as ``chain`` is; a
        name that matches no actor, or several, goes the full way, for the message
        suggesting what was meant."""
        from claimsdb.query import readpath

        detail = self._on_driver(lambda conn: readpath.actor(conn, name, limit=limit))
        if detail is not None:
            return detail
        from claimsdb.query import queries

        with self.reading() as conn:
            return queries.actor(conn, name, limit=limit)

    def denials(self, flt: StatementFilter | None = None, *, by: str | None = None,
                type: str = "denies",
                ) -> list[queries.DenialView]:
        """Every denial whose denied statement matches the filter; ``by``: only those
        this actor made; ``type``: ``denies`` (the default), ``dismisses`` or ``all``."""
        with self.stream_denials(flt, by=by, type=type) as views:
            return list(views)

    def sources(self, *, article: str | None = None, by_article: bool = True
                ) -> list[queries.SourcingProfile]:
        """The sourcing profile of each article (unless ``by_article`` is false), then the
        total (``claimsdb sources``)."""
        from claimsdb.query import queries

        with self.reading() as conn:
            return queries.sourcing_profiles(conn, article=article, by_article=by_article)

    def topics(self, *, limit: int | None = None) -> list[TopicSummary]:
        """Every topic with its statement and article counts, most used first
        (``claimsdb topics``)."""
        from claimsdb.query.topics import list_topics

        with self.reading() as conn:
            return list(list_topics(conn, limit=limit))

    def articles(self, *, limit: int | None = None) -> list[queries.ArticleSummary]:
        from claimsdb.query import queries

        with self.reading() as conn:
            return list(queries.list_articles(conn, limit=limit))

    def article(self, key: str, *, context: bool = True) -> queries.ArticleDetail:
        """One article with its statements in text order; ``context=False`` leaves out
        each statement's context sentence (a page showing the whole text needs none,
        and finding them is most of the cost).

        Answered on the database driver, without loading SQLAlchemy
        (``claimsdb.query.articlepath``); a key that names no article goes the full
        way, for the message suggesting what was meant."""
        from claimsdb.query import articlepath

        detail = self._on_driver(lambda conn: articlepath.article(conn, key, context=context))
        if detail is not None:
            return detail
        from claimsdb.query import queries

        with self.reading() as conn:
            return queries.article(conn, key, context=context)

    def trace(self, ref: str, *, max_depth: int | None = None) -> tracing.ClaimTrace:
        """A claim across articles: its origins, who carried it, who denied it."""
        from claimsdb.query import tracing

        with self.reading() as conn:
            if max_depth is None:
                return tracing.trace(conn, ref)
            return tracing.trace(conn, ref, max_depth=max_depth)

    def claims(self, *, single_source: bool = False, min_origins: int | None = None,
               include_single: bool = False, article: str | None = None
               ) -> list[tracing.ClaimSummary]:
        """Claims with their corroboration, largest first (``claimsdb claims``)."""
        from claimsdb.query import tracing

        with self.reading() as conn:
            return list(tracing.iter_claims(conn, single_source=single_source,
                                            min_origins=min_origins,
                                            include_single=include_single, article=article))

    def loops(self) -> list[tracing.Loop]:
        """Circular reporting: chains and citations that come back to where they began."""
        from claimsdb.query import tracing

        with self.reading() as conn:
            return tracing.find_loops(conn)

    def check(self, *, workers: int = 1) -> checks.CheckReport:
        """Every integrity check (``claimsdb check``); never writes.

        ``workers``: processes verifying a large database's articles (500 or more) while
        this one reads them; 1 (the default) verifies them in this process, 0 one per
        CPU. Workers are started with ``spawn`` and import the program's main module,
        so a script asking for them guards its work with ``if __name__ ==
        "__main__"``."""
        from claimsdb.query import checks

        return checks.check_database(self.engine(create=False), workers=workers)

    # -- exports ------------------------------------------------------------------------

    def export(self, fmt: str, stream: TextIO, *, table: str = "statements",
               flt: StatementFilter | None = None, key: str | None = None,
               on_row: Callable[[], None] | None = None, **options: bool) -> int:
        """Write an export to ``stream``, byte for byte what ``claimsdb export`` writes;
        the number of rows (statements for ``prov``, 1 for ``article``).

        ``fmt``: ``csv``, ``jsonl`` or ``json`` (of ``table``: statements, hops,
        relations, actors or articles), ``prov`` or ``provn`` (W3C PROV-JSON or PROV-N
        of the filter's statements), ``claimreview`` (schema.org ClaimReview JSON-LD of
        the reviews of the filter's statements; the count is of reviews), ``article``
        (the stored article ``key`` as an article file), or ``datasette-metadata``.
        ``options`` are the CSV options (``bom``, ``excel``, ``crlf``) for ``csv``.
        """
        from claimsdb.query import queries

        flt = flt or queries.StatementFilter()
        if fmt == "datasette-metadata":
            return self._datasette_metadata(stream)
        with self.reading() as conn:
            if fmt in ("prov", "provn"):
                from claimsdb.output import prov_export

                prov_export.require_prov()
                queries.filtered_statement_ids(conn, flt)
                return prov_export.stream_prov(conn, flt, stream,
                                               "provn" if fmt == "provn" else "json",
                                               on_statement=on_row)
            if fmt == "claimreview":
                from claimsdb.output import claimreview

                queries.filtered_statement_ids(conn, flt)  # a bad filter fails first
                return claimreview.stream_claim_reviews(conn, stream, flt, on_row=on_row)
            if fmt == "article":
                from claimsdb.output import article_export

                if key is None:
                    from claimsdb.errors import ClaimsError

                    raise ClaimsError("an article export needs the article's key")
                stream.write(article_export.to_yaml(article_export.article_document(conn, key)))
                return 1
            from claimsdb.output.export import table_writer

            return table_writer(conn, fmt, table, flt, **options)(stream, on_row=on_row)

    def _datasette_metadata(self, stream: TextIO) -> int:
        name = self._datasette_name()
        stream.write(self._datasette_text(name))
        return 1

    def _datasette_name(self) -> str:
        from claimsdb.errors import ClaimsError
        from claimsdb.store import opening

        engine = self.engine(create=False)
        opening.require_readable(engine)
        if engine.dialect.name != "sqlite":
            raise ClaimsError("Datasette reads SQLite files only; copy this database to one "
                              "with 'claimsdb copy' and write the metadata for that")
        return Path(engine.url.database or "claims").stem

    @staticmethod
    def _datasette_text(name: str) -> str:
        import json

        from claimsdb.output.datasette import metadata

        return json.dumps(metadata(name), indent=2, ensure_ascii=False) + "\n"

    def protected_files(self) -> tuple[Path, ...]:
        """The database's own files, which no export or backup may overwrite (none on
        a server)."""
        from claimsdb.config import resolve_url, sqlite_path
        from claimsdb.store.outputs import database_files

        return database_files(sqlite_path(resolve_url(self.target)))

    def export_file(self, fmt: str, output: str | Path = "-", *, table: str = "statements",
                    flt: StatementFilter | None = None, key: str | None = None,
                    on_progress: Callable[[int, int], None] | None = None,
                    **options: bool) -> ExportResult:
        """Write an export to the file ``output`` (``"-"``: standard output), byte for
        byte what ``claimsdb export -o`` writes, in constant memory from one snapshot.

        Formats and options as for ``export``. A regular file appears only once
        complete; a FIFO or device is written through; the database's own files are
        refused. ``on_progress(done, total)`` is called after each row (statement for
        ``prov``); the total is counted only when it is given.
        """
        from claimsdb.output.export_result import ExportResult
        from claimsdb.store import outputs

        protect = self.protected_files()
        if fmt == "datasette-metadata":
            name = self._datasette_name()
            with outputs.open_output(output, protect=protect) as out:
                out.write(self._datasette_text(name))
            return ExportResult(1, "database", name=name)
        if fmt == "article":
            from claimsdb.output import article_export

            if key is None:
                from claimsdb.errors import ClaimsError

                raise ClaimsError("an article export needs the article's key")
            with self.reading() as conn:
                document = article_export.article_document(conn, key)
            text = article_export.to_yaml(document)
            with outputs.open_output(output, protect=protect) as out:
                out.write(text)
            return ExportResult(1, "article", statements=len(document["statements"]),
                                actors=len(document["actors"]))
        from claimsdb.query import queries

        flt = flt or queries.StatementFilter()
        with self.reading() as conn:
            if fmt in ("prov", "provn"):
                from claimsdb.output import prov_export

                prov_export.require_prov()  # a missing package is reported before any work
                queries.filtered_statement_ids(conn, flt)  # a bad filter fails before output
                on_row = _counter(on_progress, lambda: queries.count_statements(conn, flt))
                with outputs.open_output(output, protect=protect) as out:
                    count = prov_export.stream_prov(conn, flt, out,
                                                    "provn" if fmt == "provn" else "json",
                                                    on_statement=on_row)
                return ExportResult(count, "statement")
            if fmt == "claimreview":
                from claimsdb.output import claimreview

                queries.filtered_statement_ids(conn, flt)  # a bad filter fails before output
                on_row = _counter(on_progress, lambda: claimreview.count_reviews(conn, flt))
                with outputs.open_output(output, protect=protect) as out:
                    count = claimreview.stream_claim_reviews(conn, out, flt, on_row=on_row)
                return ExportResult(count, "review")
            from claimsdb.output.export import TABLES, table_writer

            described = TABLES[table]
            write = table_writer(conn, fmt, table, flt, **options)
            on_row = _counter(on_progress, lambda: described.count(conn, flt))
            with outputs.open_output(output, protect=protect) as out:
                count = write(out, on_row=on_row)
            return ExportResult(count, described.noun)

    # -- drafting ---------------------------------------------------------------------

    def known_actors(self) -> list[KnownActor]:
        """Every stored actor by key, name, kind, identification and aliases, for a
        draft to reuse; none when the SQLite file does not exist (it is not created)."""
        from claimsdb.draft.actors import KnownActor
        from claimsdb.query.names import actor_names

        if not self._exists():
            return []
        with self.reading() as conn:
            return [KnownActor(a.key, a.name, a.kind, a.identified, a.aliases)
                    for a in actor_names(conn)]

    def find_actors(self, typed: str, *, limit: int = 20) -> list[FoundActor]:
        """At most ``limit`` stored actors whose key, or a word of whose name or alias,
        starts with ``typed`` (the workbench's actor field); none when the SQLite file
        does not exist (it is not created)."""
        from claimsdb.query.finding import find_actors

        if not self._exists():
            return []
        with self.reading() as conn:
            return find_actors(conn, typed, limit=limit)

    def actor_identifications(self, keys: list[str]) -> dict[str, str]:
        """How each stored actor of ``keys`` is identified, by key (the others are
        left out); none when the SQLite file does not exist (it is not created)."""
        from claimsdb.query.finding import identifications

        if not self._exists():
            return {}
        with self.reading() as conn:
            return identifications(conn, keys)

    def stored_articles(self) -> dict[str, str | None]:
        """Every stored article's key and URL (for a draft's key); none when the SQLite
        file does not exist (it is not created)."""
        from claimsdb.query.names import article_urls

        if not self._exists():
            return {}
        with self.reading() as conn:
            return article_urls(conn)

    def _exists(self) -> bool:
        from claimsdb.config import resolve_url, sqlite_path

        path = sqlite_path(resolve_url(self.target))
        return path is None or path.exists()

    def draft(self, document: Document, *, key: str | None = None,
              outlet: str | None = None, language: str | None = None,
              extractor: str | None = None) -> ArticleDraft:
        """``draft_article`` reusing this database's actors (``claimsdb draft``)."""
        return draft_article(document, key=key, outlet=outlet, language=language,
                             extractor=extractor, known_actors=self.known_actors(),
                             stored_articles=self.stored_articles())

    # -- looking after the database -----------------------------------------------------

    def backup(self, file: str | Path, *, overwrite: bool = False) -> BackupResult:
        """Copy a SQLite database to ``file`` consistently while it is in use (SQLite's
        online backup API), verified (``claimsdb backup``). ``file`` may be ``"-"``, a
        FIFO or a device; the database itself is refused."""
        from claimsdb.store.backup import backup_sqlite

        return backup_sqlite(self.engine(create=False), file, overwrite=overwrite)

    def copy_to(self, target: str | Path, *,
                on_progress: Callable[[int, int], None] | None = None) -> CopyResult:
        """Copy the whole database, same ids, into ``target`` (a SQLite path or a
        SQLAlchemy URL, on either backend), which must be empty or newly initialised;
        one transaction on the target (``claimsdb copy``). ``on_progress(done, total)``
        counts rows."""
        from claimsdb.store import opening
        from claimsdb.store.copying import copy_database
        from claimsdb.store.db import make_engine

        source = self.engine(create=False)
        opening.require_readable(source)
        destination = make_engine(str(target), create=True)
        try:
            return copy_database(source, destination, on_progress=on_progress)
        finally:
            destination.dispose()


def _counter(on_progress: Callable[[int, int], None] | None, total: Callable[[], int]
             ) -> Callable[[], None] | None:
    """A per-row callback calling ``on_progress(done, total)``; ``total`` counted once."""
    if on_progress is None:
        return None
    length = total()
    done = 0

    def row() -> None:
        nonlocal done
        done += 1
        on_progress(done, length)

    return row


def read_document(spec: str, *, stdin: Any = None) -> Document:
    """The article one input names (a text file, ``-`` for ``stdin``, a binary
    stream), as ``claimsdb draft`` reads it; ``InputError`` names what is wrong."""
    from claimsdb.draft.inputs import read_input

    return read_input(spec, stdin=stdin)


def fetch_document(url: str, *, public_only: bool = False) -> Document:
    """The article at a web address (http or https only, never a file path), as
    ``claimsdb draft URL`` fetches it. ``public_only`` refuses addresses on this
    machine or a private network: a server fetching on a remote user's behalf passes
    it, so the user cannot read the server's own network through it."""
    from claimsdb.draft.fetching import fetch

    return fetch(url, public_only=public_only)


def draft_article(document: Document, *, key: str | None = None, outlet: str | None = None,
                  language: str | None = None, extractor: str | None = None,
                  known_actors: Iterable[KnownActor] = (),
                  stored_articles: dict[str, str | None] | None = None) -> ArticleDraft:
    """An article file drafted from ``document``, without a database: the
    statements, chains and likely denials the drafter finds, with its confidence
    and what to check in comments. ``key`` defaults to a slug of the title (or file
    stem), ``language`` to the document's declared one or its script's, ``outlet``
    (an actor key or name) to the page's site name; ``known_actors`` are reused
    instead of redefined; ``stored_articles`` (key -> URL) are the articles whose key
    a default key avoids (``ArticleDraft.warnings`` says when ``add`` will refuse it)."""
    from claimsdb.draft.drafting import draft_file

    return draft_file(document, key=key, outlet=outlet, language=language,
                      extractor=extractor, known=known_actors,
                      stored_articles=stored_articles)


def save_draft(draft: ArticleDraft, target: str | Path, *, overwrite: bool = False,
               protect: Iterable[Path] = ()) -> None:
    """Write a draft to the file ``target`` (``"-"``: standard output), complete or not
    at all (a temporary file renamed into place). An existing file is refused unless
    ``overwrite``; ``protect`` (a database's files) always is."""
    from claimsdb.errors import ClaimsError
    from claimsdb.store import outputs

    where = outputs.destination(target, protect=protect)
    if where.replaces is not None and not overwrite:
        raise ClaimsError(f"{target} already exists; nothing was written. Choose another "
                          "name, or pass --overwrite to replace it")
    with outputs.open_output(target, protect=protect) as out:
        out.write(draft.text)


def open(target: str | Path | None = None) -> Database:
    """The database at a SQLite path or SQLAlchemy URL; see ``Database``."""
    return Database(target)


_LAZY = {
    "AddReport": "claimsdb.ingest.adding",
    "ExportResult": "claimsdb.output.export_result",
    "ArticleDraft": "claimsdb.draft.drafting",
    "DatabaseNotice": "claimsdb.ingest.adding",
    "StatementFilter": "claimsdb.query.queries",
    "article_files": "claimsdb.format.seeds",
    "seed_files": "claimsdb.format.seeds",
    "read_article": "claimsdb.format.articles",
    "read_stream": "claimsdb.format.articles",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'claimsdb.api' has no attribute {name!r}")
