""""Did you mean" for a misspelt actor, article or statement, by key, name and alias.

One helper for every place that names something stored (an unknown actor in an
article file, ``--via``/``--speaker``/``--about``/``--article``, ``chain``/``trace``
references, ``export article``, ``actor``, ``article``), so a user who types the
name ("Assocated Press") or an alias ("yenin") gets the same help as one who types
a key.

Matching folds case and accents (``Évora`` and ``evora`` are the same) and compares
with difflib against the key (dashes read as spaces), the name, every alias, and each
word of those (a surname alone finds the person, at a small discount).

Cost stays bounded on a large database: candidates are asked of the database, never
loaded whole. ``actor_candidates`` selects at most ``LIMIT`` actors whose key, name
or an alias starts with (or has a word starting with) the first three letters of a
word of what was typed, or contains it whole; the key prefix uses the key's unique
index, the rest is one filtered scan inside the database, so Python sees at most
``LIMIT`` rows (plus their aliases) whatever the size of the table.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Select, func, or_, select

from claimsdb.store.models import Actor, ActorAlias, Article, Statement

LIMIT = 200  # candidate rows fetched per lookup
CUTOFF = 0.6  # difflib's own default: below it, suggestions are mostly noise
WORD_DISCOUNT = 0.9  # a match on one word of a name counts a little less than the whole
PREFIX = 3  # letters of a typed word a candidate must share at the start of a word

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True)
class Candidate:
    """Something stored that a user may have meant: its key and what else names it."""

    key: str
    labels: tuple[str, ...] = ()  # name, aliases, title
    kinds: tuple[str, ...] = ()  # what each label is ("name", "alias", ...), for messages


@dataclass(frozen=True)
class Suggestion:
    """A candidate and the label of it that matched what was typed."""

    candidate: Candidate
    matched: str  # the key, or one of the labels
    kind: str  # "key", "name", "alias", "title"

    @property
    def key(self) -> str:
        return self.candidate.key

    def describe(self) -> str:
        """'key', or 'key' (alias 'Yenin') when the key itself is not what matched."""
        if self.kind == "key":
            return f"'{self.key}'"
        return f"'{self.key}' ({self.kind} '{self.matched}')"


def fold(text: str) -> str:
    """Lowercase, without accents, punctuation and dashes as single spaces."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NOT_ALNUM.sub(" ", stripped.casefold()).split())


def _score(typed: str, label: str) -> float:
    folded = fold(label)
    if not folded or not typed:
        return 0.0
    best = difflib.SequenceMatcher(None, typed, folded).ratio()
    words = folded.split()
    if len(words) > 1 and " " not in typed:
        best = max(best, WORD_DISCOUNT * max(
            difflib.SequenceMatcher(None, typed, word).ratio() for word in words))
    return best


def rank(typed: str, candidates: Iterable[Candidate], *, n: int = 5,
         cutoff: float = CUTOFF) -> list[Suggestion]:
    """The candidates closest to ``typed`` (best first), by key, name or alias; the
    key wins a tie, so a key typed almost right is offered as a key."""
    folded = fold(typed)
    scored: dict[str, tuple[float, Suggestion]] = {}
    for candidate in candidates:
        kinds = candidate.kinds or ("name",) * len(candidate.labels)
        for label, kind in ((candidate.key, "key"), *zip(candidate.labels, kinds, strict=False)):
            score = _score(folded, label)
            if score >= cutoff and score > scored.get(candidate.key, (0.0, None))[0]:
                scored[candidate.key] = (score, Suggestion(candidate, label, kind))
    best = sorted(scored.values(), key=lambda pair: (-pair[0], pair[1].key))
    return [suggestion for _, suggestion in best[:n]]


def did_you_mean(typed: str, candidates: Iterable[Candidate]) -> str:
    """"; did you mean 'key'?" (with the name or alias that matched, when the key did
    not) for the closest candidate, or ""."""
    best = rank(typed, candidates, n=1)
    return f"; did you mean {best[0].describe()}?" if best else ""


def _prefixes(typed: str) -> list[str]:
    words = [w for w in fold(typed).split() if len(w) >= 2]
    return sorted({w[:PREFIX] for w in words})


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like(column, pattern: str):
    return func.lower(column).like(pattern, escape="\\")


