"""Format 1.1, issue 13 points 3 and 4: more relations between statements (confirms,
dismisses, corrects, retracts), refusals ("declined to comment") and what they decline
to address (``declines``), and translated quotes.

One realistic story in three articles (tests/data/relations_1_1): The New York Times
reports a Russian ceasefire offer; Reuters has the Kremlin dismiss it as "speculation
and gossip", Lavrov deny it in Russian (translated, with the original in Cyrillic),
Ukraine's foreign ministry decline to comment and an official confirm the talks; the
Times then corrects where the offer was made and retracts part of its report. Every
test runs on SQLite and PostgreSQL, through the CLI and the Python API.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import prov
import pytest
from prov.model import ProvDocument

import claimsdb
from claimsdb.errors import ArticleError
from claimsdb.format.articles import parse_article
from claimsdb.query.queries import StatementFilter
from claimsdb.store.db import make_engine
from conftest import DATA
from helpers import content, dump

STORY = DATA / "relations_1_1"
FILES = sorted(STORY.glob("*.yaml"))
REPORT = "nyt-ceasefire-offer"
REUTERS = "kremlin-dismisses-nyt"
CORRECTION = "nyt-ceasefire-correction"
OFFER, RIYADH = f"{REPORT}#offer", f"{REPORT}#riyadh"
GOSSIP, NO_OFFER = f"{REUTERS}#gossip", f"{REUTERS}#no-offer"
SILENT, CONFIRMED = f"{REUTERS}#ministry-silent", f"{REUTERS}#talks-confirmed"
JEDDAH, WITHDRAWN = f"{CORRECTION}#jeddah", f"{CORRECTION}#withdrawn"
ORIGINAL = "Мы никому такого предложения не делали."
# The worked example of format 1.1: the Indonesian health ministry "declined to
# comment" on the report that Lavrov was taken to hospital.
LAVROV_FILE = Path(__file__).resolve().parents[1] / "examples" / "lavrov-hospital-report.yaml"
HOSPITAL = "lavrov-hospital-report#lavrov-taken-to-hospital"
DECLINED = "lavrov-hospital-report#ministry-declined"


@pytest.fixture
def story(cli) -> str:
    result = cli("add", *FILES)
    assert result.exit_code == 0, result.output
    return cli.db


# -- each relation stored and shown ---------------------------------------------------------

def test_each_new_relation_is_stored_and_shown_both_ways_in_chain(story, cli):
    offer = cli("chain", OFFER).stdout
    assert f"Denied by:\n  - {NO_OFFER} (Sergei Lavrov)" in offer
    assert f"Dismissed by:\n  - {GOSSIP} (Dmitry Peskov): «speculation and gossip»" in offer
    assert f"Retracted by:\n  - {WITHDRAWN} (The New York Times)" in offer
    riyadh = cli("chain", RIYADH).stdout
    assert f"Confirmed by:\n  - {CONFIRMED} (a senior Ukrainian official)" in riyadh
    assert f"Corrected by (the same speaker or outlet):\n  - {JEDDAH}" in riyadh
    assert "Dismisses:\n  - nyt-ceasefire-offer#offer" in cli("chain", GOSSIP).stdout
    assert "Corrects (an earlier statement" in cli("chain", JEDDAH).stdout
    assert "Retracts:\n" in cli("chain", WITHDRAWN).stdout
    assert "Confirms:\n" in cli("chain", CONFIRMED).stdout

    as_json = json.loads(cli("chain", OFFER, "--format", "json").stdout)
    incoming = {(r["type"], r["ref"]) for r in as_json["relations"]
                if r["direction"] == "incoming"}
    assert incoming == {("denies", NO_OFFER), ("dismisses", GOSSIP), ("retracts", WITHDRAWN)}


def test_the_python_api_sees_the_same_relations(story):
    with claimsdb.open(story) as database:
        riyadh = database.chain(RIYADH)
        assert riyadh.related("confirms", incoming=True) == [CONFIRMED]
        assert riyadh.related("corrects", incoming=True) == [JEDDAH]
        assert database.chain(GOSSIP).related("dismisses") == [OFFER]
        assert database.chain(WITHDRAWN).related("retracts") == [OFFER]
        assert database.check().ok


# -- refusals ---------------------------------------------------------------------------------

def test_a_refusal_is_its_own_kind_and_filters_by_it(story, cli):
    listed = cli("statements", "--kind", "refusal", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(listed)))
    assert [(r["statement"], r["kind"], r["quote"], r["speaker"]) for r in rows] == [
        ("ministry-silent", "refusal", "declined to comment",
         "Ministry of Foreign Affairs of Ukraine")]
    assert "(refusal)" in cli("chain", SILENT).stdout
    with claimsdb.open(story) as database:
        [silent] = database.statements(StatementFilter(kind="refusal"))
        assert silent.ref == SILENT and [a.key for a in silent.about] == ["kremlin"]


def test_a_refusal_takes_no_position(write_article):
    path = write_article("""\
