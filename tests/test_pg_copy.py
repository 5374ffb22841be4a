"""PostgreSQL's bulk import writes its rows with COPY (``claimsdb.ingest.pgcopy``).

COPY only changes how the rows travel: every test here compares it with the
executemany INSERTs the bulk path used before, on the same files, or checks that
the server still enforces every constraint and that a refused COPY changes nothing.
PostgreSQL only: on SQLite the bulk path still writes with executemany.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, text

from claimsdb.errors import ArticleError
from claimsdb.format.articles import parse_article, read_article
from claimsdb.format.seeds import seed_files
from claimsdb.ingest import bulk, pgcopy
from claimsdb.ingest.importer import ADDED, ImportResult, import_batch, import_spec
from claimsdb.store import migrate
from claimsdb.store.db import TransactionConflict, make_engine, write_transaction
from helpers import dump

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"


@pytest.fixture
def backend() -> str:
    """COPY is PostgreSQL's: every test here runs there only."""
    return "postgresql"


@pytest.fixture
def other(request) -> Engine:
    """A second database at the latest schema, to compare with."""
    engine = make_engine(request.getfixturevalue("empty_db"))
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def executemany(monkeypatch):
    """The bulk path as it wrote before COPY: one executemany INSERT per table."""

    def inserting(conn, table, rows):
        if rows:
            conn.execute(insert(table), list(rows))

    def inserting_tuples(conn, table, columns, rows):
        inserting(conn, table, [dict(zip(columns, row, strict=True)) for row in rows])

    def use() -> None:
        monkeypatch.setattr(bulk, "write_rows", inserting)
        monkeypatch.setattr(bulk, "write_tuples", inserting_tuples)

    return use


@pytest.fixture
def copied(monkeypatch) -> list[str]:
    """The tables each COPY wrote, in order (to know the COPY path really ran)."""
    tables: list[str] = []
    original = pgcopy.copy_rows

    def spy(conn, table, columns, rows):
        tables.append(table.name)
        return original(conn, table, columns, rows)

    monkeypatch.setattr(pgcopy, "copy_rows", spy)
    return tables


def without_import_times(rows: dict) -> dict:
    from claimsdb.store.models import Article

    at = list(Article.__table__.columns.keys()).index("imported_at")
    return {**rows, "articles": sorted((row[:at] + row[at + 1:] for row in rows["articles"]),
                                       key=repr)}


# Text that COPY's text format must escape (tab, newlines, backslashes, "\N", "\."),
# with non-Latin scripts, curly quotes, combining marks and what looks like SQL.
HOSTILE = {
    "tab": "a\tb\t\tc",
    "newlines": "line one\nline two\r\nline three\rend",
    "backslash": "C:\\temp\\new \\\\ \\n \\t \\ end",
    "null-marker": "\\N",
    "end-marker": "\\.",
    "quotes": "“curly” ‘single’ „low“ «guillemets» 'straight' \"double\"",
    "cyrillic": "зерновий коридор зірвано",
    "arabic": "قال المتحدث باسم الكرملين",
    "cjk": "北京表示否认 東京",
    "combining": "Zu\u0308rich cafe\u0301",
    "emoji": "🇺🇦 🕊️ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "sql": "'); DROP TABLE statements; -- , | ; \"x\"",
}


