"""Validation that helps: dry runs that write nothing, every problem of a file in one
pass, warnings for links whose dates run backwards, and suggestions by key, name and
alias (issue 11 items 16, 19, 20, 21 and 25c).

Through the CLI (``cli`` fixture) and the library, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import textwrap
import unicodedata
from pathlib import Path

import pytest
from sqlalchemy import insert

from claimsdb.errors import ArticleError
from claimsdb.format.articles import parse_article
from claimsdb.ingest.importer import import_files, import_spec
from claimsdb.query.suggestions import LIMIT, Candidate, actor_candidates, fold, rank
from claimsdb.store.db import make_engine
from claimsdb.store.models import Actor
from conftest import Cli
from helpers import dump

STORED = """\
article:
  key: stored
  title: Talks stalled
  outlet: ap
  published: 2025-03-12
  text: Yevgeny Yenin said the talks stalled. Later he denied it.
actors:
  - {key: ap, name: Associated Press, kind: outlet}
  - {key: yevgeny-yenin, name: Yevgeny Yenin, kind: person, aliases: [Yenin]}
statements:
  - {key: stalled, quote: the talks stalled, chain: [yevgeny-yenin], stated_on: 2025-03-11}
"""

# Published two days before the article it repeats; its denial is dated before the claim.
EARLIER = """\
article:
  key: earlier
  title: Echo
  outlet: ap
  published: 2025-03-10
  text: Reports said the talks stalled, and it was denied.
actors:
  - {key: ap, name: Associated Press, kind: outlet}
