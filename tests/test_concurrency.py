"""Several claimsdb processes on one database at once, as a newsroom team works.

Every test here runs real operating-system processes (not threads sharing a session),
each with its own engine and connections, on both backends. Two long-lived worker
processes per test keep the rounds cheap: each round hands both workers a command,
waits until both are ready, then releases them together through a start gate, so the
two imports really overlap (the tests check that they did). Each round uses its own
article and actor keys on the same database and asserts exact row counts.
"""

from __future__ import annotations

import json
import os
import re
import selectors
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine, func, insert, select, text

from claimsdb.errors import DatabaseError
from claimsdb.ingest.importer import import_files
from claimsdb.store.models import Actor, ActorAlias, ActorRole, Article, Statement
from helpers import dump

ROUNDS = 10
# Generous: the machine running the suite may be busy. A reader that were blocked by
# the open import would wait the whole busy timeout (SQLite) or forever (PostgreSQL).
READER_BUSY_TIMEOUT_MS = 20_000
READER_MAX_SECONDS = 10.0

WORKER = r'''
"""A claimsdb process driven by JSON lines on stdin; replies with JSON lines on stdout."""
import contextlib, json, os, sys, time

from click.testing import CliRunner

from claimsdb.format.articles import read_article
from claimsdb.cli import main
from claimsdb.store.db import make_engine, write_transaction
from claimsdb.ingest.importer import import_article


def reply(**data):
    sys.stdout.write(json.dumps(data) + "\n")
    sys.stdout.flush()


def wait_for(op):
    command = json.loads(sys.stdin.readline())
    assert command["op"] == op, command
    return command


class Release(Exception):
    pass


held = None
base_environment = dict(os.environ)
for line in sys.stdin:
    command = json.loads(line)
    os.environ.clear()
    os.environ.update(base_environment, **command.get("env", {}))  # per command
    if command["op"] == "cli":
        runner = CliRunner()
        reply(ready=True)
        wait_for("go")
        start = time.monotonic()
        result = runner.invoke(main, command["args"])
        end = time.monotonic()
        crash = result.exception if not isinstance(result.exception, SystemExit) else None
        reply(code=result.exit_code, stdout=result.stdout, stderr=result.stderr,
              start=start, end=end, crash=repr(crash) if crash else None)
    elif command["op"] == "hold":
        # Import an article inside a write transaction and keep that transaction open.
        engine = make_engine(command["db"])
        spec = read_article(command["path"])
        held = contextlib.ExitStack()
        conn = held.enter_context(write_transaction(engine))
        if command.get("bulk"):
            from claimsdb.ingest.bulk import import_new_articles
            import_new_articles(conn, [spec])
        else:
            import_article(conn, spec, replace=command.get("replace", False))
        reply(holding=True)
    elif command["op"] == "release":
        if command["commit"]:
            held.close()
        else:
            with contextlib.suppress(Release):
                held.__exit__(Release, Release(), None)
        held = None
        engine.dispose()
        reply(released=True)
'''

BASE = """\
format: claimsdb/article@1
article:
  key: agency-briefing
  title: "Агентство: брифинг «в полдень»"
  outlet: wire
  text: |
    The agency said on Monday that the briefing would start “at noon” — not earlier.
actors:
  - {key: wire, name: Wire Service, kind: outlet}
  - {key: agency, name: The Agency, kind: organization}
  - {key: ministry, name: Ministry of Information, kind: government}
statements:
  - key: briefing-at-noon
    quote: the briefing would start “at noon”
    chain: [{actor: agency, cue: said}]
"""


def round_article(side: str, i: int, *, title: str | None = None) -> str:
    """An article of round ``i`` that defines the round's NEW actors ``envoy-i`` and
    ``office-i`` (each side in the opposite order, which would deadlock two importers
    that lock rows in file order) and gives the STORED actor ``agency`` a new alias and
    role: everything two concurrent imports could duplicate."""
    envoy = f"""\
  - key: envoy-{i}
    name: Envoy {i}
    kind: person
    aliases: ["{side.title()} envoy {i}"]
    roles: [{{of: office-{i}, title: special envoy}}]
"""
    office = f"  - {{key: office-{i}, name: Office {i}, kind: organization}}\n"
    agency = f"""\
  - key: agency
    name: The Agency
    kind: organization
    aliases: [Agency round {i}]
    roles: [{{of: ministry, title: agency of round {i}}}]
"""
    actors = envoy + office + agency if side == "left" else agency + office + envoy
    return f"""\
format: claimsdb/article@1
article:
  key: {side}-{i}
  title: {title or f"Envoy {i} speaks ({side})"}
  outlet: wire
  text: |
    The envoy told reporters that talks would resume — «soon», according to the agency.
    Переговоры возобновятся, said a diplomat.
actors:
{actors}statements:
  - key: talks-resume
    quote: talks would resume — «soon»
    chain:
      - {{actor: agency, cue: according to}}
      - {{actor: envoy-{i}, cue: told reporters}}
  - key: russian
    quote: Переговоры возобновятся
"""


