"""Reading and validating article files (the format in docs/format.md).

Pure: no database. ``read_article`` turns a file into an ``ArticleSpec`` or raises
``ArticleError`` listing every problem found, so a user fixes a file in one pass
instead of one error per run. What needs the database (do referenced actors and
statements exist? does a ``repeats`` link close a cycle through stored articles?) is
checked by the importer, inside the import transaction, and reported the same way.
"""

from __future__ import annotations

import codecs
import dataclasses
import datetime as dt
import difflib
import functools
import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claimsdb.errors import ArticleError, NotAnArticle, Problem
from claimsdb.format import inputfiles, sourcing, spans, yamlio
from claimsdb.format.topics import normalise_topic
from claimsdb.format.vocabulary import (
    KEY_LENGTH,
    ActorKind,
    Identification,
    RelationType,
    StatementKind,
)
from claimsdb.terminal import one_line

FORMAT_ID = "claimsdb/article@1"
# A file that only defines actors (a team's actor registry): ``format`` says so.
ACTORS_FORMAT_ID = "claimsdb/actors@1"
ACTORS_FORMAT_PREFIX = "claimsdb/actors@"
# Version 1.1 adds optional fields only; a file may declare it (and an export that
# uses one of them does), and a version-1 file may use them too.
FORMAT_ID_1_1 = "claimsdb/article@1.1"
FORMAT_IDS = (FORMAT_ID, FORMAT_ID_1_1)
HTTP_URL = re.compile(r"https?://[^\s/?#]+\S*", re.IGNORECASE)
KEY_PATTERN = re.compile(r"[a-z0-9-]+")
LANGUAGE_PATTERN = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")
WIKIDATA_PATTERN = re.compile(r"Q[1-9][0-9]*")
# Control characters other than tab, line feed and carriage return: C0, DEL and C1
# (U+0080-U+009F). PostgreSQL cannot store NUL, none of them belongs in a news
# article, and a terminal acts on them (ESC and CSI start escape sequences) when a
# value is shown. C1 characters in text usually mean Windows-1252 text was decoded as
# Latin-1: the message names the character that was probably meant.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# The largest article file (and text_file) read, so that a runaway or hostile file is
# refused before it is read into memory; $CLAIMSDB_MAX_FILE_BYTES changes it.
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_FILE_BYTES_ENV = "CLAIMSDB_MAX_FILE_BYTES"
# Column sizes in models.py, checked here so that both backends refuse the same files
# (PostgreSQL enforces them, SQLite would store anything).
LANGUAGE_LENGTH = 35
WIKIDATA_LENGTH = 32

TOP_FIELDS = ("format", "article", "actors", "statements")
ACTORS_FILE_FIELDS = ("format", "actors")
ARTICLE_FIELDS = (
    "key", "title", "outlet", "url", "published", "language", "text", "text_file", "authors",
    "retrieved", "archived_url", "note",
)
ACTOR_FIELDS = (
    "key", "name", "kind", "identified", "aliases", "wikidata", "description", "roles",
    "note",
)
ROLE_FIELDS = ("of", "title", "from", "to")
STATEMENT_FIELDS = (
    "key", "quote", "occurrence", "kind", "chain", "chains", "stated_on", "about",
    *(r.value for r in RelationType),
    "topics", "note", "reviews", "translated_from", "original",
)
REVIEW_FIELDS = ("by", "rating", "url", "date", "summary")
HOP_FIELDS = ("actor", "cue", "mention", "identified", "cue_occurrence", "mention_occurrence")
VERB = {
    RelationType.DENIES: "deny", RelationType.CONTRADICTS: "contradict",
    RelationType.SUPPORTS: "support", RelationType.REPEATS: "repeat",
    RelationType.CONFIRMS: "confirm", RelationType.DISMISSES: "dismiss",
    RelationType.CORRECTS: "correct", RelationType.RETRACTS: "retract",
    RelationType.DECLINES: "decline to address",
}
# The one relation a refusal carries, and only a refusal: what it declined to address.
REFUSAL_RELATIONS = (RelationType.DECLINES.value,)
# A correction or retraction comes from the speaker or outlet that made the statement
# (checked wherever both are known: here within a file, by the importer across files).
SAME_VOICE = (RelationType.CORRECTS.value, RelationType.RETRACTS.value)
# Words annotators reach for that are not relation fields, with the field meant: the
# "unknown field" message then names it instead of listing every field.
RELATION_SYNONYMS = {
    "refutes": "denies", "rebuts": "denies", "rejects": "dismisses",
    "disputes": "contradicts", "affirms": "confirms", "verifies": "confirms",
    "corroborates": "confirms", "endorses": "supports", "backs": "supports",
    "cites": "repeats", "quotes": "repeats", "amends": "corrects", "revises": "corrects",
    "withdraws": "retracts", "recants": "retracts",
    "refuses": "declines", "declined": "declines", "ignores": "declines",
}


@dataclass(frozen=True)
class HopSpec:
    """One link of a chain. Since format 1.1 it may also say with which words the
    article names the source there (``mention``: "he", "the newspaper") and how
    identifiable the source is at that point (``identified``; None: as the actor is).

    The spans are where the cue and the mention are in the text (see
    ``spans.locate_near``): derived data, except where ``cue_occurrence`` picked a
    match other than the nearest one (``cue_pinned``)."""

    actor: str
    cue: str | None = None
    mention: str | None = None
    identified: str | None = None
    # Derived from the text (equal hops may be located differently in two texts).
    cue_span: tuple[int, int] | None = field(default=None, compare=False)
    mention_span: tuple[int, int] | None = field(default=None, compare=False)
    cue_pinned: bool = False

    @property
    def uses_1_1(self) -> bool:
        """Whether the hop says anything a version-1 hop cannot."""
        return self.mention is not None or self.identified is not None or self.cue_pinned

    def canonical(self) -> list[Any]:
        # A version-1 hop keeps its version-1 form, so the content hash of every
        # article that uses no new field stays what it was; its cue span is derived.
        if not self.uses_1_1:
            return [self.actor, self.cue]
        return [self.actor, self.cue, {
            "mention": self.mention, "identified": self.identified,
            "mention_span": list(self.mention_span) if self.mention_span else None,
            "cue_span": list(self.cue_span) if self.cue_pinned and self.cue_span else None,
        }]


@dataclass(frozen=True)
class RoleSpec:
    of: str
    title: str
    started_on: dt.date | None = None
    ended_on: dt.date | None = None


@dataclass(frozen=True)
class ActorSpec:
    key: str
    name: str
    kind: str
    identified: str | None = None  # None: not stated, which agrees with any stored value
    aliases: tuple[str, ...] = ()
    wikidata: str | None = None
    description: str | None = None
    roles: tuple[RoleSpec, ...] = ()
    line: int | None = None
    note: str | None = None

    @functools.cached_property
    def definition(self) -> tuple[Any, ...]:
        """What the definition says, without where (its line), as plain values: equal
        for every file that repeats it word for word. ``add --batch`` keeps one
        definition of each (``claimsdb.ingest.bulk``), comparing tens of thousands a
        batch: plain values hash in C (a role's dataclass hashes in Python). Kept once
        computed (the spec is frozen) in the instance, where reading it again is a
        plain attribute read: the process that parses the file works it out, and it
        travels with the spec."""
        return (self.key, self.name, self.kind, self.identified, self.aliases,
                self.wikidata, self.description,
                tuple((r.of, r.title, r.started_on, r.ended_on) for r in self.roles),
                self.note)


@dataclass(frozen=True)
class ReviewSpec:
    """A fact-checker's verdict on a statement (``reviews:``): ``by`` is an actor key."""

    by: str
    rating: str
    url: str | None = None
    date: str | None = None  # ISO date
    summary: str | None = None
    line: int | None = None

    def canonical(self) -> dict[str, Any]:
        return {"by": self.by, "rating": self.rating, "url": self.url, "date": self.date,
                "summary": self.summary}


@dataclass(frozen=True)
class StatementSpec:
    key: str
    quote: str
    span_start: int
    span_end: int
    kind: str = StatementKind.INDIRECT.value
    # Every chain that carries the statement ("according to AFP and AP": two), each
    # nearest source first; none for the article's own voice. A version-1 file (and
    # a ``chain:`` field) gives at most one.
    chains: tuple[tuple[HopSpec, ...], ...] = ()
    stated_on: str | None = None
    about: tuple[str, ...] = ()
    # relation type -> global statement references ("ARTICLE#KEY"), in file order
    relations: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    line: int | None = None
    topics: tuple[str, ...] = ()  # normalised (``normalise_topic``), in file order
    note: str | None = None
    reviews: tuple[ReviewSpec, ...] = ()
    # Format 1.1: the quote is the article's translation of words said in this language
    # (a code such as "ru"), and the words as said, when the file gives them.
    translated_from: str | None = None
    original: str | None = None

    @property
    def chain(self) -> tuple[HopSpec, ...]:
        """The first chain, whose origin is the statement's speaker (``speaker_id``)."""
        return self.chains[0] if self.chains else ()

    def hops(self) -> Iterable[HopSpec]:
        """Every hop of every chain."""
        return (hop for chain in self.chains for hop in chain)


