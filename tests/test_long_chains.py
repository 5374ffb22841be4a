"""Issue 11 item 12b: nothing recurses once per link of data.

A relay chain of 1,300 articles, each repeating the one before, is generated into the
test's folder and imported in bulk; tracing it to its full depth, and every command
that walks ``repeats`` links, must work (no RecursionError) and stay quick.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml

LENGTH = 1_300


def write_relay_chain(folder: Path, length: int = LENGTH) -> list[Path]:
    """``relay-00000`` states a claim; each later article repeats the one before it."""
    folder.mkdir()
    paths = []
    for i in range(length):
        statement = {"key": "claim", "quote": "the bridge was closed",
                     "chain": [{"actor": "source-zero", "cue": "said"}]}
        if i:
            statement["repeats"] = [f"relay-{i - 1:05d}#claim"]
        actors = [{"key": f"outlet-{i:05d}", "name": f"Outlet {i}", "kind": "outlet"}]
        if i == 0:
            actors.append({"key": "source-zero", "name": "Source Zero", "kind": "person"})
        document = {"format": "claimsdb/article@1",
                    "article": {"key": f"relay-{i:05d}", "title": f"Relay {i}",
                                "outlet": f"outlet-{i:05d}", "published": "2025-01-01",
                                "text": "Source Zero said the bridge was closed."},
                    "actors": actors, "statements": [statement]}
        path = folder / f"relay-{i:05d}.yaml"
        path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture
def relay_chain(cli, tmp_path: Path) -> str:
    write_relay_chain(tmp_path / "chain")
    result = cli("add", "--batch", "500", "-q", str(tmp_path / "chain"))
    assert result.exit_code == 0, result.output
    return f"relay-{LENGTH // 2:05d}#claim"


def test_item_12b_trace_follows_a_1300_article_relay_chain(cli, relay_chain):
    """Issue 11 item 12b: trace --max-depth 2000 over a 1,300-article chain."""
    started = time.monotonic()
    result = cli("trace", relay_chain, "--max-depth", "2000", "--format", "json")
    assert result.exit_code == 0, result.output
    graph = json.loads(result.output)
    assert len(graph["statements"]) == LENGTH
    assert graph["roots"] == ["relay-00000#claim"]
    assert max(graph["upstream"].values()) == LENGTH // 2
    assert max(graph["downstream"].values()) == LENGTH - 1 - LENGTH // 2

    tree = cli("trace", relay_chain, "--max-depth", "2000")
    assert tree.exit_code == 0, tree.output
    assert f"relay-{LENGTH - 1:05d}#claim" in tree.output
    # Indentation is bounded: deep levels start again at the margin, with their depth.
    assert max(len(line) for line in tree.output.splitlines()) < 200
    for fmt in ("dot", "mermaid"):
        drawn = cli("trace", relay_chain, "--max-depth", "2000", "--format", fmt)
        assert drawn.exit_code == 0, drawn.output
        assert drawn.output.count("repeats") >= LENGTH - 1
    assert time.monotonic() - started < 60


def test_item_12b_every_walk_over_repeats_survives_the_chain(cli, relay_chain):
    """Issue 11 item 12b: claims, loops, check and the chain lookups walk the chain
    without recursion."""
    for args in (("claims",), ("loops",), ("check",), ("chain", f"relay-{LENGTH - 1:05d}#claim"),
                 ("export", "jsonl")):
        result = cli(*args)
        assert result.exit_code == 0, (args, result.output)
    claims = cli("claims", "--format", "json")
    assert json.loads(claims.output)[0]["statements"] == LENGTH


def test_item_12b_the_tree_of_a_deep_chain_is_indented_within_the_width():
    """Issue 11 item 12b: the tree is built without recursion and its indentation
    stops growing at half the width."""
    from claimsdb.output.trace_render import tree_text
    from claimsdb.query.queries import ActorRef, StatementView
    from claimsdb.query.tracing import ClaimTrace

    def view(i: int) -> StatementView:
        return StatementView(
            id=i, article=f"a{i}", key="s", quote="q", kind="indirect", span_start=0,
            span_end=1, stated_on=None, article_title="t", published=None, url=None,
            outlet=None, speaker=ActorRef("origin", "Origin", "person", "named"), context="q")

    nodes = {i: view(i) for i in range(5_000)}
    graph = ClaimTrace(asked=0, nodes=nodes, repeats=[(i, i - 1) for i in range(1, 5_000)],
                       upstream={0: 0}, downstream={i: i for i in range(5_000)},
                       reactions=[])
    text = tree_text(graph, width=80)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "a4999#s" in text
    assert "[depth 11] a11#s" in text  # the margin again, eleven levels down
