"""Start-up as a person feels it: whole ``claimsdb`` processes on the seeded database.

A person who types ``claimsdb chain REF`` waits for Python, Click, claimsdb's imports,
opening the database, the query and the output, once. This runs the read commands as
processes on a database made by ``claimsdb seed`` (SQLite, then PostgreSQL) against a
peer's whole start-up on the same SQLite file, ``sqlite-utils query DB "select 1"``,
and ``claimsdb --help`` and a usage error against ``python -c "import click"``. Each
command runs ``RUNS`` times (median taken), all of them interleaved run by run so that
a busy moment of the machine hits every command alike. The targets are on wall time;
each read command's row also notes its median CPU time (user + system, from
``wait4``) and that as a ratio to the peer's, which a loaded machine disturbs less.
Targets (issue 16): a read command at most 0.6x the peer on SQLite, 1.0x on
PostgreSQL; ``--help`` at most 2x.

Before measuring, claimsdb's package is compiled to bytecode (``compileall``), as an
installed package is: with ``PYTHONDONTWRITEBYTECODE`` set, every run would otherwise
compile its modules from source, which the peer (installed with bytecode) never does.

Alone::

    python bench/startup.py                # SQLite and PostgreSQL, prints the table
    python bench/startup.py --no-postgres --runs 11

``bench/run.py`` calls ``measure`` once per run and reports its rows in the table
"start-up".
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402  (bench/ is not a package)

RUNS = 21
SIZE = "start-up"  # the table the rows go in
READ_TARGET = {"sqlite": 0.6, "postgresql": 1.0}
PEER = 'sqlite-utils query DB "select 1"'


def sqlite_utils() -> str:
    beside = Path(sys.executable).with_name("sqlite-utils")
    found = str(beside) if beside.exists() else shutil.which("sqlite-utils")
    if found is None:
        raise RuntimeError("sqlite-utils is not installed (it is the peer measured against)")
    return found


def compile_package() -> Path:
    """Compile claimsdb (the one the ``claimsdb`` script imports) to bytecode."""
    folder = Path(subprocess.run(
        [run.PYTHON, "-c", "import claimsdb, os; print(os.path.dirname(claimsdb.__file__))"],
        capture_output=True, text=True, check=True).stdout.strip())
    subprocess.run([run.PYTHON, "-m", "compileall", "-q", str(folder)], check=True,
                   capture_output=True)
    return folder


def seed(target: str) -> None:
    subprocess.run([run.CLAIMSDB, "--db", target, "seed"], check=True, capture_output=True)


def seeded_sqlite(folder: Path) -> Path:
    """A fresh database made by ``claimsdb seed``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "seeded.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    seed(str(path))
    return path


def read_commands(path: Path) -> dict[str, list[str]]:
    """The read commands of issue 16, with arguments picked from the seeded database:
    the statement with the longest chain, the named person relaying most, the actor
    that said most, the article with most statements."""
    with sqlite3.connect(path) as conn:
        ref = conn.execute(
            "SELECT a.key || '#' || s.key FROM statements s JOIN articles a "
            "ON a.id = s.article_id JOIN chain_hops h ON h.statement_id = s.id "
            "GROUP BY s.id ORDER BY count(*) DESC, a.key, s.key LIMIT 1").fetchone()[0]
        via = conn.execute(
            "SELECT a.key FROM chain_hops h JOIN actors a ON a.id = h.actor_id "
            "WHERE a.kind = 'person' AND a.identified = 'named' "
            "GROUP BY a.key ORDER BY count(*) DESC, a.key LIMIT 1").fetchone()[0]
        speaker = conn.execute(
            "SELECT a.key FROM statements s JOIN actors a ON a.id = s.speaker_id "
            "GROUP BY a.key ORDER BY count(*) DESC, a.key LIMIT 1").fetchone()[0]
        article = conn.execute(
            "SELECT a.key FROM statements s JOIN articles a ON a.id = s.article_id "
            "GROUP BY a.key ORDER BY count(*) DESC, a.key LIMIT 1").fetchone()[0]
    return {
        "chain REF": ["chain", ref],
        f"statements --via {via} --limit 20": ["statements", "--via", via, "--limit", "20"],
        f"actor {speaker}": ["actor", speaker],
        f"article {article}": ["article", article],
        "denials": ["denials"],
    }


