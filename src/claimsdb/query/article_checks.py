"""The checks of one batch of articles, on plain rows: spans, chains, speakers,
relation rules and content hashes.

``claimsdb.query.checks`` reads each batch inside its one read transaction and
hands the rows here as plain tuples (picklable, no SQLAlchemy), so the same
function runs in the checking process for a small database and in worker processes
for a large one, and the report is the same either way. Nothing here touches a
database, which is what makes it safe to run in another process.

The rows, each a tuple in this column order (the queries in ``checks._read_batch``
select them so):

- articles: id, key, title, url, published, language, text, content_hash,
  outlet_id, retrieved, archived_url, note, outlet key; by id
- statements: article_id, id, key, quote, span_start, span_end, kind, stated_on,
  speaker_id, note, speaker key, translated_from, original; by id
- hops: statement_id, chain, position, actor_id, cue, mention, identified,
  cue_start, cue_end, mention_start, mention_end, actor key; by statement, chain,
  position
- about: statement_id, actor key
- relations: source statement_id, type, target article key, target statement key,
  target speaker_id, target article's outlet_id
- topics: statement_id, topic
- reviews: statement_id, reviewer key, rating, url, reviewed_on, summary; by
  statement, position
- authors: article_id, position, actor key; by article, position
"""

from __future__ import annotations

import itertools
import signal
from collections import defaultdict
from typing import Any, NamedTuple

from claimsdb.format import spans
from claimsdb.format.articles import ArticleSpec, HopSpec, ReviewSpec, StatementSpec
from claimsdb.format.vocabulary import RelationType, StatementKind
from claimsdb.terminal import one_line

MAX_SHOWN = 60  # characters of a quote or text shown in a finding

Row = tuple[Any, ...]
Found = tuple[str, str, str]  # check, where, message (``checks.Finding``'s fields)

_REFUSAL = StatementKind.REFUSAL.value
_DECLINES = RelationType.DECLINES.value
_CORRECTS_OR_RETRACTS = (RelationType.CORRECTS.value, RelationType.RETRACTS.value)


class BatchRows(NamedTuple):
    """One batch of articles and every row that belongs to them (see the module's
    docstring for the columns)."""

    articles: list[Row]
    statements: list[Row]
    hops: list[Row]
    about: list[Row]
    relations: list[Row]
    topics: list[Row]
    reviews: list[Row]
    authors: list[Row]


class BatchResult(NamedTuple):
    findings: list[Found]  # in the order the checks found them
    articles: int
    statements: int
    hops: int
    relations: int


def verify_batch(batch: BatchRows) -> BatchResult:
    """Every finding of the batch's articles, in article order and within an article
    statement by statement (span, chain, speaker, relations), then its content hash."""
    statements = _group(batch.statements)
    hops = _group(batch.hops)
    about = _group(batch.about)
    relations = _group(batch.relations)
    topics = _group(batch.topics)
    reviews = _group(batch.reviews)
    authors = _group(batch.authors)
    findings: list[Found] = []
    counted_statements = counted_hops = counted_relations = 0
    for article in batch.articles:
        article_id, article_key, text = article[0], article[1], article[6]
        outlet_id, outlet_key = article[8], article[12]
        specs = []
        for statement in statements.get(article_id, ()):
            statement_id = statement[1]
            its_hops = hops.get(statement_id, ())
            its_relations = relations.get(statement_id, ())
            counted_statements += 1
            counted_hops += len(its_hops)
            counted_relations += len(its_relations)
            where = f"article '{article_key}', statement '{statement[2]}'"
            chains = _chains(its_hops)
            _span(text, statement, where, findings)
            _chain(outlet_id, outlet_key, statement, chains, where, findings)
            _relation_rules(statement, its_relations, where, findings)
            specs.append(_statement_spec(text, statement, chains, its_relations,
                                         about.get(statement_id, ()),
                                         topics.get(statement_id, ()),
                                         reviews.get(statement_id, ())))
        spec = ArticleSpec(
            key=article_key, title=article[2], text=text, outlet=outlet_key,
            url=article[3], published=article[4], language=article[5],
            authors=tuple(a[2] for a in authors.get(article_id, ())),
            statements=tuple(specs), retrieved=article[9],
            archived_url=article[10], note=article[11],
        )
        if spec.content_hash() != article[7]:
            findings.append((
                "content", f"article '{article_key}'",
                "the stored article no longer matches the content it was imported with "
                "(its content hash differs): it was changed outside claimsdb. Re-import "
                "its file with 'claimsdb add --replace'"))
    return BatchResult(findings, len(batch.articles), counted_statements, counted_hops,
                       counted_relations)


