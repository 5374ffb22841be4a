"""A Datasette metadata file for a claimsdb SQLite database (docs/datasette.md).

Datasette finds the full-text table by itself (migration 0003 declares it the way it
looks for one); the metadata adds what it cannot guess: which column names a row
when another table points at it, that the readable views search the same index,
which tables are claimsdb's machinery rather than data, and what the views mean.
"""

from __future__ import annotations

from typing import Any

_VIEWS = {
    "statement_sources": {
        "description": "Every statement with its reference (article#key), original "
                       "speaker, attribution chain (nearest source first) and how often "
                       "it is denied. Search matches words of the quote.",
        "columns": {
            "ref": "article#statement: what claimsdb commands take",
            "speaker": "the original speaker (last link of the chain, or the outlet "
                       "for the article's own voice; the first chain's when it has several)",
            "speaker_identified": "named, role or anonymous",
            "chain": "who passed it on, nearest source first, the original speaker last; "
                     "several chains (\"according to AFP and AP\") joined by ' | '",
            "chain_depth": "links in the chain (the longest, for several); 0 is the "
                           "article's own voice",
            "times_denied": "statements that deny this one",
        },
        "sort_desc": "times_denied",
        "fts_table": "statements_fts",
        "fts_pk": "id",
    },
    "denials": {
        "description": "Who denied what: each denial next to the claim it denies.",
        "columns": {
            "denial": "the denying statement (article#key)",
            "denied_by": "the original speaker of the denial",
            "denied_statement": "the statement denied (article#key)",
            "claim_speaker": "the original speaker of the denied claim",
        },
    },
    "article_sourcing": {
        "description": "How each article's statements are sourced: the counts of "
                       "'claimsdb sources' (independent origins are not included).",
        "columns": {
            "named": "statements whose origin is named (or the article's own voice)",
            "role": "statements whose origin is known only by role",
            "anonymous": "statements from anonymous origins",
            "own_voice": "statements the outlet asserts itself (no chain)",
            "direct_quotes": "statements quoted word for word",
            "denied": "statements some statement denies",
        },
    },
}

# Tables a reader of the data does not need: the schema version, the search index, and
# the actors' counts as claimsdb keeps them (a row per writer slot; ``actors`` shows them).
HIDDEN = ("actor_counts", "alembic_version", "statements_fts", "statements_fts_config",
          "statements_fts_data", "statements_fts_docsize", "statements_fts_idx")


def metadata(database: str) -> dict[str, Any]:
    """Datasette's metadata for the database served under the name ``database`` (the
    file name without ``.db``)."""
    tables: dict[str, Any] = {
        "statements": {"label_column": "key", "fts_table": "statements_fts", "fts_pk": "id"},
        "actors": {"label_column": "name"},
        "articles": {"label_column": "title"},
        **{name: dict(settings) for name, settings in _VIEWS.items()},
        **{name: {"hidden": True} for name in HIDDEN},
    }
    return {
        "title": "claimsdb: who said what, through whom, and who denied it",
        "description": "Start with statement_sources (search the quotes), denials and "
                       "article_sourcing. Words are stemmed: 'hijack' finds 'hijacked'.",
        "databases": {database: {"tables": tables}},
    }
