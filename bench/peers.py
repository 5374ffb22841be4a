"""The command-line peers issue 16 names, run in the same run as claimsdb: a person who
loads rows or writes CSV with other tools would use these.

- ``sqlite-utils insert``: the rows the import stores, loaded into a database at
  claimsdb's schema (its migrations: same indexes, same full-text triggers) with one
  ``sqlite-utils insert DB TABLE FILE --nl`` per table, against ``claimsdb add`` end to
  end. The rows are the raw baseline's (``run.RawRows``: ids given), written as
  newline-delimited JSON before the clock starts (JSON keeps NULLs and numbers, CSV
  would not). sqlite-utils does not parse article files, nor check foreign keys, and
  each table is its own process (one start-up each): a peer, not a target.
- the sqlite3 shell's CSV mode, ``sqlite3 -csv -header DB "SELECT ..."``: every statement
  with its article, speaker, outlet and chain (one SQL statement, ``SHELL_CSV``), against
  ``claimsdb export csv --table statements``. The shell writes fewer columns (no
  relations, topics, context sentence): a peer, not a target.

Both are whole processes timed from outside. ``sqlite3`` is the SQLite project's
command-line shell (Debian/Ubuntu: ``apt-get install sqlite3``; macOS ships it);
``sqlite-utils`` comes with ``pip install -e '.[bench]'``. ``require_tools`` stops a run
before it starts when either is missing.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402  (bench/ is not a package)
import startup  # noqa: E402

SHELL_CSV = """
SELECT a.key AS article, s.key AS statement, s.kind, s.quote, sp.name AS speaker,
       (SELECT group_concat(name, ' > ') FROM (
            SELECT x.name FROM chain_hops h JOIN actors x ON x.id = h.actor_id
            WHERE h.statement_id = s.id ORDER BY h.position)) AS chain,
       (SELECT count(*) FROM chain_hops h WHERE h.statement_id = s.id) AS chain_depth,
       sp.key AS speaker_key, sp.kind AS speaker_kind, sp.identified AS speaker_identified,
       o.name AS outlet, s.stated_on, a.title AS article_title, a.published, a.url,
       s.span_start, s.span_end
FROM statements s JOIN articles a ON s.article_id = a.id
LEFT JOIN actors sp ON s.speaker_id = sp.id LEFT JOIN actors o ON a.outlet_id = o.id
ORDER BY s.article_id, s.id
"""


def sqlite3_shell() -> str:
    found = shutil.which("sqlite3")
    if found is None:
        raise RuntimeError("the sqlite3 command-line shell is not installed (a peer of the "
                           "CSV export): apt-get install sqlite3")
    return found


def require_tools() -> None:
    """Both peers' programs, or a clear error before anything is measured."""
    missing = []
    for locate in (sqlite3_shell, startup.sqlite_utils):
        try:
            locate()
        except RuntimeError as error:
            missing.append(str(error))
    if missing:
        raise SystemExit("bench/run.py needs both peers installed:\n  " + "\n  ".join(missing)
                         + "\n(sqlite-utils: pip install -e '.[bench]')")


def write_rows(files: list[Path], folder: Path) -> dict[str, Path]:
    """The raw baseline's rows of ``files``, one newline-delimited JSON file per table."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {table: folder / f"{table}.jsonl" for table in run.TABLES}
    outs = {table: path.open("w", encoding="utf-8") for table, path in paths.items()}
    try:
        builder = run.RawRows()
        for docs in run.parsed_groups(files):
            for table, rows in builder.rows(docs).items():
                names = [c.strip() for c in run.COLUMNS[table].split(",")]
                for row in rows:
                    outs[table].write(json.dumps(dict(zip(names, row, strict=True)),
                                                 ensure_ascii=False) + "\n")
    finally:
        for out in outs.values():
            out.close()
    return paths


def sqlite_utils_insert(path: Path, rows: dict[str, Path]) -> float:
    """Wall seconds of one ``sqlite-utils insert`` per table, in a database made by
    claimsdb's migrations (untimed)."""
    run.fresh_sqlite(path)
    program = startup.sqlite_utils()
    spent = 0.0
    for table in run.TABLES:
        start = time.perf_counter()
        done = subprocess.run([program, "insert", str(path), table, str(rows[table]), "--nl"],
                              capture_output=True, text=True, check=False)
        spent += time.perf_counter() - start
        if done.returncode != 0:
            raise RuntimeError(f"sqlite-utils insert {table} failed: {done.stderr[-2000:]}")
    return spent


def shell_csv(target: str, out_path: Path) -> tuple[float, int]:
    """Wall seconds of ``sqlite3 -csv`` writing ``SHELL_CSV`` to a file, and its rows."""
    start = time.perf_counter()
    with out_path.open("wb") as out:
        done = subprocess.run([sqlite3_shell(), "-csv", "-header", target, SHELL_CSV],
                              stdout=out, stderr=subprocess.PIPE, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"sqlite3 -csv failed: {done.stderr.decode()[-2000:]}")
    with out_path.open(encoding="utf-8", newline="") as written:
        count = sum(1 for _ in csv.reader(written)) - 1  # (the header)
    return seconds, count


def measure(report: Any, size: str, files: list[Path], work: Path, target: str,
            rows: dict[str, int], cli_seconds: float, export_seconds: float,
            repeats: int = 1) -> dict[str, Any]:
    """Both peers on SQLite, each its best of ``repeats``; rows in ``report``'s table of
    ``size`` next to claimsdb's import end to end and CSV export."""
    jsonl = write_rows(files, work / "sqlite-utils-rows")
    insert_db = work / "sqlite-utils.db"
    insert_s = export_s = float("inf")
    exported = 0
    for _ in range(repeats):
        insert_s = min(insert_s, sqlite_utils_insert(insert_db, jsonl))
        once, exported = shell_csv(target, work / "sqlite3-shell.csv")
        export_s = min(export_s, once)
    stored = run.count_rows(str(insert_db))
    if stored != rows:
        raise RuntimeError(f"sqlite-utils stored other rows: {stored}, claimsdb {rows}")
    if exported != rows["statements"]:
        raise RuntimeError(f"sqlite3 -csv wrote {exported} rows of {rows['statements']}")
    report.add(size, "sqlite", "import end to end (claimsdb add)", cli_seconds, "s",
               f"sqlite-utils insert --nl ({len(run.TABLES)} tables, a process each)",
               insert_s, note="peer: rows prepared as JSON, no parsing")
    report.add(size, "sqlite", "CSV export, all statements", rows["statements"] / export_seconds,
               "rows/s", "sqlite3 -csv (shell)", rows["statements"] / export_s,
               higher_is_better=True, note="peer: fewer columns (no relations, context)")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{insert_db}{suffix}").unlink(missing_ok=True)
    (work / "sqlite3-shell.csv").unlink(missing_ok=True)
    shutil.rmtree(work / "sqlite-utils-rows", ignore_errors=True)
    return {"sqlite_utils_insert_seconds": insert_s, "sqlite3_csv_seconds": export_s,
            "rows": stored}
