"""Issue 11 item 17: tables fit the width, and never cut a key.

Keys and references are what a user copies into the next command, so they are shown
whole; text columns (names, quotes, titles) are shortened instead. Off a terminal the
width is 80 columns ($COLUMNS when set, as shutil reads it).
"""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import Engine

from claimsdb.ingest.importer import import_files
from conftest import DATA

# Long names, titles and quotes, next to the invented trace corpus.
WORDY = """\
format: claimsdb/article@1
article:
  key: harbour-on-hold
  title: The Lindvik harbour expansion has been put on hold indefinitely, a report says
  outlet: courier
  published: 2025-04-02T09:15:00+02:00
  text: |
    The Lindvik harbour expansion has been put on hold, according to Northgate Wire,
    which cites officials at the port authority who spoke on condition of anonymity.
    Port authority spokeswoman Mira Kessler denied the report: "The project is on
    schedule and every invoice has been paid."
actors:
  - {key: courier, name: The Riverside Courier and Evening Gazette, kind: outlet}
  - {key: northgate-wire, name: Northgate International Wire Service, kind: outlet}
  - {key: port-officials,
     name: Officials at the Lindvik port authority who spoke on condition of anonymity,
     kind: group, identified: anonymous}
  - {key: mira-kessler, name: Mira Kessler, kind: person}
statements:
  - key: on-hold
    quote: The Lindvik harbour expansion has been put on hold
    chain: [northgate-wire, port-officials]
  - key: on-schedule
    quote: |-
      The project is on
      schedule and every invoice has been paid.
    kind: direct
    chain: [{actor: mira-kessler, cue: denied}]
    denies: [on-hold]
"""

TABLES = [
    (("statements",), lambda r: [r["article"], r["statement"]]),
    (("actors",), lambda r: [r["key"]]),
    (("denials",), lambda r: [r["denied"]["statement"] if r["denied"]["article"]
                              == r["denial"]["article"] else r["denied"]["ref"]]),
    (("articles",), lambda r: [r["key"]]),
    (("sources",), lambda r: [r["scope"]]),
    (("claims", "--all"), lambda r: [r["claim"]]),
    (("loops",), lambda r: list(r["statements"])),
]


@pytest.fixture
def corpus(db: str, engine: Engine, write_article) -> str:
    import_files(engine, [*sorted((DATA / "trace").glob("*.yaml")), write_article(WORDY)])
    return db


@pytest.mark.parametrize("columns", [80, 120])
@pytest.mark.parametrize(("args", "keys_of"), TABLES, ids=lambda a: " ".join(a)
                         if isinstance(a, tuple) else "")
def test_item_17_tables_fit_and_show_every_key_whole(corpus, cli, monkeypatch, columns,
                                                     args, keys_of):
    """Issue 11 item 17: every table command fits the width with its keys whole."""
    monkeypatch.setenv("COLUMNS", str(columns))
    table = cli(*args).stdout
    records = json.loads(cli(*args, "--format", "json").stdout)
    assert records
    for record in records:
        for key in keys_of(record):
            assert re.search(rf"(^|[\s;]){re.escape(key)}($|[\s;])", table, re.MULTILINE), \
                (key, table)
    widest = max(len(line) for line in table.splitlines())
    if args != ("loops",):  # a loop's statements are a list of references, all whole
        assert widest <= columns, table
    else:
        refs = max(len("; ".join(r["statements"])) for r in records)
        assert widest <= max(columns, len("citation") + 8 + refs + 4)  # 8: a shortened loop


def test_item_17_keys_longer_than_the_width_allows_stay_whole(corpus, cli, monkeypatch):
    """Issue 11 item 17: in a terminal too narrow for the keys, keys stay whole and the
    text columns give way, so the table is only as wide as the keys force."""
    monkeypatch.setenv("COLUMNS", "40")
    for args, keys_of in TABLES:
        table = cli(*args).stdout
        for record in json.loads(cli(*args, "--format", "json").stdout):
            for key in keys_of(record):
                assert key in table, (key, table)
    claims = cli("claims", "--all").stdout.splitlines()
    assert claims[2].startswith("vorsk-herald-dam#dam-sabotaged ")
    assert max(len(line) for line in claims) <= len("vorsk-herald-dam#dam-sabotaged") + 60


def test_item_17_width_is_80_off_a_terminal(corpus, cli, monkeypatch):
    """Issue 11 item 17: piped, the tables use 80 columns (they used 100)."""
    monkeypatch.delenv("COLUMNS", raising=False)
    table = cli("articles").stdout
    assert max(len(line) for line in table.splitlines()) <= 80
    assert "harbour-on-hold" in table


def test_item_17_views_never_split_a_ref_across_lines(seeded, cli, monkeypatch):
    """Issue 11 item 17: the text views (chain, actor, trace) wrap at the width, but a
    ref or key is never broken inside: the seed's refs run past 80 columns, and a
    line break at one of their dashes handed the user a ref that does not exist."""
    monkeypatch.setenv("COLUMNS", "80")
    asked = "officials-putin-maximalist-demands"
    long_ref = ("putin-stance-stalls-talks#"
                "putin-demanded-ukrainian-withdrawal-from-four-regions")
    assert len(long_ref) + 4 > 80  # longer than a line: it may only overflow
    views = {
        "chain": cli("chain", asked).stdout,
        "actor": cli("actor", "putin").stdout,
        "trace": cli("trace", asked).stdout,
    }
    for name, text in views.items():
        assert f"{long_ref} " in text or text.rstrip().endswith(long_ref) or \
            f"{long_ref}\n" in text, (name, text)
        for line in text.splitlines():
            # a line that ends in the middle of a ref ends with a dash or '#'
            assert not re.search(r"[a-z0-9]+-$", line), (name, line)