@dataclass(frozen=True)
class ArticleSpec:
    key: str
    title: str
    text: str
    outlet: str | None = None
    url: str | None = None
    published: str | None = None
    language: str = "en"
    authors: tuple[str, ...] = ()
    actors: tuple[ActorSpec, ...] = ()
    statements: tuple[StatementSpec, ...] = ()
    source: str = "<article>"
    retrieved: str | None = None
    archived_url: str | None = None
    note: str | None = None
    # Lines of article fields ("outlet", "authors", "url") in the file, for error messages.
    lines: Mapping[str, int | None] = field(default_factory=dict, compare=False)

    def ref(self, statement_key: str) -> str:
        return f"{self.key}#{statement_key}"

    def actor_keys_used(self) -> dict[str, str]:
        """Every actor key the article refers to, with where (for error messages)."""
        used: dict[str, str] = {}
        if self.outlet:
            used.setdefault(self.outlet, "article outlet")
        for author in self.authors:
            used.setdefault(author, "article authors")
        for key, where in _role_uses(self.actors).items():
            used.setdefault(key, where)
        for statement in self.statements:
            for hop in statement.hops():
                used.setdefault(hop.actor, f"statement '{statement.key}' chain")
            for about in statement.about:
                used.setdefault(about, f"statement '{statement.key}' about")
        return used

    @functools.cached_property
    def actor_keys(self) -> frozenset[str]:
        """Every actor key the article needs stored or defined: ``actor_keys_used``
        and its reviewers, without where each is used (that is for error messages,
        which the file-by-file import gives; this is a tenth of the cost). Kept once
        computed, as ``definition`` is: ``add --batch`` works it out in the process
        that parses the file, beside the writing."""
        keys = set(self.authors)
        add = keys.add
        if self.outlet:
            add(self.outlet)
        for actor in self.actors:
            for role in actor.roles:
                add(role.of)
        for statement in self.statements:
            for chain in statement.chains:
                for hop in chain:
                    add(hop.actor)
            if statement.about:
                keys.update(statement.about)
            for review in statement.reviews:  # an unknown reviewer: declined
                add(review.by)
        return frozenset(keys)

    @functools.cached_property
    def independent_origins(self) -> int:
        """Its independent origins (``claimsdb.format.sourcing``), from its statements'
        speakers and chains by actor key, which name actors one to one as their ids
        do. Kept once computed, as ``actor_keys`` is: ``add --batch`` works it out in
        the process that parses the file."""
        return sourcing.independent_origins(
            ((s.chain[-1].actor if s.chain else self.outlet,
              [[hop.actor for hop in chain] for chain in s.chains]) for s in self.statements),
            self.outlet)

    def actor_use_lines(self) -> dict[str, int]:
        """The file line of each actor key's first use (as ``actor_keys_used`` orders
        them), where the file says it, so a database-side error can point there."""
        lines: dict[str, int] = {}

        def note(key: str, line: int | None) -> None:
            if line is not None:
                lines.setdefault(key, line)

        if self.outlet:
            note(self.outlet, self.lines.get("outlet"))
        for author in self.authors:
            note(author, self.lines.get("authors"))
        for key, line in _role_use_lines(self.actors).items():
            note(key, line)
        for statement in self.statements:
            for hop in statement.hops():
                note(hop.actor, statement.line)
            for about in statement.about:
                note(about, statement.line)
        return {key: lines[key] for key in self.actor_keys_used() if key in lines}

    def reviewer_uses(self) -> list[tuple[str, str, str, int | None]]:
        """(actor key, item, field, line) of every review's ``by``: a reviewer that is
        neither defined nor stored is reported at the review, not as an unknown actor
        of the file, so the message names the statement and the field."""
        return [(review.by, f"statement '{statement.key}'", f"reviews[{index}].by",
                 review.line if review.line is not None else statement.line)
                for statement in self.statements
                for index, review in enumerate(statement.reviews)]

    def uses_version_1_1(self) -> bool:
        """Whether the article uses a field that version 1 does not have (topics,
        notes, reviews, archive fields): its export then declares version 1.1."""
        return bool(self.retrieved or self.archived_url or self.note or any(
            s.topics or s.note or s.reviews for s in self.statements))

    def external_references(self) -> set[str]:
        """Statement references that point into other (stored) articles."""
        own = f"{self.key}#"
        return {
            ref
            for statement in self.statements
            for refs in statement.relations.values()
            for ref in refs
            if not ref.startswith(own)
        }

    def canonical(self) -> dict[str, Any]:
        """The article's own content, independent of formatting and ordering choices.

        Actor definitions are not part of it: actors are shared and merged across
        articles, so re-importing an article that merely repeats (or enriches) actor
        definitions is not a change to the article.
        """
        statements = sorted(self.statements, key=lambda s: s.key)

        def more_chains(s: StatementSpec) -> dict[str, Any]:
            # Only a statement with several chains has the key, so that every
            # version-1 file keeps its content hash.
            return {"chains": [[h.canonical() for h in c] for c in s.chains]
                    } if len(s.chains) > 1 else {}

        canonical = {
            "key": self.key,
            "title": self.title,
            "outlet": self.outlet,
            "url": self.url,
            "published": self.published,
            "language": self.language,
            "authors": list(self.authors),
            "text": self.text,
            "statements": [
                {
                    "key": s.key,
                    "quote": s.quote,
                    "span": [s.span_start, s.span_end],
                    "kind": s.kind,
                    "chain": [h.canonical() for h in s.chain],
                    **more_chains(s),
                    "stated_on": s.stated_on,
                    "about": sorted(set(s.about)),
                    "relations": {t: sorted(set(r)) for t, r in sorted(s.relations.items()) if r},
                    **_statement_additions(s),
                    # Only when given: a version-1 file keeps the hash it always had.
                    **({"translated_from": s.translated_from, "original": s.original}
                       if s.translated_from else {}),
                }
                for s in statements
            ],
        }
        # Format 1.1 fields only when given, so every version-1 file keeps its hash.
        for name in ("retrieved", "archived_url", "note"):
            if getattr(self, name) is not None:
                canonical[name] = getattr(self, name)
        return canonical

    def content_hash(self) -> str:
        # Kept once computed (the spec is frozen): ``add --batch`` computes it in the
        # process that parses the file, and the value travels with the spec.
        known = self.__dict__.get("_content_hash")
        if known is None:
            encoded = json.dumps(self.canonical(), ensure_ascii=False, sort_keys=True)
            known = hashlib.sha256(encoded.encode("utf-8")).hexdigest()
            object.__setattr__(self, "_content_hash", known)
        return known


def _role_uses(actors: Iterable[ActorSpec]) -> dict[str, str]:
    """The actor keys that roles name (``of``), with where, in file order."""
    used: dict[str, str] = {}
    for actor in actors:
        for role in actor.roles:
            used.setdefault(role.of, f"actor '{actor.key}' roles")
    return used


def _role_use_lines(actors: Iterable[ActorSpec]) -> dict[str, int]:
    lines: dict[str, int] = {}
    for actor in actors:
        for role in actor.roles:
            if actor.line is not None:
                lines.setdefault(role.of, actor.line)
    return lines


@dataclass(frozen=True)
class ActorsFileSpec:
    """A file that only defines actors (``format: claimsdb/actors@1``).

    A team keeps its actor registry (people, governments, outlets, their aliases and
    roles) in one file instead of repeating the definitions in every article. Its
    entries are an article file's ``actors`` entries, validated by the same code, and
    importing it merges them by the same rules; it has no article of its own, so it
    references no statements and nothing depends on its key.
    """

    actors: tuple[ActorSpec, ...]
    source: str = "<actors>"

    def actor_keys_used(self) -> dict[str, str]:
        """The actor keys the roles name, with where (for "unknown actor" errors)."""
        return _role_uses(self.actors)

    def actor_use_lines(self) -> dict[str, int]:
        return _role_use_lines(self.actors)

    def external_references(self) -> set[str]:
        return set()

    def reviewer_uses(self) -> tuple[tuple[str, str, str, int | None], ...]:
        """No statements, so no fact-check verdicts and no reviewers."""
        return ()


# What ``read_input`` gives: an article, or a file of actors only.
InputSpec = ArticleSpec | ActorsFileSpec

def _statement_additions(statement: StatementSpec) -> dict[str, Any]:
    """A statement's format 1.1 fields for ``canonical``, only those it has."""
    added: dict[str, Any] = {}
    if statement.topics:
        added["topics"] = sorted(statement.topics)
    if statement.note is not None:
        added["note"] = statement.note
    if statement.reviews:
        added["reviews"] = [review.canonical() for review in statement.reviews]
    return added


STDIN_SOURCE = "<stdin>"


@dataclass(frozen=True)
class ArticleBytes:
    """An article file's content that was read from somewhere other than a named file
    (standard input, for ``claimsdb add -``), with the folder its ``text_file`` is
    relative to. Reading stopped at the size limit (``over_limit``) for a stream that
    went on past it, which is then refused rather than read whole (``read_stream``)."""

    source: str
    raw: bytes
    base_dir: Path
    over_limit: bool = False


def read_stream(stream: Any, *, source: str = STDIN_SOURCE, base_dir: Path | None = None
                ) -> ArticleBytes:
    """Read one article file from a binary stream (standard input): never more than
    the size limit plus one byte. ``text_file`` is then relative to ``base_dir``, by
    default the current folder."""
    limit = max_file_bytes(source)
    base_dir = base_dir or Path.cwd()
    try:
        raw = inputfiles.read_limited(stream, limit)
    except inputfiles.TooLarge:
        return ArticleBytes(source=source, raw=b"", base_dir=base_dir, over_limit=True)
    except OSError as error:
        raise ArticleError(source, [Problem(f"cannot read it: {error.strerror}")]) from None
    return ArticleBytes(source=source, raw=raw, base_dir=base_dir)


