"""Showing a claim's provenance graph: a tree for the terminal, JSON, Graphviz, Mermaid.

Graph labels carry text from articles (anything, including quotes, angle brackets and
backslashes), so every label is escaped for its format; the SVG that Graphviz makes
from them escapes it again for XML.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from claimsdb.output.render import wrapper
from claimsdb.output.shapes import actor_json, statement_json
from claimsdb.query.queries import StatementView
from claimsdb.query.tracing import ClaimSummary, ClaimTrace, Loop, paths
from claimsdb.terminal import for_display

SYMBOL = {"denies": "✗ denied by", "contradicts": "≠ contradicted by",
          "supports": "✓ supported by", "confirms": "✓ confirmed by",
          "dismisses": "⊘ dismissed by", "corrects": "✎ corrected by",
          "retracts": "⌫ retracted by", "declines": "∅ declined to address (refusal) by"}
COLOUR = {"denies": "#c0392b", "contradicts": "#d68910", "supports": "#1e8449",
          "confirms": "#1e8449", "dismisses": "#8e44ad", "corrects": "#2471a3",
          "retracts": "#7f8c8d", "declines": "#5d6d7e"}
FILL = {"denies": "#fdedec", "contradicts": "#fef5e7", "supports": "#e9f7ef",
        "confirms": "#e9f7ef", "dismisses": "#f5eef8", "corrects": "#eaf2f8",
        "retracts": "#f2f3f4", "declines": "#ebedef"}


def _when(view: StatementView) -> str:
    return (view.published or "undated").replace("T", " ")[:16]


ELLIPSIS = "…"
MAX_NAME = 40  # a relay's name in a graph label
MAX_SPEAKER = 60  # the original speaker's


def provenance(view: StatementView, limit: int | None = None) -> str:
    """Who a statement comes from, in one phrase: "via Outlet > Agency > Officials
    [anonymous]"; "direct quote of Dmitry Peskov" (a direct quote's speaker said it,
    he did not relay it); "own voice of Outlet".

    Past ``limit`` characters, relays are dropped from the middle: the first one and
    the original speaker stay (the speaker is the point, and often anonymous), and a
    name is shortened only beyond MAX_NAME (MAX_SPEAKER for the speaker).
    """
    if not view.chains:
        return f"own voice of {view.outlet.name}" if view.outlet else "the article's own voice"
    # Several chains ("according to AFP and AP"): a phrase each, sharing the room.
    share = None if limit is None else max(limit // len(view.chains), 1)
    return " and ".join(_one_provenance(view, path, share) for path in paths(view))


def _one_provenance(view: StatementView, path: list, limit: int | None) -> str:
    *relays, origin = path
    tag = f" [{origin.identified}]" if origin.identified != "named" else ""
    names = [a.name for a in relays]
    if view.kind == "direct":
        def phrase(relayed: list[str], speaker: str) -> str:
            lead = f"via {' > '.join(relayed)}, " if relayed else ""
            return f"{lead}direct quote of {speaker}{tag}"
    else:
        def phrase(relayed: list[str], speaker: str) -> str:
            if not relayed:
                return f"according to {speaker}{tag}"
            return f"via {' > '.join([*relayed, speaker])}{tag}"
    text = phrase(names, origin.name)
    if limit is None or len(text) <= limit:
        return text
    kept = names
    for dropped in range(1, len(names)):  # the first relay stays, then the nearest ones
        kept = [names[0], ELLIPSIS, *names[1 + dropped:]]
        if len(phrase(kept, origin.name)) <= limit:
            break
    # a name is shortened only when it is very long on its own
    return phrase([_clip(name, MAX_NAME) for name in kept], _clip(origin.name, MAX_SPEAKER))


def _origins(trace_or_summary) -> str:
    groups = trace_or_summary.origins
    return "; ".join(" / ".join(f"{a.name} ({a.identified})" for a in group)
                     for group in groups) or "none recorded"


def tree_text(trace: ClaimTrace, width: int = 100) -> str:
    """An indented tree from the first appearances down to every relay, with the
    reactions (denials, contradictions, supports) under the statement they target."""
    trace = for_display(trace)
    first = trace.first_appearance
    asked = trace.nodes[trace.asked]
    count = len(trace.origins)
    lines = [f"Claim: “{asked.quote}”",
             f"  {len(trace.nodes)} statement(s) in {len(trace.articles)} article(s); "
             f"{count} independent origin{'s' if count != 1 else ''}: {_origins(trace)}"]
    if trace.single_source:
        lines.append("  SINGLE-SOURCE: every article carrying it rests on one origin")
    if first is not None:
        lines.append(f"  first appeared: {first.ref} ({_when(first)})")
    lines.append("")
    reactions: dict[int, list] = {}
    for reaction in trace.reactions:
        reactions.setdefault(reaction.target_id, []).append(reaction)
    seen: set[int] = set()
    # Indentation stops growing past half the width: a relay chain 1,300 articles long
    # would otherwise print lines thousands of characters wide (and wrap its details a
    # character per line). Deeper nodes start again at the margin, with their depth.
    deepest = max(width // 2, 8)

    # Depth first with an explicit stack, not recursion: one level per repeats link
    # would exhaust Python's stack on a long relay chain (trace --max-depth 2000).
    stack: list[tuple[int, str, str, str, int]] = []
    roots = trace.roots or [trace.asked]
    # Then whatever is reachable only through a cycle.
    pending = iter([*roots, *sorted(set(trace.nodes) - set(roots))])
    while True:
        if not stack:
            start = next((i for i in pending if i not in seen), None)
            if start is None:
                break
            stack.append((start, "", "", "", 0))
        statement_id, prefix, connector, child_prefix, depth = stack.pop()
        view = trace.nodes[statement_id]
        mark = "   <- asked" if statement_id == trace.asked else ""
        outlet = f"  {view.outlet.name}" if view.outlet else ""
        level = f"[depth {depth}] " if depth and not connector else ""
        lines.append(f"{prefix}{connector}{level}{view.ref}  {_when(view)}{outlet}{mark}")
        if statement_id in seen:
            lines.append(f"{prefix}{child_prefix}(already shown above: a loop)")
            continue
        seen.add(statement_id)
        indent = prefix + child_prefix
        lines.extend(wrapper(width, indent + "  ", indent + "    ").wrap(provenance(view)))
        for reaction in reactions.get(statement_id, []):
            who = reaction.by.speaker.name if reaction.by.speaker else reaction.by.article
            delay = f", {reaction.delay} the first report" if reaction.delay else ""
            symbol = SYMBOL[reaction.type]
            detail = wrapper(width, indent + "  ", indent + "    ",
                             whole=f"{symbol} {reaction.by.ref}")
            lines.extend(detail.wrap(f"{symbol} {reaction.by.ref} ({who}"
                                     f"{delay}): «{reaction.by.quote}»"))
        children = trace.children(statement_id)
        below = prefix + child_prefix
        restart = len(below) + 4 > deepest  # back to the margin, showing the depth
        for index in reversed(range(len(children))):
            last = index == len(children) - 1
            if restart:
                stack.append((children[index], "", "", "", depth + 1))
            else:
                stack.append((children[index], below, "└── " if last else "├── ",
                              "    " if last else "│   ", depth + 1))
    return "\n".join(lines)


def trace_json(trace: ClaimTrace) -> dict[str, Any]:
    first = trace.first_appearance
    return {
        "asked": trace.nodes[trace.asked].ref,
        "statements": [statement_json(v) for v in sorted(trace.nodes.values(),
                                                         key=lambda v: v.id)],
        "repeats": [{"statement": trace.nodes[s].ref, "repeats": trace.nodes[t].ref}
                    for s, t in trace.repeats],
        "roots": [trace.nodes[i].ref for i in trace.roots],
        "upstream": {trace.nodes[i].ref: d for i, d in sorted(trace.upstream.items())},
        "downstream": {trace.nodes[i].ref: d for i, d in sorted(trace.downstream.items())},
        "reactions": [{"type": r.type, "by": statement_json(r.by),
                       "target": trace.nodes[r.target_id].ref, "after_first": r.days}
                      for r in trace.reactions],
        "origins": [[actor_json(a) for a in group] for group in trace.origins],
        "independent_origins": len(trace.origins),
        "articles": len(trace.articles),
        "single_source": trace.single_source,
        "first_appearance": first.ref if first else None,
    }


def _dot_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _label(view: StatementView, limit: int = 60) -> str:
    """Where and when, the quote, and the chain it came through (shortened in the
    middle, so the original speaker is always there)."""
    where = view.outlet.name if view.outlet else view.article
    via = provenance(view, limit + 20)
    return f"{where}, {_when(view)}\n«{_clip(view.quote, limit)}»\n{via}"


def _graph_nodes(trace: ClaimTrace) -> dict[int, StatementView]:
    nodes = dict(trace.nodes)
    for reaction in trace.reactions:
        nodes.setdefault(reaction.by.id, reaction.by)
    return nodes


def trace_dot(trace: ClaimTrace) -> str:
    """Graphviz: arrows point from a statement to the one it repeats (toward the origin)
    and from a denial, contradiction or support to what it reacts to."""
    lines = ["digraph claim {", "  rankdir=RL;",
             '  node [shape=box, style="rounded,filled", fillcolor="#f8f9f9", '
             'fontname="Helvetica", fontsize=10];',
             '  edge [fontname="Helvetica", fontsize=9];']
    reacting = {r.by.id: r.type for r in trace.reactions}
    for statement_id, view in sorted(_graph_nodes(trace).items()):
        extra = ', penwidth=2.5, fillcolor="#d6eaf8"' if statement_id == trace.asked else ""
        if statement_id not in trace.nodes:
            extra = f', fillcolor="{FILL[reacting[statement_id]]}"'
        lines.append(f'  s{statement_id} [label="{_dot_escape(_label(view))}"{extra}];')
    for source, target in trace.repeats:
        lines.append(f'  s{source} -> s{target} [label="repeats"];')
    for reaction in trace.reactions:
        colour = COLOUR[reaction.type]
        lines.append(f'  s{reaction.by.id} -> s{reaction.target_id} [label="{reaction.type}", '
                     f'color="{colour}", fontcolor="{colour}", style=dashed];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace('"', "#quot;").replace("<", "&lt;")
            .replace(">", "&gt;").replace("\n", "<br/>"))


def trace_mermaid(trace: ClaimTrace) -> str:
    lines = ["graph BT"]
    for statement_id, view in sorted(_graph_nodes(trace).items()):
        lines.append(f'  s{statement_id}["{_mermaid_escape(_label(view))}"]')
    for source, target in trace.repeats:
        lines.append(f"  s{source} -->|repeats| s{target}")
    for reaction in trace.reactions:
        lines.append(f"  s{reaction.by.id} -.->|{reaction.type}| s{reaction.target_id}")
    lines.append(f"  style s{trace.asked} stroke-width:3px")
    return "\n".join(lines) + "\n"


def claim_row(summary: ClaimSummary) -> dict[str, Any]:
    row = dataclasses.asdict(summary)
    row.pop("members")
    row["origin_names"] = "; ".join(summary.origin_names)
    row["single_source"] = "yes" if summary.single_source else ""
    return row


def claim_json(summary: ClaimSummary) -> dict[str, Any]:
    row = dataclasses.asdict(summary)
    row.pop("members")
    row["origin_names"] = list(summary.origin_names)
    return row


def loop_row(loop: Loop) -> dict[str, Any]:
    return {"kind": loop.kind, "path": " -> ".join(loop.path),
            "statements": "; ".join(loop.statements), "description": loop.describe()}


def loop_json(loop: Loop) -> dict[str, Any]:
    return {"kind": loop.kind, "path": list(loop.path), "statements": list(loop.statements),
            "description": loop.describe()}
