"""Score a drafting extractor against PolNeAR (the Political News Attribution
Relations corpus, github.com/networkdynamics/PolNeAR) and against the hand-annotated
article files that ship with claimsdb (the bundled seed and the worked examples).

    python bench/draft_eval.py [PATH-TO-POLNEAR] [--split dev|train] [--extractor rules]
                               [--no-seed | --seed-file FILE ...] [--limit N] [--json]

Without PATH-TO-POLNEAR only the seed table is printed (no corpus needed); with it,
the PolNeAR table first, then the seed table (``--no-seed`` leaves that out).
``--seed-file`` scores the given article files instead of the bundled ones; what the
seed table measures is in ``draft_seeds.py``.

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

A drafted chain written nested, "According to X, Y said C" (one statement C with the
chain X, Y), counts as PolNeAR marks it: X's attribution of "Y said C" and Y's of C.

An article annotated by several annotators is scored once, against the annotation
file that sorts first.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import draft_seeds  # noqa: E402  (bench/ is not a package)
from draft_scoring import covered, drafted_content, match, prf, words  # noqa: E402

from claimsdb.draft import draft  # noqa: E402
from claimsdb.errors import ClaimsError  # noqa: E402

SPLITS = ("train", "dev")


@dataclass
class Attribution:
    content: frozenset[int]
    source: frozenset[int] | None
    cue: frozenset[int]


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
        content = drafted_content(statement, tokens)
        if not content:
            continue
        nested = nesting(statement)
        if not nested:
            found.append(Attribution(content, source, cue))
            continue
        for outer, inner in itertools.pairwise(statement.chain):
            found.append(Attribution(
                covered(tokens, [(inner.mention_span[0], statement.content_span[1])]),
                covered(tokens, [outer.mention_span]), covered(tokens, [outer.cue_span])))
        last = statement.chain[-1]
        found.append(Attribution(content, covered(tokens, [last.mention_span]),
                                 covered(tokens, [last.cue_span])))
    return found


def nesting(statement) -> bool:
    """Whether the chain is written nested, each source with its cue inside the
    content of the "according to" before it ("According to X, Y said C"). PolNeAR
    marks such a chain as an attribution inside another: the outer one's content
    runs from the inner source to the end. Other chains ("X reported, citing Y,
    that C", "X quoted Y as saying C") are one attribution, X's."""
    chain = statement.chain
    if len(chain) < 2 or any(h.mention_span is None or h.cue_span is None for h in chain):
        return False
    for outer, inner in itertools.pairwise(chain):
        after = max(outer.mention_span[1], outer.cue_span[1])
        if not (outer.cue_span[0] < outer.mention_span[0]
                and after <= inner.mention_span[0] < inner.cue_span[0]
                and inner.cue_span[1] <= statement.content_span[0]):
            return False
    return True


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


def polnear_lines(report: dict) -> list[str]:
    o, e = report["content_overlap"], report["content_exact"]
    return [
        f"PolNeAR {report['split']}: {report['articles']} articles, "
        f"{report['counts']['gold']} gold and {report['counts']['drafted']} drafted statements",
        f"content overlap  P {o['precision']:.3f}  R {o['recall']:.3f}  F1 {o['f1']:.3f}",
        f"content exact    P {e['precision']:.3f}  R {e['recall']:.3f}  F1 {e['f1']:.3f}",
        f"source exact {report['source_exact']:.3f}   cue exact {report['cue_exact']:.3f}"
        "   (over overlap-matched statements)",
        f"speed {report['articles_per_second']} articles/s (drafting only)",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="example: python bench/draft_eval.py ~/PolNeAR --split dev   "
               "(or with no path: the seed table alone)")
    parser.add_argument("polnear", type=Path, nargs="?", default=None,
                        help="PolNeAR checkout or extracted copy (leave out: seed table only)")
    parser.add_argument("--split", choices=SPLITS, default="dev",
                        help="train or dev; the test split is for independent evaluation")
    parser.add_argument("--extractor", default=None, help="extractor name (default: rules)")
    parser.add_argument("--limit", type=int, default=None,
                        help="score the first N PolNeAR articles")
    seeds = parser.add_mutually_exclusive_group()
    seeds.add_argument("--no-seed", action="store_true",
                       help="leave out the seed table (PolNeAR only)")
    seeds.add_argument("--seed-file", type=Path, action="append", default=None,
                       metavar="FILE", help="score this hand-annotated article file instead "
                       "of the bundled seed and examples (repeatable)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.polnear is None and args.no_seed:
        parser.error("nothing to score: give PATH-TO-POLNEAR or leave out --no-seed")
    report: dict = {}
    try:
        if args.polnear is not None:
            report["polnear"] = evaluate(args.polnear, args.split, args.extractor, args.limit)
        if not args.no_seed:
            report["seed"] = draft_seeds.evaluate(
                args.seed_file or draft_seeds.default_files(), args.extractor)
    except ClaimsError as error:  # an unknown extractor, an article file that does not read
        print(f"draft_eval.py: {error}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    lines = polnear_lines(report["polnear"]) if "polnear" in report else []
    if "seed" in report:
        if lines:
            lines.append("")
        lines += ["Hand-annotated articles (statement recall over attributed statements; "
                  "chain and source over those found):", *draft_seeds.table(report["seed"])]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
