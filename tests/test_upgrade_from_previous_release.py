"""A database made by the previous release upgrades with ``claimsdb init``, nothing lost.

Issue 13: users have databases at schema 0003 (the release before article format 1.1);
migration 0004 rebuilds ``chain_hops``, ``statements`` and ``relations`` (batch mode on
SQLite), drops and re-creates the views and the full-text triggers. A mistake there
loses or changes stored claims silently, so the upgrade is checked end to end on data
written the way users' data was written:

- ``test_database_of_the_previous_release_upgrades_with_nothing_lost``: the previous
  release's own code (commit 0729ac8, taken out of git history) builds the database
  from the bundled seed and the test corpora as they were then, and takes every export
  (every CSV and JSON table, the list commands, PROV, each article file, each statement's
  chain); the current ``claimsdb init`` upgrades it; the same exports taken by
  the current code must be identical, and every row of every table that existed at
  0003 must be unchanged. Then ``check`` passes, full-text search works, and the
  database takes new imports and replacements.
- ``test_upgrade_after_downgrade_to_the_previous_head_loses_nothing``: needs no git
  history: the current code builds the database, migration 0004 steps down to 0003 and
  ``init`` (the Python API) steps up again; exports and rows must round-trip.

Without git history (a source tarball) the first test skips, with the reason, but in
CI (``CI=true`` or ``CLAIMSDB_TEST_REQUIRE_POSTGRES=1``) it fails instead: there the
checkout is a full clone, and a skip would hide a lost check.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, MetaData, inspect, text

from claimsdb.store import migrate
from claimsdb.store.db import make_engine
from conftest import REPO, Cli
from upgrade_exports import take_exports

PREVIOUS_RELEASE = "0729ac8"  # main just before migration 0004 landed
PREVIOUS_HEAD = "0003"
EXPORTS_SCRIPT = Path(__file__).resolve().parent / "upgrade_exports.py"
# What the previous release's tree contributes: its code, its migrations and the
# articles it shipped and tested with (read by its own parser, as users' files were).
RELEASE_PATHS = ("src", "migrations", "seeds", "examples", "tests/data")

# Exports that are allowed to differ after the upgrade, because the current release
# documents the change as an intended improvement: none. Version-1 data must come out
# of every export as the previous release wrote it; the one documented kind of change
# is an addition (CHANGELOG: format 1.1 adds CSV columns after every earlier one and
# keys to JSON objects), so ``as_before`` drops what was not there before, and the
# rest must be byte for byte (CSV) or value for value (JSON) the same.
DOCUMENTED_CHANGES: dict[str, str] = {}


def _projected(before: object, after: object) -> object:
    """``after`` with the keys that ``before`` does not have dropped, recursively."""
    if isinstance(before, dict) and isinstance(after, dict):
        return {key: _projected(before[key], after[key]) if key in before else after[key]
                for key in after if key in before}
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [_projected(b, a) for b, a in zip(before, after, strict=True)]
    return after


def as_before(before: str, after: str) -> str:
    """``after`` without the columns and keys that are new since ``before`` (see
    DOCUMENTED_CHANGES), in ``before``'s own serialisation where it is JSON."""
    try:
        old, new = json.loads(before), json.loads(after)
    except ValueError:
        pass
    else:
        return before if _projected(old, new) == old else after
    lines_before, lines_after = before.splitlines(), after.splitlines()
    try:
        if lines_before and len(lines_before) == len(lines_after) and all(
                line.startswith("{") for line in lines_before):
            olds = [json.loads(line) for line in lines_before]
            news = [json.loads(line) for line in lines_after]
            return before if [_projected(o, n) for o, n in zip(olds, news, strict=True)] \
                == olds else after
    except ValueError:
        pass
    if lines_before and lines_after and "," in lines_before[0]:
        rows_before = list(csv.reader(io.StringIO(before, newline="")))
        rows_after = list(csv.reader(io.StringIO(after, newline="")))
        header_before, header_after = rows_before[0], rows_after[0]
        if header_after[:len(header_before)] == header_before:
            width = len(header_before)
            if [row[:width] for row in rows_after] == rows_before:
                return before
    return after

