"""What an article's attributions alone decide about its sourcing (``claimsdb sources``).

Three measures of the sourcing profile depend on nothing but the article's own
statements and chains: each statement's depth (its longest chain), the origin each
link of a chain relays (none for the origin itself and for the article's own outlet,
which relays every statement of the article), and the article's number of
independent origins (its origins, less those joined because one's claims pass through
the other). Worked out from every statement and hop of the database at each question,
the whole database's profile took 3.6 s at a million statements, and grew with it; so
every import stores them with the article's rows (``statements.depth``,
``chain_hops.relays_for``, ``articles.independent_origins``): an article's rows are
only ever written whole and deleted whole, so nothing else can change them.
``claimsdb check`` works them out from the rows again and compares
(``claimsdb.query.kept_sourcing``).

The functions here take actors as anything hashable: actor keys while a file is read,
actor ids where rows are written or checked; the answers are the same.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from typing import TypeVar

Actor = TypeVar("Actor", bound=Hashable)


class Joined:
    """Union-find: which groups a set of pairs joins things into. Claims (statements
    joined by repeats) and independent origins (actors joined by relays) are both this."""

    def __init__(self) -> None:
        self.parent: dict[Hashable, Hashable] = {}

    def find(self, x: Hashable) -> Hashable:
        parent = self.parent
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def join(self, a: Hashable, b: Hashable) -> bool:
        """Put ``a`` and ``b`` in one group; whether they were in two before."""
        a, b = self.find(a), self.find(b)
        if a == b:
            return False
        self.parent[a] = b
        return True

    def groups(self) -> list[set]:
        grouped: dict[Hashable, set] = defaultdict(set)
        for node in list(self.parent):
            grouped[self.find(node)].add(node)
        return sorted(grouped.values(), key=min)


def depth(chains: Sequence[Sequence[object]]) -> int:
    """A statement's depth: the number of links of its longest chain (0: own voice)."""
    return max(map(len, chains), default=0)


def relays(chain: Sequence[Actor], origin: Actor | None, outlet: Actor | None
           ) -> list[Actor | None]:
    """The origin each link of a chain relays (``chain_hops.relays_for``), or None: the
    chain's origin itself, the article's outlet (it relays every statement of its
    article, so passing through it says nothing about two origins being one), and
    every link of a statement without a speaker (``origin`` None)."""
    if origin is None:
        return [None] * len(chain)
    return [origin if actor != origin and actor != outlet else None for actor in chain]


def independent(origins: int, pairs: Iterable[tuple[Hashable, Hashable]]) -> int:
    """``origins`` less the joins that the (origin, relay) pairs make among them (every
    relay given is itself one of the origins)."""
    joined = Joined()
    return origins - sum(joined.join(origin, relay) for origin, relay in pairs)


def independent_origins(statements: Iterable[tuple[Actor | None, Sequence[Sequence[Actor]]]],
                        outlet: Actor | None) -> int:
    """An article's independent origins, from its statements as (speaker, chains).

    Its origins are its statements' speakers (each first chain's origin) and every
    later chain's origin (its last link), of the statements with a speaker. Two are one
    when a link of a chain of the one's relays the other: the independent origins are
    the groups those links leave."""
    origins: set[Actor] = set()
    links: list[tuple[Actor, Actor]] = []
    for speaker, chains in statements:
        if speaker is None:
            continue
        origins.add(speaker)
        for number, chain in enumerate(chains):
            if not chain:
                continue
            origin = speaker if number == 0 else chain[-1]
            origins.add(origin)
            links.extend((origin, actor) for actor, relayed
                         in zip(chain, relays(chain, origin, outlet), strict=True)
                         if relayed is not None)
    return independent(len(origins), ((origin, actor) for origin, actor in links
                                       if actor in origins))


__all__ = ["Joined", "depth", "independent", "independent_origins", "relays"]
