"""Article format 1.1: what real articles say.

- ``chain_hops``: a ``chain`` number in the primary key (several chains for one
  statement: "according to AFP and AP"); a hop's ``mention`` (the words naming the
  source there), its ``identified`` at that point, and the character spans of its cue
  and mention.
- ``statements``: ``kind`` may be ``refusal``; ``translated_from``, ``original``, ``note``.
- ``relations``: ``confirms``, ``dismisses``, ``corrects``, ``retracts``, and
  ``declines`` (a refusal's: what it declined to comment on).
- ``articles``: ``retrieved``, ``archived_url``, ``note``; ``actors``: ``note``.
- New tables ``statement_topics`` and ``reviews`` (fact-checkers' verdicts).

Every existing row keeps its meaning: hops become chain 0, the new columns are NULL.
``statements.speaker_id`` stays the first chain's original speaker; the origins of
later chains are the last hops of those chains, found through the partial index
``ix_chain_hops_later_chains`` (only hops of chains after the first).

``ix_statements_speaker_id`` becomes ``ix_statements_speaker_id_article_id_id``: a
speaker's statements in list order (article, then id), so that a first page of
``statements --speaker X`` (and an actor's page) is read from the index, not every
statement of the speaker found and sorted (issue 16: 13,000 of them at 1M statements).
``ix_statements_article_id_id`` holds every statement in list order: a first page of a
filter many statements meet is read from it, and one chosen by id sorts ids alone.

The views ``statement_sources`` and ``article_sourcing`` are created anew (``_views``)
for several chains (``chain``: the chains joined by " | "; an article's ``named``,
``role`` and ``anonymous`` counts a statement by its best-identified origin, so
``anonymous`` is the statements that rest on anonymous sources only), and where they
classify an origin as named, role or anonymous (``statement_sources.speaker_identified``,
the counts of ``article_sourcing``) the origin hop's own ``identified`` comes first, as
in ``claimsdb list --origin``; an index on ``chain_hops.identified`` finds those hops.
The downgrade restores 0003's views.

SQLite changes a primary key and CHECK constraints only by rebuilding a table (batch
mode): the views of 0003 are dropped first and created again at the end, and the
full-text triggers of ``statements`` are created again after its rebuild (the FTS
table itself keeps its rows: batch mode copies every statement with its id).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

IDENTIFIED = "'named', 'role', 'anonymous'"
KINDS_BEFORE = "'indirect', 'direct'"
KINDS_AFTER = "'indirect', 'direct', 'refusal'"
RELATIONS_BEFORE = "'denies', 'contradicts', 'supports', 'repeats'"
RELATIONS_AFTER = (RELATIONS_BEFORE
                   + ", 'confirms', 'dismisses', 'corrects', 'retracts', 'declines'")

VIEW_NAMES = ("article_sourcing", "denials", "statement_sources")
LATER_CHAINS = "chain > 0"

# A statement's chains as text, each nearest source first, the chains in order joined
# by " | " (as the CSV export has it); one row of each chain (its position 0) leads.
CHAINS = {
    "sqlite": "(SELECT group_concat(names, ' | ') FROM (SELECT (SELECT group_concat(name, "
              "' > ') FROM (SELECT x.name AS name FROM chain_hops h JOIN actors x "
              "ON x.id = h.actor_id WHERE h.statement_id = c.statement_id "
              "AND h.chain = c.chain ORDER BY h.position)) AS names FROM chain_hops c "
              "WHERE c.statement_id = s.id AND c.position = 0 ORDER BY c.chain))",
    "postgresql": "(SELECT string_agg(c.names, ' | ' ORDER BY c.chain) FROM "
                  "(SELECT h.chain AS chain, string_agg(x.name, ' > ' ORDER BY h.position) "
                  "AS names FROM chain_hops h JOIN actors x ON x.id = h.actor_id "
                  "WHERE h.statement_id = s.id GROUP BY h.chain) c)",
}

# The statements whose origin hop (the last of the first chain) gives its own
# identification, and that identification.
ORIGIN_OVERRIDES = (
    "LEFT JOIN (SELECT h.statement_id AS statement_id, h.identified AS identified "
    "FROM chain_hops h WHERE h.identified IS NOT NULL AND h.chain = 0 AND NOT EXISTS "
    "(SELECT 1 FROM chain_hops l WHERE l.statement_id = h.statement_id "
    "AND l.chain = h.chain AND l.position > h.position)) oh ON oh.statement_id = s.id "
)


def _has_fts_table() -> bool:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return False
    return bind.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE name = 'statements_fts'").first() is not None


def _later_origin(identified: str) -> str:
    """Some chain after the first originates with a source identified so: its origin
    hop's own identification first, else its actor's (``identified`` is one of this
    module's constants, never a user's value)."""
    return ("EXISTS (SELECT 1 FROM chain_hops h JOIN actors x ON x.id = h.actor_id "  # noqa: S608
            "WHERE h.statement_id = s.id AND h.chain > 0 "
            f"AND coalesce(h.identified, x.identified) = '{identified}' "
            "AND NOT EXISTS (SELECT 1 FROM chain_hops n WHERE n.statement_id = h.statement_id "
            "AND n.chain = h.chain AND n.position = h.position + 1))")


def _views(dialect: str) -> list[str]:
    """0003's views, ``statement_sources`` and ``article_sourcing`` made for several
    chains and classifying each origin by its origin hop's own identification first
    (``denials`` as it was)."""
    # Constants of this module only; nothing of a user's reaches this SQL.
    named = ("(coalesce(oh.identified, sp.identified, 'named') = 'named' "
             f"OR {_later_origin('named')})")
    role = f"(coalesce(oh.identified, sp.identified) = 'role' OR {_later_origin('role')})"
    denials = [sql for sql in _views_of("0003") if sql.startswith("CREATE VIEW denials ")]
    return [
        "CREATE VIEW statement_sources AS "  # noqa: S608
        "SELECT s.id AS id, a.key || '#' || s.key AS ref, a.key AS article, s.key AS statement, "
        "s.quote AS quote, s.kind AS kind, sp.name AS speaker, sp.key AS speaker_key, "
        "coalesce(oh.identified, sp.identified) AS speaker_identified, "
        f"{CHAINS[dialect]} AS chain, "
        "(SELECT coalesce(max(h.position) + 1, 0) FROM chain_hops h "
        "WHERE h.statement_id = s.id) AS chain_depth, "
        "o.name AS outlet, a.published AS published, s.stated_on AS stated_on, "
        "(SELECT count(*) FROM relations r WHERE r.target_id = s.id AND r.type = 'denies') "
        "AS times_denied, "
        "a.title AS article_title, a.url AS url, a.language AS language "
        "FROM statements s JOIN articles a ON a.id = s.article_id "
        "LEFT JOIN actors sp ON sp.id = s.speaker_id " + ORIGIN_OVERRIDES +
        "LEFT JOIN actors o ON o.id = a.outlet_id",
        *denials,
        # The counts of 'claimsdb sources': each statement once, by its best-identified
        # origin (named, then role, then anonymous); an origin without a speaker (the
        # own voice of an article without an outlet) counts as named.
        "CREATE VIEW article_sourcing AS "  # noqa: S608
        "SELECT a.key AS article, a.title AS title, o.name AS outlet, "
        "a.published AS published, a.language AS language, "
        "count(s.id) AS statements, "
        f"count(CASE WHEN s.id IS NOT NULL AND {named} THEN 1 END) AS named, "
        f"count(CASE WHEN s.id IS NOT NULL AND NOT {named} AND {role} THEN 1 END) AS role, "
        f"count(CASE WHEN s.id IS NOT NULL AND NOT {named} AND NOT {role} THEN 1 END) "
        "AS anonymous, "
        "count(CASE WHEN s.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM chain_hops h "
        "WHERE h.statement_id = s.id) THEN 1 END) AS own_voice, "
        "count(CASE WHEN s.kind = 'direct' THEN 1 END) AS direct_quotes, "
        "count(CASE WHEN EXISTS (SELECT 1 FROM relations r WHERE r.target_id = s.id "
        "AND r.type = 'denies') THEN 1 END) AS denied "
        "FROM articles a LEFT JOIN actors o ON o.id = a.outlet_id "
        "LEFT JOIN statements s ON s.article_id = a.id "
        "LEFT JOIN actors sp ON sp.id = s.speaker_id " + ORIGIN_OVERRIDES +
        "GROUP BY a.id, a.key, a.title, o.name, a.published, a.language",
    ]


def _migration(revision_id: str):
    """An earlier migration's module: its SQL is reused, not written again."""
    script = op.get_context().script
    assert script is not None
    return script.get_revision(revision_id).module