def interleaved(commands: dict[str, tuple[list[str], int]], runs: int
                ) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Wall seconds and CPU seconds (user + system, the process's own) of each command,
    ``runs`` times, one of each in turn; a command that exits otherwise than expected
    stops the measurement. CPU time is reported beside the wall time: on a shared
    machine a process waits for a core for a while that has nothing to do with it."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, (command, expect) in commands.items():
            start = time.perf_counter()
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.PIPE)
            errors = process.stderr.read()
            process.stderr.close()
            _, status, usage = os.wait4(process.pid, 0)  # (its own rusage, as it ends)
            times[name].append(time.perf_counter() - start)
            cpu[name].append(usage.ru_utime + usage.ru_stime)
            process.returncode = code = os.waitstatus_to_exitcode(status)
            if code != expect:
                raise RuntimeError(f"{command} exited {code}: {errors[-500:]!r}")
    return times, cpu


def measure(report: Any, *, postgres: Any = None, runs: int = RUNS,
            work: Path = HERE / "out" / "work" / "startup") -> dict[str, Any]:
    """Measure, add the rows to ``report`` (``run.Report``), return the medians (ms).
    ``postgres``: a ``run.PostgresDatabases`` to seed one more database in, or None."""
    compile_package()
    path = seeded_sqlite(work)
    reads = read_commands(path)
    targets = {"sqlite": str(path)}
    if postgres is not None:
        url = postgres.create("startup")
        seed(url)
        targets["postgresql"] = url
    commands: dict[str, tuple[list[str], int]] = {
        "click": ([run.PYTHON, "-c", "import click"], 0),
        "help": ([run.CLAIMSDB, "--help"], 0),
        "usage": ([run.CLAIMSDB, "add"], 2),
        "peer": ([sqlite_utils(), "query", str(path), "select 1"], 0),
    }
    for backend, target in targets.items():
        for label, arguments in reads.items():
            commands[f"{backend} {label}"] = ([run.CLAIMSDB, "--db", target, *arguments], 0)
    load = os.getloadavg()
    times, cpu = interleaved(commands, runs)
    medians = {name: statistics.median(values) * 1000 for name, values in times.items()}
    cpu_medians = {name: statistics.median(values) * 1000 for name, values in cpu.items()}
    note = f"median of {runs}, load {load[0]:.2f}"
    click_ms, peer_ms = medians["click"], medians["peer"]
    report.add(SIZE, "cli", "claimsdb --help", medians["help"], "ms",
               'python -c "import click"', click_ms, target="≤ 2x", limit=2.0, note=note)
    report.add(SIZE, "cli", "claimsdb add (usage error, exit 2)", medians["usage"], "ms",
               'python -c "import click"', click_ms, target="≤ 2x", limit=2.0)
    for backend in targets:
        limit = READ_TARGET[backend]
        for label in reads:
            name = f"{backend} {label}"
            report.add(SIZE, backend, f"claimsdb {label}, whole process",
                       medians[name], "ms", PEER + " (SQLite)", peer_ms,
                       target=f"≤ {limit}x", limit=limit,
                       note=f"CPU {cpu_medians[name]:.0f} ms, "
                       f"{cpu_medians[name] / cpu_medians['peer']:.2f}x")
    return {"runs": runs, "load_average": list(load), "median_ms": medians,
            "cpu_median_ms": cpu_medians,
            "commands": {name: command for name, (command, _) in commands.items()}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=RUNS, help=f"runs of each (default {RUNS})")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    args = parser.parse_args(argv)
    report = run.Report(args)
    postgres = None
    if not args.no_postgres:
        try:
            postgres = run.PostgresDatabases()
        except Exception as error:
            print(f"PostgreSQL unavailable, SQLite only: {error}", flush=True)
    try:
        report.data["startup"] = measure(report, postgres=postgres, runs=args.runs)
    finally:
        if postgres is not None:
            postgres.drop_all()
    print()
    print(report.table(SIZE))
    return 0


if __name__ == "__main__":
    sys.exit(main())
