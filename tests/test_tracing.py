"""Tracing claims across articles, on the invented corpus in tests/data/trace.

See tests/data/trace/generate.py for the story: claim A (a five-hop first report
relayed by 20 outlets and once more, denied six hours later: single-source), claim B
(two independent origins), claim C (outlets citing each other; a chain A > B > A).
"""

from __future__ import annotations

import json
import shutil

import pytest
from sqlalchemy import Engine, insert

from claimsdb.ingest.importer import import_files
from claimsdb.query import tracing
from claimsdb.query.queries import StatementFilter, find_statement_id, iter_statements
from claimsdb.store.db import read_connection, write_transaction
from claimsdb.store.models import Relation
from conftest import DATA

HERALD = "vorsk-herald-dam#dam-sabotaged"
RELAYS = [f"relay-{i:02d}-dam#dam-sabotaged" for i in range(1, 21)]
SECOND = "second-level-dam#dam-sabotaged"


@pytest.fixture
def corpus(db: str, engine: Engine) -> str:
    import_files(engine, sorted((DATA / "trace").glob("*.yaml")))
    return db


def ref_of(trace: tracing.ClaimTrace, ids) -> set[str]:
    return {trace.nodes[i].ref for i in ids}


def test_trace_from_a_relay_finds_the_whole_claim(corpus, engine):
    with read_connection(engine) as conn:
        graph = tracing.trace(conn, "relay-05-dam#dam-sabotaged")
    assert {v.ref for v in graph.nodes.values()} == {HERALD, *RELAYS, SECOND}
    assert {graph.nodes[i].ref: d for i, d in graph.upstream.items()} == {
        "relay-05-dam#dam-sabotaged": 0, HERALD: 1}
    assert {graph.nodes[i].ref: d for i, d in graph.downstream.items()} == {
        "relay-05-dam#dam-sabotaged": 0, SECOND: 1}
    assert ref_of(graph, graph.roots) == {HERALD}
    edges = {(graph.nodes[s].ref, graph.nodes[t].ref) for s, t in graph.repeats}
    assert edges == {*((r, HERALD) for r in RELAYS), (SECOND, "relay-05-dam#dam-sabotaged")}
    assert graph.first_appearance.ref == HERALD


def test_many_articles_one_origin_is_single_source(corpus, engine):
    with read_connection(engine) as conn:
        graph = tracing.trace(conn, HERALD)
    assert [[a.key for a in group] for group in graph.origins] == [["anonymous-engineers"]]
    assert len(graph.articles) == 22
    assert graph.single_source


def test_the_deep_chain_is_kept_hop_by_hop(corpus, engine):
    with read_connection(engine) as conn:
        herald = tracing.trace(conn, HERALD).nodes[find_statement_id(conn, HERALD)]
    assert [h.actor.key for h in herald.chain] == [
        "harbour-gazette", "regional-radio", "ministry-press-office", "deputy-minister",
        "anonymous-engineers"]
    assert next(a.key for a in tracing.passes_through(herald)) == "vorsk-herald"


def test_denial_timing_from_the_first_report(corpus, engine):
    with read_connection(engine) as conn:
        graph = tracing.trace(conn, SECOND)
    (reaction,) = graph.reactions
    assert reaction.type == "denies"
    assert reaction.by.ref == "ministry-denial#no-sabotage"
    assert graph.nodes[reaction.target_id].ref == HERALD
    assert reaction.delay == "6 hours after"


def test_independent_corroboration_counts_origins_not_articles(corpus, engine):
    with read_connection(engine) as conn:
        graph = tracing.trace(conn, "river-times-fish#fish-collapse")
    assert [[a.key for a in g] for g in graph.origins] == [["fishermen-union"],
                                                           ["university-lab"]]
    assert not graph.single_source
    assert {graph.nodes[i].ref for i in graph.upstream} == {
        "river-times-fish#fish-collapse", "north-post-fish#fish-collapse",
        "lake-science-fish#fish-collapse"}


def test_outlets_citing_each_other_are_one_origin_and_a_loop(corpus, engine):
    with read_connection(engine) as conn:
        graph = tracing.trace(conn, "alpha-news-mayor#mayor-resigned")
        loops = tracing.find_loops(conn)
    assert [[a.key for a in g] for g in graph.origins] == [["alpha-news", "beta-daily"]]
    assert graph.single_source
    described = sorted((loop.kind, loop.path, loop.statements) for loop in loops)
    assert described == [
        ("chain", ("gamma-wire", "alpha-news", "beta-daily", "alpha-news"),
         ("gamma-wire-mayor#mayor-resigned",)),
        ("citation", ("alpha-news", "beta-daily", "alpha-news"),
         ("alpha-news-mayor#mayor-resigned", "beta-daily-mayor#mayor-resigned",
          "gamma-wire-mayor#mayor-resigned")),
    ]


