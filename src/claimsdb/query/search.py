"""Full-text search over statement quotes, the same on SQLite and PostgreSQL.

What a search means (docs/queries.md, "Searching quotes"): the words of the query,
every one of which must occur in the quote; case, Latin diacritics (é = e) and
Unicode normal form (NFC = NFD) do not matter; words are stemmed with the Porter
stemmer ("hijack" finds "hijacked"); ``word*`` finds every word starting so.

A word is a run of letters, digits and combining marks (Unicode categories L, N, M
and private use); everything else separates words. Marks count as letters so that
Hindi and Thai words, whose vowel signs and tone marks are combining marks, stay
whole.

The two backends reach this differently (migration 0003 creates both):

- SQLite: an FTS5 table with ``tokenize="porter unicode61 remove_diacritics 2
  categories 'L* N* Co M*'"``. The text is indexed as stored, so a query word is
  looked for in both its NFC and its NFD form.
- PostgreSQL: a GIN index on ``to_tsvector('claimsdb_search',
  claimsdb_search_text(quote))``. ``claimsdb_search_text`` does in SQL what FTS5's
  tokenizer does: NFC, every non-word character to a space (so PostgreSQL's parser
  sees plain words, not its host names, decimals or hyphenated compounds), Latin
  diacritics dropped; the ``claimsdb_search`` configuration stems with Snowball's
  Porter stemmer, the one FTS5 uses, and has no stop words.

One configuration serves every article language: SQLite's only stemmer is Porter's
(English), and the backends must answer alike. Porter leaves words in other scripts
unchanged, so in Cyrillic, Arabic, Hindi, Thai or Chinese a search finds the word as
written (or, with ``*``, what starts with it), on both backends.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, literal_column

from claimsdb.errors import ClaimsError

# The PostgreSQL objects of migration 0003.
POSTGRES_CONFIG = "claimsdb_search"
POSTGRES_TEXT_FUNCTION = "claimsdb_search_text"

# The combining marks FTS5's remove_diacritics 2 drops (probed from SQLite itself),
# wherever they stand; and after a Latin base letter in NFD, which is how it folds
# precomposed Latin letters (é, ñ, ệ) but not Greek or Cyrillic ones (ά, й).
DIACRITICS = (
    "\u0300-\u0304\u0306-\u030c\u030f\u0311\u031b\u0323-\u0328\u032d\u032e\u0330\u0331"
)
_DIACRITIC = re.compile(f"[{DIACRITICS}]")
_LATIN_DIACRITICS = re.compile(f"([A-Za-z])[{DIACRITICS}]+")


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
    word = _LATIN_DIACRITICS.sub(r"\1", unicodedata.normalize("NFD", word))
    return _DIACRITIC.sub("", unicodedata.normalize("NFC", word)).lower()


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


def postgres_document(quote: ColumnElement) -> ColumnElement:
    """The indexed expression, exactly as in the GIN index: the configuration must be a
    constant (a bound regconfig is not folded at planning, and the index not used)."""
    config = literal_column(f"'{POSTGRES_CONFIG}'::regconfig")
    return func.to_tsvector(config, getattr(func, POSTGRES_TEXT_FUNCTION)(quote))


def postgres_condition(quote: ColumnElement, terms: list[Term]) -> ColumnElement[bool]:
    config = literal_column(f"'{POSTGRES_CONFIG}'::regconfig")
    query = func.to_tsquery(config, postgres_tsquery_text(terms))
    return postgres_document(quote).op("@@")(query)


def substring_condition(quote: ColumnElement, terms: list[Term]) -> ColumnElement[bool]:
    """Without FTS5 (a SQLite built without it): every word as a substring, no stemming."""
    from sqlalchemy import and_

    return and_(*(quote.ilike(f"%{term.word}%") for term in terms))
