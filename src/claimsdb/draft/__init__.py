"""Drafting: from raw article text to proposed statements, sources and denials.

Pure functions, no database: ``draft(text, language)`` returns a ``Draft`` of typed
results with spans into the text and a confidence on every item, for a person to
review before anything is imported. The words of attribution per language are data
files (``lexicons/LANG.yaml``); extractors are chosen by name (``extractors``).
"""

from __future__ import annotations

from claimsdb.draft import extractors
from claimsdb.draft.extractors import UnknownExtractor
from claimsdb.draft.lexicon import UnknownLanguage, languages
from claimsdb.draft.lexicon import load as load_lexicon
from claimsdb.draft.results import (
    Antecedent,
    Draft,
    DraftHop,
    DraftRelation,
    DraftStatement,
)

__all__ = [
    "Antecedent",
    "Draft",
    "DraftHop",
    "DraftRelation",
    "DraftStatement",
    "UnknownExtractor",
    "UnknownLanguage",
    "draft",
    "extractor_names",
    "languages",
]


def draft(text: str, language: str | None = "en", extractor: str | None = None) -> Draft:
    """What ``extractor`` (default: the rule extractor) finds in ``text``, read with
    the lexicon of ``language`` (a BCP 47 tag; 'en-GB' reads as 'en')."""
    module = extractors.get(extractor)
    return module.extract(text, load_lexicon(language))


def extractor_names() -> list[str]:
    return extractors.names()