def hostile_articles(folder: Path) -> list[Path]:
    """Two articles (the second refers to the first) whose every text field, of every
    table the bulk path writes, holds ``HOSTILE`` text; format 1.1 throughout
    (authors, roles, topics, reviews, notes, translated quotes, hop mentions)."""
    body = "".join(f"{key.upper()}: {value}.\n" for key, value in HOSTILE.items())
    js = json.dumps  # JSON strings are YAML strings: every character as it is
    actors = [
        {"key": "wire", "name": HOSTILE["quotes"], "kind": "outlet",
         "description": HOSTILE["backslash"], "note": HOSTILE["newlines"]},
        {"key": "reporter", "name": HOSTILE["tab"], "kind": "person",
         "aliases": [HOSTILE["null-marker"], HOSTILE["end-marker"], HOSTILE["cjk"]],
         "roles": [{"of": "wire", "title": HOSTILE["sql"], "from": "2020-01-02"}]},
        {"key": "checker", "name": HOSTILE["emoji"], "kind": "organization",
         "wikidata": "Q42"},
        *({"key": f"speaker-{key}", "name": value, "kind": "person"}
          for key, value in HOSTILE.items()),
    ]
    statements = [
        {"key": key, "quote": value, "kind": "direct",
         "chain": [f"speaker-{key}"],
         "about": ["reporter"], "topics": [key, HOSTILE["cyrillic"]],
         "note": HOSTILE["newlines"], "translated_from": "ru",
         "original": HOSTILE["backslash"] + HOSTILE["tab"],
         "reviews": [{"by": "checker", "rating": HOSTILE["quotes"],
                      "url": "https://check.example/a\\b", "date": "2025-05-14",
                      "summary": HOSTILE["newlines"] + HOSTILE["null-marker"]}]}
        for key, value in HOSTILE.items()
    ]
    statements[0]["denies"] = ["backslash"]
    first = {"format": "claimsdb/article@1.1",
             "article": {"key": "hostile-one", "title": HOSTILE["sql"], "outlet": "wire",
                         "authors": ["reporter"], "url": "https://news.example/a?b=\\N&c=\t",
                         "published": "2025-05-14T09:30:00+03:00", "language": "uk",
                         "retrieved": "2025-05-20", "archived_url": "https://arch.example/\\.",
                         "note": HOSTILE["end-marker"] + HOSTILE["newlines"], "text": body},
             "actors": actors, "statements": statements}
    second = {"format": "claimsdb/article@1.1",
              "article": {"key": "hostile-two", "title": HOSTILE["tab"], "outlet": "wire",
                          "text": f"The reporter said {HOSTILE['cyrillic']}.\n"},
              "actors": [{"key": "wire", "name": HOSTILE["quotes"], "kind": "outlet"},
                         {"key": "reporter", "name": HOSTILE["tab"], "kind": "person"}],
              "statements": [{"key": "again", "quote": HOSTILE["cyrillic"],
                              "chain": [{"actor": "reporter", "cue": "said"}],
                              "repeats": ["hostile-one#cyrillic"],
                              "supports": ["hostile-one#tab"]}]}
    paths = []
    for name, content in (("hostile-one.yaml", first), ("hostile-two.yaml", second)):
        path = folder / name
        path.write_text(js(content, ensure_ascii=False, indent=1), encoding="utf-8")
        paths.append(path)
    return paths


def groups(tmp_path: Path) -> list[list[Path]]:
    """Batches the bulk path takes whole: the seed, the examples, test articles (the
    fact-check files carry topics, reviews and notes), and the hostile articles."""
    return [seed_files(), sorted((REPO / "examples").glob("*.yaml")),
            sorted((DATA / "corpus").glob("*.yaml")),
            [DATA / "factcheck" / name for name in
             ("telegram-origin.yaml", "courier-report.yaml", "later-repost.yaml")],
            hostile_articles(tmp_path)]


def load(engine: Engine, batches: list[list[Path]]) -> list:
    outcomes = []
    for paths in batches:
        outcomes += import_batch(engine, [read_article(path) for path in paths])
    return outcomes


def test_copy_stores_exactly_what_executemany_stored(engine, other, tmp_path, copied,
                                                      executemany):
    batches = groups(tmp_path)
    with_copy = load(engine, batches)
    assert all(isinstance(o, ImportResult) and o.status == ADDED for o in with_copy), [
        str(o) for o in with_copy if not isinstance(o, ImportResult)]
    # The COPY path wrote every table the bulk path writes (none fell back to file by file).
    assert set(copied) == {"actor_roles", "articles", "article_authors", "statements",
                           "chain_hops", "statement_about", "relations", "statement_topics",
                           "reviews"}
    assert copied.count("articles") == len(batches)
    executemany()
    assert load(other, batches) == with_copy
    stored, expected = dump(engine), dump(other)
    # every table, every column, ids included; the import time differs by run
    assert without_import_times(stored) == without_import_times(expected)
    assert sum(len(rows) for rows in stored.values()) > 200


def test_hostile_text_comes_back_verbatim_through_copy(engine, tmp_path, copied):
    outcomes = import_batch(engine, [read_article(p) for p in hostile_articles(tmp_path)])
    assert [o.status for o in outcomes] == [ADDED, ADDED]
    assert "statements" in copied
    with engine.connect() as conn:
        quotes = dict(conn.execute(text(
            "SELECT s.key, s.quote FROM statements s JOIN articles a ON a.id = s.article_id "
            "WHERE a.key = 'hostile-one'")).all())
        aliases = set(conn.execute(text("SELECT alias FROM actor_aliases")).scalars())
        notes = set(conn.execute(text("SELECT note FROM statements")).scalars())
        found = conn.execute(text(
            "SELECT count(*) FROM statements WHERE to_tsvector('claimsdb_search'::regconfig, "
            "claimsdb_search_text(quote)) @@ plainto_tsquery('claimsdb_search', 'коридор')"
        )).scalar()
    assert quotes == HOSTILE
    assert {HOSTILE["null-marker"], HOSTILE["end-marker"], HOSTILE["cjk"]} <= aliases
    assert notes == {HOSTILE["newlines"], None}
    assert found == 2  # searchable as if inserted: the index is the server's own


