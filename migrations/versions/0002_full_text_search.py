"""Full-text search over statement quotes.

SQLite: an FTS5 table with external content (the quotes stay in ``statements``; the
index holds only tokens), kept in step by triggers. Built without FTS5, SQLite gets
no index and ``statements --search`` falls back to a substring match.
PostgreSQL: a GIN index on ``to_tsvector('simple', quote)``. The 'simple'
configuration folds case without stemming, so it behaves the same for every language
and matches SQLite's unicode61 tokenizer.

These objects are not in the ORM models (autogenerate cannot express them); the
migration environment ignores them when comparing (``claimsdb.store.migrate.include_name``).
A later batch-mode rebuild of ``statements`` on SQLite must recreate the triggers.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_UP = [
    "CREATE VIRTUAL TABLE statements_fts USING fts5("
    "quote, content='statements', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER statements_fts_insert AFTER INSERT ON statements BEGIN "
    "INSERT INTO statements_fts(rowid, quote) VALUES (new.id, new.quote); END",
    "CREATE TRIGGER statements_fts_delete AFTER DELETE ON statements BEGIN "
    "INSERT INTO statements_fts(statements_fts, rowid, quote) "
    "VALUES ('delete', old.id, old.quote); END",
    "CREATE TRIGGER statements_fts_update AFTER UPDATE OF quote ON statements BEGIN "
    "INSERT INTO statements_fts(statements_fts, rowid, quote) "
    "VALUES ('delete', old.id, old.quote); "
    "INSERT INTO statements_fts(rowid, quote) VALUES (new.id, new.quote); END",
    "INSERT INTO statements_fts(statements_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS statements_fts_update",
    "DROP TRIGGER IF EXISTS statements_fts_delete",
    "DROP TRIGGER IF EXISTS statements_fts_insert",
    "DROP TABLE IF EXISTS statements_fts",
]


def _sqlite_has_fts5() -> bool:
    rows = op.get_bind().exec_driver_sql("PRAGMA compile_options").scalars().all()
    return "ENABLE_FTS5" in rows


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        if _sqlite_has_fts5():
            for sql in SQLITE_UP:
                op.execute(sql)
    elif dialect == "postgresql":
        op.execute(
            "CREATE INDEX ix_statements_quote_fts ON statements "
            "USING gin (to_tsvector('simple', quote))"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for sql in SQLITE_DOWN:
            op.execute(sql)
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_statements_quote_fts")
