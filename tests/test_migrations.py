"""The schema comes only from migrations, and they match the models exactly."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from claimsdb.store import migrate
from claimsdb.store.db import make_engine
from claimsdb.store.models import Base
from conftest import REPO


def _differences(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_name": migrate.include_name,
                        "include_object": migrate.include_object,
                        "compare_type": True, "compare_server_default": True},
        )
        return compare_metadata(context, Base.metadata)


def test_migrations_produce_exactly_the_models(empty_db):
    engine = make_engine(empty_db)
    migrate.upgrade(engine)
    assert _differences(engine) == []
    engine.dispose()


def test_downgrade_to_base_then_upgrade_round_trips(empty_db):
    engine = make_engine(empty_db)
    migrate.upgrade(engine)
    with engine.connect() as conn:
        tables_at_head = sorted(inspect(conn).get_table_names())
    migrate.downgrade(engine, "base")
    with engine.connect() as conn:
        assert inspect(conn).get_table_names() == ["alembic_version"]
    migrate.upgrade(engine)
    with engine.connect() as conn:
        assert sorted(inspect(conn).get_table_names()) == tables_at_head
        assert migrate.current_revision(conn) == migrate.head_revision()
    assert _differences(engine) == []
    engine.dispose()


def test_every_migration_steps_down_and_up_one_at_a_time(empty_db):
    from alembic.script import ScriptDirectory

    engine = make_engine(empty_db)
    script = ScriptDirectory.from_config(migrate.alembic_config())
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    for revision in revisions:
        migrate.upgrade(engine, revision)
    for revision in reversed(revisions):
        migrate.downgrade(engine, "-1")
        migrate.upgrade(engine, revision)
        migrate.downgrade(engine, "-1")
    with engine.connect() as conn:
        assert migrate.current_revision(conn) is None
    engine.dispose()


def test_constraints_follow_the_naming_convention(db):
    engine = make_engine(db)
    with engine.connect() as conn:
        inspector = inspect(conn)
        for table in Base.metadata.sorted_tables:
            for fk in inspector.get_foreign_keys(table.name):
                if engine.dialect.name == "postgresql":  # SQLite does not keep FK names
                    assert fk["name"].startswith(f"fk_{table.name}_")
            for check in inspector.get_check_constraints(table.name):
                assert check["name"].startswith(f"ck_{table.name}_")
            for index in inspector.get_indexes(table.name):
                assert index["name"].startswith(("ix_", "uq_"))
    engine.dispose()


def test_alembic_command_line_works_from_a_checkout(empty_db):
    env = {**os.environ, "CLAIMSDB_DB": empty_db}
    alembic = [sys.executable, "-m", "alembic"]
    for args in (["upgrade", "head"], ["check"], ["downgrade", "base"], ["upgrade", "head"]):
        done = subprocess.run([*alembic, *args], cwd=REPO, env=env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    engine = make_engine(empty_db)
    with engine.connect() as conn:
        assert migrate.current_revision(conn) == migrate.head_revision()
    engine.dispose()


def test_full_text_index_exists_after_upgrade_and_goes_on_downgrade(empty_db):
    engine = make_engine(empty_db)
    migrate.upgrade(engine)

    def has_fts():
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                names = {i["name"] for i in inspect(conn).get_indexes("statements")}
                return "ix_statements_quote_fts" in names
            return "statements_fts" in inspect(conn).get_table_names()

    assert has_fts()
    migrate.downgrade(engine, "0001")
    assert not has_fts()
    migrate.upgrade(engine)
    assert has_fts()
    engine.dispose()


def _snapshot(engine) -> dict[str, list[tuple]]:
    """Every row of every table the schema has now (read by reflection, so it works at
    any revision), as text."""
    from sqlalchemy import MetaData

    with engine.connect() as conn:
        metadata = MetaData()
        metadata.reflect(conn, views=False)
        return {table.name: sorted(tuple(map(str, row)) for row in
                                   conn.execute(table.select()).all())
                for table in metadata.sorted_tables
                if table.name != "alembic_version" and not table.name.startswith("statements_fts")}


def test_issue_11_item_26_upgrade_from_0002_with_data_loses_nothing_and_search_stems(
        empty_db):
    """Issue 11 items 25/26: a database at 0002 holding articles upgrades to 0003 with
    every row intact, the search index rebuilt (stemming, found by Datasette's rule),
    and back down again."""
    from sqlalchemy import bindparam, text

    from claimsdb.format.seeds import seed_files
    from claimsdb.ingest.importer import import_files
    from claimsdb.query.queries import StatementFilter, filtered_statement_ids
    from claimsdb.store.db import read_connection
    from conftest import DATA

    engine = make_engine(empty_db)
    migrate.upgrade(engine)
    import_files(engine, [*seed_files(), *sorted((DATA / "search").glob("*.yaml"))])
    migrate.downgrade(engine, "0002")
    before = _snapshot(engine)
    assert sum(map(len, before.values())) > 100

    migrate.upgrade(engine, "0003")
    assert _snapshot(engine) == before
    migrate.upgrade(engine)  # the queries read what later revisions add (hop mentions)
    with read_connection(engine) as conn:
        # The ids a filter selects, not whole statements: reading those needs the
        # current schema (chain numbers, since 0004), and this database is at 0003.
        ids = conn.execute(filtered_statement_ids(conn, StatementFilter(search="hijack")))
        found = set(conn.execute(text("SELECT key FROM statements WHERE id IN :ids").bindparams(
            bindparam("ids", expanding=True)), {"ids": list(ids.scalars())}).scalars())
        assert found == {"hijacked", "hijackers", "plan"}
        if conn.dialect.name == "sqlite":
            declared = conn.execute(text(
                "SELECT sql FROM sqlite_master WHERE name = 'statements_fts'")).scalar()
            assert 'content="statements"' in declared
            conn.exec_driver_sql("INSERT INTO statements_fts(statements_fts, rank) "
                                 "VALUES ('integrity-check', 1)")
        views = conn.execute(text("SELECT count(*) FROM statement_sources")).scalar()
        assert views == len(before["statements"])

    migrate.downgrade(engine, "0002")
    assert _snapshot(engine) == before
    engine.dispose()


def test_0004_admits_declines_and_its_downgrade_drops_them(empty_db):
    """A refusal's ``declines`` (format 1.1) is a relation type only from 0004 on: the
    Lavrov example's "declined to comment" stores it; back at 0003 the row is gone
    (the refusal an indirect statement, as 0003 knows no refusals) and 0003's CHECK
    refuses the type; upgraded again, the CHECK admits it."""
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from claimsdb.ingest.importer import import_files

    declines = "SELECT count(*) FROM relations WHERE type = 'declines'"
    engine = make_engine(empty_db)
    migrate.upgrade(engine)
    import_files(engine, [REPO / "examples" / "lavrov-hospital-report.yaml"])
    with engine.connect() as conn:
        assert conn.execute(text(declines)).scalar() == 1
        ids = dict(conn.execute(text("SELECT key, id FROM statements")).all())
    migrate.downgrade(engine, "0003")
    insert = text("INSERT INTO relations (source_id, type, target_id) "
                  "VALUES (:source, 'declines', :target)")
    values = {"source": ids["ministry-declined"], "target": ids["lavrov-taken-to-hospital"]}
    with engine.connect() as conn:
        assert conn.execute(text(declines)).scalar() == 0
        assert conn.execute(text("SELECT kind FROM statements WHERE key = "
                                 "'ministry-declined'")).scalar() == "indirect"
        with pytest.raises(IntegrityError):
            conn.execute(insert, values)
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(insert, values)
        assert conn.execute(text(declines)).scalar() == 1
    engine.dispose()
