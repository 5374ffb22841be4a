"""``claimsdb add FILE...`` of 1,000 files, without ``--batch``, against a raw importer.

The way most people load files: one ``claimsdb add`` of many files, each file its own
all-or-nothing unit, reported as it lands. Measured end to end as processes, as a
user waits for it:

- claimsdb: ``claimsdb --db DB add FILE...`` into a database just made by
  ``claimsdb init`` (untimed), stdout to a pipe, stderr on a pseudo-terminal (so the
  progress bar draws, as at a terminal; ``run.cli_import``);
- the peer: a raw sqlite3 importer of the same files in a fresh process: read and
  parse each file (``yaml.CSafeLoader``), turn it into the rows claimsdb stores
  (``run.RawRows``), ``executemany`` them in one transaction, into a schema made by
  claimsdb's migrations (untimed) with the same pragmas.

The two sides run interleaved, ``--repeat`` times each; the table shows each side's
median. Runnable alone (``python bench/add_files.py``) and from ``bench/run.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

FILES = 1000
CORPUS_STATEMENTS = 100_000  # the corpus whose first FILES files are imported
TARGET = 1.5  # claimsdb's time at most this many times the raw importer's
MEASURE = f"add {FILES:,} files, no --batch (process)"
PEER = "raw sqlite3 importer (process)"


def measure(files: Sequence[Path], work: Path, repeat: int = 3) -> dict[str, Any]:
    """Both sides ``repeat`` times, interleaved (the order swapped each round, so neither
    always runs second on a machine still busy with the other): each run's wall time and
    CPU time (user + system of the process and its children), and the row counts of the
    last run of each side, which must agree."""
    import run

    work.mkdir(parents=True, exist_ok=True)
    claimsdb_db, raw_db = work / "add-files.db", work / "add-files-raw.db"
    runs: dict[str, list[tuple[float, float]]] = {"claimsdb": [], "raw": []}
    for round_number in range(repeat):
        sides = ["claimsdb", "raw"] if round_number % 2 == 0 else ["raw", "claimsdb"]
        for side in sides:
            if side == "claimsdb":
                _remove(claimsdb_db)
                subprocess.run([run.CLAIMSDB, "--db", str(claimsdb_db), "init"], check=True,
                               capture_output=True)
                command = [run.CLAIMSDB, "--db", str(claimsdb_db), "add", *map(str, files)]
            else:
                run.fresh_sqlite(raw_db)  # the schema, untimed as ``claimsdb init`` is
                command = [sys.executable, __file__, "--child-raw", str(raw_db),
                           *map(str, files)]
            runs[side].append(timed_process(command))
    claimsdb_rows, raw_rows = run.count_rows(str(claimsdb_db)), run.count_rows(str(raw_db))
    if claimsdb_rows != raw_rows:
        raise RuntimeError(f"row counts differ: claimsdb {claimsdb_rows}, raw {raw_rows}")
    for path in (claimsdb_db, raw_db):
        _remove(path)
    result: dict[str, Any] = {"files": len(files), "rows": claimsdb_rows,
                              "load_average": os.getloadavg()}
    for side, times in runs.items():
        result[f"{side}_seconds"] = [wall for wall, _ in times]
        result[f"{side}_cpu_seconds"] = [cpu for _, cpu in times]
        result[f"{side}_median"] = statistics.median(wall for wall, _ in times)
        result[f"{side}_cpu_median"] = statistics.median(cpu for _, cpu in times)
    return result


def timed_process(command: list[str]) -> tuple[float, float]:
    """Run ``command`` to its end, stdout to a pipe and stderr on a pseudo-terminal (so
    claimsdb draws its progress bar, as for a user at a terminal); its wall time, and
    its CPU time with its children's. It must succeed."""
    import pty
    import threading

    master, slave = pty.openpty()
    captured: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            if not chunk:
                return
            captured.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=slave,
                               stdin=subprocess.DEVNULL)
    os.close(slave)
    reader.start()
    assert process.stdout is not None
    process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    reader.join(timeout=5)
    os.close(master)
    if process.returncode != 0:
        stderr = b"".join(captured).decode("utf-8", "replace")
        raise RuntimeError(f"{command[0]} failed ({process.returncode}): {stderr[-2000:]}")
    return elapsed, usage.ru_utime + usage.ru_stime


def report_rows(report: Any, size: str, result: dict[str, Any]) -> None:
    """The measurement as one row of ``run.Report``."""
    report.add(size, "sqlite", MEASURE, result["claimsdb_median"], "s", PEER,
               result["raw_median"], target=f"≤ {TARGET}x", limit=TARGET,
               note=f"medians of {len(result['claimsdb_seconds'])} interleaved runs; CPU "
               f"{result['claimsdb_cpu_median']:.2f} s vs {result['raw_cpu_median']:.2f} s")


def child_raw(path: str, files: list[str]) -> None:
    """The raw importer itself: parse, rows, executemany, one transaction."""
    import sqlite3

    import run
    import yaml

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    docs = []
    for name in files:
        raw = Path(name).read_bytes()
        docs.append((yaml.load(raw.decode("utf-8"), Loader=yaml.CSafeLoader), raw))
    rows = run.RawRows().rows(docs)
    conn.execute("BEGIN IMMEDIATE")
    for table in run.TABLES:
        if rows[table]:
            marks = ", ".join("?" * len(run.COLUMNS[table].split(",")))
            conn.executemany(f"INSERT INTO {table} ({run.COLUMNS[table]}) VALUES ({marks})",  # noqa: S608
                             rows[table])
    conn.execute("COMMIT")
    conn.close()


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus" / "100k",
                        help="a corpus folder written by bench/generate.py (default: the "
                        "100k one, generated when missing)")
    parser.add_argument("--files", type=int, default=FILES)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child-raw", nargs="+", metavar="ARG", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_raw:
        child_raw(args.child_raw[0], args.child_raw[1:])
        return 0
    import generate
    import run
    import startup

    startup.compile_package()  # bytecode, as an installed package has (bench/run.py)
    folder = args.corpus
    if not (folder / "manifest.json").exists():
        folder, _ = run.corpus(CORPUS_STATEMENTS, generate.DEFAULT_SEED)
    files = run.corpus_files(folder)[:args.files]
    result = measure(files, HERE / "out" / "work", args.repeat)
    ratio = result["claimsdb_median"] / result["raw_median"]
    print(json.dumps(result, indent=2))
    cpu_ratio = result["claimsdb_cpu_median"] / result["raw_cpu_median"]
    print(f"{MEASURE}: {result['claimsdb_median']:.2f} s; {PEER}: {result['raw_median']:.2f} s;"
          f" {ratio:.2f}x (target ≤ {TARGET}x: {'met' if ratio <= TARGET else 'MISSED'});"
          f" CPU {result['claimsdb_cpu_median']:.2f} s vs {result['raw_cpu_median']:.2f} s,"
          f" {cpu_ratio:.2f}x; load average "
          f"{' '.join(f'{x:.2f}' for x in result['load_average'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
