"""Initial schema: actors, articles, statements, chain hops and relations.

Constraint names come from the naming convention in claimsdb.store.models.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "actors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("identified", sa.String(length=16), nullable=False),
        sa.Column("wikidata", sa.String(length=32), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "identified IN ('named', 'role', 'anonymous')", name=op.f("ck_actors_identified")
        ),
        sa.CheckConstraint(
            "kind IN ('person', 'organization', 'outlet', 'government', 'group')",
            name=op.f("ck_actors_kind"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actors")),
        sa.UniqueConstraint("key", name=op.f("uq_actors_key")),
    )
    op.create_table(
        "actor_aliases",
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["actors.id"],
            name=op.f("fk_actor_aliases_actor_id_actors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("actor_id", "alias", name=op.f("pk_actor_aliases")),
    )
    op.create_table(
        "actor_roles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("of_actor_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.CheckConstraint("actor_id <> of_actor_id", name=op.f("ck_actor_roles_not_self")),
        sa.CheckConstraint(
            "ended_on IS NULL OR started_on IS NULL OR ended_on >= started_on",
            name=op.f("ck_actor_roles_dates_ordered"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["actors.id"],
            name=op.f("fk_actor_roles_actor_id_actors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["of_actor_id"],
            ["actors.id"],
            name=op.f("fk_actor_roles_of_actor_id_actors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actor_roles")),
    )
    op.create_index(op.f("ix_actor_roles_actor_id"), "actor_roles", ["actor_id"], unique=False)
    op.create_index(
        op.f("ix_actor_roles_of_actor_id"), "actor_roles", ["of_actor_id"], unique=False
    )

    op.create_table(
        "articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("outlet_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("published", sa.String(length=40), nullable=True),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["outlet_id"],
            ["actors.id"],
            name=op.f("fk_articles_outlet_id_actors"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_articles")),
        sa.UniqueConstraint("key", name=op.f("uq_articles_key")),
        sa.UniqueConstraint("url", name=op.f("uq_articles_url")),
    )
    op.create_index(op.f("ix_articles_outlet_id"), "articles", ["outlet_id"], unique=False)
    op.create_index(op.f("ix_articles_published"), "articles", ["published"], unique=False)

    op.create_table(
        "article_authors",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["actors.id"],
            name=op.f("fk_article_authors_actor_id_actors"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_authors_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", "position", name=op.f("pk_article_authors")),
        sa.UniqueConstraint(
            "article_id", "actor_id", name=op.f("uq_article_authors_article_id_actor_id")
        ),
    )
    op.create_index(
        op.f("ix_article_authors_actor_id"), "article_authors", ["actor_id"], unique=False
    )

    op.create_table(
        "statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=False),
        sa.Column("span_end", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("stated_on", sa.String(length=40), nullable=True),
        sa.Column("speaker_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("kind IN ('indirect', 'direct')", name=op.f("ck_statements_kind")),
        sa.CheckConstraint(
            "span_start >= 0 AND span_end > span_start", name=op.f("ck_statements_span")
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_statements_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["speaker_id"],
            ["actors.id"],
            name=op.f("fk_statements_speaker_id_actors"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statements")),
        sa.UniqueConstraint("article_id", "key", name=op.f("uq_statements_article_id_key")),
    )
    op.create_index(op.f("ix_statements_speaker_id"), "statements", ["speaker_id"], unique=False)

    op.create_table(
        "chain_hops",
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("cue", sa.Text(), nullable=True),
        sa.CheckConstraint("position >= 0", name=op.f("ck_chain_hops_position")),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["actors.id"],
            name=op.f("fk_chain_hops_actor_id_actors"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["statements.id"],
            name=op.f("fk_chain_hops_statement_id_statements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("statement_id", "position", name=op.f("pk_chain_hops")),
    )
    op.create_index(
        op.f("ix_chain_hops_actor_id_statement_id"),
        "chain_hops",
        ["actor_id", "statement_id"],
        unique=False,
    )

    op.create_table(
        "relations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "type IN ('denies', 'contradicts', 'supports', 'repeats')",
            name=op.f("ck_relations_type"),
        ),
        sa.CheckConstraint("source_id <> target_id", name=op.f("ck_relations_not_self")),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["statements.id"],
            name=op.f("fk_relations_source_id_statements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["statements.id"],
            name=op.f("fk_relations_target_id_statements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relations")),
        sa.UniqueConstraint(
            "source_id", "type", "target_id", name=op.f("uq_relations_source_id_type_target_id")
        ),
    )
    op.create_index(
        op.f("ix_relations_target_id_type"), "relations", ["target_id", "type"], unique=False
    )

    op.create_table(
        "statement_about",
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["actors.id"],
            name=op.f("fk_statement_about_actor_id_actors"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["statements.id"],
            name=op.f("fk_statement_about_statement_id_statements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("statement_id", "actor_id", name=op.f("pk_statement_about")),
    )
    op.create_index(
        op.f("ix_statement_about_actor_id"), "statement_about", ["actor_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_statement_about_actor_id"), table_name="statement_about")

    op.drop_table("statement_about")
    op.drop_index(op.f("ix_relations_target_id_type"), table_name="relations")

    op.drop_table("relations")
    op.drop_index(op.f("ix_chain_hops_actor_id_statement_id"), table_name="chain_hops")

    op.drop_table("chain_hops")
    op.drop_index(op.f("ix_statements_speaker_id"), table_name="statements")

    op.drop_table("statements")
    op.drop_index(op.f("ix_article_authors_actor_id"), table_name="article_authors")

    op.drop_table("article_authors")
    op.drop_index(op.f("ix_articles_published"), table_name="articles")
    op.drop_index(op.f("ix_articles_outlet_id"), table_name="articles")

    op.drop_table("articles")
    op.drop_index(op.f("ix_actor_roles_of_actor_id"), table_name="actor_roles")
    op.drop_index(op.f("ix_actor_roles_actor_id"), table_name="actor_roles")

    op.drop_table("actor_roles")
    op.drop_table("actor_aliases")
    op.drop_table("actors")