@dataclass(frozen=True)
class FileReferences:
    """What the database checks of a file with problems can still use: its valid
    parts (``ArticleError.partial``).

    A file is refused whole at the first problem, but the problems the database would
    find (unknown actors, conflicting actor definitions, references to statements that
    are not stored, a URL taken) are reported with the file's own, in one pass, for
    every part that was valid: a wrong type in one statement must not hide an unknown
    actor in another. Parts that are broken are left out, and so are the checks that
    depend on them (``actors_complete``: every actor definition's key was readable, so
    a key defined nowhere is really unknown).
    """

    source: str
    article_key: str | None = None
    url: str | None = None
    url_line: int | None = None
    actors: tuple[ActorSpec, ...] = ()  # the valid definitions
    defined: frozenset[str] = frozenset()  # every key defined, valid definition or not
    actors_complete: bool = True
    uses: tuple[tuple[str, str, int | None], ...] = ()  # (actor key, used where, line)
    references: tuple[tuple[str, str, str, int | None], ...] = ()  # (ref, item, field, line)


def read_article(path: str | Path | ArticleBytes) -> ArticleSpec:
    """Read and validate one article file (YAML or JSON), or content already read
    (``ArticleBytes``). Only a regular file is read, and never past the size limit.
    A file of actors only is refused here (``read_input`` reads either)."""
    spec = read_input(path)
    if isinstance(spec, ActorsFileSpec):
        raise ArticleError(spec.source, [Problem(
            f"is a file of actors only ({ACTORS_FORMAT_ID}), not an article; import it "
            "with 'claimsdb add' (or Database.add)", "file", "format")])
    return spec


def read_input(path: str | Path | ArticleBytes) -> InputSpec:
    """Read and validate one input file: an article file, or a file that only defines
    actors (``format: claimsdb/actors@1``). Only a regular file is read, and never
    past the size limit."""
    if isinstance(path, ArticleBytes):
        if path.over_limit:
            raise ArticleError(path.source, [Problem(_over_limit(None, "the input"))])
        return parse_input(path.raw, source=path.source, base_dir=path.base_dir)
    path = Path(path)
    return parse_input(_read_file(path), source=str(path), base_dir=path.parent)


def _read_file(path: Path) -> bytes:
    source = str(path)
    try:
        limit = max_file_bytes(source)
        return inputfiles.read_regular_file(path, limit)
    except inputfiles.TooLarge as error:
        raise ArticleError(source, [Problem(_over_limit(error.size))]) from None
    except inputfiles.InputProblem as error:
        # Process substitution (add <(curl ...)) and named pipes are FIFOs.
        hint = "; to import from a pipe, send it to 'claimsdb add -' (standard input)" \
            if error.is_pipe else ""
        raise ArticleError(source, [Problem(error.message + hint)]) from None
    except FileNotFoundError:
        broken = os.path.islink(path)
        raise ArticleError(source, [Problem(
            "is a link to a file that does not exist" if broken else "no such file")]) from None
    except IsADirectoryError:
        raise ArticleError(source, [Problem("is a folder, not an article file")]) from None
    except OSError as error:
        raise ArticleError(source, [Problem(f"cannot read the file: {error.strerror}")]) from None


def may_define_actors(item: Path | ArticleBytes) -> bool:
    """Whether a file might be a file of actors only, judged from its bytes alone
    (it names the actors format somewhere), without parsing it: ``add`` moves such
    files first. A file it wrongly picks is only imported earlier; a real actors file
    always names its format, so none is missed. Anything unreadable says no (reading
    it for real reports why)."""
    if isinstance(item, ArticleBytes):
        return ACTORS_FORMAT_PREFIX.encode() in item.raw
    try:
        raw = inputfiles.read_regular_file(item, max_file_bytes(str(item)))
    except (inputfiles.InputProblem, OSError, ArticleError):
        return False
    return ACTORS_FORMAT_PREFIX.encode() in raw


def _over_limit(size: int | None, what: str = "the file") -> str:
    limit = max_file_bytes()
    amount = (f"{what} is {size:,} bytes, over" if size is not None else
              f"{what} goes on past")  # read no further than the limit: no size known
    return (f"{amount} the {limit:,}-byte limit for one article file; set "
            f"{MAX_FILE_BYTES_ENV} to a larger number of bytes if it is genuine")


def parse_article(raw: bytes | str, *, source: str = "<article>", base_dir: Path | None = None
                  ) -> ArticleSpec:
    """Validate an article file's content; ``base_dir`` resolves ``text_file``."""
    return _validate_article(_load(raw, source), source, base_dir)


def parse_input(raw: bytes | str, *, source: str = "<article>", base_dir: Path | None = None
                ) -> InputSpec:
    """Validate an input file's content: a file of actors only when its ``format``
    says so, an article file otherwise (as every file without ``format`` is)."""
    data = _load(raw, source)
    fmt = data.get("format") if isinstance(data, dict) else None
    if isinstance(fmt, str) and fmt.startswith(ACTORS_FORMAT_PREFIX):
        validator = _Validator(source, base_dir)
        actors = validator.actors_file(data)
        if validator.problems or actors is None:
            raise ArticleError(source, validator.problems or [Problem("nothing to import")],
                               partial=validator.partial() if validator.problems else None)
        return ActorsFileSpec(actors=actors, source=source)
    return _validate_article(data, source, base_dir)


def _load(raw: bytes | str, source: str) -> Any:
    if isinstance(raw, bytes):
        text, problem = decode_utf8(raw)
        if problem:
            raise ArticleError(source, [Problem(problem)])
    else:
        text = raw.removeprefix("\ufeff")
    try:
        data = yamlio.load(text)
    except yamlio.YamlProblem as error:
        raise ArticleError(source, [Problem(error.message, line=error.line)]) from None
    reason = _not_an_article(data)
    if reason:
        raise NotAnArticle(source, [Problem(reason)])
    return data


def _validate_article(data: Any, source: str, base_dir: Path | None) -> ArticleSpec:
    validator = _Validator(source, base_dir)
    spec = validator.article_file(data)
    if validator.problems or spec is None:
        raise ArticleError(source, validator.problems or [Problem("nothing to import")],
                           partial=validator.partial() if validator.problems else None)
    return spec


def _not_an_article(data: Any) -> str | None:
    """Why a mapping is some other kind of file (a package.json, a manifest), or None.

    What marks an article file is its top-level fields: one that has none of
    ``format``, ``article``, ``actors`` and ``statements``, nor a misspelling of one
    (which the validator reports as a typo), is not an attempt at an article."""
    if not isinstance(data, dict) or not data:
        return None
    for name in data:
        if name in TOP_FIELDS or difflib.get_close_matches(str(name), TOP_FIELDS, n=1,
                                                           cutoff=0.6):
            return None
    names = [_clip(str(name), 40) for name in list(data)[:5]]
    more = ", …" if len(data) > 5 else ""
    return f"no 'format' or 'article' field at the top, only {', '.join(names)}{more}"


def max_file_bytes(source: str = "<article>") -> int:
    """The size limit for article and text files: $CLAIMSDB_MAX_FILE_BYTES or 64 MiB."""
    raw = os.environ.get(MAX_FILE_BYTES_ENV, "").strip()
    if not raw:
        return MAX_FILE_BYTES
    try:
        value = int(raw.replace("_", ""))
    except ValueError:
        value = 0
    if value <= 0:
        raise ArticleError(source, [Problem(
            f"{MAX_FILE_BYTES_ENV} must be a whole number of bytes above 0, not {raw!r}"
        )])
    return value


def decode_utf8(raw: bytes) -> tuple[str, str | None]:
    """UTF-8 text without a byte-order mark, or a problem naming the bad byte's place.

    The mark is stripped before decoding: "utf-8-sig" would count error offsets from
    after it and so name the wrong byte. UTF-16 and UTF-32, which Windows editors save
    as "Unicode", are recognised and named (``other_encoding``): without a mark, UTF-16
    text in Latin script is valid UTF-8 with a NUL after every letter, which would
    otherwise be reported as "the control character U+0000"."""
    other = other_encoding(raw)
    if other:
        return "", f"{other}; claimsdb reads UTF-8 only: save the file as UTF-8"
    bom = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    try:
        return raw[bom:].decode("utf-8"), None
    except UnicodeDecodeError as error:
        start = bom + error.start
        line = raw.count(b"\n", 0, start) + 1
        return "", (
            f"is not valid UTF-8 (byte 0x{raw[start]:02x} at byte {start:,}, "
            f"line {line}); save the file as UTF-8"
        )


_WIDE_MARKS = (  # longest first: the UTF-32 LE mark begins with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "UTF-32 (little-endian)"),
    (codecs.BOM_UTF32_BE, "UTF-32 (big-endian)"),
    (codecs.BOM_UTF16_LE, "UTF-16 (little-endian)"),
    (codecs.BOM_UTF16_BE, "UTF-16 (big-endian)"),
)
SNIFF_BYTES = 4096  # enough of the start to tell UTF-16/32 from UTF-8 by its zero bytes


