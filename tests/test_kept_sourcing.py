"""What each import stores of its articles' sourcing (``claimsdb.format.sourcing``):
statement depths, the origin each link relays, each article's independent origins.

``claimsdb sources`` reads these instead of working them out from every hop, so they
must be right on every write path: the file-by-file import, the bulk import of a batch
(COPY on PostgreSQL), and migration 0006 for databases made before it. Every database
the suite builds is also checked by ``claimsdb check`` when its test ends (conftest),
which works the three out again and compares. Here: an article whose answers are
worked out by hand, a write by another tool that ``check`` finds and ``init
--recount`` mends, and the upgrade from 0005.
"""

from __future__ import annotations

import textwrap

import pytest
from sqlalchemy import text

from claimsdb.format import sourcing
from claimsdb.format.articles import parse_article
from claimsdb.ingest.importer import import_batch, import_spec
from claimsdb.store import migrate
from claimsdb.store.db import make_engine

# The outlet written as a middle link, a relay that is itself an origin here, a relay that
# is not, a later chain, the own voice, and a Cyrillic quote with curly quotes.
ARTICLE = """
    article:
      key: {key}
      title: «Переговори» — a roundup
      outlet: herald
      text: |-
        Officials say “the talks stalled”, according to Reuters. The Herald quotes Reuters:
        the convoy turned back. The ministry said, via AP, «переговори зупинено».
        The Herald adds that nobody was hurt.
    actors:
      - {{key: herald, name: The Herald, kind: outlet}}
      - {{key: reuters, name: Reuters, kind: outlet}}
      - {{key: ap, name: AP, kind: outlet}}
      - {{key: officials, name: Officials, kind: group, identified: anonymous}}
      - {{key: ministry, name: Ministry, kind: government}}
    statements:
      - key: stalled
        quote: the talks stalled
        chain: [reuters, officials]
      - key: convoy
        quote: the convoy turned back
        chain: [ap, herald, reuters]
      - key: halted
        quote: переговори зупинено
        kind: direct
        chains: [[ap, ministry], [reuters]]
      - key: unhurt
        quote: nobody was hurt
        chain: []
"""

# Links in order: (statement, chain, position) -> the origin relayed, by actor key.
RELAYS = {("stalled", 0, 0): "officials", ("stalled", 0, 1): None,
          ("convoy", 0, 0): "reuters",
          ("convoy", 0, 1): None,  # the article's own outlet
          ("convoy", 0, 2): None,  # the chain's origin
          ("halted", 0, 0): "ministry", ("halted", 0, 1): None,
          ("halted", 1, 0): None}
DEPTHS = {"stalled": 2, "convoy": 3, "halted": 2, "unhurt": 0}
# Origins: officials, reuters, ministry and the herald (own voice); Reuters relays the
# officials' claim, which makes them one source. AP relays the ministry, but is no
# origin here.
INDEPENDENT = 3


def _spec(key: str):
    return parse_article(textwrap.dedent(ARTICLE.format(key=key)).lstrip("\n"),
                         source=f"{key}.yaml")


def _stored(engine, key: str) -> tuple[int, dict[str, int], dict[tuple, str | None]]:
    with engine.connect() as conn:
        independent = conn.execute(text("SELECT independent_origins FROM articles "
                                        "WHERE key = :key"), {"key": key}).scalar_one()
        depths = dict(conn.execute(text(
            "SELECT s.key, s.depth FROM statements s JOIN articles a ON a.id = s.article_id "
            "WHERE a.key = :key"), {"key": key}).all())
        relays = {(statement, chain, position): relayed
                  for statement, chain, position, relayed in conn.execute(text(
                      "SELECT s.key, h.chain, h.position, r.key FROM chain_hops h "
                      "JOIN statements s ON s.id = h.statement_id "
                      "JOIN articles a ON a.id = s.article_id "
                      "LEFT JOIN actors r ON r.id = h.relays_for WHERE a.key = :key"),
                      {"key": key})}
    return independent, depths, relays


