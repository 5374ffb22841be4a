"""One thing wrong with an article file: what, where (item, field, line).

``claimsdb.errors`` re-exports it (``from claimsdb.errors import Problem``) and loads
this module only when a problem is made or named, so that a command that reads no
article file does not define the dataclass.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an article file."""

    message: str
    item: str | None = None  # "statement 'denial'", "actor 'peskov'", "article"
    field: str | None = None  # "quote", "chain[1].actor"
    line: int | None = None  # 1-based line in the file, where the parser knows it

    def describe(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.item:
            where.append(self.item)
        if self.field:
            where.append(f"field '{self.field}'")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message
