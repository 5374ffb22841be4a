"""A draft written as an article file (format 1.1), ready to review and import.

The file is an ordinary article file: ``claimsdb add`` imports it exactly as written,
so everything the drafter is unsure of is said in YAML comments beside the item
(``# confidence 0.62 - check: ...``), never hidden in the data. It must import as
drafted, so:

- every quote is the text's own characters at the drafter's span, with
  ``occurrence`` where the same words appear more than once;
- a hop's cue and mention are written only where the importer will find them at the
  drafter's span (with ``cue_occurrence``/``mention_occurrence`` where the nearest
  match is another one); one it cannot is left out and the comment says so;
- the written file is read back with the format's own parser before it is returned,
  and any quote, cue or mention it would locate elsewhere is dropped and flagged,
  so a drafting mistake costs a reviewer's minute, never a failed import.

YAML is written by hand around PyYAML-dumped values because PyYAML writes no
comments; each value is dumped by the same rules as ``export article`` (a literal
block for the text when it reads back exactly, double quotes otherwise).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import yaml

from claimsdb.draft import keys
from claimsdb.draft.actors import Cast, KnownActor, NewActor, name_of
from claimsdb.draft.documents import Document
from claimsdb.draft.lexicon import load as load_lexicon
from claimsdb.draft.results import Draft, DraftHop, DraftStatement
from claimsdb.errors import ClaimsError
from claimsdb.format import spans, yamlio
from claimsdb.format.articles import FORMAT_ID_1_1, parse_article
from claimsdb.format.yamlwriting import Dumper, Flow, FlowList

LOW_CONFIDENCE = 0.6  # below this, a statement's comment says "(low)"
TITLE_LENGTH = 300
URL_LENGTH = 2000
_LANGUAGE_TAG = re.compile(r"[a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{1,8})*")
_COMMENT_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


@dataclass
class _Hop:
    actor: str
    cue: str | None
    mention: str | None
    identified: str | None
    cue_span: tuple[int, int] | None
    mention_span: tuple[int, int] | None


@dataclass
class _Statement:
    key: str
    quote: str
    span: tuple[int, int]
    kind: str
    chains: list[list[_Hop]]  # one, or one per source when several carry it
    confidence: float
    checks: list[str] = field(default_factory=list)
    relations: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    relation_notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class WrittenDraft:
    """The article file's text, and what it holds."""

    text: str
    statements: int
    new_actors: int
    reused_actors: int


def article_file(result: Draft, document: Document, *, key: str, language: str,
                 outlet: str | None = None, known: Iterable[KnownActor] = (),
                 notes: Iterable[str] = ()) -> WrittenDraft:
    """The text of an article file holding ``result``, drafted from ``document``.

    ``key`` is the article's key; ``language`` its tag; ``outlet`` an actor key or
    name given by the user (else the document's site name, if any); ``known`` the
    actors already stored, reused instead of redefined; ``notes`` comments for the
    article block."""
    if not keys.is_key(key):
        raise ClaimsError(f"'{key}' is not a valid article key: use lowercase letters, "
                          "digits and dashes")
    text = document.text
    cast = Cast(known, load_lexicon(result.language))
    head, head_notes = _article_head(document, key, language, cast, outlet)
    head_notes = [*notes, *head_notes]
    statements = _statements(result, text, cast, head.get("outlet"))
    file_text = _render(document, result, head, head_notes, cast, statements)
    dropped = _verify(file_text, text, statements, document.source)
    if dropped:  # something would be located elsewhere: leave it out, say so, write again
        file_text = _render(document, result, head, head_notes, cast, statements)
        if _verify(file_text, text, statements, document.source):
            raise ClaimsError(f"{document.source}: the draft does not read back as drafted; "
                              "please report this as a claimsdb bug")
    return WrittenDraft(file_text, len(statements), len(cast.new), len(cast.reused))


