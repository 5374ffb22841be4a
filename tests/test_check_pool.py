"""A large database's articles are verified in worker processes (``claimsdb check``
at 1M statements); the report must be the one the checking process alone writes,
findings in the same order. These tests lower the size at which the pool is used so
that a few small articles go through it, one batch per article, and compare.
"""

from __future__ import annotations

import os
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool

import pytest
from sqlalchemy import text as sql

from claimsdb.query import checks
from claimsdb.query.checks import check_database

corrupts = pytest.mark.inconsistent_db
ARTICLES = 5


def article(number: int) -> str:
    """An article with a statement in its own voice and two with chains."""
    return f"""\
format: claimsdb/article@1
article:
  key: pool-{number}
  title: Pool article {number}
  outlet: outlet-{number}
  text: >-
    Anna Pool said the bridge {number} was closed. Boris Pool told the road {number}
    was open. The port {number} was busy.
actors:
- {{key: outlet-{number}, name: Outlet {number}, kind: outlet}}
- {{key: anna, name: Anna Pool, kind: person}}
- {{key: boris, name: Boris Pool, kind: person}}
statements:
- key: bridge
  quote: the bridge {number} was closed
  chain:
  - {{actor: anna, cue: said}}
- key: road
  quote: the road {number} was open
  chain:
  - {{actor: anna}}
  - {{actor: boris, cue: told}}
- key: port
  quote: The port {number} was busy
"""


def run(engine, *statements):
    """Raw SQL, as a tool outside claimsdb would write it."""
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(sql(statement))


@pytest.fixture
def articles(cli, seeded, tmp_path):
    files = []
    for number in range(ARTICLES):
        path = tmp_path / f"pool-{number}.yaml"
        path.write_text(article(number), encoding="utf-8")
        files.append(path)
    result = cli("add", *files)
    assert result.exit_code == 0, result.output


def reports(engine, monkeypatch, in_flight=1):
    """The report checked in this process and through the pool, one article a batch."""
    monkeypatch.setattr(checks, "BATCH_ARTICLES", 1)
    alone = check_database(engine)
    monkeypatch.setattr(checks, "POOL_MIN_ARTICLES", 0)
    monkeypatch.setattr(checks, "BATCHES_IN_FLIGHT_PER_WORKER", in_flight)
    started = []

    class Pool(checks.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            started.append(kwargs["mp_context"].get_start_method())
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(checks, "ProcessPoolExecutor", Pool)
    pooled = check_database(engine, workers=2)
    assert started == ["spawn"]
    return alone, pooled


def same(alone, pooled):
    assert pooled.summary() == alone.summary()
    assert pooled.findings == alone.findings
    assert pooled.counts == alone.counts
    assert pooled.counts["articles"] == ARTICLES + 1


def test_a_sound_database_reports_the_same_through_the_pool(articles, engine, monkeypatch):
    alone, pooled = reports(engine, monkeypatch)
    same(alone, pooled)
    assert pooled.ok


@corrupts
@pytest.mark.parametrize("in_flight", [1, 3])
def test_findings_of_several_batches_come_in_the_order_checked(articles, engine,
                                                                monkeypatch, in_flight):
    # Every article's text but one edited (every span and content hash), that one's
    # title; a hop gone from two chains (a speaker no longer the origin, a gap), a
    # refusal that repeats something.
    run(engine, "UPDATE articles SET text = 'X' || text WHERE key <> 'pool-3'",
        "UPDATE articles SET title = 'Changed' WHERE key = 'pool-3'",
        "DELETE FROM chain_hops WHERE position = 1 AND statement_id = (SELECT s.id FROM "
        "statements s JOIN articles a ON a.id = s.article_id WHERE a.key = 'pool-1' "
        "AND s.key = 'road')",
        "DELETE FROM chain_hops WHERE position = 0 AND statement_id = (SELECT s.id FROM "
        "statements s JOIN articles a ON a.id = s.article_id WHERE a.key = 'pool-2' "
        "AND s.key = 'road')",
        "UPDATE statements SET kind = 'refusal' WHERE key = 'port' AND article_id = "
        "(SELECT id FROM articles WHERE key = 'pool-4')",
        "INSERT INTO relations (source_id, type, target_id) SELECT s.id, 'repeats', t.id "
        "FROM statements s, statements t, articles a, articles b WHERE s.article_id = a.id "
        "AND t.article_id = b.id AND a.key = 'pool-4' AND s.key = 'port' AND b.key = "
        "'pool-0' AND t.key = 'bridge'")
    alone, pooled = reports(engine, monkeypatch, in_flight)
    same(alone, pooled)
    wheres = [f.where for f in pooled.findings]
    # Article by article, as the articles were stored.
    order = [next(i for i, w in enumerate(wheres) if f"'pool-{n}'" in w)
             for n in range(ARTICLES)]
    assert order == sorted(order)
    checked = {f.check for f in pooled.findings}
    assert {"span", "content", "chain", "speaker", "relation"} <= checked


@corrupts
def test_a_worker_that_dies_leaves_its_batches_to_the_checking_process(articles, engine,
                                                                      monkeypatch):
    run(engine, "UPDATE articles SET title = 'Changed' WHERE key IN ('pool-0', 'pool-2')")

    class BrokenPool:
        """A pool whose worker died: what was submitted fails, later submits too."""

        def __init__(self, *args, **kwargs):
            self.submitted = 0

        def submit(self, *args):
            self.submitted += 1
            if self.submitted > 2:
                raise BrokenProcessPool("a worker died")
            future: Future = Future()
            future.set_exception(BrokenProcessPool("a worker died"))
            return future

        def shutdown(self, wait=True, cancel_futures=False):
            pass

    alone, _ = reports(engine, monkeypatch)
    monkeypatch.setattr(checks, "ProcessPoolExecutor", BrokenPool)
    pooled = check_database(engine, workers=2)
    same(alone, pooled)
    assert [f.where for f in pooled.findings] == ["article 'pool-0'", "article 'pool-2'"]


def test_a_small_database_starts_no_worker(seeded, engine, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a pool was started for one article")

    monkeypatch.setattr(checks, "ProcessPoolExecutor", refuse)
    assert check_database(engine, workers=0).ok


def test_workers_are_opt_in_and_the_command_asks_for_them(cli, articles, engine,
                                                          monkeypatch):
    """The library checks in its own process unless asked (a spawned worker imports
    the caller's main module); ``claimsdb check`` asks for one per CPU, ``--jobs 1``
    for none, ``--jobs N`` for N."""
    monkeypatch.setattr(checks, "POOL_MIN_ARTICLES", 0)
    started = []

    class Pool(checks.ProcessPoolExecutor):
        def __init__(self, workers, *args, **kwargs):
            started.append(workers)
            super().__init__(workers, *args, **kwargs)

    monkeypatch.setattr(checks, "ProcessPoolExecutor", Pool)
    assert check_database(engine).ok
    assert started == []
    for args, expected in ((["--jobs", "1"], []), (["--jobs", "3"], [3]),
                           ([], [os.cpu_count() or 1] if (os.cpu_count() or 1) > 1 else [])):
        started.clear()
        result = cli("check", *args)
        assert result.exit_code == 0, result.output
        assert started == expected
    result = cli("check", "--jobs", "-1")
    assert result.exit_code == 2