def test_the_measures_by_hand_from_actor_keys():
    spec = _spec("roundup")
    assert spec.independent_origins == INDEPENDENT
    assert {s.key: sourcing.depth(s.chains) for s in spec.statements} == DEPTHS
    assert sourcing.relays(["herald", "reuters", "officials"], "officials", "herald") == [
        None, "officials", None]
    assert sourcing.relays(["a", "b"], None, None) == [None, None]  # no speaker
    assert sourcing.independent_origins([], None) == 0


@pytest.mark.parametrize("path", ["one file", "a batch"])
def test_each_import_path_stores_what_the_article_says(engine, path):
    """One file at a time (``import_spec``), and new articles in bulk (``import_batch``:
    COPY on PostgreSQL), store the same values, those worked out by hand."""
    if path == "one file":
        import_spec(engine, _spec("roundup"))
    else:
        results = import_batch(engine, [_spec("roundup"), _spec("roundup-2")])
        assert all(not isinstance(r, Exception) for r in results), results
        assert _stored(engine, "roundup-2") == (INDEPENDENT, DEPTHS, RELAYS)
    assert _stored(engine, "roundup") == (INDEPENDENT, DEPTHS, RELAYS)


def test_check_finds_measures_another_tool_changed_and_recount_mends_them(db, cli):
    engine = make_engine(db)
    try:
        import_spec(engine, _spec("roundup"))
        with engine.begin() as conn:
            conn.execute(text("UPDATE articles SET independent_origins = 9"))
            conn.execute(text("UPDATE statements SET depth = 5 WHERE key = 'unhurt'"))
            # what a row written without the column holds (no default: migration 0006)
            conn.execute(text("UPDATE statements SET depth = NULL WHERE key = 'stalled'"))
            conn.execute(text("UPDATE chain_hops SET relays_for = actor_id "
                              "WHERE position = 0 AND chain = 1"))
        # what the rows hold until mended still answers, without a traceback
        unmended = cli("sources", "--article", "roundup")
        assert unmended.exit_code == 0, unmended.output
        with engine.begin() as conn:
            conn.execute(text("UPDATE articles SET independent_origins = NULL"))
        assert cli("sources", "--article", "roundup").exit_code == 0
        assert cli("sources").exit_code == 0
        with engine.begin() as conn:
            conn.execute(text("UPDATE articles SET independent_origins = 9"))
        checked = cli("check")
        assert checked.exit_code == 1
        for finding in (
                "statement 'roundup#unhurt': statement depth: stored as 5, but its rows say 0",
                "statement 'roundup#stalled': statement depth: stored as none, but its rows "
                "say 2",
                "link 0 of chain 1 of statement 'roundup#halted': link relays: stored as ",
                "article 'roundup': article independent origins: stored as 9, but its rows "
                "say 3; work them out again with: claimsdb init --recount"):
            assert finding in checked.output
        mended = cli("init", "--recount")
        assert mended.exit_code == 0, mended.output
        assert mended.output.splitlines()[-1] == (
            "worked out every article's sourcing measures again: 4 values corrected")
        assert cli("check").exit_code == 0
        assert _stored(engine, "roundup") == (INDEPENDENT, DEPTHS, RELAYS)
        profile = cli("sources", "--format", "json")
        assert '"independent_origins": 3' in profile.output
    finally:
        engine.dispose()


def test_the_upgrade_from_0005_works_the_measures_out_for_stored_articles(empty_db):
    """A database of the release before 0006 gets the columns, filled as an import
    would have filled them; the downgrade drops them and keeps every other row."""
    engine = make_engine(empty_db)
    try:
        migrate.upgrade(engine)
        import_spec(engine, _spec("roundup"))
        import_batch(engine, [_spec("roundup-2")])
        migrate.downgrade(engine, "0005")
        with engine.connect() as conn:
            columns = {row[0] for row in conn.execute(text(
                "SELECT * FROM chain_hops LIMIT 0")).cursor.description}
            assert "relays_for" not in columns
            assert conn.execute(text("SELECT count(*) FROM chain_hops")).scalar_one() == 16
        assert migrate.upgrade(engine) == ("0005", migrate.head_revision())
        for key in ("roundup", "roundup-2"):
            assert _stored(engine, key) == (INDEPENDENT, DEPTHS, RELAYS)
    finally:
        engine.dispose()