def default_title(document: Document) -> str:
    """The page's title, else the text's first line (a headline, in most texts)."""
    if document.title and document.title.strip():
        return _clip(" ".join(document.title.split()), TITLE_LENGTH)
    for line in document.text.splitlines():
        if line.strip():
            return _clip(" ".join(line.split()), TITLE_LENGTH)
    return document.stem


def _clip(value: str, limit: int) -> str:
    if len(value) <= limit:
        return value
    return value[:limit].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


# -- the article block --------------------------------------------------------------------

def _article_head(document: Document, key: str, language: str, cast: Cast,
                  outlet: str | None) -> tuple[dict[str, Any], list[str]]:
    notes: list[str] = []
    head: dict[str, Any] = {"key": key, "title": default_title(document)}
    if not (document.title and document.title.strip()):
        notes.append("title: the text's first line; check it is the headline")
    given = outlet or document.outlet
    if given and given.strip():
        head["outlet"] = cast.outlet(given.strip(), document.outlet if outlet else None)
    if document.url:
        if len(document.url) <= URL_LENGTH:
            head["url"] = document.url
        else:
            notes.append(f"url left out: it is longer than {URL_LENGTH} characters")
    published = _date_value(document.published)
    if published is not None:
        head["published"] = published
    elif document.published:
        notes.append(f"published left out: '{document.published}' is not an ISO date")
    retrieved = _date_value(document.retrieved, date_only=True)
    if retrieved is not None:
        head["retrieved"] = retrieved
    if _LANGUAGE_TAG.fullmatch(language):
        head["language"] = language
    else:
        notes.append(f"language left out: '{language}' is not a language tag")
    if document.author and document.author.strip():
        authors = []
        for name in _author_names(document.author):
            found = cast.find(name)
            author = cast.use(found) if found else cast.define(
                name, "person", "named", ["an author of the article (from the page)"])
            if author not in authors:
                authors.append(author)
        if authors:
            head["authors"] = FlowList(authors)
    return head, notes


def _author_names(byline: str) -> list[str]:
    byline = re.sub(r"^\s*by\s+", "", byline, flags=re.IGNORECASE)
    names = re.split(r"\s*(?:;|,|\band\b|&|\bи\b)\s*", byline)
    return [n.strip() for n in names if n.strip() and any(c.isalpha() for c in n)]


def _date_value(value: str | None, *, date_only: bool = False) -> dt.date | str | None:
    """A plain date as a YAML date; a date and time as exact text; None if neither."""
    if not value:
        return None
    value = value.strip()
    try:
        if len(value) == 10:
            return dt.date.fromisoformat(value)
        if date_only:
            return dt.datetime.fromisoformat(value).date()
        dt.datetime.fromisoformat(value)
        return value
    except ValueError:
        return None


# -- statements ---------------------------------------------------------------------------

def _statements(result: Draft, text: str, cast: Cast, outlet: str | None
                ) -> list[_Statement]:
    taken: set[str] = set()
    drafted: list[_Statement] = []
    first_of: dict[int, _Statement] = {}
    for number, found in enumerate(result.statements):
        chains, hop_checks = _chains(found, text, cast)
        if found.kind == "refusal":  # the quote is the refusal's words: no cue besides
            for hops in chains:
                for hop in hops:
                    hop.cue, hop.cue_span = None, None
        for hops in chains:
            if hops and hops[0].actor == outlet:  # the outlet is the implicit first link
                hops.pop(0)
                hop_checks.append("the first source named is the article's own outlet, so "
                                  "the chain leaves it out (it is always the first link)")
        parts = found.parts or (found.content_span,)
        for part, (start, end) in enumerate(parts):
            quote = text[start:end]
            if not quote.strip():
                continue
            key = keys.unique(keys.slug(quote, max_words=5, max_length=40), taken,
                              fallback="statement")
            taken.add(key)
            statement = _Statement(key, quote, (start, end), found.kind,
                                   [[_copy_hop(h) for h in hops] for hops in chains],
                                   found.confidence)
            if part == 0:
                statement.checks.extend(found.review)
                statement.checks.extend(hop_checks)
                first_of[number] = statement
            else:
                statement.checks.append(f"continues the quotation of '{first_of[number].key}'"
                                        if number in first_of else "continues a quotation")
            drafted.append(statement)
    for relation in result.relations:
        source, target = first_of.get(relation.source), first_of.get(relation.target)
        if source is None or target is None or source is target:
            continue
        if source.kind == "refusal":
            continue  # a refusal takes no position (the importer refuses one that does)
        if _speakers(source) & _speakers(target):
            source.relation_notes.append(
                f"the drafter guessed it {relation.type} '{target.key}', left out: the "
                "same speaker made both")
            continue
        source.relations[relation.type].append(target.key)
        hints = "; ".join(relation.review) or "check"
        source.relation_notes.append(
            f"{relation.type} {target.key}: a guess (confidence {relation.confidence:.2f}) "
            f"- {hints}")
    return drafted


