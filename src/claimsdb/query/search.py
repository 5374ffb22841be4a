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

from sqlalchemy import ColumnElement, String, bindparam, func, literal_column

from claimsdb.query.search_terms import (
    FTS_TABLE_PROBE,
    POSTGRES_CONFIG,
    POSTGRES_TEXT_FUNCTION,
    Term,
    fold,
    parse,
    postgres_tsquery_text,
    sqlite_match,
)

# The words of a search live in claimsdb.query.search_terms (no SQLAlchemy); their
# names here stay.
__all__ = ["FTS_TABLE_PROBE", "POSTGRES_CONFIG", "POSTGRES_TEXT_FUNCTION", "Term", "fold", "parse",
           "postgres_condition", "postgres_document", "postgres_match", "postgres_tsquery_text",
           "sqlite_match", "substring_condition"]


def postgres_document(quote: ColumnElement) -> ColumnElement:
    """The indexed expression, exactly as in the GIN index: the configuration must be a
    constant (a bound regconfig is not folded at planning, and the index not used)."""
    config = literal_column(f"'{POSTGRES_CONFIG}'::regconfig")
    return func.to_tsvector(config, getattr(func, POSTGRES_TEXT_FUNCTION)(quote))


def postgres_condition(quote: ColumnElement, terms: list[Term]) -> ColumnElement[bool]:
    return postgres_match(quote, postgres_tsquery_text(terms))


def postgres_match(quote: ColumnElement, tsquery_text: str | None) -> ColumnElement[bool]:
    """``quote`` matches the tsquery text (``postgres_tsquery_text``), a named parameter
    (the driver-level read path binds it by this name)."""
    config = literal_column(f"'{POSTGRES_CONFIG}'::regconfig")
    query = func.to_tsquery(config, bindparam("search_query", tsquery_text, type_=String))
    return postgres_document(quote).op("@@")(query)


def substring_condition(quote: ColumnElement, terms: list[Term]) -> ColumnElement[bool]:
    """Without FTS5 (a SQLite built without it): every word as a substring, no stemming."""
    from sqlalchemy import and_

    return and_(*(quote.ilike(f"%{term.word}%") for term in terms))
