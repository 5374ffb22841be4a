"""Issue 11 item 13: keys that start with '-' are valid in the article format
([a-z0-9-]+), so ``chain``, ``trace``, ``article``, ``actor`` and ``export article``
take them as they are; real options keep working around them, and a word that is
still read as an unknown option gets a hint to put ``--`` before a key."""

from __future__ import annotations

import json

import pytest
import yaml

DASHED = """\
format: claimsdb/article@1
article:
  key: -dash-article
  title: A key that starts with a dash
  outlet: -dash-outlet
  published: 2025-03-12
  text: |
    According to Bloomberg, officials say the talks are stalled.
actors:
  - {key: -dash-outlet, name: Dash News, kind: outlet}
  - {key: bloomberg, name: Bloomberg, kind: outlet}
  - {key: -officials, name: Officials, kind: group, identified: anonymous}
statements:
  - key: -stalled
    quote: the talks are stalled
    chain:
      - {actor: bloomberg, cue: according to}
      - {actor: -officials, cue: say}
"""
REF = "-dash-article#-stalled"


@pytest.fixture
def dashed(cli, write_article):
    result = cli("add", str(write_article(DASHED, name="dash.yaml")))
    assert result.exit_code == 0, result.output
    return cli


@pytest.mark.parametrize("args", [
    ["chain", REF],
    ["chain", REF, "--format", "json"],
    ["chain", "--format", "json", REF],
    ["chain", "--format=json", REF],
    ["trace", REF],
    ["trace", "--max-depth", "3", REF, "--format", "json"],
    ["article", "-dash-article"],
    ["actor", "-officials"],
    ["export", "article", "-dash-article"],
    ["chain", "--", REF],
])
def test_issue11_item13_a_key_starting_with_a_dash_just_works(dashed, args):
    """Issue 11 item 13: no '--' needed for a key that starts with '-'."""
    result = dashed(*args)
    assert result.exit_code == 0, result.output
    assert "No such option" not in result.output


def test_issue11_item13_options_still_work_around_a_dashed_key(dashed, tmp_path):
    """Issue 11 item 13: -o with its value, before or after the key, and -oFILE."""
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    assert dashed("export", "article", "-o", str(first), "-dash-article").exit_code == 0
    assert dashed("export", "article", "-dash-article", f"-o{second}").exit_code == 0
    assert yaml.safe_load(first.read_text())["article"]["key"] == "-dash-article"
    assert first.read_text() == second.read_text()
    chain = json.loads(dashed("chain", REF, "--format", "json").stdout)
    assert chain["statement"] == "-stalled" or chain.get("ref") == REF


def test_issue11_item13_an_unknown_option_says_how_to_pass_a_key(dashed):
    """Issue 11 item 13: when the key slot is taken, a dashed word is an unknown
    option, and the message says to put -- before a key."""
    result = dashed("chain", REF, "-stray")
    assert result.exit_code == 2
    assert "No such option" in result.stderr
    assert "put -- before it: claimsdb chain -- -stray" in result.stderr
    mistyped = dashed("chain", "--fromat", "json", REF)
    assert mistyped.exit_code == 2
    assert "Did you mean '--format'" in mistyped.stderr


def test_issue11_item13_help_still_wins(dashed):
    result = dashed("chain", "-h")
    assert result.exit_code == 0
    assert "ARTICLE#STATEMENT" in result.stdout
