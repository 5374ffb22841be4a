"""claimsdb's benchmark: every figure next to its physical limit, measured in the same run.

One command::

    python bench/run.py                      # 10k and 100k statements, SQLite and PostgreSQL
    python bench/run.py --sizes 10k,100k,1m  # what docs/performance.md reports

For each corpus size (written by bench/generate.py into bench/corpus/, reused when
already there) it measures, on SQLite and then on PostgreSQL:

- import: ``claimsdb add`` of every file in one invocation (a subprocess, its stderr on
  a pseudo-terminal so the progress bar really draws) against (a) only parsing the same
  files with ``yaml.CSafeLoader``; and the database stage alone (the importer's time
  once files are parsed and validated, run in-process through the same function the
  command calls) against (b) raw ``sqlite3`` ``executemany`` of the same rows in one
  transaction (PostgreSQL: psycopg ``COPY`` and ``executemany``), in a schema made by
  claimsdb's migrations, so indexes and full-text triggers are the same;
- at 100k: ``claimsdb add`` of 1,000 files without ``--batch`` against a raw sqlite3
  importer of the same files, both as processes (``bench/add_files.py``);
- chain lookup: ``claimsdb.query.queries.statement`` for random statements (p50/p99) against
  the same SQL statements, captured once with a ``before_cursor_execute`` listener and
  replayed on the raw driver with each statement's own parameters;
- a selective filter (``--via X --origin anonymous``) and full-text searches, against
  a replay of their SQL;
- CSV export of every statement through the ``claimsdb export csv`` command (run
  in-process in a child, one per size, for its peak RSS) against raw SQL plus
  ``csv.writer`` writing byte-identical output;
- the command-line peers (bench/peers.py), SQLite: ``sqlite-utils insert`` of the same
  rows (one process per table) next to ``claimsdb add`` end to end, and the sqlite3
  shell's CSV mode (``sqlite3 -csv``) next to the CSV export. Both tools must be
  installed: sqlite-utils with ``pip install -e '.[bench]'``, ``sqlite3`` from the
  system (Debian/Ubuntu: ``apt-get install sqlite3``); the run stops at once without them;
- start-up (bench/startup.py, once per run, on a database made by ``claimsdb seed``):
  the read commands as whole processes against ``sqlite-utils query DB "select 1"``,
  ``claimsdb --help`` and a usage error against ``python -c "import click"``;
- the tracing stress corpus (a claim relayed 50 articles deep, one report repeated by
  10,000 statements): ``trace``, ``walk`` and ``claim_members``.

It prints one table per size (Markdown, so it pastes into docs/performance.md) and
writes everything, with the machine's description, to bench/out/ (not committed).
No figure is ever hard-coded: a measurement that fails is reported as failed.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import hashlib
import json
import os
import platform
import random
import re
import resource
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import add_files  # noqa: E402  (bench/ is not a package)
import generate  # noqa: E402

from claimsdb.format import sourcing  # noqa: E402

PYTHON = sys.executable
CLAIMSDB = str(Path(sys.executable).with_name("claimsdb"))
PG_ADMIN = os.environ.get("CLAIMSDB_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
TABLES = ("actors", "actor_aliases", "actor_roles", "articles", "article_authors", "statements",
          "chain_hops", "statement_about", "relations")
LOOKUPS = 2000  # random statements per chain-lookup measurement
WARMUP = 100
SEARCHES = ("grain corridor Kherson sabotaged", "зерновий коридор зірвано")
RELATION_TYPES = ("denies", "contradicts", "supports", "repeats")


# -- results --------------------------------------------------------------------------------------

class Report:
    """Every measurement, as table rows and as JSON."""

    def __init__(self, args: argparse.Namespace):
        self.rows: list[dict[str, Any]] = []
        self.data: dict[str, Any] = {"started": dt.datetime.now(dt.UTC).isoformat(),
                                     "arguments": {k: str(v) for k, v in vars(args).items()},
                                     "environment": environment(), "sizes": {}}

    def add(self, size: str, backend: str, measure: str, value: float | None, unit: str,
            baseline_name: str = "", baseline: float | None = None, *, target: str = "",
            higher_is_better: bool = False, limit: float | None = None,
            note: str = "") -> dict[str, Any]:
        ratio = None
        if value is not None and baseline:
            ratio = value / baseline
        met = None
        if limit is not None and ratio is not None:
            met = ratio >= limit if higher_is_better else ratio <= limit
        row = {"size": size, "backend": backend, "measure": measure, "value": value,
               "unit": unit, "baseline_name": baseline_name, "baseline": baseline,
               "ratio": ratio, "target": target, "met": met, "note": note}
        self.rows.append(row)
        print(f"  {backend:10} {measure:44} {fmt(value, unit):>14}   "
              f"{baseline_name} {fmt(baseline, unit)}"
              + (f"   {ratio:.2f}x" if ratio is not None else "")
              + (f"   [{'met' if met else 'MISSED'} {target}]" if met is not None else ""),
              flush=True)
        return row

    def table(self, size: str) -> str:
        return results_table(self.rows, size)

    def save(self, out: Path) -> Path:
        out.mkdir(parents=True, exist_ok=True)
        self.data["finished"] = dt.datetime.now(dt.UTC).isoformat()
        self.data["rows"] = self.rows
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        path = out / f"results-{stamp}.json"
        path.write_text(json.dumps(self.data, indent=2, ensure_ascii=False, default=str) + "\n")
        shutil.copyfile(path, out / "latest.json")
        return path


def results_table(rows: Sequence[dict[str, Any]], size: str) -> str:
    """The Markdown table of one size's rows (or of "trace", "across sizes")."""
    title = f"{size} statements" if size[0].isdigit() else size
    lines = [f"#### {title}", "",
             "| backend | measure | claimsdb | baseline | baseline figure | ratio | target |",
             "|---|---|---:|---|---:|---:|---|"]
    for r in rows:
        if r["size"] != size:
            continue
        ratio = f"{r['ratio']:.2f}x" if r["ratio"] is not None else ""
        target = r["target"]
        if r["met"] is not None:
            target = f"{target} {'**met**' if r['met'] else '**missed**'}"
        measure = r["measure"] + (f" ({r['note']})" if r["note"] else "")
        lines.append(f"| {r['backend']} | {measure} | {fmt(r['value'], r['unit'])} | "
                     f"{r['baseline_name']} | {fmt(r['baseline'], r['unit'])} | {ratio} | "
                     f"{target} |")
    return "\n".join(lines)


DOC_START = "<!-- bench:results:start -->"
DOC_END = "<!-- bench:results:end -->"


# The switches of a run, as its arguments record them (values are stored as text).
_SWITCHES = ("no_postgres", "no_pg_cli", "no_trace", "no_startup", "large")


def _command_line(args: dict[str, Any]) -> str:
    """The command that made a run, switches included (``--large`` adds a third of the
    block's rows, so a reader re-running it needs to see it)."""
    words = ["python bench/run.py", f"--sizes {args.get('sizes')}",
             f"--batch {args.get('batch')}", f"--repeat {args.get('repeat')}"]
    words += [f"--{name.replace('_', '-')}" for name in _SWITCHES
              if str(args.get(name)) == "True"]
    return " ".join(words)


