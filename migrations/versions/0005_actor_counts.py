"""Each actor's counts kept as articles come and go, for the first page of claimsdb actors.

The counts ``claimsdb actors`` shows (statements originated and relayed, denials
issued and received) were counted from every statement, hop and relation at each
question; they are now kept, one row per actor and writer slot, by every import in
the transaction that changes what they count (``claimsdb.query.actor_counts``).

The upgrade counts every stored actor once, here, with the definition of this
revision written out as SQL (a later change of the program's counting must not
change what this step does); actors that nothing counts get no row. The downgrade
drops the table: the counts are then counted at each question again.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What each part adds to an actor's counts, summed per actor (the same SQL on both
# backends): first-chain origins; later chains' origins (originated, and taken off
# relayed); statements with the actor in a chain; less those it spoke itself; the
# statements of its articles as their outlet without it in a chain; the denials from
# and into its statements.
COUNTED = """
SELECT parts.actor_id, 0, sum(parts.originated), sum(parts.relayed),
       sum(parts.denials_issued), sum(parts.denials_received)
FROM (
  SELECT s.speaker_id AS actor_id, count(*) AS originated, 0 AS relayed,
         0 AS denials_issued, 0 AS denials_received
  FROM statements s WHERE s.speaker_id IS NOT NULL GROUP BY s.speaker_id
  UNION ALL
  SELECT h.actor_id, count(DISTINCT h.statement_id), -count(DISTINCT h.statement_id), 0, 0
  FROM chain_hops h JOIN statements s ON s.id = h.statement_id
  WHERE h.chain > 0
    AND NOT EXISTS (SELECT 1 FROM chain_hops f WHERE f.statement_id = h.statement_id
                    AND f.chain = h.chain AND f.position = h.position + 1)
    AND (s.speaker_id IS NULL OR s.speaker_id != h.actor_id)
  GROUP BY h.actor_id
  UNION ALL
  SELECT h.actor_id, 0, count(DISTINCT h.statement_id), 0, 0
  FROM chain_hops h GROUP BY h.actor_id
  UNION ALL
  SELECT s.speaker_id, 0, -count(*), 0, 0
  FROM statements s
  WHERE s.speaker_id IS NOT NULL
    AND EXISTS (SELECT 1 FROM chain_hops h WHERE h.statement_id = s.id
                AND h.actor_id = s.speaker_id)
  GROUP BY s.speaker_id
  UNION ALL
  SELECT a.outlet_id, 0, count(*), 0, 0
  FROM articles a JOIN statements s ON s.article_id = a.id
  WHERE a.outlet_id IS NOT NULL
    AND (s.speaker_id IS NULL OR s.speaker_id != a.outlet_id)
    AND NOT EXISTS (SELECT 1 FROM chain_hops h WHERE h.statement_id = s.id
                    AND h.actor_id = a.outlet_id)
  GROUP BY a.outlet_id
  UNION ALL
  SELECT s.speaker_id, 0, 0, count(*), 0
  FROM relations r JOIN statements s ON s.id = r.source_id
  WHERE r.type = 'denies' AND s.speaker_id IS NOT NULL GROUP BY s.speaker_id
  UNION ALL
  SELECT s.speaker_id, 0, 0, 0, count(*)
  FROM relations r JOIN statements s ON s.id = r.target_id
  WHERE r.type = 'denies' AND s.speaker_id IS NOT NULL GROUP BY s.speaker_id
) AS parts
GROUP BY parts.actor_id
"""


def upgrade() -> None:
    op.create_table(
        "actor_counts",
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("originated", sa.Integer(), server_default="0", nullable=False),
        sa.Column("relayed", sa.Integer(), server_default="0", nullable=False),
        sa.Column("denials_issued", sa.Integer(), server_default="0", nullable=False),
        sa.Column("denials_received", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["actors.id"], ondelete="CASCADE",
                                name=op.f("fk_actor_counts_actor_id_actors")),
        sa.PrimaryKeyConstraint("actor_id", "slot", name=op.f("pk_actor_counts")),
    )
    op.execute("INSERT INTO actor_counts (actor_id, slot, originated, relayed, "
               "denials_issued, denials_received) " + COUNTED)


def downgrade() -> None:
    op.drop_table("actor_counts")
