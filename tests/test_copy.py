"""``claimsdb copy``: a whole database moved between backends, verified by its exports.

The source holds the bundled seed plus articles that relate to it and to each other
(denials, support, contradiction and repeats across articles), with Cyrillic text,
curly and angled quotes, authors, dated roles, aliases and an offset timestamp. A copy
is right when ``claimsdb export csv`` of source and target are byte for byte the same,
when every row (ids included) is the same, and when the target keeps working: search
finds statements, and the next import gets fresh ids.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text

from claimsdb.errors import DatabaseError
from claimsdb.format.seeds import seed_files
from claimsdb.ingest.importer import import_files
from claimsdb.query.queries import search_condition
from claimsdb.store import migrate
from claimsdb.store.copying import copy_database
from claimsdb.store.db import make_engine
from claimsdb.store.models import Article, Statement
from conftest import REPO, Cli
from helpers import content, dump

DIRECTIONS = [("sqlite", "postgresql"), ("postgresql", "sqlite"), ("sqlite", "sqlite"),
              ("postgresql", "postgresql")]
DIRECTION_IDS = [f"{a}-to-{b}" for a, b in DIRECTIONS]

TASS = """\
format: claimsdb/article@1
article:
  key: tass-peskov-rejects-report
  title: "Песков: оценки западных спецслужб «не соответствуют действительности»"
  outlet: tass
  authors: [ivanova]
  url: https://example.org/tass/peskov-rejects
  published: 2025-03-14T09:30:00+03:00
  language: ru
  text: |
    Песков заявил, что оценки западных спецслужб «не соответствуют действительности».

    “We have repeatedly said that Russia is open to peace efforts,” Peskov said — adding that Kyiv
    should take the first step.
actors:
  - {key: tass, name: ТАСС, kind: outlet, aliases: [TASS]}
  - {key: ivanova, name: Анна Иванова, kind: person}
  - key: peskov
    name: Dmitry Peskov
    kind: person
    aliases: [Дмитрий Песков]
    roles:
      - {of: kremlin, title: press secretary, from: 2012-05-22}
