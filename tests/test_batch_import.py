"""``claimsdb add --batch N``: many files per transaction, the same rows as one by one.

The batch path writes new articles in bulk (``claimsdb.ingest.bulk``) and falls back to one
savepoint per file whenever that could answer differently. Every test compares it
with the one-file-per-transaction path on the same files, on both backends: same
rows (ids included), same per-file results, same refusals.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import Engine, event

from claimsdb.errors import ArticleConflict, ArticleError
from claimsdb.format.articles import parse_article, read_article
from claimsdb.ingest.importer import ADDED, UNCHANGED, ImportResult, import_batch, import_spec
from claimsdb.store import migrate
from claimsdb.store.db import make_engine
from helpers import dump

REPO = Path(__file__).resolve().parents[1]


def _generator():
    spec = importlib.util.spec_from_file_location("bench_generate", REPO / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while defined
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[Path]:
    """The benchmark's synthetic corpus, small: chains, anonymous origins, denials and
    repeats across articles, Cyrillic, stock quotes that need ``occurrence``."""
    folder = tmp_path_factory.mktemp("corpus") / "c"
    _generator().write_corpus(folder, 1500, seed=7)
    return sorted(folder.glob("part-*/*.yaml"))


@pytest.fixture
def other(backend, request, tmp_path) -> Engine:
    """A second database at the latest schema on the same backend, to compare with."""
    target = request.getfixturevalue("empty_db")
    engine = make_engine(target)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


def without_import_times(rows: dict) -> dict:
    """A database dump with each article's import time (which differs by run) left out."""
    out = dict(rows)
    from claimsdb.store.models import Article

    at = list(Article.__table__.columns.keys()).index("imported_at")
    out["articles"] = sorted((row[:at] + row[at + 1:] for row in rows["articles"]), key=repr)
    return out


def one_by_one(engine: Engine, specs) -> list[ImportResult]:
    return [import_spec(engine, spec) for spec in specs]


def batched(engine: Engine, specs, size: int, **options) -> list:
    outcomes = []
    for start in range(0, len(specs), size):
        outcomes += import_batch(engine, specs[start:start + size], **options)
    return outcomes


