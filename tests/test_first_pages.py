"""A first page (``--limit``) is the start of the whole list, however it is found.

Issue 16 made first pages cheap by finding them differently from whole lists: the
later-denied statements of a page are found by walking list order
(``queries._first_later_denied``, ``graph.later_denied_among``), a SQLite page of a
filter answered through an IN subquery walks list order (``filters.WALKED``), a page
picks its ids before reading its rows (``queries.statement_list``), and one actor's
counts and pages have their own queries (``queries._actor_row``, ``_said_by``,
``_relayed_by``). These tests hold each to the answer of the whole, on both backends.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select

from claimsdb.ingest.importer import import_files
from claimsdb.query import filters, graph, queries
from claimsdb.query.filters import StatementFilter
from claimsdb.store.db import read_connection
from claimsdb.store.models import Actor, Statement, StatementAbout, StatementTopic
from conftest import DATA, seed_files


@pytest.fixture
def everything(db: str, engine: Engine) -> str:
    """The seed articles and the claims of the tracing corpus (repeats, denials hours
    apart, offsets)."""
    files = [*seed_files(), *sorted((DATA / "trace").glob("*.yaml"))]
    import_files(engine, files)
    return db


def _refs(conn, flt: StatementFilter) -> list[str]:
    return [view.ref for view in queries.iter_statements(conn, flt)]


def _in_list_order(conn, ids: set[int]) -> list[int]:
    rows = conn.execute(select(Statement.id).where(Statement.id.in_(sorted(ids)))
                        .order_by(Statement.article_id, Statement.id)).scalars()
    return list(rows)


def test_later_denied_statements_found_from_themselves_are_those_of_the_whole(
        everything, engine):
    with read_connection(engine) as conn:
        every = graph.later_denied_ids(conn)
        ids = list(conn.execute(select(Statement.id)).scalars())
        assert every  # the corpus has claims denied later
        assert graph.later_denied_among(conn, ids) == every
        for start in range(0, len(ids), 7):  # in small groups: families cut apart
            assert graph.later_denied_among(conn, ids[start:start + 7]) == \
                every & set(ids[start:start + 7])


@pytest.mark.parametrize(("chunks", "walk"), [((500, 1000, 2000, 4000), 20_000),
                                              ((1, 2, 3), 10_000), ((2,), 6)])
def test_a_first_page_of_later_denied_is_the_start_of_the_list(everything, engine, monkeypatch,
                                                               chunks, walk):
    # small chunks walk several of them; a short walk gives up and finds all at once
    monkeypatch.setattr(queries, "_LATER_DENIED_CHUNKS", chunks)
    monkeypatch.setattr(queries, "_LATER_DENIED_WALK", walk)
    with read_connection(engine) as conn:
        ordered = _in_list_order(conn, graph.later_denied_ids(conn))
        for first in (0, 1, 2, 5, len(ordered), len(ordered) + 3):
            assert queries._first_later_denied(conn, [], first) in (ordered[:first], None)
        whole = _refs(conn, StatementFilter(later_denied=True))
        assert len(whole) == len(ordered)
        for limit in (1, 3, len(whole) + 1):
            assert _refs(conn, StatementFilter(later_denied=True, limit=limit)) == \
                whole[:limit]
        combined = StatementFilter(via="vorsk-herald", origin="anonymous", later_denied=True)
        whole = _refs(conn, combined)
        assert whole  # (test_tracing's story: the report and nine relays)
        for limit in (1, 4, 50):
            assert _refs(conn, StatementFilter(via="vorsk-herald", origin="anonymous",
                                               later_denied=True, limit=limit)) == whole[:limit]
        assert queries.count_statements(conn, StatementFilter(later_denied=True, limit=2)) == \
            min(2, len(ordered))


def _first_about_and_topic(conn) -> tuple[str | None, str | None]:
    """An actor statements are about and a topic they are tagged with (None: none)."""
    about = conn.execute(select(Actor.key).join(StatementAbout,
                                                StatementAbout.actor_id == Actor.id)
                         .order_by(Actor.key).limit(1)).scalar()
    topic = conn.execute(select(StatementTopic.topic).order_by(StatementTopic.topic)
                         .limit(1)).scalar()
    return about, topic


def _filters(conn) -> list[StatementFilter]:
    about, topic = _first_about_and_topic(conn)
    org = conn.execute(select(Actor.key).where(Actor.kind != "person").order_by(Actor.key)
                       ).scalars().all()
    found = [StatementFilter(denied=True), StatementFilter(denials=True),
             StatementFilter(search="said"), StatementFilter(kind="direct"),
             StatementFilter(origin="anonymous"), StatementFilter(origin="named"),
             *(StatementFilter(speaker=key, with_members=True) for key in org[:8])]
    if about is not None:
        found.append(StatementFilter(about=about))
    if topic is not None:
        found.append(StatementFilter(topic=topic))
    return found


def test_first_pages_of_every_filter_are_the_start_of_its_list(everything, engine):
    with read_connection(engine) as conn:
        for flt in _filters(conn):
            whole = _refs(conn, flt)
            for limit in (1, 2, 7):
                page = StatementFilter(**{**flt.__dict__, "limit": limit})
                assert _refs(conn, page) == whole[:limit], flt


def test_one_actors_counts_and_pages_are_those_of_the_whole(everything, engine):
    with read_connection(engine) as conn:
        listed = {row.id: tuple(row) for row in conn.execute(queries._actor_counts())}
        assert any(row[6] for row in listed.values())  # someone relayed something
        for actor_id, row in listed.items():
            assert tuple(conn.execute(queries._actor_row(), {"actor_id": actor_id}).one()) \
                == row
            for query in (queries._said_by, queries._relayed_by):
                whole = [r.id for r in conn.execute(query(False), {"actor_id": actor_id})]
                for limit in (1, 3):
                    page = [r.id for r in conn.execute(query(True), {"actor_id": actor_id,
                                                                      "limit": limit})]
                    assert page == whole[:limit]


def _probed_filters(conn) -> list[StatementFilter]:
    """One filter of each condition ``filters.PROBED`` names, each matching something."""
    about, topic = _first_about_and_topic(conn)
    assert about is not None and topic is not None  # the corpus has both
    return [StatementFilter(denied=True), StatementFilter(denials=True),
            StatementFilter(about=about), StatementFilter(topic=topic)]


def _shapes_chosen(monkeypatch, threshold: int) -> list[str]:
    """Force ``filters.probe_threshold`` to ``threshold``; the list that then collects
    the names of the conditions each first page is asked in (``_first_rows_shapes``)."""
    monkeypatch.setattr(filters, "probe_threshold", lambda limit, statements: threshold)
    chosen: list[str] = []
    shapes = filters._first_rows_shapes

    def spying(found, limit, lookups, **options):
        shaped = shapes(found, limit, lookups, **options)
        chosen.extend(condition.name for condition in shaped)
        return shaped

    monkeypatch.setattr(filters, "_first_rows_shapes", spying)
    return chosen


@pytest.mark.parametrize("threshold", [1, 10**9], ids=["probed", "looked-up"])
def test_a_first_page_of_one_probed_filter_is_the_start_of_its_list_either_way(
        everything, engine, db, monkeypatch, threshold):
    """A first page asked by one condition of ``filters.PROBED`` is probed statement by
    statement when it matches many, and looked up when few: both are the start of the
    whole list, on the SQLAlchemy path and on the driver's (the threshold forces each)."""
    import claimsdb

    chosen = _shapes_chosen(monkeypatch, threshold)
    database = claimsdb.open(db)
    with read_connection(engine) as conn:
        for flt in _probed_filters(conn):
            whole = _refs(conn, flt)
            assert whole, flt
            (name,) = [c.name for c in filters.conditions(flt, queries._Lookups(conn))]
            for limit in (1, 2, 7, len(whole) + 1):
                page = StatementFilter(**{**flt.__dict__, "limit": limit})
                chosen.clear()
                assert _refs(conn, page) == whole[:limit], flt
                assert [view.ref for view in database.statements(page)] == whole[:limit], flt
                if engine.dialect.name == "sqlite":  # the shape of both paths' question
                    expected = filters.probed(name) if threshold == 1 else name
                    assert chosen == [expected, expected], flt