NEW_ARTICLE = """\
format: claimsdb/article@1
article:
  key: mirna-zavod-pratsiuie
  title: «Завод працює», — каже мер; опозиція це заперечує
  outlet: dniprovska-pravda
  url: https://example.org/uk/2026/12/02/zavod
  published: 2026-12-02
  text: |
    Мер Олена Коваль заявила: «Завод працює у звичайному режимі». Представник
    опозиції назвав це “відвертою неправдою” — без доказів.
actors:
  - {key: dniprovska-pravda, name: Дніпровська правда, kind: outlet}
  - {key: olena-koval, name: Олена Коваль, kind: person}
  - {key: opposition-spokesman, name: Представник опозиції, kind: person, identified: role}
statements:
  - key: zavod-pratsiuie
    kind: direct
    quote: Завод працює у звичайному режимі
    chain: [{actor: olena-koval, cue: заявила}]
  - key: nepravda
    quote: відвертою неправдою
    chain: [{actor: opposition-spokesman, cue: назвав}]
    denies: [zavod-pratsiuie]
"""


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true" or \
        os.environ.get("CLAIMSDB_TEST_REQUIRE_POSTGRES") == "1"


@pytest.fixture(scope="session")
def previous_release(tmp_path_factory) -> Path:
    """The previous release's tree (code, migrations, shipped and test articles), taken
    out of this checkout's git history."""
    folder = tmp_path_factory.mktemp("previous-release")
    try:
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", "--format=tar", PREVIOUS_RELEASE,
             *RELEASE_PATHS], capture_output=True, check=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as error:
        stderr = getattr(error, "stderr", b"") or b""
        reason = (f"the previous release ({PREVIOUS_RELEASE}) is not in this checkout's "
                  f"git history ({error}; {stderr.decode(errors='replace').strip()}); "
                  "the upgrade from its database cannot be tested")
        if in_ci():
            pytest.fail(reason + " (in CI the checkout must be a full clone)")
        pytest.skip(reason)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True,
                   timeout=120)
    return folder


def corpus(root: Path, folder: Path | None = None) -> list[Path]:
    """Every version-1 article the release shipped or tested with that imports into one
    database: the bundled seed, the examples and the corpus, search and trace test
    articles (a later tree's format 1.1 examples are left out: schema 0003 cannot
    hold them). A format 1.1 seed, which other test articles refer to, is taken in
    its version-1 form (``seed_as_version_1``, written into ``folder``)."""
    data = root / "tests" / "data"
    seeds = sorted((root / "seeds").glob("*.yaml"))
    if folder is not None:
        seeds = [seed_as_version_1(path, folder) for path in seeds]
    files = [*seeds, *sorted((root / "examples").glob("*.yaml")),
             *(path for folder in ("corpus", "search", "trace")
               for path in sorted((data / folder).glob("*.yaml")))]
    return [path for path in files
            if "claimsdb/article@1.1" not in path.read_text(encoding="utf-8")]


def seed_as_version_1(path: Path, folder: Path) -> Path:
    """A seed article without what format 1.1 added to it (hop mentions, topics and
    notes): the same statements, chains and relations, which schema 0003 holds."""
    import shutil

    import yaml

    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    if document.get("format") != "claimsdb/article@1.1":
        return path
    document["format"] = "claimsdb/article@1"
    document["article"].pop("note", None)
    for statement in document["statements"]:
        statement.pop("topics", None)
        statement.pop("note", None)
        statement["chain"] = [hop if isinstance(hop, str) else
                              {key: value for key, value in hop.items()
                               if key in ("actor", "cue")}
                              for hop in statement.get("chain", [])]
    written = folder / path.name
    shutil.copyfile(path.parent / document["article"]["text_file"],
                    folder / document["article"]["text_file"])
    written.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False),
                       encoding="utf-8")
    return written