def test_claims_list_with_corroboration_filters(corpus, engine):
    with read_connection(engine) as conn:
        claims = {c.claim: c for c in tracing.iter_claims(conn)}
        single = [c.claim for c in tracing.iter_claims(conn, single_source=True)]
        corroborated = [c.claim for c in tracing.iter_claims(conn, min_origins=2)]
    assert set(claims) == {HERALD, "lake-science-fish#fish-collapse",
                           "alpha-news-mayor#mayor-resigned"}
    dam = claims[HERALD]
    assert (dam.statements, dam.articles, dam.origins, dam.single_source, dam.denied) == (
        22, 22, 1, True, 1)
    assert dam.first_published == "2025-05-01T08:00:00+00:00"
    assert single == [HERALD, "alpha-news-mayor#mayor-resigned"]
    assert corroborated == ["lake-science-fish#fish-collapse"]


def test_later_denied_combines_with_the_other_filters(corpus, engine):
    flt = StatementFilter(via="vorsk-herald", origin="anonymous", later_denied=True)
    with read_connection(engine) as conn:
        found = [v.ref for v in iter_statements(conn, flt)]
    # The first report (08:00) and relays 1 to 9 (09:30 to 13:30) came before the
    # 14:00 denial; relays 10 to 20 and the undated-by-time second relay did not.
    assert found == [HERALD, *RELAYS[:9]]


def test_sourcing_profile_counts_independent_origins(corpus, engine):
    from claimsdb.query.queries import sourcing_profiles

    with read_connection(engine) as conn:
        profiles = {p.scope: p for p in sourcing_profiles(conn)}
    assert profiles["all"].independent_origins == 5
    assert profiles["vorsk-herald-dam"].independent_origins == 1


@pytest.mark.inconsistent_db  # it writes a repeats cycle, which 'claimsdb check' reports
def test_a_repeats_cycle_in_an_old_database_is_found_not_followed_forever(corpus, engine):
    with write_transaction(engine) as conn:
        herald = find_statement_id(conn, HERALD)
        relay = find_statement_id(conn, RELAYS[0])
        conn.execute(insert(Relation), {"source_id": herald, "type": "repeats",
                                        "target_id": relay})
    with read_connection(engine) as conn:
        graph = tracing.trace(conn, HERALD, max_depth=10)
        loops = [loop for loop in tracing.find_loops(conn) if loop.kind == "repeats"]
    assert len(graph.nodes) == 22
    assert [loop.statements for loop in loops] == [(RELAYS[0], HERALD)]  # smallest first
    assert loops[0].path == (RELAYS[0], HERALD, RELAYS[0])


def test_walks_stay_within_the_depth_limit(corpus, engine):
    with read_connection(engine) as conn:
        second = find_statement_id(conn, SECOND)
        assert len(tracing.walk(conn, [second], upstream=True, max_depth=1)) == 2
        assert len(tracing.walk(conn, [second], upstream=True, max_depth=5)) == 3


# -- the commands --------------------------------------------------------------------------

def test_trace_tree_in_the_terminal(corpus, cli):
    result = cli("trace", "relay-05-dam#dam-sabotaged")
    assert result.exit_code == 0, result.stderr
    out = result.output
    assert "22 statement(s) in 22 article(s); 1 independent origin" in out
    assert "SINGLE-SOURCE" in out
    assert out.count("├── ") + out.count("└── ") == 21
    assert "├── relay-05-dam#dam-sabotaged  2025-05-01 11:30  Relay Outlet 5   <- asked" in out
    assert "│   └── second-level-dam#dam-sabotaged  2025-05-02  Echo Digest" in out
    assert "✗ denied by ministry-denial#no-sabotage (Ministry spokesperson, 6 hours after " \
        "the first report)" in " ".join(out.split())


def test_trace_json_dot_and_mermaid(corpus, cli):
    data = json.loads(cli("trace", SECOND, "--format", "json").output)
    assert data["roots"] == [HERALD]
    assert data["independent_origins"] == 1
    assert data["single_source"] is True
    assert data["upstream"] == {HERALD: 2, "relay-05-dam#dam-sabotaged": 1, SECOND: 0}
    dot = cli("trace", SECOND, "--format", "dot").output
    assert dot.startswith("digraph claim {")
    assert dot.count('[label="repeats"]') == 21
    assert 'label="denies"' in dot
    mermaid = cli("trace", SECOND, "--format", "mermaid").output
    assert mermaid.startswith("graph BT")
    assert mermaid.count("-->|repeats|") == 21
    assert "-.->|denies|" in mermaid


