"""Parsing article files in a second process while the database writes (``add --batch``).

Loading an archive spends about as long parsing and validating files (YAML, then every
field, in Python) as writing them. With two or more cores, a worker process parses the
next batches while this process writes the current one, so a large import takes about
as long as the slower of the two rather than their sum. Parsing is pure (no
database), so the outcome is the same: files come back in their order, each as its
``ArticleSpec`` or the ``ArticleError`` that ``read_article`` raised for it.

The worker is a fresh interpreter ("spawn"): a forked one would inherit this
process's open SQLite connections, which SQLite forbids using or closing across a
fork. At most ``AHEAD`` batches wait parsed, so memory stays bounded.
"""

from __future__ import annotations

import itertools
import os
from collections import deque
from collections.abc import Iterator, Sequence
from pathlib import Path

from claimsdb.articles import ArticleSpec, read_article
from claimsdb.errors import ArticleError

AHEAD = 2  # batches parsed ahead of the one being written


def parsed(files: Sequence[Path], batch: int) -> Iterator[tuple[Path, ArticleSpec | ArticleError]]:
    """Every file, parsed and validated, in order; read ahead in a worker process when
    there are several batches and a second core to run it on."""
    groups = [list(files[start:start + batch]) for start in range(0, len(files), batch)]
    if len(groups) < 2 or (os.cpu_count() or 1) < 2:
        for path in files:
            yield path, _parse(path)
        return
    import concurrent.futures
    import multiprocessing

    pool = concurrent.futures.ProcessPoolExecutor(
        max_workers=1, mp_context=multiprocessing.get_context("spawn"))
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


def _parse(path: Path) -> ArticleSpec | ArticleError:
    try:
        return read_article(path)
    except ArticleError as error:
        return error


def _parse_group(paths: list[str]) -> list[tuple[str, ArticleSpec | None, tuple | None]]:
    """Runs in the worker. Errors travel as (source, problems): an ArticleError itself
    does not survive pickling (its constructor takes more than its message)."""
    out: list[tuple[str, ArticleSpec | None, tuple | None]] = []
    for path in paths:
        result = _parse(Path(path))
        if isinstance(result, ArticleError):
            out.append((path, None, (result.source, result.problems)))
        else:
            out.append((path, result, None))
    return out