def other_encoding(raw: bytes) -> str | None:
    """"is UTF-16 (little-endian) text ..." when ``raw`` is UTF-16 or UTF-32, with or
    without a byte-order mark, else None.

    Without a mark, the zero bytes tell: UTF-8 text never has one (a NUL is refused
    anyway), while UTF-16 has one in every character below U+0100 (YAML's keys, spaces,
    digits and punctuation, whatever the script of the words), all at odd offsets for
    little-endian and at even ones for big-endian; UTF-32 has three in every four
    bytes. The guess must also decode cleanly, so a UTF-8 file with a few stray NULs
    is still reported as having them."""
    for mark, name in _WIDE_MARKS:
        if raw.startswith(mark):
            return f"is {name} text (it starts with a {name.split()[0]} byte-order mark)"
    sample = raw[:SNIFF_BYTES]
    if sample.count(0) < max(8, len(sample) / 16):  # stray NULs, not an encoding
        return None
    zeros = [0, 0, 0, 0]  # zero bytes by offset modulo 4
    for offset, byte in enumerate(sample):
        if not byte:
            zeros[offset % 4] += 1
    total = sum(zeros)
    odd = zeros[1] + zeros[3]
    candidates = []
    if zeros[0] == 0 and min(zeros[1:]) > 0 and zeros[2] >= total / 4:
        candidates.append(("utf-32-le", "UTF-32 (little-endian)", 4))
    if zeros[3] == 0 and min(zeros[:3]) > 0 and zeros[1] >= total / 4:
        candidates.append(("utf-32-be", "UTF-32 (big-endian)", 4))
    if odd >= total * 0.9:
        candidates.append(("utf-16-le", "UTF-16 (little-endian)", 2))
    if total - odd >= total * 0.9:
        candidates.append(("utf-16-be", "UTF-16 (big-endian)", 2))
    for codec, name, width in candidates:
        try:
            decoded = sample[:len(sample) - len(sample) % width].decode(codec, "surrogatepass")
        except UnicodeDecodeError:
            continue
        if not CONTROL_CHARACTERS.search(decoded.rstrip("\x00")):
            return f"looks like {name} text without a byte-order mark"
    return None


def control_character(character: str) -> str:
    """"control character U+001B"; for C1, also the character that was probably meant
    (C1 in text is almost always Windows-1252 read as Latin-1: 0x93 is a left quote)."""
    code = ord(character)
    described = f"control character U+{code:04X}"
    if 0x80 <= code <= 0x9F:
        try:
            meant = bytes([code]).decode("cp1252")
        except UnicodeDecodeError:
            return described + " (a C1 control character)"
        return (f"{described} (a C1 control character; in text from Windows-1252 read "
                f"as Latin-1 it stands for '{meant}')")
    return described


def suggest(name: str, allowed: Iterable[str], *, list_options: bool = True) -> str:
    """A "did you mean" for a misspelt name; lists the options when they are few (and
    are all the options: ``list_options=False`` when they are only a sample)."""
    options = list(allowed)
    close = difflib.get_close_matches(str(name), options, n=1, cutoff=0.6)
    if close:
        return f"; did you mean '{close[0]}'?"
    if not list_options or not options or len(options) > 30:
        return ""
    return f"; allowed: {', '.join(options)}"


