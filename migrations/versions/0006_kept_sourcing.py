"""Each article's sourcing measures stored with its rows, for claimsdb sources.

``statements.depth`` (the links of the statement's longest chain), ``chain_hops.
relays_for`` (the origin a link relays: its chain's origin, unless the link is that
origin or the article's outlet) with the partial index ``ix_chain_hops_relays`` on the
links that relay, and ``articles.independent_origins``. ``claimsdb sources`` worked
all three out from every statement and hop at each question (3.6 s for the whole
database at a million statements); every import now stores them with the rows
(``claimsdb.format.sourcing``), and ``claimsdb check`` compares.

The upgrade works them out for every stored article here, with the definition of this
revision written out (SQL for the first two, a small union-find for the third: a later
change of the program must not change what this step does). The downgrade drops them.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RELAYING = "relays_for IS NOT NULL"

DEPTH = """
UPDATE statements SET depth = coalesce((
  SELECT max(h.position) + 1 FROM chain_hops h WHERE h.statement_id = statements.id), 0)
"""

# Each link of a statement with a speaker, unless it is the article's outlet, gets its
# chain's origin (the first chain's: the speaker; a later chain's: its last link); then
# the links that are their chain's origin get NULL again.
RELAYS_FOR = """
UPDATE chain_hops SET relays_for = CASE
  WHEN chain_hops.chain = 0 THEN
    (SELECT s.speaker_id FROM statements s WHERE s.id = chain_hops.statement_id)
  ELSE
    (SELECT l.actor_id FROM chain_hops l WHERE l.statement_id = chain_hops.statement_id
     AND l.chain = chain_hops.chain ORDER BY l.position DESC LIMIT 1)
  END
WHERE EXISTS (SELECT 1 FROM statements s JOIN articles a ON a.id = s.article_id
              WHERE s.id = chain_hops.statement_id AND s.speaker_id IS NOT NULL
              AND (a.outlet_id IS NULL OR a.outlet_id != chain_hops.actor_id))
"""
NOT_RELAYING = "UPDATE chain_hops SET relays_for = NULL WHERE relays_for = actor_id"

# Every statement with a speaker, with its links in order, article by article.
LINKS = """
SELECT s.article_id, a.outlet_id, s.id, s.speaker_id, h.chain, h.actor_id
FROM statements s JOIN articles a ON a.id = s.article_id
LEFT JOIN chain_hops h ON h.statement_id = s.id
WHERE s.speaker_id IS NOT NULL
ORDER BY s.article_id, s.id, h.chain, h.position
"""


def _independent(statements: Iterable[tuple[int, list[list[int]]]], outlet: int | None) -> int:
    """The article's origins (speakers, later chains' last links) less the groups the
    links relaying one origin's claims through another join."""
    origins: set[int] = set()
    links: list[tuple[int, int]] = []
    for speaker, chains in statements:
        origins.add(speaker)
        for number, chain in enumerate(chains):
            origin = speaker if number == 0 else chain[-1]
            origins.add(origin)
            links.extend((origin, actor) for actor in chain
                         if actor != origin and actor != outlet)
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    joins = 0
    for origin, actor in links:
        if actor in origins:
            a, b = find(origin), find(actor)
            if a != b:
                parent[a] = b
                joins += 1
    return len(origins) - joins


def _independent_origins(conn: sa.Connection) -> Iterable[tuple[int, int]]:
    """(article id, independent origins) of every article with a statement with a
    speaker (the others have none)."""
    article = outlet = None
    statements: dict[int, tuple[int, dict[int, list[int]]]] = {}

    def done() -> tuple[int, int]:
        return article, _independent(
            ((speaker, [chains[n] for n in sorted(chains)])
             for speaker, chains in statements.values()), outlet)

    rows = conn.execute(sa.text(LINKS).execution_options(yield_per=20000))
    for article_id, outlet_id, statement_id, speaker_id, chain, actor_id in rows:
        if article_id != article:
            if article is not None:
                yield done()
            article, outlet, statements = article_id, outlet_id, {}
        _, chains = statements.setdefault(statement_id, (speaker_id, defaultdict(list)))
        if chain is not None:
            chains[chain].append(actor_id)
    if article is not None:
        yield done()


def upgrade() -> None:
    # No server defaults, and NULL allowed: every import writes all three. Declared
    # NOT NULL DEFAULT 0, these two made every bulk import's COPY of statements and
    # hops slower on PostgreSQL (the database stage at 100k statements 6.6-6.8 s
    # against 5.9-6.1 s, with or without the program writing them; either alone did
    # not); nullable without a default, it is as fast as before they existed. Measured,
    # not explained. A row another tool writes without them holds NULL, which
    # ``claimsdb check`` reports.
    op.add_column("articles", sa.Column("independent_origins", sa.Integer(), nullable=True))
    op.add_column("statements", sa.Column("depth", sa.Integer(), nullable=True))
    op.add_column("chain_hops", sa.Column("relays_for", sa.Integer(), nullable=True))
    op.execute(DEPTH)
    op.execute(RELAYS_FOR)
    op.execute(NOT_RELAYING)
    op.create_index(op.f("ix_chain_hops_relays"), "chain_hops", ["relays_for", "actor_id"],
                    sqlite_where=sa.text(RELAYING), postgresql_where=sa.text(RELAYING))
    op.execute("UPDATE articles SET independent_origins = 0")
    conn = op.get_bind()
    counts = [{"id": article_id, "n": n} for article_id, n in _independent_origins(conn) if n]
    if counts:
        conn.execute(sa.text("UPDATE articles SET independent_origins = :n WHERE id = :id"),
                     counts)


def downgrade() -> None:
    op.drop_index(op.f("ix_chain_hops_relays"), table_name="chain_hops")
    # Plain DROP COLUMN on both backends (SQLite 3.35 and later): nothing refers to
    # these columns, and rebuilding the tables would drop their triggers and views.
    op.execute("ALTER TABLE chain_hops DROP COLUMN relays_for")
    op.execute("ALTER TABLE statements DROP COLUMN depth")
    op.execute("ALTER TABLE articles DROP COLUMN independent_origins")