statements:
  - key: assessments-do-not-reflect-reality
    quote: оценки западных спецслужб «не соответствуют действительности»
    kind: direct
    chain: [{actor: peskov, cue: заявил}]
    about: [putin]
    denies: [putin-stance-stalls-talks#officials-putin-maximalist-demands]
    repeats: [putin-stance-stalls-talks#peskov-western-assessment-does-not-reflect-reality]
  - key: russia-open-to-peace
    quote: "“We have repeatedly said that Russia is open to peace efforts,”"
    kind: direct
    stated_on: 2025-03-13
    chain: [{actor: peskov, cue: said}]
    supports: [putin-stance-stalls-talks#peskov-russia-open-to-peace-efforts]
  - key: kyiv-first-step
    quote: "Kyiv\\nshould take the first step"
    chain: [{actor: peskov, cue: adding}]
"""

ANALYSIS = """\
format: claimsdb/article@1
article:
  key: analysis-who-wants-peace
  title: Who wants peace? Two readings
  outlet: example-news
  published: 2025-03-15
  text: |
    Officials in Kyiv said Moscow's “openness” is a pose.

    Western officials, again citing the same sources, say Putin's demands remain "maximalist".
actors:
  - {key: example-news, name: Example News, kind: outlet}
  - {key: kyiv-officials, name: Officials in Kyiv, kind: government, identified: role}
statements:
  - key: openness-is-a-pose
    quote: Moscow's “openness” is a pose
    chain: [{actor: kyiv-officials, cue: said}]
    contradicts: [tass-peskov-rejects-report#russia-open-to-peace]
  - key: demands-remain-maximalist
    quote: Putin's demands remain "maximalist"
    chain: [{actor: western-security-officials, cue: say}]
    repeats: [putin-stance-stalls-talks#officials-putin-maximalist-demands]
    contradicts: [tass-peskov-rejects-report#assessments-do-not-reflect-reality]
"""

_names = itertools.count()


class Databases:
    """Makes databases on either backend within one test; drops them afterwards."""

    def __init__(self, request, tmp_path: Path):
        self.request = request
        self.tmp_path = tmp_path
        self.dropped: list[str] = []

    def new(self, backend: str, *, initialised: bool = False) -> str:
        name = f"claimsdb_copy_{uuid.uuid4().hex[:8]}_{next(_names)}"
        if backend == "sqlite":
            path = self.tmp_path / f"{name}.db"
            if initialised:
                engine = make_engine(str(path))
                migrate.upgrade(engine)
                engine.dispose()
            return str(path)
        server = self.request.getfixturevalue("postgres")
        template = self.request.getfixturevalue("postgres_template") if initialised else None
        self.dropped.append(name)
        return server.create(name, template=template)

    def close(self) -> None:
        if self.dropped:
            server = self.request.getfixturevalue("postgres")
            for name in self.dropped:
                server.drop(name)


@pytest.fixture
def databases(request, tmp_path) -> Iterator[Databases]:
    made = Databases(request, tmp_path)
    yield made
    made.close()


def build_source(url: str, tmp_path: Path) -> Engine:
    engine = make_engine(url)
    migrate.upgrade(engine)
    files = [*seed_files(), REPO / "examples" / "kremlin-denies-report.yaml"]
    for name, body in (("tass.yaml", TASS), ("analysis.yaml", ANALYSIS)):
        path = tmp_path / name
        path.write_text(body, encoding="utf-8")
        files.append(path)
    import_files(engine, files)
    return engine


def export_csv(db: str) -> bytes:
    result = Cli(db)("export", "csv")
    assert result.exit_code == 0, result.stderr
    return result.stdout_bytes


def utc(value):
    """Timestamps compared as instants: SQLite hands back naive UTC, PostgreSQL aware."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    return value


def rows_with_ids(engine: Engine):
    return {table: [tuple(utc(v) for v in row) for row in rows]
            for table, rows in dump(engine).items()}


@pytest.mark.parametrize(("source_backend", "target_backend"), DIRECTIONS, ids=DIRECTION_IDS)
def test_copy_reproduces_the_database_byte_for_byte(databases, tmp_path, source_backend,
                                                    target_backend):
    source_db = databases.new(source_backend)
    target_db = databases.new(target_backend)
    source = build_source(source_db, tmp_path)

    result = Cli(source_db)("copy", "--to", target_db)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(
        "copied 4 articles, 43 statements, 19 actors, 32 relations (")
    assert "initialised a new claimsdb database" in result.stderr
    assert "copying" not in result.stderr  # no progress bar when stderr is not a terminal

    target = make_engine(target_db)
    original = export_csv(source_db)
    rows = list(csv.reader(io.StringIO(original.decode("utf-8"), newline="")))
    assert len(rows) == 1 + 43
    assert ["tass-peskov-rejects-report", "kyiv-first-step", "indirect",
            "Kyiv\nshould take the first step"] in [row[:4] for row in rows]
    assert "не соответствуют действительности".encode() in original
    assert export_csv(target_db) == original
    assert content(target) == content(source)
    assert rows_with_ids(target) == rows_with_ids(source)
    with target.connect() as conn:
        assert migrate.current_revision(conn) == migrate.head_revision()
    checked = Cli(target_db)("check")  # spans, chains, speakers, full-text index, storage
    assert checked.exit_code == 0, checked.stdout
    assert "no problems found (4 articles, 43 statements" in checked.stdout
    source.dispose()
    target.dispose()


@pytest.mark.parametrize(("source_backend", "target_backend"), DIRECTIONS, ids=DIRECTION_IDS)
def test_the_copy_keeps_working_search_and_new_imports(databases, tmp_path, source_backend,
                                                       target_backend, write_article):
    source_db = databases.new(source_backend)
    target_db = databases.new(target_backend, initialised=True)  # `claimsdb init` first
    source = build_source(source_db, tmp_path)
    copied = copy_database(source, make_engine(target_db))
    assert not copied.initialised
    target = make_engine(target_db)

    # Full-text search: SQLite's FTS table was filled by its triggers as rows arrived;
    # PostgreSQL's GIN index is an index on the table itself.
    with target.connect() as conn:
        found = conn.execute(
            select(Article.key, Statement.key).join(Article, Article.id == Statement.article_id)
            .where(search_condition(conn, "соответствуют действительности"))
        ).all()
        maximalist = conn.execute(
            select(Statement.key).where(search_condition(conn, "maximalist demands"))
        ).scalars().all()
    assert found == [("tass-peskov-rejects-report", "assessments-do-not-reflect-reality")]
    assert "officials-putin-maximalist-demands" in maximalist

    # The next import gets ids after the copied ones (PostgreSQL sequences were reset).
    with target.connect() as conn:
        highest = conn.execute(text("SELECT max(id) FROM statements")).scalar()
    path = write_article(ANALYSIS.replace("analysis-who-wants-peace", "analysis-again"))
    (imported,) = import_files(target, [path])
    assert imported.status == "added"
    with target.connect() as conn:
        new_ids = conn.execute(
            select(Statement.id).join(Article, Article.id == Statement.article_id)
            .where(Article.key == "analysis-again")
        ).scalars().all()
    assert min(new_ids) > highest
    source.dispose()
    target.dispose()


@pytest.mark.parametrize(("source_backend", "target_backend"), DIRECTIONS[:2],
                         ids=DIRECTION_IDS[:2])
def test_a_target_holding_data_is_refused_and_left_as_it_was(databases, tmp_path,
                                                             source_backend, target_backend):
    source_db = databases.new(source_backend)
    target_db = databases.new(target_backend, initialised=True)
    build_source(source_db, tmp_path).dispose()
    target = make_engine(target_db)
    import_files(target, [REPO / "examples" / "kremlin-denies-report.yaml"])
    before = dump(target)

    result = Cli(source_db)("copy", "--to", target_db)
    assert result.exit_code == 1
    assert "already holds claimsdb data (5 actors" in result.stderr
    assert "nothing was copied" in result.stderr
    assert "Traceback" not in result.stderr
    assert dump(target) == before
    target.dispose()


@pytest.mark.parametrize(("source_backend", "target_backend"), DIRECTIONS[:2],
                         ids=DIRECTION_IDS[:2])
def test_a_failed_copy_leaves_an_empty_target_empty(databases, tmp_path, source_backend,
                                                    target_backend, monkeypatch):
    """All or nothing: the schema and the rows are one transaction on the target."""
    import claimsdb.store.copying as copying

    source_db = databases.new(source_backend)
    target_db = databases.new(target_backend)
    source = build_source(source_db, tmp_path)
    copied_tables: list[str] = []
    real_batches = copying._batches

    def failing_batches(conn, table, size):
        copied_tables.append(table.name)
        if table.name == "chain_hops":
            raise DatabaseError("the network went away")
        yield from real_batches(conn, table, size)

    monkeypatch.setattr(copying, "_batches", failing_batches)
    with pytest.raises(DatabaseError, match="the network went away"):
        copy_database(source, make_engine(target_db))
    assert "statements" in copied_tables  # it failed part-way, after writing rows

    target = make_engine(target_db)
    with target.connect() as conn:
        assert migrate.is_empty(conn)
    target.dispose()
    source.dispose()


@pytest.mark.parametrize(("source_backend", "target_backend"), DIRECTIONS[:2],
                         ids=DIRECTION_IDS[:2])
def test_copy_in_small_batches_gives_the_same_result(databases, tmp_path, source_backend,
                                                     target_backend):
    source_db = databases.new(source_backend)
    target_db = databases.new(target_backend)
    source = build_source(source_db, tmp_path)
    progress: list[tuple[int, int]] = []
    result = copy_database(source, make_engine(target_db), batch_rows=7,
                           on_progress=lambda done, total: progress.append((done, total)))
    total = result.total
    assert progress[0] == (0, total)
    assert progress[-1] == (total, total)
    assert len(progress) > total // 7  # one report per batch of at most 7 rows
    assert all(b[0] - a[0] <= 7 for a, b in itertools.pairwise(progress))
    assert export_csv(target_db) == export_csv(source_db)
    source.dispose()


def test_copy_onto_itself_is_refused(seeded, cli, backend):
    result = cli("copy", "--to", seeded)
    assert result.exit_code == 1
    assert "the source and the target are the same database" in result.stderr


def test_copy_into_a_database_at_another_schema_version_is_refused(databases, seeded, cli,
                                                                   backend):
    target_db = databases.new(backend)
    target = make_engine(target_db)
    migrate.upgrade(target, "0001")
    result = cli("copy", "--to", target_db)
    assert result.exit_code == 1
    assert "is older than this claimsdb" in result.stderr
    assert "run 'claimsdb init' to upgrade it" in result.stderr
    with target.connect() as conn:
        assert migrate.current_revision(conn) == "0001"
    target.dispose()


def test_copy_of_a_missing_source_or_to_a_bad_target_exits_1(tmp_path, seeded, cli):
    missing = Cli(str(tmp_path / "nope.db"))("copy", "--to", str(tmp_path / "x.db"))
    assert missing.exit_code == 1
    assert "no database at" in missing.stderr
    bad = cli("copy", "--to", "postgresql+psycopg://postgres@127.0.0.1:notaport/x")
    assert bad.exit_code == 1
    assert "not a database URL or path" in bad.stderr
    folder = cli("copy", "--to", str(tmp_path / "no-such-folder" / "x.db"))
    assert folder.exit_code == 1
    assert "folder" in folder.stderr and "does not exist" in folder.stderr
    usage = cli("copy")
    assert usage.exit_code == 2
    assert "Missing option '--to'" in usage.stderr