class _Validator:
    """Walks the loaded YAML, collecting problems instead of stopping at the first."""

    def __init__(self, source: str, base_dir: Path | None):
        self.source = source
        self.base_dir = base_dir
        self.problems: list[Problem] = []
        # (id of mapping, field) pairs already reported as misspelt, e.g. 'titel' for
        # 'title': saying "title is required" as well would only add noise.
        self.misspelt: set[tuple[int, str]] = set()
        self.language: str | None = None  # the article's, once read and valid
        # The valid parts, for the database checks of a file with problems.
        self.found: dict[str, Any] = {"uses": {}, "references": [], "defined": set(),
                                      "actors": (), "actors_complete": True}

    def use(self, key: str | None, where: str, line: int | None) -> None:
        if key is not None and key not in self.found["uses"]:
            self.found["uses"][key] = (where, line)

    def partial(self) -> FileReferences:
        found = self.found
        return FileReferences(
            source=self.source, article_key=found.get("key"), url=found.get("url"),
            url_line=found.get("url_line"), actors=tuple(found["actors"]),
            defined=frozenset(found["defined"]), actors_complete=found["actors_complete"],
            uses=tuple((key, where, line) for key, (where, line) in found["uses"].items()),
            references=tuple(found["references"]),
        )

    def fail(self, message: str, item: str | None = None, field_: str | None = None,
             line: int | None = None) -> None:
        self.problems.append(Problem(message, item=item, field=field_, line=line))

    # -- helpers ---------------------------------------------------------------------
    def mapping(self, value: Any, item: str, field_: str | None, line: int | None,
                allowed: tuple[str, ...]) -> dict | None:
        if not isinstance(value, dict):
            self.fail(f"must be a mapping (key: value lines), not {_type_name(value)}",
                      item, field_, line)
            return None
        for name in value:
            if name not in allowed:
                relation = allowed is STATEMENT_FIELDS and _relation_like(name, value[name])
                if relation:  # the field itself is the mistake: name it as the field
                    self.fail(relation, item, str(name), _line(value, name))
                else:
                    self.fail(f"unknown field '{name}'{suggest(name, allowed)}", item, None,
                              _line(value, name))
                close = difflib.get_close_matches(str(name), allowed, n=1, cutoff=0.6)
                if close:
                    self.misspelt.add((id(value), close[0]))
        return value

    def missing(self, mapping: dict, name: str, item: str, message: str = "is required"
                ) -> None:
        if (id(mapping), name) not in self.misspelt:
            self.fail(message, item, name, _line(mapping))

    def text(self, mapping: dict, name: str, item: str, *, required: bool = False,
             max_length: int | None = None, allow_blank: bool = False) -> str | None:
        if name not in mapping or mapping[name] is None:
            if required:
                self.missing(mapping, name, item)
            return None
        value = mapping[name]
        # The line is looked up only for a problem: this runs for every text in a file.
        if not isinstance(value, str):
            self.fail(f"must be text, not {_type_name(value)} (put it in quotes)", item, name,
                      _line(mapping, name))
            return None
        if not allow_blank and not value.strip():
            self.fail("must not be empty", item, name, _line(mapping, name))
            return None
        if max_length is not None and len(value) > max_length:
            self.fail(f"is {len(value):,} characters long; the limit is {max_length:,}",
                      item, name, _line(mapping, name))
            return None
        bad = CONTROL_CHARACTERS.search(value)
        if bad:
            self.fail(f"contains the {control_character(bad.group())}", item, name,
                      _line(mapping, name))
            return None
        return value

    def key(self, mapping: dict, name: str, item: str, *, required: bool = True) -> str | None:
        value = self.text(mapping, name, item, required=required)
        if value is None:
            return None
        return self.check_key(value, item, name, _line(mapping, name))

    def check_key(self, value: Any, item: str, field_: str, line: int | None) -> str | None:
        if not isinstance(value, str):
            self.fail(f"must be a key (text), not {_type_name(value)}", item, field_, line)
            return None
        if len(value) > KEY_LENGTH:
            self.fail(f"is {len(value):,} characters long; keys are at most {KEY_LENGTH}",
                      item, field_, line)
            return None
        if not KEY_PATTERN.fullmatch(value):
            hint = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")
            advice = f" (for example '{hint}')" if hint and KEY_PATTERN.fullmatch(hint) else ""
            self.fail(f"'{_clip(value)}' is not a valid key: use lowercase letters, digits and "
                      f"dashes{advice}", item, field_, line)
            return None
        return value

    def choice(self, mapping: dict, name: str, item: str, options: type, default: str | None
               ) -> str | None:
        if name not in mapping or mapping[name] is None:
            return default
        value = mapping[name]
        allowed = _values(options)
        if value not in allowed:
            self.fail(f"'{value}' is not one of: {', '.join(allowed)}{_close(value, allowed)}",
                      item, name, _line(mapping, name))
            return default
        return value

    def list_of(self, mapping: dict, name: str, item: str) -> list:
        value = mapping.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(f"must be a list, not {_type_name(value)}", item, name, _line(mapping, name))
            return []
        return value

    def date_text(self, mapping: dict, name: str, item: str, *, allow_time: bool) -> str | None:
        value = mapping.get(name)
        if value is None:
            return None
        line = _line(mapping, name)
        if isinstance(value, dt.datetime):
            if allow_time:
                return value.isoformat()
        elif isinstance(value, dt.date):
            return value.isoformat()
        elif isinstance(value, str):
            try:
                return dt.date.fromisoformat(value).isoformat()
            except ValueError:
                pass
            if allow_time:
                try:
                    return dt.datetime.fromisoformat(value).isoformat()
                except ValueError:
                    pass
        shape = "an ISO date (2025-03-12) or date and time (2025-03-12T14:30:00+01:00)" \
            if allow_time else "an ISO date (2025-03-12)"
        self.fail(f"'{_clip(str(value))}' is not {shape}", item, name, line)
        return None

    def date(self, mapping: dict, name: str, item: str) -> dt.date | None:
        iso = self.date_text(mapping, name, item, allow_time=False)
        return dt.date.fromisoformat(iso) if iso else None

    # -- the document ----------------------------------------------------------------
    def article_file(self, data: Any) -> ArticleSpec | None:
        if data is None:
            self.fail("the file is empty; an article file needs 'article' and 'statements'")
            return None
        top = self.mapping(data, "file", None, 1, TOP_FIELDS)
        if top is None:
            return None
        fmt = top.get("format")
        if fmt is not None and fmt not in FORMAT_IDS:
            self.fail(f"'{fmt}' is not a format this claimsdb reads; use '{FORMAT_ID}'",
                      "file", "format", _line(top, "format"))
        if "article" not in top:
            self.fail("is required", "file", "article", 1)
        article = self.mapping(top.get("article"), "article", None, _line(top, "article"),
                               ARTICLE_FIELDS) if "article" in top else None
        article = article if article is not None else {}
        item = "article"
        key = self.key(article, "key", item) if article or "article" in top else None
        title = self.text(article, "title", item, required=bool(article))
        text = self.article_text(article, item)
        outlet = self.key(article, "outlet", item, required=False)
        self.use(outlet, "article outlet", _line(article, "outlet"))
        url = self.text(article, "url", item, max_length=2000)
        published = self.date_text(article, "published", item, allow_time=True)
        language = self.text(article, "language", item, max_length=LANGUAGE_LENGTH) or "en"
        if not LANGUAGE_PATTERN.fullmatch(language):
            self.fail(f"'{_clip(language)}' is not a language tag such as en, uk or pt-BR",
                      item, "language", _line(article, "language"))
        authors = []
        for index, author in enumerate(self.list_of(article, "authors", item)):
            checked = self.check_key(author, item, f"authors[{index}]", _line(article, "authors"))
            self.use(checked, "article authors", _line(article, "authors"))
            if checked:
                authors.append(checked)
        if len(set(authors)) != len(authors):
            self.fail("lists an author twice", item, "authors", _line(article, "authors"))

        retrieved = self.date_text(article, "retrieved", item, allow_time=True)
        archived_url = self.text(article, "archived_url", item, max_length=2000)
        note = self.text(article, "note", item)

        self.language = language if LANGUAGE_PATTERN.fullmatch(language) else None
        self.found.update(key=key, url=url, url_line=_line(article, "url"))
        actors = self.actors(top)
        self.found["actors"] = actors
        if "statements" not in top:
            self.fail("is required (a list of the claims the article reports)", "file",
                      "statements", 1)
        statements = self.statements(top, key, text, outlet)
        if self.problems or key is None or title is None or text is None:
            return None
        return ArticleSpec(
            key=key, title=title, text=text, outlet=outlet, url=url, published=published,
            language=language, authors=tuple(authors), actors=actors, statements=statements,
            source=self.source, retrieved=retrieved, archived_url=archived_url, note=note,
            lines={name: _line(article, name) for name in ("outlet", "authors", "url")},
        )

    def actors_file(self, top: dict) -> tuple[ActorSpec, ...] | None:
        """A file of actors only: ``format`` and an ``actors`` list whose entries are
        an article file's actor entries (``actors``, the same validation)."""
        for name in top:
            if name in ACTORS_FILE_FIELDS:
                continue
            if name in ("article", "statements"):
                message = (f"a file of actors only ({ACTORS_FORMAT_ID}) holds 'format' and "
                           f"'actors', and '{name}' belongs in an article file: move the "
                           f"article to a file of its own (format: {FORMAT_ID}), or remove "
                           "this file's format line to make it an article file")
            else:
                message = f"unknown field '{name}'{suggest(name, ACTORS_FILE_FIELDS)}"
            self.fail(message, "file", str(name), _line(top, name))
        fmt = top.get("format")
        if fmt != ACTORS_FORMAT_ID:
            self.fail(f"'{_clip(str(fmt))}' is not a format this claimsdb reads; use "
                      f"'{ACTORS_FORMAT_ID}' (a file of actors only) or '{FORMAT_ID}' (an "
                      "article)", "file", "format", _line(top, "format"))
        if top.get("actors") is None:
            self.fail("is required: the list of actors this file defines (key, name, kind, "
                      "and optionally aliases, roles, wikidata, description)", "file",
                      "actors", _line(top, "actors"))
            return None
        if top.get("actors") == []:
            self.fail("is empty; list at least one actor", "file", "actors",
                      _line(top, "actors"))
            return None
        actors = self.actors(top)
        self.found["actors"] = actors
        return actors

    def article_text(self, article: dict, item: str) -> str | None:
        has_text = article.get("text") is not None
        has_file = article.get("text_file") is not None
        if has_text and has_file:
            self.fail("give either 'text' or 'text_file', not both", item, "text",
                      _line(article, "text"))
            return None
        if not has_text and not has_file:
            if article:
                self.fail("is required: the article's full text ('text', or 'text_file' with "
                          "a path relative to this file)", item, "text", _line(article))
            return None
        if has_text:
            return self.text(article, "text", item)
        name = self.text(article, "text_file", item)
        if name is None:
            return None
        line = _line(article, "text_file")
        if self.base_dir is None:
            self.fail("cannot be used here: the article was not read from a file",
                      item, "text_file", line)
            return None
        path = self.base_dir / name
        try:
            # Only a file inside the article file's folder, links resolved: an article
            # file must not be able to import any file its reader can read.
            inputfiles.inside_folder(self.base_dir, name)
            limit = max_file_bytes(self.source)
            raw = inputfiles.read_regular_file(path, limit)
        except inputfiles.TooLarge as error:
            amount = (f"is {error.size:,} bytes, over" if error.size is not None
                      else "goes on past")
            self.fail(f"{path} {amount} the {limit:,}-byte limit; set {MAX_FILE_BYTES_ENV} to "
                      "a larger number of bytes if it is genuine", item, "text_file", line)
            return None
        except inputfiles.InputProblem as error:
            where = "" if error.message.startswith("'") else f"{path} "
            self.fail(where + error.message, item, "text_file", line)
            return None
        except OSError as error:
            reason = "no such file" if isinstance(error, FileNotFoundError) else error.strerror
            self.fail(f"cannot read {path}: {reason}", item, "text_file", line)
            return None
        text, problem = decode_utf8(raw)
        if problem:
            self.fail(f"{path} {problem}", item, "text_file", line)
            return None
        bad = CONTROL_CHARACTERS.search(text)
        if bad:
            self.fail(f"{path} contains the {control_character(bad.group())} on line "
                      f"{spans.line_of(text, bad.start())}; remove it", item, "text_file", line)
            return None
        if not text.strip():
            self.fail(f"{path} is empty", item, "text_file", line)
            return None
        return text

    def actors(self, top: dict) -> tuple[ActorSpec, ...]:
        result: list[ActorSpec] = []
        seen: dict[str, int | None] = {}
        if top.get("actors") is not None and not isinstance(top.get("actors"), list):
            self.found["actors_complete"] = False
        for index, raw in enumerate(self.list_of(top, "actors", "file")):
            line = _line(raw) if isinstance(raw, dict) else _line(top, "actors")
            label = f"actors[{index}]"
            actor = self.mapping(raw, label, None, line, ACTOR_FIELDS)
            if actor is None:
                self.found["actors_complete"] = False
                continue
            key = self.key(actor, "key", label)
            if key is None and isinstance(actor.get("key"), str):
                self.found["defined"].add(actor["key"])  # invalid, so it matches no use
            elif key is None:
                self.found["actors_complete"] = False
            else:
                self.found["defined"].add(key)
            item = f"actor '{key}'" if key else label
            if key in seen:
                self.fail(f"is defined twice in this file (first on line {seen[key]})", item,
                          "key", line)
            elif key:
                seen[key] = line
            name = self.text(actor, "name", item, required=True)
            kind = self.choice(actor, "kind", item, ActorKind, None)
            if actor.get("kind") is None:  # "kind:" left empty must not drop the actor
                self.missing(actor, "kind", item,
                             f"is required: one of {', '.join(k.value for k in ActorKind)}")
            identified = self.choice(actor, "identified", item, Identification, None)
            aliases = []
            for alias_index, alias in enumerate(self.list_of(actor, "aliases", item)):
                if not isinstance(alias, str) or not alias.strip():
                    self.fail("must be non-empty text", item, f"aliases[{alias_index}]",
                              _line(actor, "aliases"))
                elif len(alias) > 500:
                    self.fail("is longer than 500 characters", item, f"aliases[{alias_index}]",
                              _line(actor, "aliases"))
                elif bad := CONTROL_CHARACTERS.search(alias):
                    self.fail(f"contains the {control_character(bad.group())}", item,
                              f"aliases[{alias_index}]", _line(actor, "aliases"))
                elif alias not in aliases and alias != name:
                    aliases.append(alias)
            wikidata = self.text(actor, "wikidata", item, max_length=WIKIDATA_LENGTH)
            if wikidata is not None and not WIKIDATA_PATTERN.fullmatch(wikidata):
                self.fail(f"'{_clip(wikidata)}' is not a Wikidata item id such as Q7747",
                          item, "wikidata", _line(actor, "wikidata"))
            description = self.text(actor, "description", item)
            note = self.text(actor, "note", item)
            roles = self.roles(actor, item, key)
            if key and name and kind:
                result.append(ActorSpec(
                    key=key, name=name, kind=kind, identified=identified, aliases=tuple(aliases),
                    wikidata=wikidata, description=description, roles=roles, line=line,
                    note=note,
                ))
        return tuple(result)

    def roles(self, actor: dict, item: str, actor_key: str | None) -> tuple[RoleSpec, ...]:
        roles: list[RoleSpec] = []
        for index, raw in enumerate(self.list_of(actor, "roles", item)):
            label = f"roles[{index}]"
            line = _line(raw) if isinstance(raw, dict) else _line(actor, "roles")
            role = self.mapping(raw, item, label, line, ROLE_FIELDS)
            if role is None:
                continue
            of = self.key(role, "of", f"{item} {label}")
            self.use(of, f"{item} roles", _line(actor))
            title = self.text(role, "title", f"{item} {label}", required=True)
            started = self.date(role, "from", f"{item} {label}")
            ended = self.date(role, "to", f"{item} {label}")
            if of is not None and of == actor_key:
                self.fail("an actor cannot hold a role at itself", item, f"{label}.of", line)
                continue
            if started and ended and ended < started:
                self.fail(f"ends ({ended}) before it starts ({started})", item, label, line)
                continue
            if of and title:
                spec = RoleSpec(of=of, title=title, started_on=started, ended_on=ended)
                if spec not in roles:
                    roles.append(spec)
        return tuple(roles)

    def statements(self, top: dict, article_key: str | None, text: str | None,
                   outlet: str | None) -> tuple[StatementSpec, ...]:
        # An empty list is fine: an article can be stored before it is annotated.
        raw_list = self.list_of(top, "statements", "file")
        located = self.locate_quotes(raw_list, text)
        near_misses = spans.NearMisses(text) if text is not None else None
        # An invalid article key must not hide reference problems: stand in for it.
        own_key = article_key or "\x00this-article"
        result: list[StatementSpec] = []
        # per statement in result: its item, and per chain where its hops are
        places: list[tuple[str, tuple[tuple[_HopPlace, ...], ...]]] = []
        # Every statement's key and relations, valid or not, for cross-checks: a typo in
        # one statement's quote must not turn references to it into "unknown" errors.
        linked: dict[str, tuple[dict[str, tuple[str, ...]], int | None]] = {}
        for index, raw in enumerate(raw_list):
            line = _line(raw) if isinstance(raw, dict) else _line(top, "statements")
            label = f"statements[{index}]"
            statement = self.mapping(raw, label, None, line, STATEMENT_FIELDS)
            if statement is None:
                continue
            key = self.key(statement, "key", label)
            item = f"statement '{key}'" if key else label
            span = self.quote_span(statement, item, text, located.get(index), near_misses)
            kind = self.choice(statement, "kind", item, StatementKind, StatementKind.INDIRECT.value)
            chains, hop_places = self.chains(statement, item, outlet)
            stated_on = self.date_text(statement, "stated_on", item, allow_time=True)
            about = []
            for about_index, actor in enumerate(self.list_of(statement, "about", item)):
                checked = self.check_key(actor, item, f"about[{about_index}]",
                                         _line(statement, "about"))
                self.use(checked, f"{item} about", line)
                if checked and checked not in about:
                    about.append(checked)
            relations = self.relations(statement, item, key, own_key)
            topics = self.topics(statement, item)
            note = self.text(statement, "note", item)
            reviews = self.reviews(statement, item)
            if kind:  # an unknown kind is reported already; what it meant is unknown
                self.refusal_relations(statement, item, kind == StatementKind.REFUSAL.value,
                                       relations)
            translated_from, original = self.translation(statement, item)
            if key in linked:
                self.fail(f"is used twice in this file (first on line {linked[key][1]})", item,
                          "key", line)
                continue
            if key:
                linked[key] = (relations, line)
            if key and span and kind:
                result.append(StatementSpec(
                    key=key, quote=span[0], span_start=span[1], span_end=span[2], kind=kind,
                    chains=chains, stated_on=stated_on, about=tuple(about),
                    relations=relations, line=line, topics=topics, note=note, reviews=reviews,
                    translated_from=translated_from, original=original,
                ))
                places.append((item, hop_places))
        self.local_references(linked, own_key)
        if text is not None:
            result = self.locate_hops(result, places, text, near_misses)
        self.local_voices(result, own_key, outlet)
        return tuple(result)

    def locate_hops(self, statements: list[StatementSpec],
                    places: list[tuple[str, tuple[tuple[_HopPlace, ...], ...]]], text: str,
                    near_misses: spans.NearMisses | None) -> list[StatementSpec]:
        """The spans of every hop's cue and mention, found together for the whole
        article (``spans.locate_near`` searches each distinct string once).

        A cue not in the text is fine (version-1 cues were free text such as
        "according to" where the text says "According to"): it has no span. A mention
        must be in the text, and so must a cue whose ``cue_occurrence`` is given."""
        requests: list[spans.NearRequest] = []
        for statement, (_item, hop_places) in zip(statements, places, strict=True):
            near = (statement.span_start, statement.span_end)
            for hop, place in zip(statement.hops(), _flat(hop_places), strict=True):
                if hop.cue is not None:
                    requests.append((hop.cue, place.cue_occurrence, *near))
                    if place.cue_occurrence is not None:
                        requests.append((hop.cue, None, *near))  # is it the nearest?
                if hop.mention is not None:
                    requests.append((hop.mention, place.mention_occurrence, *near))
        found = iter(spans.locate_near(text, requests))
        located: list[StatementSpec] = []
        for statement, (item, hop_places) in zip(statements, places, strict=True):
            hops = []
            for hop, place in zip(statement.hops(), _flat(hop_places), strict=True):
                cue_span = mention_span = None
                pinned = False
                if hop.cue is not None:
                    cue_span = next(found)
                    if place.cue_occurrence is not None:
                        nearest = next(found)
                        cue_span = self.explicit_span(
                            cue_span, hop.cue, place.cue_occurrence, item,
                            f"{place.label}.cue_occurrence", place.line)
                        pinned = cue_span is not None and cue_span != nearest
                if hop.mention is not None:
                    mention_span = next(found)
                    if place.mention_occurrence is not None:
                        mention_span = self.explicit_span(
                            mention_span, hop.mention, place.mention_occurrence, item,
                            f"{place.label}.mention_occurrence", place.line)
                    elif mention_span is None:
                        self.mention_missing(hop.mention, text, near_misses, item,
                                             f"{place.label}.mention", place.line)
                hops.append(dataclasses.replace(
                    hop, cue_span=cue_span, mention_span=mention_span,  # type: ignore[arg-type]
                    cue_pinned=pinned))
            chains, start = [], 0
            for chain in statement.chains:
                chains.append(tuple(hops[start:start + len(chain)]))
                start += len(chain)
            located.append(dataclasses.replace(statement, chains=tuple(chains)))
        return located

    def explicit_span(self, found: spans.Near, words: str, occurrence: int, item: str,
                      field_: str, line: int | None) -> tuple[int, int] | None:
        if isinstance(found, spans.OccurrenceMissing):
            times = (f"appears only {found.found} time(s)" if found.found
                     else "is not in the article text")
            self.fail(f"asks for match {occurrence} but «{_clip(words)}» {times}",
                      item, field_, line)
            return None
        return found

    def mention_missing(self, mention: str, text: str, near_misses: spans.NearMisses | None,
                        item: str, field_: str, line: int | None) -> None:
        near = near_misses.find(mention) if near_misses is not None else None
        hint = (f"; the text has «{_clip(near, 120)}», which differs in case, quote marks, "
                "dashes or spacing; copy it exactly") if near else \
            "; a mention is the words of the text that name the source there: copy them exactly"
        self.fail(f"«{_clip(mention)}» is not in the article text{hint}", item, field_, line)

    def refusal_relations(self, statement: dict, item: str, refusal: bool,
                          relations: dict[str, tuple[str, ...]]) -> None:
        """A refusal ("declined to comment") takes no position on anything: it cannot
        deny, dismiss, confirm or otherwise answer a statement, so its one relation is
        ``declines``, the statements it declined to address (whom it was asked about
        goes in ``about``; words that do answer are a statement of their own). Only a
        refusal declines: a statement that answers says how, with another relation."""
        for relation in relations:
            line = _line(statement, relation)
            if refusal and relation not in REFUSAL_RELATIONS:
                self.fail(f"a refusal takes no position, so it cannot "
                          f"{VERB[RelationType(relation)]} a statement; name what it "
                          "declined to address with 'declines' (statements) or 'about' "
                          "(actors), and make any words that answer (\"speculation\", "
                          "\"untrue\") a statement of their own", item, relation, line)
            elif not refusal and relation in REFUSAL_RELATIONS:
                self.fail("only a refusal declines to address a statement; to reject it "
                          "use 'dismisses' or 'denies', or give this statement 'kind: "
                          "refusal' if its words decline to comment", item, relation, line)

    def translation(self, statement: dict, item: str) -> tuple[str | None, str | None]:
        """``translated_from`` (a language code, by the rule of the article's
        ``language``, other than the article's own) and ``original`` (the words as
        said, which only a translated quote has)."""
        language = self.text(statement, "translated_from", item, max_length=LANGUAGE_LENGTH)
        line = _line(statement, "translated_from")
        if language is not None and not LANGUAGE_PATTERN.fullmatch(language):
            self.fail(f"'{_clip(language)}' is not a language code such as ru, uk or pt-BR",
                      item, "translated_from", line)
            language = None
        elif language is not None and self.language and \
                _primary(language) == _primary(self.language):
            self.fail(f"the article is in '{self.language}' already; 'translated_from' names "
                      "the language the words were said in when the article translates them",
                      item, "translated_from", line)
            language = None
        original = self.text(statement, "original", item)
        if original is not None and statement.get("translated_from") is None:
            self.fail("needs 'translated_from' (the language of the original words)",
                      item, "original", _line(statement, "original"))
            original = None
        return language, original

    def local_voices(self, statements: list[StatementSpec], own_key: str,
                     outlet: str | None) -> None:
        """``corrects`` and ``retracts`` within the file: the statement doing it must be
        the target's speaker's or the outlet's (the outlet may correct its report of
        anyone's words). A statement in the article's own voice with no outlet is the
        annotator's claim. Across articles the importer checks the same rule."""
        prefix = f"{own_key}#"
        by_key = {s.key: s for s in statements}
        for source in statements:
            voice = source.chain[-1].actor if source.chain else outlet
            if voice is None:
                continue
            for relation in SAME_VOICE:
                for target_ref in source.relations.get(relation, ()):
                    target = by_key.get(target_ref[len(prefix):]) \
                        if target_ref.startswith(prefix) else None
                    if target is None:
                        continue
                    voices = [v for v in (target.chain[-1].actor if target.chain else None,
                                          outlet) if v]
                    if voices and voice not in voices:
                        self.fail(voice_problem(voice, relation, target.key, voices),
                                  f"statement '{source.key}'", relation, source.line)

    def locate_quotes(self, raw_list: list, text: str | None) -> dict[int, spans.Located]:
        """Every well-formed quote's span, found together (``spans.locate_all`` reads a
        long text once for all quotes instead of once per quote); problems are still
        reported statement by statement, in file order, by ``quote_span``."""
        if text is None:
            return {}
        numbers: list[int] = []
        requests: list[spans.Request] = []
        for index, raw in enumerate(raw_list):
            if not isinstance(raw, dict):
                continue
            quote, occurrence = raw.get("quote"), raw.get("occurrence")
            if not isinstance(quote, str) or not quote.strip():
                continue
            if occurrence is not None and (isinstance(occurrence, bool)
                                           or not isinstance(occurrence, int) or occurrence < 1):
                continue
            numbers.append(index)
            requests.append((quote, occurrence))
        return dict(zip(numbers, spans.locate_all(text, requests), strict=True))

    def quote_span(self, statement: dict, item: str, text: str | None,
                   located: spans.Located | None = None,
                   near_misses: spans.NearMisses | None = None
                   ) -> tuple[str, int, int] | None:
        quote = self.text(statement, "quote", item, required=True)
        line = _line(statement, "quote")
        occurrence = statement.get("occurrence")
        if occurrence is not None and (isinstance(occurrence, bool)
                                       or not isinstance(occurrence, int) or occurrence < 1):
            self.fail(f"must be a whole number from 1, not {_clip(str(occurrence))}", item,
                      "occurrence", _line(statement, "occurrence"))
            return None
        if quote is None or text is None:
            return None
        try:
            if located is None:
                located = spans.locate_all(text, [(quote, occurrence)])[0]
            if isinstance(located, Exception):
                raise located
            start, end = located
        except spans.QuoteNotFound:
            if near_misses is None:
                near_misses = spans.NearMisses(text)
            searching = near_misses.available()
            near = near_misses.find(quote) if searching else None
            hint = (f"; the text has «{_clip(near, 120)}», which differs in case, quote marks, "
                    "dashes or spacing; copy it exactly") if near else \
                "; copy the words exactly as they appear in the text"
            if not searching:
                hint += (f" (not compared ignoring case, quote marks and spacing: only the "
                         f"first {near_misses.limit} missing quotes of a text are; is it "
                         "the right text?)")
            # The near miss folds whitespace, so a quote that differs only by LF versus
            # CRLF line breaks would be shown words that look identical to it.
            crlf_only = searching and quote.replace("\n", "\r\n") in text
            if searching and "\r\n" in text and "\n" in quote and (near is None or crlf_only):
                hint = ("; the text has Windows (CRLF) line breaks, so a quote across lines "
                        "must contain them too (or save the text with LF line breaks)")
            self.fail(f"«{_clip(quote)}» is not in the article text{hint}", item, "quote", line)
            return None
        except spans.QuoteAmbiguous as many:
            where = ", ".join(str(n) for n in many.lines)
            self.fail(f"«{_clip(quote)}» appears {many.count} times in the text (text lines "
                      f"{where}); add 'occurrence: N' to pick one, or quote more words",
                      item, "quote", line)
            return None
        except spans.OccurrenceMissing as missing:
            self.fail(f"asks for match {occurrence} but «{_clip(quote)}» appears only "
                      f"{missing.found} time(s)", item, "occurrence",
                      _line(statement, "occurrence"))
            return None
        cut = self.cut_by_comment(statement, quote, text)
        if cut:
            self.fail(f"the quote ends where YAML starts a comment ('#{_clip(cut[1], 40)}'), "
                      f"but the text goes on with those words: «{_clip(cut[0], 120)}»; put the "
                      "quote in quotes (quote: \"...\") so that YAML keeps the '#'",
                      item, "quote", line)
            return None
        return quote, start, end

    @staticmethod
    def cut_by_comment(statement: dict, quote: str, text: str) -> tuple[str, str] | None:
        """(the words the text has, the comment) when a plain quote was cut by a ``#``
        that YAML took for a comment: the quote, the spaces and the comment's words
        appear together in the text. A real comment after a quote is not in the text."""
        if not isinstance(statement, yamlio.LineDict):
            return None
        comment = statement.comment_after("quote")
        if comment is None or not comment[1].strip():
            return None
        spaces, words = comment
        for whole in (f"{quote}{spaces}#{words}", f"{quote} #{words}"):
            if whole in text:
                return whole, words
        return None

    def topics(self, statement: dict, item: str) -> tuple[str, ...]:
        """The statement's topics, normalised (``normalise_topic``); two that normalise
        to the same key are one topic."""
        found: list[str] = []
        line = _line(statement, "topics")
        for index, raw in enumerate(self.list_of(statement, "topics", item)):
            label = f"topics[{index}]"
            if not isinstance(raw, str):
                self.fail(f"must be text, not {_type_name(raw)}", item, label, line)
                continue
            if bad := CONTROL_CHARACTERS.search(raw):
                self.fail(f"contains the {control_character(bad.group())}", item, label, line)
                continue
            topic = normalise_topic(raw)
            if not topic:
                self.fail(f"'{_clip(raw)}' has no letters or digits, so it names no topic; "
                          "write the topic in words (for example 'ceasefire talks')",
                          item, label, line)
            elif len(topic) > KEY_LENGTH:
                self.fail(f"is {len(topic):,} characters long; topics are at most "
                          f"{KEY_LENGTH}", item, label, line)
            elif topic not in found:
                found.append(topic)
        return tuple(found)

    def reviews(self, statement: dict, item: str) -> tuple[ReviewSpec, ...]:
        """Fact-checkers' verdicts; whether each ``by`` actor exists is the importer's
        to check (``ArticleSpec.reviewer_uses``)."""
        found: list[ReviewSpec] = []
        for index, raw in enumerate(self.list_of(statement, "reviews", item)):
            label = f"reviews[{index}]"
            line = _line(raw) if isinstance(raw, dict) else _line(statement, "reviews")
            review = self.mapping(raw, item, label, line, REVIEW_FIELDS)
            if review is None:
                continue
            where = f"{item} {label}"
            by = self.key(review, "by", where)
            rating = self.text(review, "rating", where, required=True, max_length=500)
            url = self.text(review, "url", where, max_length=2000)
            if url is not None and not HTTP_URL.fullmatch(url):
                self.fail(f"'{_clip(url)}' is not an http:// or https:// address", where,
                          "url", _line(review, "url"))
                url = None
            date = self.date_text(review, "date", where, allow_time=False)
            summary = self.text(review, "summary", where)
            if by and rating and (url is not None or review.get("url") is None) \
                    and (date is not None or review.get("date") is None):
                found.append(ReviewSpec(by=by, rating=rating, url=url, date=date,
                                        summary=summary, line=line))
        return tuple(found)

    def chains(self, statement: dict, item: str, outlet: str | None
               ) -> tuple[tuple[tuple[HopSpec, ...], ...], tuple[tuple[_HopPlace, ...], ...]]:
        """``chain:`` (one chain, possibly empty: the own voice) or ``chains:`` (several,
        each a list like ``chain``); never both, and never an empty list of chains. With
        each chain, where its hops are in the file (see ``chain``)."""
        if "chains" not in statement:
            chain, places = self.chain(statement, item, outlet,
                                       self.list_of(statement, "chain", item),
                                       "chain", _line(statement, "chain"))
            return ((chain,), (places,)) if chain else ((), ())
        line = _line(statement, "chains")
        if "chain" in statement:
            self.fail("a statement has either 'chain' (one chain) or 'chains' (several), not "
                      "both; move the chain into the 'chains' list", item, "chains", line)
            return (), ()
        if statement.get("chains") in (None, []):
            self.fail("is an empty list; list the chains that carry the statement, or leave "
                      "out 'chains' and 'chain' for the article's own voice",
                      item, "chains", line)
            return (), ()
        chains: list[tuple[HopSpec, ...]] = []
        all_places: list[tuple[_HopPlace, ...]] = []
        for number, raw_chain in enumerate(self.list_of(statement, "chains", item)):
            label = f"chains[{number}]"
            if not isinstance(raw_chain, list):
                self.fail(f"must be a chain (a list of actors, nearest source first), not "
                          f"{_type_name(raw_chain)}", item, label, line)
                continue
            if not raw_chain:
                self.fail("is an empty chain; every chain in 'chains' names at least one "
                          "source (leave out 'chains' for the article's own voice)",
                          item, label, line)
                continue
            chain, places = self.chain(statement, item, outlet, raw_chain, label, line)
            actors = [hop.actor for hop in chain]
            for earlier_number, earlier in enumerate(chains):
                if actors == [hop.actor for hop in earlier]:
                    self.fail(f"is the same chain as chains[{earlier_number}]; list each "
                              "chain once", item, label, line)
                    break
            else:
                chains.append(chain)
                all_places.append(places)
        return tuple(chains), tuple(all_places)

    def chain(self, statement: dict, item: str, outlet: str | None, raw_hops: list,
              name: str, line: int | None
              ) -> tuple[tuple[HopSpec, ...], tuple[_HopPlace, ...]]:
        """One chain (``name``: "chain" or "chains[N]", for messages): the hops, and
        for each where it is in the file and which matches of its cue and mention it
        asks for (``locate_hops`` finds their spans)."""
        hops: list[HopSpec] = []
        places: list[_HopPlace] = []
        for index, raw in enumerate(raw_hops):
            label = f"{name}[{index}]"
            mention = identified = cue_occurrence = mention_occurrence = None
            if isinstance(raw, dict):
                hop = self.mapping(raw, item, label, _line(raw), HOP_FIELDS)
                if hop is None:
                    continue
                where = f"{item} {label}"
                actor = self.key(hop, "actor", where)
                cue = self.text(hop, "cue", where, max_length=500)
                mention = self.text(hop, "mention", where, max_length=500)
                identified = self.choice(hop, "identified", where, Identification, None)
                cue_occurrence = self.occurrence(hop, "cue_occurrence", "cue", cue, where)
                mention_occurrence = self.occurrence(hop, "mention_occurrence", "mention",
                                                     mention, where)
            else:
                actor = self.check_key(raw, item, label, line)
                cue = None
            self.use(actor, f"{item} chain", _line(statement))
            if actor is None:
                continue
            if hops and hops[-1].actor == actor:
                self.fail(f"'{actor}' follows itself in the chain; list each relay once",
                          item, label, line)
                continue
            if not hops and actor == outlet:
                self.fail(f"'{actor}' is the article's outlet, which is always the implicit "
                          "first link; leave it out of the chain", item, label, line)
                continue
            hops.append(HopSpec(actor=actor, cue=cue, mention=mention, identified=identified))
            places.append(_HopPlace(label, _line(raw) or line, cue_occurrence,
                                    mention_occurrence))
        return tuple(hops), tuple(places)

    def occurrence(self, hop: dict, name: str, of: str, words: str | None, item: str
                   ) -> int | None:
        """A hop's ``cue_occurrence`` or ``mention_occurrence``: which match of its
        words in the text (1-based, as a quote's ``occurrence``)."""
        value = hop.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.fail(f"must be a whole number from 1, not {_clip(str(value))}", item, name,
                      _line(hop, name))
            return None
        if words is None:
            if of not in hop:
                self.fail(f"needs '{of}': it picks which match of the {of} in the text",
                          item, name, _line(hop, name))
            return None
        return value

    def relations(self, statement: dict, item: str, key: str | None,
                  article_key: str) -> dict[str, tuple[str, ...]]:
        relations: dict[str, tuple[str, ...]] = {}
        for relation in RelationType:
            refs: list[str] = []
            line = _line(statement, relation.value)
            for index, ref in enumerate(self.list_of(statement, relation.value, item)):
                label = f"{relation.value}[{index}]"
                if not isinstance(ref, str):
                    self.fail(f"must be a statement key or ARTICLE#KEY, not {_type_name(ref)}",
                              item, label, line)
                    continue
                global_ref = self.statement_ref(ref, item, label, line, article_key)
                if global_ref is None:
                    continue
                if not global_ref.startswith(f"{article_key}#"):
                    self.found["references"].append((global_ref, item, relation.value, line))
                if key and global_ref == f"{article_key}#{key}":
                    self.fail(f"a statement cannot {VERB[relation]} itself",
                              item, label, line)
                    continue
                if global_ref not in refs:
                    refs.append(global_ref)
            if refs:
                relations[relation.value] = tuple(refs)
        return relations

    def statement_ref(self, ref: str, item: str, label: str, line: int | None,
                      article_key: str) -> str | None:
        article_part, _, statement_part = ref.rpartition("#")
        if article_part and self.check_key(article_part, item, label, line) is None:
            return None
        if self.check_key(statement_part, item, label, line) is None:
            return None
        return f"{article_part or article_key}#{statement_part}"

    def local_references(self, linked: dict[str, tuple[dict[str, tuple[str, ...]], int | None]],
                         own_key: str) -> None:
        """References within the file must name its statements, and ``repeats`` links
        must not loop; loops through stored articles are the importer's to find."""
        prefix = f"{own_key}#"
        for key, (relations, line) in linked.items():
            for relation, targets in relations.items():
                for target in targets:
                    if target.startswith(prefix) and target[len(prefix):] not in linked:
                        missing = target[len(prefix):]
                        self.fail(f"{relation} '{missing}', which is not a statement of this "
                                  f"file{suggest(missing, linked) if linked else ''}",
                                  f"statement '{key}'", relation, line)
        graph = {
            prefix + key: [t for t in relations.get(RelationType.REPEATS.value, ())
                           if t.startswith(prefix)]
            for key, (relations, _line_) in linked.items()
        }
        cycle = find_cycle(graph)
        if cycle:
            path = " -> ".join(c[len(prefix):] for c in cycle)
            first = cycle[0][len(prefix):]
            self.fail(f"'repeats' links form a cycle ({path}); repeats must point toward the "
                      "origin", f"statement '{first}'", "repeats", linked[first][1])