def exports_by_previous_release(release: Path, db: str, out: Path,
                                files: list[Path] = ()) -> dict:
    """upgrade_exports.py run by the previous release's code (its src first on the
    path), in a process of its own: with ``files`` it builds the database first."""
    env = {**os.environ, "PYTHONPATH": str(release / "src")}
    env.pop("CLAIMSDB_DB", None)
    done = subprocess.run([sys.executable, str(EXPORTS_SCRIPT), db, str(out), *map(str, files)],
                          cwd=out.parent, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text(encoding="utf-8"))
    assert Path(result["code"]).is_relative_to(release), \
        f"the previous release's exports ran the wrong code: {result['code']}"
    return result


def current_exports(db: str, folder: Path) -> dict[str, str]:
    exports = take_exports(db, folder)
    assert exports.failures == {}, exports.failures
    return exports.outputs


def rows(engine: Engine) -> dict[str, dict[str, list[tuple]]]:
    """Every row of every table, read by reflection (so it works at any revision):
    table -> column -> the rows' values, in primary-key order, as text."""
    with engine.connect() as conn:
        metadata = MetaData()
        metadata.reflect(conn, views=False)
        snapshot = {}
        for table in metadata.sorted_tables:
            if table.name == "alembic_version" or table.name.startswith("statements_fts"):
                continue
            order = list(table.primary_key.columns) or list(table.columns)
            found = conn.execute(table.select().order_by(*order)).mappings().all()
            snapshot[table.name] = {
                column.name: [None if row[column.name] is None else str(row[column.name])
                              for row in found] for column in table.columns}
        return snapshot


# Tables an upgrade fills from the stored rows (0005: each actor's counts); checked
# against counting again (``assert_counts_kept``) and through the exports.
DERIVED_TABLES = {"actor_counts"}


def with_counts_summed(snapshot: dict) -> dict:
    """``rows`` with each actor's kept counts summed over its slots: a PostgreSQL import
    keeps them in its own slot, an upgrade in slot 0, and only the sums mean anything."""
    kept = snapshot.get("actor_counts")
    if kept is None:
        return snapshot
    sums: dict[str, list[int]] = {}
    names = [name for name in kept if name not in ("actor_id", "slot")]
    for i, actor in enumerate(kept["actor_id"]):
        total = sums.setdefault(actor, [0] * len(names))
        for j, name in enumerate(names):
            total[j] += int(kept[name][i])
    return {**snapshot, "actor_counts": {actor: tuple(total)
                                         for actor, total in sorted(sums.items())}}


def assert_counts_kept(engine: Engine) -> None:
    """The kept counts are what counting every statement again gives."""
    from claimsdb.query import actor_counts

    with engine.connect() as conn:
        assert actor_counts.disagreements(conn) == []
        assert conn.execute(actor_counts.kept()).first() is not None


def without_cue_spans(snapshot: dict) -> dict:
    """``rows`` without the derived cue spans, which only an import computes."""
    hops = {column: values for column, values in snapshot["chain_hops"].items()
            if column not in ("cue_start", "cue_end")}
    return {**snapshot, "chain_hops": hops}


def without_cue_span_values(exports: dict[str, str]) -> dict[str, str]:
    """Exports with every JSON ``cue_span`` as null (see ``without_cue_spans``)."""
    span = re.compile(r'"cue_span":\s*\[\s*\d+,\s*\d+\s*\]')
    return {name: span.sub('"cue_span":null', text) for name, text in exports.items()}


# Columns a migration since 0003 worked out from the rows already stored (0006: what
# each article's rows decide of its sourcing); ``claimsdb check``, run after the
# upgrade, works each out again and compares.
WORKED_OUT = {("articles", "independent_origins"), ("statements", "depth"),
              ("chain_hops", "relays_for")}


