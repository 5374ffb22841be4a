"""``claimsdb statements`` and ``claimsdb denials`` on the database driver, without
SQLAlchemy (claimsdb.query.listpath).

The driver path joins conditions compiled one by one; it must run exactly the SQL
SQLAlchemy compiles for the whole query, whatever the filters combined, and so
return the same rows in the same order, on both backends; print the same bytes;
leave to the SQLAlchemy path only what needs it; and never load SQLAlchemy.
"""

from __future__ import annotations

import datetime as dt
import inspect
import itertools
import os
import sqlite3
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from claimsdb.errors import ClaimsError, NotFound
from claimsdb.format.seeds import seed_files
from claimsdb.output import listings
from claimsdb.query import compile_reads, compiled_sql, filters, listpath, queries
from claimsdb.query.filters import Condition, StatementFilter
from claimsdb.store import driver
from claimsdb.store.db import read_connection
from conftest import DATA
from test_hop_mentions import ARTICLE as MENTIONS
from test_several_chains import ROUNDUP, WIRE

CORPUS = [path for folder in ("corpus", "search", "trace")
          for path in sorted((DATA / folder).glob("*.yaml"))]

# A value for each condition's parameters, to compile it with.
SAMPLE_VALUES = {
    "article_id": 3, "speaker_id": 5, "via_id": 7, "origin": "role", "kind": "direct",
    "about_id": 11, "search_query": "'talk':*", "fts_query": '"talks"*', "topic": "ceasefire",
    "since": "2024-01-01", "until": "2025-06-02", "rowid_high": 99,
    "statement_high": 77,
}
NAMES = sorted(name for name in queries.CONDITIONS if name not in queries.NOT_ON_DRIVER)


def _condition(name: str) -> Condition:
    build = queries.CONDITIONS[name]
    values = {parameter: SAMPLE_VALUES[parameter]
              for parameter in inspect.signature(build).parameters
              if parameter in SAMPLE_VALUES}
    if name.startswith("origin_") and name.endswith("_named"):
        values["origin"] = "named"
    if name.startswith("published_"):  # as filters.conditions names them
        values = {bound: SAMPLE_VALUES[bound] for bound in name.split("_")[1:]
                  if bound != "bounded"}
    return Condition(name, values)


def _whole(select, dialect, expand=None) -> tuple[str, object]:
    """What SQLAlchemy runs for a query: its SQL, and its values in the driver's form."""
    compiled = select.compile(dialect=dialect)
    state = compiled.construct_expanded_state(expand or {})
    if compiled.positional:
        return state.statement, tuple(state.parameters[name] for name in state.positiontup)
    return state.statement, state.parameters


def _assembled(dialect_name, name, conditions, extra=None, expand=None):
    query, values = listpath.with_conditions(dialect_name, name, conditions)
    values.update(extra or {})
    for list_name, items in (expand or {}).items():
        query, more = listpath.expanded(query, list_name, items)
        values.update(more)
    return query.sql, query.bind(values)


def _dialects(conditions: list[Condition]):
    """The dialects these conditions can come together on."""
    return {name: dialect for name, dialect in compile_reads.dialects().items()
            if all(queries.ONE_DIALECT.get(c.name, name) == name for c in conditions)}


def _check_statement_list(conditions: list[Condition], limit: int | None) -> None:
    for dialect_name, dialect in _dialects(conditions).items():
        built = [queries.CONDITIONS[c.name](**c.values) for c in conditions]
        expected = _whole(queries.statement_list(built, limit=limit,
                                                 limited=limit is not None), dialect)
        name = "statement_list" + listpath._limited(limit)
        got = _assembled(dialect_name, name, conditions,
                         {"limit": limit} if limit is not None else {})
        assert got == expected, (dialect_name, [c.name for c in conditions])


