"""Issue 11 items 5 and 6: text from files and databases never drives the terminal, and
never splits a CSV row.

The hostile values are written into the database with SQL, as another tool (or an older
claimsdb) could have stored them: the importer's own checks are not what is tested
here, the printing is. Every human view must show them escaped; the data outputs
(JSON, CSV) must still carry them exactly.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from sqlalchemy import Engine, text

from claimsdb.terminal import escape, for_display, one_line

# What must never reach a terminal raw: C0 but line feed, DEL, C1, bidi overrides.
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

ARTICLE = """\
format: claimsdb/article@1
article:
  key: harbour-talks
  title: Harbour talks stall
  outlet: wire
  published: 2025-03-12
  text: |
    The harbour deal is off, the wire said, citing officials.
    Peskov said: "We never agreed to it."
actors:
  - {key: wire, name: "Reuters\\rKremlin", kind: outlet}
  - {key: officials, name: Officials, kind: group, identified: anonymous}
  - {key: peskov, name: Dmitry Peskov, kind: person, aliases: [Peskov]}
statements:
  - key: deal-off
    quote: The harbour deal is off
    chain: [{actor: officials, cue: citing}]
  - key: never-agreed
    quote: We never agreed to it.
    kind: direct
    chain: [{actor: peskov, cue: said}]
    denies: [deal-off]
"""

OSC_NAME = "Peskov\x1b]0;pwned\x07\x9b2J \u202eenaj"  # retitles, clears, reverses
TITLE = "Talks\x1b[2J stall\x85"
CUE = "said\x7f\u2066"


@pytest.fixture
def hostile(cli, engine: Engine, write_article) -> Engine:
    """An article whose outlet name holds a bare CR (the importer accepts it), then
    names, a title and a cue rewritten with SQL to hold ESC/OSC, C1, DEL and bidi."""
    assert cli("add", write_article(ARTICLE)).exit_code == 0
    with engine.begin() as conn:
        conn.execute(text("UPDATE actors SET name = :n WHERE key = 'peskov'"), {"n": OSC_NAME})
        conn.execute(text("UPDATE articles SET title = :t"), {"t": TITLE})
        conn.execute(text("UPDATE chain_hops SET cue = :c WHERE cue = 'said'"), {"c": CUE})
    return engine


VIEWS = [
    ("statements",), ("statements", "--full"), ("denials",), ("actors",), ("articles",),
    ("sources",), ("claims", "--all"), ("actor", "peskov"), ("article", "harbour-talks"),
    ("chain", "harbour-talks#never-agreed"), ("chain", "harbour-talks#deal-off"),
    ("trace", "harbour-talks#deal-off"),
]


@pytest.mark.inconsistent_db  # the names were changed behind claimsdb's back on purpose
@pytest.mark.parametrize("args", VIEWS, ids=" ".join)
def test_item_5_views_show_control_characters_escaped(hostile, cli, args, monkeypatch):
    """Issue 11 item 5: every table and text view escapes stored control characters."""
    monkeypatch.setenv("COLUMNS", "160")  # room to show the values whole
    result = cli(*args)
    assert result.exit_code == 0, result.output
    assert not RAW.search(result.stdout), repr(result.stdout)
    shown = result.stdout
    if args[0] in ("statements", "denials", "actors", "actor", "chain", "trace"):
        assert "\\x1b]0;pwned\\x07\\u009b2J" in shown or "\\x1b]0;pwn" in shown
    if args[0] in ("articles", "actors", "chain", "trace", "article"):
        assert "Reuters\\rKremlin" in shown
    if args[0] in ("articles", "article", "chain"):
        assert "Talks\\x1b[2J stall\\u0085" in shown


@pytest.mark.inconsistent_db
def test_item_5_json_and_csv_keep_the_stored_text_exactly(hostile, cli):
    """Issue 11 item 5: the data outputs are not escaped; they are the data."""
    rows = json.loads(cli("statements", "--format", "json").stdout)
    denial = next(r for r in rows if r["statement"] == "never-agreed")
    assert denial["speaker"]["name"] == OSC_NAME
    assert denial["chain"][0]["cue"] == CUE
    assert denial["article_title"] == TITLE
    exported = cli("export", "csv").stdout
    records = list(csv.DictReader(io.StringIO(exported, newline="")))
    assert {r["outlet"] for r in records} == {"Reuters\rKremlin"}
    assert next(r for r in records if r["statement"] == "never-agreed")["speaker"] == OSC_NAME


@pytest.mark.inconsistent_db
def test_item_5_errors_quoting_stored_values_are_escaped(hostile, cli, write_article):
    """Issue 11 item 5: a message quoting a stored name (a conflict with the file)."""
    result = cli("add", write_article(ARTICLE.replace("harbour-talks", "second")))
    assert result.exit_code == 1
    assert not RAW.search(result.stderr), repr(result.stderr)
    assert "\\x1b]0;pwned\\x07" in result.stderr


def test_item_5_errors_quoting_file_content_are_escaped(cli, write_article):
    """Issue 11 item 5: problems quoting an article file's values, and arguments
    echoed back in errors, show control characters escaped, one problem per line."""
    bad = ARTICLE.replace("quote: The harbour deal is off",
                          'quote: "The harbour\\u202e deal\\ris\\noff"')
    bad = bad.replace("chain: [{actor: officials, cue: citing}]",
                      'chain: [{actor: "offi\\rcials", cue: citing}]')
    for args in (("add", write_article(bad)), ("add", "--keep-going", write_article(bad))):
        result = cli(*args)
        assert result.exit_code == 1
        assert not RAW.search(result.stderr), repr(result.stderr)
        assert "The harbour\\u202e deal\\ris⏎off" in result.stderr
        assert "'offi\\rcials'" in result.stderr
        problems = [line for line in result.stderr.splitlines() if line.startswith("  - ")]
        assert len(problems) == len(result.stderr.splitlines()) - 1
    assert cli("add", write_article(ARTICLE, name="good.yaml")).exit_code == 0
    for args in (("chain", "harbour-talks#deal\x1b[8moff"), ("actor", "pes\rkov"),
                 ("statements", "--origin", "x\x1b]0;t\x07")):
        result = cli(*args)
        assert result.exit_code in (1, 2)
        assert not RAW.search(result.stderr), repr(result.stderr)
        assert "\\x1b" in result.stderr or "\\r" in result.stderr


def test_item_5_escaping_rules():
    """Issue 11 item 5: what is escaped, and how (docs/reliability.md lists it)."""
    assert one_line("Reuters\rKremlin") == "Reuters\\rKremlin"
    assert one_line("a\x1b[31mb\x07") == "a\\x1b[31mb\\x07"
    assert one_line("x\x7fy\x85z\x9b") == "x\\x7fy\\u0085z\\u009b"
    assert one_line("a\u202eb\u2066c\u2069") == "a\\u202eb\\u2066c\\u2069"
    assert one_line("one\ntwo\r\nthree\tfour") == "one⏎two⏎three\\tfour"
    assert escape("one\ntwo\r\nthree\r") == "one\ntwo\nthree\\r"
    # right-to-left marks and ordinary text, any script, stay as they are
    kept = "שלום\u200f, мир, 世界, café\u00a0ok"
    assert one_line(kept) == kept and escape(kept) == kept
    assert for_display({"k": ("a\rb", [None, 3])}) == {"k": ("a\\rb", [None, 3])}


# -- item 6: CSV ------------------------------------------------------------------------------

CR_ARTICLE = """\
format: claimsdb/article@1
article:
  key: cr-quote
  title: "Harbour\\r=HYPERLINK(\\"http://x.invalid\\")"
  text: "Harbour closed.\\r=cmd|' /C calc'!A0 said the wire.\\n"
