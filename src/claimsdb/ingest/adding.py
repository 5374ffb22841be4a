"""Adding article files to a database: the whole import, as every front end runs it.

This is what ``claimsdb add`` and ``claimsdb seed`` do, and what ``Database.add``
does for a Python user: parse the files (in worker processes for a large batch),
open the database the way the job needs (initialised when new; read-only, or an
empty scratch database, for a dry run), write one transaction per file or per
batch, and refresh PostgreSQL's planner statistics after a large import. It never
prints: each file's outcome goes to ``on_progress`` as it is known, and the totals
come back as an ``AddReport``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, select

from claimsdb.errors import ArticleConflict, ArticleError
from claimsdb.format.articles import ArticleBytes, InputSpec, read_input
from claimsdb.ingest.importer import (
    ACTORS_FILE,
    ADDED,
    REPLACED,
    UNCHANGED,
    ActorsResult,
    DryRunPlan,
    ImportResult,
    Replace,
    check_broken_file,
    import_spec,
    import_stream,
)
from claimsdb.ingest.ordering import DependencyOrder
from claimsdb.ingest.prefetch import COMMIT_FILES as COMMIT_FILES
from claimsdb.ingest.prefetch import ParsedFiles, start_parsing
from claimsdb.query.gc_pause import collector_paused
from claimsdb.store.db import describe_database, read_connection, update_planner_statistics
from claimsdb.store.models import Article
from claimsdb.store.opening import open_for_dry_run, prepare_for_writing

# An import this large refreshes PostgreSQL's planner statistics at once, thoroughly:
# autovacuum would take minutes to notice, and the first queries would be planned for
# an empty table.
ANALYZE_FILES = 500

# A plain add (no --batch) of several files commits them in groups: each file in its
# own savepoint (a file with a problem is rolled back alone), each group one
# transaction of at most this many files, ended early rather than wait for parsing or
# hold the database for longer than COMMIT_SECONDS. A file is reported only once the
# transaction that holds it has committed, so a crash loses nothing reported, and one
# commit and one bulk write per group, instead of per file, is most of the speed.
# (COMMIT_FILES is in ``claimsdb.ingest.prefetch``, which starts the parsing.)
COMMIT_SECONDS = 0.5

# What ``on_progress`` receives per file: its result, or (with ``keep_going``) the
# error that refused it. ``DatabaseNotice`` comes first when the database itself is
# worth a word.
Outcome = ImportResult | ActorsResult | ArticleError | ArticleConflict


@dataclass(frozen=True)
class DatabaseNotice:
    """Something about the database, not a file, that the person adding should hear:
    a new database was initialised, or a dry run found none and checked the files
    alone. The command line prints it on stderr unless ``--quiet``."""

    message: str


@dataclass
class AddReport:
    """What an add did (or, for a dry run, would do), in the order of the files."""

    results: list[ImportResult | ActorsResult] = field(default_factory=list)
    failures: list[ArticleError | ArticleConflict] = field(default_factory=list)
    dry_run: bool = False

    @property
    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for result in self.results:
            counts[result.status] = counts.get(result.status, 0) + 1
        return counts

    def summary(self) -> str:
        """One line of totals, as ``claimsdb add`` ends with."""
        return summary(self.counts, self.dry_run, len(self.failures))


def summary(counts: dict[str, int], dry_run: bool, failed: int = 0) -> str:
    parts = [f"{counts.get(s, 0)} {s}" for s in (ADDED, REPLACED, UNCHANGED) if counts.get(s)]
    if counts.get(ACTORS_FILE):
        number = counts[ACTORS_FILE]
        parts.insert(0, f"{number} {ACTORS_FILE}{'s' if number != 1 else ''}")
    if failed:
        parts.append(f"{failed} failed")
    prefix = "dry run, nothing written: " if dry_run else ""
    return prefix + (", ".join(parts) if parts else "nothing imported")


def add_files(target: str | None, items: Sequence[Path | ArticleBytes], *,
              engine: Callable[[], Engine], replace: Replace = False, dry_run: bool = False,
              batch: int = 1, update_actors: bool = False, keep_going: bool = False,
              on_progress: Callable[[Outcome | DatabaseNotice], None] | None = None,
              started: tuple[list[Path | ArticleBytes], ParsedFiles | None] | None = None
              ) -> AddReport:
    """Import article files and files of actors only (paths, or ``ArticleBytes``
    already read from a stream), in an order where each comes after what it needs
    (``claimsdb.ingest.ordering``): files of actors only first, then the articles,
    each after the articles of the same import it references, otherwise as given.

    ``engine`` gives the engine to write through (made on first use, so a dry run never
    creates a file); ``target`` is the database's path or URL, which a dry run opens
    read-only by itself. Without ``keep_going`` the first file that fails is raised,
    after the files before it were imported; with it, every failure is reported and
    collected in ``AddReport.failures``.

    ``started``: what ``prefetch.start_parsing`` returned for these ``items``, ``batch``
    and ``dry_run``, when the caller started the parsing before importing this module
    (``Database.add``: its workers then come up while this module's imports load);
    it is closed here, as the parsing started here is.
    """
    items, parsing = started if started is not None else start_parsing(
        items, batch=batch, dry_run=dry_run)
    try:
        report = AddReport(dry_run=dry_run)
        notify = on_progress or (lambda outcome: None)
        # Several files without --batch are committed in short groups (COMMIT_FILES).
        grouped = batch == 1 and not dry_run and len(items) > 1
        if dry_run:
            checked = open_for_dry_run(target)
            try:
                if checked.missing is not None:
                    notify(DatabaseNotice(f"{checked.missing}; checked the files alone "
                                          "(nothing was created)"))
                # A scratch database takes the import for real, so later files see
                # earlier ones exactly as in a real add; it vanishes afterwards.
                _run(checked.engine, items, parsing, report, notify, replace=replace,
                     check_only=not checked.scratch, update_actors=update_actors,
                     keep_going=keep_going)
            finally:
                checked.engine.dispose()
        else:
            writing = engine()
            if prepare_for_writing(writing):
                notify(DatabaseNotice("initialised a new claimsdb database at "
                                      f"{describe_database(writing)}"))
            _run(writing, items, parsing, report, notify, replace=replace, check_only=False,
                 update_actors=update_actors, keep_going=keep_going,
                 seconds=COMMIT_SECONDS if grouped else None)
            if report.counts.get(ADDED) or report.counts.get(REPLACED):
                update_planner_statistics(writing, thorough=len(items) >= ANALYZE_FILES)
    finally:
        if parsing is not None:
            parsing.close()
    return report


def _run(engine: Engine, items: Sequence[Path | ArticleBytes], parsing: ParsedFiles | None,
         report: AddReport, notify: Callable, *, replace: Replace, check_only: bool,
         update_actors: bool, keep_going: bool, seconds: float | None = None) -> None:
    """Import ``items`` one transaction per file, or, with ``parsing``, in its batches
    (``ParsedFiles.batches``; ``seconds``: a plain add's short groups); each outcome
    recorded and reported once its transaction has committed."""
    plan = DryRunPlan() if check_only else None  # what earlier files of a dry run would add
    order = DependencyOrder(stored_article_keys(engine) if len(items) > 1 else frozenset())

    def record(outcome: Outcome) -> None:
        if isinstance(outcome, ArticleError) and outcome.partial is not None:
            # A file with problems of its own: the checks against the database that
            # those problems leave meaningful are reported with them, in one pass.
            outcome = check_broken_file(engine, outcome, plan)
        if isinstance(outcome, ArticleError | ArticleConflict):
            if not keep_going:
                raise outcome
            report.failures.append(outcome)
        else:
            if report.dry_run:
                outcome = dataclasses.replace(outcome, dry_run=True)
            report.results.append(outcome)
        notify(outcome)

    def import_one(spec: InputSpec) -> None:
        try:
            record(import_spec(engine, spec, replace=replace, dry_run=check_only,
                               update_actors=update_actors, plan=plan))
        except (ArticleError, ArticleConflict) as error:
            record(error)

    def import_group(groups: Iterable[list[InputSpec]]) -> None:
        with collector_paused():  # holding a batch of parsed articles: see prefetch
            outcomes = import_stream(engine, groups, replace=replace, dry_run=check_only,
                                     update_actors=update_actors, keep_going=keep_going,
                                     plan=plan)
        for outcome in outcomes:
            record(outcome)

    if parsing is None:
        for item in items:
            try:
                spec = read_input(item)
            except ArticleError as error:
                record(error)
                continue
            for ready in order.take(spec):
                import_one(ready)
        for left in order.finish():
            if isinstance(left, ArticleError):
                record(left)
            else:
                import_one(left)
        return
    for parsed in parsing.batches(seconds):  # later files parse meanwhile
        if isinstance(parsed, ArticleError):  # a file that could not be read
            record(parsed)
            continue
        import_group(ready for piece in parsed
                     if (ready := [s for spec in piece for s in order.take(spec)]))
    left: list[InputSpec] = []
    for item in [*order.finish(), None]:
        if isinstance(item, ArticleError | None):
            if left:
                import_group([left])
                left = []
            if item is not None:
                record(item)
        else:
            left.append(item)


def stored_article_keys(engine: Engine) -> set[str]:
    """Every stored article's key: a reference to one of them needs no file of the
    import to come first. (One column of one table: a few megabytes at most.)"""
    with read_connection(engine) as conn:
        return set(conn.execute(select(Article.key)).scalars())