def _speakers(statement: _Statement) -> set[str]:
    return {hops[-1].actor for hops in statement.chains if hops}


def _copy_hop(hop: _Hop) -> _Hop:
    return _Hop(hop.actor, hop.cue, hop.mention, hop.identified, hop.cue_span,
                hop.mention_span)


def _chains(found: DraftStatement, text: str, cast: Cast
            ) -> tuple[list[list[_Hop]], list[str]]:
    """The statement's chains: one, or one per source where the nearest source names
    several ("according to AP and AFP": the format's ``chains``)."""
    variants = _split_first_source(found.chain, cast)
    chains: list[list[_Hop]] = []
    checks: list[str] = []
    for variant in variants:
        hops, found_checks = _chain(variant, text, cast)
        chains.append(hops)
        checks.extend(found_checks)
    if len(variants) > 1:
        checks.append(f"«{found.chain[0].mention}» read as {len(variants)} sources, one "
                      "chain each")
    return chains, list(dict.fromkeys(checks))


_SEVERAL = re.compile(r"\s*(?:,|&|\band\b|\bи\b)\s*")


def _split_first_source(chain: tuple[DraftHop, ...], cast: Cast
                        ) -> list[tuple[DraftHop, ...]]:
    """The chain once per name when its nearest source is several named ones."""
    if not chain or chain[0].source_type != "named" or chain[0].antecedent is not None:
        return [chain]
    first = chain[0]
    parts = [p for p in _SEVERAL.split(name_of(first.mention, "named", cast.lexicon)) if p]
    if len(parts) < 2 or not all(p[:1].isupper() for p in parts):
        return [chain]
    variants = []
    position = 0
    for part in parts:
        offset = first.mention.find(part, position)
        if offset < 0:
            return [chain]
        position = offset + len(part)
        span = None
        if first.mention_span is not None:
            span = (first.mention_span[0] + offset, first.mention_span[0] + position)
        variants.append((dataclasses.replace(first, mention=part, mention_span=span),
                         *chain[1:]))
    return variants


def _chain(chain: tuple[DraftHop, ...], text: str, cast: Cast
           ) -> tuple[list[_Hop], list[str]]:
    """One chain as the file writes it: each hop's actor, and its cue and mention
    where the text has them at the drafter's span."""
    hops: list[_Hop] = []
    checks: list[str] = []
    for hop in chain:
        casting = cast.cast(hop)
        checks.extend(casting.checks)
        if hops and hops[-1].actor == casting.key:
            checks.append(f"«{hop.mention}» is the same actor as the link before it; "
                          "the chain names it once")
            continue
        cue, cue_span = _located(text, hop.cue, hop.cue_span)
        mention, mention_span = _located(text, hop.mention, hop.mention_span)
        if hop.cue and cue is None and hop.cue_span is not None:
            checks.append(f"the cue «{hop.cue}» could not be located: add it if wanted")
        if hop.mention and mention is None:
            checks.append(f"the mention «{hop.mention}» could not be located: add it if "
                          "wanted")
        if cue is None and hop.cue and hop.cue_span is None and hop.cue.strip():
            cue = hop.cue.strip()  # a cue without a place is free text, as in version 1
        hops.append(_Hop(casting.key, cue, mention, casting.identified, cue_span,
                         mention_span))
    return hops, checks