def _check_denial_pairs(conditions: list[Condition], types: tuple[str, ...],
                        by: int | None, limit: int | None) -> None:
    for dialect_name, dialect in _dialects(conditions).items():
        built = [queries.CONDITIONS[c.name](**c.values) for c in conditions]
        expected = _whole(queries.denial_pairs(built, types, by=by, by_given=by is not None,
                                               limit=limit, limited=limit is not None),
                          dialect)
        name = "denial_pairs" + ("_by" if by is not None else "") + listpath._limited(limit)
        extra = {**({"by_id": by} if by is not None else {}),
                 **({"limit": limit} if limit is not None else {})}
        got = _assembled(dialect_name, name, conditions, extra, {"denial_types": types})
        assert got == expected, (dialect_name, [c.name for c in conditions])


# The conditions a filter can produce, one choice per filter (None: not given).
CHOICES = [
    ["article"], ["speaker", "speaker_with_members", "speaker_first_chain",
                  "speaker_with_members_first_chain"], ["via", "via_upto"],
    [name for name in NAMES if name.startswith("origin_")], ["kind"], ["denied"],
    ["denials"], ["about"], ["search_fts", "search_fts_upto", "search_postgresql"], ["topic"],
    ["published_since", "published_until", "published_since_until",
     "published_since_bounded", "published_until_bounded", "published_since_until_bounded"],
]
for _choice in CHOICES:  # a first page on SQLite asks some walked, some probed
    _choice += [filters.walked(name) for name in _choice if name in filters.WALKED]
    _choice += [filters.probed(name) for name in _choice if name in filters.PROBED]


def _group(name: str) -> int:
    return next(index for index, choice in enumerate(CHOICES) if name in choice)


# -- the SQL is SQLAlchemy's, for every combination ------------------------------------------

def test_every_condition_alone_and_every_pair_joins_to_sqlalchemys_sql():
    for name in NAMES:
        _check_statement_list([_condition(name)], None)
        _check_statement_list([_condition(name)], 20)
        _check_denial_pairs([_condition(name)], ("denies",), None, None)
    for first, second in itertools.combinations(NAMES, 2):
        if _group(first) == _group(second):
            continue  # (a filter gives one of them)
        _check_statement_list([_condition(first), _condition(second)], None)
        _check_denial_pairs([_condition(first), _condition(second)], ("denies", "dismisses"),
                            13, 5)


def test_no_condition_joins_to_sqlalchemys_sql():
    for limit in (None, 0, 50, 2**31 - 1, 2**31, 2**63 - 1):
        _check_statement_list([], limit)
        for by in (None, 4):
            for types in filters.DENIAL_TYPES.values():
                _check_denial_pairs([], types, by, limit)


@settings(max_examples=100, deadline=None)
@given(st.tuples(*(st.none() | st.sampled_from(choice) for choice in CHOICES)),
       st.none() | st.integers(0, 2**63 - 1), st.none() | st.integers(1, 99),
       st.sampled_from(list(filters.DENIAL_TYPES.values())))
def test_any_combination_joins_to_sqlalchemys_sql(chosen, limit, by, types):
    conditions = [_condition(name) for name in chosen if name is not None]
    _check_statement_list(conditions, limit)
    _check_denial_pairs(conditions, types, by, limit)


def test_in_lists_expand_as_sqlalchemy_expands_them():
    for dialect_name, dialect in compile_reads.dialects().items():
        compiled = compiled_sql.QUERIES[dialect_name]
        for name, define, list_name in (
                ("statements_by_ids", queries._statements_by_ids, "statement_ids"),
                ("details_listed", queries._details_query, "statement_ids"),
                ("details_hops_listed", lambda: queries._detail_queries()[0], "statement_ids"),
                ("actors_by_keys", queries._actors_by_keys, "actor_keys")):
            for items in ([1], [3, 1, 2], list(range(40))):
                query, values = listpath.expanded(compiled[name], list_name, items)
                assert (query.sql, query.bind(values)) == _whole(
                    define(), dialect, {list_name: items}), (name, len(items))


# -- the same rows ----------------------------------------------------------------------------

