"""Parsing article files in worker processes while the database writes (``add --batch``).

Loading an archive spends about twice as long parsing and validating files (YAML,
then every field, in Python) as writing them. With two or more cores, worker
processes parse the next files while this process writes, so an import takes about
as long as the slowest part rather than the sum. Workers get tasks smaller than a
transaction batch and each task's files are written as soon as they arrive
(``importer.import_stream``), so this holds within a batch too: an import that is one
batch of 500 files is not parsed whole before its first row is written. Parsing is
pure (no database), so the outcome is the same: files come back in their order, each
as its ``ArticleSpec`` (or ``ActorsFileSpec``) or the ``ArticleError`` that
``read_input`` raised for it.

Workers are fresh interpreters ("spawn"): a forked one would inherit this process's
open SQLite connections, which SQLite forbids using or closing across a fork. They
start before the command loads the importer (SQLAlchemy) and opens the database
(``start_parsing``), which they then come up beside. At most
``AHEAD`` batches' worth of files wait parsed, so memory stays bounded.

Workers die with the command (``die_with_parent``): a worker waits on a queue whose
writing end it holds itself, so a command killed with SIGKILL (which runs no clean-up)
used to leave its workers, and the multiprocessing resource tracker they keep open,
running forever. On Linux the kernel kills a worker when the command dies; elsewhere
(and as a second line) each worker checks once a second that the command is alive.
The resource tracker ends by itself once the last worker has gone.

Python's cycle collector is paused while a batch is parsed
(``claimsdb.query.gc_pause``): parsing
allocates millions of short-lived objects while the batch's parsed articles stay
alive, and every automatic collection re-scanned those, which made parsing a batch
of 2,000 files twice as slow as parsing them one at a time.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Iterator, Sequence
from pathlib import Path

from claimsdb.errors import ArticleError
from claimsdb.format.articles import ArticleBytes, ArticleSpec, InputSpec, read_input
from claimsdb.query.gc_pause import collector_paused

AHEAD = 3  # transaction batches' worth of files parsed ahead of the one being written
# Parsing costs about twice what writing does, so two workers keep the writer busy;
# more would only wait for it. (On two cores the writer is often waiting for a batch,
# so three processes still share them well: measured in docs/performance.md.)
WORKERS = 2
# Below this many files, parsing them here is quicker than starting a worker.
WORKER_THRESHOLD = 64
MIN_CHUNK = 16  # files per task sent to a worker: fewer would cost more in messages
# A plain add (no --batch) of several files commits them in groups of at most this
# many (``claimsdb.ingest.adding``, which re-exports it, says why).
COMMIT_FILES = 500


def start_parsing(items: Sequence[Path | ArticleBytes], *, batch: int, dry_run: bool
                  ) -> tuple[list[Path | ArticleBytes], ParsedFiles | None]:
    """The files in the order they are imported (``ordering.actors_first``), and their
    parsing, started (None: each file is read as it is imported: one file, or a dry
    run without ``batch``). It is here, apart from ``claimsdb.ingest.adding``, so that
    ``Database.add`` starts the workers before importing that module and SQLAlchemy:
    the workers come up on the second core while the command loads and opens the
    database. The caller closes the parsing (``add_files`` does)."""
    from claimsdb.ingest.ordering import actors_first

    items = actors_first(items)
    grouped = batch == 1 and not dry_run and len(items) > 1  # (add_files: short groups)
    parsing = (ParsedFiles(items, COMMIT_FILES if grouped else batch)
               if batch > 1 or grouped else None)
    return items, parsing


class ParsedFiles:
    """Every file, parsed and validated, in order, as (path, spec or ArticleError).

    With a second core and enough files, worker processes start as soon as this is
    made, so they come up while the command opens the database; close it (or use it
    as a context manager) to stop them. Workers get tasks smaller than a transaction
    batch: an import that is a single batch (``add --batch 500`` of 500 files) is
    still parsed by both workers at once.
    """

    def __init__(self, files: Sequence[Path], batch: int):
        files = list(files)
        self._batch = batch
        chunk = max(MIN_CHUNK, min(batch, -(-len(files) // (WORKERS * 4))))
        self._groups = deque(files[start:start + chunk] for start in range(0, len(files), chunk))
        self._pool = None
        self._waiting: deque = deque()
        if len(files) < WORKER_THRESHOLD or len(self._groups) < 2 or (os.cpu_count() or 1) < 2:
            return
        import concurrent.futures
        import multiprocessing

        self._pool = concurrent.futures.ProcessPoolExecutor(
            max_workers=WORKERS, mp_context=multiprocessing.get_context("spawn"),
            initializer=die_with_parent, initargs=(os.getpid(),))
        self._in_flight = max(AHEAD, -(-AHEAD * batch // chunk))
        self._submit()

    def _submit(self) -> None:
        while self._groups and len(self._waiting) < self._in_flight:
            group = self._groups.popleft()
            self._waiting.append(self._pool.submit(_parse_group, list(group)))

    def __iter__(self) -> Iterator[tuple[Path, InputSpec | ArticleError]]:
        for group in self._parsed_groups():
            yield from group

    def _parsed_groups(self) -> Iterator[list[tuple[Path, InputSpec | ArticleError]]]:
        """The files a task parsed, as soon as it has."""
        if self._pool is None:
            while self._groups:
                group = self._groups.popleft()
                yield list(zip(group, parse_group(group), strict=True))
            return
        while self._waiting:
            results = self._waiting.popleft().result()
            self._submit()
            yield results

    def batches(self, seconds: float | None = None
                ) -> Iterator[ArticleError | Iterator[list[InputSpec]]]:
        """The files as transaction batches of at most ``batch`` files (what the tasks
        were sized and the read-ahead bounded for), in order.

        A batch is an iterator over lists of parsed articles, each list handed over as
        soon as a worker has parsed it, so that the import can write the first while
        the next are parsed (``importer.import_stream``). A file that could not be
        read comes between two batches, as its ArticleError, after the files before
        it. Each batch must be consumed (or the command ended) before the next.

        With ``seconds`` (a plain ``add``, which commits as it goes), a batch also ends
        once it has files and the next ones are not parsed yet, or once it is
        ``seconds`` old: its transaction never waits for parsing, and every file is
        committed, and so can be reported, soon after it was parsed.
        """
        pending: deque[tuple[Path, InputSpec | ArticleError]] = deque()
        groups = self._parsed_groups()

        def refill() -> bool:
            group = next(groups, None)
            pending.extend(group or ())
            return group is not None

        def failed() -> bool:
            return bool(pending) and isinstance(pending[0][1], ArticleError)

        size = self._batch
        taken = [0]  # files handed over in the current batch
        started = [0.0]  # when the current batch handed over its first files

        def may_take_more() -> bool:
            if seconds is None or not taken[0]:
                return True
            return self._next_parsed() and time.monotonic() - started[0] < seconds

        def batch() -> Iterator[list[InputSpec]]:
            while taken[0] < size and not failed() and (
                    pending or (may_take_more() and refill())):
                if not taken[0]:
                    started[0] = time.monotonic()
                piece = []
                while pending and taken[0] < size and not failed():
                    piece.append(pending.popleft()[1])
                    taken[0] += 1
                if piece:
                    yield piece

        while pending or refill():
            if failed():
                yield pending.popleft()[1]
                continue
            taken[0] = 0
            yield batch()
            if not taken[0]:
                raise RuntimeError("a batch was not consumed before the next was asked for")

    def _next_parsed(self) -> bool:
        """Whether the next task's files are parsed already (taking them costs no wait).
        Without workers, files are parsed only when asked for: never."""
        return bool(self._waiting) and self._waiting[0].done()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> ParsedFiles:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# How often a worker checks that the command that started it is still running.
PARENT_CHECK_S = 1.0
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def die_with_parent(parent: int) -> None:
    """Worker initializer: end this worker when process ``parent`` ends, however it
    ends (SIGKILL included, which gives the parent no chance to stop its workers)."""
    import signal
    import sys
    import threading
    import time

    if sys.platform.startswith("linux"):
        import ctypes

        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - a libc without prctl
            pass
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(PARENT_CHECK_S)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="claimsdb-parent-watch", daemon=True).start()


def parse_group(paths: Sequence[Path | ArticleBytes]) -> list[InputSpec | ArticleError]:
    """``read_input`` of each file (its ArticleError in place of a spec), with the
    cycle collector paused. What the import works out from the file alone is worked
    out here too, where it runs beside the writing: the content hash, which the
    import compares with the stored one, the actor keys the file needs, and each actor
    definition as plain values (``claimsdb.ingest.bulk`` compares them across the
    batch): at 100,000 statements that took the writer 0.25 s, 0.09 s now."""
    out: list[InputSpec | ArticleError] = []
    with collector_paused():
        for path in paths:
            try:
                spec = read_input(path)
            except ArticleError as error:
                out.append(error)
                continue
            if isinstance(spec, ArticleSpec):
                _work_out(spec)
            out.append(spec)
    return out


def _work_out(spec: ArticleSpec) -> None:
    """Compute what the import asks of the spec that depends on the file alone (see
    ``parse_group``): the spec keeps each value once computed."""
    spec.content_hash()
    spec.actor_keys  # noqa: B018 (computed and kept by the spec)
    spec.independent_origins  # noqa: B018
    for actor in spec.actors:
        actor.definition  # noqa: B018


def _parse_group(paths: list[Path | ArticleBytes]
                 ) -> list[tuple[Path | ArticleBytes, InputSpec | ArticleError]]:
    """Runs in the worker; paths, specs and errors all travel pickled (an ArticleError
    pickles as its source and problems, so a NotAnArticle stays one)."""
    return list(zip(paths, parse_group(paths), strict=True))
