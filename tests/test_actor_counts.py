"""Each actor's kept counts (``actor_counts``) follow every write, on SQLite and PostgreSQL.

``claimsdb actors`` reads the counts kept in ``actor_counts`` instead of counting every
statement (issue 16). Every test database is also checked by ``claimsdb check`` when its
test ends (conftest), which counts again and compares: so every import of the suite is
a test of this too. These are the writes that move counts between actors: a replaced
article whose statements another article denies, a replaced article that stops denying,
a batch with a refused file rolled back in its savepoint, a deleted article; then what
a user does when another tool has changed the rows (``check``, ``init --recount``), and
PostgreSQL's writers, which must not wait for each other on an actor's counts.
"""

from __future__ import annotations

import shutil
import textwrap
import uuid

import pytest
from sqlalchemy import Engine, select, text

from claimsdb.format.articles import parse_article
from claimsdb.ingest.importer import delete_article, import_batch, import_spec
from claimsdb.query import actor_counts
from claimsdb.store.db import make_engine, write_transaction
from claimsdb.store.models import Actor

ORIGIN = """
    article:
      key: origin
      title: Origin
      outlet: wire
      text: «Officials say the bridge was hit», the wire reports. Ministers agree.
    actors:
      - {key: wire, name: The Wire, kind: outlet}
      - {key: officials, name: Officials, kind: group, identified: anonymous}
      - {key: ministers, name: Ministers, kind: group, identified: role}
    statements:
      - {key: claim, quote: the bridge was hit, chain: [officials]}
      - {key: agree, quote: Ministers agree, chain: [ministers], supports: [claim]}
"""

DENIAL = """
    article:
      key: denial
      title: Denial
      outlet: herald
      text: The ministry denied — flatly — that the bridge was hit.
    actors:
      - {key: herald, name: The Herald, kind: outlet}
      - {key: ministry, name: Ministry, kind: government}
    statements:
      - key: denied
        quote: denied — flatly — that the bridge was hit
        chain: [{actor: wire, cue: according to}, ministry]
        denies: [origin#claim]
"""


def spec(document: str, source: str = "article.yaml"):
    return parse_article(textwrap.dedent(document).lstrip("\n"), source=source)


def kept(engine: Engine) -> dict[str, tuple[int, ...]]:
    """Actor key: (originated, relayed, denials issued, received), as kept; actors with
    every count 0 left out. Also asserts they are what counting again gives."""
    with engine.connect() as conn:
        assert actor_counts.disagreements(conn) == []
        keys = dict(conn.execute(select(Actor.id, Actor.key)).all())
        return {keys[actor_id]: tuple(int(n) for n in counts)
                for actor_id, *counts in conn.execute(actor_counts.kept()) if any(counts)}


def test_counts_of_a_new_article_and_one_denying_it(engine):
    import_spec(engine, spec(ORIGIN))
    assert kept(engine) == {"officials": (1, 0, 0, 0), "ministers": (1, 0, 0, 0),
                            "wire": (0, 2, 0, 0)}
    import_spec(engine, spec(DENIAL))
    assert kept(engine) == {"officials": (1, 0, 0, 1), "ministers": (1, 0, 0, 0),
                            "wire": (0, 3, 0, 0), "ministry": (1, 0, 1, 0),
                            "herald": (0, 1, 0, 0)}


TANGLED = """
    article:
      key: tangled
      title: Tangled
      outlet: wire
      text: >-
        According to AFP and AP, officials said the talks stalled. The wire, citing
        itself through AFP, said it first. «Нет», — ответил министр. Ministers agree.
    actors:
      - {key: afp, name: AFP, kind: outlet}
      - {key: ap, name: AP, kind: outlet}
      - {key: minister, name: Министр, kind: person}
    statements:
      - key: stalled
        quote: the talks stalled
        chains: [[afp, officials], [ap, officials], [ap]]
      - key: first
        quote: said it first
        chain: [afp, wire]
      - key: nyet
        quote: «Нет»
        kind: direct
        chain: [minister]
        denies: [origin#claim, stalled]
      - key: agree
        quote: Ministers agree
"""