def render_results(data: dict[str, Any]) -> str:
    """A run's whole results section, from its JSON: what ran, where, the verdicts,
    every table. What ``--doc`` writes into docs/performance.md."""
    env, args, rows = data["environment"], data["arguments"], data["rows"]
    started = dt.datetime.fromisoformat(data["started"])
    finished = dt.datetime.fromisoformat(data["finished"])
    tree = ("with uncommitted changes under src/" if env.get("git_dirty")
            else "no uncommitted changes under src/")
    memory = next((line.split()[1] for line in env.get("free_h", "").splitlines()
                   if line.startswith("Mem:")), "?")
    load = ", ".join(f"{x:.2f}" for x in env.get("load_average", ()))
    judged = [r for r in rows if r["met"] is not None]
    missed = [f"{r['backend']} {r['measure']} at {r['size']} ({r['ratio']:.2f}x, target "
              f"{r['target']})" for r in judged if not r["met"]]
    verdict = (f"**{len(judged) - len(missed)} of {len(judged)} targets met**"
               + (f"; missed: {'; '.join(missed)}." if missed else "; none missed."))
    parts = [
        DOC_START,
        "<!-- Written by `python bench/run.py --doc docs/performance.md` (or `--render "
        "JSON`) from the run's JSON; edit the script, not this block. -->",
        "",
        f"Run of `{_command_line(args)}` at commit `{env.get('git_commit')}` ({tree}), "
        f"{started:%Y-%m-%d %H:%M} to {finished:%H:%M} UTC.",
        "",
        f"Machine: {env.get('nproc')} cores ({env.get('cpu_model')}), "
        f"{memory.replace('Gi', ' GiB')} of memory; "
        f"{env.get('platform')}; Python {env.get('python')}, SQLite {env.get('sqlite')}, "
        f"SQLAlchemy {env.get('sqlalchemy')}, PyYAML {env.get('pyyaml')}, psycopg "
        f"{env.get('psycopg', 'not installed')}; {env.get('postgresql', '').split(' on ')[0]}"
        f" on the same machine. Load average at the start: {load}.",
        "",
        verdict,
    ]
    for size in dict.fromkeys(r["size"] for r in rows):
        parts += ["", results_table(rows, size)]
    parts += ["", DOC_END]
    return "\n".join(parts)


def write_doc(doc: Path, section: str) -> None:
    """Replace the results block of ``doc`` (between DOC_START and DOC_END)."""
    text = doc.read_text(encoding="utf-8")
    start, end = text.find(DOC_START), text.find(DOC_END)
    if start < 0 or end < start:
        raise SystemExit(f"{doc} has no results block ({DOC_START} ... {DOC_END})")
    doc.write_text(text[:start] + section + text[end + len(DOC_END):], encoding="utf-8")


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    if unit == "s":
        return f"{value:.2f} s" if value < 100 else f"{value:.0f} s"
    if unit == "ms":
        return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"
    if unit == "us":
        return f"{value:.0f} µs"
    if unit == "rows/s":
        return f"{value / 1000:.1f}k rows/s" if value < 1e6 else f"{value / 1e6:.2f}M rows/s"
    if unit == "MB":
        return f"{value:.0f} MB"
    if unit == "x":
        return f"{value:.2f}x"
    return f"{value:g} {unit}"


def environment() -> dict[str, Any]:
    import sqlalchemy

    def run(*cmd: str) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()
        except OSError:
            return ""

    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    info = {
        "nproc": run("nproc"),
        "free_h": run("free", "-h"),
        "cpu_model": cpu,
        "load_average": os.getloadavg(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        "sqlalchemy": sqlalchemy.__version__,
        "pyyaml": f"{yaml.__version__} (libyaml: {yaml.__with_libyaml__})",
        "git_commit": run("git", "-C", str(REPO), "rev-parse", "--short", "HEAD"),
        "git_dirty": bool(run("git", "-C", str(REPO), "status", "--porcelain", "--", "src")),
    }
    try:
        import psycopg

        info["psycopg"] = psycopg.__version__
        with psycopg.connect(PG_ADMIN, connect_timeout=5) as conn:
            info["postgresql"] = conn.execute("SELECT version()").fetchone()[0]
    except Exception as error:  # the server is optional
        info["postgresql"] = f"unavailable: {error}"
    return info


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


# -- the corpus ---------------------------------------------------------------------------------

def parse_size(text: str) -> int:
    text = text.strip().lower().replace("_", "")
    scale = {"k": 1000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text[:-1] if scale > 1 else text) * scale)


def corpus(statements: int, seed: int) -> tuple[Path, dict[str, Any]]:
    folder = HERE / "corpus" / generate.size_label(statements)
    manifest_path = folder / "manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("requested") == statements and manifest.get("seed") == seed:
            return folder, manifest
    print(f"generating {statements:,} statements into {folder}", flush=True)
    manifest = generate.write_corpus(folder, statements, seed)
    return folder, manifest


def corpus_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("part-*/*.yaml"))


def corpus_dirs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("part-*") if p.is_dir())


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


# -- (a) parsing only ---------------------------------------------------------------------------

CPU: dict[str, float] = {}  # CPU seconds of the in-process measurements, for the JSON


