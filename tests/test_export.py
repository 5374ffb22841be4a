"""``claimsdb export csv|jsonl|json``: what a spreadsheet or a program receives.

CSV output is read back with the csv module and checked value by value, including the
cases that break naive writers: commas and double quotes inside quotes, line breaks,
Cyrillic, curly quotes, and cells a spreadsheet would run as formulas.
"""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from claimsdb.ingest.importer import import_files
from claimsdb.output import export as exporter
from claimsdb.query import queries
from claimsdb.store.db import read_connection

SEED = "putin-stance-stalls-talks"
MAXIMALIST = f"{SEED}#officials-putin-maximalist-demands"

# Text chosen to break CSV writers: every quote below is an exact passage of it.
TRICKY = """\
format: claimsdb/article@1
article:
  key: tricky-text
  title: "Кремль: «це не так», say officials"
  outlet: kyiv-wire
  published: 2025-03-12
  url: https://example.org/tricky
  authors: [olena-avtor]
  text: |
    =SUM(A1:A2) was typed into the headline by mistake.
    Peskov said: "We will see, and then decide" about the talks.
    According to officials, the plan is “a trap, not a deal”.
    – Переговори, як завжди, тривають,
    and they go on, he said.
    - No comment, said the ministry.
actors:
  - {key: kyiv-wire, name: "Kyiv Wire, Ltd.", kind: outlet}
  - {key: olena-avtor, name: Олена Автор, kind: person}
  - {key: peskov, name: Dmitry Peskov, kind: person, roles: [{of: kremlin, title: spokesman}]}
  - {key: kremlin, name: Kremlin, kind: organization}
  - {key: officials, name: "Officials, unnamed", kind: group, identified: anonymous}
  - {key: ministry, name: The ministry, kind: government}
statements:
  - key: formula
    quote: =SUM(A1:A2)
  - key: commas-and-quotes
    quote: 'said: "We will see, and then decide"'
    kind: direct
    chain: [{actor: peskov, cue: said}]
  - key: curly
    quote: “a trap, not a deal”
    chain: [{actor: officials, cue: 'According to'}]
    about: [kremlin]
  - key: two-lines
    quote: |-
      Переговори, як завжди, тривають,
      and they go on
    kind: direct
    chain: [{actor: peskov, cue: he said}]
    denies: [curly]
  - key: dash
    quote: '- No comment'
    chain: [ministry]
    contradicts: [commas-and-quotes]
"""


@pytest.fixture
def tricky(db: str, engine: Engine, write_article) -> str:
    import_files(engine, [write_article(TRICKY)])
    return db


def rows_of(output: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(output, newline="")))


