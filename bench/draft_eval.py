"""Score a drafting extractor against PolNeAR (the Political News Attribution
Relations corpus, github.com/networkdynamics/PolNeAR).

    python bench/draft_eval.py PATH-TO-POLNEAR [--split dev|train] [--extractor rules]

PATH-TO-POLNEAR is a checkout (or an extracted copy) holding ``data/SPLIT/text`` and
``data/SPLIT/attributions``. Only the ``train`` and ``dev`` splits can be scored: the
``test`` split is kept for an independent evaluation, and tuning on it would make
that evaluation worthless. The corpus is never copied into this repository.

What is scored (tokens are words: punctuation and quotation marks do not count, and
neither does a leading complementizer "that", which PolNeAR puts inside the content
and the drafter leaves out of it):

- content, overlap: a drafted content matches a gold content when their shared words
  are at least half of each (|P ∩ G| >= 0.5 * max(|P|, |G|)); pairs are matched one
  to one, best overlap first. Precision, recall and F1 over statements.
- content, exact: the same, with identical word sets.
- source and cue, exact: over the overlap-matched pairs, how often the first hop's
  mention (the source the article names) and the cue have exactly the gold words.
  Pairs whose gold attribution has no source are left out of the source figure.
- speed: articles per second of drafting alone (the corpus reading not counted).

An article annotated by several annotators is scored once, against the annotation
file that sorts first.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from claimsdb.draft import draft

_WORD = re.compile(r"\w+(?:[-’'.&]\w+)*", re.UNICODE)
SPLITS = ("train", "dev")


@dataclass
class Attribution:
    content: frozenset[int]
    source: frozenset[int] | None
    cue: frozenset[int]


def words(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group().lower()) for m in _WORD.finditer(text)]


def covered(tokens, fragments, skip_that=False) -> frozenset[int]:
    found = [n for n, (s, e, _) in enumerate(tokens)
             if any(s < fe and fs < e for fs, fe in fragments)]
    if skip_that and found and tokens[found[0]][2] == "that":
        found = found[1:]
    return frozenset(found)


def read_annotation(path: Path, tokens) -> list[Attribution]:
    spans: dict[str, tuple[str, list[tuple[int, int]]]] = {}
    events = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if line.startswith("T") and len(parts) >= 2:
            label, _, ranges = parts[1].partition(" ")
            fragments = []
            for piece in ranges.split(";"):
                start, end = piece.split()
                fragments.append((int(start), int(end)))
            spans[parts[0]] = (label, fragments)
        elif line.startswith("E") and len(parts) >= 2:
            events.append(dict(arg.split(":", 1) for arg in parts[1].split()))
    found = []
    for event in events:
        roles = {re.sub(r"\d+$", "", k): v for k, v in event.items()}
        if "Content" not in roles or "Cue" not in roles:
            continue
        content = covered(tokens, spans[roles["Content"]][1], skip_that=True)
        if not content:
            continue
        source = covered(tokens, spans[roles["Source"]][1]) if "Source" in roles else None
        found.append(Attribution(content, source, covered(tokens, spans[roles["Cue"]][1])))
    return found


def predictions(result, tokens) -> list[Attribution]:
    found = []
    for statement in result.statements:
        hop = statement.chain[0] if statement.chain else None
        source = covered(tokens, [hop.mention_span]) if hop and hop.mention_span else None
        cue = covered(tokens, [statement.cue_span]) if statement.cue_span else frozenset()
        # PolNeAR labels each word once: the words of a hop or cue that stand between
        # the parts of a quotation are not content.
        attribution = frozenset().union(*(
            covered(tokens, [h.mention_span, h.cue_span])
            for h in statement.chain if h.mention_span and h.cue_span))
        parts = list(statement.parts) or [statement.content_span]
        content = covered(tokens, parts, skip_that=True) - attribution - cue
        if content:
            found.append(Attribution(content, source, cue))
    return found


def match(gold: list[Attribution], drafted: list[Attribution], exact: bool):
    """One-to-one pairs, best overlap first."""
    pairs = []
    for g, gold_item in enumerate(gold):
        for p, drafted_item in enumerate(drafted):
            shared = len(gold_item.content & drafted_item.content)
            if not shared:
                continue
            if exact:
                if gold_item.content == drafted_item.content:
                    pairs.append((1.0, g, p))
                continue
            score = shared / max(len(gold_item.content), len(drafted_item.content))
            if score >= 0.5:
                pairs.append((score, g, p))
    pairs.sort(reverse=True)
    used_gold, used_drafted, matched = set(), set(), []
    for _, g, p in pairs:
        if g in used_gold or p in used_drafted:
            continue
        used_gold.add(g)
        used_drafted.add(p)
        matched.append((gold[g], drafted[p]))
    return matched


def prf(matched: int, drafted: int, gold: int) -> dict[str, float]:
    precision = matched / drafted if drafted else 0.0
    recall = matched / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3)}


def articles(root: Path, split: str):
    data = root / "data" if (root / "data").is_dir() else root
    folder = data / split
    if not (folder / "text").is_dir():
        raise SystemExit(f"{folder / 'text'} not found: give the PolNeAR checkout folder")
    for text_path in sorted((folder / "text").glob("*.txt")):
        annotations = sorted((folder / "attributions").glob(text_path.stem + "_*.ann"))
        if annotations:
            yield text_path, annotations[0]


def evaluate(root: Path, split: str, extractor: str | None, limit: int | None) -> dict:
    counts = {"gold": 0, "drafted": 0, "overlap": 0, "exact": 0,
              "source_pairs": 0, "source_exact": 0, "cue_exact": 0}
    seconds = 0.0
    number = 0
    for number, (text_path, ann_path) in enumerate(articles(root, split), start=1):
        if limit and number > limit:
            number -= 1
            break
        text = text_path.read_text(encoding="utf-8")
        tokens = words(text)
        gold = read_annotation(ann_path, tokens)
        began = time.perf_counter()
        result = draft(text, "en", extractor)
        seconds += time.perf_counter() - began
        drafted = predictions(result, tokens)
        counts["gold"] += len(gold)
        counts["drafted"] += len(drafted)
        matched = match(gold, drafted, exact=False)
        counts["overlap"] += len(matched)
        counts["exact"] += len(match(gold, drafted, exact=True))
        for gold_item, drafted_item in matched:
            counts["cue_exact"] += gold_item.cue == drafted_item.cue
            if gold_item.source is not None:
                counts["source_pairs"] += 1
                counts["source_exact"] += gold_item.source == drafted_item.source
    return {
        "split": split,
        "articles": number,
        "counts": counts,
        "content_overlap": prf(counts["overlap"], counts["drafted"], counts["gold"]),
        "content_exact": prf(counts["exact"], counts["drafted"], counts["gold"]),
        "source_exact": round(counts["source_exact"] / max(counts["source_pairs"], 1), 3),
        "cue_exact": round(counts["cue_exact"] / max(counts["overlap"], 1), 3),
        "articles_per_second": round(number / seconds, 1) if seconds else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("polnear", type=Path, help="PolNeAR checkout or extracted copy")
    parser.add_argument("--split", choices=SPLITS, default="dev",
                        help="train or dev; the test split is for independent evaluation")
    parser.add_argument("--extractor", default=None, help="extractor name (default: rules)")
    parser.add_argument("--limit", type=int, default=None, help="score the first N articles")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    report = evaluate(args.polnear, args.split, args.extractor, args.limit)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    o, e = report["content_overlap"], report["content_exact"]
    print(f"PolNeAR {report['split']}: {report['articles']} articles, "
          f"{report['counts']['gold']} gold and {report['counts']['drafted']} drafted statements")
    print(f"content overlap  P {o['precision']:.3f}  R {o['recall']:.3f}  F1 {o['f1']:.3f}")
    print(f"content exact    P {e['precision']:.3f}  R {e['recall']:.3f}  F1 {e['f1']:.3f}")
    print(f"source exact {report['source_exact']:.3f}   cue exact {report['cue_exact']:.3f}"
          "   (over overlap-matched statements)")
    print(f"speed {report['articles_per_second']} articles/s (drafting only)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