@pytest.fixture(params=["seeds", "several-chains", "corpus"])
def holding(request, db, engine, tmp_path):
    """Databases whose contents make the origin filter take each of its shapes: the
    seeds (one chain each), with statements of several chains, and the test corpus
    with chain links that give their own identification."""
    from claimsdb.ingest.importer import import_files

    files = list(seed_files())
    if request.param != "seeds":
        for name, source in (("wire.yaml", WIRE), ("roundup.yaml", ROUNDUP)):
            (tmp_path / name).write_text(source, encoding="utf-8")
            files.append(tmp_path / name)
    if request.param == "corpus":
        (tmp_path / "mentions.yaml").write_text(MENTIONS, encoding="utf-8")
        files += [*CORPUS, tmp_path / "mentions.yaml"]
    import_files(engine, files)
    connection = driver.connect(db)
    try:
        with connection.reading() as reader:
            shape = filters.origin_shape("role", None, listpath.DriverLookups(reader))
    finally:
        connection.close()
    assert shape == {"seeds": filters.ORIGIN_BY_SPEAKER,
                     "several-chains": filters.ORIGIN_LATER_CHAINS,
                     "corpus": filters.ORIGIN_UNION}[request.param]
    return request.param


def _values(engine):
    with read_connection(engine) as conn:
        articles = [row[0] for row in conn.execute(text("SELECT key FROM articles"))]
        actors = conn.execute(text("SELECT key, name FROM actors ORDER BY key")).all()
        aliases = [row[0] for row in conn.execute(text("SELECT alias FROM actor_aliases"))]
        topics = [row[0] for row in conn.execute(
            text("SELECT DISTINCT topic FROM statement_topics"))]
    names = [key for key, _ in actors] + [name.upper() for _, name in actors[:20]] + aliases
    return {
        "article": st.sampled_from([*articles, "no-such-article"]),
        "actor": st.sampled_from([*names, "no-such-actor", "  Kremlin  "]),
        "origin": st.sampled_from(["named", "role", "anonymous"]),
        "kind": st.sampled_from(["direct", "indirect", "refusal"]),
        "search": st.sampled_from(["talks", "peacekeeping forces", "hijack*", "Іванівка",
                                   "Putin", "the"]),
        "topic": st.sampled_from([*topics, "Ceasefire talks", "nothing-tagged"]),
        "date": st.sampled_from([dt.date(2020, 1, 1), dt.date(2024, 6, 1),
                                 dt.date(2025, 3, 15), dt.date(2026, 12, 1)]),
    }


def _filters(values):
    speaker = values["actor"]

    @st.composite
    def build(draw):
        chosen = {
            "article": draw(st.none() | values["article"]),
            "speaker": draw(st.none() | speaker),
            "via": draw(st.none() | values["actor"]),
            "origin": draw(st.none() | values["origin"]),
            "kind": draw(st.none() | values["kind"]),
            "denied": draw(st.booleans()),
            "denials": draw(st.booleans()),
            "about": draw(st.none() | values["actor"]),
            "search": draw(st.none() | values["search"]),
            "topic": draw(st.none() | values["topic"]),
            "since": draw(st.none() | values["date"]),
            "until": draw(st.none() | values["date"]),
            "later_denied": draw(st.booleans()),
            "limit": draw(st.none() | st.integers(0, 30)),
        }
        chosen["with_members"] = chosen["speaker"] is not None and draw(st.booleans())
        return StatementFilter(**chosen)

    return build()


def _outcome(read):
    try:
        return list(read()), None
    except NotFound as error:
        return None, ("not found", str(error))
    except ClaimsError as error:
        return None, ("refused", str(error))


def _compare(connection, engine, flt, *, denials=False, by=None, type="denies"):
    with read_connection(engine) as conn:
        if denials:
            expected = _outcome(lambda: queries.iter_denials(conn, flt, by=by, type=type))
        else:
            expected = _outcome(lambda: queries.iter_statements(conn, flt))
    try:
        with connection.reading() as reader:
            if denials:
                got = _outcome(lambda: listpath.denials(reader, flt, by=by, type=type))
            else:
                got = _outcome(lambda: listpath.statements(reader, flt))
    except driver.NotOnDriver:
        # only what needs SQLAlchemy: a name to suggest for, the later-denied ones
        assert (expected[1] is not None and expected[1][0] == "not found") or flt.later_denied
        return "full way"
    assert got == expected, flt
    return "driver"