def assert_rows_kept(before: dict, after: dict) -> None:
    """Every table and column of ``before`` holds the same values in ``after``; what
    0004 added is empty: new columns hold their defaults, new tables no rows (except
    the columns ``WORKED_OUT`` from the stored rows)."""
    for table, columns in before.items():
        assert table in after, f"table {table} is gone"
        for column, values in columns.items():
            assert after[table].get(column) == values, f"{table}.{column} changed"
        for column in after[table].keys() - columns.keys():
            if (table, column) in WORKED_OUT:
                continue
            expected = ["0" if column == "chain" else None] * len(after[table][column])
            assert after[table][column] == expected, f"new column {table}.{column} not empty"
    for table in after.keys() - before.keys() - DERIVED_TABLES:
        assert all(values == [] for values in after[table].values()), \
            f"new table {table} has rows"
    assert sum(len(next(iter(columns.values()), [])) for columns in before.values()) > 300


def assert_same_exports(before: dict[str, str], after: dict[str, str]) -> None:
    """The same commands printed the same bytes; a difference is shown as a diff."""
    assert before.keys() == after.keys()
    changed = [name for name in before
               if as_before(before[name], after[name]) != before[name]
               and name not in DOCUMENTED_CHANGES]
    if changed:
        name = changed[0]
        diff = "\n".join(list(difflib.unified_diff(
            before[name].splitlines(), after[name].splitlines(), "before", "after",
            lineterm=""))[:40])
        pytest.fail(f"{len(changed)} export(s) changed by the upgrade, e.g. "
                    f"'claimsdb {name}':\n{diff}\nall: {changed[:20]}", pytrace=False)


