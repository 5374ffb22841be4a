"""Parsing article files in worker processes while the database writes (``add --batch``).

Loading an archive spends about twice as long parsing and validating files (YAML,
then every field, in Python) as writing them. With two or more cores, worker
processes parse the next batches while this process writes the current one, so a
large import takes about as long as the slowest part rather than the sum. Parsing is
pure (no database), so the outcome is the same: files come back in their order, each
as its ``ArticleSpec`` or the ``ArticleError`` that ``read_article`` raised for it.

Workers are fresh interpreters ("spawn"): a forked one would inherit this process's
open SQLite connections, which SQLite forbids using or closing across a fork. At most
``AHEAD`` batches wait parsed, so memory stays bounded.

Python's cycle collector is paused while a batch is parsed (``gc_paused``): parsing
allocates millions of short-lived objects while the batch's parsed articles stay
alive, and every automatic collection re-scanned those, which made parsing a batch
of 2,000 files twice as slow as parsing them one at a time.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import os
from collections import deque
from collections.abc import Iterator, Sequence
from pathlib import Path

from claimsdb.articles import ArticleSpec, read_article
from claimsdb.errors import ArticleError

AHEAD = 3  # batches parsed ahead of the one being written
# Parsing costs about twice what writing does, so two workers keep the writer busy;
# more would only wait for it. (On two cores the writer is often waiting for a batch,
# so three processes still share them well: measured in docs/performance.md.)
WORKERS = 2


def parsed(files: Sequence[Path], batch: int) -> Iterator[tuple[Path, ArticleSpec | ArticleError]]:
    """Every file, parsed and validated, in order; read ahead in worker processes when
    there are several batches and a second core to run them on."""
    groups = [list(files[start:start + batch]) for start in range(0, len(files), batch)]
    if len(groups) < 2 or (os.cpu_count() or 1) < 2:
        for group in groups:
            yield from zip(group, parse_group(group), strict=True)
        return
    import concurrent.futures
    import multiprocessing

    pool = concurrent.futures.ProcessPoolExecutor(
        max_workers=WORKERS, mp_context=multiprocessing.get_context("spawn"))
    try:
        remaining = iter(groups)
        waiting = deque(pool.submit(_parse_group, [str(p) for p in group])
                        for group in itertools.islice(remaining, AHEAD))
        while waiting:
            results = waiting.popleft().result()
            following = next(remaining, None)
            if following is not None:
                waiting.append(pool.submit(_parse_group, [str(p) for p in following]))
            for path, spec, problem in results:
                yield Path(path), spec if spec is not None else ArticleError(*problem)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def parse_group(paths: Sequence[Path]) -> list[ArticleSpec | ArticleError]:
    """``read_article`` of each file (its ArticleError in place of a spec), with the
    cycle collector paused. The content hash, which the import compares with the
    stored one, is computed here too: it is pure work on the file, and here it runs
    beside the writing."""
    out: list[ArticleSpec | ArticleError] = []
    with gc_paused():
        for path in paths:
            try:
                spec = read_article(path)
            except ArticleError as error:
                out.append(error)
                continue
            spec.content_hash()
            out.append(spec)
    return out


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No automatic cycle collection inside. Garbage is still freed by reference
    counting meanwhile; cycles wait for the collector's next automatic run (an explicit
    full collection here would re-scan everything alive, the cost being avoided)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _parse_group(paths: list[str]) -> list[tuple[str, ArticleSpec | None, tuple | None]]:
    """Runs in the worker. Errors travel as (source, problems): an ArticleError itself
    does not survive pickling (its constructor takes more than its message)."""
    return [(path, None, (result.source, result.problems)) if isinstance(result, ArticleError)
            else (path, result, None)
            for path, result in zip(paths, parse_group([Path(p) for p in paths]), strict=True)]
