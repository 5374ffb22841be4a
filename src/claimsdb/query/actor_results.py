"""What ``claimsdb actor`` returns: an actor's counts, its roles, and what it said.

Apart from ``claimsdb.query.results`` (which re-exports these names) because defining
a dataclass compiles its methods, a cost paid at every start: ``claimsdb chain`` and
the lists never build these, so they do not define them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from claimsdb.query.results import ActorRef

if TYPE_CHECKING:
    import datetime as dt

    from claimsdb.query.results import StatementView


@dataclass(frozen=True)
class ActorSummary:
    """An actor with what it did: the counts a sourcing analyst scans first."""

    key: str
    name: str
    kind: str
    identified: str
    originated: int  # statements whose original speaker it is
    relayed: int  # statements that passed through it (chain or outlet) but it did not originate
    denials_issued: int  # denials it originated
    denials_received: int  # denials aimed at statements it originated


@dataclass(frozen=True)
class RoleView:
    """A title one actor holds at another, with its dates."""

    title: str
    of: ActorRef  # the actor the role is held at (for members: the holder)
    started_on: dt.date | None
    ended_on: dt.date | None


@dataclass(frozen=True)
class ActorDetail:
    """One actor with its counts, aliases, roles, members, and what it said and relayed."""

    summary: ActorSummary
    wikidata: str | None
    description: str | None
    aliases: tuple[str, ...]
    roles: tuple[RoleView, ...]  # titles this actor holds at others
    members: tuple[RoleView, ...]  # actors holding a title at this one
    said: tuple[StatementView, ...]  # statements it originated
    relayed: tuple[StatementView, ...]  # statements it passed on

    @property
    def ref(self) -> ActorRef:
        s = self.summary
        return ActorRef(s.key, s.name, s.kind, s.identified)