def test_any_filter_reads_the_same_rows_on_the_driver(holding, db, engine):
    values = _values(engine)
    connection = driver.connect(db)
    try:
        @settings(max_examples=120, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture,
                                         HealthCheck.too_slow])
        @given(_filters(values), st.none() | values["actor"],
               st.sampled_from(list(filters.DENIAL_TYPES)))
        def check(flt, by, type):
            ways.append(_compare(connection, engine, flt))
            ways.append(_compare(connection, engine, flt, denials=True, by=by, type=type))

        ways: list[str] = []
        check()
        assert ways.count("driver") > len(ways) / 4  # (most names given name an actor)
    finally:
        connection.close()


def test_each_filter_alone_reads_the_same_rows(holding, db, engine):
    """One filter at a time, each value (with and without a limit): the common case."""
    connection = driver.connect(db)
    with read_connection(engine) as conn:
        article = conn.execute(text("SELECT key FROM articles ORDER BY id")).scalar()
        actors = [row[0] for row in conn.execute(text("SELECT key FROM actors ORDER BY key"))]
    try:
        given_filters = [StatementFilter(), StatementFilter(article=article),
                         StatementFilter(denied=True), StatementFilter(denials=True),
                         StatementFilter(search="talks"), StatementFilter(topic="ceasefire"),
                         StatementFilter(since=dt.date(2024, 1, 1)),
                         StatementFilter(until=dt.date(2025, 1, 1))]
        given_filters += [StatementFilter(origin=o) for o in ("named", "role", "anonymous")]
        given_filters += [StatementFilter(kind=k) for k in ("direct", "indirect", "refusal")]
        for key in actors:
            given_filters += [StatementFilter(via=key), StatementFilter(speaker=key),
                              StatementFilter(speaker=key, with_members=True),
                              StatementFilter(about=key)]
        for flt in given_filters:
            for limit in (None, 3):
                limited = StatementFilter(**{**flt.__dict__, "limit": limit})
                assert _compare(connection, engine, limited) == "driver"
                assert _compare(connection, engine, limited, denials=True) == "driver"
        for key in actors:
            for type in filters.DENIAL_TYPES:
                _compare(connection, engine, StatementFilter(), denials=True, by=key, type=type)
    finally:
        connection.close()


# -- the same bytes, without SQLAlchemy -----------------------------------------------------

def _run(db: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "100"}
    return subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "claimsdb", "--db", db, *args],
        capture_output=True, text=True, encoding="utf-8", env=env, timeout=60, check=False)


def _imported(ran: subprocess.CompletedProcess) -> list[str]:
    return [line.rsplit("|", 1)[-1].strip() for line in ran.stderr.splitlines()
            if line.startswith("import time:")]


def _written(engine, listing, read, fmt: str) -> str:
    import io

    out = io.StringIO()
    with read_connection(engine) as conn:
        listing.write(read(conn), out, fmt=fmt, width=100)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_the_commands_print_what_they_printed_before_without_sqlalchemy(seeded, engine, fmt):
    flt = StatementFilter(via="bloomberg", limit=20)
    for args, expected in (
            (["statements", "--via", "bloomberg", "--limit", "20"],
             _written(engine, listings.statements(),
                      lambda conn: queries.iter_statements(conn, flt), fmt)),
            (["statements", "--origin", "anonymous", "--denied"],
             _written(engine, listings.statements(), lambda conn: queries.iter_statements(
                 conn, StatementFilter(origin="anonymous", denied=True)), fmt)),
            (["denials"], _written(engine, listings.denials(),
                                   lambda conn: queries.iter_denials(conn), fmt)),
            (["denials", "--type", "all", "--by", "kremlin"],
             _written(engine, listings.denials("all"), lambda conn: queries.iter_denials(
                 conn, by="kremlin", type="all"), fmt))):
        ran = _run(seeded, *args, "--format", fmt)
        assert ran.returncode == 0, ran.stderr[-2000:]
        assert ran.stdout == expected, args
        imported = _imported(ran)
        assert "claimsdb.query.listpath" in imported
        assert not [name for name in imported
                    if name.split(".")[0] in ("sqlalchemy", "alembic")], args