def test_graph_labels_escape_hostile_text(db, engine, cli, write_article):
    import_files(engine, [write_article('''
article:
  key: hostile-label
  title: t
  text: 'He said "<script>alert(1)</script> \\\\ done" and left.'
statements:
  - {key: s, quote: '"<script>alert(1)</script> \\\\ done"'}
''')])
    dot = cli("trace", "hostile-label#s", "--format", "dot").output
    assert '\\"<script>alert(1)</script> \\\\\\\\ done\\"' in dot
    mermaid = cli("trace", "hostile-label#s", "--format", "mermaid").output
    assert "<script>" not in mermaid
    assert "&lt;script&gt;" in mermaid


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_trace_draws_svg_with_graphviz(corpus, cli, tmp_path):
    target = tmp_path / "claim.svg"
    result = cli("trace", HERALD, "--svg", str(target))
    assert result.exit_code == 0, result.stderr
    svg = target.read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml")
    assert "Vorsk Herald" in svg


def test_claims_and_loops_commands(corpus, cli):
    table = cli("claims", "--single-source")
    assert table.exit_code == 0
    assert len(table.output.splitlines()) == 2 + 2
    single = json.loads(cli("claims", "--single-source", "--format", "json").output)
    assert [r["claim"] for r in single] == [HERALD, "alpha-news-mayor#mayor-resigned"]
    rows = json.loads(cli("claims", "--min-origins", "2", "--format", "json").output)
    assert [r["claim"] for r in rows] == ["lake-science-fish#fish-collapse"]
    assert rows[0]["origin_names"] == ["Fishermen's Union", "Vorsk University Lab"]
    loops = cli("loops", "--format", "json")
    assert loops.exit_code == 1  # circular reporting found
    assert {loop["kind"] for loop in json.loads(loops.output)} == {"chain", "citation"}
    later = json.loads(cli("statements", "--via", "vorsk-herald", "--origin", "anonymous",
                           "--later-denied", "--format", "json").output)
    assert [s["ref"] for s in later] == [HERALD, *RELAYS[:9]]


def test_no_loops_in_the_seed(seeded, cli):
    result = cli("loops")
    assert result.exit_code == 0
    assert "no circular reporting found" in result.output


def test_check_notes_circular_reporting_without_failing(corpus, cli):
    result = cli("check")
    assert result.exit_code == 0, result.output + result.stderr
    assert ("note: circular reporting in alpha-news-mayor#mayor-resigned, "
            "beta-daily-mayor#mayor-resigned, gamma-wire-mayor#mayor-resigned: outlets cite "
            "each other for the same claim: alpha-news -> beta-daily -> alpha-news"
            ) in result.output
    assert "a chain passes through the same actor twice" in result.output


OWN_VOICE_AND_THREE_MINISTERS = """\
format: claimsdb/article@1
article:
  key: three-ministers
  title: Three ministers speak
  outlet: gazette
  published: 2025-06-01
  text: |
    The finance minister said taxes will rise. The defence minister said troops will stay.
    The health minister said clinics will open. Prices rose again this week.
actors:
  - {key: gazette, name: The Gazette, kind: outlet}
  - {key: finance-minister, name: Finance minister, kind: person, identified: role}
  - {key: defence-minister, name: Defence minister, kind: person, identified: role}
  - {key: health-minister, name: Health minister, kind: person, identified: role}
statements:
  - key: taxes
    quote: taxes will rise
    chain: [{actor: finance-minister, cue: said}]
  - key: troops
    quote: troops will stay
    chain: [{actor: defence-minister, cue: said}]
  - key: clinics
    quote: clinics will open
    chain: [{actor: health-minister, cue: said}]
  - key: prices
    quote: Prices rose again this week
"""


def test_issue_11_item_14_own_voice_does_not_fold_every_origin_into_one(db, engine, tmp_path):
    """Issue 11 item 14: three ministers and one own-voice sentence are four origins
    (the outlet is one of them), not one: the article's outlet relays every statement
    of the article, so passing through it does not make two sources one."""
    from claimsdb.query.queries import sourcing_profiles

    path = tmp_path / "three-ministers.yaml"
    path.write_text(OWN_VOICE_AND_THREE_MINISTERS, encoding="utf-8")
    import_files(engine, [path])
    with read_connection(engine) as conn:
        profiles = {p.scope: p for p in sourcing_profiles(conn)}
    assert profiles["three-ministers"].own_voice == 1
    assert profiles["three-ministers"].independent_origins == 4
    assert profiles["all"].independent_origins == 4
