"""Issue 11 item 18: graph labels keep the original speaker, and name a direct quote's
speaker as its speaker, not as a relay."""

from __future__ import annotations

import re
import shutil

import pytest
from sqlalchemy import Engine

from claimsdb.ingest.importer import import_files
from conftest import DATA

LONG_CHAIN = """\
format: claimsdb/article@1
article:
  key: long-chain
  title: A report relayed many times
  outlet: courier
  text: |
    The dam was sabotaged, the Courier reports, citing a wire that quotes a radio
    station, which quoted a ministry press office, which cited a deputy minister,
    who cited engineers at the plant who asked not to be named. Dmitry Peskov
    said: "We never agreed to it."
actors:
  - {key: courier, name: The Riverside Evening Courier, kind: outlet}
  - {key: wire, name: Northgate International Wire Service, kind: outlet}
  - {key: radio, name: Regional Public Radio of the North, kind: outlet}
  - {key: press, name: Press office of the Ministry of Energy, kind: government}
  - {key: deputy, name: A deputy minister of energy, kind: person, identified: role}
  - {key: engineers, name: Engineers at the plant who asked not to be named,
     kind: group, identified: anonymous}
  - {key: peskov, name: Dmitry Peskov, kind: person}
statements:
  - key: sabotaged
    quote: The dam was sabotaged
    chain: [wire, radio, press, deputy, engineers]
  - key: never-agreed
    quote: We never agreed to it.
    kind: direct
    chain: [{actor: peskov, cue: said}]
    denies: [sabotaged]
"""

DIRECT = """\
format: claimsdb/article@1
article:
  key: direct-no-outlet
  title: Peskov speaks
  text: 'Dmitry Peskov said: "The talks are over." Officials say it is not so.'
actors:
  - {key: peskov, name: Dmitry Peskov, kind: person}
  - {key: officials, name: Officials, kind: group, identified: anonymous}
statements:
  - key: over
    quote: The talks are over.
    kind: direct
    chain: [{actor: peskov, cue: said}]
  - key: not-so
    quote: it is not so
    chain: [{actor: officials, cue: say}]
    denies: [over]
"""


def _labels(cli, ref: str, fmt: str) -> list[str]:
    out = cli("trace", ref, "--format", fmt).stdout
    pattern = r'label="((?:[^"\\]|\\.)*)"' if fmt == "dot" else r'\["(.*?)"\]'
    return re.findall(pattern, out)


@pytest.mark.parametrize("fmt", ["dot", "mermaid"])
def test_item_18_labels_shorten_the_middle_of_a_chain(db, engine: Engine, cli, write_article,
                                                       fmt):
    """Issue 11 item 18: a long chain loses its middle, never its original speaker."""
    import_files(engine, [write_article(LONG_CHAIN)])
    labels = _labels(cli, "long-chain#sabotaged", fmt)
    relayed = next(label for label in labels if "dam was sabotaged" in label)
    last_line = re.split(r"\\n|<br/>", relayed)[-1]
    assert "Engineers at the plant who asked not to be named [anonymous]" in last_line
    assert last_line.startswith("via The Riverside Evening Courier")
    assert "…" in last_line
    assert "Northgate" not in last_line and "Regional" not in last_line


@pytest.mark.parametrize("fmt", ["dot", "mermaid"])
def test_item_18_direct_quote_speaker_is_not_a_relay(db, engine: Engine, cli, write_article,
                                                      fmt):
    """Issue 11 item 18: "via Dmitry Peskov" was printed for the speaker himself."""
    import_files(engine, [write_article(DIRECT)])
    labels = _labels(cli, "direct-no-outlet#over", fmt)
    assert not any("via Dmitry Peskov" in label for label in labels), labels
    assert any(label.endswith("direct quote of Dmitry Peskov") for label in labels), labels
    assert any(label.endswith("according to Officials [anonymous]") for label in labels)
    tree = cli("trace", "direct-no-outlet#over").stdout
    assert "via Dmitry Peskov" not in tree and "direct quote of Dmitry Peskov" in tree


def test_item_18_the_tree_shows_the_whole_chain(db, engine: Engine, cli):
    """Issue 11 item 18: the terminal tree wraps instead of shortening."""
    import_files(engine, sorted((DATA / "trace").glob("*.yaml")))
    tree = cli("trace", "vorsk-herald-dam#dam-sabotaged").stdout
    flat = " ".join(tree.split())
    assert ("via Vorsk Herald > Harbour Gazette > Regional Radio > Ministry press office > "
            "A deputy minister > Engineers who asked not to be named [anonymous]") in flat


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_item_18_svg_keeps_the_original_speaker(db, engine: Engine, cli, write_article,
                                                tmp_path):
    """Issue 11 item 18: the SVG drawn by Graphviz shows the original speaker."""
    import_files(engine, [write_article(LONG_CHAIN)])
    target = tmp_path / "claim.svg"
    assert cli("trace", "long-chain#sabotaged", "--svg", str(target)).exit_code == 0
    assert "Engineers at the plant who asked not to be named [anonymous]" in \
        target.read_text(encoding="utf-8")
