"""Where each statement of a claim's trace goes when the trace page draws it.

The page draws the graph itself (an inline SVG from a template, no Graphviz and no
script): columns from the claim's first appearances (left) to the latest relays
(right), one row per statement in a column, and each reaction (denial, support...)
in a last column beside what it reacts to. Big traces (a claim relayed a thousand
times) get a graph as tall as they need; the list under it says the same in words.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from claimsdb.query.results import StatementView
from claimsdb.query.tracing import ClaimTrace

COLUMN = 280  # horizontal distance between columns, in SVG units
ROW = 64
BOX_WIDTH = 236
BOX_HEIGHT = 44
MARGIN = 12
LABEL = 34  # characters of a quote shown in a box (the whole quote is its tooltip)
WHERE = 14  # characters of an outlet's name in a box, before its date


@dataclass(frozen=True)
class Node:
    view: StatementView
    x: int
    y: int
    role: str  # "asked", "claim" (carries the claim) or a reaction type ("denies"...)
    note: str = ""  # a reaction's type and delay ("denies, 6 hours after")

    @property
    def label(self) -> str:
        quote = self.view.quote
        return quote if len(quote) <= LABEL else quote[: LABEL - 1] + "…"

    @property
    def where(self) -> str:
        """Who published it and when: what tells the relays of one claim apart; for a
        reaction, what it does and how long after the first report."""
        if self.note:
            return self.note
        outlet = self.view.outlet.name if self.view.outlet else self.view.article
        outlet = outlet if len(outlet) <= WHERE else outlet[: WHERE - 1] + "…"
        when = (self.view.published or "undated").replace("T", " ")[:16]
        return f"{outlet} · {when}"


@dataclass(frozen=True)
class Edge:
    x1: int
    y1: int
    x2: int
    y2: int
    type: str  # "repeats" or a reaction type
    label: str  # what the edge says ("repeats", "denies, 6 hours after")


@dataclass(frozen=True)
class Layout:
    nodes: list[Node]
    edges: list[Edge]
    width: int
    height: int


def _depths(trace: ClaimTrace) -> dict[int, int]:
    """Each statement's column: its distance from a first appearance (breadth first,
    so a cycle of repeats cannot loop); anything unreachable goes in the first."""
    depth: dict[int, int] = {}
    queue = deque((root, 0) for root in (trace.roots or [trace.asked]))
    while queue:
        node, level = queue.popleft()
        if node in depth:
            continue
        depth[node] = level
        queue.extend((child, level + 1) for child in trace.children(node))
    for node in trace.nodes:
        depth.setdefault(node, 0)
    return depth


def layout(trace: ClaimTrace) -> Layout:
    depth = _depths(trace)
    columns: dict[int, list[int]] = {}
    for node in sorted(trace.nodes, key=lambda i: (depth[i], trace.nodes[i].published or "~", i)):
        columns.setdefault(depth[node], []).append(node)
    where: dict[int, tuple[int, int]] = {}
    nodes: list[Node] = []
    for column, members in sorted(columns.items()):
        for row, node in enumerate(members):
            x, y = MARGIN + column * COLUMN, MARGIN + row * ROW
            where[node] = (x, y)
            nodes.append(Node(trace.nodes[node], x, y,
                              "asked" if node == trace.asked else "claim"))
    reaction_column = MARGIN + (max(columns, default=0) + 1) * COLUMN
    used: set[int] = set()
    placed: dict[int, tuple[int, int]] = {}
    for reaction in trace.reactions:
        if reaction.by.id not in placed:
            row = max(0, (where.get(reaction.target_id, (0, MARGIN))[1] - MARGIN) // ROW)
            while row in used:
                row += 1
            used.add(row)
            placed[reaction.by.id] = (reaction_column, MARGIN + row * ROW)
            note = reaction.type + (f", {reaction.delay}" if reaction.delay else "")
            nodes.append(Node(reaction.by, *placed[reaction.by.id], reaction.type, note))
    edges: list[Edge] = []
    for source, target in trace.repeats:
        if source in where and target in where:
            (sx, sy), (tx, ty) = where[source], where[target]
            edges.append(Edge(sx, sy + BOX_HEIGHT // 2, tx + BOX_WIDTH, ty + BOX_HEIGHT // 2,
                              "repeats", ""))  # the legend says what a plain arrow is
    for reaction in trace.reactions:
        if reaction.target_id in where:
            (sx, sy), (tx, ty) = placed[reaction.by.id], where[reaction.target_id]
            edges.append(Edge(sx, sy + BOX_HEIGHT // 2, tx + BOX_WIDTH, ty + BOX_HEIGHT // 2,
                              reaction.type, ""))  # its box says what it is
    width = max((n.x for n in nodes), default=0) + BOX_WIDTH + MARGIN
    height = max((n.y for n in nodes), default=0) + BOX_HEIGHT + MARGIN
    return Layout(nodes, edges, width, height)
