"""A ``claimsdb add`` killed with SIGKILL mid-import leaves all of the article or none.

A real subprocess imports a large article; it is killed at several points: while the
file is still being parsed, and at several moments after its write transaction has
begun (found by watching the database: SQLite's write lock is taken, or the
PostgreSQL backend holds a transaction id). Each time the database must open, pass
SQLite's ``PRAGMA integrity_check`` (or amcheck's B-tree checks on PostgreSQL) and
``claimsdb check``, and hold either the whole article (every statement, hop,
relation and actor) or nothing of it. Then the same file imports cleanly.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bigarticles import write_big_article
from claimsdb.query.checks import check_database
from claimsdb.store.db import make_engine

CLAIMSDB = Path(sys.executable).with_name("claimsdb")
STATEMENTS = 12_000
# What the article brings, by table (see bigarticles.write_big_article).
WHOLE = {"articles": 1, "statements": STATEMENTS, "actors": 4,
         "chain_hops": 2 * len(range(0, STATEMENTS, 3)) + len(range(1, STATEMENTS, 3)),
         "relations": 2 * (STATEMENTS // 10)}
# Moments to kill at, as fractions of the write transaction's measured duration.
WRITE_FRACTIONS = (0.0, 0.25, 0.5, 0.75, 0.95)

pytestmark = pytest.mark.slow


class Target:
    """Fresh databases of one backend, and a way to see whether an import is writing."""

    def __init__(self, backend: str, request, tmp_path: Path):
        self.backend = backend
        self.request = request
        self.tmp_path = tmp_path
        self.created: list[str] = []

    def fresh(self) -> str:
        if self.backend == "sqlite":
            path = self.tmp_path / f"crash-{uuid.uuid4().hex[:8]}.db"
            shutil.copyfile(self.request.getfixturevalue("sqlite_template"), path)
            return str(path)
        server = self.request.getfixturevalue("postgres")
        name = f"claimsdb_crash_{uuid.uuid4().hex[:10]}"
        url = server.create(name, template=self.request.getfixturevalue("postgres_template"))
        self.created.append(name)
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:  # for bt_index_check in 'claimsdb check'
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
        admin.dispose()
        return url

    def writing(self, db: str) -> bool:
        """Is a write transaction open on ``db`` right now?"""
        if self.backend == "sqlite":
            probe = sqlite3.connect(db, timeout=0, isolation_level=None)
            try:
                probe.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:
                return True  # the importer holds the write lock
            else:
                probe.execute("ROLLBACK")
                return False
            finally:
                probe.close()
        engine = create_engine(db, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                return bool(conn.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()")).scalar())
        finally:
            engine.dispose()

    def drop_all(self) -> None:
        if self.created:
            server = self.request.getfixturevalue("postgres")
            for name in self.created:
                server.drop(name)


def start(db: str, path: Path) -> subprocess.Popen:
    return subprocess.Popen([str(CLAIMSDB), "--db", db, "add", "-q", str(path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_for_writing(target: Target, db: str, process: subprocess.Popen,
                     timeout: float = 120) -> float | None:
    """Seconds until the import's write transaction is open (None: it ended first)."""
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        if process.poll() is not None:
            return None
        if target.writing(db):
            return time.monotonic()
        time.sleep(0.005)
    raise AssertionError("the import never started writing")


def counts(db: str) -> dict[str, int]:
    engine = make_engine(db, create=False)
    try:
        with engine.connect() as conn:
            return {table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()  # noqa: S608
                    for table in WHOLE}
    finally:
        engine.dispose()


def assert_sound(db: str, backend: str) -> str:
    """The database opens, passes every check, and holds all or none of the article."""
    if backend == "sqlite":
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    engine = make_engine(db, create=False)
    try:
        report = check_database(engine)
    finally:
        engine.dispose()
    assert report.ok, report.summary()
    if backend == "postgresql":
        assert any(v.startswith("amcheck bt_index_check") for v in report.verified)
    found = counts(db)
    assert found in (dict.fromkeys(WHOLE, 0), WHOLE), found
    return "all" if found == WHOLE else "none"


