"""``claimsdb add`` of several files without ``--batch``: short groups, one promise.

A plain add of many files commits them in short groups (``adding.COMMIT_FILES``,
``COMMIT_SECONDS``), each file in its own savepoint, written in bulk where it can be.
What a user was promised stays: each file is all or nothing (a bad file changes
nothing of its own, and the files around it land), the rows are those one
transaction per file gives, and each file is reported only once the transaction
holding it has committed, so a crash loses nothing that was reported.
"""

from __future__ import annotations

import importlib.util
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from claimsdb.api import Database
from claimsdb.format.articles import read_article
from claimsdb.ingest import adding, prefetch
from claimsdb.ingest.importer import ImportResult, import_spec
from claimsdb.query.checks import check_database
from claimsdb.store import migrate
from claimsdb.store.db import make_engine
from claimsdb.store.models import Actor, Article, Statement
from helpers import content, dump

REPO = Path(__file__).resolve().parents[1]
CLAIMSDB = Path(sys.executable).with_name("claimsdb")
ADDED_LINE = re.compile(r": added article '([^']+)' \((\d+) statements?\)")


def _generator():
    spec = importlib.util.spec_from_file_location("bench_generate", REPO / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while defined
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[Path]:
    """The benchmark's synthetic corpus, small: actors shared by many files, denials and
    repeats across files (so later files need earlier ones of the same add)."""
    folder = tmp_path_factory.mktemp("corpus") / "c"
    _generator().write_corpus(folder, 1500, seed=11)
    return sorted(folder.glob("part-*/*.yaml"))


@pytest.fixture
def other(backend, request) -> Engine:
    """A second database at the latest schema on the same backend, to compare with."""
    engine = make_engine(request.getfixturevalue("empty_db"))
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


def without_import_times(rows: dict) -> dict:
    out = dict(rows)
    at = list(Article.__table__.columns.keys()).index("imported_at")
    out["articles"] = sorted((row[:at] + row[at + 1:] for row in rows["articles"]), key=repr)
    return out


def bad_file(folder: Path) -> Path:
    """An article that parses, defines a new actor, and names an unknown one: only the
    database can refuse it, after its actor was merged (inside its savepoint)."""
    path = folder / "bad.yaml"
    path.write_text(
        "format: claimsdb/article@1\n"
        "article:\n  key: bad-article\n  title: Bad\n  outlet: bad-only-outlet\n"
        "  text: Officials said it rained.\n"
        "actors:\n  - {key: bad-only-outlet, name: Bad Only Outlet, kind: outlet}\n"
        "statements:\n  - {key: rain, quote: it rained, chain: [no-such-actor]}\n",
        encoding="utf-8")
    return path


def test_many_files_are_stored_exactly_as_one_transaction_each(cli, corpus, engine, other):
    result = cli("add", *corpus)
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[-1] == f"{len(corpus)} added"
    assert [m.group(1) for m in map(ADDED_LINE.search, lines[:-1]) if m] == \
        [read_article(path).key for path in corpus]  # each reported, in order
    for path in corpus:
        import_spec(other, read_article(path))
    assert without_import_times(dump(engine)) == without_import_times(dump(other))


@pytest.mark.parametrize("workers", [False, True], ids=["parsed-here", "parsed-in-workers"])
def test_a_bad_file_in_the_middle_of_50_changes_nothing_and_the_others_land(
        cli, corpus, engine, other, tmp_path, monkeypatch, workers):
    if workers:
        monkeypatch.setattr(prefetch, "WORKER_THRESHOLD", 1)
    files = [*corpus[:25], bad_file(tmp_path), *corpus[25:49]]
    result = cli("add", "--keep-going", *files)
    assert result.exit_code == 1
    assert "49 added, 1 failed" in result.output
    assert "unknown actor 'no-such-actor'" in result.output
    for path in [*corpus[:25], *corpus[25:49]]:
        import_spec(other, read_article(path))
    # Nothing of the bad file: neither its article nor the actor only it defines. (By
    # keys: on PostgreSQL the bad file used up sequence values, as it does alone.)
    assert content(engine) == content(other)
    with engine.connect() as conn:
        assert conn.execute(select(Actor.id).where(Actor.key == "bad-only-outlet")).first() \
            is None


def test_without_keep_going_the_files_before_a_bad_one_land_and_none_after(
        cli, corpus, engine, tmp_path):
    files = [*corpus[:25], bad_file(tmp_path), *corpus[25:49]]
    result = cli("add", *files)
    assert result.exit_code == 1
    assert "the 25 file(s) before it were imported" in result.output
    with engine.connect() as conn:
        stored = set(conn.execute(select(Article.key)).scalars())
    assert stored == {read_article(path).key for path in corpus[:25]}


def test_each_file_is_reported_only_once_it_is_committed(db, corpus):
    """When ``on_progress`` hears of a file, another connection already sees all of it."""
    watcher = make_engine(db)
    seen: list[bool] = []

    def check(outcome) -> None:
        if isinstance(outcome, ImportResult):
            with watcher.connect() as conn:
                stored = conn.execute(
                    select(Statement.id).join(Article).where(Article.key == outcome.key)
                ).all()
            seen.append(len(stored) == outcome.statements)

    try:
        report = Database(db).add(corpus[:40], on_progress=check)
    finally:
        watcher.dispose()
    assert len(report.results) == 40
    assert seen == [True] * 40


def test_a_group_ends_rather_than_wait_for_parsing(corpus, monkeypatch):
    """Without workers the next files are parsed only when asked for, so each group of
    a plain add's transaction is one task's files (``batches(seconds)``); with workers
    and ``seconds`` = 0 a group never takes a second task either."""
    names = [[p.name for p in corpus[start:start + 16]] for start in range(0, 48, 16)]
    for workers, seconds in ((False, 60.0), (True, 0.0)):
        monkeypatch.setattr(prefetch, "WORKER_THRESHOLD", 1 if workers else 64)
        with prefetch.ParsedFiles(corpus[:48], adding.COMMIT_FILES) as parsing:
            assert (parsing._pool is not None) == workers
            shape = [[[Path(s.source).name for s in group] for group in batch]
                     for batch in parsing.batches(seconds)]
        assert shape == [[group] for group in names]


@pytest.mark.slow
def test_a_killed_add_keeps_every_file_it_reported(db, backend, tmp_path):
    """SIGKILL after the first files were reported: each of them is stored whole, and
    the database is sound."""
    folder = tmp_path / "many"
    _generator().write_corpus(folder, 8000, seed=5)
    files = sorted(folder.glob("part-*/*.yaml"))
    process = subprocess.Popen([str(CLAIMSDB), "--db", db, "add", *map(str, files)],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    reported: dict[str, int] = {}
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if found := ADDED_LINE.search(line):
                reported[found.group(1)] = int(found.group(2))
            if len(reported) >= 10:
                break
        still_running = process.poll() is None
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait()
    assert len(reported) >= 10
    assert still_running, "the add finished before it could be killed: use more files"
    time.sleep(0.2)
    if backend == "sqlite":
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    engine = make_engine(db, create=False)
    try:
        assert check_database(engine).ok
        with engine.connect() as conn:
            stored: dict[str, int] = {}
            for key, in conn.execute(select(Article.key)):
                stored[key] = 0
            for key, in conn.execute(select(Article.key).join(Statement)):
                stored[key] += 1
    finally:
        engine.dispose()
    assert {key: stored.get(key) for key in reported} == reported
    assert len(stored) < len(files)