def test_a_probed_filter_beside_another_is_walked(everything, engine):
    """Beside another condition a probed one is asked in its walked shape: the two
    together may match few statements however many each matches."""
    with read_connection(engine) as conn:
        flt = StatementFilter(denied=True, kind="direct", limit=3)
        names = [c.name for c in filters.conditions(flt, queries._Lookups(conn),
                                                     first_rows=True)]
        if engine.dialect.name == "sqlite":
            assert names == ["kind", filters.walked("denied")]
        else:
            assert names == ["kind", "denied"]
        assert _refs(conn, flt) == _refs(conn, StatementFilter(denied=True,
                                                               kind="direct"))[:3]


def test_the_probe_threshold_is_where_probing_and_looking_up_cost_the_same():
    assert filters.probe_threshold(50, 1_000_000) == 2500
    assert filters.probe_threshold(50, 100_000) == 790
    assert filters.probe_threshold(0, 0) == 1  # an empty database: any match probes


def test_counting_matches_stops_at_the_cap(everything, engine):
    with read_connection(engine) as conn:
        lookups = queries._Lookups(conn)
        denied = filters.Condition("denied")
        n = len(conn.execute(queries._denied_matches()).all())
        assert n > 1
        assert lookups.matches_at_least(denied, n)
        assert not lookups.matches_at_least(denied, n + 1)
        assert lookups.statements_high() == conn.execute(
            select(Statement.id).order_by(Statement.id.desc()).limit(1)).scalar_one()