format: claimsdb/article@1.1
article:
  key: silent
  title: Ministry silent
  text: "The report was false, officials said. The ministry did not respond."
statements:
  - {key: claim, quote: The report was false}
  - key: no-answer
    quote: did not respond
    kind: refusal
    dismisses: [claim]
""")
    with pytest.raises(ArticleError) as error:
        parse_article(path.read_bytes(), source=str(path))
    [problem] = error.value.problems
    assert (problem.item, problem.field) == ("statement 'no-answer'", "dismisses")
    assert problem.message.startswith("a refusal takes no position, so it cannot dismiss")


# -- denials --by and --type --------------------------------------------------------------------

def test_denials_are_factual_denials_by_default_as_before(story, cli):
    rows = list(csv.DictReader(io.StringIO(cli("denials", "--format", "csv").stdout)))
    assert [(r["denial"], r["denied"], r["type"]) for r in rows] == [
        (NO_OFFER, OFFER, "denies")]
    # statements --denied keeps its meaning: denied, not dismissed or retracted
    denied = cli("statements", "--denied", "--format", "csv").stdout
    assert [r["statement"] for r in csv.DictReader(io.StringIO(denied))] == ["offer"]


def test_denials_type_includes_dismissals_and_by_selects_who(story, cli):
    both = json.loads(cli("denials", "--type", "all", "--format", "json").stdout)
    assert sorted((d["type"], d["denier"]["key"]) for d in both) == [
        ("denies", "lavrov"), ("dismisses", "peskov")]
    table = cli("denials", "--type", "all").stdout
    assert "how" in table.splitlines()[0] and "dismisses" in table
    only = json.loads(cli("denials", "--type", "dismisses", "--format", "json").stdout)
    assert [d["denial"]["ref"] for d in only] == [GOSSIP]
    by = json.loads(cli("denials", "--by", "Dmitry Peskov", "--type", "all",
                        "--format", "json").stdout)
    assert [d["denial"]["ref"] for d in by] == [GOSSIP]
    assert cli("denials", "--by", "peskov").stdout.strip() == "(no denials)"
    unknown = cli("denials", "--by", "peskow")
    assert unknown.exit_code == 1 and "no actor 'peskow'; did you mean" in unknown.stderr
    with claimsdb.open(story) as database:
        assert [d.denial.ref for d in database.denials(by="lavrov")] == [NO_OFFER]
        # (by the denied statement, then in the order they were stored)
        assert [(d.type, d.denial.ref) for d in database.denials(type="all")] == [
            ("dismisses", GOSSIP), ("denies", NO_OFFER)]
        with database.stream_denials(by="peskov", type="dismisses") as denials:
            assert [d.denier.key for d in denials] == ["peskov"]


# -- translated quotes ------------------------------------------------------------------------

def test_a_translated_direct_quote_stays_direct_and_is_shown_as_translated(story, cli):
    shown = cli("chain", NO_OFFER).stdout
    assert shown.startswith(f"{NO_OFFER}  (direct, translated from ru)\n"
                            "  “We have made no such offer to anyone.”\n"
                            f"  original: “{ORIGINAL}”")
    table = cli("statements", "--article", REUTERS).stdout
    assert "(translated from ru) We have" in table
    as_json = json.loads(cli("chain", NO_OFFER, "--format", "json").stdout)
    assert (as_json["kind"], as_json["translated_from"], as_json["original"]) == (
        "direct", "ru", ORIGINAL)
    with claimsdb.open(story) as database:
        view = database.chain(NO_OFFER)
        assert (view.kind, view.translated_from, view.original) == ("direct", "ru", ORIGINAL)
        assert database.chain(GOSSIP).translated_from is None


@pytest.mark.parametrize(("fields", "field", "says"), [
    ("translated_from: Russian", "translated_from",
     "'Russian' is not a language code such as ru, uk or pt-BR"),
    ("translated_from: en", "translated_from", "the article is in 'en' already"),
    ("original: «Нет»", "original", "needs 'translated_from'"),
])
def test_translation_fields_are_validated(fields, field, says):
    document = f"""\
