"""Read commands at a million statements: what a user waits for, on a large database.

Issue 16's targets, measured in process through the library API (``claimsdb.api.Database``,
what every front end calls), each the median of ``--runs`` runs after one warm-up run:

- at most 100 ms: ``chain``; ``statements`` with any one filter and ``--limit 50`` (each
  filter apart); ``actor`` (its first 50 said and relayed); ``article``; ``trace`` of a
  claim carried by 10 articles;
- at most 2 s: ``sources`` (whole database, one article), ``actors`` first page (20),
  ``claims``, ``loops``, ``denials`` first page (50);
- at most 60 s: ``check`` (one run, with worker processes as ``claimsdb check`` starts them);
- from 100k to 1M statements each at most 2x, except the answers that read the whole
  database (``sources`` of every article, ``claims``, ``loops``) and ``check``, whose
  growth is reported without a target.

The arguments (an actor, an article, a claim) are chosen by SQL from the database itself
(untimed), the same way at every size: the busiest actor of each kind of question, an
article of 20 statements in the middle of the archive, a claim carried by 10 articles.

Alone, on databases built beforehand (``claimsdb init; claimsdb add --batch 500 ...``)::

    python bench/large.py --reuse-db 100k=/tmp/100k.db --reuse-db 1m=/tmp/1m.db \\
        --reuse-db 100k=postgresql+psycopg://postgres@127.0.0.1/b100k \\
        --reuse-db 1m=postgresql+psycopg://postgres@127.0.0.1/b1m

or ``python bench/large.py --sizes 100k,1m`` to import the corpora first (SQLite under
bench/out/work/large/, PostgreSQL in throw-away databases). ``python bench/run.py
--large`` measures the same on the databases its own run imports.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

RUNS = 3
FAST_MS = 100.0  # chain, statements --limit 50, actor, article, trace
LIST_MS = 2000.0  # sources, actors first page, claims, loops, denials first page
CHECK_MS = 60_000.0
PAGE = 50
ACTORS_PAGE = 20
TRACE_ARTICLES = 10
ARTICLE_STATEMENTS = 20  # the article asked about (article, statements --article, ...)
SEARCH = "grain corridor"
# Answers that read the whole database: their growth is reported, not judged.
WHOLE_DATABASE = ("sources (whole database)", "claims", "loops", "check")


def _backend(target: str) -> str:
    return "postgresql" if target.startswith("postgresql") else "sqlite"


def _one(conn: Any, sql: str, **values: Any) -> Any:
    from sqlalchemy import text

    return conn.execute(text(sql), values).scalar()


def arguments(target: str) -> dict[str, Any]:
    """What each question asks about, chosen from the database (untimed)."""
    from sqlalchemy import select

    from claimsdb.query.graph import families
    from claimsdb.store.db import make_engine
    from claimsdb.store.models import Article, Statement

    engine = make_engine(target, create=False)
    try:
        with engine.connect() as conn:
            # The same shape of question at every size: a statement with a relay, in an
            # article of ARTICLE_STATEMENTS statements (the corpus's articles have 8 to
            # 29), the first such at or after the middle of the archive. (Any article
            # there answered 17 statements at 100k and 30 at 1M: 1.8x the time, all of
            # it the size of the answer, none the size of the database.)
            middle = _one(conn, "SELECT min(id) FROM statements WHERE id >= "
                                "(SELECT (min(id) + max(id)) / 2 FROM statements) AND id IN "
                                "(SELECT statement_id FROM chain_hops WHERE position = 1) "
                                "AND article_id IN (SELECT article_id FROM statements "
                                "GROUP BY article_id HAVING count(*) = :size)",
                          size=ARTICLE_STATEMENTS)
            ref = conn.execute(select(Article.key, Statement.key)
                               .join(Article, Statement.article_id == Article.id)
                               .where(Statement.id == middle)).one()
            busiest = ("SELECT x.key FROM {table} t JOIN actors x ON x.id = t.{column} "
                       "{where} GROUP BY x.key ORDER BY count(*) DESC, x.key LIMIT 1")
            speaker = _one(conn, busiest.format(table="statements", column="speaker_id",
                                                where=""))
            relay = _one(conn, busiest.format(
                table="chain_hops", column="actor_id",
                where="WHERE x.kind = 'person' AND x.identified = 'named'"))
            about = _one(conn, busiest.format(table="statement_about", column="actor_id",
                                              where=""))
            with_members = _one(conn, busiest.format(table="actor_roles",
                                                     column="of_actor_id", where=""))
            topic = _one(conn, "SELECT topic FROM statement_topics GROUP BY topic "
                               "ORDER BY count(*) DESC, topic LIMIT 1")
            dates = [row[0] for row in conn.exec_driver_sql(
                "SELECT published FROM articles WHERE published IS NOT NULL "
                "ORDER BY published")]
            claim = _claim_of(conn, families(conn), TRACE_ARTICLES)
    finally:
        engine.dispose()
    return {"ref": f"{ref[0]}#{ref[1]}", "article": ref[0], "speaker": speaker,
            "via": relay, "about": about, "with_members": with_members, "topic": topic,
            # late (few matches, far into article order) and early (as few)
            "since": dates[int(len(dates) * 0.9)][:10], "until": dates[len(dates) // 10][:10],
            "claim": claim}


def _claim_of(conn: Any, groups: list[set[int]], articles: int) -> str | None:
    """A statement of the claim whose article count is nearest ``articles`` (the
    smallest such claim, then the earliest)."""
    from sqlalchemy import select

    from claimsdb.store.models import Article, Statement

    ids = sorted({i for group in groups if len(group) >= articles // 2 for i in group})
    article_of: dict[int, int] = {}
    for start in range(0, len(ids), 5000):
        article_of.update(conn.execute(
            select(Statement.id, Statement.article_id)
            .where(Statement.id.in_(ids[start:start + 5000]))).all())
    best = None
    for group in groups:
        if len(group) < articles // 2:
            continue
        count = len({article_of[i] for i in group})
        rank = (abs(count - articles), len(group), min(group))
        if best is None or rank < best[0]:
            best = (rank, min(group), count)
    if best is None:
        return None
    row = conn.execute(select(Article.key, Statement.key)
                       .join(Article, Statement.article_id == Article.id)
                       .where(Statement.id == best[1])).one()
    return f"{row[0]}#{row[1]}"


def questions(db: Any, args: dict[str, Any]) -> dict[str, tuple[Callable[[], Any], float]]:
    """Each measured question, as a call on the API, with its limit in milliseconds."""
    from claimsdb.api import StatementFilter

    def listed(**condition: Any) -> Callable[[], Any]:
        return lambda: db.statements(StatementFilter(limit=PAGE, **condition))

    def actors_page() -> list[Any]:
        with db.stream_actors(limit=ACTORS_PAGE) as rows:  # what 'claimsdb actors' reads
            return list(rows)

    import datetime as dt

    since = dt.date.fromisoformat(args["since"])
    until = dt.date.fromisoformat(args["until"])
    asked: dict[str, tuple[Callable[[], Any], float]] = {
        "chain": (lambda: db.chain(args["ref"]), FAST_MS),
        "statements --article": (listed(article=args["article"]), FAST_MS),
        "statements --speaker": (listed(speaker=args["speaker"]), FAST_MS),
        "statements --speaker --with-members": (
            listed(speaker=args["with_members"], with_members=True), FAST_MS),
        "statements --via": (listed(via=args["via"]), FAST_MS),
        "statements --origin named": (listed(origin="named"), FAST_MS),
        "statements --origin role": (listed(origin="role"), FAST_MS),
        "statements --origin anonymous": (listed(origin="anonymous"), FAST_MS),
        "statements --kind direct": (listed(kind="direct"), FAST_MS),
        "statements --denied": (listed(denied=True), FAST_MS),
        "statements --denials": (listed(denials=True), FAST_MS),
        "statements --about": (listed(about=args["about"]), FAST_MS),
        "statements --search": (listed(search=SEARCH), FAST_MS),
        "statements --since (late)": (listed(since=since), FAST_MS),
        "statements --until (early)": (listed(until=until), FAST_MS),
        "statements --later-denied": (listed(later_denied=True), FAST_MS),
        "actor (first 50)": (lambda: db.actor(args["speaker"], limit=PAGE), FAST_MS),
        "article": (lambda: db.article(args["article"]), FAST_MS),
    }
    if args["topic"] is not None:
        asked["statements --topic"] = (listed(topic=args["topic"]), FAST_MS)
    if args["claim"] is not None:
        asked[f"trace (claim in {TRACE_ARTICLES} articles)"] = (
            lambda: db.trace(args["claim"]), FAST_MS)
    asked.update({
        "sources (whole database)": (lambda: db.sources(), LIST_MS),
        "sources --article": (lambda: db.sources(article=args["article"]), LIST_MS),
        f"actors (first {ACTORS_PAGE})": (actors_page, LIST_MS),
        "claims": (lambda: db.claims(), LIST_MS),
        "loops": (lambda: db.loops(), LIST_MS),
        f"denials (first {PAGE})": (lambda: db.denials(StatementFilter(limit=PAGE)), LIST_MS),
        "check": (lambda: db.check(workers=0), CHECK_MS),
    })
    return asked


def measure(report: Any, size: str, target: str, *, runs: int = RUNS,
            only: set[str] | None = None, skip: set[str] = frozenset()) -> dict[str, Any]:
    """Time every question on one database; rows into ``report`` (``run.Report``)."""
    from claimsdb.api import Database

    backend = _backend(target)
    args = arguments(target)
    out: dict[str, Any] = {"arguments": args, "ms": {}}
    with Database(target) as db:
        for name, (ask, limit) in questions(db, args).items():
            if (only and name not in only) or name in skip:
                continue
            times = []
            repeat, warm, warm_cpu = runs, 0.0, None
            if limit >= CHECK_MS:
                repeat = 1  # minutes at 1M: one run, no warm-up
            else:
                first, first_cpu = time.perf_counter(), time.process_time()
                ask()  # warm-up: caches of the database and of SQLAlchemy's compiled SQL
                warm = (time.perf_counter() - first) * 1000
                warm_cpu = (time.process_time() - first_cpu) * 1000
                if limit > FAST_MS and warm > 5 * limit:
                    repeat = 0  # far over its limit: one run says enough
            cpu = []
            for _ in range(repeat):
                start, start_cpu = time.perf_counter(), time.process_time()
                ask()
                times.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
            value = statistics.median(times) if times else warm
            # This process's CPU time: on a shared machine the wall time includes the
            # waits for a core; on SQLite (in process) the CPU time is the work itself.
            cpu_ms = statistics.median(cpu) if cpu else warm_cpu
            out["ms"][name] = value
            out.setdefault("cpu_ms", {})[name] = cpu_ms
            runs_note = f"median of {len(times)}" if times else "one run"
            if cpu_ms is not None:
                runs_note += f"; CPU {cpu_ms:.0f} ms"
            report.add(size, backend, f"{name} (large)", value, "ms", "limit", limit,
                       target=f"≤ {_limit_text(limit)}", limit=1.0, note=runs_note)
    return out


def _limit_text(ms: float) -> str:
    return f"{ms:.0f} ms" if ms < 1000 else f"{ms / 1000:.0f} s"


def growth(report: Any, measured: dict[str, dict[str, Any]], small: str = "100k",
           large: str = "1m") -> None:
    """Each question's time at ``large`` over its time at ``small``: at most 2x, but
    for the answers that read the whole database."""
    for backend in ("sqlite", "postgresql"):
        before = measured.get(small, {}).get(backend)
        after = measured.get(large, {}).get(backend)
        if not before or not after:
            continue
        for name, value in after["ms"].items():
            if name not in before["ms"]:
                continue
            whole = name in WHOLE_DATABASE
            report.add("across sizes", backend, f"{name} (large), {large} vs {small}", value,
                       "ms", f"at {small}", before["ms"][name],
                       target="reads every row: no target" if whole else "≤ 2x",
                       limit=None if whole else 2.0)


def main(argv: list[str] | None = None) -> int:
    import run  # bench/run.py: its Report, PostgreSQL databases and import

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="",
                        help="comma-separated corpus sizes to import and measure (e.g. "
                        "100k,1m)")
    parser.add_argument("--reuse-db", action="append", default=[], metavar="SIZE=TARGET",
                        help="measure this prebuilt database (SQLite path or SQLAlchemy "
                        "URL) as SIZE instead of importing; repeat for each")
    parser.add_argument("--no-postgres", action="store_true",
                        help="with --sizes: SQLite only")
    parser.add_argument("--runs", type=int, default=RUNS, help="timed runs of each question")
    parser.add_argument("--only", default="", help="comma-separated question names")
    parser.add_argument("--skip", default="", help="comma-separated question names")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args(argv)
    report = run.Report(args)
    load = ", ".join(f"{x:.2f}" for x in report.data["environment"]["load_average"])
    print(f"load average at the start: {load}", flush=True)
    targets: list[tuple[str, str]] = []
    for item in args.reuse_db:
        size, _, target = item.partition("=")
        targets.append((size, target))
    pg = None
    try:
        for size in [s.strip() for s in args.sizes.split(",") if s.strip()]:
            statements = run.parse_size(size)
            label = run.generate.size_label(statements)
            folder, _manifest = run.corpus(statements, run.generate.DEFAULT_SEED)
            work = HERE / "out" / "work" / "large"
            work.mkdir(parents=True, exist_ok=True)
            path = work / f"{label}.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            run.cli_import(str(path), run.corpus_dirs(folder), 500)
            targets.append((label, str(path)))
            if not args.no_postgres:
                pg = pg or run.PostgresDatabases()
                url = pg.create(f"{label}_large")
                run.cli_import(url, run.corpus_dirs(folder), 500)
                targets.append((label, url))
        measured: dict[str, dict[str, Any]] = {}
        only = {name.strip() for name in args.only.split(",") if name.strip()} or None
        skip = {name.strip() for name in args.skip.split(",") if name.strip()}
        for size, target in targets:
            print(f"\n== {size} on {_backend(target)} ==", flush=True)
            measured.setdefault(size, {})[_backend(target)] = measure(
                report, size, target, runs=args.runs, only=only, skip=skip)
        growth(report, measured)
        report.data["large"] = measured
    finally:
        if pg is not None:
            pg.drop_all()
    path = report.save(args.out)
    print()
    for size in dict.fromkeys(r["size"] for r in report.rows):
        print(report.table(size))
        print()
    print(f"results: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