def _group(rows: list[Row]) -> dict[Any, list[Row]]:
    """Rows by their first column, each group in the rows' order."""
    grouped: dict[Any, list[Row]] = {}
    for row in rows:
        key = row[0]
        group = grouped.get(key)
        if group is None:
            grouped[key] = [row]
        else:
            group.append(row)
    return grouped


def _chains(hops: list[Row] | tuple[()]) -> list[list[Row]]:
    """A statement's hops split into its chains, by chain number."""
    if not hops:
        return []
    first = hops[0][1]
    if all(hop[1] == first for hop in hops):  # one chain, as most statements have
        return [list(hops)]
    chains: dict[int, list[Row]] = defaultdict(list)
    for hop in hops:
        chains[hop[1]].append(hop)
    return [chains[number] for number in sorted(chains)]


def _span(text: str, statement: Row, where: str, findings: list[Found]) -> None:
    start, end = statement[4], statement[5]
    if not 0 <= start < end <= len(text):
        findings.append(("span", where, f"span {start}-{end} lies outside the article "
                         f"text ({len(text):,} characters)"))
        return
    selected = text[start:end]
    if selected != statement[3]:
        findings.append(("span", where, f"span {start}-{end} selects «{_clip(selected)}», "
                         f"not the quote «{_clip(statement[3])}»"))


def _chain(outlet_id: int | None, outlet_key: str | None, statement: Row,
           chains: list[list[Row]], where: str, findings: list[Found]) -> None:
    """Each chain's links, and the stored speaker: the first chain's origin."""
    numbers = [chain[0][1] for chain in chains]  # each chain's number, ascending
    if numbers != list(range(len(numbers))):
        findings.append(("chain", where, f"chain numbers are {numbers}, not 0 to "
                         f"{len(numbers) - 1} without gaps: a chain is missing or "
                         "misnumbered"))
    for number, chain in enumerate(chains):
        _one_chain(outlet_id, chain, where if not number else f"{where}, chain {number}",
                   findings)
    first = chains[0] if chains else []
    expected = first[-1][3] if first else outlet_id
    speaker_id = statement[8]
    if speaker_id != expected:
        if first:
            which = "the first chain's" if len(chains) > 1 else "the chain's"
            should = f"{which} last actor, '{first[-1][11]}'"
        elif outlet_id is not None:
            should = f"the article's outlet, '{outlet_key}' (the article's own voice)"
        else:
            should = "none (the article's own voice, and the article has no outlet)"
        have = f"'{statement[10]}'" if speaker_id is not None else "none"
        findings.append(("speaker", where, f"the stored original speaker is {have}, but "
                         f"it must be {should}"))


def _one_chain(outlet_id: int | None, hops: list[Row], where: str,
               findings: list[Found]) -> None:
    positions = [hop[2] for hop in hops]
    if positions != list(range(len(hops))):
        findings.append(("chain", where, f"chain positions are {positions}, not 0 to "
                         f"{len(hops) - 1} without gaps: a hop is missing or misnumbered"))
    for before, after in itertools.pairwise(hops):
        if before[3] == after[3]:
            findings.append(("chain", where, f"'{after[11]}' follows itself in the chain "
                             f"(positions {before[2]} and {after[2]})"))
    if hops and outlet_id is not None and hops[0][3] == outlet_id:
        findings.append(("chain", where, f"the chain starts with the article's outlet "
                         f"'{hops[0][11]}', which is the implicit first link"))


