"""A second reader of the same snapshot, so that one answer can read in two places at once.

``claimsdb claims`` and ``loops`` read a tenth of a large database in thousands of
queries, one after the other on one connection: while PostgreSQL runs a query the
program waits, and while the program builds what it read the server waits. At a
million statements that was 0.7 s of 2.3 s of ``loops`` with the server at work and
the program idle (finding the statements whose chain meets an actor twice), and the
member reads of ``claims`` likewise. A sibling connection reads part of the answer in
a thread while the caller's connection goes on, which this 2-core machine and any
server with more than one core run side by side.

Both connections must see one database: an answer assembled from two snapshots could
count a statement that a concurrent ``add --replace`` removed. PostgreSQL exports the
caller's snapshot (``pg_export_snapshot``) and the sibling's transaction adopts it
(``SET TRANSACTION SNAPSHOT``), so both read the same committed state, whatever
commits meanwhile. SQLite offers no way to share a snapshot through Python's sqlite3
module, so there is no sibling there (``sibling`` yields None) and the caller reads
alone, as before.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import Connection, text
from sqlalchemy import exc as sa_exc

from claimsdb.errors import DatabaseError
from claimsdb.store.db import read_connection

if TYPE_CHECKING:
    from concurrent.futures import Future

# What pg_export_snapshot() returns ("00000003-0000001B-1"): checked before it is
# written into SET TRANSACTION SNAPSHOT, which takes no bound parameter.
_SNAPSHOT_ID = re.compile(r"[0-9A-F]+(-[0-9A-F]+)+")

Item = TypeVar("Item")
Result = TypeVar("Result")


@contextlib.contextmanager
def sibling(conn: Connection) -> Iterator[Connection | None]:
    """A read connection seeing exactly what ``conn`` (a ``read_connection``) sees, for
    the length of the block; None where the snapshot cannot be shared: on SQLite,
    inside a savepoint (PostgreSQL exports no snapshot from a subtransaction;
    ``claimsdb check`` runs each of its checks in one), and when the server refuses
    a second connection (a role's or the server's connection limit reached): the
    caller then reads alone, as it did before siblings."""
    if conn.dialect.name != "postgresql" or conn.in_nested_transaction():
        yield None
        return
    snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
    if not _SNAPSHOT_ID.fullmatch(snapshot):
        raise ValueError(f"unexpected snapshot id from the server: {snapshot!r}")
    opened = contextlib.ExitStack()
    try:
        other = opened.enter_context(read_connection(conn.engine))
        # The first statement of its transaction, as SET TRANSACTION SNAPSHOT must be.
        other.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
    except (DatabaseError, sa_exc.DBAPIError):
        with contextlib.suppress(DatabaseError, sa_exc.DBAPIError):
            opened.close()
        yield None
        return
    with opened:
        yield other


@contextlib.contextmanager
def beside(conn: Connection, work: Callable[[Connection], Result]
           ) -> Iterator[Callable[[], Result]]:
    """Start ``work`` on a sibling of ``conn`` in a thread (on ``conn`` itself, at once,
    where there is no sibling); the block gets a function that waits for its result."""
    with sibling(conn) as other:
        if other is None:
            done = work(conn)
            yield lambda: done
            return
        from concurrent.futures import ThreadPoolExecutor  # (5 ms to import: when needed)

        with _prompt_switching(), \
                ThreadPoolExecutor(1, thread_name_prefix="claimsdb-sibling") as pool:
            future = pool.submit(work, other)
            try:
                yield future.result
            finally:
                future.cancel()
                _settled(future)


def read_ahead(conn: Connection, items: Iterable[Item],
               read: Callable[[Connection, Item], Result], *, ahead: int = 2
               ) -> Iterator[tuple[Item, Result]]:
    """``(item, read(connection, item))`` for each item, in order: on a sibling of
    ``conn``, up to ``ahead`` items before the one the caller works on, so that the
    reading of the next overlaps the caller's work on this one; on ``conn``, one at a
    time, where there is no sibling."""
    with sibling(conn) as other:
        if other is None:
            for item in items:
                yield item, read(conn, item)
            return
        from concurrent.futures import ThreadPoolExecutor

        with _prompt_switching(), \
                ThreadPoolExecutor(1, thread_name_prefix="claimsdb-sibling") as pool:
            pending: deque[tuple[Item, Future]] = deque()
            remaining = iter(items)
            try:
                while True:
                    while len(pending) <= ahead:
                        item = next(remaining, _END)
                        if item is _END:
                            break
                        pending.append((item, pool.submit(read, other, item)))
                    if not pending:
                        return
                    item, future = pending.popleft()
                    yield item, future.result()
            finally:
                for _, future in pending:
                    future.cancel()
                for _, future in pending:
                    _settled(future)


_END = object()

# How long a thread may hold the interpreter while another waits for it, while a
# sibling reads (Python's default is 5 ms).
SWITCH_INTERVAL = 0.001


@contextlib.contextmanager
def _prompt_switching() -> Iterator[None]:
    """A shorter thread switch interval for the block. Each time the sibling's query
    returns, its thread waits for the interpreter, which the caller's thread, busy
    building what was read, gives up only every 5 ms by default: with a query for
    every thousand ids, the sibling spent more time waiting for its turn than for the
    server, and ``claims`` gained nothing from it (2.0-2.4 s at a million statements
    on PostgreSQL; 1.65 s with 1 ms)."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(min(before, SWITCH_INTERVAL))
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def _settled(future: Future) -> None:
    """Wait for a running read to end before its connection closes (its error, if any,
    was the caller's to see only had it asked for the result)."""
    with contextlib.suppress(Exception):
        future.exception()


__all__ = ["beside", "read_ahead", "sibling"]