def test_a_probed_filter_with_later_denied_is_walked(everything, engine, monkeypatch):
    """The later-denied statements of a page are found among the other conditions' first
    rows, and then join them as a list: the filter beside them keeps its walked shape."""
    monkeypatch.setattr(filters, "probe_threshold", lambda limit, statements: 1)
    with read_connection(engine) as conn:
        flt = StatementFilter(denied=True, later_denied=True, limit=3)
        names = [c.name for c in filters.conditions(flt, queries._Lookups(conn),
                                                     first_rows=True)]
        expected = filters.walked("denied") if engine.dialect.name == "sqlite" else "denied"
        assert names == [expected, "later_denied"]
        assert _refs(conn, flt) == _refs(conn, StatementFilter(denied=True,
                                                               later_denied=True))[:3]


@pytest.fixture(scope="module")
def dated_corpus(tmp_path_factory) -> list:
    """The benchmark's corpus, large enough to hold more articles than a first page of
    a date range looks at in id order (``queries.FIRST_DATED_WALK``); its dates grow
    with the articles' ids, as a real archive's do."""
    from test_batch_import import _generator

    folder = tmp_path_factory.mktemp("dated") / "c"
    _generator().write_corpus(folder, 4000, seed=11)
    return sorted(folder.glob("part-*/*.yaml"))


def test_a_first_page_of_a_date_range_is_the_start_of_its_list(dated_corpus, db, engine):
    """On PostgreSQL a first page of ``--since``/``--until`` starts from the first dated
    article (``queries._first_dated``): found among the first articles in id order, or
    through the date index, or past every id when none is in the range. Each way, the
    page is the start of the whole list, on the SQLAlchemy path and the driver's."""
    import datetime as dt

    import claimsdb
    from claimsdb.store.models import Article

    import_files(engine, dated_corpus)
    database = claimsdb.open(db)
    with read_connection(engine) as conn:
        days = sorted({dt.date.fromisoformat(published[:10]) for published in conn.execute(
            select(Article.published).order_by(Article.id)).scalars()})
        late = conn.execute(select(func.count()).where(
            Article.published >= days[-1].isoformat())).scalar_one()
        articles = conn.execute(select(func.count()).select_from(Article)).scalar_one()
        assert articles - late > queries.FIRST_DATED_WALK  # the last day is past the walk
        ranges = []
        for day in (days[0] - dt.timedelta(days=1), *days, days[-1] + dt.timedelta(days=1)):
            ranges += [StatementFilter(since=day), StatementFilter(until=day),
                       StatementFilter(since=day, until=day)]
        pages = 0
        for flt in ranges:
            whole = _refs(conn, flt)
            for limit in (1, 7, 50):
                page = StatementFilter(**{**flt.__dict__, "limit": limit})
                (name,) = [c.name for c in filters.conditions(page, queries._Lookups(conn),
                                                             first_rows=True)]
                assert name.endswith("_bounded") == (engine.dialect.name == "postgresql")
                assert _refs(conn, page) == whole[:limit], page
                assert [view.ref for view in database.statements(page)] == whole[:limit], page
                pages += bool(whole)
        assert pages > len(ranges)  # most ranges hold statements; some hold none


def _swap_articles(engine: Engine, first: int, last: int) -> None:
    """Give two articles each other's ids (their statements keep theirs): the later
    article's statements, with the highest ids, then come first in list order, as in
    a database whose ids no longer follow its articles."""
    from sqlalchemy import text

    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")  # checked at the commit
        for old, new in ((first, -1), (last, first), (-1, last)):
            for table, column in (("articles", "id"), ("statements", "article_id"),
                                  ("article_authors", "article_id")):
                conn.execute(text(f"UPDATE {table} SET {column} = :new "  # noqa: S608
                                  f"WHERE {column} = :old"), {"new": new, "old": old})