def parse_only(folder: Path) -> float:
    """Baseline (a): read and parse every file with yaml.CSafeLoader, nothing else, in
    a fresh process (this one holds a large heap, which would slow its cycle collector
    and so the baseline); the child's own wall time of the loop."""
    done = subprocess.run([PYTHON, __file__, "--child-parse", str(folder)],
                          capture_output=True, text=True, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    CPU["parse_only"] = result["cpu"]
    return result["seconds"]


def child_parse(folder: str) -> None:
    files = corpus_files(Path(folder))
    loader = yaml.CSafeLoader
    start, cpu = time.perf_counter(), time.process_time()
    for path in files:
        yaml.load(path.read_bytes().decode("utf-8"), Loader=loader)
    print(json.dumps({"seconds": time.perf_counter() - start,
                      "cpu": time.process_time() - cpu}))


# -- claimsdb import -----------------------------------------------------------------------------

def claimsdb_stages(target: str, files: Sequence[Path], batch: int) -> tuple[float, float]:
    """claimsdb's own parse-and-validate time and its database stage, in-process, through
    the functions ``claimsdb add`` calls (``--batch`` files per transaction; 1 = one
    transaction per file, the default of the command)."""
    from claimsdb.format.articles import read_article
    from claimsdb.ingest import importer
    from claimsdb.store.db import make_engine

    if batch > 1:
        from claimsdb.ingest.prefetch import parse_group
        from claimsdb.query.gc_pause import collector_paused

    engine = make_engine(target)
    parse_s = database_s = parse_cpu = database_cpu = 0.0
    try:
        for group in chunks(files, max(batch, 1)):
            start, cpu_start = time.perf_counter(), time.process_time()
            # as 'claimsdb add --batch' does it, less the worker process
            specs = parse_group(group) if batch > 1 else [read_article(p) for p in group]
            middle, cpu_middle = time.perf_counter(), time.process_time()
            if batch > 1:
                with collector_paused():
                    outcomes = importer.import_batch(engine, specs)
                failed = [o for o in outcomes if not isinstance(o, importer.ImportResult)]
                if failed:
                    raise RuntimeError(f"import failed: {failed[0]}")
            else:
                for spec in specs:
                    importer.import_spec(engine, spec)
            end = time.perf_counter()
            parse_s += middle - start
            database_s += end - middle
            parse_cpu += cpu_middle - cpu_start
            database_cpu += time.process_time() - cpu_middle
    finally:
        engine.dispose()
    CPU["claimsdb_parse"], CPU["claimsdb_database_stage"] = parse_cpu, database_cpu
    return parse_s, database_s


def cli_import(target: str, dirs: Sequence[Path], batch: int) -> dict[str, Any]:
    """``claimsdb add`` of every folder in one invocation, stderr on a pseudo-terminal
    (so the progress bar draws, as for a user at a terminal); wall time."""
    import pty

    subprocess.run([CLAIMSDB, "--db", target, "init"], check=True, capture_output=True)
    command = [CLAIMSDB, "--db", target, "add", *(["--batch", str(batch)] if batch > 1 else []),
               *map(str, dirs)]
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
    stdout = process.stdout.read().decode() if process.stdout else ""
    code = process.wait()
    elapsed = time.perf_counter() - start
    reader.join(timeout=5)
    os.close(master)
    stderr = b"".join(captured).decode("utf-8", "replace")
    if code != 0:
        raise RuntimeError(f"claimsdb add failed ({code}): {stderr[-2000:]}")
    frames = [f.strip() for f in re.split(r"[\r\n]", stderr) if "importing" in f]
    return {"seconds": elapsed, "command": " ".join(command[:6]) + " ...",
            "summary": stdout.strip().splitlines()[-1:] or [""],
            "progress_bar_frames": len(frames),
            "progress_bar_last": frames[-1] if frames else None}


def count_rows(target: str) -> dict[str, int]:
    from sqlalchemy import text

    from claimsdb.store.db import make_engine

    engine = make_engine(target, create=False)
    try:
        with engine.connect() as conn:
            return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()  # noqa: S608
                    for t in TABLES}
    finally:
        engine.dispose()


def fresh_sqlite(path: Path) -> str:
    """A new SQLite file at claimsdb's schema (through its migrations)."""
    from claimsdb.store import migrate
    from claimsdb.store.db import make_engine

    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    engine = make_engine(str(path))
    migrate.upgrade(engine)
    engine.dispose()
    return str(path)


# -- (b) the same rows, raw -----------------------------------------------------------------------

class RawRows:
    """Turns parsed article files into the rows claimsdb stores, with explicit ids, for
    the raw baselines. Untimed: only the driver's inserts are measured."""

    def __init__(self) -> None:
        self.actor_ids: dict[str, int] = {}
        self.aliases: set[tuple[int, str]] = set()
        self.roles: set[tuple[Any, ...]] = set()
        self.statement_ids: dict[str, int] = {}
        self.next_article = 1
        self.next_statement = 1
        self.next_role = 1
        self.now = dt.datetime.now(dt.UTC)

    def rows(self, docs: Sequence[tuple[dict[str, Any], bytes]]) -> dict[str, list[tuple]]:
        out: dict[str, list[tuple]] = {t: [] for t in TABLES}
        pending_roles = []
        for doc, raw in docs:
            for actor in doc.get("actors") or ():
                key = actor["key"]
                if key not in self.actor_ids:
                    actor_id = self.actor_ids[key] = len(self.actor_ids) + 1
                    out["actors"].append((actor_id, key, actor["name"], actor["kind"],
                                          actor.get("identified") or "named",
                                          actor.get("wikidata"), actor.get("description")))
                actor_id = self.actor_ids[key]
                for alias in actor.get("aliases") or ():
                    if alias != actor["name"] and (actor_id, alias) not in self.aliases:
                        self.aliases.add((actor_id, alias))
                        out["actor_aliases"].append((actor_id, alias))
                for role in actor.get("roles") or ():
                    pending_roles.append((key, role))
            article = doc["article"]
            text = article["text"]
            article_id = self.next_article
            self.next_article += 1
            outlet = self.actor_ids.get(article.get("outlet")) if article.get("outlet") else None
            statements = doc.get("statements") or ()
            chains = [[h["actor"] if isinstance(h, dict) else h for h in s.get("chain") or ()]
                      for s in statements]
            out["articles"].append((
                article_id, article["key"], article["title"], outlet, article.get("url"),
                str(article.get("published")) if article.get("published") else None,
                article.get("language") or "en", text, hashlib.sha256(raw).hexdigest(),
                self.now.isoformat(sep=" "),
                sourcing.independent_origins(
                    ((chain[-1] if chain else article.get("outlet"), [chain] if chain else [])
                     for chain in chains), article.get("outlet"))))
            for position, author in enumerate(article.get("authors") or ()):
                out["article_authors"].append((article_id, position, self.actor_ids[author]))
            prefix = article["key"] + "#"
            for statement in statements:
                self.statement_ids[prefix + statement["key"]] = self.next_statement
                self.next_statement += 1
            for statement in statements:
                statement_id = self.statement_ids[prefix + statement["key"]]
                quote = statement["quote"]
                start = -1
                for _ in range(statement.get("occurrence") or 1):
                    start = text.find(quote, start + 1)
                chain = [h if isinstance(h, dict) else {"actor": h}
                         for h in statement.get("chain") or ()]
                speaker = chain[-1]["actor"] if chain else article.get("outlet")
                out["statements"].append((
                    statement_id, article_id, statement["key"], quote, start, start + len(quote),
                    statement.get("kind") or "indirect", statement.get("stated_on"),
                    self.actor_ids.get(speaker) if speaker else None, len(chain)))
                ids = [self.actor_ids[hop["actor"]] for hop in chain]
                for position, (hop, relays_for) in enumerate(zip(
                        chain, sourcing.relays(ids, ids[-1] if ids else None, outlet),
                        strict=True)):
                    out["chain_hops"].append((statement_id, position, ids[position],
                                              hop.get("cue"), relays_for))
                for actor in dict.fromkeys(statement.get("about") or ()):
                    out["statement_about"].append((statement_id, self.actor_ids[actor]))
                for relation in RELATION_TYPES:
                    for ref in dict.fromkeys(statement.get(relation) or ()):
                        target = ref if "#" in ref else prefix + ref
                        out["relations"].append((statement_id, relation,
                                                 self.statement_ids[target]))
        for key, role in pending_roles:
            row = (self.actor_ids[key], self.actor_ids[role["of"]], role["title"],
                   role.get("from"), role.get("to"))
            if row not in self.roles:
                self.roles.add(row)
                out["actor_roles"].append((self.next_role, *row))
                self.next_role += 1
        return out