@pytest.fixture
def second_db(backend, request, tmp_path):
    """Another fresh database at the latest schema, on the test's backend."""
    if backend == "sqlite":
        path = tmp_path / "second.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield str(path)
        return
    server = request.getfixturevalue("postgres")
    name = f"claimsdb_second_{uuid.uuid4().hex[:12]}"
    yield server.create(name, template=request.getfixturevalue("postgres_template"))
    server.drop(name)


def test_a_batch_counts_as_files_one_by_one_and_as_counting_again(db, second_db):
    """Every rule of the counts at once, written in bulk and file by file: a later
    chain whose origin is also the first chain's, a later chain's own origin, an
    outlet in its own article's chain, the article's own voice, and denials of a
    stored statement and of one in the same file."""
    engines = [make_engine(db), make_engine(second_db)]
    try:
        for engine, route in zip(engines, ("batch", "files"), strict=True):
            import_spec(engine, spec(ORIGIN))
            specs = [spec(DENIAL, "d.yaml"), spec(TANGLED, "t.yaml")]
            if route == "batch":
                assert all(type(o).__name__ == "ImportResult"
                           for o in import_batch(engine, specs))
            else:
                for one in specs:
                    import_spec(engine, one)
        batch, files = (kept(engine) for engine in engines)
        assert batch == files
        assert batch["officials"] == (2, 0, 0, 3)
        assert batch["ap"] == (1, 0, 0, 0)
        assert batch["wire"] == (2, 5, 0, 0)  # its own voice and "first"
        assert batch["minister"] == (1, 0, 2, 0)
    finally:
        for engine in engines:
            engine.dispose()


def test_a_replaced_target_moves_the_denial_to_its_new_speaker(engine):
    import_spec(engine, spec(ORIGIN))
    import_spec(engine, spec(DENIAL))
    revised = ORIGIN.replace("{key: claim, quote: the bridge was hit, chain: [officials]}",
                             "{key: claim, quote: the bridge was hit, chain: [ministers]}")
    import_spec(engine, spec(revised), replace=True)
    # The denial into 'claim' was deleted with it and restored: now ministers' statement.
    assert kept(engine) == {"ministers": (2, 0, 0, 1), "wire": (0, 3, 0, 0),
                            "ministry": (1, 0, 1, 0), "herald": (0, 1, 0, 0)}


def test_a_replaced_source_that_no_longer_denies_takes_its_denial_away(engine):
    import_spec(engine, spec(ORIGIN))
    import_spec(engine, spec(DENIAL))
    import_spec(engine, spec(DENIAL.replace("        denies: [origin#claim]\n", "")),
                replace=True)
    assert kept(engine) == {"officials": (1, 0, 0, 0), "ministers": (1, 0, 0, 0),
                            "wire": (0, 3, 0, 0), "ministry": (1, 0, 0, 0),
                            "herald": (0, 1, 0, 0)}


def test_a_refused_file_of_a_batch_takes_back_only_its_own_counts(engine):
    broken = DENIAL.replace("key: denial", "key: broken").replace(
        "origin#claim", "origin#no-such-statement")
    outcomes = import_batch(engine, [spec(ORIGIN, "a.yaml"), spec(broken, "b.yaml"),
                                     spec(DENIAL, "c.yaml")], keep_going=True)
    assert [type(o).__name__ for o in outcomes] == ["ImportResult", "ArticleError",
                                                    "ImportResult"]
    assert kept(engine) == {"officials": (1, 0, 0, 1), "ministers": (1, 0, 0, 0),
                            "wire": (0, 3, 0, 0), "ministry": (1, 0, 1, 0),
                            "herald": (0, 1, 0, 0)}


def test_deleting_an_article_takes_its_counts_and_its_denials(engine):
    import_spec(engine, spec(ORIGIN))
    import_spec(engine, spec(DENIAL))
    with write_transaction(engine) as conn:
        assert delete_article(conn, "denial")
        assert not delete_article(conn, "denial")
    assert kept(engine) == {"officials": (1, 0, 0, 0), "ministers": (1, 0, 0, 0),
                            "wire": (0, 2, 0, 0)}


