"""The names already taken in a database: what a draft needs to fit in.

``claimsdb draft`` reuses an actor already stored (by key, name or alias) rather than
defining it again, so it needs each actor's key, name, kind, identification and
aliases; and it gives a new article a key no stored article has, or notices that the
page's URL is stored already. Nothing else: one query each.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Connection, select

from claimsdb.store.models import Actor, ActorAlias, Article


@dataclass(frozen=True)
class ActorNames:
    key: str
    name: str
    kind: str
    identified: str
    aliases: tuple[str, ...]


def actor_names(conn: Connection) -> list[ActorNames]:
    """Every actor with its aliases, by key."""
    aliases: dict[int, list[str]] = defaultdict(list)
    for actor_id, alias in conn.execute(
            select(ActorAlias.actor_id, ActorAlias.alias).order_by(ActorAlias.alias)):
        aliases[actor_id].append(alias)
    rows = conn.execute(select(Actor.id, Actor.key, Actor.name, Actor.kind, Actor.identified)
                        .order_by(Actor.key))
    return [ActorNames(row.key, row.name, row.kind, row.identified,
                       tuple(aliases.get(row.id, ()))) for row in rows]


def article_urls(conn: Connection) -> dict[str, str | None]:
    """Every stored article's key and URL."""
    return dict(conn.execute(select(Article.key, Article.url)).all())


__all__ = ["ActorNames", "actor_names", "article_urls"]
