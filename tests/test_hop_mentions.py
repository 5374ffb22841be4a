"""Issue 13 point 2: how the article names each source, where, and with which words.

One article, written for these tests, names the same health minister four ways: by
role ("An Indonesian health ministry official"), by pronoun ("He"), anonymously ("A
source close to the ministry") and by name; and an outlet as "the newspaper". The
story a user follows: import it, ask who is anonymous where, see the words marked in
the text, export it and import it again unchanged; and a mention that is not in the
text is refused with nothing written. On both backends, through the CLI and through
``claimsdb.open``.
"""

from __future__ import annotations

import json

import pytest
import yaml

from claimsdb.errors import ArticleError
from claimsdb.format import spans
from claimsdb.format.articles import parse_article
from claimsdb.query.queries import StatementFilter
from helpers import dump

TEXT = (
    "JAKARTA — An Indonesian health ministry official said on Wednesday that the syrups "
    "“contained toxic ingredients”.\n"
    "He said the ban would stay until every batch was tested.\n"
    "A source close to the ministry said the recall was late.\n"
    "Budi Sadikin, the health minister, said the ministry “will not take any risk”.\n"
    "According to the newspaper, 99 children had died. The newspaper added that the toll "
    "could rise.\n"
    "Газета повідомила, що заборона триватиме.\n"
)

ARTICLE = """\
format: claimsdb/article@1.1
article:
  key: syrup-ban
  title: Indonesia bans syrup medicines — the minister “will not take any risk”
  outlet: example-wire
  text: |
{text}
actors:
  - {{key: example-wire, name: Example Wire, kind: outlet}}
  - {{key: kompas, name: Kompas, kind: outlet}}
  - {{key: budi-sadikin, name: Budi Gunadi Sadikin, kind: person}}
statements:
  - key: toxic
    quote: contained toxic ingredients
    kind: direct
    chain:
      - {{actor: budi-sadikin, cue: said, cue_occurrence: 1,
         mention: An Indonesian health ministry official, identified: role}}
  - key: ban
    quote: the ban would stay until every batch was tested
    chain: [{{actor: budi-sadikin, cue: said, mention: He, identified: role}}]
  - key: recall
    quote: the recall was late
    chain:
      - {{actor: budi-sadikin, cue: said, mention: A source close to the ministry,
         identified: anonymous}}
  - key: no-risk
    quote: will not take any risk
    kind: direct
    chain: [{{actor: budi-sadikin, cue: said, mention: "Budi Sadikin, the health minister"}}]
  - key: toll
    quote: 99 children had died
    chain: [{{actor: kompas, cue: according to, mention: the newspaper}}]
  - key: rise
    quote: the toll could rise
    chain: [{{actor: kompas, cue: added, mention: The newspaper}}]
  - key: ban-continues
    quote: заборона триватиме
    chain: [{{actor: kompas, cue: повідомила, mention: Газета, mention_occurrence: 1}}]
""".format(text="\n".join("    " + line for line in TEXT.splitlines()))


def span_of(words: str, after: str | None = None) -> list[int]:
    """The [start, end] of ``words`` in TEXT (the first match after ``after``)."""
    start = TEXT.index(words, TEXT.index(after) if after else 0)
    return [start, start + len(words)]


@pytest.fixture
def article_file(write_article):
    return write_article(ARTICLE, "syrup-ban.yaml")


@pytest.fixture
def stored(cli, article_file) -> None:
    result = cli("add", article_file)
    assert result.exit_code == 0, result.output


