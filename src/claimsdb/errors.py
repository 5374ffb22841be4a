"""Domain errors: each carries what a user needs to fix the problem.

Library code raises these and never exits; the CLI turns them into messages on
stderr and exit code 1. Keeping the structure (file, item, field, line) rather than
a pre-formatted string lets tests and other front ends present them their own way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from claimsdb.problem import Problem


class ClaimsError(Exception):
    """Base of every error a user can cause and fix (exit code 1 in the CLI)."""


class ArticleError(ClaimsError):
    """An article file cannot be imported; lists every problem found, not just the first."""

    def __init__(self, source: str, problems: list[Problem], partial: object = None):
        self.source = source
        self.problems = list(problems)
        # The file's valid parts (``articles.FileReferences``), for the database checks
        # that its problems leave meaningful; None once they have run (or cannot).
        self.partial = partial
        super().__init__(self.describe())

    def describe(self) -> str:
        count = len(self.problems)
        head = f"{self.source}: {count} problem{'s' if count != 1 else ''}, nothing was imported"
        return "\n".join([head, *("  - " + p.describe() for p in self.problems)])

    def __reduce__(self):
        # Parsing workers (add --batch) send errors back pickled; the default would
        # call the constructor with the message alone.
        return (type(self), (self.source, self.problems, self.partial))


class NotAnArticle(ArticleError):
    """The file is something else (a package.json, a manifest): one line says so, not
    a list of every field an article would need. A folder given to ``add`` may hold
    such files beside its articles; ``--keep-going`` goes on past them."""

    def describe(self) -> str:
        return (f"{self.source}: not an article file ({self.problems[0].message}); an "
                "article file starts with 'format: claimsdb/article@1' and 'article:' "
                "(see docs/format.md); nothing was imported")


class ArticleConflict(ClaimsError):
    """The article key is stored with different content and replacing was not asked for."""

    def __init__(self, source: str, key: str):
        self.source = source
        self.key = key
        super().__init__(
            f"{source}: article '{key}' is already stored with different content; "
            "nothing was imported. To overwrite it, run the same command with --replace "
            f"(tip: 'claimsdb export article {key}' writes the stored version to a file)."
        )


class SeedConflict(ArticleConflict):
    """A bundled seed article is stored with content that is neither this release's
    nor an earlier release's: someone changed it after seeding, so seeding leaves it."""

    def __init__(self, source: str, key: str):
        self.source = source
        self.key = key
        ClaimsError.__init__(
            self,
            f"{source}: article '{key}' is stored with content that differs from this "
            "release's bundled seed and from every earlier release's, so it was changed "
            "after seeding; it was left as it is, and nothing was imported. To replace it "
            "with the bundled version, run 'claimsdb seed --replace' (to keep a copy of "
            f"the stored version first: 'claimsdb export article {key} -o {key}.yaml')."
        )


class NotFound(ClaimsError):
    """A reference (statement, article, actor) names nothing stored."""

    def __init__(self, message: str, candidates: list[str] | None = None):
        self.candidates = list(candidates or [])
        if self.candidates:
            message += "\n" + "\n".join("  " + c for c in self.candidates)
        super().__init__(message)


class DatabaseError(ClaimsError):
    """The database cannot be opened or used: unreachable, locked, not initialised, too old."""


def __getattr__(name: str) -> Any:
    # ``Problem`` is defined in ``claimsdb.problem``, loaded when first asked for:
    # every command imports this module for its error handling, and only reading an
    # article file makes problems (defining a dataclass compiles its methods).
    if name == "Problem":
        from claimsdb.problem import Problem

        return Problem
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