article: {{key: a, title: T, text: "He said: “No.”"}}
statements:
  - {{key: answer, quote: "“No.”", kind: direct, {fields}}}
"""
    with pytest.raises(ArticleError) as error:
        parse_article(document)
    [problem] = error.value.problems
    assert (problem.item, problem.field) == ("statement 'answer'", field)
    assert says in problem.message


# -- corrections and retractions: the same speaker or outlet ---------------------------------

def test_a_correction_by_someone_else_in_the_same_file_is_refused():
    document = """\
article:
  key: a
  title: T
  outlet: courier
  text: "Lavrov said the talks were in Riyadh. Peskov said they were in Jeddah."
actors:
  - {key: courier, name: Courier, kind: outlet}
  - {key: lavrov, name: Sergei Lavrov, kind: person}
  - {key: peskov, name: Dmitry Peskov, kind: person}
statements:
  - {key: riyadh, quote: the talks were in Riyadh, chain: [lavrov]}
  - {key: jeddah, quote: they were in Jeddah, chain: [peskov], corrects: [riyadh]}
  - {key: own, quote: Lavrov said, retracts: [riyadh]}
"""
    with pytest.raises(ArticleError) as error:
        parse_article(document)
    [problem] = error.value.problems  # the outlet's own voice may retract its report
    assert (problem.item, problem.field) == ("statement 'jeddah'", "corrects")
    assert problem.message.startswith(
        "'peskov' cannot correct 'riyadh': only its speaker or outlet ('lavrov', 'courier') "
        "can")


def test_a_correction_of_another_outlets_report_is_refused_and_nothing_written(story, cli,
                                                                               engine,
                                                                               write_article):
    before = dump(engine)
    path = write_article("""\
format: claimsdb/article@1.1
article:
  key: reuters-corrects-nyt
  title: Reuters "corrects" the Times
  outlet: reuters
  text: "The offer was made in Jeddah."