def test_what_needs_sqlalchemy_still_gets_it(seeded, cli):
    """A name that matches nothing still gets suggestions; --later-denied still works."""
    result = cli("statements", "--via", "blomberg")
    assert result.exit_code == 1
    assert "did you mean" in result.output and "bloomberg" in result.output
    result = cli("denials", "--by", "kreml")
    assert result.exit_code == 1 and "did you mean" in result.output
    assert cli("statements", "--later-denied").exit_code == 0
    ran = _run(seeded, "statements", "--article", "no-such-article")
    assert ran.returncode == 1 and "no article 'no-such-article'" in ran.stderr


def test_the_python_api_lists_on_the_driver(seeded, engine):
    import claimsdb

    with read_connection(engine) as conn:
        expected = list(queries.iter_statements(conn, StatementFilter(via="bloomberg")))
        denials = list(queries.iter_denials(conn))
    with claimsdb.open(seeded) as database:
        assert database.statements(StatementFilter(via="bloomberg")) == expected
        assert database.denials() == denials
        assert database.opened_engine is None  # answered without an engine


def test_a_driver_error_while_listing_is_reported_as_the_engine_would(seeded, backend, cli,
                                                                      monkeypatch):
    def failing(conn, query, values):
        if backend == "sqlite":
            raise sqlite3.OperationalError("disk I/O error")
        import psycopg

        raise psycopg.OperationalError("server closed the connection")
        yield

    monkeypatch.setattr(listpath, "_stream", failing)
    result = cli("statements", "--via", "bloomberg")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert ("disk I/O error" if backend == "sqlite" else "server closed") in result.output


def test_every_condition_the_filters_name_has_its_sql():
    """Every condition ``filters.conditions`` can name is in ``queries.CONDITIONS`` (and
    compiled for the driver unless it is SQLAlchemy's only)."""
    produced = {"article", "speaker", "speaker_with_members", "speaker_first_chain",
                "speaker_with_members_first_chain", "via", "via_upto", "kind", "denied",
                "denials", "about", "search_postgresql", "search_fts", "search_fts_upto",
                "search_substring",
                "topic", "later_denied", "published_since", "published_until",
                "published_since_until", "published_since_bounded", "published_until_bounded",
                "published_since_until_bounded"}
    produced |= {filters.origin_condition_name(shape, origin)
                 for shape in filters.ORIGIN_SHAPES for origin in ("named", "role")}
    produced |= {filters.walked(name) for name in filters.WALKED}
    produced |= {filters.probed(name) for name in filters.PROBED}
    assert produced == set(queries.CONDITIONS)
    for dialect_name in compile_reads.dialects():
        compiled = {name.split(":", 1)[1] for name in compiled_sql.QUERIES[dialect_name]
                    if name.startswith("condition:")}
        assert compiled == {name for name in produced - queries.NOT_ON_DRIVER
                            if queries.ONE_DIALECT.get(name, dialect_name) == dialect_name}


def test_questions_asked_while_a_list_is_read_get_their_own_connection(seeded, engine):
    """The workbench reads part of a list (a page) and asks more meanwhile, in one
    thread: each question answers, and the list goes on where it was."""
    import claimsdb

    with read_connection(engine) as conn:
        expected = list(queries.iter_statements(conn))
        denials = list(queries.iter_denials(conn))
    ref = f"{expected[0].article}#{expected[0].key}"
    with claimsdb.open(seeded) as database:
        for _ in range(3):  # a page, then the next request on the kept connection
            with database.stream_statements() as views:
                first = next(views)
                assert database.chain(ref) == expected[0]
                assert database.denials() == denials
                with database.stream_statements(StatementFilter(limit=2)) as inner:
                    assert list(inner) == expected[:2]
                assert [first, *views] == expected
            with database.stream_statements() as views:
                assert next(views) == expected[0]  # left unfinished
