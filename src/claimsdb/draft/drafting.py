"""From one document to a drafted article file: the choices the command line leaves
open (key, language, outlet) made once, here, for every front end.

The language decides which lexicon reads the text, so it is the one the user gives,
else the one the page declares, else the one its script suggests (Cyrillic: Russian).
The key is the one the user gives, else a slug of the page's title, else of the file
name (the text's first line for standard input).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from claimsdb.draft import draft, keys, languages
from claimsdb.draft.actors import KnownActor
from claimsdb.draft.documents import STDIN_STEM, Document, InputError
from claimsdb.draft.lexicon import primary_language
from claimsdb.draft.writing import article_file, default_title

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_UKRAINIAN = re.compile(r"[єіїґЄІЇҐ]")  # letters Russian does not use
_RUSSIAN = re.compile(r"[ыэъёЫЭЪЁ]")  # letters Ukrainian does not use
_LATIN = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class ArticleDraft:
    """A drafted article file (``text``: review it, then ``claimsdb add`` it) and what
    it holds: the article ``key``, how many statements it drafted, how many actors it
    defines (``new_actors``) and how many stored ones it reuses (``reused_actors``)."""

    text: str
    key: str
    language: str
    statements: int
    new_actors: int
    reused_actors: int
    warnings: tuple[str, ...] = ()  # what will stop ``claimsdb add`` as it is


def draft_file(document: Document, *, key: str | None = None, outlet: str | None = None,
               language: str | None = None, extractor: str | None = None,
               known: Iterable[KnownActor] = (),
               stored_articles: Mapping[str, str | None] | None = None) -> ArticleDraft:
    """The draft of one document. ``known``: the stored actors, reused; and
    ``stored_articles`` (key -> URL): a default key avoids theirs, and a page whose
    URL is stored is drafted under that article's key, with a warning."""
    if language is None:
        language = document.language or detect_language(document.text)
        if primary_language(language) not in languages():
            how = "declares" if document.language else "looks (by its letters) to be in"
            raise InputError(
                document.source, f"{how} language '{language}', which the drafter has no "
                f"lexicon for (known: {', '.join(languages())})",
                "pass --language with one of them to draft it with that language's cues")
    key, warnings = _key(document, key, stored_articles or {})
    result = draft(document.text, language, extractor=extractor)
    written = article_file(result, document, key=key, language=language, outlet=outlet,
                           known=known, notes=warnings)
    return ArticleDraft(written.text, key, language, written.statements, written.new_actors,
                        written.reused_actors, tuple(warnings))


def _key(document: Document, given: str | None, stored: Mapping[str, str | None]
         ) -> tuple[str, list[str]]:
    """The article's key, and a warning where ``claimsdb add`` will refuse it as is."""
    replace = ("claimsdb add refuses the draft if it differs from the stored article, "
               "unless given --replace, which replaces that article")
    if given is not None:
        if given in stored:
            return given, [f"an article '{given}' is already stored: {replace}"]
        return given, []
    if document.url:
        for key, url in stored.items():
            if url == document.url:
                return key, [f"this URL is already stored as article '{key}', so the draft "
                             f"uses that key: {replace}"]
    return keys.unique(article_key(document), set(stored), fallback="article"), []


def detect_language(text: str) -> str:
    """'ru' for a text mostly in Cyrillic letters ('uk' when they are Ukrainian's),
    else 'en'."""
    if len(_CYRILLIC.findall(text)) <= len(_LATIN.findall(text)):
        return "en"
    return "uk" if len(_UKRAINIAN.findall(text)) > len(_RUSSIAN.findall(text)) else "ru"


def article_key(document: Document) -> str:
    if document.title and keys.slug(document.title):
        return keys.slug(document.title, max_words=8, max_length=80)
    if document.stem != STDIN_STEM and keys.slug(document.stem):
        return keys.slug(document.stem, max_words=12, max_length=80)
    return keys.slug(default_title(document), max_words=8, max_length=80) or "article"