def json_of(cli, *args):
    result = cli(*args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# -- reading the file ----------------------------------------------------------------------

def test_mentions_and_cues_are_located_nearest_their_quote():
    spec = parse_article(ARTICLE)
    hops = {s.key: s.chain[0] for s in spec.statements}
    assert hops["ban"].mention_span == tuple(span_of("He"))  # not inside "the"
    assert hops["ban"].cue_span == tuple(span_of("said", "He said"))
    assert hops["recall"].cue_span == tuple(span_of("said", "ministry said"))
    assert hops["no-risk"].mention_span == tuple(span_of("Budi Sadikin, the health minister"))
    assert hops["toll"].mention_span == tuple(span_of("the newspaper"))
    assert hops["rise"].mention_span == tuple(span_of("The newspaper"))  # case counts
    assert hops["ban-continues"].mention_span == tuple(span_of("Газета"))
    assert hops["ban-continues"].cue_span == tuple(span_of("повідомила"))


def test_a_version_1_cue_not_in_the_text_has_no_span_and_no_error():
    hop = {s.key: s.chain[0] for s in parse_article(ARTICLE).statements}["toll"]
    assert hop.cue == "according to" and hop.cue_span is None  # the text has "According"


def test_cue_occurrence_picks_a_match_other_than_the_nearest():
    hop = parse_article(ARTICLE).statements[0].chain[0]
    # "He said" on the next line is nearer to the quote than the official's "said".
    quote = span_of("contained toxic ingredients")
    assert hop.cue_span == tuple(span_of("said"))
    assert not spans.is_nearest(TEXT, "said", hop.cue_span[0], *quote)
    assert hop.cue_pinned


def test_nearest_is_by_distance_from_the_quote_and_ties_go_to_the_earlier():
    text = "he said X he"
    assert spans.locate_near(text, [("he", None, 8, 9)]) == [(10, 12)]  # 1 vs 6 away
    assert spans.locate_near("he X he", [("he", None, 3, 4)]) == [(0, 2)]  # a tie
    assert spans.locate_near("the head", [("he", None, 0, 3)]) == [None]  # whole words
    assert spans.locate_near("he, he", [("he", 2, 0, 1)]) == [(4, 6)]
    missing = spans.locate_near("he", [("he", 2, 0, 1)])[0]
    assert isinstance(missing, spans.OccurrenceMissing) and missing.found == 1


def test_a_version_1_file_may_use_the_new_fields():
    version_1 = ARTICLE.replace("format: claimsdb/article@1.1", "format: claimsdb/article@1")
    assert parse_article(version_1).statements == parse_article(ARTICLE).statements


def test_an_article_without_the_new_fields_keeps_its_content_hash():
    plain = parse_article(
        "format: claimsdb/article@1\narticle: {key: a, title: T, text: X said it.}\n"
        "statements:\n  - {key: s, quote: it, chain: [{actor: x, cue: said}]}\n")
    assert plain.canonical()["statements"][0]["chain"] == [["x", "said"]]
    assert plain.statements[0].chain[0].cue_span == (2, 6)  # found, yet not content
    # The hash this article had before format 1.1 (computed by the version-1 code).
    assert plain.content_hash() == \
        "23db2bdc82601371f32d71d981eee0e09ae398922c660254d4dd48f8f09c484e"


def test_hostile_a_mention_not_in_the_text_is_refused_naming_the_field():
    bad = ARTICLE.replace("mention: He,", "mention: She,")
    with pytest.raises(ArticleError) as raised:
        parse_article(bad, source="syrup-ban.yaml")
    (problem,) = raised.value.problems
    assert problem.item == "statement 'ban'"
    assert problem.field == "chain[0].mention"
    assert "«She» is not in the article text" in problem.message
    assert "syrup-ban.yaml" in str(raised.value)


def test_occurrences_need_their_words_and_a_whole_number():
    bad = ARTICLE.replace("mention_occurrence: 1", "mention_occurrence: 0")
    with pytest.raises(ArticleError) as raised:
        parse_article(bad)
    assert [p.field for p in raised.value.problems] == ["mention_occurrence"]
    bad = ARTICLE.replace("cue: said, cue_occurrence: 1,", "cue_occurrence: 1,")
    with pytest.raises(ArticleError) as raised:
        parse_article(bad)
    assert "needs 'cue'" in raised.value.problems[0].message
    bad = ARTICLE.replace("identified: anonymous", "identified: secret")
    with pytest.raises(ArticleError) as raised:
        parse_article(bad)
    assert "'secret' is not one of: named, role, anonymous" in raised.value.problems[0].message


# -- the command line ----------------------------------------------------------------------

def test_origin_counts_the_hop_identification(cli, stored):
    def keys(origin: str) -> set[str]:
        return {s["statement"] for s in json_of(cli, "statements", "--origin", origin,
                                                "--format", "json")}

    # The minister is a named actor, cited by role twice and anonymously once.
    assert keys("role") == {"toxic", "ban"}
    assert keys("anonymous") == {"recall"}
    assert keys("named") == {"no-risk", "toll", "rise", "ban-continues"}
    (profile, _total) = json_of(cli, "sources", "--format", "json")
    assert (profile["named"], profile["role"], profile["anonymous"]) == (4, 2, 1)
    assert profile["independent_origins"] == 2  # the minister is one origin, however named
    (row,) = json_of(cli, "articles", "--format", "json")
    assert row["anonymous"] == 1
    table = cli("statements", "--article", "syrup-ban")
    assert "recall" in table.stdout and "anonymous" in table.stdout


def test_chain_json_gives_each_hop_its_mention_and_spans(cli, stored):
    chain = json_of(cli, "chain", "syrup-ban#ban", "--format", "json")["chain"]
    assert chain == [{
        "position": 0,
        "actor": {"key": "budi-sadikin", "name": "Budi Gunadi Sadikin", "kind": "person",
                  "identified": "named"},
        "cue": "said", "mention": "He", "identified": "role",
        "cue_span": span_of("said", "He said"), "mention_span": span_of("He"),
    }]
    toll = json_of(cli, "chain", "syrup-ban#toll", "--format", "json")["chain"][0]
    assert toll["cue_span"] is None and toll["mention_span"] == span_of("the newspaper")
    rows = json_of(cli, "export", "json", "--table", "chain", "--article", "syrup-ban")
    assert rows[0]["mention"] == "An Indonesian health ministry official"
    assert rows[0]["cue_span"] == span_of("said")


def test_chain_text_shows_how_the_source_is_named_there(cli, stored):
    shown = cli("chain", "syrup-ban#recall").stdout
    assert "named here as “A source close to the ministry”; anonymous here" in shown
    assert "named here as “Budi Sadikin, the health minister”" in \
        cli("chain", "syrup-ban#no-risk").stdout


def test_article_marks_sources_and_cues(cli, stored):
    shown = cli("article", "syrup-ban").stdout
    assert "⟨2 He ⟩2 ⌊2 said ⌋2 ⟦2 the ban would stay" in shown
    assert "According to ⟨5 the newspaper ⟩5, ⟦5 99 children had died ⟧5" in shown
    assert "⟨7 Газета ⟩7 ⌊7 повідомила ⌋7" in shown
    assert "⟨n the words naming its source⟩n" in shown
    marks = json_of(cli, "article", "syrup-ban", "--format", "json")["marks"]
    assert {"type": "source", "number": 2, "statement": "ban", "span": span_of("He"),
            "actor": "budi-sadikin"} in marks
    assert {"type": "cue", "number": 2, "statement": "ban",
            "span": span_of("said", "He said"), "actor": "budi-sadikin"} in marks
    assert [m["span"][0] for m in marks] == sorted(m["span"][0] for m in marks)


def test_export_round_trip_re_imports_unchanged(cli, stored, tmp_path, empty_db):
    exported = tmp_path / "exported.yaml"
    assert cli("export", "article", "syrup-ban", "-o", exported).exit_code == 0
    document = yaml.safe_load(exported.read_text(encoding="utf-8"))
    assert document["format"] == "claimsdb/article@1.1"
    chains = {s["key"]: s["chain"] for s in document["statements"]}
    # cue_occurrence stays where it is not the nearest match; a mention_occurrence that
    # picks the nearest one anyway is not written back.
    assert chains["toxic"] == [{"actor": "budi-sadikin", "cue": "said", "cue_occurrence": 1,
                                "mention": "An Indonesian health ministry official",
                                "identified": "role"}]
    assert chains["ban-continues"] == [{"actor": "kompas", "cue": "повідомила",
                                        "mention": "Газета"}]
    again = cli("add", exported)
    assert again.exit_code == 0 and "unchanged" in again.output
    assert cli("init", db=empty_db).exit_code == 0
    assert cli("add", exported, db=empty_db).exit_code == 0
    second = tmp_path / "second.yaml"
    assert cli("export", "article", "syrup-ban", "-o", second, db=empty_db).exit_code == 0
    assert second.read_text(encoding="utf-8") == exported.read_text(encoding="utf-8")
    assert cli("check", db=empty_db).exit_code == 0
    assert cli("check").exit_code == 0


def test_a_version_1_file_exports_as_before(cli, write_article, tmp_path):
    source = write_article(
        "format: claimsdb/article@1\n"
        "article:\n  key: plain\n  title: Plain\n  text: \"Officials said the talks "
        "stalled, according to Reuters.\"\n"
        "actors:\n  - {key: reuters, name: Reuters, kind: outlet}\n"
        "  - {key: officials, name: Officials, kind: group, identified: anonymous}\n"
        "statements:\n  - key: stalled\n    quote: the talks stalled\n    chain:\n"
        "      - {actor: reuters, cue: according to}\n"
        "      - {actor: officials, cue: says}\n", "plain.yaml")
    assert cli("add", source).exit_code == 0
    written = cli("export", "article", "plain").stdout
    assert "format: claimsdb/article@1\n" in written
    assert "- {actor: reuters, cue: according to}\n" in written
    assert "- {actor: officials, cue: says}\n" in written  # not in the text: no span
    hops = json_of(cli, "chain", "plain#stalled", "--format", "json")["chain"]
    start = "Officials said the talks stalled, according to Reuters.".index("according to")
    assert [h["cue_span"] for h in hops] == [[start, start + len("according to")], None]


def test_hostile_mention_not_in_text_writes_nothing(cli, stored, write_article, engine):
    before = dump(engine)
    bad = write_article(ARTICLE.replace("key: syrup-ban", "key: syrup-ban-2")
                        .replace("mention: The newspaper", "mention: The paper"), "bad.yaml")
    result = cli("add", bad)
    assert result.exit_code == 1
    assert "bad.yaml" in result.stderr
    assert "statement 'rise', field 'chain[0].mention': «The paper» is not in the article " \
        "text" in result.stderr
    assert "Traceback" not in result.stderr
    assert dump(engine) == before


# -- the Python API --------------------------------------------------------------------------

def test_python_api_sees_mentions_and_origins(db, article_file, tmp_path):
    import claimsdb

    with claimsdb.open(db) as database:
        database.add([article_file])
        view = database.chain("syrup-ban#recall")
        (hop,) = view.chain
        assert (hop.mention, hop.identified, hop.identification) == (
            "A source close to the ministry", "anonymous", "anonymous")
        assert hop.mention_span == tuple(span_of("A source close to the ministry"))
        assert view.speaker.identified == "named" and view.origin_identified == "anonymous"
        anonymous = database.statements(StatementFilter(origin="anonymous"))
        assert [s.key for s in anonymous] == ["recall"]
        (profile, _total) = database.sources()
        assert (profile.named, profile.role, profile.anonymous) == (4, 2, 1)
        assert database.check().ok
        bad = tmp_path / "missing-mention.yaml"
        bad.write_text(ARTICLE.replace("key: syrup-ban", "key: other")
                       .replace("mention: He,", "mention: Him,"), encoding="utf-8")
        with pytest.raises(ArticleError) as raised:
            database.add(bad)
        (problem,) = raised.value.problems
        assert (problem.item, problem.field) == ("statement 'ban'", "chain[0].mention")
        assert [a.key for a in database.articles()] == ["syrup-ban"]


def test_bulk_import_path_stores_the_same_hops(db, write_article, tmp_path):
    """``add --batch`` (ingest/bulk.py) writes the hop columns as the one-by-one path."""
    import claimsdb

    first = write_article(ARTICLE, "one.yaml")
    second = write_article(ARTICLE.replace("key: syrup-ban", "key: syrup-ban-copy"),
                           "two.yaml")
    with claimsdb.open(db) as database:
        database.add([first, second], batch=2)
        one = database.chain("syrup-ban#ban").chain[0]
        two = database.chain("syrup-ban-copy#ban").chain[0]
        assert one == two and one.mention_span == tuple(span_of("He"))