statements:
  - {key: jeddah, quote: The offer was made in Jeddah, corrects: [nyt-ceasefire-offer#riyadh]}
""")
    result = cli("add", path)
    assert result.exit_code == 1
    assert ("statement 'jeddah', field 'corrects': 'reuters' cannot correct "
            "'nyt-ceasefire-offer#riyadh': only its speaker or outlet ('nyt') can") \
        in result.stderr
    assert "Traceback" not in result.output
    assert dump(engine) == before


def test_the_batch_path_checks_corrections_too(db, tmp_path):
    """``add --batch`` writes new articles in bulk; a correction across files sends
    the batch file by file, which checks who corrects."""
    folder = tmp_path / "batch"
    folder.mkdir()
    for path in FILES:
        shutil.copy(path, folder / path.name)
    with claimsdb.open(db) as database:
        report = database.add(sorted(folder.glob("*.yaml")), batch=3)
        assert not report.failures and report.counts == {"added": 3}
        assert database.chain(RIYADH).related("corrects", incoming=True) == [JEDDAH]


# -- exports ------------------------------------------------------------------------------------

def test_csv_keeps_its_first_columns_and_adds_the_new_ones_after(story, cli):
    from claimsdb.output.export import STATEMENT_COLUMNS

    assert STATEMENT_COLUMNS[:9] == ("article", "statement", "kind", "quote", "speaker",
                                     "chain", "chain_depth", "denies", "denied_by")
    assert STATEMENT_COLUMNS[-11:] == (
        "confirms", "confirmed_by", "dismisses", "dismissed_by", "corrects", "corrected_by",
        "retracts", "retracted_by", "translated_from", "declines", "declined_by")
    exported = cli("export", "csv").stdout
    rows = {f"{r['article']}#{r['statement']}": r for r in csv.DictReader(io.StringIO(exported))}
    assert rows[OFFER]["dismissed_by"] == GOSSIP
    assert rows[OFFER]["retracted_by"] == WITHDRAWN
    assert rows[OFFER]["denied_by"] == NO_OFFER
    assert rows[RIYADH]["confirmed_by"] == CONFIRMED
    assert rows[RIYADH]["corrected_by"] == JEDDAH
    assert rows[JEDDAH]["corrects"] == RIYADH
    assert rows[GOSSIP]["dismisses"] == OFFER and rows[GOSSIP]["denies"] == ""
    assert rows[NO_OFFER]["translated_from"] == "ru"
    assert rows[NO_OFFER]["quote"] == "We have made no such offer to anyone."
    assert rows[SILENT]["kind"] == "refusal"
    # the fast CSV path and the per-view records agree
    with claimsdb.open(story) as database:
        from claimsdb.output.export import statement_record

        for view in database.statements():
            record = {k: str(v) for k, v in statement_record(view).items()}
            assert record == rows[view.ref]


def test_json_export_carries_relations_and_translation(story, cli):
    exported = json.loads(cli("export", "json").stdout)
    by_ref = {s["ref"]: s for s in exported}
    assert {(r["type"], r["ref"]) for r in by_ref[RIYADH]["relations"]} == {
        ("confirms", CONFIRMED), ("corrects", JEDDAH)}
    assert by_ref[NO_OFFER]["translated_from"] == "ru"
    assert by_ref[NO_OFFER]["original"] == ORIGINAL
    assert by_ref[OFFER]["translated_from"] is None


def test_prov_maps_each_relation(story, cli):
    doc: ProvDocument = prov.read(io.StringIO(cli("export", "prov").stdout), format="json")
    ns = "urn:claimsdb:ns#"
    statement = "urn:claimsdb:statement:"

    def name(ref: str) -> str:
        return statement + ref.replace("#", "/")

    influences = {(str(next(iter(r.get_attribute("prov:influencee"))).uri),
                   tuple(str(t.uri) for t in r.get_attribute("prov:type")),
                   str(next(iter(r.get_attribute("prov:influencer"))).uri))
                  for r in doc.get_records(prov.model.ProvInfluence)}
    for ref, relation, target in ((GOSSIP, "dismisses", OFFER),
                                  (CONFIRMED, "confirms", RIYADH),
                                  (WITHDRAWN, "retracts", OFFER)):
        assert (name(ref), (ns + relation,), name(target)) in influences
    revisions = [r for r in doc.get_records(prov.model.ProvDerivation)
                 if ns + "corrects" in {str(t.uri) for t in r.get_attribute("prov:type")}]
    [revision] = revisions
    assert "http://www.w3.org/ns/prov#Revision" in {
        str(t.uri) for t in revision.get_attribute("prov:type")}
    assert str(next(iter(revision.get_attribute("prov:generatedEntity"))).uri) == name(JEDDAH)
    assert str(next(iter(revision.get_attribute("prov:usedEntity"))).uri) == name(RIYADH)
    [translated] = [e for e in doc.get_records(prov.model.ProvEntity)
                    if str(e.identifier.uri) == name(NO_OFFER)]
    assert [str(v) for v in translated.get_attribute("claimsdb:translatedFrom")] == ["ru"]
    assert [str(v) for v in translated.get_attribute("claimsdb:original")] == [ORIGINAL]
    provn = cli("export", "prov", "--prov-n").stdout
    assert "prov:type='prov:Revision'" in provn or "prov:Revision" in provn


def test_article_export_round_trips_unchanged(story, cli, engine, backend, request, tmp_path):
    folder = tmp_path / "exported"
    folder.mkdir()
    for key in (REPORT, REUTERS, CORRECTION):
        target = folder / f"{key}.yaml"
        assert cli("export", "article", key, "-o", target).exit_code == 0
        again = cli("add", target)
        assert again.exit_code == 0 and "unchanged" in again.stdout, again.output
    reuters = (folder / f"{REUTERS}.yaml").read_text(encoding="utf-8")
    assert "format: claimsdb/article@1.1" in reuters
    assert "translated_from: ru" in reuters and ORIGINAL in reuters
    assert "kind: refusal" in reuters and "dismisses: [nyt-ceasefire-offer#offer]" in reuters
    # the version-1 article stays version 1, byte for byte what it was
    assert "format: claimsdb/article@1\n" in (folder / f"{REPORT}.yaml").read_text("utf-8")

    # into an empty database, in order: the same data
    fresh = tmp_path / "fresh.db" if backend == "sqlite" else None
    if fresh is None:
        from conftest import _counter, _run_id

        server = request.getfixturevalue("postgres")
        template = request.getfixturevalue("postgres_template")
        name = f"claimsdb_r_{_run_id}_{next(_counter)}"
        url = server.create(name, template=template)
        request.addfinalizer(lambda: server.drop(name))
    else:
        shutil.copyfile(request.getfixturevalue("sqlite_template"), fresh)
        url = str(fresh)
    with claimsdb.open(url) as other:
        added = other.add([folder / f"{k}.yaml" for k in (REPORT, REUTERS, CORRECTION)])
        assert not added.failures
    other_engine = make_engine(url)
    try:
        assert content(other_engine) == content(engine)
    finally:
        other_engine.dispose()


def test_a_version_1_file_hashes_as_before():
    """canonical() gains the translation only when a statement has one."""
    spec = parse_article((STORY / "1-nyt-report.yaml").read_bytes())
    assert all("translated_from" not in s for s in spec.canonical()["statements"])
    translated = parse_article((STORY / "2-kremlin-dismisses.yaml").read_bytes())
    [no_offer] = [s for s in translated.canonical()["statements"] if s["key"] == "no-offer"]
    assert (no_offer["translated_from"], no_offer["original"]) == ("ru", ORIGINAL)


def test_trace_shows_every_reaction_and_counts_only_denials_as_denied(story, cli):
    shown = cli("trace", OFFER).stdout
    assert f"✗ denied by {NO_OFFER}" in shown
    assert f"⊘ dismissed by {GOSSIP}" in shown
    assert f"⌫ retracted by {WITHDRAWN}" in shown
    riyadh = cli("trace", RIYADH).stdout
    assert f"✓ confirmed by {CONFIRMED}" in riyadh and f"✎ corrected by {JEDDAH}" in riyadh
    for fmt in ("dot", "mermaid"):
        assert cli("trace", OFFER, "--format", fmt).exit_code == 0


def test_hostile_unknown_relation_names_file_item_and_field(cli, engine):
    path = DATA / "hostile" / "unknown-relation-type.yaml"
    before = dump(engine)
    result = cli("add", path)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {path}: 1 problem, nothing was imported")
    assert ("statements[1], field 'refutes': unknown field 'refutes': not a relation "
            "claimsdb knows; did you mean 'denies'?") in result.stderr
    assert dump(engine) == before


def test_check_reports_rows_that_break_the_rules(story, engine):
    """Rows written outside claimsdb: a refusal that dismisses, a correction by
    someone else. ``check`` names both."""
    from sqlalchemy import text

    with engine.begin() as conn:
        ids = dict(conn.execute(text(
            "SELECT s.key, s.id FROM statements s JOIN articles a ON a.id = s.article_id "
            "WHERE a.key IN ('kremlin-dismisses-nyt', 'nyt-ceasefire-offer')")).all())
        conn.execute(text("INSERT INTO relations (source_id, type, target_id) VALUES "
                          "(:silent, 'dismisses', :offer), (:gossip, 'corrects', :riyadh)"),
                     {"silent": ids["ministry-silent"], "offer": ids["offer"],
                      "gossip": ids["gossip"], "riyadh": ids["riyadh"]})
    with claimsdb.open(story) as database:
        report = database.check()
        found = [(f.check, f.where) for f in report.findings if f.check == "relation"]
    assert ("relation", "article 'kremlin-dismisses-nyt', statement 'ministry-silent'") in found
    assert ("relation", "article 'kremlin-dismisses-nyt', statement 'gossip'") in found
    with engine.begin() as conn:  # leave a consistent database for the fixture's check
        conn.execute(text("DELETE FROM relations WHERE (source_id = :silent AND "
                          "target_id = :offer) OR (source_id = :gossip AND type = 'corrects')"),
                     {"silent": ids["ministry-silent"], "offer": ids["offer"],
                      "gossip": ids["gossip"]})


# -- declines: what a refusal declined to address ----------------------------------------------

@pytest.fixture
def lavrov(cli) -> str:
    result = cli("add", LAVROV_FILE)
    assert result.exit_code == 0, result.output
    return cli.db


def test_a_refusal_declines_to_address_a_report_shown_both_ways_in_chain(lavrov, cli):
    declined = cli("chain", DECLINED).stdout
    assert declined.startswith(f"{DECLINED}  (refusal)\n  “declined to comment”")
    assert (f"Declines to address (a refusal):\n  - {HOSPITAL} (Indonesian officials)"
            in declined)
    report = cli("chain", HOSPITAL).stdout
    assert (f"Declined to address by (refusals):\n  - {DECLINED} (Indonesian Health "
            "Ministry):\n    «declined to comment»") in report
    as_json = json.loads(cli("chain", DECLINED, "--format", "json").stdout)
    assert [(r["direction"], r["type"], r["ref"]) for r in as_json["relations"]] == [
        ("outgoing", "declines", HOSPITAL)]
    with claimsdb.open(lavrov) as database:
        assert database.chain(DECLINED).related("declines") == [HOSPITAL]
        assert database.chain(HOSPITAL).related("declines", incoming=True) == [DECLINED]
        assert database.check().ok


def test_a_refusal_is_not_a_denial(lavrov, cli):
    """Declining to comment takes no position: not in ``denials`` of any type, and the
    report it declines is not "denied"."""
    both = json.loads(cli("denials", "--type", "all", "--format", "json").stdout)
    assert {d["denial"]["ref"] for d in both} == {
        "lavrov-hospital-report#zakharova-fake-news", "lavrov-hospital-report#zakharova-telegram"}
    denied = cli("statements", "--denied", "--format", "csv").stdout
    assert list(csv.DictReader(io.StringIO(denied))) == []
    with claimsdb.open(lavrov) as database:
        assert DECLINED not in {d.denial.ref for d in database.denials(type="all")}


def test_trace_shows_a_refusal_as_a_response_not_a_denial(lavrov, cli):
    shown = cli("trace", HOSPITAL).stdout
    assert (f"∅ declined to address (refusal) by {DECLINED}\n    (Indonesian Health Ministry, "
            "0 minutes after the first report): «declined to\n    comment»") in shown
    assert "✗ denied by" not in shown
    as_json = json.loads(cli("trace", HOSPITAL, "--format", "json").stdout)
    [refusal] = [r for r in as_json["reactions"] if r["type"] == "declines"]
    assert refusal["by"]["ref"] == DECLINED and refusal["by"]["kind"] == "refusal"
    dot = cli("trace", HOSPITAL, "--format", "dot").stdout
    assert 'label="declines"' in dot and "#5d6d7e" in dot
    assert "-.->|declines|" in cli("trace", HOSPITAL, "--format", "mermaid").stdout


def test_csv_and_json_carry_declines_after_every_earlier_column(lavrov, cli):
    exported = cli("export", "csv").stdout
    header = next(csv.reader(io.StringIO(exported)))
    assert header[-3:] == ["translated_from", "declines", "declined_by"]
    rows = {f"{r['article']}#{r['statement']}": r for r in csv.DictReader(io.StringIO(exported))}
    assert rows[DECLINED]["declines"] == HOSPITAL and rows[DECLINED]["declined_by"] == ""
    assert rows[HOSPITAL]["declined_by"] == DECLINED and rows[HOSPITAL]["declines"] == ""
    assert rows[HOSPITAL]["dismissed_by"] == ("lavrov-hospital-report#zakharova-fake-news; "
                                              "lavrov-hospital-report#zakharova-telegram")
    listed = cli("statements", "--kind", "refusal", "--format", "csv").stdout
    [row] = csv.DictReader(io.StringIO(listed))
    assert row["declines"] == HOSPITAL
    with claimsdb.open(lavrov) as database:  # the fast CSV path and the records agree
        from claimsdb.output.export import statement_record

        for view in database.statements():
            record = {k: str(v) for k, v in statement_record(view).items()}
            assert record == rows[view.ref]
    by_ref = {s["ref"]: s for s in json.loads(cli("export", "json").stdout)}
    assert {(r["direction"], r["type"], r["ref"]) for r in by_ref[HOSPITAL]["relations"]
            if r["type"] == "declines"} == {("incoming", "declines", DECLINED)}
    relations = list(csv.DictReader(io.StringIO(
        cli("export", "csv", "--table", "relations").stdout)))
    assert [(r["source"], r["target"]) for r in relations if r["type"] == "declines"] == [
        (DECLINED, HOSPITAL)]


def test_prov_types_the_refusal_as_an_influence(lavrov, cli):
    doc: ProvDocument = prov.read(io.StringIO(cli("export", "prov").stdout), format="json")
    statement = "urn:claimsdb:statement:"
    influences = {(str(next(iter(r.get_attribute("prov:influencee"))).uri),
                   tuple(str(t.uri) for t in r.get_attribute("prov:type")),
                   str(next(iter(r.get_attribute("prov:influencer"))).uri))
                  for r in doc.get_records(prov.model.ProvInfluence)}
    assert (statement + DECLINED.replace("#", "/"), ("urn:claimsdb:ns#declines",),
            statement + HOSPITAL.replace("#", "/")) in influences


def test_article_export_writes_declines_back_and_round_trips(lavrov, cli, tmp_path):
    target = tmp_path / "lavrov.yaml"
    assert cli("export", "article", "lavrov-hospital-report", "-o", target).exit_code == 0
    written = target.read_text(encoding="utf-8")
    assert "\nformat: claimsdb/article@1.1\n" in written
    assert "declines: [lavrov-taken-to-hospital]" in written
    again = cli("add", target)
    assert again.exit_code == 0 and "unchanged" in again.stdout, again.output
    spec = parse_article(target.read_bytes(), source=str(target))
    [refusal] = [s for s in spec.statements if s.key == "ministry-declined"]
    assert refusal.relations == {"declines": (HOSPITAL,)}


def test_a_refusal_may_decline_a_stored_statement(story, cli, write_article):
    path = write_article("""\
format: claimsdb/article@1.1
article:
  key: kyiv-silent-on-offer
  title: Kyiv silent on reported ceasefire offer
  outlet: reuters
  text: "KYIV — Ukraine’s foreign ministry  would not say whether it had seen the offer."
statements:
  - key: would-not-say
    quote: would not say
    kind: refusal
    chain: [ukraine-mfa]
    declines: [nyt-ceasefire-offer#offer]
""")
    result = cli("add", path)
    assert result.exit_code == 0, result.output
    with claimsdb.open(story) as database:
        assert database.chain(OFFER).related("declines", incoming=True) == [
            "kyiv-silent-on-offer#would-not-say"]


def test_only_a_refusal_declines(write_article):
    path = write_article("""\
format: claimsdb/article@1.1
article:
  key: ministry-answers
  title: Ministry answers
  text: "The report was false, officials said. The ministry called it “гадание”."
statements:
  - {key: claim, quote: The report was false}
  - {key: answer, quote: “гадание”, kind: direct, declines: [claim]}
""")
    with pytest.raises(ArticleError) as error:
        parse_article(path.read_bytes(), source=str(path))
    [problem] = error.value.problems
    assert (problem.item, problem.field) == ("statement 'answer'", "declines")
    assert problem.message.startswith(
        "only a refusal declines to address a statement; to reject it use 'dismisses' or "
        "'denies'")
    assert str(path) in str(error.value)


def test_a_refusal_declining_itself_or_an_unknown_statement_is_refused():
    document = """\
format: claimsdb/article@1.1
article: {key: a, title: T, text: "The ministry declined to comment."}
statements:
  - {key: silent, quote: declined to comment, kind: refusal, declines: [silent, report]}
"""
    with pytest.raises(ArticleError) as error:
        parse_article(document)
    assert [(p.field, p.message) for p in error.value.problems] == [
        ("declines[0]", "a statement cannot decline to address itself"),
        ("declines", "declines 'report', which is not a statement of this file; allowed: "
                     "silent")]


def test_check_reports_declines_on_a_statement_that_is_not_a_refusal(lavrov, engine):
    """A row written outside claimsdb: the governor's confirmation 'declines' the
    report. ``check`` names it; the importer never writes it."""
    from sqlalchemy import text

    with engine.begin() as conn:
        ids = dict(conn.execute(text("SELECT key, id FROM statements")).all())
        conn.execute(text("INSERT INTO relations (source_id, type, target_id) VALUES "
                          "(:governor, 'declines', :report)"),
                     {"governor": ids["governor-check-up"],
                      "report": ids["lavrov-taken-to-hospital"]})
    with claimsdb.open(lavrov) as database:
        findings = [f for f in database.check().findings if f.check == "relation"]
    assert any(f.where == "article 'lavrov-hospital-report', statement 'governor-check-up'"
               and "only a refusal declines to address a statement" in f.message
               for f in findings), findings
    with engine.begin() as conn:  # leave a consistent database for the fixture's check
        conn.execute(text("DELETE FROM relations WHERE source_id = :governor AND "
                          "type = 'declines'"), {"governor": ids["governor-check-up"]})