statements:
  - {key: echo, quote: the talks stalled, repeats: [stored#stalled]}
  - {key: deny, quote: it was denied, denies: [stored#stalled], stated_on: 2025-03-01}
"""

# A denial dated before the claim it denies, within one file.
IN_FILE = """\
article:
  key: in-file
  title: Both sides
  published: 2025-04-02
  text: Officials said the dam broke. A minister denied the dam broke.
actors:
  - {key: officials, name: Officials, kind: group, identified: anonymous}
  - {key: minister, name: A minister, kind: person}
statements:
  - {key: claim, quote: Officials said the dam broke, chain: [officials], stated_on: 2025-04-01}
  - key: denial
    quote: A minister denied
    chain: [minister]
    stated_on: 2025-03-30
    denies: [claim]
"""


def write(folder: Path, name: str, content: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(content), encoding="utf-8")
    return path


def files_in(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


# -- item 16: a dry run writes nothing -----------------------------------------------------

def test_issue11_item16_dry_run_on_a_missing_database_creates_no_file(tmp_path):
    """Issue 11 item 16: no database file (nor -wal/-shm) appears, the dry run says it
    checked the files alone, and it reports what a real add into a new database
    reports (a later file may use what an earlier one adds)."""
    folder = tmp_path / "files"
    folder.mkdir()
    files = [write(folder, "a-stored.yaml", STORED), write(folder, "b-earlier.yaml", EARLIER)]
    target = tmp_path / "new.db"
    before = files_in(tmp_path)
    cli = Cli(None)

    dry = cli("add", "--dry-run", *files, db=str(target))

    assert dry.exit_code == 0, dry.output
    assert files_in(tmp_path) == before  # no new.db, new.db-wal or new.db-shm
    assert f"no database at {target} yet; checked the files alone" in dry.stderr
    assert "would add article 'stored'" in dry.stdout
    assert "would add article 'earlier'" in dry.stdout

    real = cli("add", *files, db=str(tmp_path / "real.db"))
    assert real.exit_code == 0, real.output
    assert _as_real(dry.stdout) == real.stdout
    assert _warnings(dry.stderr) == _warnings(real.stderr)


def _as_real(stdout: str) -> str:
    return (stdout.replace("would add", "added").replace("would replace", "replaced")
            .replace("dry run, nothing written: ", ""))


def _warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith(("Warning:", "Error:", "  - "))]


def test_issue11_item16_dry_run_on_a_database_without_schema_leaves_it_empty(empty_db, tmp_path):
    """Issue 11 item 16: a database without the claimsdb schema is not initialised by
    a dry run (PostgreSQL: no tables appear; SQLite: an empty file stays empty)."""
    if not empty_db.startswith("postgresql"):
        Path(empty_db).touch()
    path = write(tmp_path, "stored.yaml", STORED)

    result = Cli(empty_db)("add", "--dry-run", path)

    assert result.exit_code == 0, result.output
    assert "has no claimsdb schema yet; checked the files alone" in result.stderr
    assert "would add article 'stored'" in result.stdout
    if not empty_db.startswith("postgresql"):
        assert Path(empty_db).stat().st_size == 0
        return
    engine = make_engine(empty_db, create=False)
    try:
        from claimsdb.store import migrate
        from claimsdb.store.db import read_connection

        with read_connection(engine) as conn:
            assert migrate.is_empty(conn)
    finally:
        engine.dispose()


@pytest.mark.parametrize("batch", ["1", "2"])
def test_issue11_item16_dry_run_on_a_stored_database_matches_a_real_add(cli, db, engine,
                                                                      tmp_path, batch):
    """Issue 11 item 16: against an existing database (opened read-only) a dry run
    reports exactly what the real add then does, changes no row, and (SQLite) leaves
    the database file's bytes as they were; a later file may rely on an earlier one."""
    assert cli("add", "-q", write(tmp_path, "stored.yaml", STORED)).exit_code == 0
    changed = STORED.replace("Talks stalled", "Talks stalled again")
    files = [
        write(tmp_path, "1-earlier.yaml", EARLIER),
        write(tmp_path, "2-in-file.yaml", IN_FILE),
        # uses the actor 'minister' that 2-in-file.yaml adds, and its statement
        write(tmp_path, "3-uses-earlier.yaml", """\
            article: {key: uses-earlier, title: Later, text: The minister repeated it.}
            statements:
              - {key: again, quote: repeated it, chain: [minister], repeats: [in-file#denial]}
            """),
        write(tmp_path, "4-changed.yaml", changed),
        write(tmp_path, "5-unknown.yaml", """\
            article: {key: unknown, title: Unknown, text: Yenin said so.}
            statements:
              - {key: so, quote: said so, chain: [yenin]}
            """),
    ]
    before = dump(engine)
    file_bytes = Path(db).read_bytes() if not db.startswith("postgresql") else None

    dry = cli("add", "--dry-run", "--keep-going", "--replace", "--batch", batch, *files)

    assert dump(engine) == before
    if file_bytes is not None:
        assert Path(db).read_bytes() == file_bytes
    assert dry.exit_code == 1, dry.output
    assert "would add article 'uses-earlier'" in dry.stdout
    assert "would replace article 'stored'" in dry.stdout
    real = cli("add", "--keep-going", "--replace", "--batch", batch, *files)
    assert real.exit_code == 1
    assert _as_real(dry.stdout) == real.stdout
    assert _warnings(dry.stderr) == _warnings(real.stderr)
    assert "unknown actor 'yenin'" in dry.stderr


def test_issue11_item16_library_dry_run_writes_nothing(db, engine):
    """Issue 11 item 16: ``import_spec(dry_run=True)`` runs in a read-only transaction
    and gives the result of the real import, counts included."""
    spec = parse_article(STORED, source="stored.yaml")
    before = dump(engine)
    dry = import_spec(engine, spec, dry_run=True)
    assert dump(engine) == before
    real = import_spec(engine, spec)
    assert (dry.status, dry.statements, dry.actors_added, dry.actors_updated) == (
        real.status, real.statements, real.actors_added, real.actors_updated)
    assert dry.dry_run and not real.dry_run
    grown = STORED.replace("aliases: [Yenin]", "aliases: [Yenin, Y. Yenin]")
    spec = parse_article(grown, source="stored.yaml")
    before = dump(engine)
    dry = import_spec(engine, spec, dry_run=True)
    assert dump(engine) == before
    assert dry.actors_updated == 1 == import_spec(engine, spec).actors_updated


def test_issue11_item16_dry_run_of_several_files_counts_as_the_real_run(db, engine, tmp_path):
    """Issue 11 item 16: a later file that repeats what an earlier file of the same
    dry run fills in or adds (a description, an alias) is counted as in the real run."""
    import_spec(engine, parse_article(STORED, source="stored.yaml"))
    filled = STORED.replace("kind: person, aliases: [Yenin]",
                            "kind: person, aliases: [Yenin, Y. Yenin], description: Envoy")
    paths = [write(tmp_path, "one.yaml", filled.replace("key: stored\n", "key: one\n")),
             write(tmp_path, "two.yaml", filled.replace("key: stored\n", "key: two\n"))]
    before = dump(engine)
    dry = import_files(engine, paths, dry_run=True)
    assert dump(engine) == before
    real = import_files(engine, paths)
    assert [(r.status, r.actors_added, r.actors_updated) for r in dry] == [
        (r.status, r.actors_added, r.actors_updated) for r in real] == [
        ("added", 0, 1), ("added", 0, 0)]


def test_issue11_item16_the_dry_run_transaction_cannot_write(db):
    """Issue 11 item 16: what a dry run checks in refuses writes: SQLite opened with
    mode=ro, PostgreSQL in a READ ONLY transaction."""
    from sqlalchemy import exc

    from claimsdb.errors import DatabaseError
    from claimsdb.ingest.importer import read_only_transaction

    engine = make_engine(db, create=False, readonly=True)
    try:
        with pytest.raises((exc.DBAPIError, DatabaseError), match=r"read-only|readonly"), \
                read_only_transaction(engine) as conn:
            conn.execute(insert(Actor), [{"key": "x", "name": "X", "kind": "person",
                                          "identified": "named"}])
    finally:
        engine.dispose()


# -- item 19: links whose dates run backwards ----------------------------------------------

def test_issue11_item19_backwards_links_warn_at_import_and_in_check(cli, tmp_path):
    """Issue 11 item 19: a repeat of a later article and denials dated before what
    they deny (stored target and in-file target) import with a warning naming file,
    statement, field and both dates; 'check' lists them as warnings (exit 0, exit 1
    with --strict)."""
    assert cli("add", "-q", write(tmp_path, "stored.yaml", STORED)).exit_code == 0
    earlier = write(tmp_path, "earlier.yaml", EARLIER)
    in_file = write(tmp_path, "in-file.yaml", IN_FILE)

    result = cli("add", earlier, in_file)

    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    assert warnings == [
        f"Warning: {earlier}: line 10, statement 'echo', field 'repeats': repeats "
        "'stored#stalled': this statement is dated 2025-03-10 (article published), before "
        "its target, dated 2025-03-12 (article published): a repeat cannot be published "
        "before what it repeats; check the dates and the link",
        f"Warning: {earlier}: line 11, statement 'deny', field 'denies': denies "
        "'stored#stalled': this statement is dated 2025-03-01 (stated_on), before its "
        "target, dated 2025-03-11 (stated_on): a denial cannot come before the claim it "
        "denies; check the dates and the link",
        f"Warning: {in_file}: line 11, statement 'denial', field 'denies': denies 'claim': "
        "this statement is dated 2025-03-30 (stated_on), before its target, dated "
        "2025-04-01 (stated_on): a denial cannot come before the claim it denies; check "
        "the dates and the link",
    ]

    check = cli("check")
    assert check.exit_code == 0, check.output
    assert "no problems found, 3 warnings" in check.stdout
    listed = [line for line in check.stdout.splitlines() if line.startswith("  warning: ")]
    assert listed[0].startswith("  warning: article 'earlier', statement 'deny', field "
                                "'denies': denies 'stored#stalled': this statement is dated "
                                "2025-03-01 (stated_on)")
    assert len(listed) == 3
    strict = cli("check", "--strict")
    assert strict.exit_code == 1
    assert "3 warnings in" in strict.stderr


def test_issue11_item19_batch_import_warns_alike(cli, tmp_path):
    """Issue 11 item 19: the bulk path of 'add --batch' (new articles, one referring
    to an earlier file of the batch) warns as the file-by-file path does."""
    files = [write(tmp_path, "a-stored.yaml", STORED), write(tmp_path, "b-earlier.yaml", EARLIER)]
    result = cli("add", "--batch", "10", *files)
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    assert [w.split(": ")[2] for w in warnings] == [
        "line 10, statement 'echo', field 'repeats'", "line 11, statement 'deny', field 'denies'"]


def test_issue11_item19_replacing_an_article_warns_about_links_into_it(engine):
    """Issue 11 item 19: a replaced article whose new dates put a stored denial of it
    before the claim is imported with a warning naming the denial and both dates."""
    import_spec(engine, parse_article(STORED, source="stored.yaml"))
    denier = """\
article: {key: denier, title: Denier, published: 2025-03-21, text: He denied it.}
statements:
  - {key: d, quote: denied it, stated_on: 2025-03-20, denies: [stored#stalled]}
"""
    assert import_spec(engine, parse_article(denier, source="d.yaml")).warnings == ()
    moved = STORED.replace("stated_on: 2025-03-11", "stated_on: 2025-03-25")
    for dry_run in (True, False):
        result = import_spec(engine, parse_article(moved, source="stored.yaml"), replace=True,
                             dry_run=dry_run)
        (warning,) = result.warnings
        assert warning.item == "statement 'stalled'"
        assert warning.message == (
            "denier#d denies this statement, and denier#d is dated 2025-03-20 (stated_on), "
            "before its target, dated 2025-03-25 (stated_on): a denial cannot come before "
            "the claim it denies; check the dates and the link")


def test_issue11_item19_a_same_day_or_undated_link_is_not_judged(engine):
    """Issue 11 item 19: only a whole day backwards is reported; no date, no warning."""
    import_spec(engine, parse_article(STORED, source="stored.yaml"))
    same_day = EARLIER.replace("2025-03-10", "2025-03-12T08:00:00+02:00").replace(
        "2025-03-01", "2025-03-11")
    assert import_spec(engine, parse_article(same_day, source="x.yaml")).warnings == ()
    undated = EARLIER.replace("  published: 2025-03-10\n", "").replace(
        ", stated_on: 2025-03-01", "")
    assert import_spec(engine, parse_article(undated.replace("key: earlier", "key: undated"),
                                             source="y.yaml")).warnings == ()


# -- item 20: every problem of a file in one pass ------------------------------------------

BROKEN = """\
article: {key: broken, title: Broken, outlet: ap, text: "Yenin said no. Someone said 42."}
actors:
  - {key: ap, name: Associated Press, kind: outlet}
  - {key: yevgeny-yenin, name: Yevgeny Yenin, kind: group}
statements:
  - {key: one, quote: said no, chain: [yenin]}
  - {key: two, quote: 42, denies: [stored#staled]}
"""


@pytest.mark.parametrize("batch", ["1", "3"])
def test_issue11_item20_file_and_database_problems_in_one_pass(cli, engine, tmp_path, batch):
    """Issue 11 item 20: a wrong type in one statement's quote does not hide the
    unknown actor of another, a conflicting actor definition or a misspelt stored
    reference; file by file and --batch alike, nothing imported."""
    assert cli("add", "-q", write(tmp_path, "stored.yaml", STORED)).exit_code == 0
    before = dump(engine)
    path = write(tmp_path, "broken.yaml", BROKEN)

    result = cli("add", "--batch", batch, path)

    assert result.exit_code == 1
    assert dump(engine) == before
    lines = [line for line in result.stderr.splitlines() if line.startswith("  - ")]
    assert f"{path}: 4 problems, nothing was imported" in result.stderr
    assert lines == [
        "  - line 7, statement 'two', field 'quote': must be text, not a number (put it in "
        "quotes)",
        "  - line 6, actors: unknown actor 'yenin' (used in statement 'one' chain); define it "
        "in this file's 'actors' list with key, name and kind; did you mean 'yevgeny-yenin' "
        "(alias 'Yenin')?",
        "  - line 4, actor 'yevgeny-yenin', field 'kind': 'group' conflicts with the stored "
        "kind 'person'. Use the stored value, or give a different actor a different key (or, "
        "if the stored value is wrong, import with --update-actors to correct it)",
        "  - line 7, statement 'two', field 'denies': denies 'stored#staled': article "
        "'stored' has no statement 'staled'; did you mean 'stalled'?",
    ]


def test_issue11_item20_database_checks_that_depend_on_broken_parts_are_skipped(engine,
                                                                                tmp_path):
    """Issue 11 item 20: an actor definition whose key cannot be read might define any
    key, so no actor is called unknown then; the library path reports the rest."""
    path = write(tmp_path, "broken.yaml", """\
        article: {key: broken, title: Broken, text: Yenin said no.}
        actors:
          - {name: Yevgeny Yenin, kind: person}
        statements:
          - {key: one, quote: said no, chain: [yenin], supports: [nowhere#x]}
        """)
    with pytest.raises(ArticleError) as info:
        import_files(engine, [path])
    messages = [p.message for p in info.value.problems]
    assert messages[0] == "is required"
    assert not any("unknown actor" in m for m in messages)
    assert any("no article 'nowhere' is stored" in m for m in messages)


# -- item 21: suggestions by key, name and alias -------------------------------------------

def test_issue11_item21_suggestions_by_name_and_alias_in_every_lookup(cli, tmp_path):
    """Issue 11 item 21: filters and lookups suggest by key, name and alias."""
    assert cli("add", "-q", write(tmp_path, "stored.yaml", STORED)).exit_code == 0
    cases = [
        (("statements", "--via", "Assocated Press"),
         "no actor 'Assocated Press'; did you mean:\n  ap  (Associated Press)"),
        (("statements", "--speaker", "yenim"),
         "no actor 'yenim'; did you mean:\n  yevgeny-yenin  (Yevgeny Yenin; alias 'Yenin')"),
        (("statements", "--about", "Yevgeni Yenin"),
         "did you mean:\n  yevgeny-yenin  (Yevgeny Yenin)"),
        (("actor", "yevgeny-yenim"), "did you mean:\n  yevgeny-yenin  (Yevgeny Yenin)"),
        (("statements", "--article", "stord"),
         "no article 'stord' is stored; did you mean:\n  stored  (Talks stalled)"),
        (("article", "talks stalled"), "did you mean:\n  stored  (Talks stalled)"),
        (("export", "article", "stord"), "did you mean:\n  stored  (Talks stalled)"),
        (("chain", "stored#staled"),
         "article 'stored' has no statement 'staled'; did you mean:\n  stored#stalled"),
        (("chain", "stord#stalled"), "no article 'stord' is stored; did you mean:\n  stored"),
        (("trace", "staled"), "no statement 'staled'; did you mean:\n  stored#stalled"),
    ]
    for args, says in cases:
        result = cli(*args)
        assert result.exit_code == 1, (args, result.output)
        assert says in result.stderr, (args, result.stderr)


def test_issue11_item21_unknown_actor_in_a_file_is_matched_by_alias(cli, engine, tmp_path):
    """Issue 11 item 21: an unknown actor key that is an alias of a stored actor, or of
    one the file itself defines, is offered that actor."""
    assert cli("add", "-q", write(tmp_path, "stored.yaml", STORED)).exit_code == 0
    path = write(tmp_path, "alias.yaml", """\
        article: {key: alias, title: Alias, text: Yenin said no. Kallas said yes.}
        actors:
          - {key: kaja-kallas, name: Kaja Kallas, kind: person, aliases: [Kallas]}
        statements:
          - {key: refusal, quote: said no, chain: [yenin]}
          - {key: assent, quote: said yes, chain: [kallas]}
        """)
    result = cli("add", path)
    assert result.exit_code == 1
    assert "unknown actor 'yenin' (used in statement 'refusal' chain); define it in this file's " \
        "'actors' list with key, name and kind; did you mean 'yevgeny-yenin' (alias " \
        "'Yenin')?" in result.stderr
    assert "unknown actor 'kallas' (used in statement 'assent' chain); define it in this " \
        "file's 'actors' list with key, name and kind; did you mean 'kaja-kallas' (alias " \
        "'Kallas')?" in result.stderr


def test_issue11_item21_matching_folds_case_and_accents():
    """Issue 11 item 21: 'evora', 'ÉVORA' and 'Évora' are one name to the matcher."""
    assert fold("Évora  City") == fold("evora-city") == "evora city"
    candidates = [Candidate("city-of-evora", ("Évora",), ("name",)),
                  Candidate("vienna", ("Wien",), ("name",))]
    (best,) = rank("EVORA", candidates, n=1)
    assert (best.key, best.kind, best.matched) == ("city-of-evora", "name", "Évora")
    assert rank("zzzz", candidates) == []


def test_issue11_item21_candidates_are_bounded_on_a_large_database(engine):
    """Issue 11 item 21: however many actors are alike, at most LIMIT rows come back
    from the database, and the closest one is still among them."""
    with engine.begin() as conn:
        conn.execute(insert(Actor), [
            {"key": f"yen-{n:05d}", "name": f"Yen Person {n}", "kind": "person",
             "identified": "named"} for n in range(LIMIT * 3)])
        conn.execute(insert(Actor), [{"key": "yenin", "name": "Yenin", "kind": "person",
                                      "identified": "named"}])
        found = actor_candidates(conn, "yenim")
        assert len(found) <= LIMIT
        assert "yenin" in {c.key for c in found}
        assert rank("yenim", found, n=1)[0].key == "yenin"


# -- item 25c: names that differ only in Unicode form --------------------------------------

def test_issue11_item25c_conflict_between_nfc_and_nfd_names_says_so(engine):
    """Issue 11 item 25c: two identical-looking names are explained as NFC vs NFD."""
    nfc = "José Martí"
    nfd = unicodedata.normalize("NFD", nfc)
    stored = ("article: {key: a, title: A, text: He said yes.}\nactors:\n"
              f"  - {{key: jose, name: {nfc}, kind: person}}\n"
              "statements:\n  - {key: s, quote: said yes, chain: [jose]}\n")
    import_spec(engine, parse_article(stored, source="a.yaml"))
    again = stored.replace("key: a,", "key: b,").replace(nfc, nfd)
    with pytest.raises(ArticleError) as info:
        import_spec(engine, parse_article(again, source="b.yaml"))
    (problem,) = info.value.problems
    assert "differ only in Unicode normalisation: the file's is NFD, the stored one NFC" \
        in problem.message


def test_dry_run_leaves_no_file_behind_in_a_real_process(tmp_path):
    """Issue 11 item 16, as a user runs it: the installed entry point, no database."""
    import subprocess
    import sys

    path = write(tmp_path, "stored.yaml", STORED)
    claimsdb = Path(sys.executable).with_name("claimsdb")
    env = {**os.environ, "CLAIMSDB_DB": str(tmp_path / "claims.db")}
    result = subprocess.run([str(claimsdb), "add", "--dry-run", str(path)], capture_output=True,
                            text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert files_in(tmp_path) == {"stored.yaml"}


def test_issue11_item20_dry_run_of_a_broken_file_knows_the_earlier_files(cli, tmp_path):
    """Issue 11 items 16 and 20: in a dry run, the database checks of a broken file see
    the actors and statements that earlier files of the run would add, as in the real
    run (where those files are committed first)."""
    files = [write(tmp_path, "1-stored.yaml", STORED), write(tmp_path, "2-broken.yaml", """\
        article: {key: broken, title: Broken, text: Yenin said no. Someone said 42.}
        statements:
          - {key: one, quote: said no, chain: [yevgeny-yenin], repeats: [stored#stalled]}
          - {key: two, quote: 42}
        """)]
    dry = cli("add", "--dry-run", *files)
    real = cli("add", *files)
    assert dry.exit_code == real.exit_code == 1
    assert _warnings(dry.stderr) == _warnings(real.stderr)
    assert "1 problem, nothing was imported" in real.stderr