def test_sigkill_mid_import_leaves_all_or_nothing(backend, request, tmp_path):
    target = Target(backend, request, tmp_path)
    article = write_big_article(tmp_path / "big.yaml", statements=STATEMENTS)
    try:
        # Calibrate: how long after it starts writing does a full import commit?
        db = target.fresh()
        process = start(db, article)
        writing_from = wait_for_writing(target, db, process)
        assert writing_from is not None, "the import finished before it was seen writing"
        assert process.wait(timeout=600) == 0, process.stderr.read()
        write_time = time.monotonic() - writing_from
        assert assert_sound(db, backend) == "all"

        outcomes = []
        # Killed while the file is still being read: nothing was written.
        db = target.fresh()
        process = start(db, article)
        time.sleep(0.3)
        assert not target.writing(db)
        process.send_signal(signal.SIGKILL)
        process.wait()
        outcomes.append(("parsing", assert_sound(db, backend)))
        # Killed at moments through the write transaction. Whether the transaction was
        # still open is probed just before each kill (a kill can come after a fast
        # commit on a busy machine: then the whole article must be there).
        mid_transaction = []
        for attempt in range(12):
            fraction = WRITE_FRACTIONS[attempt % len(WRITE_FRACTIONS)]
            if attempt >= len(WRITE_FRACTIONS) and len(mid_transaction) >= 3:
                break
            db = target.fresh()
            process = start(db, article)
            began = wait_for_writing(target, db, process)
            if began is not None:
                time.sleep(max(0.0, fraction * write_time - (time.monotonic() - began)))
            open_before_kill = process.poll() is None and target.writing(db)
            process.send_signal(signal.SIGKILL)
            assert process.wait() in (-signal.SIGKILL, 0)
            outcome = assert_sound(db, backend)
            outcomes.append((f"{fraction:.0%} into writing", outcome))
            if open_before_kill:
                mid_transaction.append(outcome)

        print(f"\n{backend}: write transaction {write_time:.2f} s; killed: "
              + ", ".join(f"{when} -> {what}" for when, what in outcomes))
        assert outcomes[0] == ("parsing", "none")
        # Kills inside the transaction left nothing (at most one may have raced a commit).
        assert len(mid_transaction) >= 3, outcomes
        assert mid_transaction.count("none") >= len(mid_transaction) - 1, outcomes

        # The crashed database takes the same import afterwards, whole.
        process = start(db, article)
        assert process.wait(timeout=600) == 0, process.stderr.read()
        assert assert_sound(db, backend) == "all"
    finally:
        target.drop_all()


# -- issue 11 item 12: add --batch workers die with the command ----------------------------

def _processes() -> dict[int, tuple[int, str]]:
    """Every process: pid -> (parent pid, start time), from /proc."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # it ended meanwhile
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        found[int(entry.name)] = (int(fields[1]), fields[19])
    return found


def _descendants(pid: int) -> dict[int, str]:
    """pid -> start time of every process below ``pid``."""
    table = _processes()
    out: dict[int, str] = {}
    frontier = [pid]
    while frontier:
        parent = frontier.pop()
        for child, (ppid, started) in table.items():
            if ppid == parent and child not in out:
                out[child] = started
                frontier.append(child)
    return out


def _alive(processes: dict[int, str]) -> dict[int, str]:
    table = _processes()
    return {pid: started for pid, started in processes.items()
            if pid in table and table[pid][1] == started}


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_item_12_sigkill_of_add_batch_leaves_no_worker_running(backend, request, tmp_path):
    """Issue 11 item 12: SIGKILL of 'claimsdb add --batch' mid-import: within a few
    seconds no process it started (parsing workers, resource tracker) is left."""
    import os

    if (os.cpu_count() or 1) < 2:
        pytest.skip("add --batch parses in workers only with a second core")
    from test_long_chains import write_relay_chain

    target = Target(backend, request, tmp_path)
    files = tmp_path / "chain"
    write_relay_chain(files, length=3_000)
    try:
        for _attempt in range(2):
            db = target.fresh()
            process = subprocess.Popen(
                [str(CLAIMSDB), "--db", db, "add", "-q", "--batch", "50", str(files)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 60
            workers: dict[int, str] = {}
            while time.monotonic() < deadline and process.poll() is None:
                workers = _descendants(process.pid)
                if len(workers) >= 2:  # at least two of: workers, resource tracker
                    break
                time.sleep(0.02)
            assert process.poll() is None, "the import ended before its workers were seen"
            time.sleep(0.3)  # mid-batch
            workers.update(_descendants(process.pid))
            process.send_signal(signal.SIGKILL)
            process.wait()
            gone_by = time.monotonic() + 5
            while _alive(workers) and time.monotonic() < gone_by:
                time.sleep(0.05)
            left = _alive(workers)
            for pid in left:  # do not leave them to the next test
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            assert not left, f"{len(left)} of {len(workers)} processes outlived the command"
            assert assert_sound_counts(db)
    finally:
        target.drop_all()


def assert_sound_counts(db: str) -> bool:
    """The killed import left a database that opens and passes claimsdb check."""
    engine = make_engine(db, create=False)
    try:
        report = check_database(engine)
    finally:
        engine.dispose()
    assert report.ok, report.summary()
    return True