def test_check_finds_counts_another_tool_changed_and_recount_mends_them(db, cli):
    engine = make_engine(db)
    try:
        import_spec(engine, spec(ORIGIN))
        with engine.begin() as conn:
            conn.execute(text("UPDATE actor_counts SET denials_received = denials_received "
                              "+ 2 WHERE actor_id = (SELECT id FROM actors "
                              "WHERE key = 'officials')"))
        checked = cli("check")
        assert checked.exit_code == 1
        assert ("actor 'officials': kept as 1 originated, 0 relayed, 0 denials issued, "
                "2 received, but its rows count 1 originated, 0 relayed, 0 denials issued, "
                "0 received; count them again with: claimsdb init --recount"
                ) in checked.output
        mended = cli("init", "--recount")
        assert mended.exit_code == 0, mended.output
        assert mended.output.splitlines()[-2:] == [
            "counted the statements and denials of 3 actor(s) again",
            "worked out every article's sourcing measures again: 0 values corrected"]
        assert cli("check").exit_code == 0
        assert kept(engine)["officials"] == (1, 0, 0, 0)
    finally:
        engine.dispose()


def test_init_recount_on_an_up_to_date_database_changes_nothing(db, cli):
    engine = make_engine(db)
    try:
        import_spec(engine, spec(ORIGIN))
        import_spec(engine, spec(DENIAL))
        before = kept(engine)
        assert cli("init", "--recount").exit_code == 0
        assert kept(engine) == before
        assert "--recount" in cli("init", "--help").output
    finally:
        engine.dispose()


def test_postgresql_writers_add_to_one_actor_without_waiting_for_each_other(
        backend, engine):
    """Two imports open at once, both adding to the wire's counts: each writes the row
    of its own slot, so the second does not queue behind the first's transaction."""
    if backend != "postgresql":
        pytest.skip("SQLite writers are serial: one slot")
    import_spec(engine, spec(ORIGIN))
    with engine.connect() as probe:
        wire = probe.execute(select(Actor.id).where(Actor.key == "wire")).scalar_one()

    def slot(conn):
        found = conn.execute(text("SELECT pg_backend_pid() % :n"),
                             {"n": actor_counts.SLOTS}).scalar_one()
        conn.rollback()
        return found

    first = engine.connect()
    opened = [engine.connect()]
    while slot(opened[-1]) == slot(first):  # server process ids rarely share a slot
        opened.append(engine.connect())
    second = opened[-1]
    try:
        first_writes, second_writes = first.begin(), second.begin()
        second.execute(text("SET LOCAL lock_timeout = '2s'"))
        actor_counts._apply(first, {wire: [0, 5, 0, 0]})
        actor_counts._apply(second, {wire: [0, 7, 0, 0]})  # times out if it queues
        second_writes.commit()
        first_writes.rollback()
    finally:
        for conn in (first, *opened):
            conn.close()
    with engine.begin() as conn:
        assert actor_counts.disagreements(conn) == [(wire, (0, 9, 0, 0), (0, 2, 0, 0))]
        actor_counts.recount(conn)  # the 7 written by hand, for the check after the test
    assert kept(engine)["wire"] == (0, 2, 0, 0)


def test_an_actor_page_lists_as_many_as_its_kept_counts_on_both_read_paths(engine, db):
    """The actor page leaves out the list of statements said or relayed when the kept
    count of that kind is 0 (``readpath.actor``, ``queries.actor``): with seeds and
    the articles above, every actor's lists hold exactly its counts."""
    from claimsdb.format.seeds import seed_files
    from claimsdb.ingest.importer import import_files
    from claimsdb.query import queries, readpath
    from claimsdb.store import driver
    from claimsdb.store.db import read_connection

    import_files(engine, seed_files())
    for document in (ORIGIN, DENIAL, TANGLED):
        import_spec(engine, spec(document))
    counts = kept(engine)
    with engine.connect() as conn:
        keys = list(conn.execute(select(Actor.key).order_by(Actor.key)).scalars())
    connection = driver.connect(db)
    try:
        for key in keys:
            originated, relayed, _, _ = counts.get(key, (0, 0, 0, 0))
            with connection.reading() as reader:
                fast = readpath.actor(reader, key)
            with read_connection(engine) as conn:
                full = queries.actor(conn, key)
            for detail in (fast, full):
                assert (len(detail.said), len(detail.relayed)) == (originated, relayed), key
    finally:
        connection.close()
    assert any(counts[key][1] == 0 for key in counts)
    assert any(counts[key][1] > 0 for key in counts)
