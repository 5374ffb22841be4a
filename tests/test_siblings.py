"""A sibling connection reads what its caller's read transaction sees, and reading with
one gives the same answers as reading alone (``claimsdb.store.siblings``).

On PostgreSQL the sibling adopts the caller's exported snapshot: a commit made after
the caller's first read is invisible to both. SQLite has no sibling; each helper then
reads on the caller's connection.
"""

from __future__ import annotations

import sys
import threading

import pytest
from sqlalchemy import func, select

from claimsdb.ingest.importer import import_files
from claimsdb.store import siblings
from claimsdb.store.db import read_connection
from claimsdb.store.models import Article, Statement
from conftest import DATA

FILES = sorted((DATA / "trace").glob("*.yaml"))  # 30 articles, one a file


def _articles(conn) -> int:
    return conn.execute(select(func.count()).select_from(Article)).scalar_one()


def test_a_sibling_sees_the_callers_snapshot_not_a_later_commit(engine):
    import_files(engine, FILES[:2])
    with read_connection(engine) as conn:
        before = _articles(conn)
        import_files(engine, FILES[2:4])  # committed while the reader is open
        with siblings.sibling(conn) as other:
            if engine.dialect.name == "sqlite":
                assert other is None
            else:
                assert other is not conn
                assert _articles(other) == before
                assert _articles(conn) == before
    with read_connection(engine) as conn:
        assert _articles(conn) == before + 2


def test_reading_ahead_gives_each_items_reading_in_order(engine):
    import_files(engine, FILES)
    with read_connection(engine) as conn:
        ids = sorted(conn.execute(select(Statement.id)).scalars())
        chunks = [ids[start:start + 5] for start in range(0, len(ids), 5)]
        threads = set()

        def read(connection, chunk):
            threads.add(threading.current_thread().name)
            return connection.execute(select(Statement.key).where(Statement.id.in_(chunk))
                                      .order_by(Statement.id)).scalars().all()

        expected = [(chunk, read(conn, chunk)) for chunk in chunks]
        threads.clear()
        for ahead in (0, 1, 2, 50):
            assert list(siblings.read_ahead(conn, chunks, read, ahead=ahead)) == expected
        sibling_threads = {name for name in threads if name.startswith("claimsdb-sibling")}
        assert bool(sibling_threads) == (engine.dialect.name == "postgresql")
        # stopping early leaves nothing running
        for _ in zip(range(2), siblings.read_ahead(conn, chunks, read), strict=False):
            pass
        assert list(siblings.read_ahead(conn, [], read)) == []
        assert conn.execute(select(func.count()).select_from(Statement)).scalar_one() == \
            len(ids)


def test_a_failed_reading_ahead_raises_in_the_caller(engine):
    import_files(engine, FILES[:1])
    with read_connection(engine) as conn:
        def read(connection, item):
            if item == 3:
                raise ValueError("item 3 cannot be read")
            return item * 2

        got = []

        def read_all():
            for item, doubled in siblings.read_ahead(conn, range(6), read):
                got.append((item, doubled))

        with pytest.raises(ValueError, match="item 3"):
            read_all()
        assert got == [(0, 0), (1, 2), (2, 4)]
        assert _articles(conn) == 1  # the caller's transaction goes on


def test_work_beside_the_caller_returns_its_result_or_its_error(engine):
    import_files(engine, FILES[:3])
    interval = sys.getswitchinterval()
    with read_connection(engine) as conn:
        with siblings.beside(conn, _articles) as counted:
            assert _articles(conn) == 3
            assert counted() == 3

        def failing(connection):
            raise RuntimeError("the sibling's work failed")

        with pytest.raises(RuntimeError, match="sibling's work"), \
                siblings.beside(conn, failing) as result:
            result()
    assert sys.getswitchinterval() == interval  # put back as it was


def test_inside_a_savepoint_the_caller_reads_alone(engine):
    """PostgreSQL exports no snapshot from a subtransaction (``claimsdb check`` runs each
    check in a savepoint): the helpers then read on the caller's connection."""
    import_files(engine, FILES[:2])
    with read_connection(engine) as conn:
        savepoint = conn.begin_nested()
        with siblings.sibling(conn) as other:
            assert other is None
        with siblings.beside(conn, _articles) as counted:
            assert counted() == 2
        assert [n for _, n in siblings.read_ahead(conn, [1, 2], lambda c, i: i + _articles(c))
                ] == [3, 4]
        savepoint.commit()


def test_a_refused_second_connection_leaves_the_caller_reading_alone(db, engine):
    """A role allowed one connection (or a server at its limit) gets no sibling: the
    answers that use one read on the caller's connection, the same answers."""
    if engine.dialect.name != "postgresql":
        pytest.skip("siblings are PostgreSQL's (SQLite always reads alone)")
    import uuid

    from sqlalchemy.engine import make_url

    from claimsdb.query import queries, tracing
    from claimsdb.store.db import make_engine

    import_files(engine, FILES)
    role = f"claimsdb_one_{uuid.uuid4().hex[:8]}"
    with engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE ROLE "{role}" LOGIN CONNECTION LIMIT 1')
        conn.exec_driver_sql(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{role}"')
    limited = make_engine(make_url(db).set(username=role).render_as_string(
        hide_password=False))
    try:
        with read_connection(engine) as conn:
            expected = (tracing.find_loops(conn), list(tracing.iter_claims(conn)),
                        queries.sourcing_profiles(conn))
        with read_connection(limited) as conn:
            with siblings.sibling(conn) as other:
                assert other is None
            assert (tracing.find_loops(conn), list(tracing.iter_claims(conn)),
                    queries.sourcing_profiles(conn)) == expected
            assert _articles(conn) == len(FILES)
    finally:
        limited.dispose()
        with engine.begin() as conn:
            conn.exec_driver_sql(f'DROP OWNED BY "{role}"')
            conn.exec_driver_sql(f'DROP ROLE "{role}"')