def _located(text: str, words: str | None, span: tuple[int, int] | None
             ) -> tuple[str | None, tuple[int, int] | None]:
    """The words and their span when the text holds them there as whole words (how
    the importer counts matches); else nothing."""
    if not words or span is None or not words.strip():
        return None, None
    start, end = span
    if text[start:end] != words or words != words.strip():
        return None, None
    if not _whole_word_at(text, words, start):  # the importer counts whole words only
        return None, None
    return words, span


def _whole_word_at(text: str, words: str, start: int) -> bool:
    end = start + len(words)
    if words[:1].isalnum() and start > 0 and text[start - 1].isalnum():
        return False
    return not (words[-1:].isalnum() and end < len(text) and text[end].isalnum())


# -- rendering ----------------------------------------------------------------------------

_DOCUMENT_END = "\n...\n"  # a line of its own (a value may end in "...", too)


def _dump(value: Any) -> str:
    return _dump_piece(value)[0]


def _dump_piece(value: Any) -> tuple[str, bool]:
    """One piece of the file, and whether it ends in a block that keeps its trailing
    line breaks (``|+``). PyYAML ends such a document with ``...``, which inside the
    file would end it, so the marker goes; and the caller adds no blank line after
    such a piece, as it would become part of the value."""
    dumped = yaml.dump(value, Dumper=Dumper, allow_unicode=True, sort_keys=False,
                       default_flow_style=False, width=100)
    if dumped.endswith(_DOCUMENT_END):
        return dumped[:-len(_DOCUMENT_END) + 1], True
    return dumped, False


def _comment(line: str, indent: str = "") -> str:
    return f"{indent}# {_COMMENT_UNSAFE.sub(' ', line).strip()}\n"


def _indented(block: str, indent: str) -> str:
    """``block`` indented, except inside it nothing changes meaning: YAML indentation
    is relative, so shifting every line keeps block scalars exact."""
    return "".join(indent + line if line.strip("\n") else line
                   for line in block.splitlines(keepends=True))


def _hop_entry(statement: _Statement, hop: _Hop, text: str) -> Flow | str:
    entry = Flow(actor=hop.actor)
    quote_start, quote_end = statement.span
    if hop.cue:
        entry["cue"] = hop.cue
        if hop.cue_span and not spans.is_nearest(text, hop.cue, hop.cue_span[0],
                                                 quote_start, quote_end):
            entry["cue_occurrence"] = spans.word_occurrence_of(text, hop.cue, hop.cue_span[0])
    if hop.mention:
        entry["mention"] = hop.mention
        if hop.mention_span and not spans.is_nearest(text, hop.mention, hop.mention_span[0],
                                                     quote_start, quote_end):
            entry["mention_occurrence"] = spans.word_occurrence_of(text, hop.mention,
                                                                   hop.mention_span[0])
    if hop.identified:
        entry["identified"] = hop.identified
    return entry if len(entry) > 1 else hop.actor


def _statement_entry(statement: _Statement, text: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"key": statement.key, "quote": statement.quote}
    if not spans.is_unique(text, statement.quote):
        entry["occurrence"] = spans.occurrence_of(text, statement.quote, statement.span[0])
    if statement.kind != "indirect":
        entry["kind"] = statement.kind
    chains = [[_hop_entry(statement, hop, text) for hop in hops] for hops in statement.chains]
    if len(chains) == 1:
        entry["chain"] = chains[0]
    else:
        entry["chains"] = chains
    for relation, targets in statement.relations.items():
        entry[relation] = FlowList(dict.fromkeys(targets))
    return entry


