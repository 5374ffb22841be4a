"""Which statements a filter selects, decided once for both ways of reading them.

``claimsdb statements --via X`` and ``claimsdb denials`` answer on the database driver
alone (``claimsdb.query.listpath``), without loading SQLAlchemy, wherever they can;
otherwise through ``claimsdb.query.queries``. Both must select exactly the same rows,
so the decisions a filter needs are made here, once: which conditions apply, in
which order, in which variant (the origin filter picks the shape its plan needs from
what the database holds), and with which values (an actor's id, a topic normalised,
a search's match expression). A ``Lookups`` object answers what only the database
knows; each path brings its own (SQLAlchemy's refuses a name that matches nothing
with suggestions; the driver's hands such a question to the SQLAlchemy path).

Each ``Condition`` names the SQL that expresses it: a function of its values in
``claimsdb.query.queries`` (``CONDITIONS``), compiled ahead of time for the driver
(``claimsdb.query.compiled_sql``). Nothing here imports SQLAlchemy (an import-linter
contract checks it).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from claimsdb.errors import ClaimsError
from claimsdb.format.topics import normalise_topic
from claimsdb.format.vocabulary import Identification, RelationType, StatementKind
from claimsdb.query import search_terms


@dataclass(frozen=True)
class StatementFilter:
    """Which statements to list or export; every given condition must hold (AND).

    Actor arguments accept a key, a name or an alias, case-insensitively.
    """

    article: str | None = None
    speaker: str | None = None  # the original speaker
    with_members: bool = False  # speaker also matches actors holding a role at it
    via: str | None = None  # an actor anywhere in the chain, or the article's outlet
    origin: str | None = None  # named | role | anonymous: how the origin is identified
    kind: str | None = None  # direct | indirect | refusal
    denied: bool = False  # something denies it
    denials: bool = False  # it denies something
    about: str | None = None
    search: str | None = None  # full-text words in the quote (all must occur)
    since: dt.date | None = None  # article published on or after
    until: dt.date | None = None  # article published on or before
    later_denied: bool = False  # its claim is denied in a later article
    limit: int | None = None
    topic: str | None = None  # tagged with this topic (normalised as article files are)

    def __post_init__(self):
        if self.origin is not None and self.origin not in {i.value for i in Identification}:
            raise ClaimsError(f"origin must be named, role or anonymous, not {self.origin!r}")
        if self.kind is not None and self.kind not in {k.value for k in StatementKind}:
            raise ClaimsError(f"kind must be direct, indirect or refusal, not {self.kind!r}")
        if self.limit is not None and self.limit < 0:
            raise ClaimsError("limit must not be negative")
        if self.with_members and not self.speaker:
            raise ClaimsError("--with-members needs --speaker")
        if self.topic is not None and not normalise_topic(self.topic):
            raise ClaimsError(f"topic {self.topic!r} has no letters or digits, so it names "
                              "no topic")


DENIAL_TYPES = {
    # what ``denials --type`` selects: factual denials by default, as before format 1.1
    "denies": (RelationType.DENIES.value,),
    "dismisses": (RelationType.DISMISSES.value,),
    "all": (RelationType.DENIES.value, RelationType.DISMISSES.value),
}


def denial_types(type: str) -> tuple[str, ...]:
    """The relation types ``denials --type`` selects; a ClaimsError for another."""
    types = DENIAL_TYPES.get(type)
    if types is None:
        raise ClaimsError(f"type must be one of {', '.join(DENIAL_TYPES)}, not {type!r}")
    return types


# Where a list query's conditions go in its compiled text (claimsdb.query.compile_reads).
CONDITIONS_MARK = "__CONDITIONS__"


def wide_limit(limit: int | None) -> bool:
    """Whether SQLAlchemy types this LIMIT as BIGINT rather than INTEGER (from 2**31 on;
    PostgreSQL's SQL casts it so)."""
    return limit is not None and limit.bit_length() >= 32


def folded_name(name: str) -> str:
    """A name or alias as an actor is looked up by it (against the stored ones
    lower-cased by the database)."""
    return name.strip().lower()


# How the origin filter is written, by what the database holds (see
# ``queries.origin_condition``): a name for each shape.
ORIGIN_UNINDEXED = "unindexed"  # first rows only, SQLite: walk article order, test each
ORIGIN_BY_SPEAKER = "speaker"  # one chain per statement, no hop says otherwise
ORIGIN_LATER_CHAINS = "later_chains"  # later chains, but no hop's own identification
ORIGIN_UNION = "union"  # hops that give their own identification
ORIGIN_SHAPES = (ORIGIN_UNINDEXED, ORIGIN_BY_SPEAKER, ORIGIN_LATER_CHAINS, ORIGIN_UNION)


# The conditions that test a statement's id against a list their subquery finds (the
# statements denied, about an actor, matching a search, ...), which a first page on
# SQLite asks in their walked shape (``queries._walked_id``): SQLite otherwise looks up
# every match and sorts them for 50 (29,541 statements ``--denied`` at 1M, 48 ms, ten
# times as many as at 100k); walking list order from ``ix_statements_article_id_id``
# stops after the page, a few thousand statements where the matches are a few in a
# hundred. The cost of the walk is the statements before the page's last row: 60 ms
# at 1M statements for a filter that matches nothing.
WALKED = ("speaker_with_members", "denied", "denials", "about", "search_fts", "topic")


def walked(name: str) -> str:
    """The name of a condition's walked shape."""
    return f"{name}_walked"


# Of those, the ones whose every match is one index entry keyed by the statement (a
# denial's target or source, an about or topic row): a first page asked by one of them
# alone reads them as EXISTS of each statement's own entry, walking list order (the
# probed shape), when they match many statements, and as IN their list, looked up and
# sorted, when few. Walked, every match was found and listed before the first row:
# 14 ms of SQL for the first 50 of 20,297 statements ``--about`` one actor at 1M
# statements, ten times the 100k figure, where the probes read about 2,400 entries at
# either size (0.9 ms). Probing every statement, when none or few match, would read
# the whole index instead; their count, up to ``probe_threshold``, chooses.
PROBED = ("denied", "denials", "about", "topic")


def probed(name: str) -> str:
    """The name of a condition's probed shape."""
    return f"{name}_probed"


def probe_threshold(limit: int, statements: int) -> int:
    """The number of matches from which a first page of ``limit`` rows is found faster
    by probing each statement in list order than by looking up every match.

    With ``n`` matches spread through ``statements``, the probes read about ``limit *
    statements / n`` index entries before the page is full, and the lookup reads ``n``
    statements and sorts them, about eight times the work per row (SQLite, 100k and 1M
    statements: 0.3 µs a probe, 2.4 µs a match looked up). The two cost the same at
    ``n`` the square root of ``limit * statements / 8``: 2,500 for 50 rows of a million
    statements, where either takes about 6 ms."""
    return max(1, math.isqrt(max(limit, 1) * max(statements, 1) // 8))


@dataclass(frozen=True)
class Condition:
    """One condition of a filter: the name of the SQL expressing it (``queries.CONDITIONS``)
    and the values of its parameters."""

    name: str
    values: Mapping[str, Any] = field(default_factory=dict)


class Lookups(Protocol):
    """What deciding a filter needs to ask the database."""

    dialect: str  # "sqlite" or "postgresql"

    def article_id(self, key: str) -> int:
        """A stored article's id (refused when there is none)."""

    def actor_id(self, name: str) -> int:
        """The id of the actor with this key, else name or alias (case-insensitive)."""

    def hop_identifications(self) -> bool:
        """Whether any chain link gives its own identification."""

    def later_chains(self) -> bool:
        """Whether any statement has more than one chain."""

    def full_text_index(self) -> bool:
        """Whether SQLite's full-text table exists."""

    def later_denied_ids(self, among: list[Condition], first: int | None) -> list[int]:
        """The statements whose claim a later article denies, in order; ``first``: only
        the first ``first`` of them that also meet the conditions ``among``, in list
        order (enough for a list of that many)."""

    def statements_high(self) -> int:
        """The number of statements stored, near enough (the highest id)."""

    def matches_at_least(self, condition: Condition, n: int) -> bool:
        """Whether the condition (one of ``PROBED``, or ``search_fts``) matches ``n``
        statements or more."""

    def first_search_matches(self, fts_query: str, limit: int) -> list[tuple[int, int]]:
        """(statement id, article id) of the first ``limit`` statements matching a
        full-text query, in statement id order (SQLite)."""

    def first_via_statements(self, via_id: int, limit: int) -> list[tuple[int, int]]:
        """(statement id, article id) of the first ``limit`` statements with the actor in
        a chain, in statement id order (SQLite)."""

    def later_statement_of_earlier_article(self, article_id: int, statement_id: int) -> bool:
        """Whether a statement with an id above ``statement_id`` belongs to an article
        that comes before ``article_id`` in list order."""


def first_search_page(search: Condition, limit: int, lookups: Lookups) -> Condition:
    """The shape of a first page of ``limit`` rows of ``--search`` alone, on SQLite.

    With few matches (under ``probe_threshold``), IN their list, looked up and sorted.
    With many, FTS5 lists them in statement id order and can stop after the first
    ``limit``; the page is in list order (article, then statement), so those are the
    page when no statement with a higher id belongs to an earlier article than the
    last of them, which one read of the articles before it answers (true of every
    database claimsdb alone wrote: each article's statements get ids after the
    previous article's). Any match outside them would have a higher id and an earlier
    article. The condition then stops the lists at the last of them
    (``search_fts_upto``): 0.4 ms at a million statements for two common words, where
    listing every match took 11 ms (3.7x the 100k figure). Otherwise (ids out of
    list order), walked, as before."""
    if not lookups.matches_at_least(search, probe_threshold(limit, lookups.statements_high())):
        return search
    first = lookups.first_search_matches(search.values["fts_query"], limit)
    high = max((statement_id for statement_id, _ in first), default=0)
    if first and len(first) == limit:
        last_article = max((article_id, statement_id) for statement_id, article_id in first)[0]
        if lookups.later_statement_of_earlier_article(last_article, high):
            return Condition(walked(search.name), search.values)
    return Condition("search_fts_upto", {**search.values, "rowid_high": high})


def first_via_page(via: Condition, limit: int, lookups: Lookups) -> Condition:
    """The shape of a first page of ``limit`` rows of ``--via`` alone, on SQLite.

    ``--via X`` is X's chain links and the statements of the articles X published.
    Listing every statement through a busy relay and sorting it into list order read
    2,121 statements for a page of 50 at a million statements (twice the 100k time).
    The chain links are in X's index in statement id order: with ``limit`` of them
    there, the page lies among them and X's articles' statements, when no statement
    with a higher id than the last of them belongs to an earlier article (as for
    ``first_search_page``, one read of the articles before it): a link left out has
    a higher id, so comes after each of them in list order. The condition then reads
    the links no further than that id (``via_upto``); otherwise (fewer links than
    the page: all of them are read anyway; ids out of list order), as before."""
    first = lookups.first_via_statements(via.values["via_id"], limit)
    if len(first) < limit:
        return via
    high = max(statement_id for statement_id, _ in first)
    last_article = max(article_id for _, article_id in first)
    if lookups.later_statement_of_earlier_article(last_article, high):
        return via
    return Condition("via_upto", {**via.values, "statement_high": high})


def origin_shape(origin: str, first_rows: int | None, lookups: Lookups) -> str:
    """Which shape of the origin condition fits this database (``queries.origin_condition``
    says why each one); asking costs one probe of an index or two."""
    if lookups.hop_identifications():
        return ORIGIN_UNION
    if lookups.later_chains():
        return ORIGIN_LATER_CHAINS
    if first_rows is not None and lookups.dialect == "sqlite":
        return ORIGIN_UNINDEXED
    return ORIGIN_BY_SPEAKER


def origin_condition_name(shape: str, origin: str) -> str:
    """The name of the origin condition of a shape: "named" also takes a statement
    without a speaker (an article's own voice), which changes the SQL."""
    return f"origin_{shape}" + ("_named" if origin == Identification.NAMED.value else "")


def _first_rows_shapes(found: list[Condition], limit: int, lookups: Lookups, *,
                       alone: bool = True) -> list[Condition]:
    """The conditions of a first page of ``limit`` rows on SQLite in their walked or
    probed shapes (see ``WALKED`` and ``PROBED``). A probed condition is probed only
    alone (``alone``: no later-denied condition follows): beside another, the
    statements meeting both may be few however many meet each, and probing would then
    walk the whole list."""
    if alone and len(found) == 1 and found[0].name == "search_fts":
        return [first_search_page(found[0], limit, lookups)]
    if alone and len(found) == 1 and found[0].name == "via":
        return [first_via_page(found[0], limit, lookups)]
    if alone and len(found) == 1 and found[0].name in PROBED:
        (only,) = found
        many = lookups.matches_at_least(
            only, probe_threshold(limit, lookups.statements_high()))
        return [Condition(probed(only.name), only.values) if many else only]
    return [Condition(walked(each.name), each.values) if each.name in WALKED else each
            for each in found]


def conditions(flt: StatementFilter, lookups: Lookups, *, first_rows: bool = False
               ) -> list[Condition]:
    """The conditions of ``flt``, in the order both paths apply them (a filter that
    names nothing is refused by the first lookup that finds nothing).

    ``first_rows``: the caller lists the statements themselves, in list order, at most
    ``flt.limit`` of them; the later-denied condition may then hold only the first
    ``flt.limit`` later-denied statements that meet the other conditions (the same
    rows, found without reading every claim of the database)."""
    found: list[Condition] = []
    if flt.article is not None:
        found.append(Condition("article", {"article_id": lookups.article_id(flt.article)}))
    if flt.speaker is not None:
        speaker_id = lookups.actor_id(flt.speaker)
        # without later chains the stored speaker is every statement's origin
        first_chain = "" if lookups.later_chains() else "_first_chain"
        name = ("speaker_with_members" if flt.with_members else "speaker") + first_chain
        found.append(Condition(name, {"speaker_id": speaker_id}))
    if flt.via is not None:
        found.append(Condition("via", {"via_id": lookups.actor_id(flt.via)}))
    if flt.origin is not None:
        shape = origin_shape(flt.origin, flt.limit, lookups)
        found.append(Condition(origin_condition_name(shape, flt.origin), {"origin": flt.origin}))
    if flt.kind is not None:
        found.append(Condition("kind", {"kind": flt.kind}))
    if flt.denied:
        found.append(Condition("denied"))
    if flt.denials:
        found.append(Condition("denials"))
    if flt.about is not None:
        found.append(Condition("about", {"about_id": lookups.actor_id(flt.about)}))
    if flt.search is not None:
        terms = search_terms.parse(flt.search)
        if lookups.dialect == "postgresql":
            found.append(Condition("search_postgresql",
                                   {"search_query": search_terms.postgres_tsquery_text(terms)}))
        elif lookups.full_text_index():
            found.append(Condition("search_fts", {"fts_query": search_terms.sqlite_match(terms)}))
        else:
            found.append(Condition("search_substring", {"terms": tuple(terms)}))
    if flt.topic is not None:
        found.append(Condition("topic", {"topic": normalise_topic(flt.topic)}))
    later_denied_at = len(found) if flt.later_denied else None
    if flt.since is not None or flt.until is not None:
        values = {}
        if flt.since is not None:
            values["since"] = flt.since.isoformat()
        if flt.until is not None:
            # published is ISO text: a date or a datetime; both sort before the next day.
            values["until"] = (flt.until + dt.timedelta(days=1)).isoformat()
        # A first page on PostgreSQL starts from the first dated article
        # (``queries._first_dated``).
        bounded = first_rows and flt.limit is not None and lookups.dialect == "postgresql"
        found.append(Condition("published_" + "_".join(values) + "_bounded" * bounded, values))
    if first_rows and flt.limit is not None and lookups.dialect == "sqlite":
        found = _first_rows_shapes(found, flt.limit, lookups, alone=not flt.later_denied)
    if later_denied_at is not None:  # asked last: the walk of a first page needs the rest
        first = flt.limit if first_rows else None
        found.insert(later_denied_at, Condition(
            "later_denied", {"later_denied_ids": lookups.later_denied_ids(list(found), first)}))
    return found
