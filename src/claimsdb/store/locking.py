"""Which imports must wait for which: the article locks every writer takes on PostgreSQL.

An import writes rows of its own article and relations into other, stored articles.
Replacing an article deletes its statements (and with them every relation into them)
and restores the relations other articles make to it, as it read them. Both must see
each other's work whole, or a relation is lost: a replace that read the relations
into its article before a concurrent import committed one silently deleted it, and an
import that resolved a statement before a concurrent replace deleted it failed on the
foreign key. So every import holds, until it commits,

- an exclusive lock on the key of each article it writes (two imports of one key
  queue), and
- a shared lock on the key of each stored article its relations point into (any
  number of such imports run together, but not alongside a replace of that article).

They are PostgreSQL transaction-level advisory locks on the article key (not row
locks: the article may not be stored yet, and a replace deletes the row), taken in
one statement in key order, so two imports never wait for each other in a cycle.
SQLite needs none of this: a writer holds the whole database's write lock from
BEGIN IMMEDIATE to COMMIT, so imports are serial there.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, text

# The key is hashed within claimsdb's own namespace of advisory locks.
_LOCK = text(
    "SELECT count(CASE WHEN exclusive "
    "THEN pg_advisory_xact_lock(hashtextextended('claimsdb:article:' || key, 0)) "
    "ELSE pg_advisory_xact_lock_shared(hashtextextended('claimsdb:article:' || key, 0)) END) "
    "FROM (SELECT key, exclusive FROM unnest(CAST(:keys AS text[]), "
    "CAST(:exclusive AS boolean[])) WITH ORDINALITY AS wanted(key, exclusive, n) "
    "ORDER BY n) AS ordered"
)


def lock_articles(conn: Connection, written: Iterable[str], referred: Iterable[str] = ()
                  ) -> None:
    """Wait for, then hold until the transaction ends, the locks of an import that
    writes the articles ``written`` and adds relations into the articles ``referred``
    (a key in both is locked exclusively). Does nothing on SQLite."""
    if conn.dialect.name != "postgresql":
        return
    modes = dict.fromkeys(referred, False) | dict.fromkeys(written, True)
    if not modes:
        return
    keys = sorted(modes)  # the same order in every session: see the module's docstring
    conn.execute(_LOCK, {"keys": keys, "exclusive": [modes[key] for key in keys]})


def referred_articles(refs: Iterable[str]) -> set[str]:
    """The article keys of ``ARTICLE#STATEMENT`` references."""
    return {ref.split("#", 1)[0] for ref in refs}


__all__ = ["lock_articles", "referred_articles"]