actors: []
statements:
  - key: cr
    quote: "Harbour closed.\\r=cmd|' /C calc'!A0"
"""


@pytest.mark.parametrize("options", [(), ("--excel",), ("--no-formula-guard",)])
def test_item_6_csv_value_with_a_bare_cr_is_one_quoted_cell(cli, write_article, options):
    """Issue 11 item 6: a bare CR inside a value is quoted, so no reader splits the row
    and no line of the value becomes an unguarded first cell."""
    result = cli("add", write_article(CR_ARTICLE))
    assert result.exit_code == 0, result.output
    for args in (("export", "csv", *options),
                 ("export", "csv", "--table", "articles", *options),
                 ("statements", "--format", "csv",
                  *(o for o in options if o != "--excel"))):
        raw = cli(*args).stdout_bytes.decode("utf-8-sig")
        # a spreadsheet ends a row at any CR or LF outside quotes: split as it would
        lines = _physical_rows(raw)
        assert all(not line.startswith(("=", "+", "-", "@")) for line in lines), lines
        rows = list(csv.reader(io.StringIO(raw, newline="")))
        assert len(rows) == 2, rows
        assert any(c.startswith("Harbour") and "\r=" in c for c in rows[1]), rows


def _physical_rows(raw: str) -> list[str]:
    """The rows a reader sees, splitting at CR and LF outside double quotes."""
    rows, current, quoted = [], [], False
    for character in raw:
        if character == '"':
            quoted = not quoted
        if character in "\r\n" and not quoted:
            rows.append("".join(current))
            current = []
            continue
        current.append(character)
    return [row for row in [*rows, "".join(current)] if row]


def test_item_6_writer_quotes_cr_and_guards_each_cell():
    """Issue 11 item 6: the writer itself, both dialects."""
    from claimsdb.output.export import write_csv_rows

    for excel in (False, True):
        out = io.StringIO()
        write_csv_rows([["a\r=1+1", "=2", None, 3, "\r=x"]], out, ["q", "f", "n", "i", "c"],
                       excel=excel)
        written = out.getvalue().lstrip("\ufeff")
        assert '"a\r=1+1"' in written
        rows = list(csv.reader(io.StringIO(written, newline="")))
        assert rows[1] == ["a\r=1+1", "'=2", "", "3", "'\r=x"]
        assert all(not r.startswith("=") for r in _physical_rows(written))