def _relation_rules(statement: Row, relations: list[Row] | tuple[()], where: str,
                    findings: list[Found]) -> None:
    """What the importer refuses, should rows written some other way say it: a refusal
    that answers a statement, a statement other than a refusal that ``declines`` one,
    a correction or retraction by someone other than the target's speaker or outlet
    (where both sides are known)."""
    kind, speaker_id = statement[6], statement[8]
    refusal = kind == _REFUSAL
    for _source, type_, article_key, statement_key, target_speaker, target_outlet \
            in relations:
        target = f"{article_key}#{statement_key}"
        declines = type_ == _DECLINES
        if refusal and not declines:
            findings.append(("relation", where, f"a refusal {type_} '{target}'; a refusal "
                             "takes no position on anything"))
        elif declines and not refusal:
            findings.append(("relation", where, f"a {kind} statement declines "
                             f"'{target}'; only a refusal declines to address a statement"))
        if type_ in _CORRECTS_OR_RETRACTS:
            theirs = {target_speaker, target_outlet} - {None}
            if speaker_id is not None and theirs and speaker_id not in theirs:
                findings.append(("relation", where, f"{type_} '{target}', whose speaker "
                                 "and outlet are both someone else; only the same speaker "
                                 f"or outlet {type_} a statement"))


def _statement_spec(text: str, statement: Row, chains: list[list[Row]], relations,
                    about, topics, reviews) -> StatementSpec:
    """The statement as its article file described it, for the article's content hash
    (``ArticleSpec.content_hash``, the one definition of what the hash covers)."""
    by_type: dict[str, list[str]] = defaultdict(list)
    for _source, type_, article_key, statement_key, _speaker, _outlet in relations:
        by_type[type_].append(f"{article_key}#{statement_key}")
    span_start, span_end = statement[4], statement[5]
    return StatementSpec(
        key=statement[2], quote=statement[3], span_start=span_start, span_end=span_end,
        kind=statement[6], stated_on=statement[7],
        chains=tuple(tuple(_stored_hop(text, span_start, span_end, hop) for hop in chain)
                     for chain in chains),
        about=tuple(a[1] for a in about),
        relations={t: tuple(refs) for t, refs in by_type.items()},
        topics=tuple(t[1] for t in topics), note=statement[9],
        reviews=tuple(ReviewSpec(r[1], r[2], r[3], r[4], r[5]) for r in reviews),
        translated_from=statement[11], original=statement[12],
    )


def _stored_hop(text: str, quote_start: int, quote_end: int, hop: Row) -> HopSpec:
    """A stored hop as the file it came from described it: its cue span was pinned by
    ``cue_occurrence`` when it is not the match nearest to the quote."""
    _statement, _chain, _position, _actor_id, cue, mention, identified, cue_start, \
        cue_end, mention_start, mention_end, actor_key = hop
    cue_span = (cue_start, cue_end) if cue_start is not None else None
    pinned = cue_span is not None and cue is not None and not spans.is_nearest(
        text, cue, cue_start, quote_start, quote_end)
    return HopSpec(actor_key, cue, mention=mention, identified=identified,
                   cue_span=cue_span, cue_pinned=pinned,
                   mention_span=(mention_start, mention_end)
                   if mention_start is not None else None)


def _clip(value: str, limit: int = MAX_SHOWN) -> str:
    value = one_line(value)  # line breaks as ⏎, a bare CR as \r (see claimsdb.terminal)
    return value if len(value) <= limit else value[: limit - 1] + "…"


def ignore_interrupts() -> None:
    """A worker process's start: Ctrl-C is for the checking process, which stops the
    workers itself (a worker interrupted mid-batch would only print a traceback)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
