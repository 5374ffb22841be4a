"""The workbench's page times on a 100k-statement database (issue 15's target).

One command::

    python bench/serve_bench.py                       # 100k statements, SQLite and PostgreSQL
    python bench/serve_bench.py --backend sqlite --requests 200 --json

It imports the generated corpus (bench/generate.py, the same files bench/run.py uses,
reused from bench/corpus/ when already there) plus a few files of its own written
beside it (bench/corpus/serve-extra): an article of 100 statements, and a claim of
that article repeated by six later articles (one of them relaying another), so that
its trace page has a graph to draw. The import is ``claimsdb add --batch 500`` of every
folder in one invocation, into a new SQLite file or a new PostgreSQL database that is
dropped at the end (``--reuse`` keeps and reuses both).

Then it starts the real server, ``claimsdb serve --port 0`` as a subprocess, and asks
it over loopback with one keep-alive HTTP/1.1 connection (``http.client``). The time of
a request runs from sending it to reading the last byte of the body: the server's
time plus one loopback round trip, so an upper bound of the server time. Pages
measured, each warmed up first, then asked ``--requests`` times (p50/p95/max):

- the article page of the 100-statement article;
- ``/statements?origin=anonymous`` and ``/statements?via=RELAY`` (the busiest named
  relay), each the first page of 50;
- the trace page of the claim carried by seven articles.

Beside each page, as a peer figure in the same run, the library call that answers the
same question in-process (``claimsdb.api.Database``, as the command line calls it):
``article``, ``stream_statements`` with ``limit=51`` (what the page asks), ``trace``.
Target: every page's p95 under 100 ms. Prints a Markdown table; ``--json`` prints
the figures as JSON instead. Nothing is written outside bench/corpus and bench/out.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (bench/ is not a package)

CLAIMSDB = str(Path(sys.executable).with_name("claimsdb"))
PG_ADMIN = os.environ.get("CLAIMSDB_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
TARGET_MS = 100.0
WARMUP = 10
BIG_ARTICLE_STATEMENTS = 100
BIG_ARTICLE_INDEX = 9_000_000  # far past any generated article, so its key is new
CARRIERS = 6  # later articles repeating the traced claim


# -- the corpus -----------------------------------------------------------------------------------

def corpus(statements: int, seed: int) -> Path:
    """The generated corpus, as bench/run.py makes and reuses it."""
    folder = HERE / "corpus" / generate.size_label(statements)
    manifest = folder / "manifest.json"
    if manifest.exists():
        found = json.loads(manifest.read_text())
        if found.get("requested") == statements and found.get("seed") == seed:
            return folder
    print(f"generating {statements:,} statements into {folder}", file=sys.stderr, flush=True)
    generate.write_corpus(folder, statements, seed)
    return folder


def write_extra(out: Path, seed: int) -> dict[str, str]:
    """The 100-statement article and the articles repeating one of its claims.

    A generator with the corpus's own seed draws the same cast first, so every actor
    these files define is defined exactly as the corpus defines it."""
    out.mkdir(parents=True, exist_ok=True)
    gen = generate.Generator(seed, BIG_ARTICLE_STATEMENTS)
    key, doc = gen.article(BIG_ARTICLE_INDEX, BIG_ARTICLE_STATEMENTS)
    (out / "x0-big.yaml").write_text(generate.dump(doc), encoding="utf-8")
    claim = next(s for s in doc["statements"] if "occurrence" not in s and s["quote"])
    root = f"{key}#{claim['key']}"
    quote = claim["quote"]
    outlets = gen.cast.outlets
    anonymous = gen.cast.anonymous
    published = dt.datetime.fromisoformat(doc["article"]["published"])
    previous = root
    for number in range(CARRIERS):
        outlet = outlets[(number * 3 + 1) % len(outlets)]
        source = anonymous[number % len(anonymous)]
        relay = outlets[(number * 3 + 2) % len(outlets)]
        # Every second carrier relays the one before it; the others the original.
        upstream = previous if number % 2 else root
        ckey = f"a{BIG_ARTICLE_INDEX + 1 + number:07d}-carrier"
        text = (f"{relay.name}, citing {source.name}, reported “{quote}” — "
                f"carrier {number + 1} of the claim.\n\nNo one else confirmed it.\n")
        carrier = {
            "format": generate.FORMAT,
            "article": {"key": ckey, "title": f"Carrier {number + 1}: {quote[:60]}",
                        "outlet": outlet.key,
                        "url": f"https://example.invalid/{outlet.key}/carrier-{number + 1}",
                        "published": (published + dt.timedelta(hours=number + 1)).isoformat(),
                        "language": "en", "text": text},
            "actors": [a.definition() for a in sorted({outlet.key: outlet, relay.key: relay,
                                                        source.key: source}.values(),
                                                       key=lambda a: a.key)],
            "statements": [{"key": "s00", "quote": quote,
                            "chain": [{"actor": relay.key, "cue": "citing"}, source.key],
                            "repeats": [upstream]}],
        }
        (out / f"x{number + 1}-carrier.yaml").write_text(generate.dump(carrier),
                                                         encoding="utf-8")
        previous = f"{ckey}#s00"
    return {"article": key, "claim": root}


def corpus_dirs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("part-*") if p.is_dir())


def claimsdb(*args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([CLAIMSDB, *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"claimsdb {' '.join(args[:4])} failed ({done.returncode}): "
                           f"{done.stderr[-2000:]}")
    return done


def import_corpus(target: str, dirs: list[Path]) -> float:
    start = time.perf_counter()
    claimsdb("--db", target, "init")
    claimsdb("--db", target, "add", "--batch", "500", *map(str, dirs))
    return time.perf_counter() - start


class Postgres:
    """The bench database on the benchmark server: created here, dropped at the end."""

    def __init__(self, name: str) -> None:
        import psycopg

        self.admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5)
        self.name = name
        base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
        self.url = f"{base}/{name}"

    def exists(self) -> bool:
        return self.admin.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                  (self.name,)).fetchone() is not None

    def create(self) -> None:
        self.drop()
        self.admin.execute(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        self.admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def close(self) -> None:
        self.admin.close()


# -- the questions ---------------------------------------------------------------------------

def busiest_named_relay(target: str) -> str:
    from sqlalchemy import text

    from claimsdb.store.db import make_engine

    engine = make_engine(target, create=False)
    try:
        with engine.connect() as conn:
            return conn.execute(text(
                "SELECT a.key FROM chain_hops h JOIN actors a ON a.id = h.actor_id "
                "WHERE a.kind = 'person' AND a.identified = 'named' "
                "GROUP BY a.key ORDER BY count(*) DESC, a.key LIMIT 1")).scalar_one()
    finally:
        engine.dispose()


def cases(target: str, names: dict[str, str]) -> list[dict[str, Any]]:
    """Each page, its URL and the library call asking the same question."""
    from claimsdb import api
    from claimsdb.query.queries import StatementFilter

    database = api.open(target)
    via = busiest_named_relay(target)
    article_key = names["article"]
    claim_article, claim_key = names["claim"].split("#")

    def first_page(flt: StatementFilter) -> Callable[[], Any]:
        def call() -> list:
            with database.stream_statements(replace(flt, limit=51)) as rows:
                return list(rows)
        return call

    return [
        {"page": f"article ({BIG_ARTICLE_STATEMENTS} statements)",
         "url": f"/articles/{article_key}",
         "api": "Database.article", "call": lambda: database.article(article_key)},
        {"page": "statements ?origin=anonymous", "url": "/statements?origin=anonymous",
         "api": "Database.stream_statements (limit 51)",
         "call": first_page(StatementFilter(origin="anonymous"))},
        {"page": f"statements ?via={via}", "url": f"/statements?via={via}",
         "api": "Database.stream_statements (limit 51)",
         "call": first_page(StatementFilter(via=via))},
        {"page": f"trace ({CARRIERS + 1} articles)",
         "url": f"/trace/{claim_article}/{claim_key}",
         "api": "Database.trace", "call": lambda: database.trace(names["claim"])},
    ]


# -- the server ------------------------------------------------------------------------------

@contextlib.contextmanager
def server(target: str) -> Iterator[tuple[str, int]]:
    """``claimsdb serve --port 0`` in a subprocess; its host and port, from the URL it prints."""
    process = subprocess.Popen([CLAIMSDB, "--db", target, "serve", "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 60
        for line in process.stdout:
            found = re.search(r"open http://([\d.]+):(\d+)", line)
            if found:
                host, port = found.group(1), int(found.group(2))
                break
            if time.monotonic() > deadline:
                raise RuntimeError("claimsdb serve printed no URL in 60 s")
        else:
            raise RuntimeError(f"claimsdb serve stopped: {process.stderr.read()[-2000:]}")
        yield host, port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def at(fraction: float) -> float:
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    return {"p50": at(0.5), "p95": at(0.95), "max": ordered[-1]}


def time_pages(host: str, port: int, case: dict[str, Any], requests: int) -> dict[str, Any]:
    connection = http.client.HTTPConnection(host, port, timeout=60)
    times: list[float] = []
    size = 0
    try:
        for number in range(WARMUP + requests):
            start = time.perf_counter()
            connection.request("GET", case["url"], headers={"Host": f"{host}:{port}"})
            response = connection.getresponse()
            body = response.read()
            elapsed = (time.perf_counter() - start) * 1000
            if response.status != 200:
                raise RuntimeError(f"GET {case['url']}: {response.status} "
                                   f"{body[:500].decode('utf-8', 'replace')}")
            if response.getheader("Connection", "").lower() == "close":
                raise RuntimeError("the server closed the keep-alive connection")
            if number >= WARMUP:
                times.append(elapsed)
            size = len(body)
    finally:
        connection.close()
    return {**percentiles(times), "bytes": size}


def time_api(case: dict[str, Any], requests: int) -> dict[str, float]:
    times = []
    for number in range(WARMUP + requests):
        start = time.perf_counter()
        case["call"]()
        elapsed = (time.perf_counter() - start) * 1000
        if number >= WARMUP:
            times.append(elapsed)
    return percentiles(times)


def measure(backend: str, target: str, names: dict[str, str], requests: int
            ) -> list[dict[str, Any]]:
    rows = []
    questions = cases(target, names)
    with server(target) as (host, port):
        for case in questions:
            page = time_pages(host, port, case, requests)
            peer = time_api(case, requests)
            rows.append({"backend": backend, "page": case["page"], "url": case["url"],
                         "api": case["api"], "requests": requests, **page,
                         "api_p50": peer["p50"], "api_p95": peer["p95"], "api_max": peer["max"],
                         "target_ms": TARGET_MS, "met": page["p95"] < TARGET_MS})
            print(f"  {backend} {case['page']}: p95 {page['p95']:.1f} ms", file=sys.stderr,
                  flush=True)
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    lines = ["| backend | page | p50 ms | p95 ms | max ms | target (p95) | verdict "
             "| API call | API p50 ms | API p95 ms |",
             "|---|---|--:|--:|--:|---|---|---|--:|--:|"]
    for r in rows:
        lines.append(f"| {r['backend']} | `{r['url']}` {r['page'].split(' ')[0]} "
                     f"| {r['p50']:.1f} | {r['p95']:.1f} | {r['max']:.1f} | < {TARGET_MS:.0f} ms "
                     f"| {'met' if r['met'] else 'missed'} | {r['api']} "
                     f"| {r['api_p50']:.1f} | {r['api_p95']:.1f} |")
    return "\n".join(lines)


# -- the run ---------------------------------------------------------------------------------

def run_backend(backend: str, args: argparse.Namespace, dirs: list[Path],
                names: dict[str, str]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    size = generate.size_label(args.statements)
    info: dict[str, Any] = {"backend": backend}
    if backend == "sqlite":
        work = HERE / "out" / "serve"
        work.mkdir(parents=True, exist_ok=True)
        path = work / f"serve-{size}.db"
        if not (args.reuse and path.exists()):
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            info["import_seconds"] = import_corpus(str(path), dirs)
        try:
            return measure(backend, str(path), names, args.requests), info
        finally:
            if not args.reuse:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
    pg = Postgres(f"claimsdb_serve_bench_{size}" if args.reuse
                  else f"claimsdb_serve_bench_{size}_{os.getpid()}")
    try:
        if not (args.reuse and pg.exists()):
            pg.create()
            info["import_seconds"] = import_corpus(pg.url, dirs)
        return measure(backend, pg.url, names, args.requests), info
    finally:
        if not args.reuse:
            pg.drop()
        pg.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--statements", type=int, default=100_000,
                        help="generated statements (default 100,000)")
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--requests", type=int, default=200,
                        help="timed requests per page, after 10 to warm up (default 200)")
    parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    parser.add_argument("--reuse", action="store_true",
                        help="reuse (and keep) bench/out/serve/serve-SIZE.db and the "
                             "PostgreSQL database claimsdb_serve_bench_SIZE")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.requests < 20:
        parser.error("--requests must be at least 20 (a p95 of fewer means little)")
    folder = corpus(args.statements, args.seed)
    extra = HERE / "corpus" / "serve-extra"
    names = write_extra(extra, args.seed)
    dirs = [*corpus_dirs(folder), extra]
    load = os.getloadavg()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    rows: list[dict[str, Any]] = []
    imports = []
    for backend in backends:
        found, info = run_backend(backend, args, dirs, names)
        rows += found
        imports.append(info)
    result = {"statements": args.statements, "requests": args.requests,
              "load_average_start": load, "load_average_end": os.getloadavg(),
              "timing": "client side, request sent to last byte, one keep-alive connection "
                        "over loopback to claimsdb serve",
              "imports": imports, "rows": rows}
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{args.statements:,} statements, {args.requests} requests per page; load "
              f"average {load[0]:.2f} at the start, {result['load_average_end'][0]:.2f} "
              "at the end")
        print(table(rows))
    return 0 if all(r["met"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