def _word_start_conditions(column, typed: str, separator: str) -> list:
    conditions = []
    for prefix in _prefixes(typed):
        escaped = _escape(prefix)
        conditions += [_like(column, f"{escaped}%"), _like(column, f"%{separator}{escaped}%")]
    whole = fold(typed)
    if whole:
        conditions.append(_like(column, f"%{_escape(whole)}%"))
    return conditions


def actor_candidates(conn: Connection, typed: str, *, limit: int = LIMIT) -> list[Candidate]:
    """At most ``limit`` stored actors that may be what ``typed`` meant (see the module
    docstring for the query), with their names and aliases."""
    conditions = (_word_start_conditions(Actor.key, typed.replace(" ", "-"), "-")
                  + _word_start_conditions(Actor.name, typed, " "))
    alias_conditions = _word_start_conditions(ActorAlias.alias, typed, " ")
    if not conditions:
        return []
    by_alias = select(ActorAlias.actor_id).where(or_(*alias_conditions)).limit(limit)
    rows = conn.execute(
        select(Actor.id, Actor.key, Actor.name)
        .where(or_(*conditions, Actor.id.in_(by_alias)))
        .order_by(func.abs(func.length(Actor.key) - len(typed)), Actor.key).limit(limit)
    ).all()
    aliases: dict[int, list[str]] = {}
    ids = [row.id for row in rows]
    if ids:
        for actor_id, alias in conn.execute(
            select(ActorAlias.actor_id, ActorAlias.alias).where(ActorAlias.actor_id.in_(ids))
            .order_by(ActorAlias.actor_id, ActorAlias.alias)
        ):
            aliases.setdefault(actor_id, []).append(alias)
    return [actor_candidate(row.key, row.name, aliases.get(row.id, ())) for row in rows]


def actor_candidate(key: str, name: str, aliases: Iterable[str] = ()) -> Candidate:
    aliases = tuple(aliases)
    return Candidate(key, (name, *aliases), ("name", *("alias",) * len(aliases)))


def suggest_actors(conn: Connection, typed: str, *, also: Sequence[Candidate] = (),
                   n: int = 5) -> list[Suggestion]:
    """The stored actors (and ``also``, e.g. the actors a file defines) closest to
    ``typed``, best first."""
    return rank(typed, [*also, *actor_candidates(conn, typed)], n=n)


def article_candidates(conn: Connection, typed: str, *, limit: int = LIMIT) -> list[Candidate]:
    """At most ``limit`` stored articles whose key or title may be what ``typed`` meant."""
    conditions = (_word_start_conditions(Article.key, typed.replace(" ", "-"), "-")
                  + _word_start_conditions(Article.title, typed, " "))
    if not conditions:
        return []
    rows = conn.execute(
        select(Article.key, Article.title).where(or_(*conditions))
        .order_by(func.abs(func.length(Article.key) - len(typed)), Article.key).limit(limit)
    ).all()
    return [Candidate(key, (title,), ("title",)) for key, title in rows]


def suggest_articles(conn: Connection, typed: str, *, n: int = 5) -> list[Suggestion]:
    return rank(typed, article_candidates(conn, typed), n=n)


def statement_candidates(conn: Connection, typed: str, article_id: int | None = None, *,
                         limit: int = LIMIT) -> list[Candidate]:
    """Statement keys that may be what ``typed`` meant: every key of one article (an
    article's statements are few enough), or, across articles, at most ``limit``
    keys found like actor keys; candidates are ``ARTICLE#KEY``."""
    query: Select = (select(Article.key, Statement.key)
                     .join(Article, Statement.article_id == Article.id))
    if article_id is not None:
        query = query.where(Statement.article_id == article_id)
    else:
        conditions = _word_start_conditions(Statement.key, typed.replace(" ", "-"), "-")
        if not conditions:
            return []
        query = query.where(or_(*conditions)).order_by(
            func.abs(func.length(Statement.key) - len(typed)), Statement.key).limit(limit)
    return [Candidate(f"{article}#{key}", (key,), ("key",)) for article, key in conn.execute(query)]


__all__ = [
    "Candidate",
    "Suggestion",
    "actor_candidate",
    "actor_candidates",
    "article_candidates",
    "did_you_mean",
    "fold",
    "rank",
    "statement_candidates",
    "suggest_actors",
    "suggest_articles",
]