def _views_of(revision_id: str) -> list[str]:
    """The CREATE VIEW statements as ``revision_id`` made them."""
    return _migration(revision_id)._views(op.get_bind().dialect.name)


def _drop_views() -> None:
    for name in VIEW_NAMES:
        op.execute(f"DROP VIEW IF EXISTS {name}")


def _recreate_fts_triggers() -> None:
    if _has_fts_table():
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS statements_fts_{name}")
        for sql in _migration("0003").FTS_TRIGGERS:  # as 0003 made them
            op.execute(sql)


def upgrade() -> None:
    _drop_views()
    with op.batch_alter_table("actors") as batch:
        batch.add_column(sa.Column("note", sa.Text(), nullable=True))
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("retrieved", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("archived_url", sa.String(length=2000), nullable=True))
        batch.add_column(sa.Column("note", sa.Text(), nullable=True))
    with op.batch_alter_table("statements") as batch:
        batch.add_column(sa.Column("translated_from", sa.String(length=35), nullable=True))
        batch.add_column(sa.Column("original", sa.Text(), nullable=True))
        batch.add_column(sa.Column("note", sa.Text(), nullable=True))
        batch.drop_constraint(op.f("ck_statements_kind"), type_="check")
        batch.create_check_constraint("kind", f"kind IN ({KINDS_AFTER})")
    with op.batch_alter_table("relations") as batch:
        batch.drop_constraint(op.f("ck_relations_type"), type_="check")
        batch.create_check_constraint("type", f"type IN ({RELATIONS_AFTER})")
    with op.batch_alter_table("chain_hops") as batch:
        batch.add_column(sa.Column("chain", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("mention", sa.Text(), nullable=True))
        batch.add_column(sa.Column("identified", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("cue_start", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("cue_end", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("mention_start", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("mention_end", sa.Integer(), nullable=True))
        batch.drop_constraint(op.f("pk_chain_hops"), type_="primary")
        batch.create_primary_key(op.f("pk_chain_hops"), ["statement_id", "chain", "position"])
        batch.create_check_constraint("chain", "chain >= 0")
        batch.create_check_constraint(
            "identified", f"identified IS NULL OR identified IN ({IDENTIFIED})")
        batch.create_check_constraint(
            "cue_span", "cue_start IS NULL OR (cue_start >= 0 AND cue_end > cue_start)")
        batch.create_check_constraint(
            "mention_span",
            "mention_start IS NULL OR (mention_start >= 0 AND mention_end > mention_start)")
    op.create_table(
        "statement_topics",
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["statement_id"], ["statements.id"], ondelete="CASCADE",
                                name=op.f("fk_statement_topics_statement_id_statements")),
        sa.PrimaryKeyConstraint("statement_id", "topic", name=op.f("pk_statement_topics")),
    )
    op.create_index(op.f("ix_statement_topics_topic"), "statement_topics", ["topic"])
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Text(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("reviewed_on", sa.String(length=40), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.CheckConstraint("position >= 0", name=op.f("ck_reviews_position")),
        sa.ForeignKeyConstraint(["statement_id"], ["statements.id"], ondelete="CASCADE",
                                name=op.f("fk_reviews_statement_id_statements")),
        sa.ForeignKeyConstraint(["reviewer_id"], ["actors.id"], ondelete="RESTRICT",
                                name=op.f("fk_reviews_reviewer_id_actors")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
        sa.UniqueConstraint("statement_id", "position",
                            name=op.f("uq_reviews_statement_id_position")),
    )
    op.create_index(op.f("ix_reviews_reviewer_id"), "reviews", ["reviewer_id"])
    op.create_index(op.f("ix_chain_hops_later_chains"), "chain_hops",
                    ["actor_id", "statement_id"], sqlite_where=sa.text(LATER_CHAINS),
                    postgresql_where=sa.text(LATER_CHAINS))
    op.create_index(op.f("ix_chain_hops_identified"), "chain_hops", ["identified"])
    op.drop_index(op.f("ix_statements_speaker_id"), table_name="statements")
    op.create_index(op.f("ix_statements_speaker_id_article_id_id"), "statements",
                    ["speaker_id", "article_id", "id"])
    op.create_index(op.f("ix_statements_article_id_id"), "statements", ["article_id", "id"])
    _recreate_fts_triggers()
    for sql in _views(op.get_bind().dialect.name):
        op.execute(sql)


def downgrade() -> None:
    """Back to 0003. What only format 1.1 can say is lost: hops of chains after the
    first, the new relation types, refusals (stored as indirect statements), topics,
    reviews, notes, mentions and spans."""
    _drop_views()
    op.drop_index(op.f("ix_statements_article_id_id"), table_name="statements")
    op.drop_index(op.f("ix_statements_speaker_id_article_id_id"), table_name="statements")
    op.create_index(op.f("ix_statements_speaker_id"), "statements", ["speaker_id"])
    op.drop_index(op.f("ix_chain_hops_identified"), table_name="chain_hops")
    op.drop_index(op.f("ix_reviews_reviewer_id"), table_name="reviews")
    op.drop_table("reviews")
    op.drop_index(op.f("ix_statement_topics_topic"), table_name="statement_topics")
    op.drop_table("statement_topics")
    op.drop_index(op.f("ix_chain_hops_later_chains"), table_name="chain_hops")
    op.execute("DELETE FROM chain_hops WHERE chain > 0")
    # Constants of this module only; nothing of a user's reaches this SQL.
    op.execute(f"DELETE FROM relations WHERE type NOT IN ({RELATIONS_BEFORE})")  # noqa: S608
    op.execute(
        f"UPDATE statements SET kind = 'indirect' WHERE kind NOT IN ({KINDS_BEFORE})")  # noqa: S608
    with op.batch_alter_table("chain_hops") as batch:
        batch.drop_constraint(op.f("ck_chain_hops_mention_span"), type_="check")
        batch.drop_constraint(op.f("ck_chain_hops_cue_span"), type_="check")
        batch.drop_constraint(op.f("ck_chain_hops_identified"), type_="check")
        batch.drop_constraint(op.f("ck_chain_hops_chain"), type_="check")
        batch.drop_constraint(op.f("pk_chain_hops"), type_="primary")
        batch.create_primary_key(op.f("pk_chain_hops"), ["statement_id", "position"])
        for column in ("mention_end", "mention_start", "cue_end", "cue_start",
                       "identified", "mention", "chain"):
            batch.drop_column(column)
    with op.batch_alter_table("relations") as batch:
        batch.drop_constraint(op.f("ck_relations_type"), type_="check")
        batch.create_check_constraint("type", f"type IN ({RELATIONS_BEFORE})")
    with op.batch_alter_table("statements") as batch:
        batch.drop_constraint(op.f("ck_statements_kind"), type_="check")
        batch.create_check_constraint("kind", f"kind IN ({KINDS_BEFORE})")
        for column in ("note", "original", "translated_from"):
            batch.drop_column(column)
    with op.batch_alter_table("articles") as batch:
        for column in ("note", "archived_url", "retrieved"):
            batch.drop_column(column)
    with op.batch_alter_table("actors") as batch:
        batch.drop_column("note")
    _recreate_fts_triggers()
    for sql in _views_of("0003"):
        op.execute(sql)
