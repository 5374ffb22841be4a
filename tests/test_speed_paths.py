"""The quick paths taken for speed give exactly what the plain paths give.

Each shortcut exists because the plain path was too slow at corpus scale (see
docs/performance.md); each test here pins it to the plain path on real data, on both
backends, so a shortcut can never drift into a different answer.
"""

from __future__ import annotations

import importlib.util
import io
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine

from claimsdb.format.articles import read_article
from claimsdb.ingest.importer import import_batch
from claimsdb.output import export
from claimsdb.query import queries
from claimsdb.store import migrate
from claimsdb.store.db import fetch_on_driver, read_connection
from conftest import Cli

REPO = Path(__file__).resolve().parents[1]


def generated(tmp_path_factory, statements: int) -> list[Path]:
    """The benchmark's synthetic corpus (bench/generate.py), ``statements`` big."""
    spec = importlib.util.spec_from_file_location("bench_generate", REPO / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    folder = tmp_path_factory.mktemp("corpus") / "c"
    module.write_corpus(folder, statements, seed=11)
    return sorted(folder.glob("part-*/*.yaml"))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[Path]:
    return generated(tmp_path_factory, 1200)


@pytest.fixture(scope="module")
def larger_corpus(tmp_path_factory) -> list[Path]:
    # Below about 10,000 statements the planner rightly prefers another plan.
    return generated(tmp_path_factory, 12_000)


FORMULAS = """\
format: claimsdb/article@1
article:
  key: formulas
  title: "=SUM(A1) and other cells a spreadsheet would run"
  outlet: formula-wire
  text: "He wrote =HYPERLINK(x) and then -5% and @home, as quoted."
actors:
  - {key: formula-wire, name: "=Wire", kind: outlet}
  - {key: formula-officials, name: "-Officials", kind: group, identified: anonymous}
statements:
  - {key: eq, quote: "=HYPERLINK(x)"}
  - {key: minus, quote: "-5%", chain: [{actor: formula-officials, cue: "+said"}]}
  - {key: at, quote: "@home", denies: [minus]}
"""


@pytest.fixture
def loaded(engine: Engine, seeded, corpus, tmp_path) -> Engine:
    """The seed article, a synthetic corpus (chains, denials, repeats, Cyrillic) and
    cells that start like spreadsheet formulas (the guard changes them)."""
    outcomes = import_batch(engine, [read_article(path) for path in corpus])
    assert all(o.status == "added" for o in outcomes)
    formulas = tmp_path / "formulas.yaml"
    formulas.write_text(FORMULAS, encoding="utf-8")
    assert import_batch(engine, [read_article(formulas)])[0].status == "added"
    return engine


@pytest.mark.parametrize("formula_guard", [True, False])
def test_flat_statement_rows_are_the_records_of_the_views(loaded, formula_guard):
    with read_connection(loaded) as conn:
        views = list(queries.iter_statements(conn))
        flat = list(export.statement_csv_rows(conn, queries.StatementFilter()))
    assert len(flat) == len(views) > 1200 + 3
    for view, row in zip(views, flat, strict=True):
        record = export.statement_record(view)
        assert row == [record[column] for column in export.STATEMENT_COLUMNS], view.ref
    # and written out, byte for byte
    by_views, by_rows = io.StringIO(), io.StringIO()
    export.write_csv((export.statement_record(v) for v in views), by_views,
                     export.STATEMENT_COLUMNS, formula_guard=formula_guard)
    export.write_csv_rows(iter(flat), by_rows, export.STATEMENT_COLUMNS,
                          formula_guard=formula_guard)
    assert by_rows.getvalue() == by_views.getvalue()
    assert ("'=HYPERLINK(x)" in by_rows.getvalue()) is formula_guard


def test_flat_rows_follow_the_filter(loaded):
    flt = queries.StatementFilter(origin="anonymous", denied=True)
    with read_connection(loaded) as conn:
        expected = [export.statement_record(v) for v in queries.iter_statements(conn, flt)]
        flat = list(export.statement_csv_rows(conn, flt))
    assert expected, "the corpus has denied statements with anonymous origins"
    assert flat == [[r[c] for c in export.STATEMENT_COLUMNS] for r in expected]


def test_export_csv_command_writes_what_the_views_give(cli, loaded, tmp_path):
    target = tmp_path / "statements.csv"
    result = cli("export", "csv", "--table", "statements", "-o", str(target))
    assert result.exit_code == 0, result.output
    expected = io.StringIO()
    with read_connection(loaded) as conn:
        export.write_csv((export.statement_record(v) for v in queries.iter_statements(conn)),
                         expected, export.STATEMENT_COLUMNS)
    assert target.read_text(encoding="utf-8") == expected.getvalue()


def test_a_single_statement_is_the_same_view_as_in_a_list(loaded):
    with read_connection(loaded) as conn:
        views = list(queries.iter_statements(conn))
        for view in views[::37]:
            assert queries.statement(conn, view.ref) == view
        lonely = next(v for v in views if v.article == "putin-stance-stalls-talks")
        # a bare key that only one article uses resolves, through the slower path
        bare = [v for v in views if v.key == lonely.key]
        if len(bare) == 1:
            assert queries.statement(conn, lonely.key) == lonely


def test_queries_run_on_the_driver_give_the_rows_execute_gives(loaded):
    """``fetch_on_driver`` (the chain lookup's two queries) against ``conn.execute`` of
    the same Core queries, on statements with chains, relations and Cyrillic text."""
    with read_connection(loaded) as conn:
        views = list(queries.iter_statements(conn))
        picked = [v for v in views if v.chain or v.incoming or v.outgoing or v.about][::23]
        picked += [v for v in views if not v.chain][:3]
        assert len(picked) > 20
        for view in picked:
            by_ref = {"article_key": view.article, "statement_key": view.key}
            details = {queries._IDS: view.id}
            for query, parameters in ((queries._statement_row_by_ref(), by_ref),
                                      (queries._details_query(True), details),
                                      (queries._details_query(True, True), details)):
                driver = fetch_on_driver(conn, query, parameters)
                assert driver, view.ref
                assert [tuple(row) for row in conn.execute(query, parameters)] == \
                    [tuple(row) for row in driver], view.ref


@pytest.mark.parametrize("lean", [False, True])
def test_details_of_a_batch_are_each_statements_own_whatever_the_ids(loaded, lean):
    """``StatementDetails.load`` reads a run of ids as a range (on the driver), a run
    with gaps as a range filtered afterwards, and scattered ids as a list: all three
    must give each statement exactly what loading it alone gives."""
    from sqlalchemy import select

    from claimsdb.store.models import Statement

    with read_connection(loaded) as conn:
        ids = list(conn.execute(select(Statement.id).order_by(Statement.id)).scalars())
        run, gappy, scattered = ids[100:400], ids[100:400:2] + ids[401:402], ids[::97]
        for batch in (run, gappy, scattered):
            together = queries.StatementDetails.load(conn, batch, lean=lean)
            for statement_id in batch:
                alone = queries.StatementDetails.load(conn, [statement_id], lean=lean)
                for part in ("hops", "related", "about"):
                    assert getattr(together, part).get(statement_id, []) == \
                        getattr(alone, part).get(statement_id, []), (part, statement_id)
            assert set(together.hops) <= set(batch) and set(together.related) <= set(batch)
        assert any(queries.StatementDetails.load(conn, run, lean=lean).related.values())


def test_the_driver_path_refuses_what_only_execute_does(engine):
    from sqlalchemy import String, TypeDecorator, bindparam, select, type_coerce

    from claimsdb.store.models import Article, Statement

    expanding = select(Statement.id).where(Statement.id.in_(bindparam("ids", expanding=True)))
    with read_connection(engine) as conn, pytest.raises(TypeError, match="expanding"):
        fetch_on_driver(conn, expanding, {"ids": [1, 2]})

    class Upper(TypeDecorator):
        impl = String
        cache_ok = True

        def process_result_value(self, value, dialect):
            return value.upper()

    converting = select(Article.id, type_coerce(Article.key, Upper))
    with read_connection(engine) as conn, pytest.raises(TypeError, match="converts values"):
        fetch_on_driver(conn, converting, {})


def test_driver_errors_come_out_as_sqlalchemys(engine):
    """So ``translate_errors`` turns them into messages, as for ``conn.execute``."""
    from sqlalchemy import Column, Integer, MetaData, Table, select
    from sqlalchemy import exc as sa_exc

    missing = Table("no_such_table", MetaData(), Column("id", Integer))
    with read_connection(engine) as conn, pytest.raises(sa_exc.DBAPIError) as raised:
        fetch_on_driver(conn, select(missing.c.id), {})
    assert "no_such_table" in str(raised.value)


def test_chain_links_relations_and_about_keep_their_order(loaded):
    with read_connection(loaded) as conn:
        for view in queries.iter_statements(conn):
            assert [h.position for h in view.chain] == list(range(len(view.chain)))
            assert [a.key for a in view.about] == sorted(a.key for a in view.about)
            for pool in (view.outgoing, view.incoming):
                assert [r.type for r in pool] == sorted(r.type for r in pool)


def test_the_head_read_from_the_migration_files_is_alembics():
    assert migrate._head_from_files() == migrate.head_revision()


def test_an_older_schema_is_still_refused(db, engine):
    migrate.downgrade(engine, "0001")
    with read_connection(engine) as conn, pytest.raises(Exception, match="older than"):
        migrate.require_current_schema(conn)
    migrate.upgrade(engine)
    with read_connection(engine) as conn:
        migrate.require_current_schema(conn)


def _selective_filter_sql(conn) -> str:
    """``--via X --origin anonymous`` as SQL, X the named person relaying the most
    statements: a filter whose plan must start from X's few chain links."""
    relay = conn.exec_driver_sql(
        "SELECT a.key FROM chain_hops h JOIN actors a ON a.id = h.actor_id "
        "WHERE a.kind = 'person' AND a.identified = 'named' "
        "GROUP BY a.key ORDER BY count(*) DESC LIMIT 1").scalar()
    query = queries.filtered_statement_ids(
        conn, queries.StatementFilter(via=relay, origin="anonymous"))
    return str(query.compile(conn, compile_kwargs={"literal_binds": True}))


def test_add_leaves_statistics_so_a_selective_filter_is_led_by_its_index(cli, backend, engine,
                                                                         request):
    if backend != "sqlite":
        pytest.skip("PostgreSQL's own statistics: the next test")
    corpus = request.getfixturevalue("larger_corpus")
    assert cli("add", "--batch", "200", *map(str, corpus)).exit_code == 0
    with read_connection(engine) as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM sqlite_stat1").scalar() > 0
        sql = _selective_filter_sql(conn)
        plan = " / ".join(row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
    # X's chain links and X's articles first, then their statements by key: not every
    # anonymous statement (through the speaker index), not every statement
    assert "SEARCH statements USING INTEGER PRIMARY KEY" in plan, plan
    assert "ix_chain_hops_actor_id_statement_id" in plan, plan
    assert "ix_statements_speaker_id" not in plan and "SCAN statements" not in plan, plan


def test_a_selective_filter_is_led_by_its_index_on_postgresql(engine, backend, request):
    if backend != "postgresql":
        pytest.skip("SQLite: the previous test")
    from claimsdb.store.db import update_planner_statistics

    corpus = request.getfixturevalue("larger_corpus")
    specs = [read_article(path) for path in corpus]
    for start in range(0, len(specs), 200):
        import_batch(engine, specs[start:start + 200])
    update_planner_statistics(engine, thorough=True)
    with read_connection(engine) as conn:
        sql = _selective_filter_sql(conn)
        plan = "\n".join(row[0] for row in conn.exec_driver_sql("EXPLAIN " + sql))
    # an OR of two IN lists made PostgreSQL read every statement
    assert "Seq Scan on statements" not in plan, plan
    assert "ix_chain_hops_actor_id_statement_id" in plan, plan


ARTICLE = """\
article: {{key: many-{n}, title: Many {n}, text: "Officials said the talks stalled, {n}."}}
actors:
  - {{key: officials, name: Officials, kind: group, identified: anonymous}}
statements:
  - {{key: s1, quote: "the talks stalled", chain: [officials]}}
"""


def test_a_large_import_vacuums_and_analyzes_postgresql_at_once(db, engine, backend,
                                                                tmp_path):
    """A large ``add`` leaves every planned table analyzed and vacuumed (its visibility
    map set, so index-only scans stay index-only), even with autovacuum off."""
    if backend != "postgresql":
        pytest.skip("SQLite: the previous test")
    from claimsdb.ingest.adding import ANALYZE_FILES
    from claimsdb.store.db import PLANNED_TABLES

    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(ANALYZE_FILES):
        (folder / f"a{n:04}.yaml").write_text(ARTICLE.format(n=n), encoding="utf-8")
    result = Cli(db)("add", "-q", str(folder))
    assert result.exit_code == 0, result.output
    with read_connection(engine) as conn:
        rows = dict(conn.exec_driver_sql(
            "SELECT relname, last_vacuum IS NOT NULL AND last_analyze IS NOT NULL "
            "FROM pg_stat_user_tables").all())
        visible, pages = conn.exec_driver_sql(
            "SELECT relallvisible, relpages FROM pg_class WHERE relname = 'statements'"
        ).one()
    assert all(rows[table] for table in PLANNED_TABLES), rows
    assert pages > 0 and visible == pages


def test_postgresql_plans_streamed_reads_for_all_their_rows(engine, backend):
    """Server-side cursors (lists, exports) are planned for every row, not the first
    tenth: a selective filter was otherwise walked in ORDER BY order over every
    statement."""
    if backend != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with read_connection(engine) as conn:
        assert conn.exec_driver_sql("SHOW cursor_tuple_fraction").scalar() == "1"


def test_walking_repeats_links_reads_only_the_claims_links_on_sqlite(cli, backend, engine,
                                                                      request):
    """With the statistics an import leaves, each step of ``tracing.walk`` reads the
    links of the statements reached from their index: no Bloom filter, which SQLite
    builds by scanning every link before the first step."""
    if backend != "sqlite":
        pytest.skip("a SQLite plan")
    from sqlalchemy import event

    from claimsdb.query import tracing

    corpus = request.getfixturevalue("larger_corpus")
    assert cli("add", "--batch", "200", *map(str, corpus)).exit_code == 0
    with read_connection(engine) as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM sqlite_stat1").scalar() > 0
        start = conn.exec_driver_sql(
            "SELECT target_id FROM relations WHERE type = 'repeats' LIMIT 1").scalar()
        asked: list[tuple[str, tuple]] = []

        def record(_conn, _cursor, sql, params, *_) -> None:
            asked.append((sql, params))

        event.listen(conn, "before_cursor_execute", record)
        for upstream in (True, False):
            asked.clear()
            assert tracing.walk(conn, [start], upstream=upstream)
            (sql, params), *_ = asked
            plan = " / ".join(row[3] for row in conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + sql, params))
            assert "BLOOM" not in plan, plan
            assert "SCAN relations" not in plan, plan
