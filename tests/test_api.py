"""The Python API on its own: what the command line did before it was the only way in.

Each test asks the library directly (``claimsdb.open``), on SQLite and PostgreSQL,
and where the command line answers the same question it checks that both give the
same answer: the CLI is option parsing, one library call and rendering.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

import claimsdb
from claimsdb.errors import ArticleConflict, ArticleError, ClaimsError, NotFound
from claimsdb.ingest.importer import ADDED, REPLACED, UNCHANGED
from claimsdb.query.queries import StatementFilter
from helpers import dump

REF = "putin-stance-stalls-talks#officials-putin-maximalist-demands"

ARTICLE = """\
format: claimsdb/article@1
article:
  key: ministry-says
  title: Ministry says the talks resume
  outlet: wire
  text: |
    The ministry said on Friday that “talks will resume next week” — in Geneva.
    Officials in Kyiv, who asked not to be named, called that «premature».
actors:
  - {{key: wire, name: Wire Service, kind: outlet}}
  - {{key: ministry, name: Міністерство, kind: government}}
  - {{key: kyiv-officials, name: Officials in Kyiv, kind: group, identified: anonymous}}
statements:
  - key: resume
    quote: talks will resume next week
    kind: direct
    chain: [{{actor: ministry, cue: said}}]
  - key: premature
    quote: {premature}
    chain: [{{actor: kyiv-officials, cue: called}}]
    contradicts: [resume]
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def database(db: str):
    with claimsdb.open(db) as opened:
        opened.init()
        yield opened


def test_add_reports_each_file_in_order_through_the_callback(database, tmp_path):
    first = write(tmp_path, "a.yaml", ARTICLE.format(premature="premature"))
    seen = []
    report = database.add([first, *claimsdb.api.seed_files()], on_progress=seen.append)
    assert [r.status for r in report.results] == [ADDED, ADDED]
    assert [r.key for r in seen] == ["ministry-says", "putin-stance-stalls-talks"]
    assert report.summary() == "2 added"
    again = database.add([first])
    assert again.counts == {UNCHANGED: 1}


def test_changed_content_is_a_conflict_until_replace_is_asked(database, tmp_path, engine):
    original = write(tmp_path, "a.yaml", ARTICLE.format(premature="premature"))
    database.add([original])
    changed = write(tmp_path, "b.yaml", ARTICLE.format(premature="«premature»"))
    before = dump(engine)
    with pytest.raises(ArticleConflict) as refused:
        database.add([changed])
    assert "replace" in str(refused.value)
    assert dump(engine) == before
    report = database.add([changed], replace=True)
    assert report.counts == {REPLACED: 1}
    assert database.chain("ministry-says#premature").quote == "«premature»"


def test_a_dry_run_checks_everything_and_writes_nothing(database, tmp_path, engine):
    before = dump(engine)
    report = database.add([write(tmp_path, "a.yaml", ARTICLE.format(premature="premature"))],
                          dry_run=True)
    assert report.dry_run and report.counts == {ADDED: 1}
    assert report.summary().startswith("dry run, nothing written")
    assert dump(engine) == before


def test_a_bad_file_raises_with_file_item_and_field_and_changes_nothing(database, tmp_path,
                                                                        engine):
    bad = write(tmp_path, "bad.yaml", ARTICLE.format(premature="not in the text"))
    before = dump(engine)
    with pytest.raises(ArticleError) as refused:
        database.add([bad])
    problem = refused.value.problems[0]
    assert str(bad) in str(refused.value)
    assert (problem.item, problem.field) == ("statement 'premature'", "quote")
    assert dump(engine) == before


def test_keep_going_collects_every_failure_and_keeps_the_good_files(database, tmp_path):
    good = write(tmp_path, "good.yaml", ARTICLE.format(premature="premature"))
    bad = write(tmp_path, "bad.yaml", ARTICLE.format(premature="nowhere").replace(
        "ministry-says", "other-article"))
    seen = []
    report = database.add([bad, good], keep_going=True, on_progress=seen.append)
    assert report.counts == {ADDED: 1} and len(report.failures) == 1
    assert isinstance(seen[0], ArticleError) and seen[1].status == ADDED
    assert report.summary() == "1 added, 1 failed"


def test_a_batch_import_gives_the_same_database_as_file_by_file(db, tmp_path, engine):
    files = [write(tmp_path, "a.yaml", ARTICLE.format(premature="premature")),
             *claimsdb.api.seed_files()]
    with claimsdb.open(db) as database:
        report = database.add(files, batch=2)
    assert report.counts == {ADDED: 2}
    assert {s.key for s in database.statements(StatementFilter(article="ministry-says"))} == {
        "resume", "premature"}


def test_add_article_takes_a_parsed_article(database):
    from claimsdb.format.articles import parse_article

    spec = parse_article(ARTICLE.format(premature="premature"), source="<test>")
    result = database.add_article(spec)
    assert result.status == ADDED
    assert database.add_article(spec).status == UNCHANGED


def test_questions_raise_library_errors_never_exit(database):
    database.seed()
    with pytest.raises(NotFound):
        database.chain("putin-stance-stalls-talks#no-such-statement")
    with pytest.raises(ClaimsError):
        database.statements(StatementFilter(with_members=True))
    with pytest.raises(NotFound):
        database.trace("nope#nothing")


def test_an_article_without_context_differs_only_in_the_context(database):
    """The workbench's article page asks for an article without each statement's
    context sentence (it shows the whole text): everything else is the same."""
    import dataclasses

    database.seed()
    full = database.article("putin-stance-stalls-talks")
    lean = database.article("putin-stance-stalls-talks", context=False)
    assert all(v.context for v in full.statements)
    assert {v.context for v in lean.statements} == {""}
    assert [dataclasses.replace(v, context="") for v in full.statements] == \
        list(lean.statements)
    assert dataclasses.replace(full, statements=()) == \
        dataclasses.replace(lean, statements=())


def test_every_question_answers_as_the_command_line_does(database, db, cli):
    """The CLI's JSON is the library's answer rendered: same statements, same order."""
    database.seed()
    through_cli = json.loads(cli("statements", "--origin", "anonymous", "--format",
                                 "json").output)
    from_library = database.statements(StatementFilter(origin="anonymous"))
    assert [row["statement"] for row in through_cli] == [s.key for s in from_library]
    assert database.chain(REF).ref == REF
    actors = json.loads(cli("actors", "--format", "json").output)
    assert [row["key"] for row in actors] == [a.key for a in database.actors()]
    denials = json.loads(cli("denials", "--format", "json").output)
    assert len(denials) == len(database.denials())
    assert database.check().ok


def test_export_to_a_stream_is_byte_for_byte_the_command_line_export(database, cli):
    database.seed()
    for fmt, options in (("csv", {}), ("jsonl", {}), ("csv", {"table": "actors"})):
        stream = io.StringIO()
        database.export(fmt, stream, **options)
        argv = ["export", fmt] + (["--table", options["table"]] if options else [])
        assert stream.getvalue() == cli(*argv).output, (fmt, options)