# -- refused rows change nothing ---------------------------------------------------------------

def test_a_constraint_refusing_a_copy_mid_batch_changes_nothing_and_says_why(
        engine, other, tmp_path, monkeypatch, copied, executemany):
    """A relation to a statement that is not stored (as if the check before the write
    had been wrong), in the batch's last file: the articles, statements and hops were
    already copied when the server refuses the relations. The whole batch is rolled
    back, and the error says which constraint refused what, as with executemany."""
    first, second = hostile_articles(tmp_path)
    paths = [DATA / "factcheck" / "telegram-origin.yaml",
             DATA / "factcheck" / "courier-report.yaml", second]
    resolve = bulk._resolve_references

    def wrong(conn, specs, references):
        resolved, dates = resolve(conn, specs, references)
        return dict.fromkeys(resolved, 10 ** 9), dates

    messages = []
    for database in (engine, other):
        import_batch(database, [read_article(p) for p in [*seed_files(), first]])
        before = dump(database)
        if database is other:
            executemany()
        monkeypatch.setattr(bulk, "_resolve_references", wrong)
        with pytest.raises(TransactionConflict) as refused:
            import_batch(database, [read_article(p) for p in paths])
        monkeypatch.setattr(bulk, "_resolve_references", resolve)
        assert dump(database) == before
        messages.append(str(refused.value).replace(str(database.url), "URL"))
    assert 'violates foreign key constraint "fk_relations_target_id_statements"' in messages[0]
    assert "Key (target_id)=(1000000000)" in messages[0]
    assert "nothing was changed" in messages[0]
    assert messages[0] == messages[1]
    assert {"articles", "statements", "chain_hops", "relations"} <= set(copied)


def test_a_url_taken_by_a_concurrent_import_mid_batch_is_refused_as_file_by_file(
        engine, other, tmp_path, monkeypatch, executemany):
    """Another command stores an article with the URL of the batch's second file after
    the batch checked the URLs and before it wrote: COPY hits the unique index, the
    transaction is run again, and the usual check names the file and the article
    that has the URL. The first file is kept, the rest changes nothing: what the
    executemany path gave."""
    twin = ("format: claimsdb/article@1\narticle:\n  key: twin\n  title: Twin\n"
            "  url: https://courier.example.com/2025/05/14/istanbul-talks\n"
            "  text: The agency said so.\nactors:\n"
            "  - {key: agency, name: The Agency, kind: organization}\nstatements:\n"
            "  - {key: so, quote: said so, chain: [agency]}\n")
    paths = [DATA / "factcheck" / name for name in
             ("telegram-origin.yaml", "courier-report.yaml", "later-repost.yaml")]
    results = {}
    for database in (engine, other):
        url = database.url.render_as_string(hide_password=False)
        resolve = bulk._resolve_references
        raced: list[bool] = []

        def racing(conn, specs, references, url=url, resolve=resolve, raced=raced):
            if not raced:  # once: the run again finds the twin stored
                raced.append(True)
                rival = make_engine(url)
                try:
                    import_spec(rival, parse_article(twin, source="twin.yaml"))
                finally:
                    rival.dispose()
            return resolve(conn, specs, references)

        monkeypatch.setattr(bulk, "_resolve_references", racing)
        if database is other:
            executemany()
        outcomes = import_batch(database, [read_article(p) for p in paths])
        results[database] = (outcomes, dump(database))
        assert raced == [True]
    outcomes, stored = results[engine]
    assert [type(o) for o in outcomes] == [ImportResult, ArticleError]
    assert outcomes[0].key == "telegram-origin"
    assert "is already the URL of article 'twin'" in str(outcomes[1])
    assert "courier-report" in str(outcomes[1])
    assert [str(o) for o in outcomes] == [str(o) for o in results[other][0]]
    assert without_import_times(stored) == without_import_times(results[other][1])
    with write_transaction(engine) as conn:
        keys = set(conn.execute(text("SELECT key FROM articles")).scalars())
    assert keys == {"twin", "telegram-origin"}