def by_statement(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {r["statement"]: r for r in rows}


def count(engine: Engine, sql: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar_one()


# -- CSV values --------------------------------------------------------------------------

def test_csv_values_survive_commas_quotes_line_breaks_and_non_ascii(tricky, cli):
    result = cli("export", "csv")
    assert result.exit_code == 0, result.stderr
    rows = by_statement(rows_of(result.stdout))
    assert set(rows) == {"formula", "commas-and-quotes", "curly", "two-lines", "dash"}
    assert rows["commas-and-quotes"]["quote"] == 'said: "We will see, and then decide"'
    assert rows["commas-and-quotes"]["speaker"] == "Dmitry Peskov"
    assert rows["curly"]["quote"] == "“a trap, not a deal”"
    assert rows["curly"]["speaker"] == "Officials, unnamed"
    assert rows["curly"]["speaker_identified"] == "anonymous"
    assert rows["curly"]["about"] == "kremlin"
    assert rows["two-lines"]["quote"] == "Переговори, як завжди, тривають,\nand they go on"
    assert rows["two-lines"]["denies"] == "tricky-text#curly"
    assert rows["curly"]["denied_by"] == "tricky-text#two-lines"
    assert rows["dash"]["contradicts"] == "tricky-text#commas-and-quotes"
    assert rows["commas-and-quotes"]["contradicted_by"] == "tricky-text#dash"
    # Own voice of an article with an outlet: the outlet speaks.
    assert rows["formula"]["speaker"] == "Kyiv Wire, Ltd."
    assert rows["formula"]["chain"] == ""
    assert rows["formula"]["article_title"] == "Кремль: «це не так», say officials"
    assert rows["formula"]["published"] == "2025-03-12"
    assert rows["formula"]["url"] == "https://example.org/tricky"
    # Formula guard, on by default: a leading apostrophe, nothing else changed.
    assert rows["formula"]["quote"] == "'=SUM(A1:A2)"
    assert rows["dash"]["quote"] == "'- No comment"
    assert rows["two-lines"]["context"].startswith("– Переговори")  # en dash: not a trigger


def test_no_formula_guard_writes_cells_verbatim(tricky, cli):
    rows = by_statement(rows_of(cli("export", "csv", "--no-formula-guard").stdout))
    assert rows["formula"]["quote"] == "=SUM(A1:A2)"
    assert rows["dash"]["quote"] == "- No comment"


def test_csv_is_rfc_4180_quoted(tricky, cli):
    out = cli("export", "csv", "--article", "tricky-text").stdout
    # A double quote inside a value is doubled, and the value is quoted.
    assert '"said: ""We will see, and then decide"""' in out
    # The line break stays inside the quoted value.
    assert '"Переговори, як завжди, тривають,\nand they go on"' in out


def test_excel_mode_adds_a_bom_and_crlf_and_keeps_values(tricky, cli):
    raw = cli("export", "csv", "--excel").stdout_bytes
    assert raw.startswith(b"\xef\xbb\xbfarticle,statement,")
    decoded = raw.decode("utf-8-sig")
    records = list(csv.DictReader(io.StringIO(decoded, newline="")))
    assert len(records) == 5
    assert by_statement(records)["two-lines"]["quote"] == (
        "Переговори, як завжди, тривають,\nand they go on")
    # Every record ends with CRLF; the line break inside a value stays as stored.
    assert raw.count(b"\r\n") == 6
    assert b"\xd1\x82\xd1\x8c,\nand they go on" in raw


# -- every table ------------------------------------------------------------------------------

def test_statements_table_has_one_row_per_statement(seeded, cli, engine):
    rows = rows_of(cli("export", "csv", "--table", "statements").stdout)
    assert len(rows) == count(engine, "SELECT count(*) FROM statements") == 36
    assert list(rows[0]) == list(exporter.STATEMENT_COLUMNS)


def test_chain_table_is_one_row_per_hop_nearest_first(seeded, cli, engine):
    rows = rows_of(cli("export", "csv", "--table", "chain").stdout)
    assert list(rows[0]) == list(exporter.HOP_COLUMNS)
    assert len(rows) == count(engine, "SELECT count(*) FROM chain_hops")
    maximalist = [r for r in rows if r["statement"] == "officials-putin-maximalist-demands"]
    assert [(r["position"], r["actor"], r["actor_kind"], r["actor_identified"], r["cue"],
             r["is_origin"], r["chain_depth"]) for r in maximalist] == [
        ("0", "Bloomberg", "outlet", "named", "quoted by", "false", "2"),
        ("1", "Western security officials", "group", "anonymous", "say", "true", "2"),
    ]
    # Own-voice statements have no chain, so no rows.
    assert not [r for r in rows if r["statement"] == "headline-unyielding-stance-stalls-talks"]


def test_relations_table_has_both_ends_and_speakers(seeded, cli, engine):
    rows = rows_of(cli("export", "csv", "--table", "relations").stdout)
    assert list(rows[0]) == list(exporter.RELATION_COLUMNS)
    assert len(rows) == count(engine, "SELECT count(*) FROM relations")
    denial = next(r for r in rows if r["type"] == "denies" and r["target"] == MAXIMALIST)
    assert denial["source"] == f"{SEED}#peskov-western-assessment-does-not-reflect-reality"
    assert denial["source_speaker"] == "Dmitry Peskov"
    assert denial["source_speaker_key"] == "peskov"
    assert denial["target_speaker"] == "Western security officials"
    assert denial["source_quote"] == "the assessment from Western services does not reflect reality"
    assert denial["target_quote"].startswith('Putin made "maximalist" demands')


def test_actors_table_has_definitions_and_counts(seeded, cli, engine):
    rows = {r["key"]: r for r in rows_of(cli("export", "csv", "--table", "actors").stdout)}
    assert len(rows) == count(engine, "SELECT count(*) FROM actors")
    peskov = rows["peskov"]
    assert peskov["name"] == "Dmitry Peskov"
    assert peskov["aliases"] == "Dmitri Peskov; Peskov"
    assert peskov["roles"] == "spokesman of kremlin"
    assert peskov["denials_issued"] == "4"
    assert rows["putin"]["wikidata"] == "Q7747"
    assert rows["western-security-officials"]["identified"] == "anonymous"
    assert rows["western-security-officials"]["denials_received"] == "4"


def test_articles_table(tricky, cli, engine, write_article):
    rows = {r["key"]: r for r in rows_of(cli("export", "csv", "--table", "articles").stdout)}
    assert rows["tricky-text"] == {
        "key": "tricky-text", "title": "Кремль: «це не так», say officials",
        "outlet": "Kyiv Wire, Ltd.", "outlet_key": "kyiv-wire", "published": "2025-03-12",
        "url": "https://example.org/tricky", "language": "en", "authors": "Олена Автор",
        "statements": "5", "anonymous": "1", "denied": "1", "retrieved": "", "archived_url": "",
    }


# -- one filter for every table --------------------------------------------------------------

FILTERS = [
    ("--speaker", "peskov"),
    ("--via", "Bloomberg"),
    ("--origin", "anonymous"),
    ("--denied",),
    ("--about", "european-countries"),
    ("--kind", "direct"),
    ("--search", "peacekeeping forces"),
    ("--limit", "3"),
]


@pytest.mark.parametrize("option", FILTERS, ids=lambda o: " ".join(o))
def test_every_table_follows_the_statement_filter(seeded, cli, engine, option):
    flt_kwargs = {option[0].lstrip("-").replace("-", "_"): (
        True if len(option) == 1 else int(option[1]) if option[0] == "--limit" else option[1])}
    flt = queries.StatementFilter(**flt_kwargs)
    with read_connection(engine) as conn:
        views = list(queries.iter_statements(conn, flt))
    refs = [v.ref for v in views]
    assert refs, "the filter should select something in the seed"

    statements = rows_of(cli("export", "csv", *option).stdout)
    assert [f"{r['article']}#{r['statement']}" for r in statements] == refs

    hops = rows_of(cli("export", "csv", "--table", "chain", *option).stdout)
    assert [(f"{r['article']}#{r['statement']}", int(r["position"])) for r in hops] == [
        (v.ref, h.position) for v in views for h in v.chain]

    relations = rows_of(cli("export", "csv", "--table", "relations", *option).stdout)
    expected = {(v.ref, r.type, r.ref) for v in views for r in v.outgoing} | {
        (r.ref, r.type, v.ref) for v in views for r in v.incoming}
    assert {(r["source"], r["type"], r["target"]) for r in relations} == expected
    assert len(relations) == len(expected)

    actors = {r["key"] for r in rows_of(cli("export", "csv", "--table", "actors",
                                              *option).stdout)}
    involved = {v.speaker.key for v in views if v.speaker} | {
        h.actor.key for v in views for h in v.chain} | {
        a.key for v in views for a in v.about} | {v.outlet.key for v in views if v.outlet}
    assert actors == involved

    articles = rows_of(cli("export", "csv", "--table", "articles", *option).stdout)
    assert [r["key"] for r in articles] == [SEED]

    lines = cli("export", "jsonl", *option).stdout.splitlines()
    assert [json.loads(line)["ref"] for line in lines] == refs


def test_exports_take_the_statement_filters_of_the_statements_command():
    from claimsdb.cli import main

    def options(*path):
        command = main
        for name in path:
            command = command.commands[name]
        return {o.name for o in command.params} - {"help"}

    from claimsdb.cli.options import statement_filter_options

    @statement_filter_options
    def probe(flt):  # pragma: no cover - only its options are read
        pass

    import click

    filter_names = {p.name for p in click.command()(probe).params}
    assert filter_names >= {"article", "speaker", "with_members", "via", "origin", "kind",
                            "denied", "denials", "about", "search", "since", "until",
                            "limit"}
    for path in (("statements",), ("export", "csv"), ("export", "jsonl"), ("export", "json"),
                 ("export", "prov")):
        assert filter_names <= options(*path), path


def test_a_bad_filter_fails_before_anything_is_written(seeded, cli, tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    target = folder / "out.csv"
    target.write_text("precious\n")
    result = cli("export", "csv", "--speaker", "nobody-at-all", "-o", str(target))
    assert result.exit_code == 1
    assert "no actor 'nobody-at-all'" in result.stderr
    assert target.read_text() == "precious\n"
    assert list(folder.iterdir()) == [target]  # no temporary file left behind
    to_stdout = cli("export", "jsonl", "--via", "nobody-at-all")
    assert to_stdout.exit_code == 1
    assert to_stdout.stdout == ""


def test_date_filters_and_since_until(tricky, seeded, cli):
    rows = rows_of(cli("export", "csv", "--since", "2025-03-12", "--until",
                       "2025-03-12").stdout)
    assert {r["article"] for r in rows} == {"tricky-text"}
    assert rows_of(cli("export", "csv", "--since", "2025-03-13").stdout) == []


# -- JSON --------------------------------------------------------------------------------------

def test_jsonl_is_one_statement_object_per_line_shaped_like_chain_json(seeded, cli):
    lines = cli("export", "jsonl").stdout.splitlines()
    assert len(lines) == 36
    objects = {o["ref"]: o for o in map(json.loads, lines)}
    chain_json = json.loads(cli("chain", MAXIMALIST, "--format", "json").stdout)
    assert objects[MAXIMALIST] == chain_json
    hops = objects[MAXIMALIST]["chain"]
    assert [(h["position"], h["actor"]["key"], h["cue"]) for h in hops] == [
        (0, "bloomberg", "quoted by"), (1, "western-security-officials", "say")]


def test_json_is_one_array_of_the_same_objects(seeded, cli):
    document = json.loads(cli("export", "json").stdout)
    lines = [json.loads(line) for line in cli("export", "jsonl").stdout.splitlines()]
    assert document == lines
    assert json.loads(cli("export", "json", "--speaker", "trump", "--kind", "indirect",
                          "--denied").stdout) == []


def test_json_tables_keep_native_types(tricky, cli):
    hops = json.loads(cli("export", "json", "--table", "chain").stdout)
    two_lines = next(h for h in hops if h["statement"] == "two-lines")
    assert two_lines == {
        "ref": "tricky-text#two-lines", "article": "tricky-text", "statement": "two-lines",
        "position": 0, "cue": "he said", "is_origin": True, "chain_depth": 1, "chain": 0,
        "actor": {"key": "peskov", "name": "Dmitry Peskov", "kind": "person",
                  "identified": "named"},
        # format 1.1: no mention given; the cue is located in the text
        "mention": None, "identified": None, "mention_span": None,
        "cue_span": two_lines["cue_span"],
    }
    text = json.loads(cli("article", "tricky-text", "--format", "json").stdout)["text"]
    assert text[slice(*two_lines["cue_span"])] == "he said"
    actors = {a["key"]: a for a in map(json.loads, cli(
        "export", "jsonl", "--table", "actors").stdout.splitlines())}
    assert actors["peskov"]["roles"] == [
        {"title": "spokesman", "of": {"key": "kremlin", "name": "Kremlin",
                                      "kind": "organization", "identified": "named"},
         "from": None, "to": None}]
    relations = json.loads(cli("export", "json", "--table", "relations").stdout)
    denial = next(r for r in relations if r["type"] == "denies")
    assert denial["source"]["quote"] == "Переговори, як завжди, тривають,\nand they go on"
    assert denial["target"]["speaker"]["identified"] == "anonymous"
    articles = json.loads(cli("export", "json", "--table", "articles").stdout)
    assert articles[0]["authors"][0]["name"] == "Олена Автор"


def test_json_writes_non_ascii_as_utf8(tricky, cli):
    raw = cli("export", "jsonl", "--article", "tricky-text").stdout_bytes
    assert "Переговори".encode() in raw
    assert b"\\u" not in raw


# -- files -------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json"])
def test_output_file_is_complete_and_reported_on_stderr(seeded, cli, tmp_path, fmt):
    folder = tmp_path / "exports"
    folder.mkdir()
    target = folder / f"out.{fmt}"
    result = cli("export", fmt, "--table", "chain", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    if fmt == "csv":
        hops = len(rows_of(target.read_text(encoding="utf-8")))
    elif fmt == "jsonl":
        hops = len(target.read_text(encoding="utf-8").splitlines())
    else:
        hops = len(json.loads(target.read_text(encoding="utf-8")))
    assert f"wrote {hops} hop rows to {target}" in result.stderr
    assert list(folder.iterdir()) == [target]


# -- pipes and terminals: the installed program, for real -------------------------------------

def _entry_point() -> str:
    script = Path(sys.executable).with_name("claimsdb")
    assert script.exists(), "the claimsdb console script is not installed"
    return str(script)


@pytest.fixture
def many_statements(db: str, engine: Engine, tmp_path: Path) -> str:
    """A database whose exports are far larger than a pipe's buffer (64 KiB)."""
    sentences = [f"Official number {i} said that “talks, again, are stalled”, in Kyiv."
                 for i in range(1500)]
    lines = ["format: claimsdb/article@1", "article:", "  key: many", "  title: Many",
             "  text: |", *(f"    {s}" for s in sentences),
             "actors: [{key: officials, name: Officials, kind: group, identified: anonymous}]",
             "statements:"]
    lines += [f"  - {{key: s{i}, quote: 'Official number {i} said', chain: [officials]}}"
              for i in range(1500)]
    path = tmp_path / "many.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_files(engine, [path])
    return db


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json"])
def test_piping_into_head_closes_quietly(many_statements, tmp_path, fmt):
    exe = _entry_point()
    status = tmp_path / "status"
    pipeline = subprocess.run(
        ["bash", "-c", f'"$0" --db "$1" export {fmt} -o - | head -n 3; '
                       f'echo "${{PIPESTATUS[0]}}" > "$2"',
         exe, many_statements, str(status)],
        capture_output=True, text=True, timeout=120,
    )
    assert pipeline.stdout.count("\n") == 3
    assert pipeline.stderr == ""
    assert status.read_text().strip() == "0"


def _run_on_a_terminal(args: list[str], cwd: Path) -> tuple[str, str]:
    """Run with stderr on a pseudo-terminal; returns (stdout, what the terminal saw)."""
    master, slave = pty.openpty()
    with (cwd / "stdout.txt").open("w+b") as stdout:
        process = subprocess.Popen(args, stdout=stdout, stderr=slave, cwd=cwd,
                                   env={**os.environ, "COLUMNS": "80"})
        os.close(slave)
        seen = b""
        while True:
            ready, _, _ = select.select([master], [], [], 1)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: every writer has closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        process.wait(timeout=120)
        os.close(master)
        stdout.seek(0)
        return stdout.read().decode(), seen.decode(errors="replace")


def test_progress_shows_on_a_terminal_only_when_writing_a_file(many_statements, tmp_path):
    exe = _entry_point()
    target = tmp_path / "out.csv"
    stdout, terminal = _run_on_a_terminal(
        [exe, "--db", many_statements, "export", "csv", "-o", str(target)], tmp_path)
    assert stdout == ""
    assert "exporting statements" in terminal
    assert f"wrote 1500 statement rows to {target}" in terminal
    stdout, terminal = _run_on_a_terminal(
        [exe, "--db", many_statements, "export", "csv", "-o", "-"], tmp_path)
    assert len(rows_of(stdout)) == 1500
    assert terminal == ""