COLUMNS = {
    "actors": "id, key, name, kind, identified, wikidata, description",
    "actor_aliases": "actor_id, alias",
    "actor_roles": "id, actor_id, of_actor_id, title, started_on, ended_on",
    "articles": "id, key, title, outlet_id, url, published, language, text, content_hash, "
                "imported_at, independent_origins",
    "article_authors": "article_id, position, actor_id",
    "statements": "id, article_id, key, quote, span_start, span_end, kind, stated_on, speaker_id, "
                  "depth",
    "chain_hops": "statement_id, position, actor_id, cue, relays_for",
    "statement_about": "statement_id, actor_id",
    "relations": "source_id, type, target_id",
}


def parsed_groups(files: Sequence[Path], size: int = 500
                  ) -> Iterator[list[tuple[dict[str, Any], bytes]]]:
    for group in chunks(files, size):
        docs = []
        for path in group:
            raw = path.read_bytes()
            docs.append((yaml.load(raw.decode("utf-8"), Loader=yaml.CSafeLoader), raw))
        yield docs


def raw_sqlite_import(path: Path, files: Sequence[Path]) -> tuple[float, dict[str, int]]:
    """executemany of the same rows, one transaction, same pragmas as claimsdb."""
    fresh_sqlite(path)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    builder = RawRows()
    counts = dict.fromkeys(TABLES, 0)
    spent = cpu = 0.0
    start, cpu_start = time.perf_counter(), time.process_time()
    conn.execute("BEGIN IMMEDIATE")
    spent += time.perf_counter() - start
    cpu += time.process_time() - cpu_start
    for docs in parsed_groups(files):
        rows = builder.rows(docs)
        start, cpu_start = time.perf_counter(), time.process_time()
        for table in TABLES:
            if rows[table]:
                marks = ", ".join("?" * len(COLUMNS[table].split(",")))
                conn.executemany(f"INSERT INTO {table} ({COLUMNS[table]}) VALUES ({marks})",  # noqa: S608
                                 rows[table])
        spent += time.perf_counter() - start
        cpu += time.process_time() - cpu_start
        for table in TABLES:
            counts[table] += len(rows[table])
    start, cpu_start = time.perf_counter(), time.process_time()
    conn.execute("COMMIT")
    spent += time.perf_counter() - start
    CPU["raw_executemany"] = cpu + time.process_time() - cpu_start
    conn.close()
    return spent, counts


# -- queries --------------------------------------------------------------------------------------

class Capture:
    """The SQL an engine sends to its driver while a block runs: through SQLAlchemy
    (its ``before_cursor_execute`` event) and through ``claimsdb.store.db.fetch_on_driver``,
    which runs hot lookups on the DB-API cursor, where no event fires."""

    def __init__(self, engine: Any):
        self.engine = engine
        self.statements: list[tuple[str, Any]] = []
        self._patched: list[tuple[Any, Any]] = []

    def _hook(self, _conn, _cursor, statement, parameters, _context, executemany):
        if not executemany and not statement.lstrip().upper().startswith(("BEGIN", "PRAGMA")):
            self.statements.append((statement, parameters))

    def __enter__(self) -> Capture:
        from sqlalchemy import event

        from claimsdb.store.db import driver_statement

        event.listen(self.engine, "before_cursor_execute", self._hook)

        def make_recorder(original):
            def recording(conn, query, parameters):
                self.statements.append(driver_statement(conn.dialect, query, parameters))
                return original(conn, query, parameters)
            return recording

        for name, module in list(sys.modules.items()):
            original = getattr(module, "fetch_on_driver", None)
            if name.startswith("claimsdb") and original is not None:
                self._patched.append((module, original))
                module.fetch_on_driver = make_recorder(original)
        return self

    def __exit__(self, *exc: object) -> None:
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._hook)
        for module, original in self._patched:
            module.fetch_on_driver = original


def substitute(parameters: Any, mapping: dict[Any, Any]) -> Any:
    if isinstance(parameters, dict):
        return {k: mapping.get(v, v) if _hashable(v) else v for k, v in parameters.items()}
    return tuple(mapping.get(v, v) if _hashable(v) else v for v in parameters)


def _hashable(value: Any) -> bool:
    return isinstance(value, str | int) and not isinstance(value, bool)


class RawDriver:
    """Runs captured SQL on a raw DB-API connection (sqlite3 or psycopg)."""

    def __init__(self, target: str):
        self.postgres = "://" in target
        if self.postgres:
            import psycopg

            self.conn = psycopg.connect(target.replace("postgresql+psycopg", "postgresql"),
                                        autocommit=True)
        else:
            self.conn = sqlite3.connect(target)

    def run(self, statement: str, parameters: Any) -> list[Any]:
        cursor = self.conn.cursor()
        cursor.execute(statement, parameters)
        rows = cursor.fetchall()
        cursor.close()
        return rows

    def close(self) -> None:
        self.conn.close()


def random_refs(target: str, count: int, seed: int) -> list[tuple[str, str, int]]:
    from sqlalchemy import text

    from claimsdb.store.db import make_engine

    engine = make_engine(target, create=False)
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT a.key, s.key, s.id FROM statements s JOIN articles a ON a.id = s.article_id "
            "ORDER BY s.id")).all()
    engine.dispose()
    picked = random.Random(seed).sample(rows, min(count, len(rows)))
    return [tuple(r) for r in picked]


def chain_lookups(report: Report, size: str, backend: str, target: str, seed: int
                  ) -> dict[str, Any]:
    from claimsdb.query import queries
    from claimsdb.store.db import make_engine, read_connection

    refs = random_refs(target, LOOKUPS + WARMUP + 1, seed)
    probe = next(r for r in refs if r[2] > 1000 or len(refs) < 1000)
    engine = make_engine(target, create=False)
    ours: list[float] = []
    with read_connection(engine) as conn:
        with Capture(engine) as capture:
            view = queries.statement(conn, f"{probe[0]}#{probe[1]}")
        assert view.key == probe[1]
        for number, (article, key, _id) in enumerate(refs):
            start = time.perf_counter()
            queries.statement(conn, f"{article}#{key}")
            if number >= WARMUP:
                ours.append(time.perf_counter() - start)
    engine.dispose()
    raw = RawDriver(target)
    theirs: list[float] = []
    for number, (article, key, statement_id) in enumerate(refs):
        mapping = {probe[0]: article, probe[1]: key, probe[2]: statement_id}
        replay = [(sql, substitute(params, mapping)) for sql, params in capture.statements]
        start = time.perf_counter()
        for sql, params in replay:
            raw.run(sql, params)
        if number >= WARMUP:
            theirs.append(time.perf_counter() - start)
    raw.close()
    p50, p99 = statistics.median(ours) * 1e6, percentile(ours, 0.99) * 1e6
    r50, r99 = statistics.median(theirs) * 1e6, percentile(theirs, 0.99) * 1e6
    queries_per_lookup = len(capture.statements)
    report.add(size, backend, "chain lookup p50 (queries.statement)", p50, "us",
               "same SQL, raw driver", r50, target="≤ 3x", limit=3.0,
               note=f"{queries_per_lookup} queries")
    report.add(size, backend, "chain lookup p99", p99, "us", "same SQL, raw driver", r99)
    return {"p50_us": p50, "p99_us": p99, "raw_p50_us": r50, "raw_p99_us": r99,
            "queries": queries_per_lookup, "samples": len(ours)}


