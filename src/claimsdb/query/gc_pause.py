"""Building many long-lived objects without Python's cyclic garbage collector.

The one pause of the collector that claimsdb has: ``claimsdb add`` parsing a batch of
files and importing it (``claimsdb.ingest.prefetch``, ``claimsdb.ingest.adding``), and
the answers that read the whole database. ``claimsdb claims``, ``loops`` and
``sources`` build hundreds of thousands of small objects (statements as members, their
links, union-find entries) that all stay alive until the answer is complete and
contain no reference cycles. The collector does not know that: each time allocations
outnumber frees by its threshold it walks the young objects, and ever more often the
old ones, all of them still alive. At 100k statements that was a third of ``claims``'
CPU time, and the share grows with the database (the oldest generation is walked again
as it grows), so the answer grew faster than the data.

Pausing it is a process-wide switch, and the workbench answers requests (and adds
articles) on several threads: the pauses are counted under a lock, so the collector
comes back on when the last pause ends, and only if it was on when the first began.
Nothing is lost by a pause: what became garbage meanwhile is collected at the next
run after it.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for the ``with`` block (see the module's
    docstring); nested and concurrent pauses restore it once, at the last exit."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
