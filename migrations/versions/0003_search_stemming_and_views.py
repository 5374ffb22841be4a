"""Search that stems and takes prefixes, alike on both backends; readable views.

Search (see claimsdb.query.search for what a search means):

- SQLite: the FTS5 table is rebuilt with the Porter stemmer, and with combining marks
  as word characters (Hindi vowel signs and Thai tone marks split words before). It
  is declared ``content="statements"``, double-quoted, which is how Datasette and
  sqlite-utils recognise the FTS table of a table (they ignored the single-quoted
  declaration of 0002: no search box, ``sqlite-utils search`` refused it).
- PostgreSQL: a text-search configuration ``claimsdb_search`` (Snowball's Porter
  stemmer, the one FTS5 uses; no stop words) and ``claimsdb_search_text(text)``,
  which prepares a quote as FTS5's tokenizer reads it: NFC; every character that is
  not a letter, digit, mark or private-use character to a space (so PostgreSQL's
  parser sees plain words, not host names, decimals or hyphenated compounds); the
  diacritics FTS5 drops dropped. The GIN index is rebuilt on that expression.

The separator class below lists, as ranges, the characters outside Unicode
categories L, N, M and Co (Unicode 14; unassigned code points merged into adjacent
ranges). It is written out rather than computed so the schema does not depend on
the Python that runs the migration.

Views, for reading the database without claimsdb (Datasette, sqlite3, psql):
``statement_sources`` (a statement with its ref, speaker, chain and denials count),
``denials`` (who denied what) and ``article_sourcing`` (how each article is
sourced, the counts of ``claimsdb sources``).

A later batch-mode migration that rebuilds one of the tables these views read must
drop the views first and create them again afterwards (SQLite refuses to rename a
table while a view names a missing one), and must recreate the FTS triggers.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FTS_TRIGGERS = [
    "CREATE TRIGGER statements_fts_insert AFTER INSERT ON statements BEGIN "
    "INSERT INTO statements_fts(rowid, quote) VALUES (new.id, new.quote); END",
    "CREATE TRIGGER statements_fts_delete AFTER DELETE ON statements BEGIN "
    "INSERT INTO statements_fts(statements_fts, rowid, quote) "
    "VALUES ('delete', old.id, old.quote); END",
    "CREATE TRIGGER statements_fts_update AFTER UPDATE OF quote ON statements BEGIN "
    "INSERT INTO statements_fts(statements_fts, rowid, quote) "
    "VALUES ('delete', old.id, old.quote); "
    "INSERT INTO statements_fts(rowid, quote) VALUES (new.id, new.quote); END",
]
DROP_FTS = [
    "DROP TRIGGER IF EXISTS statements_fts_update",
    "DROP TRIGGER IF EXISTS statements_fts_delete",
    "DROP TRIGGER IF EXISTS statements_fts_insert",
    "DROP TABLE IF EXISTS statements_fts",
]
SQLITE_FTS_UP = [
    *DROP_FTS,
    'CREATE VIRTUAL TABLE statements_fts USING fts5(quote, content="statements", '
    "content_rowid=\"id\", tokenize=\"porter unicode61 remove_diacritics 2 categories 'L* N* Co M*'\")",
    *FTS_TRIGGERS,
    "INSERT INTO statements_fts(statements_fts) VALUES ('rebuild')",
]
SQLITE_FTS_DOWN = [  # as 0002 made it
    *DROP_FTS,
    "CREATE VIRTUAL TABLE statements_fts USING fts5("
    "quote, content='statements', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    *FTS_TRIGGERS,
    "INSERT INTO statements_fts(statements_fts) VALUES ('rebuild')",
]

SEPARATORS = r"\u0021-\u002F\u003A-\u0040\u005B-\u0060\u007B-\u00A9\u00AB-\u00B1\u00B4\u00B6-\u00B8\u00BB\u00BF\u00D7\u00F7\u02C2-\u02C5\u02D2-\u02DF\u02E5-\u02EB\u02ED\u02EF-\u02FF\u0375\u037E\u0384-\u0385\u0387\u03F6\u0482\u055A-\u055F\u0589-\u058F\u05BE\u05C0\u05C3\u05C6\u05F3-\u060F\u061B-\u061F\u066A-\u066D\u06D4\u06DD-\u06DE\u06E9\u06FD-\u06FE\u0700-\u070F\u07F6-\u07F9\u07FE-\u07FF\u0830-\u083E\u085E\u0888\u0890-\u0891\u08E2\u0964-\u0965\u0970\u09F2-\u09F3\u09FA-\u09FB\u09FD\u0A76\u0AF0-\u0AF1\u0B70\u0BF3-\u0BFA\u0C77\u0C7F\u0C84\u0D4F\u0D79\u0DF4\u0E3F\u0E4F\u0E5A-\u0E5B\u0F01-\u0F17\u0F1A-\u0F1F\u0F34\u0F36\u0F38\u0F3A-\u0F3D\u0F85\u0FBE-\u0FC5\u0FC7-\u0FDA\u104A-\u104F\u109E-\u109F\u10FB\u1360-\u1368\u1390-\u1399\u1400\u166D-\u166E\u1680\u169B-\u169C\u16EB-\u16ED\u1735-\u1736\u17D4-\u17D6\u17D8-\u17DB\u1800-\u180A\u180E\u1940-\u1945\u19DE-\u19FF\u1A1E-\u1A1F\u1AA0-\u1AA6\u1AA8-\u1AAD\u1B5A-\u1B6A\u1B74-\u1B7E\u1BFC-\u1BFF\u1C3B-\u1C3F\u1C7E-\u1C7F\u1CC0-\u1CC7\u1CD3\u1FBD\u1FBF-\u1FC1\u1FCD-\u1FCF\u1FDD-\u1FDF\u1FED-\u1FEF\u1FFD-\u206F\u207A-\u207E\u208A-\u208E\u20A0-\u20C0\u2100-\u2101\u2103-\u2106\u2108-\u2109\u2114\u2116-\u2118\u211E-\u2123\u2125\u2127\u2129\u212E\u213A-\u213B\u2140-\u2144\u214A-\u214D\u214F\u218A-\u244A\u249C-\u24E9\u2500-\u2775\u2794-\u2BFF\u2CE5-\u2CEA\u2CF9-\u2CFC\u2CFE-\u2CFF\u2D70\u2E00-\u2E2E\u2E30-\u3004\u3008-\u3020\u3030\u3036-\u3037\u303D-\u303F\u309B-\u309C\u30A0\u30FB\u3190-\u3191\u3196-\u319F\u31C0-\u31E3\u3200-\u321E\u322A-\u3247\u3250\u3260-\u327F\u328A-\u32B0\u32C0-\u33FF\u4DC0-\u4DFF\uA490-\uA4C6\uA4FE-\uA4FF\uA60D-\uA60F\uA673\uA67E\uA6F2-\uA716\uA720-\uA721\uA789-\uA78A\uA828-\uA82B\uA836-\uA839\uA874-\uA877\uA8CE-\uA8CF\uA8F8-\uA8FA\uA8FC\uA92E-\uA92F\uA95F\uA9C1-\uA9CD\uA9DE-\uA9DF\uAA5C-\uAA5F\uAA77-\uAA79\uAADE-\uAADF\uAAF0-\uAAF1\uAB5B\uAB6A-\uAB6B\uABEB\uFB29\uFBB2-\uFBC2\uFD3E-\uFD4F\uFDCF\uFDFC-\uFDFF\uFE10-\uFE19\uFE30-\uFE6B\uFEFF-\uFF0F\uFF1A-\uFF20\uFF3B-\uFF40\uFF5B-\uFF65\uFFE0-\uFFFD\U00010100-\U00010102\U00010137-\U0001013F\U00010179-\U00010189\U0001018C-\U000101FC\U0001039F\U000103D0\U0001056F\U00010857\U00010877-\U00010878\U0001091F\U0001093F\U00010A50-\U00010A58\U00010A7F\U00010AC8\U00010AF0-\U00010AF6\U00010B39-\U00010B3F\U00010B99-\U00010B9C\U00010EAD\U00010F55-\U00010F59\U00010F86-\U00010F89\U00011047-\U0001104D\U000110BB-\U000110C1\U000110CD\U00011140-\U00011143\U00011174-\U00011175\U000111C5-\U000111C8\U000111CD\U000111DB\U000111DD-\U000111DF\U00011238-\U0001123D\U000112A9\U0001144B-\U0001144F\U0001145A-\U0001145D\U000114C6\U000115C1-\U000115D7\U00011641-\U00011643\U00011660-\U0001166C\U000116B9\U0001173C-\U0001173F\U0001183B\U00011944-\U00011946\U000119E2\U00011A3F-\U00011A46\U00011A9A-\U00011A9C\U00011A9E-\U00011AA2\U00011C41-\U00011C45\U00011C70-\U00011C71\U00011EF7-\U00011EF8\U00011FD5-\U00011FFF\U00012470-\U00012474\U00012FF1-\U00012FF2\U00013430-\U00013438\U00016A6E-\U00016A6F\U00016AF5\U00016B37-\U00016B3F\U00016B44-\U00016B45\U00016E97-\U00016E9A\U00016FE2\U0001BC9C\U0001BC9F-\U0001BCA3\U0001CF50-\U0001D164\U0001D16A-\U0001D16C\U0001D173-\U0001D17A\U0001D183-\U0001D184\U0001D18C-\U0001D1A9\U0001D1AE-\U0001D241\U0001D245\U0001D300-\U0001D356\U0001D6C1\U0001D6DB\U0001D6FB\U0001D715\U0001D735\U0001D74F\U0001D76F\U0001D789\U0001D7A9\U0001D7C3\U0001D800-\U0001D9FF\U0001DA37-\U0001DA3A\U0001DA6D-\U0001DA74\U0001DA76-\U0001DA83\U0001DA85-\U0001DA8B\U0001E14F\U0001E2FF\U0001E95E-\U0001E95F\U0001ECAC\U0001ECB0\U0001ED2E\U0001EEF0-\U0001F0F5\U0001F10D-\U0001FBCA"
DIACRITICS = r"\u0300-\u0304\u0306-\u030C\u030F\u0311\u031B\u0323-\u0328\u032D\u032E\u0330\u0331"
POSTGRES_SEARCH_UP = [
    "CREATE TEXT SEARCH DICTIONARY claimsdb_porter (TEMPLATE = snowball, Language = porter)",
    "CREATE TEXT SEARCH CONFIGURATION claimsdb_search (COPY = simple)",
    "ALTER TEXT SEARCH CONFIGURATION claimsdb_search ALTER MAPPING FOR asciiword, asciihword, "
    "hword_asciipart, word, hword, hword_part, numword, numhword, hword_numpart "
    "WITH claimsdb_porter",
    # Most text has no Latin diacritic and no combining diacritical mark: then NFC and
    # the separators are all there is to do (normalize() is the costly part, and the
    # check for normal form is cheaper than normalizing). Otherwise: NFD, separators
    # to spaces, FTS5's diacritics dropped after a Latin letter (which is how it folds
    # é, ñ, ệ but not Greek ά or Cyrillic й), NFC, and FTS5's diacritics dropped where
    # NFC left them on their own (a stress mark over a Cyrillic vowel).
    "CREATE FUNCTION claimsdb_search_text(quote text) RETURNS text "
    "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT CASE "
    r"WHEN quote !~ '[\u0300-\u036F\u00C0-\u024F\u1E00-\u1EFF]' THEN regexp_replace("
    "CASE WHEN quote IS NFC NORMALIZED THEN quote ELSE normalize(quote, NFC) END, "
    f"'[{SEPARATORS}]', ' ', 'g') "
    "ELSE regexp_replace(normalize(regexp_replace(regexp_replace(normalize(quote, NFD), "
    f"'[{SEPARATORS}]', ' ', 'g'), '([A-Za-z])[{DIACRITICS}]+', '\\1', 'g'), NFC), "
    f"'[{DIACRITICS}]', '', 'g') END $$",
    "DROP INDEX IF EXISTS ix_statements_quote_fts",
    "CREATE INDEX ix_statements_quote_fts ON statements USING gin "
    "(to_tsvector('claimsdb_search'::regconfig, claimsdb_search_text(quote)))",
]
POSTGRES_SEARCH_DOWN = [  # as 0002 made it
    "DROP INDEX IF EXISTS ix_statements_quote_fts",
    "DROP FUNCTION IF EXISTS claimsdb_search_text(text)",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS claimsdb_search",
    "DROP TEXT SEARCH DICTIONARY IF EXISTS claimsdb_porter",
    "CREATE INDEX ix_statements_quote_fts ON statements "
    "USING gin (to_tsvector('simple', quote))",
]

CHAIN = {  # a statement's chain as text, nearest source first, as the CSV export has it
    "sqlite": "(SELECT group_concat(name, ' > ') FROM (SELECT x.name AS name "
              "FROM chain_hops h JOIN actors x ON x.id = h.actor_id "
              "WHERE h.statement_id = s.id ORDER BY h.position))",
    "postgresql": "(SELECT string_agg(x.name, ' > ' ORDER BY h.position) "
                  "FROM chain_hops h JOIN actors x ON x.id = h.actor_id "
                  "WHERE h.statement_id = s.id)",
}


def _views(dialect: str) -> list[str]:
    # CHAIN holds this module's constants only; nothing of a user's reaches this SQL.
    return [
        "CREATE VIEW statement_sources AS "  # noqa: S608
        "SELECT s.id AS id, a.key || '#' || s.key AS ref, a.key AS article, s.key AS statement, "
        "s.quote AS quote, s.kind AS kind, sp.name AS speaker, sp.key AS speaker_key, "
        "sp.identified AS speaker_identified, "
        f"{CHAIN[dialect]} AS chain, "
        "(SELECT count(*) FROM chain_hops h WHERE h.statement_id = s.id) AS chain_depth, "
        "o.name AS outlet, a.published AS published, s.stated_on AS stated_on, "
        "(SELECT count(*) FROM relations r WHERE r.target_id = s.id AND r.type = 'denies') "
        "AS times_denied, "
        "a.title AS article_title, a.url AS url, a.language AS language "
        "FROM statements s JOIN articles a ON a.id = s.article_id "
        "LEFT JOIN actors sp ON sp.id = s.speaker_id "
        "LEFT JOIN actors o ON o.id = a.outlet_id",

        "CREATE VIEW denials AS "
        "SELECT r.id AS id, da.key || '#' || d.key AS denial, dsp.name AS denied_by, "
        "d.quote AS denial_quote, da.published AS denial_published, "
        "ta.key || '#' || t.key AS denied_statement, tsp.name AS claim_speaker, "
        "t.quote AS claim_quote, ta.published AS claim_published "
        "FROM relations r "
        "JOIN statements d ON d.id = r.source_id JOIN articles da ON da.id = d.article_id "
        "JOIN statements t ON t.id = r.target_id JOIN articles ta ON ta.id = t.article_id "
        "LEFT JOIN actors dsp ON dsp.id = d.speaker_id "
        "LEFT JOIN actors tsp ON tsp.id = t.speaker_id "
        "WHERE r.type = 'denies'",

        # The counts of 'claimsdb sources': an origin without a speaker (the own voice
        # of an article without an outlet) counts as named.
        "CREATE VIEW article_sourcing AS "
        "SELECT a.key AS article, a.title AS title, o.name AS outlet, "
        "a.published AS published, a.language AS language, "
        "count(s.id) AS statements, "
        "count(CASE WHEN s.id IS NOT NULL AND coalesce(sp.identified, 'named') = 'named' "
        "THEN 1 END) AS named, "
        "count(CASE WHEN sp.identified = 'role' THEN 1 END) AS role, "
        "count(CASE WHEN sp.identified = 'anonymous' THEN 1 END) AS anonymous, "
        "count(CASE WHEN s.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM chain_hops h "
        "WHERE h.statement_id = s.id) THEN 1 END) AS own_voice, "
        "count(CASE WHEN s.kind = 'direct' THEN 1 END) AS direct_quotes, "
        "count(CASE WHEN EXISTS (SELECT 1 FROM relations r WHERE r.target_id = s.id "
        "AND r.type = 'denies') THEN 1 END) AS denied "
        "FROM articles a LEFT JOIN actors o ON o.id = a.outlet_id "
        "LEFT JOIN statements s ON s.article_id = a.id "
        "LEFT JOIN actors sp ON sp.id = s.speaker_id "
        "GROUP BY a.id, a.key, a.title, o.name, a.published, a.language",
    ]


VIEW_NAMES = ("article_sourcing", "denials", "statement_sources")


def _sqlite_has_fts5() -> bool:
    rows = op.get_bind().exec_driver_sql("PRAGMA compile_options").scalars().all()
    return "ENABLE_FTS5" in rows


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        if _sqlite_has_fts5():
            for sql in SQLITE_FTS_UP:
                op.execute(sql)
    elif dialect == "postgresql":
        for sql in POSTGRES_SEARCH_UP:
            op.execute(sql)
    for sql in _views(dialect):
        op.execute(sql)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for name in VIEW_NAMES:
        op.execute(f"DROP VIEW IF EXISTS {name}")
    if dialect == "sqlite":
        if _sqlite_has_fts5():
            for sql in SQLITE_FTS_DOWN:
                op.execute(sql)
    elif dialect == "postgresql":
        for sql in POSTGRES_SEARCH_DOWN:
            op.execute(sql)
