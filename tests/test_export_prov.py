"""``claimsdb export prov``: the provenance graph in W3C PROV, read back with ``prov``.

The output must parse with the ``prov`` package itself, and what it holds must be
what the database holds: one statement entity per statement, one agent per actor,
attribution to the original speaker, one derivation per relay, typed relations.
"""

from __future__ import annotations

import io
import subprocess
import sys
from collections import Counter

import prov
import pytest
from prov.model import ProvDocument
from sqlalchemy import Engine, text

from claimsdb.ingest.importer import import_files
from claimsdb.output import prov_export
from claimsdb.query import queries
from claimsdb.store.db import read_connection
from conftest import DATA

SEED = "putin-stance-stalls-talks"
NS = prov_export.NAMESPACES


def read_json(output: str) -> ProvDocument:
    return prov.read(io.StringIO(output), format="json")


def scalar(engine: Engine, sql: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar_one()


def uri(record_or_name) -> str:
    return str(getattr(record_or_name, "uri", record_or_name))


def relations_of(doc: ProvDocument, kind) -> list:
    return list(doc.get_records(kind))


def attribute(record, name: str) -> list[str]:
    return [uri(v) if hasattr(v, "uri") else str(v) for v in record.get_attribute(name)]


@pytest.fixture
def corpus(seeded: str, engine: Engine) -> str:
    import_files(engine, sorted((DATA / "corpus").glob("*.yaml")))
    return seeded


def test_prov_json_parses_back_with_counts_matching_the_database(corpus, cli, engine):
    result = cli("export", "prov")
    assert result.exit_code == 0, result.stderr
    doc = read_json(result.stdout)
    assert len(prov_export.statements_in(doc)) == scalar(engine, "SELECT count(*) FROM statements")
    assert len(prov_export.agents_in(doc)) == scalar(engine, "SELECT count(*) FROM actors")
    articles = [e for e in doc.get_records(prov.model.ProvEntity)
                if f"{NS['claimsdb']}Article" in attribute(e, "prov:type")]
    assert len(articles) == scalar(engine, "SELECT count(*) FROM articles")
    # Every statement with a speaker is attributed to exactly that agent.
    attributed = Counter(uri(r.get_attribute("prov:entity").pop())
                         for r in doc.get_records(prov.model.ProvAttribution)
                         if uri(next(iter(r.get_attribute("prov:entity")))).startswith(
                             NS["statement"]))
    assert sum(attributed.values()) == scalar(
        engine, "SELECT count(*) FROM statements WHERE speaker_id IS NOT NULL")
    assert set(attributed.values()) == {1}
    # Written again by the package, it reads back as the same document.
    again = io.StringIO()
    prov_export.write_prov(doc, again, "json")
    assert read_json(again.getvalue()) == doc


def test_a_relayed_statement_is_a_chain_of_derivations(seeded, cli):
    doc = read_json(cli("export", "prov", "--article", SEED).stdout)
    claim = f"{NS['statement']}{SEED}/officials-putin-maximalist-demands"
    printed = f"{NS['report']}{SEED}/officials-putin-maximalist-demands"
    via_bloomberg = f"{printed}/hop-0"

    attributions = {(uri(next(iter(r.get_attribute("prov:entity")))),
                     uri(next(iter(r.get_attribute("prov:agent")))))
                    for r in doc.get_records(prov.model.ProvAttribution)}
    assert (claim, f"{NS['actor']}western-security-officials") in attributions
    assert (via_bloomberg, f"{NS['actor']}bloomberg") in attributions
    # The seed has no outlet, so the printed report is attributed to no one.
    assert not [a for e, a in attributions if e == printed]

    derivations = [
        (uri(next(iter(r.get_attribute("prov:generatedEntity")))),
         uri(next(iter(r.get_attribute("prov:usedEntity")))),
         attribute(r, "prov:type"), attribute(r, f"{NS['claimsdb']}cue"))
        for r in doc.get_records(prov.model.ProvDerivation)
    ]
    mine = [d for d in derivations if d[0] in (printed, via_bloomberg)]
    relay = f"{NS['claimsdb']}Relay"
    primary = "http://www.w3.org/ns/prov#PrimarySource"
    assert sorted(mine) == sorted([
        (printed, via_bloomberg, [relay], ["quoted by"]),
        (via_bloomberg, claim, [relay], ["say"]),
        (printed, claim, [primary], []),
    ])
    memberships = {(uri(next(iter(r.get_attribute("prov:collection")))),
                    uri(next(iter(r.get_attribute("prov:entity")))))
                   for r in doc.get_records(prov.model.ProvMembership)}
    assert (f"{NS['article']}{SEED}", printed) in memberships


def test_direct_quotes_are_quotations_and_denials_are_typed_influences(seeded, cli):
    doc = read_json(cli("export", "prov").stdout)
    peskov = f"{NS['statement']}{SEED}/peskov-western-assessment-does-not-reflect-reality"
    quotation = "http://www.w3.org/ns/prov#Quotation"
    quoted = [r for r in doc.get_records(prov.model.ProvDerivation)
              if quotation in attribute(r, "prov:type")]
    assert quoted, "direct statements relay by quotation"
    influences = {(uri(next(iter(r.get_attribute("prov:influencee")))),
                   tuple(attribute(r, "prov:type")),
                   uri(next(iter(r.get_attribute("prov:influencer")))))
                  for r in doc.get_records(prov.model.ProvInfluence)}
    denies = (f"{NS['claimsdb']}denies",)
    assert (peskov, denies,
            f"{NS['statement']}{SEED}/officials-putin-maximalist-demands") in influences
    denied = [i for i in influences if i[1] == denies]
    assert len(denied) == 4


def test_repeats_across_articles_are_derivations_and_roles_are_delegations(corpus, cli):
    doc = read_json(cli("export", "prov").stdout)
    repeats = [
        (uri(next(iter(r.get_attribute("prov:generatedEntity")))),
         uri(next(iter(r.get_attribute("prov:usedEntity")))))
        for r in doc.get_records(prov.model.ProvDerivation)
        if f"{NS['claimsdb']}repeats" in attribute(r, "prov:type")
    ]
    assert (f"{NS['statement']}kyiv-ranok-maximalist/maximalist-demands",
            f"{NS['statement']}{SEED}/officials-putin-maximalist-demands") in repeats
    delegations = {(uri(next(iter(r.get_attribute("prov:delegate")))),
                    uri(next(iter(r.get_attribute("prov:responsible")))),
                    tuple(attribute(r, f"{NS['claimsdb']}title")))
                   for r in doc.get_records(prov.model.ProvDelegation)}
    assert (f"{NS['actor']}peskov", f"{NS['actor']}kremlin", ("spokesman",)) in delegations
    agents = {uri(a.identifier): a for a in prov_export.agents_in(doc)}
    putin = agents[f"{NS['actor']}putin"]
    assert "http://www.w3.org/ns/prov#Person" in attribute(putin, "prov:type")
    assert attribute(putin, f"{NS['claimsdb']}wikidata") == ["http://www.wikidata.org/entity/Q7747"]
    officials = agents[f"{NS['actor']}western-security-officials"]
    assert attribute(officials, f"{NS['claimsdb']}identified") == ["anonymous"]


def test_a_filtered_export_holds_only_its_statements_and_their_agents(corpus, cli, engine):
    doc = read_json(cli("export", "prov", "--speaker", "peskov").stdout)
    statements = {attribute(s, f"{NS['claimsdb']}ref")[0]
                  for s in prov_export.statements_in(doc)}
    with read_connection(engine) as conn:
        expected = {v.ref for v in queries.iter_statements(
            conn, queries.StatementFilter(speaker="peskov"))}
    assert statements == expected
    assert {ref.split("#")[0] for ref in expected} == {
        SEED, "kyiv-ranok-maximalist", "northgate-senior-official"}
    agents = {uri(a.identifier).removeprefix(NS["actor"]) for a in prov_export.agents_in(doc)}
    # Peskov, the outlets of his articles, his role's organisation, and whom he talks about.
    assert {"peskov", "kremlin", "kyiv-ranok", "northgate-wire"} <= agents
    assert "bloomberg" not in agents
    # Denials of statements outside the export are left out rather than dangling.
    for record in doc.get_records(prov.model.ProvInfluence):
        target = attribute(record, "prov:influencer")[0]
        assert target.removeprefix(NS["statement"]).replace("/", "#", 1) in statements


def test_prov_n_is_written_by_the_package(seeded, cli, tmp_path):
    target = tmp_path / "seed.provn"
    result = cli("export", "prov", "--prov-n", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert "wrote the provenance of 36 statements" in result.stderr
    written = target.read_text(encoding="utf-8")
    assert written.startswith("document\n")
    assert written.rstrip().endswith("endDocument")
    assert "prefix claimsdb <urn:claimsdb:ns#>" in written
    assert (f"wasAttributedTo(statement:{SEED}/officials-putin-maximalist-demands, "
            "actor:western-security-officials)") in written
    assert "prov:type='claimsdb:denies'" in written


def test_a_missing_prov_package_is_a_clear_error(seeded, tmp_path):
    probe = (
        "import sys\n"
        "sys.modules['prov'] = None  # as if not installed\n"
        "from claimsdb.cli import main\n"
        f"main(['--db', {seeded!r}, 'export', 'prov'])\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 1
    assert done.stdout == ""
    assert "pip install 'claimsdb[prov]'" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("fmt", ["json", "provn"])
def test_streamed_pieces_add_up_to_the_whole_document(corpus, engine, monkeypatch, fmt):
    """The command writes the graph in pieces (constant memory); a tiny piece size
    makes the seed span many of them, whose blank relation ids must not collide."""
    with read_connection(engine) as conn:
        whole = prov_export.provenance_document(conn, queries.StatementFilter())
        monkeypatch.setattr(prov_export, "PIECE", 4)
        out = io.StringIO()
        written = prov_export.write_prov(
            prov_export.iter_provenance(conn, queries.StatementFilter()), out, fmt)
    assert written == len(prov_export.statements_in(whole))
    if fmt == "json":
        streamed = read_json(out.getvalue())
        assert len(streamed.get_records()) == len(whole.get_records())
        assert streamed == whole
    else:
        lines = out.getvalue().splitlines()
        assert lines[0] == "document" and lines[-1] == "endDocument"
        expected = whole.get_provn().splitlines()
        assert sorted(line.strip() for line in lines if line.strip()) == sorted(
            line.strip() for line in expected if line.strip())


# -- issue 11 item 28: streamed, and the same document as before ----------------------------

GOLDEN = DATA / "prov"  # written by claimsdb at fc4814f, before the export streamed


@pytest.mark.parametrize("fmt", ["json", "provn"])
def test_issue11_item28_streamed_prov_is_the_document_it_was(corpus, cli, fmt):
    """Issue 11 item 28: the streamed export holds what the buffered one held: PROV-JSON
    parsed by ``prov`` equals the earlier output; PROV-N has the same lines."""
    args = ["export", "prov"] + (["--prov-n"] if fmt == "provn" else [])
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    if fmt == "json":
        before = prov.read(str(GOLDEN / "seed-and-corpus.prov.json"), format="json")
        now = read_json(result.stdout)
        assert len(now.get_records()) == len(before.get_records())
        assert now == before
    else:
        before = (GOLDEN / "seed-and-corpus.provn").read_text(encoding="utf-8")
        assert sorted(result.stdout.splitlines()) == sorted(before.splitlines())


@pytest.mark.parametrize("fmt", ["json", "provn"])
def test_issue11_item28_records_are_written_as_statements_are_read(corpus, engine, fmt,
                                                                   monkeypatch):
    """Issue 11 item 28: the first statement's records are in the output before the
    second statement is read (PROV-JSON used to wait for the whole graph; PROV-N is
    written a piece of PIECE statements at a time, here one)."""
    monkeypatch.setattr(prov_export, "PIECE", 1)
    out = io.StringIO()
    seen: list[str] = []
    with read_connection(engine) as conn:
        count = prov_export.stream_prov(conn, queries.StatementFilter(), out, fmt,
                                        on_statement=lambda: seen.append(out.getvalue()))
    assert count == len(seen) > 1
    written_before_the_second = seen[1]
    first = f"{SEED}/headline-unyielding-stance-stalls-talks"
    record = f'"statement:{first}": {{' if fmt == "json" else f"entity(statement:{first}, "
    assert record in written_before_the_second, written_before_the_second[:300]


def test_issue11_item28_export_prov_spools_nothing(corpus, cli, monkeypatch):
    """Issue 11 item 28: no temporary spool of the document (the JSON sections used to
    be written to temporary files and joined at the end)."""
    import tempfile

    def refuse(*args, **kwargs):
        raise AssertionError("export prov made a temporary file")

    monkeypatch.setattr(tempfile, "TemporaryFile", refuse)
    monkeypatch.setattr(tempfile, "NamedTemporaryFile", refuse)
    for args in (["export", "prov"], ["export", "prov", "--prov-n"]):
        result = cli(*args)
        assert result.exit_code == 0, result.stderr
