"""Issue 13 point 1: several sources for one statement ("according to the news agencies
AFP and AP"): ``chains:`` beside ``chain:``, through import (one file and --batch),
every filter, the sourcing profile, independent origins, the chain command, CSV,
JSON, PROV, the article round trip and the views; on both backends, through the
command line and ``claimsdb.open``.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
import yaml
from sqlalchemy import text

import claimsdb
from claimsdb.format.articles import parse_article
from claimsdb.output import export
from claimsdb.query import queries
from claimsdb.store.db import read_connection
from conftest import REPO
from helpers import dump

WIRE = """\
format: claimsdb/article@1.1
article:
  key: village-ivanivka
  title: Russia says it took Іванівка; agencies split on who says so
  outlet: kyiv-ledger
  published: 2026-11-30
  language: en
  text: |-
    Russian forces have taken the village of Іванівка in the Donetsk region, according to AFP,
    which cited the Russian defence ministry, and to AP, which cited officials who spoke on
    condition of anonymity.
    Shelling of the town stopped overnight — AP quoted sources close to the talks, and AFP
    the defence ministry.
    A convoy was seen heading east, AFP and AP reported, each citing anonymous sources.
    Talks on a prisoner exchange will resume on Monday, according to the news agencies AFP and AP.
    “We are ready,” said Oleksandr Kovalenko, a Ukrainian negotiator.
    The Ledger could not independently verify the reports.
actors:
  - {key: kyiv-ledger, name: The Kyiv Ledger, kind: outlet}
  - {key: afp, name: Agence France-Presse, kind: outlet, aliases: [AFP]}
  - {key: ap, name: Associated Press, kind: outlet, aliases: [AP]}
  - {key: defence-ministry, name: Russian defence ministry, kind: government}
  - {key: anonymous-officials, name: Officials speaking anonymously, kind: group,
     identified: anonymous}
  - {key: sources-close, name: Sources close to the talks, kind: group, identified: anonymous}
  - {key: kovalenko, name: Oleksandr Kovalenko, kind: person}
statements:
  - key: village-taken
    quote: Russian forces have taken the village of Іванівка
    chains:
      - [{actor: afp, cue: according to}, {actor: defence-ministry, cue: which cited}]
      - [{actor: ap, cue: and to}, {actor: anonymous-officials, cue: which cited}]
  - key: shelling-stopped
    quote: Shelling of the town stopped overnight
    chains:
      - [ap, sources-close]
      - [afp, defence-ministry]
  - key: convoy-seen
    quote: A convoy was seen heading east
    chains:
      - [afp, anonymous-officials]
      - [ap, sources-close]
  - key: talks-resume
    quote: Talks on a prisoner exchange will resume on Monday
    chains: [[afp], [ap]]
  - key: kovalenko-ready
    quote: We are ready
    kind: direct
    chain: [kovalenko]
  - key: not-verified
    quote: could not independently verify the reports
"""

ROUNDUP = """\
format: claimsdb/article@1
article:
  key: agency-roundup
  title: Moscow claims Іванівка
  outlet: evening-wire
  published: 2026-12-01
  text: Moscow says its troops took Іванівка — AFP reported the claim, citing the defence ministry.
actors:
  - {key: evening-wire, name: Evening Wire, kind: outlet}
  - {key: afp, name: Agence France-Presse, kind: outlet}
  - {key: defence-ministry, name: Russian defence ministry, kind: government}
