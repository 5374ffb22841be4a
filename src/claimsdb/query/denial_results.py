"""What ``claimsdb denials`` returns: a denial with the statement it denies.

Apart from ``claimsdb.query.results`` (which re-exports the name) because defining a
dataclass compiles its methods, a cost paid at every start: only the denials define it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from claimsdb.query.results import ActorRef, StatementView


@dataclass(frozen=True)
class DenialView:
    """Who denied (or dismissed) what: the denial, and the denied statement with its
    provenance."""

    denial: StatementView
    denied: StatementView
    type: str = "denies"  # or "dismisses" (RelationType)

    @property
    def denier(self) -> ActorRef | None:
        return self.denial.speaker
