"""Which reader an input of ``claimsdb draft`` goes to: ``-`` (standard input), a
URL, an HTML page or a plain-text file. The one place that decides what an input is.

Its own module, above the readers: the HTML and URL readers build on
``documents`` (Document, InputError, file reading), so the choice among them cannot
live there without the modules importing each other.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from claimsdb.draft.documents import (
    MAX_INPUT_BYTES,
    STDIN,
    STDIN_STEM,
    Document,
    InputError,
    document_from_bytes,
    read_bytes,
    too_large,
)
from claimsdb.draft.fetching import fetch, is_url
from claimsdb.draft.webpages import MAX_PAGE_BYTES, looks_like_html, read_page
from claimsdb.format.inputfiles import TooLarge, read_limited

HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".shtml"})


def read_input(spec: str, *, stdin: BinaryIO | None = None,
               limit: int = MAX_INPUT_BYTES) -> Document:
    """The ``Document`` one command-line input names. A file is HTML by its name
    (.html, .htm, .xhtml) or by its first bytes (a page saved without an extension,
    a page piped in from curl); ``limit`` bounds plain text, MAX_PAGE_BYTES a page."""
    if spec == STDIN:
        if stdin is None:
            raise InputError(spec, "standard input is not available here",
                             "give a file instead")
        try:
            raw = read_limited(stdin, MAX_PAGE_BYTES)
        except TooLarge:
            raise too_large(spec, None, MAX_PAGE_BYTES) from None
        return _document(raw, spec, STDIN_STEM, limit, html=False)
    if is_url(spec):
        return fetch(spec)
    path = Path(spec)
    html = path.suffix.lower() in HTML_SUFFIXES
    raw = read_bytes(path, source=spec, limit=MAX_PAGE_BYTES if html else limit)
    return _document(raw, spec, path.stem or path.name, limit, html=html)


def _document(raw: bytes, spec: str, stem: str, limit: int, *, html: bool) -> Document:
    if html or looks_like_html(raw):
        return read_page(raw, source=spec, stem=stem)
    if len(raw) > limit:
        raise too_large(spec, len(raw), limit)
    return document_from_bytes(raw, source=spec, stem=stem)