def doc(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def article(key: str, actors: str, statements: str, text: str = "Officials said it rained.\n"
            ) -> str:
    """An article file of the wire ``wire``; ``actors`` and ``statements`` are YAML lists."""
    return "\n".join([
        "format: claimsdb/article@1",
        "article:",
        f"  key: {key}",
        f"  title: {key}",
        "  outlet: wire",
        f"  text: {text!r}",
        "actors:",
        textwrap.indent(doc(actors), "  "),
        "statements:",
        textwrap.indent(doc(statements), "  "),
    ])


# -- the same rows ------------------------------------------------------------------------

def test_a_batched_corpus_is_stored_exactly_as_file_by_file(engine, other, corpus):
    specs = [read_article(path) for path in corpus]
    expected = one_by_one(other, specs)
    outcomes = batched(engine, specs, 25)
    assert outcomes == expected
    assert all(o.status == ADDED for o in outcomes)
    # ids included: references between articles, and anything a user noted down by id,
    # mean the same statements whichever way the files were loaded
    assert without_import_times(dump(engine)) == without_import_times(dump(other))
    statements = sum(len(spec.statements) for spec in specs)
    assert len(dump(engine)["statements"]) == statements == 1500


def test_a_batch_of_new_articles_costs_a_few_statements_not_a_dozen_per_file(engine, corpus):
    specs = [read_article(path) for path in corpus[:40]]
    sent: list[str] = []

    def count(_conn, _cursor, statement, _parameters, _context, _executemany):
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        outcomes = import_batch(engine, specs)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert [o.status for o in outcomes] == [ADDED] * 40
    # Written in bulk (claimsdb.ingest.bulk): one file at a time would be over 400 statements.
    assert len(sent) < 40, sent


def test_actor_definitions_merge_across_the_files_of_one_batch(engine, other):
    first = article("first", """
        - {key: wire, name: Wire, kind: outlet}
        - {key: officials, name: Officials, kind: group, identified: anonymous}
        - {key: ministry, name: Ministry, kind: government}
        """, "- {key: rain, quote: it rained, chain: [officials]}")
    # fills an empty field, adds an alias and a role, defines a new actor
    second = article("second", """
        - {key: wire, name: Wire, kind: outlet, aliases: [The Wire]}
        - key: officials
          name: Officials
          kind: group
          description: Unnamed officials.
          roles: [{of: ministry, title: staff}]
        - {key: ministry, name: Ministry, kind: government}
        - {key: aide, name: Олена Коваленко, kind: person}
        """, "- {key: rain, quote: it rained, chain: [aide, officials]}")
    third = article("third", """
        - {key: wire, name: Wire, kind: outlet, aliases: [The Wire]}
        - {key: aide, name: Олена Коваленко, kind: person, aliases: [Коваленко]}
        """, "- {key: rain, quote: it rained, chain: [aide], repeats: [second#rain]}")
    specs = [parse_article(t, source=f"{n}.yaml")
             for n, t in (("first", first), ("second", second), ("third", third))]
    expected = one_by_one(other, specs)
    assert [(r.actors_added, r.actors_updated) for r in expected] == [(3, 0), (1, 2), (0, 1)]
    assert batched(engine, specs, 10) == expected
    assert without_import_times(dump(engine)) == without_import_times(dump(other))


def test_a_batch_locks_only_the_stored_actors_it_adds_to(engine, other):
    """PostgreSQL locks a stored actor (FOR NO KEY UPDATE) only when the batch adds an
    alias, a role or an empty field's value to it; one whose definitions are all
    stored already is left alone. Each batch still stores what file by file gives."""
    wire = "- {key: wire, name: Wire, kind: outlet, aliases: [The Wire]}"
    officials = ("- {key: officials, name: Officials, kind: group, "
                 "roles: [{of: wire, title: sources}]}")
    batches = [
        [article("one", f"{wire}\n{officials}", "- {key: rain, quote: it rained, "
                 "chain: [officials]}")],
        [article("two", f"{wire}\n{officials}", "- {key: rain, quote: it rained, "
                 "chain: [officials]}")],  # the same definitions: nothing to add
        [article("three", "- {key: wire, name: Wire, kind: outlet, aliases: [Wire Service]}\n"
                 f"{officials}", "- {key: rain, quote: it rained, chain: [officials]}")],
    ]
    locked: list[list[str]] = []

    def spy(_conn, _cursor, statement, parameters, _context, _executemany):
        if "FOR NO KEY UPDATE" in statement:
            locked[-1].append(str(parameters))

    event.listen(engine, "before_cursor_execute", spy)
    try:
        for number, texts in enumerate(batches):
            specs = [parse_article(t, source=f"{number}.yaml") for t in texts]
            locked.append([])
            assert import_batch(engine, specs) == one_by_one(other, specs)
    finally:
        event.remove(engine, "before_cursor_execute", spy)
    assert without_import_times(dump(engine)) == without_import_times(dump(other))
    if engine.dialect.name == "postgresql":
        assert locked[0] == []  # every actor new: nothing stored to lock
        assert locked[1] == []  # every definition already stored
        assert len(locked[2]) == 1 and "wire" in locked[2][0]
        assert "officials" not in locked[2][0]


# -- falling back to one savepoint per file ----------------------------------------------------

def test_a_stored_article_in_a_batch_is_unchanged_and_the_others_are_added(engine, other,
                                                                            corpus):
    specs = [read_article(path) for path in corpus[:6]]
    for spec in specs[:3]:  # (later articles refer to earlier ones)
        import_spec(engine, spec)
        import_spec(other, spec)
    expected = one_by_one(other, specs)
    assert [o.status for o in expected] == [UNCHANGED] * 3 + [ADDED] * 3
    assert import_batch(engine, specs) == expected
    assert without_import_times(dump(engine)) == without_import_times(dump(other))


def test_a_bad_file_is_rolled_back_alone_and_the_files_before_it_are_kept(engine, other):
    good = article("good", "- {key: wire, name: Wire, kind: outlet}",
                   "- {key: rain, quote: it rained}")
    conflicting = article("conflicting", "- {key: wire, name: Wire Service, kind: outlet}",
                          "- {key: rain, quote: it rained}")
    after = article("after", "- {key: wire, name: Wire, kind: outlet}",
                    "- {key: rain, quote: it rained}")
    specs = [parse_article(t, source=f"{i}.yaml")
             for i, t in enumerate((good, conflicting, after))]
    outcomes = import_batch(engine, specs)
    assert isinstance(outcomes[0], ImportResult) and outcomes[0].status == ADDED
    assert isinstance(outcomes[1], ArticleError)
    assert "conflicts with the stored name 'Wire'" in str(outcomes[1])
    assert len(outcomes) == 2  # stopped at the bad file
    import_spec(other, specs[0])
    assert without_import_times(dump(engine)) == without_import_times(dump(other))

    outcomes = import_batch(engine, specs, keep_going=True)
    assert [type(o) for o in outcomes] == [ImportResult, ArticleError, ImportResult]
    assert [o.status for o in outcomes if isinstance(o, ImportResult)] == [UNCHANGED, ADDED]


def test_a_reference_to_a_later_file_of_the_batch_is_refused_as_file_by_file(engine):
    earlier = article("earlier", "- {key: wire, name: Wire, kind: outlet}",
                      "- {key: rain, quote: it rained, repeats: [later#rain]}")
    later = article("later", "- {key: wire, name: Wire, kind: outlet}",
                    "- {key: rain, quote: it rained}")
    specs = [parse_article(earlier, source="earlier.yaml"),
             parse_article(later, source="later.yaml")]
    outcomes = import_batch(engine, specs, keep_going=True)
    assert isinstance(outcomes[0], ArticleError)
    assert "no article 'later' is stored" in str(outcomes[0])
    assert isinstance(outcomes[1], ImportResult) and outcomes[1].status == ADDED


def test_a_changed_article_in_a_batch_is_a_conflict_unless_replaced(engine):
    one = article("story", "- {key: wire, name: Wire, kind: outlet}",
                  "- {key: rain, quote: it rained}")
    two = article("story", "- {key: wire, name: Wire, kind: outlet}",
                  "- {key: rain, quote: it rained}", text="Officials said it rained hard.\n")
    import_spec(engine, parse_article(one, source="one.yaml"))
    outcomes = import_batch(engine, [parse_article(two, source="two.yaml")])
    assert isinstance(outcomes[0], ArticleConflict)
    outcomes = import_batch(engine, [parse_article(two, source="two.yaml")], replace=True)
    assert outcomes[0].status == "replaced"


def test_a_dry_run_batch_writes_nothing(engine, corpus):
    specs = [read_article(path) for path in corpus[:5]]
    before = dump(engine)
    outcomes = import_batch(engine, specs, dry_run=True)
    assert [o.status for o in outcomes] == [ADDED] * 5
    assert all(o.dry_run for o in outcomes)
    assert dump(engine) == before


# -- the command ---------------------------------------------------------------------------------

def test_add_batch_imports_every_file_and_reports_each(cli, corpus, engine, other):
    files = corpus[:12]
    result = cli("add", "--batch", "5", *files)
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[-1] == "12 added"
    assert sum("added article" in line for line in lines) == 12
    one_by_one(other, [read_article(path) for path in files])
    assert without_import_times(dump(engine)) == without_import_times(dump(other))


def test_add_batch_stops_at_a_bad_file_keeping_the_ones_before(cli, corpus, write_article,
                                                               engine):
    bad = write_article(article("broken", "- {key: wire, name: Wire, kind: outlet}",
                                "- {key: rain, quote: it snowed}"), name="b-broken.yaml")
    files = [*corpus[:3], bad, *corpus[3:5]]
    result = cli("add", "--batch", "4", *map(str, files))
    assert result.exit_code == 1
    assert "«it snowed» is not in the article text" in result.output
    assert "the 3 file(s) before it were imported" in result.output
    assert len(dump(engine)["articles"]) == 3

    result = cli("add", "--batch", "4", "--keep-going", *map(str, files))
    assert result.exit_code == 1
    assert "2 added, 3 unchanged, 1 failed" in result.output
    assert len(dump(engine)["articles"]) == 5


def test_add_batch_must_be_a_positive_number(cli, corpus):
    result = cli("add", "--batch", "0", str(corpus[0]))
    assert result.exit_code == 2
    assert "--batch" in result.output


def test_files_parsed_ahead_by_workers_come_back_in_order_with_their_errors(
        corpus, tmp_path, monkeypatch):
    from claimsdb.ingest import prefetch

    monkeypatch.setattr(prefetch, "WORKER_THRESHOLD", 1)  # workers even for a few files
    monkeypatch.setattr(prefetch, "MIN_CHUNK", 1)
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: claimsdb/article@1\narticle: {key: Bad Key}\n", encoding="utf-8")
    files = [*corpus[:7], bad, *corpus[7:13]]
    with prefetch.ParsedFiles(files, 3) as parsing:
        assert parsing._pool is not None  # seven tasks of two files, in worker processes
        results = list(parsing)
    assert [path for path, _ in results] == files
    assert [type(r).__name__ for _, r in results] == ["ArticleSpec"] * 7 + ["ArticleError"] + \
        ["ArticleSpec"] * 6
    error = results[7][1]
    assert error.source == str(bad) and "'Bad Key' is not a valid key" in str(error)
    assert [r.key for _, r in results[:3]] == [read_article(p).key for p in corpus[:3]]
    assert results[0][1].content_hash() == read_article(corpus[0]).content_hash()
    # What the import asks of a spec alone was worked out in the worker and came back
    # with it, equal to what this process would work out.
    spec, fresh = results[0][1], read_article(corpus[0])
    assert {"_content_hash", "actor_keys"} <= spec.__dict__.keys()
    assert spec.actor_keys == fresh.actor_keys
    assert all("definition" in actor.__dict__ for actor in spec.actors)
    assert [a.definition for a in spec.actors] == [a.definition for a in fresh.actors]


def test_an_actor_definition_is_what_it_says_not_where():
    """``ActorSpec.definition``: one value for a definition repeated word for word
    at another line, another when any field, a role's date included, differs (a batch
    merges only the first of equal definitions)."""
    def spec(actors: str):
        return parse_article(article("a", actors, "- {key: s, quote: it rained, chain: "
                                                  "[official]}"), source="a.yaml")

    base = "- {key: official, name: Official, kind: person, roles: [{of: ministry, " \
           "title: «Minister», from: 2020-01-01}]}\n- {key: ministry, name: Ministry, " \
           "kind: government}"
    first = spec(base).actors[0]
    moved = spec("# a comment line first\n" + base).actors[0]
    ended = spec(base.replace("from: 2020-01-01", "from: 2020-01-01, "
                              "to: 2021-01-01")).actors[0]
    assert first.line != moved.line and first.definition == moved.definition
    assert first.definition != ended.definition
    assert spec(base).actor_keys == {"official", "ministry", "wire"}


def _unreadable(tmp_path: Path) -> Path:
    bad = tmp_path / "unreadable.yaml"
    bad.write_text("format: claimsdb/article@1\narticle: {key: Bad Key}\n", encoding="utf-8")
    return bad


def test_batches_are_cut_at_their_size_and_around_an_unreadable_file(corpus, tmp_path,
                                                                     monkeypatch):
    """Groups (what one task parses: two files here) are handed over as they come; a
    batch ends at its size or before a file that could not be read, which comes alone."""
    from claimsdb.ingest import prefetch

    monkeypatch.setattr(prefetch, "MIN_CHUNK", 1)
    bad = _unreadable(tmp_path)
    files = [*corpus[:7], bad, *corpus[7:13]]
    shape = []
    with prefetch.ParsedFiles(files, 3) as parsing:
        for item in parsing.batches():
            if isinstance(item, ArticleError):
                shape.append(Path(item.source).name)
            else:
                shape.append([[Path(spec.source).name for spec in group] for group in item])
    names = [path.name for path in files]
    assert shape == [
        [names[0:2], names[2:3]], [names[3:4], names[4:6]], [names[6:7]],
        "unreadable.yaml",
        [names[8:10], names[10:11]], [names[11:12], names[12:14]],
    ]


def test_a_batch_must_be_consumed_before_the_next(corpus):
    from claimsdb.ingest import prefetch

    with prefetch.ParsedFiles(corpus[:6], 2) as parsing:
        batches = parsing.batches()
        next(batches)
        with pytest.raises(RuntimeError, match="not consumed"):
            next(batches)


def test_a_streamed_batch_writes_each_group_before_taking_the_next(engine, corpus,
                                                                   monkeypatch):
    """What lets a one-batch import write while its last files are still parsed."""
    from claimsdb.ingest import bulk
    from claimsdb.ingest.importer import import_stream

    events = []
    write = bulk.import_new_articles

    def logged(conn, specs):
        events.append(("wrote", [spec.key for spec in specs]))
        return write(conn, specs)

    monkeypatch.setattr(bulk, "import_new_articles", logged)
    specs = [read_article(path) for path in corpus[:6]]
    groups = [specs[0:2], specs[2:3], specs[3:6]]

    def arriving():
        for group in groups:
            events.append(("parsed", [spec.key for spec in group]))
            yield group

    outcomes = import_stream(engine, arriving())
    assert [o.status for o in outcomes] == [ADDED] * 6
    assert events == [(kind, [s.key for s in group]) for group in groups
                      for kind in ("parsed", "wrote")]


def test_a_streamed_batch_is_stored_exactly_as_file_by_file(engine, other, corpus):
    from claimsdb.ingest.importer import import_stream

    specs = [read_article(path) for path in corpus]
    expected = one_by_one(other, specs)
    groups = [specs[start:start + 7] for start in range(0, len(specs), 7)]
    assert import_stream(engine, iter(groups)) == expected
    assert without_import_times(dump(engine)) == without_import_times(dump(other))


def test_a_transaction_run_again_gets_the_groups_it_had_consumed_then_the_rest():
    from claimsdb.ingest.importer import _Replaying

    source = _Replaying(iter("abcde"))
    first = iter(source)
    assert [next(first), next(first)] == ["a", "b"]  # then the transaction was rolled back
    assert list(source) == list("abcde")
    assert list(source) == list("abcde")


def test_add_batch_with_parsing_workers_gives_what_file_by_file_gives(cli, corpus, engine,
                                                                      other, tmp_path):
    """The whole corpus (more files than WORKER_THRESHOLD) through ``add --batch``:
    parsed by worker processes in groups smaller than a batch, each batch written as
    its groups arrive; an unreadable file in the middle fails alone (--keep-going)."""
    from claimsdb.ingest import prefetch

    assert len(corpus) >= prefetch.WORKER_THRESHOLD
    middle = len(corpus) // 2
    files = [*corpus[:middle], _unreadable(tmp_path), *corpus[middle:]]
    result = cli("add", "--batch", "30", "--keep-going", *map(str, files))
    assert result.exit_code == 1
    assert f"\n{len(corpus)} added, 1 failed\n" in result.output
    assert "'Bad Key' is not a valid key" in result.output
    one_by_one(other, [read_article(path) for path in corpus])
    assert without_import_times(dump(engine)) == without_import_times(dump(other))


# How each front end adds the seed files with --batch, in a fresh process.
_ADD_SEEDS = {
    "api": """
        import claimsdb
        with claimsdb.open({db!r}) as db:
            db.add(seed_files(), batch=500)
        """,
    # The command once imported the importer's module before calling Database.add, so
    # SQLAlchemy was loaded when the workers started (a third of a second at 10k).
    "command line": """
        from claimsdb.cli import main
        try:
            main(["--db", {db!r}, "add", "--batch", "500", *map(str, seed_files())],
                 prog_name="claimsdb")
        except SystemExit as done:
            assert not done.code, done.code
        """,
}


@pytest.mark.parametrize("front", sorted(_ADD_SEEDS))
def test_the_parsing_starts_before_the_importer_and_sqlalchemy_are_loaded(tmp_path, front):
    """``add --batch`` (``Database.add``, and the command that calls it) starts the
    parsing workers first, so that they come up on the second core while the command
    loads the importer (SQLAlchemy) and opens the database; the import is the same."""
    program = textwrap.dedent("""
        import sys
        from claimsdb.ingest import prefetch
        seen = []
        start = prefetch.ParsedFiles.__init__
        def started(self, *args, **kwargs):
            seen.append(sorted(m for m in ("sqlalchemy", "claimsdb.ingest.adding")
                               if m in sys.modules))
            start(self, *args, **kwargs)
        prefetch.ParsedFiles.__init__ = started
        from claimsdb.api import seed_files
        """) + textwrap.dedent(_ADD_SEEDS[front].format(db=str(tmp_path / "c.db"))) + \
        textwrap.dedent("""
        import claimsdb
        with claimsdb.open({db!r}) as db:
            stored = len(db.articles())
        print("SEEN", seen, stored, file=sys.stderr)
        """.format(db=str(tmp_path / "c.db")))
    ran = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                         timeout=300, check=False)
    assert ran.returncode == 0, ran.stderr[-2000:]
    from claimsdb.format.seeds import seed_files

    assert ran.stderr.rsplit("SEEN ", 1)[1].split() == ["[[]]", str(len(seed_files()))]