def busiest_named_relay(target: str) -> str:
    from sqlalchemy import text

    from claimsdb.store.db import make_engine

    engine = make_engine(target, create=False)
    with engine.connect() as conn:
        key = conn.execute(text(
            "SELECT a.key FROM chain_hops h JOIN actors a ON a.id = h.actor_id "
            "WHERE a.kind = 'person' AND a.identified = 'named' "
            "GROUP BY a.key ORDER BY count(*) DESC, a.key LIMIT 1")).scalar_one()
    engine.dispose()
    return key


def filtered_queries(report: Report, size: str, backend: str, target: str) -> dict[str, Any]:
    """A selective filter and full-text searches: the query layer against its own SQL."""
    from claimsdb.query import queries
    from claimsdb.store.db import make_engine, read_connection

    via = busiest_named_relay(target)
    cases = [(f"--via {via} --origin anonymous",
              queries.StatementFilter(via=via, origin="anonymous"))]
    cases += [(f"--search '{words}'", queries.StatementFilter(search=words)) for words in SEARCHES]
    engine = make_engine(target, create=False)
    raw = RawDriver(target)
    out = {}
    for label, flt in cases:
        with read_connection(engine) as conn:
            list(queries.iter_statements(conn, flt))  # warm the caches
            with Capture(engine) as capture:
                rows = len(list(queries.iter_statements(conn, flt)))
            ours = []
            for _ in range(5):
                seconds, _result = timed(lambda flt=flt: list(queries.iter_statements(conn, flt)))
                ours.append(seconds)
        theirs = []
        for _ in range(5):
            seconds, _ = timed(lambda capture=capture: [raw.run(s, p)
                                                        for s, p in capture.statements])
            theirs.append(seconds)
        value, base = statistics.median(ours) * 1000, statistics.median(theirs) * 1000
        report.add(size, backend, f"statements {label}", value, "ms", "same SQL, raw driver",
                   base, note=f"{rows:,} rows")
        out[label] = {"ms": value, "raw_ms": base, "rows": rows,
                      "queries": len(capture.statements)}
    raw.close()
    engine.dispose()
    return out


# -- CSV export ------------------------------------------------------------------------------------

RAW_EXPORT_MAIN = """
SELECT s.id, a.key, s.key, s.quote, s.kind, s.span_start, s.span_end, s.stated_on, a.title,
       a.published, a.url, o.name, sp.key, sp.name, sp.kind, sp.identified,
       CASE WHEN s.span_start > 400 THEN s.span_start - 400 ELSE 0 END AS window_start,
       substr(a.text, (CASE WHEN s.span_start > 400 THEN s.span_start - 400 ELSE 0 END) + 1,
              s.span_end - (CASE WHEN s.span_start > 400 THEN s.span_start - 400 ELSE 0 END)
              + 400),
       a.language, s.translated_from
FROM statements s JOIN articles a ON s.article_id = a.id
LEFT JOIN actors sp ON s.speaker_id = sp.id LEFT JOIN actors o ON a.outlet_id = o.id
ORDER BY s.article_id, s.id
"""
RAW_EXPORT_HOPS = """
SELECT h.statement_id, a.name, h.cue FROM chain_hops h JOIN actors a ON h.actor_id = a.id
WHERE h.statement_id IN ({ids}) ORDER BY h.statement_id, h.position
"""
RAW_EXPORT_RELATIONS = """
SELECT r.{mine}, r.type, oa.key, o.key FROM relations r
JOIN statements o ON r.{theirs} = o.id JOIN articles oa ON o.article_id = oa.id
WHERE r.{mine} IN ({ids}) ORDER BY r.{mine}, r.type, r.id
"""
RAW_EXPORT_ABOUT = """
SELECT x.statement_id, a.key FROM statement_about x JOIN actors a ON x.actor_id = a.id
WHERE x.statement_id IN ({ids}) ORDER BY x.statement_id, a.key
"""


