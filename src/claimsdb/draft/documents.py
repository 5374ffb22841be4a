"""The drafter's inputs: one article's text, and what is known about it, per input.

``claimsdb draft`` reads a plain-text file, standard input, an HTML file or a URL;
each becomes a ``Document`` whose ``text`` is exactly what the draft will store (the
importer locates every quote in it, so nothing may change it after this point).

The shared contract of issue 14 (Document, InputError); the plain-text reading and
``read_input`` come with the drafting command.
"""

from __future__ import annotations

from dataclasses import dataclass

from claimsdb.errors import ClaimsError


@dataclass(frozen=True)
class Document:
    """An article's text and what is known about it, read from one input."""

    text: str  # the article text the draft stores, exactly
    source: str  # the input as the user gave it (path, URL or "-"), for messages
    stem: str  # the file stem --out-dir uses (file name sans extension; URL path slug)
    title: str | None = None
    url: str | None = None
    published: str | None = None  # ISO 8601 date or date-time
    outlet: str | None = None  # site name, as the page gives it
    author: str | None = None
    language: str | None = None  # BCP 47 tag when the page declares one
    retrieved: str | None = None  # ISO date the URL was fetched


class InputError(ClaimsError):
    """An input that cannot be drafted: which input, what is wrong, what to do."""

    def __init__(self, source: str, message: str, hint: str = ""):
        self.source = source
        self.message = message
        self.hint = hint
        super().__init__(f"{source}: {message}; {hint}" if hint else f"{source}: {message}")

    def __reduce__(self):
        return (type(self), (self.source, self.message, self.hint))
