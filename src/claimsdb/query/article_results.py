"""What ``claimsdb article`` (and ``articles``) returns: an article's summary, and the
article with its text, authors and statements.

Apart from ``claimsdb.query.results`` (which re-exports these names) because defining
a dataclass compiles its methods, a cost paid at every start: the commands that show
no article do not define them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from claimsdb.query.results import ActorRef, StatementView


@dataclass(frozen=True)
class ArticleSummary:
    key: str
    title: str
    outlet: ActorRef | None
    published: str | None
    url: str | None
    language: str
    statements: int
    anonymous: int  # statements whose every origin is anonymous (as ``sources`` counts)
    denied: int  # statements something denies
    retrieved: str | None = None  # when the text was retrieved (format 1.1)
    archived_url: str | None = None  # an archived copy of the article (format 1.1)


@dataclass(frozen=True)
class ArticleDetail:
    summary: ArticleSummary
    text: str
    authors: tuple[ActorRef, ...]
    statements: tuple[StatementView, ...]  # in text order
    note: str | None = None  # the annotator's note (format 1.1)