def raw_export(target: str, out_path: str) -> int:
    """Every statement to CSV with sqlite3 (or psycopg) and csv.writer: the same rows and
    columns as ``claimsdb export csv --table statements``, the fewest layers possible.
    Statements of one chain each, as the generated corpus has (several chains, format
    1.1's ``chains:``, are written by claimsdb chain by chain; this writes their links
    as one)."""
    from claimsdb.output.export import STATEMENT_COLUMNS, guard_formula
    from claimsdb.query.queries import sentence_around

    postgres = "://" in target
    if postgres:
        import psycopg

        conn = psycopg.connect(target.replace("postgresql+psycopg", "postgresql"))
        main = conn.cursor(name="export")  # server-side: streams
        main.itersize = 1000
        side = conn.cursor()
        mark = "%s"
    else:
        conn = sqlite3.connect(target)
        main = conn.cursor()
        side = conn.cursor()
        mark = "?"
    main.execute(RAW_EXPORT_MAIN)
    count = 0
    with open(out_path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(STATEMENT_COLUMNS)
        while True:
            batch = main.fetchmany(1000)
            if not batch:
                break
            ids = [row[0] for row in batch]
            marks = ", ".join([mark] * len(ids))
            chains: dict[int, list[tuple[str, str | None]]] = {}
            side.execute(RAW_EXPORT_HOPS.format(ids=marks), ids)
            for statement_id, name, cue in side.fetchall():
                chains.setdefault(statement_id, []).append((name, cue))
            related: dict[tuple[int, str, bool], list[str]] = {}
            for mine, theirs, incoming in (("source_id", "target_id", False),
                                           ("target_id", "source_id", True)):
                side.execute(RAW_EXPORT_RELATIONS.format(mine=mine, theirs=theirs, ids=marks), ids)
                for statement_id, kind, article, key in side.fetchall():
                    related.setdefault((statement_id, kind, incoming), []).append(
                        f"{article}#{key}")
            about: dict[int, list[str]] = {}
            side.execute(RAW_EXPORT_ABOUT.format(ids=marks), ids)
            for statement_id, key in side.fetchall():
                about.setdefault(statement_id, []).append(key)
            for (sid, article, key, quote, kind, start, end, stated_on, title, published, url,
                 outlet, sp_key, sp_name, sp_kind, sp_ident, window_start, window,
                 language, translated_from) in batch:
                chain = chains.get(sid, ())

                def rel(kind: str, incoming: bool, sid: int = sid,
                        related: dict = related) -> str:
                    return "; ".join(related.get((sid, kind, incoming), ()))

                text = (article, key, kind, quote, sp_name or "",
                        " > ".join(n for n, _ in chain))
                rest = (rel("denies", False), rel("denies", True), sp_key or "", sp_kind or "",
                        sp_ident or "", outlet or "", " > ".join(c or "" for _, c in chain),
                        rel("contradicts", False), rel("contradicts", True),
                        rel("supports", False), rel("supports", True), rel("repeats", False),
                        rel("repeats", True), "; ".join(about.get(sid, ())), stated_on or "",
                        title, published or "", url or "")
                context = sentence_around(window or "", start - window_start, end - window_start,
                                          language)
                # the columns format 1.1 added, after the context (STATEMENT_COLUMNS)
                later = (rel("confirms", False), rel("confirms", True),
                         rel("dismisses", False), rel("dismisses", True),
                         rel("corrects", False), rel("corrects", True),
                         rel("retracts", False), rel("retracts", True), translated_from or "",
                         rel("declines", False), rel("declines", True))
                writer.writerow([*map(guard_formula, text), len(chain),
                                 *map(guard_formula, rest), start, end, guard_formula(context),
                                 *map(guard_formula, later)])
                count += 1
    conn.close()
    return count


def child_export(mode: str, target: str, out_path: str) -> None:
    """Runs in a child process: one export, then its time and peak RSS as JSON."""
    if mode == "claimsdb":
        # Imported before the clock starts: start-up is measured on its own.
        import claimsdb.output.export
        import claimsdb.query.queries
        import claimsdb.store.db
        import claimsdb.store.migrate
        from claimsdb.cli import main

        def run() -> None:
            main(["--db", target, "export", "csv", "--table", "statements", "-o", out_path],
                 standalone_mode=False)
    else:
        import claimsdb.output.export  # noqa: F401

        def run() -> None:
            raw_export(target, out_path)
    seconds, _ = timed(run)
    # ru_maxrss survives execve on Linux: a child forked from this (large) benchmark
    # process would report the parent's size. VmHWM is the high-water mark of the
    # child's own address space, so that is the figure reported; both are kept.
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    hwm_kb = peak_kb
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                hwm_kb = int(line.split()[1])
    print(json.dumps({"seconds": seconds, "peak_rss_mb": hwm_kb / 1024,
                      "ru_maxrss_mb": peak_kb / 1024}))


def csv_export(report: Report, size: str, backend: str, target: str, work: Path,
               statements: int, repeats: int = 1) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for _ in range(repeats):
        for mode in ("claimsdb", "raw"):
            out_path = work / f"export-{backend}-{mode}.csv"
            done = subprocess.run([PYTHON, __file__, "--child-export", mode, target,
                                   str(out_path)], capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise RuntimeError(f"{mode} export failed: {done.stderr[-3000:]}")
            run = json.loads(done.stdout.strip().splitlines()[-1])
            run["sha256"] = hashlib.sha256(out_path.read_bytes()).hexdigest()
            run["bytes"] = out_path.stat().st_size
            out_path.unlink()
            best = results.get(mode)
            if best is None or run["seconds"] < best["seconds"]:
                if best is not None:  # peak RSS: the largest seen, not the fastest run's
                    run["peak_rss_mb"] = max(run["peak_rss_mb"], best["peak_rss_mb"])
                results[mode] = run
            else:
                best["peak_rss_mb"] = max(run["peak_rss_mb"], best["peak_rss_mb"])
    same = results["claimsdb"]["sha256"] == results["raw"]["sha256"]
    ours, theirs = results["claimsdb"], results["raw"]
    report.add(size, backend, "CSV export, all statements", statements / ours["seconds"],
               "rows/s", "raw driver + csv.writer", statements / theirs["seconds"],
               target="≥ 0.8x", higher_is_better=True, limit=0.8,
               note="identical bytes" if same else "OUTPUT DIFFERS")
    report.add(size, backend, "CSV export peak RSS", ours["peak_rss_mb"], "MB",
               "raw driver + csv.writer", theirs["peak_rss_mb"])
    return {**results, "identical_output": same}


# -- PostgreSQL -----------------------------------------------------------------------------------

class PostgresDatabases:
    """Throw-away databases on the benchmark server, dropped at the end."""

    def __init__(self) -> None:
        import psycopg

        self.admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5)
        self.names: list[str] = []

    def create(self, name: str) -> str:
        name = f"claimsdb_bench_{name}_{os.getpid()}"
        self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.execute(f'CREATE DATABASE "{name}"')
        self.names.append(name)
        base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
        url = f"{base}/{name}"
        from claimsdb.store import migrate
        from claimsdb.store.db import make_engine

        engine = make_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        return url

    def drop_all(self) -> None:
        for name in self.names:
            self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.names.clear()
        self.admin.close()


def raw_postgres_import(url: str, files: Sequence[Path], copy: bool) -> tuple[float, dict]:
    import psycopg

    builder = RawRows()
    counts = dict.fromkeys(TABLES, 0)
    spent = 0.0
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn:
        cursor = conn.cursor()
        for docs in parsed_groups(files):
            rows = builder.rows(docs)
            start = time.perf_counter()
            for table in TABLES:
                if not rows[table]:
                    continue
                if copy:
                    with cursor.copy(f"COPY {table} ({COLUMNS[table]}) FROM STDIN") as stream:
                        for row in rows[table]:
                            stream.write_row(row)
                else:
                    marks = ", ".join(["%s"] * len(COLUMNS[table].split(",")))
                    cursor.executemany(
                        f"INSERT INTO {table} ({COLUMNS[table]}) VALUES ({marks})",  # noqa: S608
                        rows[table])
            spent += time.perf_counter() - start
            for table in TABLES:
                counts[table] += len(rows[table])
        start = time.perf_counter()
        conn.commit()
        spent += time.perf_counter() - start
    return spent, counts


# -- tracing --------------------------------------------------------------------------------------

def tracing(report: Report, backend: str, target: str, batch: int) -> dict[str, Any]:
    """The tracing stress corpus: 50 relays deep and 10,000 statements wide."""
    from claimsdb.query import tracing as trace_module
    from claimsdb.query.queries import find_statement_id
    from claimsdb.store.db import make_engine, read_connection

    folder = HERE / "corpus" / "trace"
    if not (folder / "manifest.json").exists():
        generate.write_trace_corpus(folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    files = sorted(folder.glob("*.yaml"))
    claimsdb_stages(target, files, batch)
    engine = make_engine(target, create=False)
    out: dict[str, Any] = {}
    raw = RawDriver(target)
    label = f"trace (depth {manifest['depth']}, fan-out {manifest['fan_out']:,})"
    with read_connection(engine) as conn:
        deep = find_statement_id(conn, manifest["deep_end"])
        root = find_statement_id(conn, manifest["fan_root"])
        cases = {
            "walk upstream from the deep end": lambda: trace_module.walk(conn, [deep],
                                                                         upstream=True),
            "walk downstream from the fan-out root": lambda: trace_module.walk(
                conn, [root], upstream=False),
            "claim_members of the fan-out root": lambda: trace_module.claim_members(conn,
                                                                                    [root]),
            "trace REF at the deep end": lambda: trace_module.trace(conn, manifest["deep_end"]),
            "trace REF at the fan-out root": lambda: trace_module.trace(conn,
                                                                        manifest["fan_root"]),
        }
        checks = {
            "walk upstream from the deep end": lambda r: len(r) == manifest["depth"] + 1,
            "walk downstream from the fan-out root": lambda r: len(r) == manifest["fan_out"] + 1,
            "claim_members of the fan-out root": lambda r: len(r) == manifest["fan_out"] + 1,
            "trace REF at the deep end": lambda r: len(r.nodes) == manifest["depth"] + 1,
            "trace REF at the fan-out root": lambda r: len(r.nodes) == manifest["fan_out"] + 1,
        }
        for name, run in cases.items():
            with Capture(engine) as capture:
                result = run()
            if not checks[name](result):
                raise RuntimeError(f"{name}: unexpected result size")
            times = [timed(run)[0] for _ in range(3)]
            value = statistics.median(times) * 1000
            baseline = None
            if name.startswith("walk"):
                raw_times = [timed(lambda c=capture: [raw.run(s, p) for s, p in c.statements])[0]
                             for _ in range(3)]
                baseline = statistics.median(raw_times) * 1000
            report.add("trace", backend, f"{label}: {name}", value, "ms",
                       "same SQL, raw driver" if baseline is not None else "", baseline,
                       note=f"{len(capture.statements)} queries")
            out[name] = {"ms": value, "raw_ms": baseline, "queries": len(capture.statements)}
    raw.close()
    engine.dispose()
    return out


# -- one size ---------------------------------------------------------------------------------

def run_size(report: Report, statements: int, args: argparse.Namespace,
             pg: PostgresDatabases | None) -> None:
    size = generate.size_label(statements)
    folder, manifest = corpus(statements, args.seed)
    files, dirs = corpus_files(folder), corpus_dirs(folder)
    work = HERE / "out" / "work" / size
    work.mkdir(parents=True, exist_ok=True)
    data: dict[str, Any] = {"manifest": manifest, "files": len(files)}
    report.data["sizes"][size] = data
    print(f"\n== {size}: {manifest['statements']:,} statements, {manifest['hops']:,} hops, "
          f"{len(files):,} files ==", flush=True)

    # Each side's best of ``repeats`` runs, the sides interleaved: on a shared machine
    # a busy moment slows one run, not one side.
    repeats = args.repeat if statements < 1_000_000 else 1
    data["repeats"] = repeats
    parse_s = claimsdb_parse_s = stage_s = cli_s = raw_s = float("inf")
    cli_db = work / "claimsdb.db"
    for _ in range(repeats):
        parse_s = min(parse_s, parse_only(folder))
        stage_db = fresh_sqlite(work / "stage.db")
        parsed_s, written_s = claimsdb_stages(stage_db, files, args.batch)
        claimsdb_parse_s, stage_s = min(claimsdb_parse_s, parsed_s), min(stage_s, written_s)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{cli_db}{suffix}").unlink(missing_ok=True)
        cli = cli_import(str(cli_db), dirs, args.batch)
        cli_s = min(cli_s, cli["seconds"])
        raw_once, raw_rows = raw_sqlite_import(work / "raw.db", files)
        raw_s = min(raw_s, raw_once)
    cli["seconds"] = cli_s
    data["parse_only_seconds"] = parse_s
    rows = count_rows(stage_db)
    total_rows = sum(rows.values())
    cli_rows = count_rows(str(cli_db))
    if not (rows == cli_rows == raw_rows):
        raise RuntimeError(f"row counts differ: in-process {rows}, cli {cli_rows}, raw {raw_rows}")
    if rows["statements"] != manifest["statements"]:
        raise RuntimeError(f"{rows['statements']} statements stored, {manifest['statements']} "
                           "written")
    batch_note = f"--batch {args.batch}" if args.batch > 1 else "one transaction per file"
    report.add(size, "sqlite", "import end to end (claimsdb add)", cli["seconds"], "s",
               "parse only (CSafeLoader)", parse_s, target="≤ 2x", limit=2.0, note=batch_note)
    report.add(size, "sqlite", "import: claimsdb parse + validate", claimsdb_parse_s, "s",
               "parse only (CSafeLoader)", parse_s)
    report.add(size, "sqlite", "import: database stage", total_rows / stage_s, "rows/s",
               "raw sqlite3 executemany", total_rows / raw_s, target="≥ 0.5x",
               higher_is_better=True, limit=0.5, note=f"{total_rows:,} rows")
    if statements == add_files.CORPUS_STATEMENTS:  # 1,000 files, no --batch, vs raw
        data["add_files"] = add_files.measure(files[:add_files.FILES], work, max(repeats, 3))
        add_files.report_rows(report, size, data["add_files"])
    data["sqlite"] = {"rows": rows, "total_rows": total_rows, "cli": cli,
                      "claimsdb_parse_seconds": claimsdb_parse_s, "stage_seconds": stage_s,
                      "raw_executemany_seconds": raw_s, "cpu_seconds": dict(CPU)}
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work / 'stage.db'}{suffix}").unlink(missing_ok=True)
        Path(f"{work / 'raw.db'}{suffix}").unlink(missing_ok=True)

    target = str(cli_db)
    data["sqlite"]["lookup"] = chain_lookups(report, size, "sqlite", target, args.seed)
    data["sqlite"]["filters"] = filtered_queries(report, size, "sqlite", target)
    data["sqlite"]["export"] = csv_export(report, size, "sqlite", target, work,
                                          rows["statements"], repeats)
    import peers  # sqlite-utils insert, the sqlite3 shell's CSV mode (bench/peers.py)

    data["sqlite"]["peers"] = peers.measure(
        report, size, files, work, target, rows, cli["seconds"],
        data["sqlite"]["export"]["claimsdb"]["seconds"], repeats)
    if args.large:  # issue 16's read targets (bench/large.py)
        import large

        data["sqlite"]["large"] = large.measure(report, size, target)

    if pg is not None:
        run_postgres(report, size, files, dirs, rows, total_rows, args, pg, data, work)
    if not args.keep:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{cli_db}{suffix}").unlink(missing_ok=True)


def run_postgres(report: Report, size: str, files: Sequence[Path], dirs: Sequence[Path],
                 rows: dict[str, int], total_rows: int, args: argparse.Namespace,
                 pg: PostgresDatabases, data: dict[str, Any], work: Path) -> None:
    # Each side's best of the size's repeats, interleaved, as on SQLite: at 10k the
    # stage is one batch of well under a second, which one busy moment moves by a tenth.
    stage_s = copy_s = float("inf")
    for _ in range(data["repeats"]):
        stage_url = pg.create(f"{size}_stage")
        _parse_s, stage_once = claimsdb_stages(stage_url, files, args.batch)
        stage_s = min(stage_s, stage_once)
        copy_url = pg.create(f"{size}_copy")
        copy_once, copy_rows = raw_postgres_import(copy_url, files, copy=True)
        copy_s = min(copy_s, copy_once)
    from claimsdb.store import db

    if hasattr(db, "update_planner_statistics"):  # (absent from versions before it)
        engine = db.make_engine(stage_url)
        db.update_planner_statistics(engine, thorough=True)  # as 'claimsdb add' does
        engine.dispose()
    if count_rows(stage_url) != rows:
        raise RuntimeError("PostgreSQL holds different rows from SQLite")
    many_url = pg.create(f"{size}_many")
    many_s, many_rows = raw_postgres_import(many_url, files, copy=False)
    if not (copy_rows == many_rows == rows):
        raise RuntimeError("raw PostgreSQL imports stored different rows")
    report.add(size, "postgresql", "import: database stage", total_rows / stage_s, "rows/s",
               "psycopg COPY", total_rows / copy_s, target="≥ 0.8x",
               higher_is_better=True, limit=0.8)  # issue 16's target
    report.add(size, "postgresql", "import: database stage", total_rows / stage_s, "rows/s",
               "psycopg executemany", total_rows / many_s, higher_is_better=True)
    result: dict[str, Any] = {"stage_seconds": stage_s, "copy_seconds": copy_s,
                              "executemany_seconds": many_s}
    if not args.no_pg_cli:
        cli_url = pg.create(f"{size}_cli")
        cli = cli_import(cli_url, dirs, args.batch)
        report.add(size, "postgresql", "import end to end (claimsdb add)", cli["seconds"], "s",
                   "parse only (CSafeLoader)", data["parse_only_seconds"])
        result["cli"] = cli
    for name in (f"{size}_copy", f"{size}_many"):
        full = f"claimsdb_bench_{name}_{os.getpid()}"
        pg.admin.execute(f'DROP DATABASE IF EXISTS "{full}" WITH (FORCE)')
    result["lookup"] = chain_lookups(report, size, "postgresql", stage_url, args.seed)
    result["filters"] = filtered_queries(report, size, "postgresql", stage_url)
    if args.large:
        import large

        result["large"] = large.measure(report, size, stage_url)
    result["export"] = csv_export(report, size, "postgresql", stage_url, work,
                                  rows["statements"], data["repeats"])
    data["postgresql"] = result


def cross_size(report: Report) -> None:
    """Targets that compare sizes: lookups use indexes, exports stream."""
    sizes = report.data["sizes"]
    import large

    large.growth(report, {size: {backend: data[backend]["large"]
                                 for backend in ("sqlite", "postgresql")
                                 if "large" in data.get(backend, {})}
                          for size, data in sizes.items()})
    if "10k" in sizes and "1m" in sizes:
        for backend in ("sqlite", "postgresql"):
            small = sizes["10k"].get(backend, {}).get("lookup")
            large = sizes["1m"].get(backend, {}).get("lookup")
            if small and large:
                report.add("across sizes", backend, "chain lookup p50, 1M vs 10k",
                           large["p50_us"], "us", "p50 at 10k", small["p50_us"],
                           target="≤ 2x", limit=2.0)
    if "100k" in sizes and "1m" in sizes:
        for backend in ("sqlite", "postgresql"):
            small = sizes["100k"].get(backend, {}).get("export")
            large = sizes["1m"].get(backend, {}).get("export")
            if small and large:
                report.add("across sizes", backend, "CSV export peak RSS, 1M vs 100k",
                           large["claimsdb"]["peak_rss_mb"], "MB", "peak RSS at 100k",
                           small["claimsdb"]["peak_rss_mb"], target="≤ 1.25x", limit=1.25)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,100k",
                        help="comma-separated statement counts, e.g. 10k,100k,1m")
    parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    parser.add_argument("--batch", type=int, default=500,
                        help="files per transaction for 'claimsdb add --batch' (1: one "
                        "transaction per file, the command's default)")
    parser.add_argument("--repeat", type=int, default=2,
                        help="runs of each import and export below 1M statements, each "
                        "side's best taken (default 2; 1M statements always run once)")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--no-pg-cli", action="store_true",
                        help="skip the end-to-end 'claimsdb add' on PostgreSQL")
    parser.add_argument("--no-trace", action="store_true", help="skip the tracing corpus")
    parser.add_argument("--no-startup", action="store_true",
                        help="skip the start-up measurement (bench/startup.py)")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite databases")
    parser.add_argument("--large", action="store_true",
                        help="also time issue 16's read commands on each size's databases "
                        "(bench/large.py)")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--doc", type=Path, metavar="MARKDOWN",
                        help="write the results into this file's results block (as in "
                        "docs/performance.md)")
    parser.add_argument("--render", type=Path, metavar="JSON",
                        help="run nothing: render a saved run's results (into --doc, or "
                        "to standard output)")
    parser.add_argument("--child-export", nargs=3, metavar=("MODE", "DB", "OUT"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--child-parse", metavar="FOLDER", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_export:
        child_export(*args.child_export)
        return 0
    if args.child_parse:
        child_parse(args.child_parse)
        return 0
    if args.render:
        section = render_results(json.loads(args.render.read_text(encoding="utf-8")))
        if args.doc:
            write_doc(args.doc, section)
        else:
            print(section)
        return 0
    import peers

    peers.require_tools()  # sqlite3 and sqlite-utils, or a clear error now
    import startup

    # Every claimsdb process measured (an import's workers too) loads bytecode, as an
    # installed package does (``pip install`` compiles it); where
    # PYTHONDONTWRITEBYTECODE is set, each would otherwise compile its modules from
    # source, which the peers, installed with bytecode, never do (bench/startup.py).
    startup.compile_package()
    # A kill ends the run through its cleanup (the PostgreSQL databases it made).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    report = Report(args)
    env = report.data["environment"]
    print(f"{env['cpu_model']}, {env['nproc']} CPUs; Python {env['python']}, SQLite "
          f"{env['sqlite']}, SQLAlchemy {env['sqlalchemy']}; {env['postgresql'][:40]}",
          flush=True)
    pg = None
    if not args.no_postgres:
        try:
            pg = PostgresDatabases()
        except Exception as error:
            print(f"PostgreSQL unavailable, SQLite only: {error}", flush=True)
    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    try:
        for statements in sizes:
            run_size(report, statements, args, pg)
            report.save(args.out)  # keep what was measured if a later size fails
        if not args.no_startup:
            print("\n== start-up ==", flush=True)
            report.data["startup"] = startup.measure(report, postgres=pg)
            report.save(args.out)
        if not args.no_trace:
            print("\n== tracing corpus ==", flush=True)
            work = HERE / "out" / "work"
            trace_db = fresh_sqlite(work / "trace.db")
            report.data["trace"] = {"sqlite": tracing(report, "sqlite", trace_db, args.batch)}
            if pg is not None:
                url = pg.create("trace")
                report.data["trace"]["postgresql"] = tracing(report, "postgresql", url,
                                                             args.batch)
        cross_size(report)
    finally:
        if pg is not None:
            pg.drop_all()
    path = report.save(args.out)
    print()
    for size in dict.fromkeys(r["size"] for r in report.rows):
        print(report.table(size))
        print()
    print(f"results: {path}")
    if args.doc:
        write_doc(args.doc, render_results(report.data))
        print(f"written into {args.doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