statements:
  - key: village-claim
    quote: its troops took Іванівка
    chain: [afp, defence-ministry]
    repeats: [village-ivanivka#village-taken]
"""

TAKEN = "village-ivanivka#village-taken"


@pytest.fixture
def files(tmp_path):
    wire, roundup = tmp_path / "wire.yaml", tmp_path / "roundup.yaml"
    wire.write_text(WIRE, encoding="utf-8")
    roundup.write_text(ROUNDUP, encoding="utf-8")
    return wire, roundup


@pytest.fixture(params=["one-by-one", "batch"])
def stored(request, cli, files, engine):
    """Both articles imported, one file per transaction or as one batch."""
    batch = ["--batch", "10"] if request.param == "batch" else []
    result = cli("add", *batch, *map(str, files))
    assert result.exit_code == 0, result.output
    return engine


def keys(result) -> list[str]:
    assert result.exit_code == 0, result.output
    return [row["statement"] for row in json.loads(result.output)]


# -- the file ----------------------------------------------------------------------------------

def test_chains_parse_into_several_chains_and_chain_is_the_first():
    spec = parse_article(WIRE)
    taken = spec.statements[0]
    assert [[hop.actor for hop in chain] for chain in taken.chains] == [
        ["afp", "defence-ministry"], ["ap", "anonymous-officials"]]
    assert [hop.actor for hop in taken.chain] == ["afp", "defence-ministry"]
    assert taken.chains[1][0].cue == "and to"
    ready, own = spec.statements[4], spec.statements[5]
    assert len(ready.chains) == 1 and ready.chain[0].actor == "kovalenko"
    assert own.chains == () and own.chain == ()


def test_a_version_1_file_keeps_its_content_hash():
    """The hash claimsdb computed before chains existed (stored in every database as
    articles.content_hash): a re-import of an old file must still be 'unchanged'."""
    from claimsdb.format.articles import read_article

    # The bundled seed, this test's file until it was re-annotated in format 1.1, is
    # checked the same way by seeds/earlier-versions.txt and the upgrade test. The
    # example is version 1 as shipped; its hash as the previous release (0729ac8)
    # computed it.
    example = REPO / "examples" / "kremlin-denies-report.yaml"
    assert read_article(example).content_hash() == (
        "eb1481ec654620c31744587138fc63e15dd3a304f7179272161bd55e90ff1942")


def test_one_chain_in_chains_is_the_same_content_as_chain():
    """A version-1 statement keeps its hash; one chain written as 'chains' is the same."""
    one = WIRE.replace("    chain: [kovalenko]", "    chains: [[kovalenko]]")
    assert parse_article(one).content_hash() == parse_article(WIRE).content_hash()
    swapped = WIRE.replace("      - [ap, sources-close]\n      - [afp, defence-ministry]",
                           "      - [afp, defence-ministry]\n      - [ap, sources-close]")
    assert parse_article(swapped).content_hash() != parse_article(WIRE).content_hash()


@pytest.mark.parametrize(("chains", "field", "says"), [
    ("chains: []", "chains", "is an empty list"),
    ("chains:", "chains", "is an empty list"),
    ("chains: [[afp], []]", "chains[1]", "is an empty chain"),
    ("chains: [[afp], afp]", "chains[1]", "must be a chain (a list of actors"),
    ("chains: [[afp], [ap, ap]]", "chains[1][1]", "'ap' follows itself in the chain"),
    ("chains: [[ap], [kyiv-ledger, afp]]", "chains[1][0]", "is the article's outlet"),
    ("chains: [[afp], [afp]]", "chains[1]", "is the same chain as chains[0]"),
    ("chains: [[afp]]\n    chain: [ap]", "chains", "not both"),
])
def test_bad_chains_name_the_statement_and_the_chain(chains, field, says):
    from claimsdb.errors import ArticleError

    bad = WIRE.replace("    chains: [[afp], [ap]]", f"    {chains}")
    with pytest.raises(ArticleError) as raised:
        parse_article(bad, source="wire.yaml")
    problems = raised.value.problems
    assert len(problems) == 1, problems
    assert problems[0].item == "statement 'talks-resume'"
    assert problems[0].field == field
    assert says in problems[0].message


def test_an_empty_chain_list_writes_nothing(cli, engine, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(WIRE.replace("    chains: [[afp], [ap]]", "    chains: []"), encoding="utf-8")
    before = dump(engine)
    result = cli("add", str(bad))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"{bad}: 1 problem, nothing was imported" in result.stderr
    assert "statement 'talks-resume', field 'chains'" in result.stderr
    assert dump(engine) == before


def test_dry_run_reports_and_writes_nothing(cli, engine, files):
    before = dump(engine)
    result = cli("add", "--dry-run", *map(str, files))
    assert result.exit_code == 0, result.output
    assert "village-ivanivka" in result.output
    assert dump(engine) == before


# -- storage -----------------------------------------------------------------------------------

def test_hops_carry_their_chain_and_the_speaker_is_the_first_chains_origin(stored):
    with read_connection(stored) as conn:
        hops = conn.execute(text(
            "SELECT h.chain, h.position, a.key FROM chain_hops h "
            "JOIN actors a ON a.id = h.actor_id JOIN statements s ON s.id = h.statement_id "
            "WHERE s.key = 'village-taken' ORDER BY h.chain, h.position")).all()
        speaker = conn.execute(text(
            "SELECT a.key FROM statements s JOIN actors a ON a.id = s.speaker_id "
            "WHERE s.key = 'shelling-stopped'")).scalar()
    assert [tuple(h) for h in hops] == [(0, 0, "afp"), (0, 1, "defence-ministry"),
                                        (1, 0, "ap"), (1, 1, "anonymous-officials")]
    assert speaker == "sources-close"


def test_the_views_show_every_chain(stored):
    with read_connection(stored) as conn:
        chain, depth = conn.execute(text(
            "SELECT chain, chain_depth FROM statement_sources "
            "WHERE ref = 'village-ivanivka#village-taken'")).one()
        sourcing = conn.execute(text(
            "SELECT statements, named, role, anonymous, own_voice FROM article_sourcing "
            "WHERE article = 'village-ivanivka'")).one()
        single = conn.execute(text(
            "SELECT chain, chain_depth FROM statement_sources "
            "WHERE ref = 'agency-roundup#village-claim'")).one()
    assert chain == ("Agence France-Presse > Russian defence ministry | "
                     "Associated Press > Officials speaking anonymously")
    assert depth == 2
    assert tuple(sourcing) == (6, 5, 0, 1, 1)
    assert tuple(single) == ("Agence France-Presse > Russian defence ministry", 2)


# -- the chain command ---------------------------------------------------------------------------

def test_chain_command_shows_each_chain(cli, stored):
    result = cli("chain", TAKEN)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Chain 1 of 2, from the article to the original speaker:" in out
    assert "Chain 2 of 2, from the article to the original speaker:" in out
    first, second = out.split("Chain 2 of 2")
    assert "according to → Agence France-Presse" in first
    assert "which cited → Russian defence ministry" in first
    assert "and to → Associated Press" in second
    assert "which cited → Officials speaking anonymously" in second
    assert out.count("<- original speaker") == 2
    single = cli("chain", "village-ivanivka#kovalenko-ready").output
    assert "Chain, from the article to the original speaker:" in single
    assert "Chain 1 of" not in single


def test_chain_as_json_has_every_chain_and_origin(cli, stored):
    result = cli("chain", TAKEN, "--format", "json")
    data = json.loads(result.output)
    assert [[hop["actor"]["key"] for hop in chain] for chain in data["chains"]] == [
        ["afp", "defence-ministry"], ["ap", "anonymous-officials"]]
    assert [hop["actor"]["key"] for hop in data["chain"]] == ["afp", "defence-ministry"]
    assert [a["key"] for a in data["origins"]] == ["defence-ministry", "anonymous-officials"]
    assert data["speaker"]["key"] == "defence-ministry"
    assert data["chain_depth"] == 2


# -- filters -------------------------------------------------------------------------------------

def test_via_finds_either_agency(cli, stored):
    for agency in ("afp", "AP"):
        found = keys(cli("statements", "--via", agency, "--format", "json"))
        assert {"village-taken", "shelling-stopped", "convoy-seen", "talks-resume"} <= set(found)
    assert "village-claim" in keys(cli("statements", "--via", "afp", "--format", "json"))
    assert "village-claim" not in keys(cli("statements", "--via", "ap", "--format", "json"))


def test_speaker_finds_the_origin_of_any_chain(cli, stored):
    officials = keys(cli("statements", "--speaker", "anonymous-officials", "--format", "json"))
    assert officials == ["village-taken", "convoy-seen"]  # a later chain's, then the first's
    ministry = keys(cli("statements", "--speaker", "defence-ministry", "--format", "json"))
    assert ministry == ["village-taken", "shelling-stopped", "village-claim"]
    assert keys(cli("statements", "--speaker", "ap", "--format", "json")) == ["talks-resume"]
    assert keys(cli("statements", "--speaker", "afp", "--format", "json")) == ["talks-resume"]


def test_origin_is_the_origin_of_at_least_one_chain(cli, stored):
    anonymous = keys(cli("statements", "--origin", "anonymous", "--format", "json"))
    assert anonymous == ["village-taken", "shelling-stopped", "convoy-seen"]
    named = keys(cli("statements", "--origin", "named", "--article", "village-ivanivka",
                     "--format", "json"))
    assert named == ["village-taken", "shelling-stopped", "talks-resume", "kovalenko-ready",
                     "not-verified"]
    both = keys(cli("statements", "--via", "ap", "--origin", "anonymous", "--format", "json"))
    assert both == ["village-taken", "shelling-stopped", "convoy-seen"]


def test_actor_counts_what_it_originated_in_any_chain(cli, stored):
    db = claimsdb.open(cli.db)
    officials = db.actor("anonymous-officials")
    assert officials.summary.originated == 2 and officials.summary.relayed == 0
    assert [v.key for v in officials.said] == ["village-taken", "convoy-seen"]
    ap = db.actor("ap")
    # AP originates talks-resume (its second chain) and relays three others
    assert ap.summary.originated == 1 and ap.summary.relayed == 3
    assert [v.key for v in ap.relayed] == ["village-taken", "shelling-stopped", "convoy-seen"]
    db.close()


# -- sourcing and independent origins -------------------------------------------------------------

def test_sources_counts_each_statement_by_its_best_identified_origin(cli, stored):
    result = cli("sources", "--article", "village-ivanivka", "--format", "json")
    assert result.exit_code == 0, result.output
    profile = json.loads(result.output)[0]
    assert (profile["statements"], profile["named"], profile["role"],
            profile["anonymous"], profile["own_voice"]) == (6, 5, 0, 1, 1)
    assert profile["average_chain_depth"] == pytest.approx(8 / 6)
    # defence ministry, AFP, AP and both anonymous groups pass through each other; the
    # negotiator and the Ledger's own voice stand alone
    assert profile["independent_origins"] == 3


def test_articles_count_statements_resting_on_anonymous_sources_only(cli, stored):
    result = cli("articles", "--format", "json")
    rows = {row["key"]: row for row in json.loads(result.output)}
    assert rows["village-ivanivka"]["anonymous"] == 1  # convoy-seen, not shelling-stopped
    assert rows["agency-roundup"]["anonymous"] == 0


def test_trace_counts_every_chains_origin(cli, stored):
    result = cli("trace", "agency-roundup#village-claim", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["independent_origins"] == 2
    tree = cli("trace", "agency-roundup#village-claim").output
    assert "2 independent origins" in tree
    assert "SINGLE-SOURCE" not in tree
    assert "Officials speaking anonymously (anonymous)" in tree


def test_claims_see_two_origins_not_a_single_source(cli, stored):
    result = cli("claims", "--format", "json")
    claims = json.loads(result.output)
    assert len(claims) == 1
    assert claims[0]["origins"] == 2 and not claims[0]["single_source"]
    assert cli("claims", "--single-source", "--format", "json").output.strip() == "[]"


def test_python_api_sees_every_chain(cli, stored):
    with claimsdb.open(cli.db) as db:
        view = db.chain(TAKEN)
        assert [[h.actor.key for h in chain] for chain in view.chains] == [
            ["afp", "defence-ministry"], ["ap", "anonymous-officials"]]
        assert [a.key for a in view.origins] == ["defence-ministry", "anonymous-officials"]
        assert [s.key for s in db.statements(queries.StatementFilter(speaker="AP"))] == [
            "talks-resume"]
        assert [s.key for s in db.statements(queries.StatementFilter(origin="anonymous"))] == [
            "village-taken", "shelling-stopped", "convoy-seen"]
        total = db.sources(by_article=False)[0]
        assert (total.named, total.anonymous) == (6, 1)
        trace = db.trace("agency-roundup#village-claim")
        assert sorted(g[0].key for g in trace.origins) == ["anonymous-officials",
                                                           "defence-ministry"]
        assert not db.loops()
        assert db.check().ok


# -- exports -------------------------------------------------------------------------------------

def test_csv_joins_chains_and_original_speakers(cli, stored):
    result = cli("export", "csv", "--article", "village-ivanivka")
    rows = {row["statement"]: row for row in csv.DictReader(io.StringIO(result.output))}
    taken = rows["village-taken"]
    assert taken["chain"] == ("Agence France-Presse > Russian defence ministry | "
                              "Associated Press > Officials speaking anonymously")
    assert taken["speaker"] == "Russian defence ministry; Officials speaking anonymously"
    assert taken["speaker_key"] == "defence-ministry; anonymous-officials"
    assert taken["speaker_identified"] == "named; anonymous"
    assert taken["cues"] == "according to > which cited | and to > which cited"
    assert taken["chain_depth"] == "2"
    assert rows["talks-resume"]["speaker"] == "Agence France-Presse; Associated Press"
    assert rows["kovalenko-ready"]["speaker"] == "Oleksandr Kovalenko"
    assert rows["kovalenko-ready"]["chain"] == "Oleksandr Kovalenko"
    assert rows["not-verified"]["speaker"] == "The Kyiv Ledger"


def test_csv_fast_rows_are_the_records_of_the_views(stored):
    with read_connection(stored) as conn:
        views = list(queries.iter_statements(conn))
        flat = list(export.statement_csv_rows(conn, queries.StatementFilter()))
    assert len(flat) == len(views) == 7
    for view, row in zip(views, flat, strict=True):
        record = export.statement_record(view)
        assert row == [record[column] for column in export.STATEMENT_COLUMNS], view.ref


def test_csv_chain_table_numbers_the_chains(cli, stored):
    result = cli("export", "csv", "--table", "chain", "--article", "village-ivanivka",
                 "--speaker", "anonymous-officials")
    rows = list(csv.DictReader(io.StringIO(result.output)))
    taken = [(r["statement"], r["chain"], r["position"], r["actor_key"], r["is_origin"],
              r["chain_depth"]) for r in rows if r["statement"] == "village-taken"]
    assert taken == [
        ("village-taken", "0", "0", "afp", "false", "2"),
        ("village-taken", "0", "1", "defence-ministry", "true", "2"),
        ("village-taken", "1", "0", "ap", "false", "2"),
        ("village-taken", "1", "1", "anonymous-officials", "true", "2"),
    ]


def test_json_export_has_chains(cli, stored):
    result = cli("export", "json", "--article", "village-ivanivka")
    data = json.loads(result.output)
    talks = next(s for s in data if s["statement"] == "talks-resume")
    assert [[hop["actor"]["key"] for hop in chain] for chain in talks["chains"]] == [
        ["afp"], ["ap"]]
    own = next(s for s in data if s["statement"] == "not-verified")
    assert own["chains"] == [] and own["chain"] == []
    assert [a["key"] for a in own["origins"]] == ["kyiv-ledger"]


def test_prov_attributes_the_claim_to_every_chains_origin(cli, stored):
    from prov.model import ProvDocument

    result = cli("export", "prov", "--article", "village-ivanivka")
    assert result.exit_code == 0, result.output
    document = ProvDocument.deserialize(content=result.output, format="json")
    data = json.loads(result.output)
    attributed = {(r["prov:entity"], r["prov:agent"])
                  for r in data["wasAttributedTo"].values()}
    claim = "statement:village-ivanivka/village-taken"
    assert (claim, "actor:defence-ministry") in attributed
    assert (claim, "actor:anonymous-officials") in attributed
    assert ("report:village-ivanivka/village-taken/hop-0", "actor:afp") in attributed
    assert ("report:village-ivanivka/village-taken/chain-1/hop-0", "actor:ap") in attributed
    talks = "statement:village-ivanivka/talks-resume"
    assert {(talks, "actor:afp"), (talks, "actor:ap")} <= attributed
    assert document.get_records()
    provn = cli("export", "prov", "--prov-n", "--article", "village-ivanivka")
    assert provn.exit_code == 0 and "chain-1/hop-0" in provn.output


def test_export_article_round_trips(cli, stored, tmp_path):
    out = tmp_path / "exported.yaml"
    result = cli("export", "article", "village-ivanivka", "-o", str(out))
    assert result.exit_code == 0, result.output
    written = out.read_text(encoding="utf-8")
    assert "format: claimsdb/article@1.1" in written
    document = yaml.safe_load(written)
    by_key = {s["key"]: s for s in document["statements"]}
    assert by_key["talks-resume"]["chains"] == [["afp"], ["ap"]]
    assert "chain" not in by_key["talks-resume"]
    assert by_key["kovalenko-ready"]["chain"] == ["kovalenko"]
    assert "chains" not in by_key["kovalenko-ready"]
    assert by_key["village-taken"]["chains"][1] == [{"actor": "ap", "cue": "and to"},
                                                   {"actor": "anonymous-officials",
                                                    "cue": "which cited"}]
    assert parse_article(written).content_hash() == parse_article(WIRE).content_hash()
    again = cli("add", str(out))
    assert again.exit_code == 0 and "unchanged" in again.output
    # a version-1 article still exports as version 1, one chain as 'chain'
    single = cli("export", "article", "agency-roundup").output
    assert "format: claimsdb/article@1\n" in single and "chains" not in single


def test_export_article_imports_into_an_empty_database_as_the_same_rows(cli, stored, tmp_path,
                                                                         backend):
    out = tmp_path / "exported.yaml"
    assert cli("export", "article", "village-ivanivka", "-o", str(out)).exit_code == 0
    other = tmp_path / "other.db"
    if backend != "sqlite":
        pytest.skip("the copy goes to a SQLite file; the export itself ran on PostgreSQL")
    assert cli("add", str(out), db=str(other)).exit_code == 0
    again = cli("export", "article", "village-ivanivka", db=str(other)).output
    assert again.splitlines()[2:] == out.read_text(encoding="utf-8").splitlines()[2:]


# -- several chains whose origin hops say how the article names them (points 1 and 2) ------------

NAMED_HERE = """\
format: claimsdb/article@1.1
article:
  key: bridge-report
  title: Troops leave the bridge
  outlet: kyiv-ledger
  published: 2026-12-02
  language: en
  text: |-
    Troops withdrew from the bridge, AFP said, citing a ministry source, and AP cited Іванов.
    The mayor fled the city, AFP said, and AP cited a police officer.
    A curfew starts at ten, AFP said, citing a ministry source, and AP cited a police spokesman.
    Shots were heard downtown — AFP said, citing a ministry source, and AP cited a police officer.
actors:
  - {key: kyiv-ledger, name: The Kyiv Ledger, kind: outlet}
  - {key: afp, name: Agence France-Presse, kind: outlet}
  - {key: ap, name: Associated Press, kind: outlet}
  - {key: defence-ministry, name: Russian defence ministry, kind: government}
  - {key: ivanov, name: Пётр Іванов, kind: person}
  - {key: police, name: City police, kind: organization}
statements:
  - key: bridge
    quote: Troops withdrew from the bridge
    chains:
      - - {actor: afp, cue: said}
        - {actor: defence-ministry, mention: a ministry source, identified: anonymous}
      - [ap, {actor: ivanov, cue: cited, mention: Іванов}]
  - key: mayor
    quote: The mayor fled the city
    chains:
      - [afp]
      - [ap, {actor: police, mention: a police officer, identified: anonymous}]
  - key: curfew
    quote: A curfew starts at ten
    chains:
      - [afp, {actor: defence-ministry, mention: a ministry source, identified: anonymous}]
      - [ap, {actor: police, mention: a police spokesman, identified: role}]
  - key: shots
    quote: Shots were heard downtown
    chains:
      - [afp, {actor: defence-ministry, mention: a ministry source, identified: anonymous}]
      - [ap, {actor: police, mention: a police officer, identified: anonymous}]
"""


@pytest.fixture(params=["one-by-one", "batch"])
def named_here(request, cli, tmp_path, engine):
    path = tmp_path / "bridge.yaml"
    path.write_text(NAMED_HERE, encoding="utf-8")
    batch = ["--batch", "10"] if request.param == "batch" else []
    result = cli("add", *batch, str(path))
    assert result.exit_code == 0, result.output
    return engine


def test_origin_is_each_chains_origin_hop_first(cli, named_here):
    def origin(value: str) -> list[str]:
        return keys(cli("statements", "--origin", value, "--format", "json"))

    assert origin("anonymous") == ["bridge", "mayor", "curfew", "shots"]
    assert origin("named") == ["bridge", "mayor"]  # Іванов; AFP itself
    assert origin("role") == ["curfew"]
    with claimsdb.open(cli.db) as db:
        assert [s.key for s in db.statements(queries.StatementFilter(origin="role"))] == [
            "curfew"]
        view = db.chain("bridge-report#bridge")
        assert view.origins_identified == ("anonymous", "named")
        assert [h.mention for h in view.chains[1]] == [None, "Іванов"]
        assert view.origin_identified == "anonymous"


def test_sources_count_by_the_best_origin_with_hop_identifications(cli, named_here):
    result = cli("sources", "--article", "bridge-report", "--format", "json")
    assert result.exit_code == 0, result.output
    profile = json.loads(result.output)[0]
    assert (profile["statements"], profile["named"], profile["role"],
            profile["anonymous"]) == (4, 2, 1, 1)
    rows = {row["key"]: row for row in json.loads(cli("articles", "--format", "json").output)}
    assert rows["bridge-report"]["anonymous"] == 1  # shots only
    with read_connection(named_here) as conn:
        sourcing = conn.execute(text(
            "SELECT statements, named, role, anonymous FROM article_sourcing "
            "WHERE article = 'bridge-report'")).one()
        first = conn.execute(text(
            "SELECT speaker_identified FROM statement_sources "
            "WHERE ref = 'bridge-report#bridge'")).scalar_one()
    assert tuple(sourcing) == (4, 2, 1, 1)
    assert first == "anonymous"


def test_json_hops_keep_mentions_and_chain_numbers(cli, named_here):
    result = cli("chain", "bridge-report#mayor", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    police = data["chains"][1][1]
    assert (police["mention"], police["identified"]) == ("a police officer", "anonymous")
    assert police["mention_span"] is not None and police["cue_span"] is None
    rows = json.loads(cli("export", "json", "--table", "chain", "--article", "bridge-report")
                      .output)
    later = [r for r in rows if r["statement"] == "mayor" and r["chain"] == 1]
    assert [(r["actor"]["key"], r["mention"], r["is_origin"]) for r in later] == [
        ("ap", None, False), ("police", "a police officer", True)]


def test_export_article_round_trips_chains_with_mentions(cli, named_here):
    result = cli("export", "article", "bridge-report")
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(result.output)
    assert data["format"] == "claimsdb/article@1.1"
    bridge = next(s for s in data["statements"] if s["key"] == "bridge")
    assert bridge["chains"][0][1] == {"actor": "defence-ministry",
                                      "mention": "a ministry source", "identified": "anonymous"}
    assert parse_article(result.output).content_hash() == \
        parse_article(NAMED_HERE).content_hash()
