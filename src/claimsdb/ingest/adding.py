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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from claimsdb.errors import ArticleConflict, ArticleError
from claimsdb.format.articles import ArticleBytes, read_article
from claimsdb.ingest.importer import (
    ADDED,
    REPLACED,
    UNCHANGED,
    DryRunPlan,
    ImportResult,
    check_broken_file,
    import_spec,
    import_stream,
)
from claimsdb.ingest.prefetch import ParsedFiles, gc_paused
from claimsdb.store.db import describe_database, update_planner_statistics
from claimsdb.store.opening import open_for_dry_run, prepare_for_writing

# An import this large refreshes PostgreSQL's planner statistics at once, thoroughly:
# autovacuum would take minutes to notice, and the first queries would be planned for
# an empty table.
ANALYZE_FILES = 500

# What ``on_progress`` receives per file: its result, or (with ``keep_going``) the
# error that refused it. ``DatabaseNotice`` comes first when the database itself is
# worth a word.
Outcome = ImportResult | ArticleError | ArticleConflict


@dataclass(frozen=True)
class DatabaseNotice:
    """Something about the database, not a file, that the person adding should hear:
    a new database was initialised, or a dry run found none and checked the files
    alone. The command line prints it on stderr unless ``--quiet``."""

    message: str


@dataclass
class AddReport:
    """What an add did (or, for a dry run, would do), in the order of the files."""

    results: list[ImportResult] = field(default_factory=list)
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
    if failed:
        parts.append(f"{failed} failed")
    prefix = "dry run, nothing written: " if dry_run else ""
    return prefix + (", ".join(parts) if parts else "nothing imported")


def add_files(target: str | None, items: Sequence[Path | ArticleBytes], *,
              engine: Callable[[], Engine], replace: bool = False, dry_run: bool = False,
              batch: int = 1, update_actors: bool = False, keep_going: bool = False,
              on_progress: Callable[[Outcome | DatabaseNotice], None] | None = None
              ) -> AddReport:
    """Import article files (paths, or ``ArticleBytes`` already read from a stream).

    ``engine`` gives the engine to write through (made on first use, so a dry run never
    creates a file); ``target`` is the database's path or URL, which a dry run opens
    read-only by itself. Without ``keep_going`` the first file that fails is raised,
    after the files before it were imported; with it, every failure is reported and
    collected in ``AddReport.failures``.
    """
    report = AddReport(dry_run=dry_run)
    notify = on_progress or (lambda outcome: None)
    # With a batch, parsing starts first: its workers come up while the database opens.
    parsing = ParsedFiles(items, batch) if batch > 1 else None
    try:
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
                     batch=batch, keep_going=keep_going)
            finally:
                checked.engine.dispose()
        else:
            writing = engine()
            if prepare_for_writing(writing):
                notify(DatabaseNotice("initialised a new claimsdb database at "
                                      f"{describe_database(writing)}"))
            _run(writing, items, parsing, report, notify, replace=replace, check_only=False,
                 update_actors=update_actors, batch=batch, keep_going=keep_going)
            if report.counts.get(ADDED) or report.counts.get(REPLACED):
                update_planner_statistics(writing, thorough=len(items) >= ANALYZE_FILES)
    finally:
        if parsing is not None:
            parsing.close()
    return report


def _run(engine: Engine, items: Sequence[Path | ArticleBytes], parsing: ParsedFiles | None,
         report: AddReport, notify: Callable, *, replace: bool, check_only: bool,
         update_actors: bool, batch: int, keep_going: bool) -> None:
    plan = DryRunPlan() if check_only else None  # what earlier files of a dry run would add

    def record(outcome: Outcome) -> None:
        if isinstance(outcome, ArticleError) and outcome.partial is not None:
            # A file with problems of its own: the checks against the database that
            # those problems leave meaningful are reported with them, in one pass.
            outcome = check_broken_file(engine, outcome, plan)
        if not isinstance(outcome, ImportResult):
            if not keep_going:
                raise outcome
            report.failures.append(outcome)
        else:
            if report.dry_run:
                outcome = dataclasses.replace(outcome, dry_run=True)
            report.results.append(outcome)
        notify(outcome)

    if parsing is None:
        for item in items:
            try:
                record(import_spec(engine, read_article(item), replace=replace,
                                   dry_run=check_only, update_actors=update_actors,
                                   plan=plan))
            except (ArticleError, ArticleConflict) as error:
                record(error)
        return
    for parsed in parsing.batches():  # later files parse meanwhile
        if isinstance(parsed, ArticleError):  # a file that could not be read
            record(parsed)
            continue
        with gc_paused():  # holding a batch of parsed articles: see prefetch
            outcomes = import_stream(engine, parsed, replace=replace, dry_run=check_only,
                                     update_actors=update_actors, keep_going=keep_going,
                                     plan=plan)
        for outcome in outcomes:
            record(outcome)