@dataclass(frozen=True)
class _HopPlace:
    """Where a hop is in the file, and which matches of its cue and mention it asks for."""

    label: str  # chain[N]
    line: int | None
    cue_occurrence: int | None
    mention_occurrence: int | None


def find_cycle(graph: Mapping[str, Iterable[str]]) -> list[str] | None:
    """One cycle in a directed graph as a closed path, or None (iterative DFS)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: finished
    for root in graph:
        if state.get(root):
            continue
        path: list[str] = []
        stack: list[tuple[str, Any]] = [(root, iter(graph.get(root, ())))]
        state[root] = 1
        path.append(root)
        while stack:
            node, children = stack[-1]
            for child in children:
                if state.get(child) == 1:
                    return [*path[path.index(child):], child]
                if not state.get(child):
                    state[child] = 1
                    path.append(child)
                    stack.append((child, iter(graph.get(child, ()))))
                    break
            else:
                state[node] = 2
                path.pop()
                stack.pop()
    return None


def voice_problem(voice: str, relation: str, target: str, voices: Iterable[str]) -> str:
    """Why ``voice`` cannot correct or retract ``target`` (whose speaker and outlet
    are ``voices``): the message both the parser and the importer give."""
    theirs = ", ".join(f"'{v}'" for v in voices)
    return (f"'{voice}' cannot {VERB[RelationType(relation)]} '{target}': only its speaker "
            f"or outlet ({theirs}) can; use 'contradicts' or 'denies' for someone else's "
            "statement")


def _primary(language: str) -> str:
    return language.split("-", 1)[0].lower()


def _relation_like(name: Any, value: Any) -> str | None:
    """The message for an unknown statement field that is meant as a relation (a word
    annotators use for one, or a list of statement keys under a name that is no close
    misspelling of a field), naming the relations there are; None for other fields."""
    relations = ", ".join(r.value for r in RelationType)
    meant = RELATION_SYNONYMS.get(str(name).lower())
    if meant:
        return (f"unknown field '{name}': not a relation claimsdb knows; did you mean "
                f"'{meant}'? (relations: {relations})")
    if isinstance(value, list) and all(isinstance(v, str) for v in value) and not \
            difflib.get_close_matches(str(name), STATEMENT_FIELDS, n=1, cutoff=0.6):
        return (f"unknown field '{name}': not a relation claimsdb knows (relations: "
                f"{relations})")
    return None


@functools.cache
def _values(options: type) -> list[str]:
    """An enumeration's values, built once (a validation looks them up per field)."""
    return [o.value for o in options]


def _flat(places: tuple[tuple[_HopPlace, ...], ...]) -> list[_HopPlace]:
    """The places of a statement's hops, chain after chain (as ``StatementSpec.hops``)."""
    return [place for chain in places for place in chain]


def _line(mapping: Any, key: Any = None) -> int | None:
    if isinstance(mapping, yamlio.LineDict):
        return mapping.line_of(key) if key is not None else mapping.line
    return None


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    return {
        bool: "true/false", int: "a number", float: "a number", str: "text",
        list: "a list", dict: "a mapping", yamlio.LineDict: "a mapping",
        dt.date: "a date", dt.datetime: "a date and time",
    }.get(type(value), type(value).__name__)


def _close(value: Any, allowed: list[str]) -> str:
    close = difflib.get_close_matches(str(value), allowed, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _clip(text: str, limit: int = 60) -> str:
    # A bare carriage return would send a terminal back to the start of the line.
    text = one_line(text)  # line breaks as ⏎, a bare CR as \r (see claimsdb.terminal)
    return text if len(text) <= limit else text[: limit - 1] + "…"
