"""Peak memory of ``claimsdb export``: does it stay flat as the database grows?

Exports stream rows from the query layer, so exporting 200,000 statements should
need no more memory than exporting 20,000. This script checks that claim:

1. it builds databases of each size quickly, with Core bulk inserts of synthetic
   articles (100 statements each, with chains of 0-3 hops, anonymous sources,
   denials and cross-article repeats; curly quotes and Cyrillic in the text) in a
   schema made by claimsdb's own migrations, so indexes and full-text triggers are
   the real ones;
2. it runs the installed ``claimsdb`` entry point, ``export FORMAT -o FILE``, once per
   size and format, each in a fresh wrapper process, and reads the export's peak
   resident set size from ``resource.getrusage(RUSAGE_CHILDREN)``;
3. it prints rows, seconds, output size and peak RSS per run.

It is a measurement, not a unit test. Usage::

    python bench/export_memory.py                          # 20k and 200k, csv and jsonl
    python bench/export_memory.py --sizes 2000,20000,200000 --formats csv,json,prov
    python bench/export_memory.py --db postgresql+psycopg://postgres@127.0.0.1:5432/{size}

With ``--db``, ``{size}`` in the URL is replaced by each size; the databases must
exist and be empty. Without it, SQLite files go to a temporary folder (``--keep`` to
keep them and their exports).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import Engine, insert, text

from claimsdb.store import migrate
from claimsdb.store.db import make_engine
from claimsdb.store.models import (
    Actor,
    ActorRole,
    Article,
    Hop,
    Relation,
    Statement,
    StatementAbout,
)

PER_ARTICLE = 100
CHUNK = 5000
SEED = 20260101

OUTLETS = ["northgate-wire", "riverside-courier", "kyiv-ranok", "vorsk-herald"]
PEOPLE = [f"official-{i}" for i in range(40)]
GROUPS = [f"sources-{i}" for i in range(10)]  # anonymous
ORGS = ["ministry", "kremlin", "port-authority", "commission"]
PHRASES = [
    "talks have stalled, officials said",
    "the report «does not reflect reality»",
    "Переговори тривають — сказав речник",
    "the “maximalist” demands remain on the table",
    "no decision has been taken — yet",
    "=the figures were revised, -2% on the year",
]


def _actors() -> list[dict]:
    rows = [{"key": k, "name": k.replace("-", " ").title(), "kind": "outlet",
             "identified": "named"} for k in OUTLETS]
    rows += [{"key": k, "name": f"Official {k.split('-')[1]}", "kind": "person",
              "identified": "named" if int(k.split("-")[1]) % 4 else "role"} for k in PEOPLE]
    rows += [{"key": k, "name": f"Sources close to group {k.split('-')[1]}", "kind": "group",
              "identified": "anonymous"} for k in GROUPS]
    rows += [{"key": k, "name": k.replace("-", " ").title(), "kind": "organization",
              "identified": "named"} for k in ORGS]
    return rows


def build(engine: Engine, statements: int) -> float:
    """Fill an empty, migrated database with ``statements`` statements; returns seconds."""
    rng = random.Random(SEED)
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(insert(Actor), _actors())
        ids = dict(conn.execute(text("SELECT key, id FROM actors")).all())
        conn.execute(insert(ActorRole), [
            {"actor_id": ids[p], "of_actor_id": ids[rng.choice(ORGS)], "title": "spokesperson"}
            for p in PEOPLE[:10]])
        sources = [ids[k] for k in PEOPLE + GROUPS]
        articles = -(-statements // PER_ARTICLE)
        statement_id = 0
        pending: dict[str, list[dict]] = {"statements": [], "hops": [], "about": [],
                                          "relations": []}

        def flush(force: bool = False) -> None:
            if force or len(pending["statements"]) >= CHUNK:
                for table, rows in ((Statement, pending["statements"]),
                                    (Hop, pending["hops"]),
                                    (StatementAbout, pending["about"]),
                                    (Relation, pending["relations"])):
                    if rows:
                        conn.execute(insert(table), rows)
                        rows.clear()

        day = dt.date(2024, 1, 1)
        for a in range(articles):
            count = min(PER_ARTICLE, statements - a * PER_ARTICLE)
            sentences = [f"{n}. On day {a}, item {n}: {rng.choice(PHRASES)}." for n in range(count)]
            body = "\n".join(sentences) + "\n"
            article_id = conn.execute(insert(Article).returning(Article.id), {
                "key": f"article-{a:06d}", "title": f"Report number {a} — «переговори»",
                "outlet_id": ids[OUTLETS[a % len(OUTLETS)]],
                "url": f"https://example.org/{a}", "published": (day + dt.timedelta(a % 700))
                .isoformat(), "language": "en", "text": body, "content_hash": f"{a:064d}",
                "imported_at": dt.datetime.now(dt.UTC),
            }).scalar_one()
            offset = 0
            for n, sentence in enumerate(sentences):
                statement_id += 1
                start = offset + sentence.index(":") + 2
                end = offset + len(sentence) - 1
                depth = rng.choice((0, 1, 1, 2, 2, 3))
                chain = rng.sample(sources, depth)
                pending["statements"].append({
                    "id": statement_id, "article_id": article_id, "key": f"s{n}",
                    "quote": body[start:end], "span_start": start, "span_end": end,
                    "kind": rng.choice(("direct", "indirect")),
                    "speaker_id": chain[-1] if chain else ids[OUTLETS[a % len(OUTLETS)]],
                })
                pending["hops"] += [{"statement_id": statement_id, "position": p,
                                     "actor_id": actor, "cue": rng.choice(("said", "citing"))}
                                    for p, actor in enumerate(chain)]
                if rng.random() < 0.3:
                    pending["about"].append({"statement_id": statement_id,
                                             "actor_id": ids[rng.choice(ORGS)]})
                if statement_id > 10 and rng.random() < 0.05:
                    pending["relations"].append({
                        "source_id": statement_id, "target_id": rng.randrange(1, statement_id),
                        "type": rng.choice(("denies", "repeats", "supports"))})
                offset += len(sentence) + 1
            flush()
        flush(force=True)
    return time.perf_counter() - started


MEASURE = """\
import resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
seconds = time.perf_counter() - started
if done.returncode:
    sys.exit(done.stderr.decode())
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, seconds)
"""


def measure(db: str, fmt: str, target: Path) -> tuple[float, float]:
    """Peak RSS (MiB) and seconds of one ``claimsdb export`` run, in a fresh process."""
    exe = shutil.which("claimsdb") or str(Path(sys.executable).with_name("claimsdb"))
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, exe, "--db", db, "export", fmt, "-o", str(target)],
        capture_output=True, text=True, check=True)
    kib, seconds = done.stdout.split()
    return int(kib) / 1024, float(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="20000,200000",
                        help="statement counts, comma-separated (default 20000,200000)")
    parser.add_argument("--formats", default="csv,jsonl",
                        help="export formats to measure: csv, jsonl, json, prov")
    parser.add_argument("--db", help="database URL with {size}, e.g. for PostgreSQL")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite files and exports")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    formats = args.formats.split(",")
    folder = Path(tempfile.mkdtemp(prefix="claimsdb-export-memory-"))
    results = []
    try:
        for size in sizes:
            db = args.db.format(size=size) if args.db else str(folder / f"{size}.db")
            engine = make_engine(db)
            migrate.upgrade(engine)
            with engine.connect() as conn:
                have = conn.execute(text("SELECT count(*) FROM statements")).scalar_one()
            if have not in (0, size):
                sys.exit(f"{db} holds {have} statements; give an empty database")
            built = build(engine, size) if have == 0 else 0.0
            engine.dispose()
            print(f"built {size:,} statements in {built:.1f} s ({db})", flush=True)
            for fmt in formats:
                target = folder / f"{size}.{fmt}"
                rss, seconds = measure(db, fmt, target)
                mib = target.stat().st_size / 2**20
                results.append((size, fmt, seconds, mib, rss))
                print(f"  export {fmt:5}: {seconds:6.1f} s, {mib:7.1f} MiB written, "
                      f"peak RSS {rss:6.1f} MiB", flush=True)
                if not args.keep:
                    target.unlink()
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            print(f"kept {folder}")
    print("\nstatements  format  seconds  written MiB  peak RSS MiB")
    for size, fmt, seconds, mib, rss in results:
        print(f"{size:>10,}  {fmt:6}  {seconds:7.1f}  {mib:11.1f}  {rss:12.1f}")
    by_format: dict[str, list[tuple[int, float]]] = {}
    for size, fmt, _, _, rss in results:
        by_format.setdefault(fmt, []).append((size, rss))
    for fmt, runs in by_format.items():
        (small, small_rss), (large, large_rss) = min(runs), max(runs)
        if large > small:
            print(f"{fmt}: {large // small}x the statements, peak RSS x{large_rss / small_rss:.2f}")


if __name__ == "__main__":
    main()