def fresh_schema_differences(engine: Engine, fresh: Engine) -> list[str]:
    """How the upgraded schema differs from a database made at head: constraints (names
    and rules), primary keys, indexes, and on SQLite the triggers and views."""
    def describe(target: Engine) -> dict:
        with target.connect() as conn:
            inspector = inspect(conn)
            shape = {}
            for table in inspector.get_table_names():
                if table.startswith("statements_fts"):
                    continue
                shape[table] = (
                    sorted((c["name"], " ".join(c["sqltext"].split()))
                           for c in inspector.get_check_constraints(table)),
                    inspector.get_pk_constraint(table),
                    sorted((i["name"], tuple(i["column_names"]), bool(i["unique"]))
                           for i in inspector.get_indexes(table)),
                    sorted(c["name"] or "" for c in inspector.get_unique_constraints(table)),
                    sorted(str(sorted(fk.items())) for fk in inspector.get_foreign_keys(table)),
                    [(c["name"], str(c["type"]), c["nullable"], c["default"])
                     for c in inspector.get_columns(table)],
                )
            if conn.dialect.name == "sqlite":
                shape["sqlite_master"] = sorted(
                    (kind, name, " ".join((sql or "").split()))
                    for kind, name, sql in conn.exec_driver_sql(
                        "SELECT type, name, sql FROM sqlite_master "
                        "WHERE type IN ('trigger', 'view')"))
            else:
                shape["pg_constraints"] = sorted(conn.execute(text(
                    "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                    "FROM pg_constraint WHERE connamespace = 'public'::regnamespace")).all())
                shape["pg_indexes"] = sorted(conn.execute(text(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
                )).all())
            return shape

    upgraded, made = describe(engine), describe(fresh)
    return [f"{name}: upgraded {upgraded.get(name)!r} != fresh {made.get(name)!r}"
            for name in sorted(upgraded.keys() | made.keys())
            if upgraded.get(name) != made.get(name)]


def assert_works_after_upgrade(db: str, engine: Engine, fresh_db: str, tmp_path: Path,
                               release: Path) -> None:
    """``check`` passes, the schema is the one a new database gets, full-text search
    finds old and new quotes, and new imports and replacements go in."""
    cli = Cli(db)
    checked = cli("check")
    assert checked.exit_code == 0, checked.output
    fresh = make_engine(fresh_db)
    try:
        assert fresh_schema_differences(engine, fresh) == []
    finally:
        fresh.dispose()
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":  # raises if the index disagrees with its table
            conn.exec_driver_sql("INSERT INTO statements_fts(statements_fts, rank) "
                                 "VALUES ('integrity-check', 1)")
    found = cli("statements", "--search", "hijack", "--format", "json")
    assert {s["ref"].split("#")[1] for s in json.loads(found.output)} == \
        {"hijacked", "hijackers", "plan"}

    article = tmp_path / "new-article.yaml"
    article.write_text(NEW_ARTICLE, encoding="utf-8")
    added = cli("add", str(article))
    assert added.exit_code == 0, added.output
    found = cli("statements", "--search", "завод", "--format", "json")
    assert [s["ref"] for s in json.loads(found.output)] == \
        ["mirna-zavod-pratsiuie#zavod-pratsiuie"]
    denials = cli("denials", "--article", "mirna-zavod-pratsiuie", "--format", "json")
    assert len(json.loads(denials.output)) == 1

    # Replacing a stored article deletes and re-inserts its statements, hops and
    # relations: the rebuilt tables' keys, cascades and the search triggers at work.
    example = release / "examples" / "kremlin-denies-report.yaml"
    changed = tmp_path / example.name
    changed.write_text(example.read_text(encoding="utf-8").replace(
        "title: ", "title: (corrected) ", 1), encoding="utf-8")
    replaced = cli("add", "--replace", str(changed))
    assert replaced.exit_code == 0, replaced.output
    checked = cli("check")
    assert checked.exit_code == 0, checked.output
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("INSERT INTO statements_fts(statements_fts, rank) "
                                 "VALUES ('integrity-check', 1)")
            fts_rows = conn.exec_driver_sql("SELECT count(*) FROM statements_fts").scalar()
            statements = conn.exec_driver_sql("SELECT count(*) FROM statements").scalar()
            assert fts_rows == statements


def test_database_of_the_previous_release_upgrades_with_nothing_lost(
        empty_db, db, previous_release, tmp_path):
    """The issue 13 promise, on data the previous release wrote: ``db`` is a fresh
    database at head, for comparing the upgraded schema with."""
    files = corpus(previous_release)
    assert len(files) >= 30
    before = exports_by_previous_release(previous_release, empty_db,
                                         tmp_path / "before.json", files)
    assert before["failures"] == {}, before["failures"]
    engine = make_engine(empty_db, create=False)
    try:
        with engine.connect() as conn:
            assert migrate.current_revision(conn) == PREVIOUS_HEAD
        rows_before = rows(engine)

        upgraded = Cli(empty_db)("init")
        assert upgraded.exit_code == 0, upgraded.output
        said = upgraded.output.splitlines()
        assert said[0].startswith("upgraded ") and said[0].endswith(
            f" from schema version {PREVIOUS_HEAD} to {migrate.head_revision()}, keeping "
            "every stored article, statement and actor as it was:")
        assert said[1:] == [
            "  0004: Article format 1.1: what real articles say.",
            "  0005: Each actor's counts kept as articles come and go, for the first page "
            "of claimsdb actors.",
            "  0006: Each article's sourcing measures stored with its rows, for claimsdb "
            "sources."]
        with engine.connect() as conn:
            assert migrate.current_revision(conn) == migrate.head_revision()

        assert_rows_kept(rows_before, rows(engine))
        assert_counts_kept(engine)
        assert_same_exports(before["outputs"], current_exports(empty_db, tmp_path))
        assert_works_after_upgrade(empty_db, engine, db, tmp_path, previous_release)
    finally:
        engine.dispose()


def test_upgrade_after_downgrade_to_the_previous_head_loses_nothing(empty_db, db, tmp_path):
    """The same promise without git history: the current code writes version-1 data at
    head, 0004 steps down to 0003 (every row of 0003's columns kept) and the Python
    API's ``init`` steps up again (every export and row as before)."""
    import claimsdb

    engine = make_engine(empty_db)
    try:
        with claimsdb.open(empty_db) as database:
            assert database.init() == (None, migrate.head_revision())
            version_1 = tmp_path / "version-1"
            version_1.mkdir()
            database.add(corpus(REPO, version_1))
        exports_at_head = current_exports(empty_db, tmp_path)
        rows_at_head = rows(engine)

        migrate.downgrade(engine, PREVIOUS_HEAD)
        rows_at_previous_head = rows(engine)
        for table, columns in rows_at_previous_head.items():
            for column, values in columns.items():
                assert rows_at_head[table][column] == values, f"{table}.{column} changed"

        with claimsdb.open(empty_db) as database:
            assert database.init() == (PREVIOUS_HEAD, migrate.head_revision())
            assert database.schema_changes(PREVIOUS_HEAD, "0004") == [
                ("0004", "Article format 1.1: what real articles say.")]
            assert database.schema_changes("0004", "0004") == []
            assert [step for step, _ in database.schema_changes(None, "0004")] == \
                ["0001", "0002", "0003", "0004"]
        # Hops stored before 0004 have no cue spans (NULL: not located; 0004 adds the
        # columns, it does not search article texts): everything else is as at head.
        assert with_counts_summed(without_cue_spans(rows(engine))) == \
            with_counts_summed(without_cue_spans(rows_at_head))
        assert_counts_kept(engine)
        assert_same_exports(without_cue_span_values(exports_at_head),
                            without_cue_span_values(current_exports(empty_db, tmp_path)))
        assert_works_after_upgrade(empty_db, engine, db, tmp_path, REPO)
    finally:
        engine.dispose()



# -- 'claimsdb seed' on a database the previous release seeded ----------------------------
#
# The bundled seed was re-annotated in format 1.1 after that release (mentions, cue
# spans, topics, notes), so the seed article such a database holds differs from the one
# 'seed' now imports. A user who upgrades and runs 'init' then 'seed' gets this
# release's annotation when the stored one is exactly what the previous release shipped
# (nothing of theirs is in it), and is told, with nothing changed, when they edited it.

SEED_KEY = "putin-stance-stalls-talks"
# An article of the user's own, written for the previous release, that relates to the
# seed: replacing the seed must keep its denial.
USER_ARTICLE = """\
format: claimsdb/article@1
article:
  key: kreml-otritsaet
  title: "Кремль: «требования» — выдумка"
  outlet: ru-vedomosti
  text: |
    Песков назвал сообщения о «максималистских» требованиях выдумкой.
actors:
  - {key: ru-vedomosti, name: Ведомости, kind: outlet}
statements:
  - key: vydumka
    quote: выдумкой
    chain: [{actor: peskov, cue: назвал}]
    denies: [putin-stance-stalls-talks#officials-putin-maximalist-demands]
"""


def previous_release_cli(release: Path, db: str, *args: str, cwd: Path) -> None:
    """Run the previous release's own command line (its src first on the path, its
    ``seeds/`` as the bundled seed) against ``db``; it must succeed."""
    env = {**os.environ, "PYTHONPATH": str(release / "src")}
    env.pop("CLAIMSDB_DB", None)
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from claimsdb.cli import main; "
         "main(prog_name='claimsdb')", "--db", db, *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def stored_seed(db: str) -> tuple[str, str]:
    engine = make_engine(db, create=False)
    try:
        with engine.connect() as conn:
            return tuple(conn.execute(text(
                "SELECT title, content_hash FROM articles WHERE key = :key"),
                {"key": SEED_KEY}).one())
    finally:
        engine.dispose()


def test_the_previous_release_seed_is_listed_as_an_earlier_version(previous_release):
    """seeds/earlier-versions.txt holds the content hash the current reader computes for
    the previous release's seed file (the hash that release stored, as the next test
    shows): if hashing ever changes, this fails instead of 'seed' silently refusing."""
    from claimsdb.format.articles import read_article
    from claimsdb.format.seeds import earlier_seed_versions, seed_files

    previous = read_article(previous_release / "seeds" / f"{SEED_KEY}.yaml").content_hash()
    current = read_article(seed_files()[0]).content_hash()
    assert previous != current, "the bundled seed is the previous release's: drop this test"
    assert previous in earlier_seed_versions()
    assert current not in earlier_seed_versions()


def test_seed_after_the_upgrade_replaces_the_previous_release_seed(
        empty_db, previous_release, tmp_path):
    users = tmp_path / "kreml-otritsaet.yaml"
    users.write_text(USER_ARTICLE, encoding="utf-8")
    previous_release_cli(previous_release, empty_db, "seed", cwd=tmp_path)
    previous_release_cli(previous_release, empty_db, "add", str(users), cwd=tmp_path)
    _, stored_hash = stored_seed(empty_db)

    cli = Cli(empty_db)
    assert cli("init").exit_code == 0
    seeded = cli("seed")
    assert seeded.exit_code == 0, seeded.output
    assert seeded.output == (
        f"seed {SEED_KEY}.yaml: replaced article '{SEED_KEY}' (36 statements); it was "
        "stored as an earlier release bundled it (unchanged since), and is now this "
        "release's annotation\n")

    from claimsdb.format.articles import read_article
    from claimsdb.format.seeds import seed_files

    assert stored_seed(empty_db)[1] == read_article(seed_files()[0]).content_hash() \
        != stored_hash
    chain = json.loads(cli("chain", f"{SEED_KEY}#officials-putin-maximalist-demands",
                           "--format", "json").output)
    assert [(hop["mention"], hop["cue_span"] is not None) for hop in chain["chain"]] == \
        [("Bloomberg", True), ("Western security officials", True)]
    # The user's denial of a seed statement survived the replacement.
    denials = json.loads(cli("denials", "--format", "json").output)
    assert ("kreml-otritsaet#vydumka", f"{SEED_KEY}#officials-putin-maximalist-demands") in \
        {(d["denial"]["ref"], d["denied"]["ref"]) for d in denials}
    again = cli("seed")
    assert again.output == f"seed {SEED_KEY}.yaml: unchanged article '{SEED_KEY}' " \
        "(already stored)\n"
    checked = cli("check")
    assert checked.exit_code == 0, checked.output


def test_seed_after_the_upgrade_leaves_a_seed_the_user_edited(
        empty_db, previous_release, tmp_path):
    """A seed article edited after seeding is the user's work: 'seed' says so, changes
    nothing, and says how to replace it; 'seed --replace' then does."""
    import claimsdb
    from claimsdb.errors import SeedConflict

    edited = tmp_path / f"{SEED_KEY}.yaml"
    edited.write_text((previous_release / "seeds" / edited.name).read_text(
        encoding="utf-8").replace('title: "Putin', 'title: "(annotated by us) Putin', 1),
        encoding="utf-8")
    (tmp_path / f"{SEED_KEY}.txt").write_bytes(
        (previous_release / "seeds" / f"{SEED_KEY}.txt").read_bytes())
    previous_release_cli(previous_release, empty_db, "seed", cwd=tmp_path)
    previous_release_cli(previous_release, empty_db, "add", "--replace", str(edited),
                         cwd=tmp_path)
    before = stored_seed(empty_db)
    assert before[0].startswith("(annotated by us)")

    cli = Cli(empty_db)
    assert cli("init").exit_code == 0
    refused = cli("seed")
    assert refused.exit_code == 1
    assert refused.stdout == ""
    assert refused.stderr == (
        f"Error: seed {SEED_KEY}.yaml: article '{SEED_KEY}' is stored with content that "
        "differs from this release's bundled seed and from every earlier release's, so it "
        "was changed after seeding; it was left as it is, and nothing was imported. To "
        "replace it with the bundled version, run 'claimsdb seed --replace' (to keep a "
        f"copy of the stored version first: 'claimsdb export article {SEED_KEY} -o "
        f"{SEED_KEY}.yaml').\n")
    assert stored_seed(empty_db) == before
    with claimsdb.open(empty_db) as database, pytest.raises(SeedConflict):
        database.seed()
    assert stored_seed(empty_db) == before

    replaced = cli("seed", "--replace")
    assert replaced.exit_code == 0, replaced.output
    assert replaced.output == \
        f"seed {SEED_KEY}.yaml: replaced article '{SEED_KEY}' (36 statements)\n"
    assert stored_seed(empty_db)[0] == "Putin's unyielding stance stalls peace talks with Ukraine"
    checked = cli("check")
    assert checked.exit_code == 0, checked.output
