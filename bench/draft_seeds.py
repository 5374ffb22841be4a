"""Score the drafter's drafts of hand-annotated article files against their annotation.

PolNeAR says how well the drafter finds attributions in US political news; the
bundled seed (``seeds/``) and the worked examples (``examples/``) say how close a
draft comes to an article file a person would write in claimsdb's own format, with
chains, actors and how identifiable each source is. The files are read with the
format's own parser (``claimsdb.format.articles.read_article``), so version 1 and
version 1.1 files (hop ``mention``, ``identified``, several ``chains:``) score alike.

Three figures per article and in total:

- **statement recall**: of the hand statements that have a chain (attributed
  statements; the drafter does not propose the article's own-voice assertions), how
  many a drafted statement finds. Found means the drafted content and the hand
  quote share at least half of the larger one's words (the PolNeAR overlap rule of
  ``draft_scoring.match``), pairs one to one over all hand statements, best overlap
  first. A drafted statement that lands on an own-voice statement is counted apart
  (``own voice hit``): the drafter attributed what the article asserts itself.
- **chain exact**: over the found attributed statements, how often the drafted chain
  has as many hops as one of the hand chains and each drafted hop names the same
  source as the hand hop in the same place (nearest source first).
- **source identification**: over the found attributed statements, how often the
  drafted original source's ``source_type`` (named, role or anonymous; its last hop)
  equals the hand annotation's identification of the original source: the last
  hop's ``identified`` if given, else its actor's ``identified``, else ``named``
  (the format's default). With several hand chains, any chain's origin counts.

How a drafted hop names "the same source" as a hand hop (words compared lower-case,
without punctuation, a leading "the"/"a"/"an" or a possessive 's):

- the hand hop gives a ``mention`` (format 1.1): the drafted mention, as written
  (a pronoun stays a pronoun, as the hand mention does), and the hand mention match
  when either one's words occur as a run in the other's ("Wayan Koster" in "Bali's
  governor, Wayan Koster");
- otherwise the hand hop names an actor: the drafted mention (for a pronoun the
  drafter resolved, the antecedent it chose instead) matches when the actor's name
  or one of its aliases occurs as a run of its words ("Dmitry Peskov" in "Kremlin
  spokesman Dmitry Peskov", "Bloomberg" in "reports from Bloomberg"). A drafted
  mention that is only part of a name ("Putin" for an actor without that alias)
  does not match: the alias list says what the article calls the actor.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from draft_scoring import covered, drafted_content, match, ratio, words

from claimsdb.draft import draft
from claimsdb.format.articles import ArticleSpec, HopSpec, read_article
from claimsdb.format.seeds import article_files, seed_files

_LEADING = frozenset({"the", "a", "an"})
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@dataclass(frozen=True)
class HandHop:
    names: tuple[tuple[str, ...], ...]  # the word runs that name the source
    by_mention: bool  # the names are the hop's own mention, as written


@dataclass(frozen=True)
class HandStatement:
    key: str
    content: frozenset[int]
    chains: tuple[tuple[HandHop, ...], ...]
    origins: frozenset[str]  # how identified each chain's original source is


@dataclass(frozen=True)
class DraftedStatement:
    content: frozenset[int]
    hops: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]  # (as written, resolved)
    origin: str | None


def default_files() -> list[Path]:
    """The bundled seed articles, then the worked examples of a checkout."""
    files = seed_files()
    if EXAMPLES.is_dir():
        files += article_files([EXAMPLES])
    return files


def name_words(text: str) -> tuple[str, ...]:
    found = [w for _, _, w in words(text)]
    found = [w[:-2] if w.endswith(("'s", "’s")) else w for w in found]
    while found and found[0] in _LEADING:
        found = found[1:]
    return tuple(found)


def _contains(outer: tuple[str, ...], inner: tuple[str, ...]) -> bool:
    if not inner:
        return False
    return any(outer[i:i + len(inner)] == inner for i in range(len(outer) - len(inner) + 1))


def hop_matches(drafted: tuple[tuple[str, ...], tuple[str, ...]], hand: HandHop) -> bool:
    written, resolved = drafted
    if hand.by_mention:
        return any(_contains(written, n) or _contains(n, written) for n in hand.names)
    return any(_contains(resolved, n) for n in hand.names)


def chain_matches(drafted: DraftedStatement, hand: HandStatement) -> bool:
    return any(len(chain) == len(drafted.hops)
               and all(hop_matches(d, h) for d, h in zip(drafted.hops, chain, strict=True))
               for chain in hand.chains)


def hand_statements(article: ArticleSpec, tokens) -> list[HandStatement]:
    actors = {a.key: a for a in article.actors}

    def hand_hop(hop: HopSpec) -> HandHop:
        if hop.mention:
            return HandHop((name_words(hop.mention),), True)
        actor = actors.get(hop.actor)
        names = (actor.name, *actor.aliases) if actor else (hop.actor,)
        return HandHop(tuple(name_words(n) for n in names), False)

    def origin(chain: tuple[HopSpec, ...]) -> str:
        last = chain[-1]
        actor = actors.get(last.actor)
        return last.identified or (actor.identified if actor else None) or "named"

    found = []
    for statement in article.statements:
        content = covered(tokens, [(statement.span_start, statement.span_end)],
                          skip_that=True)
        if not content:
            continue
        chains = tuple(c for c in statement.chains if c)
        found.append(HandStatement(
            statement.key, content, tuple(tuple(hand_hop(h) for h in c) for c in chains),
            frozenset(origin(c) for c in chains)))
    return found


def drafted_statements(text: str, language: str, tokens,
                       extractor: str | None) -> list[DraftedStatement]:
    found = []
    for statement in draft(text, language, extractor).statements:
        content = drafted_content(statement, tokens)
        if not content:
            continue
        hops = tuple(
            (name_words(h.mention),
             name_words(h.antecedent.text if h.antecedent else h.mention))
            for h in statement.chain)
        origin = statement.chain[-1].source_type if statement.chain else None
        found.append(DraftedStatement(content, hops, origin))
    return found


def score_article(path: Path, extractor: str | None) -> dict:
    article = read_article(path)
    tokens = words(article.text)
    hand = hand_statements(article, tokens)
    drafted = drafted_statements(article.text, article.language, tokens, extractor)
    attributed = [h for h in hand if h.chains]
    found = [(h, d) for h, d in match(hand, drafted, exact=False) if h.chains]
    return {
        "article": article.key,
        "file": str(path),
        "hand": len(hand),
        "attributed": len(attributed),
        "drafted": len(drafted),
        "found": len(found),
        "own_voice_hit": len(match(hand, drafted, exact=False)) - len(found),
        "chain_exact": sum(chain_matches(d, h) for h, d in found),
        "source_identified": sum(d.origin in h.origins for h, d in found),
        "missed": [h.key for h in attributed if h not in {pair[0] for pair in found}],
    }


def evaluate(files: list[Path], extractor: str | None = None) -> dict:
    rows = [score_article(path, extractor) for path in files]
    total = {key: sum(r[key] for r in rows)
             for key in ("hand", "attributed", "drafted", "found", "own_voice_hit",
                         "chain_exact", "source_identified")}
    for row in [*rows, total]:
        row["statement_recall"] = ratio(row["found"], row["attributed"])
        row["chain_exact_rate"] = ratio(row["chain_exact"], row["found"])
        row["source_accuracy"] = ratio(row["source_identified"], row["found"])
    return {"articles": rows, "total": total}


def table(report: dict) -> list[str]:
    """The figures as a Markdown table, one row per article and a total."""

    def cell(value: float | None, part: int, whole: int) -> str:
        return "–" if value is None else f"{value:.3f} ({part}/{whole})"

    lines = ["| article | attributed | drafted | statement recall | chain exact "
             "| source identification | own voice hit |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for name, row in [*((r["article"], r) for r in report["articles"]),
                      ("**total**", report["total"])]:
        lines.append(
            f"| {name} | {row['attributed']} | {row['drafted']} "
            f"| {cell(row['statement_recall'], row['found'], row['attributed'])} "
            f"| {cell(row['chain_exact_rate'], row['chain_exact'], row['found'])} "
            f"| {cell(row['source_accuracy'], row['source_identified'], row['found'])} "
            f"| {row['own_voice_hit']} |")
    return lines
