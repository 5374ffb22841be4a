"""``claimsdb check`` finds what constraints cannot: each test breaks a seeded database
on purpose with raw SQL, the way a hand edit, another tool or a disk fault would,
and asserts the problem is reported with its article, statement and what is wrong.
These tests opt out of the integrity check the ``db`` fixture runs afterwards.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text as sql

from claimsdb.query.checks import check_database, strongly_connected
from claimsdb.store.db import make_engine
from helpers import dump

corrupts = pytest.mark.inconsistent_db
CLAIMSDB = Path(sys.executable).with_name("claimsdb")
ARTICLE = "putin-stance-stalls-talks"


def run(engine, *statements, params=None, foreign_keys_off=False):
    """Execute raw SQL as a tool outside claimsdb would, bypassing foreign keys if asked."""
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if foreign_keys_off:  # outside any transaction, on the driver's connection
            conn.connection.dbapi_connection.execute(
                "PRAGMA foreign_keys = OFF" if sqlite else "SET session_replication_role = replica")
        try:
            with conn.begin():
                for statement in statements:
                    conn.execute(sql(statement), params or {})
        finally:
            if foreign_keys_off:
                conn.connection.dbapi_connection.execute(
                    "PRAGMA foreign_keys = ON" if sqlite
                    else "SET session_replication_role = DEFAULT")


def one(engine, query, **params):
    with engine.connect() as conn:
        return conn.execute(sql(query), params).one()


def findings(engine):
    report = check_database(engine)
    return report, [(f.check, f.where, f.message) for f in report.findings]


def chained_statement(engine, hops=2):
    """A seed statement whose chain has ``hops`` links: (id, key, article id)."""
    return one(engine, "SELECT s.id, s.key, s.article_id FROM statements s WHERE "
                       "(SELECT count(*) FROM chain_hops h WHERE h.statement_id = s.id) = :n "
                       "ORDER BY s.key LIMIT 1", n=hops)


def test_a_sound_database_passes_with_a_summary(cli, seeded):
    result = cli("check")
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert first.endswith("no problems found (1 article, 36 statements, 32 hops, "
                          "25 relations checked)")
    assert "schema at the migrations' head" in result.output


@corrupts
def test_a_span_that_no_longer_selects_its_quote(cli, seeded, engine):
    statement = one(engine, "SELECT id, key, quote, span_start, span_end FROM statements "
                            "ORDER BY key LIMIT 1")
    run(engine, "UPDATE statements SET span_start = span_start + 1, span_end = span_end + 1 "
                "WHERE id = :id", params={"id": statement.id})
    _, found = findings(engine)
    where = f"article '{ARTICLE}', statement '{statement.key}'"
    spans = [f for f in found if f[0] == "span"]
    assert spans == [("span", where, spans[0][2])]
    assert spans[0][2].startswith(
        f"span {statement.span_start + 1}-{statement.span_end + 1} selects «")
    assert f"not the quote «{statement.quote[:20]}" in spans[0][2]
    result = cli("check")
    assert result.exit_code == 1
    assert f"  - {where}: span {statement.span_start + 1}-" in result.output
    assert "integrity problem" in result.stderr


@corrupts
def test_a_span_beyond_the_text(seeded, engine):
    statement = one(engine, "SELECT id, key FROM statements ORDER BY key LIMIT 1")
    run(engine, "UPDATE statements SET span_end = 10000000 WHERE id = :id",
        params={"id": statement.id})
    _, found = findings(engine)
    assert ("span", f"article '{ARTICLE}', statement '{statement.key}'") in \
        [(c, w) for c, w, _ in found]
    assert any("lies outside the article text" in m for _, _, m in found)


@corrupts
def test_a_text_edited_by_hand_breaks_spans_and_the_content_hash(seeded, engine):
    run(engine, "UPDATE articles SET text = 'X' || text")
    report, found = findings(engine)
    count = one(engine, "SELECT count(*) FROM statements")[0]
    assert len([f for f in found if f[0] == "span"]) == count
    assert ("content", f"article '{ARTICLE}'") in [(c, w) for c, w, _ in found]
    assert not report.ok


@corrupts
def test_a_title_changed_outside_claimsdb_is_caught_by_the_content_hash(seeded, engine):
    run(engine, "UPDATE articles SET title = 'Something else'")
    _, found = findings(engine)
    assert found == [("content", f"article '{ARTICLE}'",
                      "the stored article no longer matches the content it was imported with "
                      "(its content hash differs): it was changed outside claimsdb. Re-import "
                      "its file with 'claimsdb add --replace'")]


@corrupts
def test_a_missing_hop_leaves_a_gap_in_the_chain(seeded, engine):
    statement = chained_statement(engine)
    run(engine, "DELETE FROM chain_hops WHERE statement_id = :id AND position = 0",
        params={"id": statement.id})
    _, found = findings(engine)
    where = f"article '{ARTICLE}', statement '{statement.key}'"
    assert ("chain", where, "chain positions are [1], not 0 to 0 without gaps: a hop is "
            "missing or misnumbered") in found


@corrupts
def test_a_speaker_that_disagrees_with_the_chain(seeded, engine):
    statement = chained_statement(engine)
    other = one(engine, "SELECT id, key FROM actors WHERE id NOT IN (SELECT actor_id FROM "
                        "chain_hops WHERE statement_id = :id) ORDER BY id LIMIT 1",
                id=statement.id)
    last = one(engine, "SELECT a.key FROM chain_hops h JOIN actors a ON a.id = h.actor_id "
                       "WHERE h.statement_id = :id ORDER BY h.position DESC LIMIT 1",
               id=statement.id)
    run(engine, "UPDATE statements SET speaker_id = :actor WHERE id = :id",
        params={"actor": other.id, "id": statement.id})
    _, found = findings(engine)
    assert [f for f in found if f[0] == "speaker"] == [(
        "speaker", f"article '{ARTICLE}', statement '{statement.key}'",
        f"the stored original speaker is '{other.key}', but it must be the chain's last "
        f"actor, '{last.key}'")]


@corrupts
def test_an_own_voice_speaker_must_be_the_outlet(seeded, engine):
    statement = one(engine, "SELECT s.id, s.key FROM statements s WHERE NOT EXISTS (SELECT 1 "
                            "FROM chain_hops h WHERE h.statement_id = s.id) ORDER BY s.key "
                            "LIMIT 1")
    actor = one(engine, "SELECT id, key FROM actors ORDER BY key LIMIT 1")
    run(engine, "UPDATE statements SET speaker_id = :actor WHERE id = :id",
        params={"actor": actor.id, "id": statement.id})
    _, found = findings(engine)
    assert [f[2] for f in found if f[0] == "speaker"] == [
        f"the stored original speaker is '{actor.key}', but it must be none (the article's "
        "own voice, and the article has no outlet)"]


@corrupts
def test_the_same_actor_twice_in_a_row(seeded, engine):
    statement = chained_statement(engine)
    first = one(engine, "SELECT h.actor_id, a.key FROM chain_hops h JOIN actors a ON "
                        "a.id = h.actor_id WHERE statement_id = :id AND position = 0",
                id=statement.id)
    run(engine,
        "UPDATE chain_hops SET actor_id = :actor WHERE statement_id = :id AND position = 1",
        "UPDATE statements SET speaker_id = :actor WHERE id = :id",
        params={"actor": first.actor_id, "id": statement.id})
    _, found = findings(engine)
    assert ("chain", f"article '{ARTICLE}', statement '{statement.key}'",
            f"'{first.key}' follows itself in the chain (positions 0 and 1)") in found


@corrupts
def test_the_outlet_written_as_the_first_link(seeded, engine):
    statement = chained_statement(engine)
    first = one(engine, "SELECT h.actor_id, a.key FROM chain_hops h JOIN actors a ON "
                        "a.id = h.actor_id WHERE statement_id = :id AND position = 0",
                id=statement.id)
    run(engine, "UPDATE articles SET outlet_id = :actor", params={"actor": first.actor_id})
    _, found = findings(engine)
    assert ("chain", f"article '{ARTICLE}', statement '{statement.key}'",
            f"the chain starts with the article's outlet '{first.key}', which is the "
            "implicit first link") in found


@corrupts
def test_relations_to_statements_that_no_longer_exist(seeded, engine, backend):
    target = one(engine, "SELECT target_id FROM relations ORDER BY id LIMIT 1")[0]
    run(engine, "DELETE FROM statements WHERE id = :id", params={"id": target},
        foreign_keys_off=True)
    report, found = findings(engine)
    orphans = [f for f in found if f[0] == "relation"]
    assert orphans and all(m == f"its target statement (id {target}) does not exist"
                           for _, _, m in orphans)
    if backend == "sqlite":
        assert any(c == "storage" and "refers to a row of 'statements' that does not exist" in m
                   for c, _, m in found)
    assert not report.ok


@corrupts
def test_a_repeats_cycle_across_articles(cli, seeded, engine, tmp_path):
    later = tmp_path / "later.yaml"
    later.write_text(f"""\
