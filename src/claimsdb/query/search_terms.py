"""The words of a full-text search, and what each backend is asked for them.

The meaning of a search is in ``claimsdb.query.search``; these are its parts that need
no SQLAlchemy (a search's terms, SQLite's MATCH expression, PostgreSQL's tsquery
text), so that the driver-level read path (``claimsdb.query.listpath``) turns
``--search`` into the same parameters as the SQLAlchemy path.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from claimsdb.errors import ClaimsError

# Whether SQLite has the full-text table (a SQLite may be built without FTS5).
FTS_TABLE_PROBE = (
    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'statements_fts'"
)

# The PostgreSQL objects of migration 0003.
POSTGRES_CONFIG = "claimsdb_search"
POSTGRES_TEXT_FUNCTION = "claimsdb_search_text"

# The combining marks FTS5's remove_diacritics 2 drops (probed from SQLite itself),
# wherever they stand; and after a Latin base letter in NFD, which is how it folds
# precomposed Latin letters (é, ñ, ệ) but not Greek or Cyrillic ones (ά, й).
DIACRITICS = (
    "\u0300-\u0304\u0306-\u030c\u030f\u0311\u031b\u0323-\u0328\u032d\u032e\u0330\u0331"
)


@functools.cache
def _diacritics() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(a diacritic anywhere, diacritics after a Latin base letter), compiled when a
    search first folds a word: every list command imports this module (through
    ``claimsdb.query.filters``), and few of them search."""
    return re.compile(f"[{DIACRITICS}]"), re.compile(f"([A-Za-z])[{DIACRITICS}]+")


@dataclass(frozen=True)
class Term:
    """One word of a search, in NFC; ``prefix``: it was written ``word*``."""

    word: str
    prefix: bool = False


def is_word_character(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] in "LNM" or category == "Co"


def parse(words: str) -> list[Term]:
    """The terms of a search string; a ClaimsError when it has none."""
    text = unicodedata.normalize("NFC", words)
    terms: list[Term] = []
    current: list[str] = []
    for char in text + " ":
        if is_word_character(char):
            current.append(char)
            continue
        if current:
            word = "".join(current)
            if fold(word):
                terms.append(Term(word, prefix=char == "*"))
            current = []
    if not terms:
        raise ClaimsError(f"nothing to search for in {words!r}: give at least one word")
    return list(dict.fromkeys(terms))


def fold(word: str) -> str:
    """A word as the PostgreSQL side indexes it (``claimsdb_search_text``), lower-case:
    Latin letters without their diacritics, NFC, stray diacritics dropped."""
    anywhere, after_latin = _diacritics()
    word = after_latin.sub(r"\1", unicodedata.normalize("NFD", word))
    return anywhere.sub("", unicodedata.normalize("NFC", word)).lower()


def sqlite_match(terms: list[Term]) -> str:
    """An FTS5 MATCH expression: every term, each as a quoted string (FTS5 applies its
    tokenizer, so stemming and folding are the index's), in NFC or NFD form."""
    parts = []
    for term in terms:
        star = "*" if term.prefix else ""
        forms = dict.fromkeys(unicodedata.normalize(form, term.word) for form in ("NFC", "NFD"))
        quoted = [f'"{form}"{star}' for form in forms]
        parts.append(quoted[0] if len(quoted) == 1 else "(" + " OR ".join(quoted) + ")")
    return " AND ".join(parts)


def postgres_tsquery_text(terms: list[Term]) -> str:
    """The text for ``to_tsquery('claimsdb_search', ...)``: folded words, quoted (a word
    holds no quote, colon or operator: those are separators), ``:*`` for a prefix."""
    return " & ".join(f"'{fold(t.word)}'" + (":*" if t.prefix else "") for t in terms)
