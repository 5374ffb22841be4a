"""Issue 13 points 5, 6 and 7: topics, notes, fact-check verdicts, archive fields.

The story: a Telegram rumour that Kyiv "cancelled" the Istanbul talks (Kyiv Monitor,
13 May), a Courier report of a viral Facebook post repeating it, which PolitiFact
rated False (14 May, with the Courier's archive copy and notes), and a wire story of
bloggers repeating the post (15 May). Each test runs on SQLite and PostgreSQL, through
the command line and through ``claimsdb.open``.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml
from pyld import jsonld
from sqlalchemy import text as sql

import claimsdb
from claimsdb.format.topics import normalise_topic
from conftest import DATA
from helpers import dump

FACTCHECK = DATA / "factcheck"
FILES = [FACTCHECK / f"{name}.yaml"
         for name in ("telegram-origin", "courier-report", "later-repost")]
SCHEMA = "http://schema.org/"
CONTEXT_FILE = DATA / "schemaorg" / "jsonldcontext.jsonld"
CONTEXT_URLS = {"https://schema.org", "https://schema.org/", "http://schema.org",
                "http://schema.org/", "https://schema.org/docs/jsonldcontext.jsonld"}


@pytest.fixture
def stored(cli):
    result = cli("add", *FILES)
    assert result.exit_code == 0, result.output
    return cli


# -- topics ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("written", "key"), [
    ("Ceasefire talks!", "ceasefire-talks"),
    ("  CEASEFIRE — talks ", "ceasefire-talks"),
    ("Переговоры", "переговоры"),
    ("Переговоры в Стамбуле", "переговоры-в-стамбуле"),
    ("ＵＫ–Russia relations", "uk-russia-relations"),  # full-width letters: NFKC first
    ("Zelensky’s “peace formula”", "zelensky-s-peace-formula"),
    ("!!!", ""),
    (" ", ""),
])
def test_a_topic_is_normalised_to_a_lowercase_key(written, key):
    assert normalise_topic(written) == key


def test_topics_collapse_after_normalisation_and_are_listed_with_counts(stored):
    # courier-report's claim lists "Ceasefire talks!" and "ceasefire-talks": one topic
    listed = json.loads(stored("topics", "--format", "json").stdout)
    assert listed == [
        {"topic": "istanbul", "statements": 2, "articles": 1},
        {"topic": "переговоры", "statements": 2, "articles": 2},
        {"topic": "ceasefire-talks", "statements": 1, "articles": 1},
    ]
    table = stored("topics").stdout
    assert table.splitlines()[0].split() == ["topic", "statements", "articles"]
    assert "переговоры" in table
    rows = list(csv.reader(io.StringIO(stored("topics", "--format", "csv",
                                              "--limit", "2").stdout)))
    assert rows == [["topic", "statements", "articles"], ["istanbul", "2", "1"],
                    ["переговоры", "2", "2"]]


def test_no_topics_says_so(cli):
    result = cli("topics")
    assert result.exit_code == 0
    assert "no topics" in result.output


def test_topic_filter_normalises_its_argument(stored):
    def refs(*args):
        result = stored("statements", *args, "--format", "json")
        assert result.exit_code == 0, result.output
        return [s["ref"] for s in json.loads(result.stdout)]

    assert refs("--topic", "ПЕРЕГОВОРЫ") == ["courier-report#viral-claim",
                                             "later-repost#repeated"]
    assert refs("--topic", "Ceasefire talks") == ["courier-report#viral-claim"]
    assert refs("--topic", "Istanbul", "--kind", "indirect") == ["courier-report#met"]
    assert refs("--topic", "elections") == []
    export = stored("export", "jsonl", "--topic", "istanbul").stdout.splitlines()
    assert len(export) == 2
    refused = stored("statements", "--topic", "!!!")
    assert refused.exit_code == 1
    assert "names no topic" in refused.stderr


def test_topics_through_the_python_api(db):
    with claimsdb.open(db) as database:
        database.add(FILES)
        assert [(t.topic, t.statements, t.articles) for t in database.topics(limit=1)] == [
            ("istanbul", 2, 1)]
        found = database.statements(claimsdb.StatementFilter(topic="переговоры"))
        assert [s.ref for s in found] == ["courier-report#viral-claim", "later-repost#repeated"]


# -- notes, reviews and archive fields, stored and written back --------------------------------

def test_reviews_notes_and_archive_fields_are_stored(stored, engine):
    with engine.connect() as conn:
        review = conn.execute(sql(
            "SELECT a.key, r.position, r.rating, r.url, r.reviewed_on, r.summary "
            "FROM reviews r JOIN actors a ON a.id = r.reviewer_id")).one()
        article = conn.execute(sql(
            "SELECT retrieved, archived_url, note FROM articles WHERE key = 'courier-report'"
        )).one()
        notes = conn.execute(sql(
            "SELECT s.note, a.note FROM statements s, actors a "
            "WHERE s.key = 'viral-claim' AND a.key = 'facebook-post'")).one()
    assert tuple(review) == (
        "politifact", 0, "False",
        "https://www.politifact.com/factchecks/2025/may/14/facebook-posts/"
        "istanbul-talks-not-cancelled/",
        "2025-05-14",
        "The Russian and Ukrainian delegations met in Istanbul on 16 May as planned.")
    assert tuple(article) == (
        "2025-05-20",
        "https://web.archive.org/web/20250520101500/"
        "https://courier.example.com/2025/05/14/istanbul-talks",
        "Checked against the Turkish foreign ministry's statement of 14 May.")
    assert tuple(notes) == (
        "The post gives no source; it echoes Telegram channels of the day before.",
        "Shared about 12,000 times by 14 May.")


def test_notes_reviews_and_topics_survive_export_and_reimport(stored, db, tmp_path):
    target = tmp_path / "courier.yaml"
    assert stored("export", "article", "courier-report", "-o", target).exit_code == 0
    written = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert written["format"] == "claimsdb/article@1.1"
    assert written["article"]["note"].startswith("Checked against")
    assert written["article"]["retrieved"].isoformat() == "2025-05-20"
    facebook = next(a for a in written["actors"] if a["key"] == "facebook-post")
    assert facebook["note"] == "Shared about 12,000 times by 14 May."
    claim = written["statements"][0]
    assert claim["topics"] == ["ceasefire-talks", "istanbul", "переговоры"]
    assert claim["reviews"][0]["by"] == "politifact"
    assert claim["reviews"][0]["rating"] == "False"

    again = stored("add", target)
    assert "unchanged" in again.output, again.output

    # into an empty database (the article it repeats first): the same file back
    fresh = tmp_path / "fresh.db"
    assert stored("add", FILES[0], target, db=str(fresh)).exit_code == 0
    assert stored("export", "article", "courier-report", db=str(fresh)).stdout == \
        target.read_text(encoding="utf-8")


def test_a_version_1_article_still_exports_as_version_1(stored):
    text = stored("export", "article", "telegram-origin").stdout
    assert "format: claimsdb/article@1\n" in text
    for field in ("topics", "note", "reviews", "retrieved", "archived_url"):
        assert f"{field}:" not in text


def test_replace_replaces_topics_and_reviews(stored, engine, tmp_path):
    changed = (FACTCHECK / "courier-report.yaml").read_text(encoding="utf-8")
    changed = changed.replace('topics: ["Ceasefire talks!", "Переговоры", "ceasefire-talks", '
                              '"  Istanbul  "]', "topics: [fact-checks]")
    changed = changed.replace('rating: "False"', "rating: Pants on Fire")
    path = tmp_path / "courier-report.yaml"
    path.write_text(changed, encoding="utf-8")
    refused = stored("add", path)
    assert refused.exit_code == 1 and "--replace" in refused.stderr
    assert stored("add", "--replace", path).exit_code == 0
    with engine.connect() as conn:
        topics = conn.execute(sql(
            "SELECT t.topic FROM statement_topics t JOIN statements s ON s.id = t.statement_id "
            "WHERE s.key = 'viral-claim' ORDER BY t.topic")).scalars().all()
        ratings = conn.execute(sql("SELECT rating FROM reviews")).scalars().all()
    assert topics == ["fact-checks"]
    assert ratings == ["Pants on Fire"]


def test_batch_import_stores_the_same_topics_reviews_and_notes(cli, engine, tmp_path):
    assert cli("add", "--batch", "3", *FILES).exit_code == 0
    batch = _additions(engine)
    one_by_one = tmp_path / "one.db"
    assert cli("add", *FILES, db=str(one_by_one)).exit_code == 0
    from claimsdb.store.db import make_engine

    other = make_engine(str(one_by_one))
    try:
        assert _additions(other) == batch
    finally:
        other.dispose()
    assert batch["reviews"] and batch["topics"]


def _additions(engine) -> dict[str, list]:
    queries = {
        "topics": "SELECT s.key, t.topic FROM statement_topics t "
                  "JOIN statements s ON s.id = t.statement_id ORDER BY 1, 2",
        "reviews": "SELECT s.key, r.position, a.key, r.rating, r.url, r.reviewed_on, "
                   "r.summary FROM reviews r JOIN statements s ON s.id = r.statement_id "
                   "JOIN actors a ON a.id = r.reviewer_id ORDER BY 1, 2",
        "notes": "SELECT key, note FROM statements WHERE note IS NOT NULL ORDER BY 1",
        "articles": "SELECT key, retrieved, archived_url, note, content_hash FROM articles "
                    "ORDER BY 1",
        "actors": "SELECT key, note FROM actors WHERE note IS NOT NULL ORDER BY 1",
    }
    with engine.connect() as conn:
        return {name: [tuple(r) for r in conn.execute(sql(q))] for name, q in queries.items()}


def test_an_actor_note_conflicting_with_the_stored_one_is_refused_like_a_description(
        stored, engine, write_article):
    path = write_article(
        "format: claimsdb/article@1.1\n"
        "article:\n  key: second-look\n  title: Second look\n"
        "  text: A viral post said the talks were off.\n"
        "actors:\n"
        "  - {key: facebook-post, name: a viral Facebook post, kind: group,"
        " identified: anonymous, note: Deleted on 15 May.}\n"
        "statements:\n"
        "  - {key: talks-off, quote: the talks were off, chain: [facebook-post]}\n")
    before = dump(engine)
    refused = stored("add", path)
    assert refused.exit_code == 1
    assert ("actor 'facebook-post', field 'note': 'Deleted on 15 May.' conflicts with the "
            "stored note 'Shared about 12,000 times by 14 May.'") in refused.stderr
    assert dump(engine) == before
    corrected = stored("add", "--update-actors", path)
    assert corrected.exit_code == 0, corrected.output
    assert "note 'Shared about 12,000 times by 14 May.' -> 'Deleted on 15 May.'" in \
        corrected.output


def test_an_unknown_reviewer_is_refused_in_a_dry_run_and_a_batch_too(stored, engine):
    hostile = DATA / "hostile" / "review-by-unknown-actor.yaml"
    before = dump(engine)
    for args in (["--dry-run"], ["--batch", "2"]):
        result = stored("add", *args, hostile, FILES[0])
        assert result.exit_code == 1
        assert ("statement 'viral-claim', field 'reviews[0].by': unknown actor "
                "'politifakt'") in result.stderr
    assert dump(engine) == before


# -- archive fields in every view ---------------------------------------------------------------

ARCHIVE = ("https://web.archive.org/web/20250520101500/"
           "https://courier.example.com/2025/05/14/istanbul-talks")


def test_archive_fields_in_article_articles_csv_json_and_prov(stored):
    shown = stored("article", "courier-report").stdout
    assert f"  archived: {ARCHIVE}" in shown
    assert "  retrieved: 2025-05-20" in shown
    assert "note: Checked against the Turkish foreign ministry" in shown
    detail = json.loads(stored("article", "courier-report", "--format", "json").stdout)
    assert (detail["retrieved"], detail["archived_url"]) == ("2025-05-20", ARCHIVE)
    assert detail["note"].startswith("Checked against")

    rows = list(csv.DictReader(io.StringIO(stored("articles", "--format", "csv").stdout)))
    header = next(csv.reader(io.StringIO(stored("articles", "--format", "csv").stdout)))
    assert header[-2:] == ["retrieved", "archived_url"]  # after the stable columns
    by_key = {row["key"]: row for row in rows}
    assert by_key["courier-report"]["archived_url"] == ARCHIVE
    assert by_key["telegram-origin"]["retrieved"] == ""
    exported = json.loads(stored("export", "json", "--table", "articles").stdout)
    assert {a["key"]: a["retrieved"] for a in exported} == {
        "courier-report": "2025-05-20", "telegram-origin": None, "later-repost": None}

    prov = json.loads(stored("export", "prov", "--article", "courier-report").stdout)
    entity = prov["entity"]["article:courier-report"]
    assert entity["claimsdb:retrieved"] == {"$": "2025-05-20", "type": "xsd:date"}
    assert entity["claimsdb:archivedUrl"] == ARCHIVE


def test_a_bad_retrieved_date_is_refused(cli, write_article):
    path = write_article(
        "format: claimsdb/article@1.1\n"
        "article:\n  key: undated\n  title: Undated\n  retrieved: last Tuesday\n"
        "  text: Nothing yet.\nstatements: []\n")
    result = cli("add", path)
    assert result.exit_code == 1
    assert "article, field 'retrieved': 'last Tuesday' is not an ISO date" in result.stderr


# -- ClaimReview ------------------------------------------------------------------------------

def _local_context(url, options=None):
    """pyld's document loader for the tests: schema.org's context from tests/data,
    never the network."""
    if url.rstrip("/") not in {u.rstrip("/") for u in CONTEXT_URLS}:
        raise AssertionError(f"the test would fetch {url}")
    return {"contextUrl": None, "documentUrl": url,
            "document": json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))}


def _one(node: dict, term: str):
    [value] = node[SCHEMA + term]
    return value


def test_claimreview_is_json_ld_that_expands_with_schema_org_terms(stored, db):
    written = stored("export", "claimreview").stdout
    with claimsdb.open(db) as database:
        stream = io.StringIO()
        assert database.export("claimreview", stream) == 1
    assert stream.getvalue() == written

    expanded = jsonld.expand(json.loads(written), {"documentLoader": _local_context})
    [review] = expanded
    assert review["@type"] == [SCHEMA + "ClaimReview"]
    assert _one(review, "claimReviewed") == {"@value": "Ukraine cancelled the Istanbul talks"}
    assert _one(review, "url")["@id"].startswith("https://www.politifact.com/factchecks/")
    assert _one(review, "datePublished") == {"@value": "2025-05-14", "@type": SCHEMA + "Date"}
    assert _one(_one(review, "author"), "name") == {"@value": "PolitiFact"}
    rating = _one(review, "reviewRating")
    assert rating["@type"] == [SCHEMA + "Rating"]
    assert _one(rating, "alternateName") == {"@value": "False"}

    claim = _one(review, "itemReviewed")
    assert claim["@type"] == [SCHEMA + "Claim"]
    speaker = _one(claim, "author")  # the original speaker, not the Courier
    assert _one(speaker, "name") == {"@value": "a viral Facebook post"}
    appearances = [_one(work, "url")["@id"] for work in claim[SCHEMA + "appearance"]]
    assert appearances == ["https://courier.example.com/2025/05/14/istanbul-talks",
                           "https://dws.example.net/2025/05/15/istanbul-claim"]
    first = _one(claim, "firstAppearance")  # upstream: the Telegram rumour the day before
    assert _one(first, "url") == {
        "@id": "https://monitor.example.org/2025/05/13/istanbul-talks-channels"}
    assert _one(first, "headline") == {"@value": "Channels claim Istanbul talks “cancelled”"}


def test_claimreview_to_a_file_and_filtered(stored, tmp_path):
    target = tmp_path / "reviews.jsonld"
    result = stored("export", "claimreview", "-o", target)
    assert result.exit_code == 0
    assert f"wrote 1 ClaimReview objects to {target}" in result.stderr
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["@context"] == "https://schema.org"
    assert len(document["@graph"]) == 1
    none = json.loads(stored("export", "claimreview", "--article", "later-repost").stdout)
    assert none == {"@context": "https://schema.org", "@graph": []}


def test_claimreview_through_export_file(db, tmp_path):
    with claimsdb.open(db) as database:
        database.add(FILES)
        result = database.export_file("claimreview", tmp_path / "out.jsonld")
    assert (result.rows, result.noun) == (1, "review")
    assert json.loads((tmp_path / "out.jsonld").read_text(encoding="utf-8"))["@graph"]


def test_help_has_examples(cli):
    for args in (["topics", "--help"], ["export", "claimreview", "--help"]):
        assert "Examples:" in cli(*args).output


def test_the_context_file_says_where_it_comes_from():
    readme = (Path(CONTEXT_FILE).parent / "README.md").read_text(encoding="utf-8")
    assert "https://schema.org/docs/jsonldcontext.jsonld" in readme
