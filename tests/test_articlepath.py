"""``claimsdb article`` on the database driver, without SQLAlchemy
(claimsdb.query.articlepath).

The driver path must give what the SQLAlchemy queries give (the same ``ArticleDetail``,
the same bytes on the terminal), with and without context sentences, for every stored
article including hostile text; leave an unknown key to the full path (for its
suggestions); and never load SQLAlchemy on its way.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest
from sqlalchemy import text

import claimsdb
from claimsdb.format.seeds import seed_files
from claimsdb.output import render
from claimsdb.query import articlepath, queries, readpath
from claimsdb.store import driver
from claimsdb.store.db import read_connection
from conftest import DATA

CORPUS = [path for folder in ("corpus", "search", "trace")
          for path in sorted((DATA / folder).glob("*.yaml"))]
HOSTILE = DATA / "web" / "hostile-workbench.yaml"
WIDTH = 80


@pytest.fixture
def loaded(db, engine):
    """The seed articles, the test corpora (chains of several hops, relations both
    ways, about-actors, several scripts) and an article of hostile text (markup,
    quotes, right-to-left overrides, zero-width and isolate characters)."""
    from claimsdb.ingest.importer import import_files

    import_files(engine, [*seed_files(), *CORPUS, HOSTILE])
    return db


def _keys(engine) -> list[str]:
    with read_connection(engine) as conn:
        return list(conn.execute(text("SELECT key FROM articles ORDER BY id")).scalars())


def _shown(detail) -> tuple[str, str]:
    return (render.article_text(detail, width=WIDTH),
            json.dumps(render.article_detail_json(detail), ensure_ascii=False, indent=2))


def test_every_article_reads_the_same_on_the_driver(loaded, engine):
    keys = _keys(engine)
    assert "hostile-workbench" in keys and len(keys) > 20
    connection = driver.connect(loaded)
    try:
        for key in keys:
            for context in (True, False):
                with read_connection(engine) as conn:
                    expected = queries.article(conn, key, context=context)
                with connection.reading() as reader:
                    got = articlepath.article(reader, key, context=context)
                assert got == expected, (key, context)
            assert _shown(got) == _shown(expected), key
    finally:
        connection.close()


def test_each_statement_of_an_article_is_the_statement_chain_shows(loaded, engine):
    """Context sentences included: the article cuts each statement's window of text
    in Python, the chain lookup in SQL (``substr``), and they must agree."""
    connection = driver.connect(loaded)
    try:
        with connection.reading() as reader:
            for key in _keys(engine):
                for view in articlepath.article(reader, key).statements:
                    assert view == readpath.statement(reader, view.ref), view.ref
    finally:
        connection.close()


def test_the_driver_path_reads_what_a_full_article_holds(loaded, engine):
    """Not only equal: the views carry what the article page shows (a guard against
    both paths losing the same thing)."""
    connection = driver.connect(loaded)
    try:
        with connection.reading() as reader:
            hostile = articlepath.article(reader, "hostile-workbench")
            seed = articlepath.article(reader, "putin-stance-stalls-talks", context=False)
    finally:
        connection.close()
    assert hostile.summary.title.startswith('"><script>')
    assert "\u202e" in hostile.text
    by_key = {v.key: v for v in hostile.statements}
    assert [r.ref for r in by_key["arabic-denial"].outgoing] == ["hostile-workbench#script-quote"]
    assert by_key["script-quote"].incoming[0].speaker.key == "spokesman"
    assert by_key["under-control"].quote == "всё под контролем\u200b\u2066"
    assert [v.span_start for v in hostile.statements] == sorted(
        v.span_start for v in hostile.statements)
    assert hostile.summary.denied == 1
    assert all(v.context for v in hostile.statements)
    assert seed.summary.statements == len(seed.statements) > 10
    assert not any(v.context for v in seed.statements)


def test_an_unknown_key_is_left_to_the_full_path_for_its_suggestions(loaded, cli):
    connection = driver.connect(loaded)
    try:
        with connection.reading() as reader:
            assert articlepath.article(reader, "putin-stance-stalls-talk") is None
            assert articlepath.article(reader, " putin-stance-stalls-talks") is None
    finally:
        connection.close()
    result = cli("article", "putin-stance-stalls-talk")
    assert result.exit_code == 1
    assert "did you mean" in result.output and "putin-stance-stalls-talks" in result.output


def test_the_python_api_answers_on_the_driver_in_any_thread(loaded, engine):
    key = "hostile-workbench"
    with read_connection(engine) as conn:
        expected = queries.article(conn, key, context=False)
    with claimsdb.open(loaded) as database:
        assert database.article(key, context=False) == expected
        assert database.opened_engine is None  # no SQLAlchemy engine was made
        answers: list = []
        errors: list = []

        def ask() -> None:
            try:
                for _ in range(5):
                    answers.append(database.article(key, context=False))
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)

        workers = [threading.Thread(target=ask) for _ in range(4)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        assert errors == []
        assert answers == [expected] * 20
        # The worker threads handed their connections back for the next ones.
        assert 1 <= len(database._spare_drivers) <= 4
    assert database._driver is None and database._spare_drivers == []


def _run(db: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "80"}
    return subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "claimsdb", "--db", db, *args],
        capture_output=True, text=True, encoding="utf-8", env=env, timeout=60, check=False)


def test_article_on_the_command_line_loads_no_sqlalchemy(loaded, engine):
    for key in ("putin-stance-stalls-talks", "hostile-workbench"):
        with read_connection(engine) as conn:
            detail = queries.article(conn, key)
        for args, expected in (((), _shown(detail)[0]), (("--format", "json"), _shown(detail)[1])):
            ran = _run(loaded, "article", key, *args)
            assert ran.returncode == 0, ran.stderr
            assert ran.stdout == expected + "\n"
            imported = [line.rsplit("|", 1)[-1].strip() for line in ran.stderr.splitlines()
                        if line.startswith("import time:")]
            assert "claimsdb.query.articlepath" in imported
            assert not [name for name in imported
                        if name.split(".")[0] in ("sqlalchemy", "alembic")]