article: {{key: later, title: Later, text: Putin made maximalist demands again.}}
statements:
  - key: again
    quote: Putin made maximalist demands again
    repeats: [{ARTICLE}#officials-putin-maximalist-demands]
""", encoding="utf-8")
    assert cli("add", later).exit_code == 0
    assert cli("check").exit_code == 0
    run(engine, "INSERT INTO relations (source_id, type, target_id) SELECT s.id, 'repeats', "
                "t.id FROM statements s, statements t WHERE s.key = "
                "'officials-putin-maximalist-demands' AND t.key = 'again'")
    _, found = findings(engine)
    cycles = [f for f in found if f[0] == "repeats"]
    assert len(cycles) == 1
    origin = f"{ARTICLE}#officials-putin-maximalist-demands"
    assert cycles[0][1] == f"statement {origin}"
    assert cycles[0][2].startswith(
        f"'repeats' links form a cycle ({origin} -> later#again -> {origin})")


def test_cycles_are_found_in_long_chains_without_recursion():
    chain = {n: [n + 1] for n in range(100_000)}
    assert strongly_connected(chain) == []
    chain[100_000] = [50_000]
    (cycle,) = strongly_connected(chain)
    assert sorted(cycle) == list(range(50_000, 100_001))
    assert cycle[0] == 50_000 and cycle[-1] == 100_000


@corrupts
@pytest.mark.parametrize(("version", "says"), [
    ("0001", "is older than this claimsdb"),
    ("9999", "is newer than this claimsdb"),
])
def test_a_schema_not_at_the_migrations_head(cli, db, engine, version, says):
    run(engine, "UPDATE alembic_version SET version_num = :v", params={"v": version})
    result = cli("check")
    assert result.exit_code == 1
    assert f"database: the database schema ({version}) {says}" in result.output


@corrupts
def test_a_search_index_out_of_step_with_the_quotes(seeded, engine, backend):
    if backend != "sqlite":
        pytest.skip("the FTS5 index is SQLite's; PostgreSQL's GIN index is an expression index")
    statement = one(engine, "SELECT id, quote FROM statements ORDER BY id LIMIT 1")
    run(engine, "INSERT INTO statements_fts(statements_fts, rowid, quote) "
                "VALUES ('delete', :id, :quote)", params={"id": statement.id,
                                                          "quote": statement.quote})
    _, found = findings(engine)
    assert [(c, w) for c, w, _ in found] == [("search-index", "table 'statements_fts'")]
    assert "rebuild it with" in found[0][2]


def test_postgresql_indexes_are_verified_with_amcheck_when_installed(cli, seeded, engine,
                                                                      backend):
    if backend != "postgresql":
        pytest.skip("amcheck is PostgreSQL's")
    without = check_database(engine)
    assert without.ok
    assert any("amcheck extension is not installed" in note for note in without.notes)
    run(engine, "CREATE EXTENSION IF NOT EXISTS amcheck")
    result = cli("check")
    assert result.exit_code == 0
    assert "ok: amcheck bt_index_check on" in result.output


@corrupts
def test_a_damaged_sqlite_file_is_reported_not_crashed_on(cli, seeded, engine, backend):
    if backend != "sqlite":
        pytest.skip("a SQLite file to damage")
    engine.dispose()
    path = Path(seeded)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    data = bytearray(path.read_bytes())
    for page in range(pages // 2, pages):  # keep the schema page, garble the rest
        data[page * page_size + 8: page * page_size + 64] = b"\xa5" * 56
    path.write_bytes(bytes(data))
    result = cli("check")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "malformed" in result.output or "integrity_check" in result.output


def test_check_on_something_that_is_not_a_database(cli, tmp_path, backend):
    if backend != "sqlite":
        pytest.skip("file-level problems")
    missing = cli("check", db=str(tmp_path / "nothing.db"))
    assert missing.exit_code == 1
    assert "no database at" in missing.stderr
    text = tmp_path / "notes.db"
    text.write_text("these are my notes, not a database\n" * 200)
    result = cli("check", db=str(text))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "not a SQLite database" in result.output or "not a database" in result.output


def test_check_on_an_empty_database(cli, empty_db, backend):
    if backend == "sqlite":
        Path(empty_db).touch()  # an empty file: SQLite's empty database
    result = cli("check", db=empty_db)
    assert result.exit_code == 1
    assert "the database is empty; run 'claimsdb init' first" in result.output


# -- claimsdb backup -----------------------------------------------------------------------

def test_backup_copies_a_sqlite_database_exactly(cli, seeded, engine, tmp_path, backend):
    if backend != "sqlite":
        pytest.skip("backup is for SQLite")
    copy = tmp_path / "copy.db"
    result = cli("backup", copy)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"backed up {seeded} to {copy} (")
    assert "1 article(s), 36 statement(s)" in result.output
    assert not Path(f"{copy}-wal").exists()  # one self-contained file
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".copy.db")] == []
    copied = make_engine(str(copy))
    try:
        assert dump(copied) == dump(engine)
        assert check_database(copied).ok
    finally:
        copied.dispose()
    refused = cli("backup", copy)
    assert refused.exit_code == 1
    assert "already exists; choose a new name, or pass --overwrite" in refused.stderr
    assert cli("backup", copy, "--overwrite").exit_code == 0
    itself = cli("backup", seeded)
    assert itself.exit_code == 1 and "is the database itself" in itself.stderr


def test_backup_on_postgresql_points_to_pg_dump(cli, db, backend, tmp_path):
    if backend != "postgresql":
        pytest.skip("the PostgreSQL refusal")
    result = cli("backup", tmp_path / "x.db")
    assert result.exit_code == 1
    assert "for PostgreSQL use its own tools, for example: pg_dump" in result.stderr
    assert "claimsdb copy --to claims-backup.db" in result.stderr
    assert not (tmp_path / "x.db").exists()


@corrupts
def test_backup_of_a_damaged_database_fails_and_leaves_nothing(cli, seeded, engine, tmp_path,
                                                               backend):
    if backend != "sqlite":
        pytest.skip("a SQLite file to damage")
    engine.dispose()
    path = Path(seeded)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    data = bytearray(path.read_bytes())
    for page in range(pages // 2, pages):
        data[page * page_size + 8: page * page_size + 64] = b"\xa5" * 56
    path.write_bytes(bytes(data))
    out = tmp_path / "out"
    out.mkdir()
    result = cli("backup", out / "copy.db")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "malformed" in result.stderr or "integrity check" in result.stderr
    assert list(out.iterdir()) == []


ARTICLE_TEMPLATE = """\
article: {{key: live-{n}, title: Live {n}, text: {text}}}
actors:
  - {{key: live-source, name: Live source, kind: person}}
statements:
{statements}
"""


def test_backup_while_another_process_imports_is_consistent(db, engine, tmp_path, backend):
    """Each backup taken during a stream of imports holds whole articles only, and
    passes every integrity check."""
    if backend != "sqlite":
        pytest.skip("backup is for SQLite")
    folder = tmp_path / "incoming"
    folder.mkdir()
    per_article = 400
    for n in range(30):
        text = " ".join(f"Claim {n}-{i} was made." for i in range(per_article))
        statements = "\n".join(
            f"  - {{key: c{i}, quote: 'Claim {n}-{i} was made', chain: [live-source]}}"
            for i in range(per_article))
        (folder / f"live-{n:02}.yaml").write_text(
            ARTICLE_TEMPLATE.format(n=n, text=text, statements=statements), encoding="utf-8")
    importer = subprocess.Popen([str(CLAIMSDB), "--db", db, "add", "-q", str(folder)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Backups only while the import runs, as fast as they come (checking each one in
    # the loop let a fast import finish between the first few); checked after.
    copies = []
    try:
        while importer.poll() is None and len(copies) < 40:
            copy = tmp_path / f"backup-{len(copies)}.db"
            result = subprocess.run([str(CLAIMSDB), "--db", db, "backup", str(copy)],
                                    capture_output=True, text=True, timeout=120)
            assert result.returncode == 0, result.stderr
            copies.append(copy)
    finally:
        _out, err = importer.communicate(timeout=600)
    assert importer.returncode == 0, err
    seen, checked = [], set()
    for copy in copies:
        copied = make_engine(str(copy))
        try:
            with copied.connect() as conn:
                per = conn.execute(sql(
                    "SELECT a.key, count(s.id) FROM articles a LEFT JOIN statements s "
                    "ON s.article_id = a.id GROUP BY a.key")).all()
            assert all(count == per_article for _, count in per), per
            if len(per) not in checked:  # one integrity check per distinct state
                checked.add(len(per))
                report = check_database(copied)
                assert report.ok, report.summary()
        finally:
            copied.dispose()
        seen.append(len(per))
    print(f"\narticles in each backup taken during the import: {seen}")
    assert len(seen) >= 2 and seen == sorted(seen)
    assert any(0 < n < 30 for n in seen), seen  # at least one taken mid-stream


def test_check_while_a_writer_holds_sqlite_is_still_a_report(cli, seeded, backend, monkeypatch):
    """Everything but the full-text index check reads a snapshot; that one needs the
    write lock, and a busy database skips it with a note instead of failing."""
    if backend != "sqlite":
        pytest.skip("SQLite's write lock")
    monkeypatch.setenv("CLAIMSDB_BUSY_TIMEOUT", "200")
    writer = sqlite3.connect(seeded, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        result = cli("check")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert result.exit_code == 0, result.output
    assert "no problems found (1 article, 36 statements" in result.output
    assert "note: full-text index not checked: a writer held the database" in result.output