def _statement_comments(statement: _Statement) -> list[str]:
    low = " (low)" if statement.confidence < LOW_CONFIDENCE else ""
    checks = list(dict.fromkeys(statement.checks))
    first = f"confidence {statement.confidence:.2f}{low}"
    if checks:
        first += " - check: " + "; ".join(checks)
    return [first, *statement.relation_notes]


def _actor_entry(actor: NewActor) -> dict[str, Any]:
    entry: dict[str, Any] = {"key": actor.key, "name": actor.name, "kind": actor.kind}
    if actor.identified != "named":
        entry["identified"] = actor.identified
    if actor.aliases:
        entry["aliases"] = FlowList(actor.aliases)
    return entry


def _render(document: Document, result: Draft, head: dict[str, Any], head_notes: list[str],
            cast: Cast, statements: list[_Statement]) -> str:
    out = [
        _comment(f"Drafted by claimsdb draft from {document.source} (extractor "
                 f"'{result.extractor}', language '{result.language}')."),
        _comment("Review it: each statement's comment gives the drafter's confidence and "
                 "what to check."),
        _comment("Then import it as it is: claimsdb add THIS-FILE"),
        f"format: {FORMAT_ID_1_1}\n",
    ]
    for note in head_notes:
        out.append(_comment(note))
    head = {**head, "text": document.text}
    article, keeps_breaks = _dump_piece({"article": head})
    out.append(article)
    gap = "" if keeps_breaks else "\n"
    if cast.new or cast.reused:
        out.append(gap + "actors:\n")
        for known in cast.reused.values():
            out.append(_comment(f"'{known.key}' ({known.name}) is already stored and used "
                                "as it is", "  "))
        for actor in cast.new.values():
            out.append(_comment("new actor" + (" - check: " + "; ".join(actor.checks)
                                               if actor.checks else ""), "  "))
            out.append(_indented(_dump([_actor_entry(actor)]), "  "))
        gap = "\n"  # (an actor's fields are one line each: no kept line breaks)
    if not statements:
        out.append(gap)
        out.append(_comment("The drafter found no attributed statements in this text."))
        out.append("statements: []\n")
        return "".join(out)
    out.append(gap + "statements:\n")
    for statement in statements:
        for line in _statement_comments(statement):
            out.append(_comment(line, "  "))
        out.append(_indented(_dump([_statement_entry(statement, document.text)]), "  "))
    return "".join(out)


# -- reading back -------------------------------------------------------------------------

def _verify(file_text: str, text: str, statements: list[_Statement], source: str) -> bool:
    """Parse the file as ``claimsdb add`` will; drop (and flag) any cue or mention
    the parser would place elsewhere than the drafter found it. True if it dropped
    something (the caller writes the file again)."""
    from claimsdb.errors import ArticleError

    try:
        spec = parse_article(file_text, source=source)
    except ArticleError as error:
        raise ClaimsError(f"{source}: the draft would not import ({error}); please report "
                          "this as a claimsdb bug") from None
    if yamlio.load(file_text)["article"]["text"] != text:
        raise ClaimsError(f"{source}: the article text does not read back exactly; please "
                          "report this as a claimsdb bug")
    dropped = False
    parsed = {s.key: s for s in spec.statements}
    for statement in statements:
        stored = parsed[statement.key]
        if (stored.span_start, stored.span_end) != statement.span:
            raise ClaimsError(f"{source}: statement '{statement.key}' would be located at "
                              "another place; please report this as a claimsdb bug")
        mine = [hop for hops in statement.chains for hop in hops]
        for hop, read in zip(mine, stored.hops(), strict=True):
            if hop.cue and hop.cue_span and read.cue_span != hop.cue_span:
                statement.checks.append(f"the cue «{hop.cue}» left out: it would be "
                                        "located elsewhere")
                hop.cue, hop.cue_span, dropped = None, None, True
            if hop.mention and read.mention_span != hop.mention_span:
                statement.checks.append(f"the mention «{hop.mention}» left out: it would "
                                        "be located elsewhere")
                hop.mention, hop.mention_span, dropped = None, None, True
    return dropped