class Worker:
    """One claimsdb process that runs commands when told to."""

    def __init__(self, script: Path, cwd: Path):
        # Unbuffered bytes: a reply read ahead into a buffer would hide from select().
        self.process = subprocess.Popen(
            [sys.executable, str(script)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            bufsize=0, cwd=cwd, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )

    def send(self, **command) -> None:
        self.process.stdin.write(json.dumps(command).encode() + b"\n")

    def receive(self, timeout: float = 120) -> dict:
        """The worker's next reply; a worker stuck (say, waiting for a lock forever)
        fails the test instead of hanging it."""
        if not self.ready(timeout):
            self.process.kill()
            raise AssertionError(f"no reply from the worker within {timeout} s")
        line = self.process.stdout.readline()
        assert line, f"worker died (exit code {self.process.poll()})"
        return json.loads(line.decode())

    def ready(self, timeout: float = 0) -> bool:
        """Whether a reply is waiting to be read."""
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            return bool(selector.select(timeout=timeout))

    def close(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def workers(db: str, tmp_path: Path):
    """Start claimsdb worker processes on demand; all are stopped at the end of the test
    (before the test's database is dropped)."""
    script = tmp_path / "worker.py"
    script.write_text(WORKER, encoding="utf-8")
    started: list[Worker] = []

    def start(count: int) -> list[Worker]:
        new = [Worker(script, tmp_path) for _ in range(count)]
        started.extend(new)
        return new

    yield start
    for worker in started:
        worker.close()


def race(workers: list[Worker], commands: list[list[str]], env: dict | None = None
         ) -> list[dict]:
    """Run one CLI command per worker, all released at the same moment."""
    for worker, args in zip(workers, commands, strict=True):
        worker.send(op="cli", args=args, env=env or {})
    for worker in workers:
        assert worker.receive() == {"ready": True}
    for worker in workers:
        worker.send(op="go")
    results = [worker.receive() for worker in workers]
    for result in results:
        assert result["crash"] is None, result
    return results


def overlapped(results: list[dict]) -> bool:
    first, second = results
    return first["start"] < second["end"] and second["start"] < first["end"]


def count(engine: Engine, statement) -> int:
    with engine.connect() as conn:
        return conn.execute(statement).scalar_one()


def actor_count(engine: Engine, key: str) -> int:
    return count(engine, select(func.count()).select_from(Actor).where(Actor.key == key))


def role_count(engine: Engine, key: str, title: str) -> int:
    return count(engine, select(func.count()).select_from(ActorRole)
                 .join(Actor, Actor.id == ActorRole.actor_id)
                 .where(Actor.key == key, ActorRole.title == title))


def article_count(engine: Engine, key: str) -> int:
    return count(engine, select(func.count()).select_from(Article).where(Article.key == key))


def statement_count(engine: Engine, article_key: str) -> int:
    return count(engine, select(func.count()).select_from(Statement)
                 .join(Article, Article.id == Statement.article_id)
                 .where(Article.key == article_key))


@pytest.fixture
def base(engine: Engine, write_article) -> Engine:
    import_files(engine, [write_article(BASE, name="base.yaml")])
    return engine


# -- two processes, different articles, the same new actor --------------------------------

def test_different_articles_defining_the_same_new_actor_both_import_once_each(
        db, base, workers, write_article):
    engine = base
    pair = workers(2)
    overlaps = 0
    for i in range(ROUNDS):
        left = write_article(round_article("left", i), name=f"left-{i}.yaml")
        right = write_article(round_article("right", i), name=f"right-{i}.yaml")
        results = race(pair, [["--db", db, "add", str(left)], ["--db", db, "add", str(right)]])
        overlaps += overlapped(results)
        for result, side in zip(results, ("left", "right"), strict=True):
            assert result["code"] == 0, result["stderr"]
            assert f"added article '{side}-{i}' (2 statements)" in result["stdout"]

        assert actor_count(engine, f"envoy-{i}") == 1
        assert actor_count(engine, f"office-{i}") == 1
        assert role_count(engine, f"envoy-{i}", "special envoy") == 1
        assert role_count(engine, "agency", f"agency of round {i}") == 1
        # Each new actor is reported as new by exactly one of the two processes.
        reported = [r["stdout"] for r in results]
        assert sorted(_new_actors(out) for out in reported) in ([0, 2], [1, 1]), reported
        with engine.connect() as conn:
            aliases = conn.execute(
                select(ActorAlias.alias).join(Actor, Actor.id == ActorAlias.actor_id)
                .where(Actor.key.in_([f"envoy-{i}", "agency"]))
                .where(ActorAlias.alias.like(f"% {i}"))
            ).scalars().all()
        assert sorted(aliases) == [f"Agency round {i}", f"Left envoy {i}", f"Right envoy {i}"]
        for side in ("left", "right"):
            assert article_count(engine, f"{side}-{i}") == 1
            assert statement_count(engine, f"{side}-{i}") == 2

    assert actor_count(engine, "agency") == 1
    assert count(engine, select(func.count()).select_from(Actor)) == 3 + 2 * ROUNDS
    assert overlaps >= ROUNDS // 2, f"the imports overlapped in only {overlaps} rounds"



def stored_actor_article(side: str, i: int) -> str:
    """An article that defines no new actor but gives the STORED actor ``agency`` a new
    role. Nothing else makes two such imports wait for each other (a shared new actor
    or alias would: the second insert waits on the unique key until the first commits)."""
    return f"""\
format: claimsdb/article@1
article:
  key: {side}-role-{i}
  title: Agency update {i} ({side})
  outlet: wire
  text: |
    The agency said its mandate — “round {i}” — was renewed by the ministry.
actors:
  - key: agency
    name: The Agency
    kind: organization
    roles: [{{of: ministry, title: agency of round {i}}}]
statements:
  - key: mandate-renewed
    quote: its mandate — “round {i}” — was renewed
    chain: [{{actor: agency, cue: said}}]
"""


def test_two_imports_adding_the_same_role_to_a_stored_actor_add_it_once(
        db, base, workers, write_article):
    engine = base
    pair = workers(2)
    overlaps = 0
    for i in range(ROUNDS):
        left = write_article(stored_actor_article("left", i), name=f"left-{i}.yaml")
        right = write_article(stored_actor_article("right", i), name=f"right-{i}.yaml")
        results = race(pair, [["--db", db, "add", str(left)], ["--db", db, "add", str(right)]])
        overlaps += overlapped(results)
        assert [r["code"] for r in results] == [0, 0], [r["stderr"] for r in results]
        assert role_count(engine, "agency", f"agency of round {i}") == 1
        for side in ("left", "right"):
            assert article_count(engine, f"{side}-role-{i}") == 1
    assert count(engine, select(func.count()).select_from(ActorRole)) == ROUNDS
    assert overlaps >= ROUNDS // 2, f"the imports overlapped in only {overlaps} rounds"

def _new_actors(output: str) -> int:
    if "new actor" not in output:
        return 0
    return int(output.split("; ", 1)[1].split(" new actor", 1)[0])


# -- two processes, the same article key --------------------------------------------------

def test_the_same_article_imported_by_two_processes_is_stored_once(
        db, base, workers, write_article):
    engine = base
    pair = workers(2)
    overlaps = 0
    for i in range(ROUNDS):
        path = write_article(round_article("left", i), name=f"same-{i}.yaml")
        args = ["--db", db, "add", str(path)]
        results = race(pair, [args, args])
        overlaps += overlapped(results)
        assert [r["code"] for r in results] == [0, 0], [r["stderr"] for r in results]
        lines = sorted(r["stdout"].strip() for r in results)
        assert lines[0].endswith(
            f"added article 'left-{i}' (2 statements); 2 new actors, 1 actor updated")
        assert lines[1].endswith(f"unchanged article 'left-{i}' (already stored)")
        assert article_count(engine, f"left-{i}") == 1
        assert statement_count(engine, f"left-{i}") == 2
        assert actor_count(engine, f"envoy-{i}") == 1
        assert role_count(engine, f"envoy-{i}", "special envoy") == 1
    assert overlaps >= ROUNDS // 2, f"the imports overlapped in only {overlaps} rounds"


def test_two_versions_of_one_article_key_one_wins_the_other_is_refused(
        db, base, workers, write_article):
    engine = base
    pair = workers(2)
    for i in range(ROUNDS):
        first = write_article(round_article("left", i, title="First version"),
                              name=f"first-{i}.yaml")
        second = write_article(round_article("left", i, title="Second version"),
                               name=f"second-{i}.yaml")
        results = race(pair, [["--db", db, "add", str(first)], ["--db", db, "add", str(second)]])
        codes = sorted(r["code"] for r in results)
        assert codes == [0, 1], [r["stderr"] for r in results]
        winner = next(r for r in results if r["code"] == 0)
        loser = next(r for r in results if r["code"] == 1)
        assert f"added article 'left-{i}'" in winner["stdout"]
        assert (f"article 'left-{i}' is already stored with different content; "
                "nothing was imported") in loser["stderr"]
        assert "Traceback" not in loser["stderr"]
        assert article_count(engine, f"left-{i}") == 1
        assert statement_count(engine, f"left-{i}") == 2
        with engine.connect() as conn:
            title = conn.execute(select(Article.title).where(Article.key == f"left-{i}")).scalar()
        expected = "First version" if winner is results[0] else "Second version"
        assert title == expected



def test_two_claimsdb_commands_started_together_store_an_article_once(
        db, base, write_article):
    """The same race through the installed entry point, two whole ``claimsdb add``
    processes at a time (less tightly overlapped than the workers, so fewer rounds)."""
    engine = base
    exe = str(Path(sys.executable).with_name("claimsdb"))
    for i in range(3):
        path = write_article(round_article("right", 100 + i), name=f"both-{i}.yaml")
        processes = [subprocess.Popen([exe, "--db", db, "add", str(path)], text=True,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                     for _ in range(2)]
        outputs = [(*p.communicate(timeout=120), p.returncode) for p in processes]
        assert [code for _, _, code in outputs] == [0, 0], outputs
        lines = sorted(out.strip().split(": ", 1)[1] for out, _, _ in outputs)
        assert lines == [
            f"added article 'right-{100 + i}' (2 statements); 2 new actors, 1 actor updated",
            f"unchanged article 'right-{100 + i}' (already stored)",
        ]
        assert article_count(engine, f"right-{100 + i}") == 1
        assert statement_count(engine, f"right-{100 + i}") == 2

def _corpus_twice(folder: Path) -> tuple[Path, Path]:
    """The benchmark's synthetic corpus (75 files, actors defined in every file), and
    a copy under other article keys and URLs: two archives naming the same actors."""
    import importlib.util

    repo = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("bench_generate", repo / "bench" / "generate.py")
    generate = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = generate
    spec.loader.exec_module(generate)
    first = folder / "first"
    generate.write_corpus(first, 1500, seed=5)
    (first / "manifest.json").unlink()
    second = folder / "second"
    for path in first.glob("part-*/*.yaml"):
        text = re.sub(r"\ba(\d{7}-)", r"b\1", path.read_text(encoding="utf-8"))
        text = re.sub(r"(url: \S+)", r"\1-second", text)
        copy = second / path.parent.name / ("b" + path.name[1:])
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text(text, encoding="utf-8")
    return first, second


def test_two_batch_imports_of_archives_sharing_their_actors_both_succeed(db, engine, tmp_path):
    """Two ``add --batch`` processes at once (parsing workers, each batch written group
    by group as its files are parsed), on new actors that both archives define: both
    succeed and every actor is stored once."""
    first, second = _corpus_twice(tmp_path)
    exe = str(Path(sys.executable).with_name("claimsdb"))
    processes = [subprocess.Popen([exe, "--db", db, "add", "--batch", "20", "-q",
                                   *map(str, sorted(folder.glob("part-*")))],
                                  text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for folder in (first, second)]
    outputs = [(*p.communicate(timeout=300), p.returncode) for p in processes]
    assert [code for _, _, code in outputs] == [0, 0], outputs
    files = len(list(first.glob("part-*/*.yaml")))
    assert files >= 64  # enough for the parsing workers to start
    with engine.connect() as conn:
        articles = conn.execute(select(func.count()).select_from(Article)).scalar_one()
        statements = conn.execute(select(func.count()).select_from(Statement)).scalar_one()
        actors = conn.execute(select(Actor.key)).scalars().all()
        aliases = conn.execute(select(ActorAlias.actor_id, ActorAlias.alias)).all()
        roles = conn.execute(select(ActorRole.actor_id, ActorRole.of_actor_id,
                                    ActorRole.title)).all()
    assert articles == 2 * files and statements == 2 * 1500
    assert len(actors) == len(set(actors))
    assert len(aliases) == len(set(aliases)) and len(roles) == len(set(roles))
    defined = {actor["key"] for path in first.glob("part-*/*.yaml")
               for actor in yaml.safe_load(path.read_text(encoding="utf-8"))["actors"]}
    assert set(actors) == defined


def test_two_seeds_on_a_brand_new_database_both_succeed(empty_db, tmp_path, backend):
    """Both processes find the database empty and initialise it: the second waits for
    the first's migration (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock), then
    finds the schema in place and the article stored."""
    from claimsdb.store.db import make_engine

    exe = str(Path(sys.executable).with_name("claimsdb"))
    rounds = 6 if backend == "sqlite" else 2
    for i in range(rounds):
        target = str(tmp_path / f"new-{i}.db") if backend == "sqlite" else empty_db
        if backend == "postgresql" and i:
            break  # one empty server database per test
        processes = [subprocess.Popen([exe, "--db", target, "seed"], text=True,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                     for _ in range(2)]
        outputs = [(*p.communicate(timeout=120), p.returncode) for p in processes]
        assert [code for _, _, code in outputs] == [0, 0], outputs
        announced = [err for _, err, _ in outputs if "initialised a new claimsdb" in err]
        assert len(announced) == 1, outputs  # the other found the schema in place
        engine = make_engine(target)
        assert article_count(engine, "putin-stance-stalls-talks") == 1
        assert statement_count(engine, "putin-stance-stalls-talks") == 36
        engine.dispose()


# -- readers and an open import ------------------------------------------------------------

def test_readers_are_not_blocked_by_an_open_import(db, base, workers, write_article, backend):
    engine = base
    holder, reader = workers(2)
    if backend == "sqlite":
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    env = {"CLAIMSDB_BUSY_TIMEOUT": str(READER_BUSY_TIMEOUT_MS)}
    for i in range(3):
        path = write_article(round_article("left", i), name=f"held-{i}.yaml")
        holder.send(op="hold", db=db, path=str(path))
        assert holder.receive() == {"holding": True}

        # The import holds its write transaction (and SQLite's write lock) open.
        for args in (["export", "csv"], ["chain", "agency-briefing#briefing-at-noon"]):
            (result,) = race([reader], [["--db", db, *args]], env=env)
            assert result["code"] == 0, result["stderr"]
            assert result["end"] - result["start"] < READER_MAX_SECONDS
            assert f"left-{i}" not in result["stdout"]  # uncommitted: not visible
            assert "briefing would start" in result["stdout"]

        holder.send(op="release", commit=True)
        assert holder.receive() == {"released": True}
        (after,) = race([reader], [["--db", db, "export", "csv"]], env=env)
        assert f"left-{i},talks-resume" in after["stdout"]
    assert article_count(engine, "left-2") == 1


# -- SQLite: a writer that waits too long --------------------------------------------------

@pytest.mark.parametrize("backend", ["sqlite"])
def test_sqlite_locked_beyond_the_busy_timeout_says_so_and_changes_nothing(
        db, base, workers, write_article):
    engine = base
    holder, adder = workers(2)
    held = write_article(round_article("left", 1), name="held.yaml")
    waiting = write_article(round_article("right", 2), name="waiting.yaml")
    before = dump(engine)

    holder.send(op="hold", db=db, path=str(held))
    assert holder.receive() == {"holding": True}
    (result,) = race([adder], [["--db", db, "add", str(waiting)]],
                     env={"CLAIMSDB_BUSY_TIMEOUT": "300"})
    assert result["code"] == 1
    assert "is locked by another process and stayed locked for 0.3 s; nothing was changed" \
        in result["stderr"]
    assert "CLAIMSDB_BUSY_TIMEOUT" in result["stderr"]
    assert "Traceback" not in result["stderr"]
    assert result["end"] - result["start"] >= 0.3  # it did wait
    holder.send(op="release", commit=False)
    assert holder.receive() == {"released": True}
    assert dump(engine) == before


@pytest.mark.parametrize("backend", ["sqlite"])
def test_sqlite_writer_waits_within_the_busy_timeout_then_succeeds(
        db, base, workers, write_article):
    engine = base
    holder, adder = workers(2)
    held = write_article(round_article("left", 1), name="held.yaml")
    waiting = write_article(round_article("right", 2), name="waiting.yaml")

    holder.send(op="hold", db=db, path=str(held))
    assert holder.receive() == {"holding": True}
    adder.send(op="cli", args=["--db", db, "add", str(waiting)],
               env={"CLAIMSDB_BUSY_TIMEOUT": "30000"})
    assert adder.receive() == {"ready": True}
    adder.send(op="go")
    time.sleep(0.5)  # the adder is now waiting for the lock
    holder.send(op="release", commit=True)
    released_at = time.monotonic()
    assert holder.receive() == {"released": True}
    result = adder.receive()
    assert result["code"] == 0, result["stderr"]
    assert "added article 'right-2'" in result["stdout"]
    assert result["end"] >= released_at - 0.05  # it finished only after the lock was free
    assert article_count(engine, "left-1") == 1
    assert article_count(engine, "right-2") == 1
    assert actor_count(engine, "envoy-1") == 1



def _locked_new_file(path: Path) -> sqlite3.Connection:
    """A new SQLite file (rollback journal, as every new file starts) that another
    connection is about to write, as a second process creating it is for a moment while
    it switches the file to WAL. Against that reserved lock SQLite fails the switch at
    once, without calling the busy handler."""
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")
    return holder


def test_sqlite_switching_a_new_file_to_wal_waits_for_a_lock_like_any_write(tmp_path):
    """SQLite answers ``PRAGMA journal_mode = WAL`` on a locked file with "database is
    locked" at once, without the busy handler: two commands creating one new database
    failed on it now and then. The switch now waits within the busy timeout."""
    from claimsdb.store.db import make_engine

    path = tmp_path / "new.db"
    holder = _locked_new_file(path)
    threading.Timer(0.4, lambda: holder.execute("COMMIT")).start()
    started = time.monotonic()
    engine = make_engine(str(path))
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert time.monotonic() - started >= 0.3  # it waited for the lock
    engine.dispose()
    holder.close()


def test_sqlite_a_new_file_locked_beyond_the_busy_timeout_says_so(tmp_path, monkeypatch):
    from claimsdb.store.db import make_engine, read_connection

    monkeypatch.setenv("CLAIMSDB_BUSY_TIMEOUT", "200")
    path = tmp_path / "new.db"
    holder = _locked_new_file(path)
    engine = make_engine(str(path))
    started = time.monotonic()
    with pytest.raises(DatabaseError, match="locked by another process and stayed locked "
                       r"for 0\.2 s"), read_connection(engine):
        pass
    assert time.monotonic() - started >= 0.2
    engine.dispose()
    holder.execute("ROLLBACK")
    holder.close()



# -- PostgreSQL: a deadlock the server breaks ----------------------------------------------

DEADLOCK_BAIT = """\
format: claimsdb/article@1
article:
  key: deadlock-bait
  title: Two new actors
  outlet: wire
  text: |
    Alpha said it agreed; Zulu said it refused.
actors:
  - {key: aa-alpha, name: Alpha, kind: person}
  - {key: zz-zulu, name: Zulu, kind: person}
statements:
  - {key: agreed, quote: it agreed, chain: [{actor: aa-alpha, cue: said}]}
  - {key: refused, quote: it refused, chain: [{actor: zz-zulu, cue: said}]}
"""


@pytest.mark.parametrize("backend", ["postgresql"])
def test_an_import_the_server_rolls_back_to_break_a_deadlock_is_retried(
        db, base, workers, write_article):
    """Another session inserts 'zz-zulu' and holds it; the import inserts 'aa-alpha' and
    waits for 'zz-zulu'; the other session then inserts 'aa-alpha': a deadlock. The
    import's session detects it first (shorter deadlock_timeout) and is rolled back;
    claimsdb runs the import again, which succeeds once the other session commits."""
    engine = base
    (worker,) = workers(1)
    path = write_article(DEADLOCK_BAIT, name="bait.yaml")
    actor = {"name": "Zulu", "kind": "person", "identified": "named"}
    with engine.connect() as other:
        other.execute(text("SET deadlock_timeout = '30s'"))
        other.execute(insert(Actor), {"key": "zz-zulu", **actor})
        worker.send(op="cli", args=["--db", db, "add", str(path)],
                    env={"PGOPTIONS": "-c deadlock_timeout=1s"})
        assert worker.receive() == {"ready": True}
        worker.send(op="go")
        _wait_until_a_session_waits_for_a_lock(engine, worker)
        # Blocks until the server rolls the import's first attempt back.
        other.execute(insert(Actor), {"key": "aa-alpha", **actor, "name": "Alpha"})
        other.commit()
    result = worker.receive()
    assert result["code"] == 0, result["stderr"]
    assert "added article 'deadlock-bait' (2 statements)" in result["stdout"]
    assert "new actor" not in result["stdout"]  # the retry found both actors stored
    assert article_count(engine, "deadlock-bait") == 1
    assert actor_count(engine, "aa-alpha") == actor_count(engine, "zz-zulu") == 1


def _wait_until_a_session_waits_for_a_lock(engine: Engine, worker: Worker) -> None:
    deadline = time.monotonic() + 30
    with engine.connect() as conn:
        while time.monotonic() < deadline:
            if worker.ready():
                raise AssertionError(f"the import finished without waiting: {worker.receive()}")
            waiting = conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )).scalar()
            conn.rollback()
            if waiting:
                return
            time.sleep(0.02)
    raise AssertionError("the import never waited for the other session's row")


@pytest.mark.parametrize("backend", ["sqlite"])
def test_sqlite_a_reader_that_writes_after_another_commit_is_told_to_run_again(db, base):
    """A transaction that began as a reader cannot write once another connection has
    committed (its snapshot is out of date); waiting would not help, so the message
    must not say it waited."""
    from claimsdb.store.db import translate_errors, write_transaction

    engine = base
    actor = {"kind": "person", "identified": "named"}

    def read_then_write():
        with translate_errors(engine), engine.connect() as reader, reader.begin():
            reader.execute(select(func.count()).select_from(Actor)).scalar()
            with write_transaction(engine) as writer:
                writer.execute(insert(Actor), {"key": "first", "name": "First", **actor})
            reader.execute(insert(Actor), {"key": "second", "name": "Second", **actor})

    with pytest.raises(DatabaseError) as caught:
        read_then_write()
    assert str(caught.value) == (
        f"{db} was changed by another process while this command was reading it; "
        "nothing was changed. Run the command again.")
    assert actor_count(engine, "first") == 1
    assert actor_count(engine, "second") == 0


# -- Issue 11 item 3: replacing an article while another adds relations to it -------------
#
# Each race is made deterministic rather than hoped for: one side is held inside its open
# write transaction by a worker process (the "hold" op), the other side runs as a real
# 'claimsdb' command in a second worker; the test waits until that command is blocked on
# the database (PostgreSQL: a session waiting for a lock in pg_stat_activity; SQLite: the
# command has not finished half a second later, and finishes only after the release),
# then commits the held side.

DENIER = """\
format: claimsdb/article@1
article:
  key: denier
  title: The ministry denies the noon briefing
  outlet: wire
  text: |
    The ministry said there was no briefing planned at all.
actors:
  - {key: wire, name: Wire Service, kind: outlet}
  - {key: ministry, name: Ministry of Information, kind: government}
statements:
  - key: no-briefing
    quote: there was no briefing planned at all
    chain: [{actor: ministry, cue: said}]
    denies: [agency-briefing#briefing-at-noon]
"""


def new_base(*, keep_statement: bool = True) -> str:
    """A new version of BASE (other title and text); without ``keep_statement`` it drops
    the statement DENIER denies."""
    version = BASE.replace("брифинг «в полдень»", "briefing moved").replace(
        "on Monday", "on Tuesday")
    if not keep_statement:
        version = version.replace("key: briefing-at-noon", "key: briefing-moved")
    return version


def denials_of_base(engine: Engine) -> list[tuple[str, str]]:
    """(denier ref, denied ref) of every relation into agency-briefing."""
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(
            "SELECT sa.key || '#' || s.key, ta.key || '#' || t.key FROM relations r "
            "JOIN statements s ON s.id = r.source_id JOIN articles sa ON sa.id = s.article_id "
            "JOIN statements t ON t.id = r.target_id JOIN articles ta ON ta.id = t.article_id "
            "WHERE ta.key = 'agency-briefing' AND sa.key <> 'agency-briefing'"))]


def _wait_until_blocked(engine: Engine, worker: Worker, backend: str) -> None:
    """Until the worker's command waits for the held transaction (see above)."""
    if backend == "postgresql":
        _wait_until_a_session_waits_for_a_lock(engine, worker)
    else:
        time.sleep(0.5)
        assert not worker.ready(), "the command finished without waiting for the lock"


def _check_is_clean(db: str) -> None:
    from click.testing import CliRunner

    from claimsdb.cli import main

    result = CliRunner().invoke(main, ["--db", db, "check"])
    assert result.exit_code == 0, result.output
    assert "no problems found" in result.output


@pytest.mark.parametrize("mode", ["article", "bulk"])
def test_item3_relation_added_while_its_target_is_replaced_is_kept(
        db, base, workers, write_article, backend, mode):
    """Issue 11 item 3: 'add denier.yaml' is inside its transaction (its denial of
    agency-briefing#briefing-at-noon written, not committed) when 'add --replace' of
    agency-briefing starts. Before the fix the replace read the relations into the
    article without the uncommitted denial, then deleted the old statements (waiting
    for the denier), and the cascade silently removed the denial once the denier
    committed; both exited 0 and 'check' blamed the denier. Now the replace waits for
    the denier, then keeps its denial (file by file and on the bulk path)."""
    engine = base
    holder, replacer = workers(2)
    denier = write_article(DENIER, name="denier.yaml")
    replacement = write_article(new_base(), name="base-v2.yaml")

    holder.send(op="hold", db=db, path=str(denier), bulk=mode == "bulk")
    assert holder.receive() == {"holding": True}
    replacer.send(op="cli", args=["--db", db, "add", "--replace", str(replacement)],
                  env={"CLAIMSDB_BUSY_TIMEOUT": "30000"})
    assert replacer.receive() == {"ready": True}
    replacer.send(op="go")
    _wait_until_blocked(engine, replacer, backend)
    holder.send(op="release", commit=True)
    released_at = time.monotonic()
    assert holder.receive() == {"released": True}
    result = replacer.receive()

    assert result["crash"] is None, result
    assert result["code"] == 0, result["stderr"]
    assert "replaced article 'agency-briefing'" in result["stdout"]
    assert result["end"] >= released_at - 0.05  # it waited for the denier
    assert denials_of_base(engine) == [("denier#no-briefing", "agency-briefing#briefing-at-noon")]
    assert "Tuesday" in count_title(engine)
    _check_is_clean(db)


def count_title(engine: Engine) -> str:
    with engine.connect() as conn:
        return conn.execute(select(Article.text).where(Article.key == "agency-briefing")
                            ).scalar_one()


@pytest.mark.parametrize("batch", ["1", "2"])
def test_item3_relation_added_while_its_target_is_being_replaced_waits_for_it(
        db, base, workers, write_article, backend, batch):
    """Issue 11 items 3 and 10: 'add --replace' of agency-briefing is inside its
    transaction (old statements deleted, new ones written) when 'add denier.yaml'
    starts. Before the fix the denier resolved the old statement's id, waited on its
    deleted row and died with a ForeignKeyViolation traceback once the replace
    committed. Now it waits for the replace, then links to the new statement (file by
    file and with --batch)."""
    engine = base
    holder, adder = workers(2)
    denier = write_article(DENIER, name="denier.yaml")
    replacement = write_article(new_base(), name="base-v2.yaml")

    holder.send(op="hold", db=db, path=str(replacement), replace=True)
    assert holder.receive() == {"holding": True}
    adder.send(op="cli", args=["--db", db, "add", "--batch", batch, str(denier)],
               env={"CLAIMSDB_BUSY_TIMEOUT": "30000"})
    assert adder.receive() == {"ready": True}
    adder.send(op="go")
    _wait_until_blocked(engine, adder, backend)
    holder.send(op="release", commit=True)
    assert holder.receive() == {"released": True}
    result = adder.receive()

    assert result["crash"] is None, result
    assert result["code"] == 0, result["stderr"]
    assert "added article 'denier'" in result["stdout"]
    assert denials_of_base(engine) == [("denier#no-briefing", "agency-briefing#briefing-at-noon")]
    assert "Tuesday" in count_title(engine)
    _check_is_clean(db)


def test_item3_relation_to_a_statement_the_concurrent_replace_drops_is_refused_clearly(
        db, base, workers, write_article, backend):
    """Issue 11 items 3 and 10: the same race, but the new version no longer has the
    denied statement: the denier is refused with a one-line reason (no traceback), and
    nothing of it is stored."""
    engine = base
    holder, adder = workers(2)
    denier = write_article(DENIER, name="denier.yaml")
    replacement = write_article(new_base(keep_statement=False), name="base-v2.yaml")

    holder.send(op="hold", db=db, path=str(replacement), replace=True)
    assert holder.receive() == {"holding": True}
    adder.send(op="cli", args=["--db", db, "add", str(denier)],
               env={"CLAIMSDB_BUSY_TIMEOUT": "30000"})
    assert adder.receive() == {"ready": True}
    adder.send(op="go")
    _wait_until_blocked(engine, adder, backend)
    holder.send(op="release", commit=True)
    assert holder.receive() == {"released": True}
    result = adder.receive()

    assert result["crash"] is None, result
    assert result["code"] == 1
    assert "article 'agency-briefing' has no statement 'briefing-at-noon'" in result["stderr"]
    assert "nothing was imported" in result["stderr"]
    assert "Traceback" not in result["stderr"]
    assert article_count(engine, "denier") == 0
    _check_is_clean(db)


URL_TWIN = """\
format: claimsdb/article@1
article:
  key: {key}
  title: One story, filed twice
  url: https://news.example/one-story
  outlet: wire
  text: |
    The agency said the story was filed twice.
actors:
  - {{key: wire, name: Wire Service, kind: outlet}}
  - {{key: agency, name: The Agency, kind: organization}}
statements:
  - key: filed-twice
    quote: the story was filed twice
    chain: [{{actor: agency, cue: said}}]
"""


def test_item10_a_constraint_a_concurrent_import_breaks_is_retried_then_explained(
        db, base, workers, write_article, backend):
    """Issue 11 item 10: two articles with the same URL imported at once. The second
    checked the URL before the first committed, then hit the unique index: a raw
    IntegrityError traceback. Now the transaction is run again, and the usual check
    explains the problem in one line; the database keeps only the first."""
    engine = base
    holder, adder = workers(2)
    first = write_article(URL_TWIN.format(key="story-first"), name="first.yaml")
    second = write_article(URL_TWIN.format(key="story-second"), name="second.yaml")

    holder.send(op="hold", db=db, path=str(first))
    assert holder.receive() == {"holding": True}
    adder.send(op="cli", args=["--db", db, "add", str(second)],
               env={"CLAIMSDB_BUSY_TIMEOUT": "30000"})
    assert adder.receive() == {"ready": True}
    adder.send(op="go")
    _wait_until_blocked(engine, adder, backend)
    holder.send(op="release", commit=True)
    assert holder.receive() == {"released": True}
    result = adder.receive()

    assert result["crash"] is None, result
    assert result["code"] == 1
    assert ("'https://news.example/one-story' is already the URL of article 'story-first'"
            in result["stderr"])
    assert "Traceback" not in result["stderr"]
    assert article_count(engine, "story-first") == 1
    assert article_count(engine, "story-second") == 0


# -- Issue 11 item 3b: one read, one snapshot ---------------------------------------------

def test_item3b_one_read_sees_one_snapshot_on_sqlalchemy_and_the_driver_cursor(
        base, write_article):
    """Issue 11 item 3b: every query of one read, including those run on the DB-API
    cursor (fetch_on_driver), sees the database as of the read's first query, even when
    another connection commits in between (PostgreSQL ran each in its own READ
    COMMITTED snapshot)."""
    from claimsdb.store.db import fetch_on_driver, read_connection

    engine = base
    statements = select(func.count()).select_from(Statement)
    with read_connection(engine) as conn:
        before = conn.execute(statements).scalar_one()
        import_files(engine, [write_article(round_article("left", 1), name="meanwhile.yaml")])
        (on_driver,) = fetch_on_driver(conn, statements, {})
        assert on_driver[0] == before
        assert conn.execute(statements).scalar_one() == before
    assert count(engine, statements) == before + 2


def test_item3b_a_read_on_postgresql_is_repeatable_read_and_read_only(base):
    """Issue 11 item 3b: what a read transaction is on each backend."""
    from claimsdb.store.db import read_connection

    engine = base
    with read_connection(engine) as conn:
        if conn.dialect.name != "postgresql":
            pytest.skip("SQLite: a read transaction is one snapshot by design (WAL)")
        assert conn.execute(text("SHOW transaction_isolation")).scalar() == "repeatable read"
        assert conn.execute(text("SHOW transaction_read_only")).scalar() == "on"
    with engine.connect() as conn:  # the pooled connection was handed back reset
        assert conn.execute(text("SHOW transaction_isolation")).scalar() == "read committed"
        assert conn.execute(text("SHOW transaction_read_only")).scalar() == "off"


BIG_OLD, BIG_NEW = 1500, 1000


def _big_expectations(statements: int) -> dict[str, tuple[int, int]]:
    """Per statement key of tests/bigarticles.py's article: (chain length, relations)."""
    expected = {}
    for i in range(statements):
        outgoing = (i % 10 == 9) + (i % 10 == 5)
        incoming = (i % 10 == 8 and i + 1 < statements) + (i % 10 == 0 and i + 5 < statements)
        expected[f"s{i}"] = ((2, 1, 0)[i % 3], outgoing + incoming)
    return expected


@pytest.mark.parametrize("command", [["export", "jsonl"], ["export", "json"]])
def test_item3b_an_export_while_the_article_is_replaced_is_whole(
        db, engine, workers, tmp_path, backend, command):
    """Issue 11 item 3b: an export of article A reads A's statements, then their chains
    and relations batch by batch. A replace of A is held open by another process and
    committed (by an event hook of this test) right after the export's statement query
    ran: before the fix PostgreSQL then found no chain and no relation for the old
    statements and the export exited 0 with every chain empty. The export must show one
    version, whole: here the old one, as its snapshot began before the commit."""
    import sqlalchemy
    from click.testing import CliRunner

    from bigarticles import write_big_article
    from claimsdb.cli import main

    old = write_big_article(tmp_path / "old.yaml", statements=BIG_OLD)
    new = write_big_article(tmp_path / "new.yaml", statements=BIG_NEW)
    import_files(engine, [old])
    (holder,) = workers(1)
    holder.send(op="hold", db=db, path=str(new), replace=True)
    assert holder.receive() == {"holding": True}

    committed = []

    def commit_the_replace(_conn, _cursor, statement, *_args):
        if not committed and "statements.span_start" in statement:
            holder.send(op="release", commit=True)
            assert holder.receive() == {"released": True}
            committed.append(True)

    sqlalchemy.event.listen(sqlalchemy.Engine, "after_cursor_execute", commit_the_replace)
    try:
        result = CliRunner().invoke(main, ["--db", db, *command, "--article", "big-article"])
    finally:
        sqlalchemy.event.remove(sqlalchemy.Engine, "after_cursor_execute", commit_the_replace)
    assert committed, "the hook never ran: the test did not interleave the commit"
    assert result.exit_code == 0, result.output
    assert result.exception is None
    if command[1] == "jsonl":
        rows = [json.loads(line) for line in result.stdout.splitlines()]
    else:
        rows = json.loads(result.stdout)
        rows = rows["statements"] if isinstance(rows, dict) else rows
    (title,) = {row["article_title"] for row in rows}
    assert title.startswith(f"{BIG_OLD:,} statements")
    seen = {row["statement"]: (len(row["chain"]), len(row["relations"])) for row in rows}
    assert seen == _big_expectations(BIG_OLD)
    # The replace did commit meanwhile: the next read sees the new version, whole.
    after = CliRunner().invoke(main, ["--db", db, "export", "jsonl", "--article", "big-article"])
    rows = [json.loads(line) for line in after.stdout.splitlines()]
    assert {(row["statement"], len(row["chain"]), len(row["relations"])) for row in rows} == {
        (key, *value) for key, value in _big_expectations(BIG_NEW).items()}


SEED_STATEMENT = "putin-stance-stalls-talks#officials-putin-maximalist-demands"
READ_COMMANDS = [
    ["chain", SEED_STATEMENT], ["trace", SEED_STATEMENT], ["trace", "--format", "json",
                                                             SEED_STATEMENT],
    ["statements"], ["statements", "--search", "talks"], ["actors"], ["actor", "bloomberg"],
    ["denials"], ["articles"], ["article", "putin-stance-stalls-talks"], ["sources"],
    ["claims"], ["loops"], ["export", "csv"], ["export", "csv", "--table", "relations"],
    ["export", "json"], ["export", "jsonl"], ["export", "prov"],
    ["export", "article", "putin-stance-stalls-talks"], ["check"], ["copy", "--to", "COPY"],
]


# The read commands answered on the database driver (claimsdb.store.driver), whose
# transaction is REPEATABLE READ and READ ONLY by construction.
ON_THE_DRIVER = {"chain", "statements", "actor", "denials", "article"}


@pytest.mark.parametrize("backend", ["postgresql"])
@pytest.mark.parametrize("command", READ_COMMANDS, ids=lambda c: " ".join(c))
def test_item3b_every_read_command_reads_in_one_repeatable_read_transaction(
        seeded, tmp_path, command):
    """Issue 11 item 3b: every query a read command sends to the database runs in a
    REPEATABLE READ, READ ONLY transaction (the driver-cursor queries, which fire no
    events, run in the same transactions: see the snapshot test above). 'copy' is
    checked on its source side."""
    import sqlalchemy
    from click.testing import CliRunner

    from claimsdb.cli import main

    database = sqlalchemy.engine.make_url(seeded).database
    seen: list[tuple[str, object, object]] = []

    def record(conn, _cursor, statement, *_args):
        if conn.engine.url.database == database:
            options = conn.get_execution_options()
            seen.append((statement, options.get("isolation_level"),
                         options.get("postgresql_readonly")))

    args = [str(tmp_path / "copy.db") if arg == "COPY" else arg for arg in command]
    sqlalchemy.event.listen(sqlalchemy.Engine, "before_cursor_execute", record)
    try:
        result = CliRunner().invoke(main, ["--db", seeded, *args])
    finally:
        sqlalchemy.event.remove(sqlalchemy.Engine, "before_cursor_execute", record)
    assert result.exit_code == 0, result.output
    if command[0] in ON_THE_DRIVER:
        # On the driver, without SQLAlchemy (no events fire): tests/test_readpath.py
        # checks that its transaction is REPEATABLE READ and READ ONLY.
        assert seen == []
        return
    assert seen
    outside = [statement for statement, level, readonly in seen
               if (level, readonly) != ("REPEATABLE READ", True)]
    assert outside == []
