"""The database as other tools see it (issue 11 item 26): Datasette and sqlite-utils
find the full-text table, and the readable views answer the main questions on both
backends without claimsdb."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys

import pytest
from sqlalchemy import Engine, text

from claimsdb.format.seeds import seed_files
from claimsdb.ingest.importer import import_files
from claimsdb.query.queries import (
    StatementFilter,
    iter_relations,
    iter_statements,
    sourcing_profiles,
)
from claimsdb.store.db import read_connection
from conftest import DATA, Cli


def _files() -> list:
    return [*seed_files(), *sorted((DATA / "corpus").glob("*.yaml")),
            *sorted((DATA / "search").glob("*.yaml"))]


@pytest.fixture
def corpus(db: str, engine: Engine) -> str:
    import_files(engine, _files())
    return db


@pytest.fixture
def sqlite_corpus(tmp_path) -> str:
    """A SQLite file named claims.db, with the corpus, outside the db fixture (the
    tools open it on their own)."""
    path = tmp_path / "claims.db"
    result = Cli(str(path))("add", *_files())
    assert result.exit_code == 0, result.stderr
    return str(path)


def test_issue_11_item_26_sqlite_utils_searches_the_statements_table(sqlite_corpus):
    """Issue 11 item 26: 'sqlite-utils search claims.db statements hijack' works (it
    refused the single-quoted content='statements' declaration)."""
    done = subprocess.run(
        [sys.executable, "-m", "sqlite_utils", "search", sqlite_corpus, "statements",
         "hijack", "-c", "key"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert sorted(row["key"] for row in json.loads(done.stdout)) == [
        "hijacked", "hijackers", "plan"]


def _datasette_get(path: str, metadata: dict, url: str):
    from datasette.app import Datasette

    async def get():
        return await Datasette([path], metadata=metadata).client.get(url)

    return asyncio.run(get())


def test_issue_11_item_26_datasette_offers_search_and_readable_views(sqlite_corpus, tmp_path):
    """Issue 11 item 26: Datasette's table page offers a search box and honours _search
    (on the table and on the statement_sources view), with claimsdb's metadata."""
    metadata_file = tmp_path / "metadata.json"
    result = Cli(sqlite_corpus)("export", "datasette-metadata", "-o", metadata_file)
    assert result.exit_code == 0, result.stderr
    metadata = json.loads(metadata_file.read_text(encoding="utf-8"))
    assert "claims" in metadata["databases"]

    # Datasette finds the FTS table from its declaration alone, metadata or not.
    assert 'name="_search"' in _datasette_get(sqlite_corpus, {}, "/claims/statements").text
    page = _datasette_get(sqlite_corpus, metadata, "/claims/statements")
    assert page.status_code == 200
    assert 'name="_search"' in page.text
    rows = _datasette_get(sqlite_corpus, metadata,
                          "/claims/statements.json?_search=hijacked&_shape=array").json()
    assert sorted(row["key"] for row in rows) == ["hijacked", "hijackers", "plan"]
    rows = _datasette_get(sqlite_corpus, metadata,
                          "/claims/statement_sources.json?_search=समाचार&_shape=array").json()
    assert [row["ref"] for row in rows] == ["search-scripts#hindi"]
    database = _datasette_get(sqlite_corpus, metadata, "/claims.json").json()
    visible = {t["name"] for t in database["tables"] if not t["hidden"]}
    assert not {"alembic_version", "statements_fts", "actor_counts"} & visible
    assert {"statements", "actors", "articles"} <= visible
    assert {"statement_sources", "denials", "article_sourcing"} <= {
        v["name"] for v in database["views"]}


def test_issue_11_item_26_datasette_metadata_is_for_sqlite_only(db, backend):
    result = Cli(db)("export", "datasette-metadata")
    if backend == "sqlite":
        assert result.exit_code == 0, result.stderr
        assert json.loads(result.output)["databases"]
    else:
        assert result.exit_code == 1
        assert "Datasette reads SQLite files only" in result.stderr


def test_issue_11_item_26_views_answer_as_claimsdb_does(corpus, engine):
    """Issue 11 item 26: statement_sources, denials and article_sourcing hold what the
    commands show, on both backends."""
    with read_connection(engine) as conn:
        statements = {s.ref: s for s in iter_statements(conn, StatementFilter())}
        rows = conn.execute(text(
            "SELECT ref, speaker, chain, chain_depth, times_denied, quote "
            "FROM statement_sources")).all()
        assert {row.ref for row in rows} == set(statements)
        for row in rows:
            view = statements[row.ref]
            assert row.speaker == (view.speaker.name if view.speaker else None)
            assert (row.chain or "") == " > ".join(view.chain_names())
            assert row.chain_depth == len(view.chain)
            assert row.times_denied == len(view.related("denies", incoming=True))
            assert row.quote == view.quote

        denials = conn.execute(text(
            "SELECT denial, denied_statement FROM denials")).all()
        expected = {(r.source.ref, r.target.ref) for r in iter_relations(conn, StatementFilter())
                    if r.type == "denies"}
        assert expected and set(map(tuple, denials)) == expected

        profiles = {p.scope: p for p in sourcing_profiles(conn)}
        sourcing = conn.execute(text(
            "SELECT article, statements, named, role, anonymous, own_voice "
            "FROM article_sourcing")).all()
        assert {row.article for row in sourcing} == set(profiles) - {"all"}
        for row in sourcing:
            p = profiles[row.article]
            assert tuple(row[1:]) == (p.statements, p.named, p.role, p.anonymous, p.own_voice)


def test_datasette_and_sqlite_utils_are_installed_for_these_tests():
    assert shutil.which("datasette") or __import__("datasette")
