"""Rows for lists of ids on the driver's cursor (claimsdb.store.idlists), which check,
claims and loops read through: the same rows as ``conn.execute`` gives, on both
backends."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from claimsdb.store.db import read_connection
from claimsdb.store.idlists import among_ids, compile_for_ids, rows_for_ids
from claimsdb.store.models import Article, Hop, Statement
from conftest import DATA


@pytest.fixture
def loaded(seeded, engine):
    """The seed articles and the test corpus (curly quotes, Cyrillic, long chains)."""
    from claimsdb.ingest.importer import import_files

    import_files(engine, sorted((DATA / "corpus").glob("*.yaml")))
    return seeded


def test_the_rows_are_those_conn_execute_gives(loaded, engine):
    with read_connection(engine) as conn:
        every = sorted(conn.execute(select(Statement.id)).scalars())
        # present and missing ids, unsorted, one repeated
        ids = [*every[::-1], max(every) + 10, -1, every[0]]
        query = (select(Statement.id, Statement.quote, Article.key, Article.published)
                 .join(Article, Article.id == Statement.article_id)
                 .where(among_ids(Statement.id, conn.dialect)).order_by(Statement.id))
        expected = (select(Statement.id, Statement.quote, Article.key, Article.published)
                    .join(Article, Article.id == Statement.article_id)
                    .where(Statement.id.in_(ids)).order_by(Statement.id))
        got = rows_for_ids(conn, compile_for_ids(query, conn.dialect), ids)
        assert got == [tuple(row) for row in conn.execute(expected)]
        assert len(got) == len(every)
        assert any(not quote.isascii() for _, quote, _, _ in got)  # real text
        assert all(type(row) is tuple for row in got)


def test_a_query_compiled_once_answers_every_list(seeded, engine):
    with read_connection(engine) as conn:
        hops = compile_for_ids(select(Hop.statement_id, Hop.actor_id)
                               .where(among_ids(Hop.statement_id, conn.dialect))
                               .order_by(Hop.statement_id, Hop.chain, Hop.position),
                               conn.dialect)
        every = sorted(conn.execute(select(Hop.statement_id).distinct()).scalars())
        for ids in ([every[0]], every[:7], every):
            assert {row[0] for row in rows_for_ids(conn, hops, ids)} == set(ids)


def test_a_column_is_read_as_conn_execute_reads_it_or_refused(seeded, engine):
    """Where SQLAlchemy converts a column's values (a timestamp stored as text on
    SQLite), the driver would hand back the raw value: such a query is refused and
    must go through conn.execute. psycopg gives a timestamp itself."""
    with read_connection(engine) as conn:
        ids = list(conn.execute(select(Article.id)).scalars())
        query = (select(Article.id, Article.imported_at)
                 .where(among_ids(Article.id, conn.dialect)).order_by(Article.id))
        if conn.dialect.name == "sqlite":
            with pytest.raises(TypeError, match="converts values"):
                compile_for_ids(query, conn.dialect)
            return
        expected = conn.execute(select(Article.id, Article.imported_at)
                                .where(Article.id.in_(ids)).order_by(Article.id)).all()
        assert rows_for_ids(conn, compile_for_ids(query, conn.dialect), ids) == [
            tuple(row) for row in expected]