def _every_page(engine: Engine, database, chosen: list[str], wholes: list[StatementFilter],
                *, longer_than: int = -1) -> list[str]:
    """Pages of 1, 7, 50, all and one more rows of each filter, each the start of its
    whole list on the SQLAlchemy path and the driver's (``database``); the names of
    the conditions they were asked in (``chosen``, from ``_shapes_chosen``)."""
    names: list[str] = []
    with read_connection(engine) as conn:
        for flt in wholes:
            whole = _refs(conn, flt)
            assert len(whole) > longer_than, flt
            for limit in (1, 7, 50, len(whole), len(whole) + 1):
                page = StatementFilter(**{**flt.__dict__, "limit": limit})
                chosen.clear()
                assert _refs(conn, page) == whole[:limit], page
                assert [view.ref for view in database.statements(page)] == whole[:limit], page
                names += chosen
    return names


@pytest.mark.parametrize("threshold", [1, 10**9])
def test_a_first_page_of_a_search_is_the_start_of_its_list_each_way(
        dated_corpus, db, engine, monkeypatch, threshold):
    """A first page of ``--search`` alone on SQLite (``filters.first_search_page``): with
    few matches, IN their list; with many, the first matches in id order, read up to
    the last of them, when no later statement belongs to an earlier article, else
    walked. Each way the page is the start of the whole list, on both paths; on a
    database whose ids are out of list order the shortcut is not taken."""
    import claimsdb

    chosen = _shapes_chosen(monkeypatch, threshold)
    import_files(engine, dated_corpus)
    database = claimsdb.open(db)
    searches = ["grain corridor", "talks", "grain", "ceasefire plan", "nothing-matches-this"]

    def pages() -> list[str]:
        return _every_page(engine, database, chosen,
                           [StatementFilter(search=words) for words in searches])

    names = pages()
    if engine.dialect.name == "sqlite":
        if threshold == 1:
            assert "search_fts_upto" in names and filters.walked("search_fts") not in names
        else:
            assert set(names) == {"search_fts"}
        with read_connection(engine) as conn:
            ids = conn.execute(select(func.min(Statement.article_id),
                                      func.max(Statement.article_id))).one()
        _swap_articles(engine, *ids)
        names = pages()
        if threshold == 1:
            assert filters.walked("search_fts") in names


def _busiest_links(conn, *, outlets: bool) -> str:
    """The key of the actor with the most chain links (``outlets``: of those that also
    published an article: ``--via`` then reads both)."""
    from claimsdb.store.models import Article, Hop

    query = (select(Actor.key).join(Hop, Hop.actor_id == Actor.id)
             .group_by(Actor.id, Actor.key).order_by(func.count().desc(), Actor.key).limit(1))
    if outlets:
        query = query.where(Actor.id.in_(select(Article.outlet_id)))
    return conn.execute(query).scalar_one()


def test_a_first_page_of_via_is_the_start_of_its_list_each_way(dated_corpus, db, engine,
                                                                monkeypatch):
    """A first page of ``--via`` alone on SQLite (``filters.first_via_page``): with a
    page of the actor's chain links in its index, those links and its articles'
    statements, read up to the last of them, when no later statement belongs to an
    earlier article; else (fewer links, ids out of list order) as before. Each way the
    page is the start of the whole list, on both paths, for a busy relay and for an
    outlet that is also a link."""
    import claimsdb

    chosen = _shapes_chosen(monkeypatch, 1)
    import_files(engine, dated_corpus)
    database = claimsdb.open(db)
    with read_connection(engine) as conn:
        relays = [_busiest_links(conn, outlets=False), _busiest_links(conn, outlets=True)]

    def pages() -> list[str]:
        return _every_page(engine, database, chosen,
                           [StatementFilter(via=relay) for relay in relays], longer_than=50)

    names = pages()
    if engine.dialect.name == "sqlite":
        assert "via_upto" in names and "via" in names  # the longest pages: fewer links
        with read_connection(engine) as conn:
            ids = conn.execute(select(func.min(Statement.article_id),
                                      func.max(Statement.article_id))).one()
        _swap_articles(engine, *ids)
        names = pages()
        assert "via_upto" not in names
