"""Importing articles into real databases, on SQLite and PostgreSQL.

Each test runs once per backend (the ``backend``-parametrised fixtures of conftest).
Rows are checked through ``helpers.content`` (by keys, so generated ids do not
matter); every refused import is checked with ``helpers.dump`` before and after,
which must be identical: one file is one transaction.
"""

from __future__ import annotations

import json
import textwrap

import pytest
from sqlalchemy import Engine, text

from claimsdb.errors import ArticleConflict, ArticleError
from claimsdb.format.articles import ArticleSpec, parse_article, read_article
from claimsdb.format.seeds import seed_files
from claimsdb.ingest.importer import (
    ADDED,
    REPLACED,
    UNCHANGED,
    ImportResult,
    import_files,
    import_spec,
)
from helpers import content, dump

# -- helpers -------------------------------------------------------------------------


def doc(document: str) -> str:
    return textwrap.dedent(document).lstrip("\n")


def spec_of(document: str, source: str = "article.yaml") -> ArticleSpec:
    return parse_article(doc(document), source=source)


def add(engine: Engine, document: str, **kwargs) -> ImportResult:
    return import_spec(engine, spec_of(document), **kwargs)


def refused(engine: Engine, document: str, error: type[Exception] = ArticleError, **kwargs):
    """Import must fail with ``error`` and leave every row of the database as it was."""
    before = dump(engine)
    with pytest.raises(error) as info:
        add(engine, document, **kwargs)
    assert dump(engine) == before
    return info.value


def rows(engine: Engine, table: str) -> set[tuple]:
    found = content(engine)[table]
    assert len(found) == len(set(found)), f"duplicate rows in {table}"
    return set(found)


def ids_by_key(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {f"{a}#{s}": i for a, s, i in conn.execute(text(
            "SELECT a.key, s.key, s.id FROM statements s JOIN articles a ON a.id = s.article_id"
        ))}


FULL = """
    format: claimsdb/article@1
    article:
      key: full
      title: Full article
      outlet: daily
      url: https://example.org/full
      published: 2025-03-12T14:30:00+01:00
      language: en-GB
      authors: [jane-doe, john-roe]
      text: |
        The Daily reports that talks stalled. According to Reuters, officials say
        the deal is dead. Peskov said: “this does not reflect reality”. Earlier,
        Putin demanded guarantees. Analysts agree the deal is dead.
    actors:
      - {key: daily, name: The Daily, kind: outlet}
      - {key: jane-doe, name: Jane Doe, kind: person}
      - {key: john-roe, name: John Roe, kind: person, identified: named}
      - {key: reuters, name: Reuters, kind: outlet, aliases: [Reuters News]}
      - key: officials
        name: Officials
        kind: group
        identified: anonymous
        description: Unnamed officials.
      - key: peskov
        name: Dmitry Peskov
        kind: person
        wikidata: Q4158925
        aliases: [Peskov, Dmitri Peskov]
        roles:
          - {of: kremlin, title: spokesman, from: 2012-05-22}
          - {of: kremlin, title: press secretary, from: 2008-05-12, to: 2012-05-21}
      - {key: kremlin, name: Kremlin, kind: organization}
      - {key: putin, name: Vladimir Putin, kind: person}
      - {key: analysts, name: Analysts, kind: group, identified: role}
      - {key: ukraine, name: Ukraine, kind: government}
    statements:
      - key: stalled
        quote: talks stalled
      - key: dead
        quote: the deal is dead
        occurrence: 1
        chain:
          - {actor: reuters, cue: According to}
          - {actor: officials, cue: say}
        about: [ukraine, kremlin]
      - key: denial
        quote: this does not reflect reality
        kind: direct
        chain: [{actor: peskov, cue: said}]
        denies: [dead]
        contradicts: [stalled]
      - key: demand
        quote: Putin demanded guarantees
        chain: [putin]
        stated_on: 2025-02-01
      - key: agree
        quote: the deal is dead
        occurrence: 2
        chain: [analysts]
        supports: [dead]
        repeats: [dead]
"""

ORIGIN = """
    article:
      key: origin
      title: Origin
      outlet: wire
      url: https://example.org/origin
      text: The wire reports the bridge was hit. Officials confirm it.
    actors:
      - {key: wire, name: The Wire, kind: outlet}
      - {key: officials, name: Officials, kind: group, identified: anonymous}
    statements:
      - {key: claim, quote: the bridge was hit}
      - {key: confirm, quote: Officials confirm it, chain: [officials], supports: [claim]}
"""

RELAY = """
    article:
      key: relay
      title: Relay
      text: Others denied the bridge was hit, and repeated it later.
    actors:
      - {key: others, name: Others, kind: group}
    statements:
      - key: denial
        quote: Others denied
        chain: [others]
        denies: [origin#claim]
      - key: again
        quote: repeated it later
        repeats: [origin#claim]
        supports: [origin#confirm]
"""


# -- every format feature lands in the right rows ---------------------------------------


def test_every_format_feature_lands_in_the_right_rows(engine):
    result = add(engine, FULL)
    assert result == ImportResult("article.yaml", "full", ADDED, 5, actors_added=10)
    assert result.describe() == (
        "article.yaml: added article 'full' (5 statements); 10 new actors")
    spec = spec_of(FULL)
    assert rows(engine, "actors") == {
        ("daily", "The Daily", "outlet", "named", None, None),
        ("jane-doe", "Jane Doe", "person", "named", None, None),
        ("john-roe", "John Roe", "person", "named", None, None),
        ("reuters", "Reuters", "outlet", "named", None, None),
        ("officials", "Officials", "group", "anonymous", None, "Unnamed officials."),
        ("peskov", "Dmitry Peskov", "person", "named", "Q4158925", None),
        ("kremlin", "Kremlin", "organization", "named", None, None),
        ("putin", "Vladimir Putin", "person", "named", None, None),
        ("analysts", "Analysts", "group", "role", None, None),
        ("ukraine", "Ukraine", "government", "named", None, None),
    }
    assert rows(engine, "aliases") == {
        ("peskov", "Peskov"), ("peskov", "Dmitri Peskov"), ("reuters", "Reuters News")}
    assert rows(engine, "roles") == {
        ("peskov", "kremlin", "spokesman", "2012-05-22", None),
        ("peskov", "kremlin", "press secretary", "2008-05-12", "2012-05-21"),
    }
    assert rows(engine, "articles") == {(
        "full", "Full article", "daily", "https://example.org/full",
        "2025-03-12T14:30:00+01:00", "en-GB", spec.text, spec.content_hash(),
    )}
    assert rows(engine, "authors") == {("full", "0", "jane-doe"), ("full", "1", "john-roe")}

    def span(quote: str, nth: int = 1) -> tuple[str, str]:
        start = -1
        for _ in range(nth):
            start = spec.text.index(quote, start + 1)
        return str(start), str(start + len(quote))

    assert rows(engine, "statements") == {
        # Own voice: the speaker is the outlet.
        ("full", "stalled", "talks stalled", *span("talks stalled"), "indirect", None, "daily"),
        # A chain: the speaker is its last hop.
        ("full", "dead", "the deal is dead", *span("the deal is dead"), "indirect", None,
         "officials"),
        ("full", "denial", "this does not reflect reality",
         *span("this does not reflect reality"), "direct", None, "peskov"),
        ("full", "demand", "Putin demanded guarantees", *span("Putin demanded guarantees"),
         "indirect", "2025-02-01", "putin"),
        ("full", "agree", "the deal is dead", *span("the deal is dead", 2), "indirect", None,
         "analysts"),
    }
    assert rows(engine, "hops") == {
        ("full", "dead", "0", "reuters", "According to"),
        ("full", "dead", "1", "officials", "say"),
        ("full", "denial", "0", "peskov", "said"),
        ("full", "demand", "0", "putin", None),
        ("full", "agree", "0", "analysts", None),
    }
    assert rows(engine, "about") == {("full", "dead", "ukraine"), ("full", "dead", "kremlin")}
    assert rows(engine, "relations") == {
        ("full", "denial", "denies", "full", "dead"),
        ("full", "denial", "contradicts", "full", "stalled"),
        ("full", "agree", "supports", "full", "dead"),
        ("full", "agree", "repeats", "full", "dead"),
    }


def test_speaker_is_null_for_own_voice_without_an_outlet(engine):
    document = """
        article: {key: no-outlet, title: No outlet, text: "It rained. Officials said so."}
        actors: [{key: officials, name: Officials, kind: group}]
        statements:
          - {key: own, quote: It rained.}
          - {key: said, quote: Officials said so, chain: [{actor: officials, cue: said}]}
    """
    add(engine, document)
    statements = {row[1]: row for row in rows(engine, "statements")}
    assert statements["own"][-1] is None
    assert statements["said"][-1] == "officials"
    assert rows(engine, "articles") == {(
        "no-outlet", "No outlet", None, None, None, "en", "It rained. Officials said so.",
        spec_of(document).content_hash(),
    )}


def test_cross_article_references(engine):
    add(engine, ORIGIN)
    result = add(engine, RELAY)
    assert result.status == ADDED
    assert rows(engine, "relations") == {
        ("origin", "confirm", "supports", "origin", "claim"),
        ("relay", "denial", "denies", "origin", "claim"),
        ("relay", "again", "repeats", "origin", "claim"),
        ("relay", "again", "supports", "origin", "confirm"),
    }


def test_spans_are_code_points_on_the_backend_too(engine):
    # SQL substr() counts characters on both backends: spans must agree with it for
    # Cyrillic, Arabic, curly quotes, non-breaking spaces and characters beyond the BMP.
    body = ("😀 Песков заявил: «это не так». وقال المتحدث إن «المحادثات متوقفة». "
            "10\u00a0000 troops\tmoved — “allegedly”.")
    add(engine, f"""
        article:
          key: scripts
          title: Scripts
          text: {json.dumps(body, ensure_ascii=False)}
        statements:
          - {{key: ru, quote: это не так}}
          - {{key: ar, quote: المحادثات متوقفة}}
          - {{key: nbsp, quote: "10\\u00a0000 troops\\tmoved"}}
          - {{key: curly, quote: — “allegedly”}}
    """)
    with engine.connect() as conn:
        found = conn.execute(text(
            "SELECT s.key, s.quote, substr(a.text, s.span_start + 1, s.span_end - s.span_start) "
            "FROM statements s JOIN articles a ON a.id = s.article_id"
        )).all()
    assert len(found) == 4
    for key, quote, stored in found:
        assert stored == quote, key


def test_text_file_is_stored_exactly(engine, tmp_path):
    body = "Line one,\r\n\tindented\u00a0line — «two».\r\n\r\nThird paragraph: “end”.\r\n"
    (tmp_path / "body.txt").write_bytes(body.encode("utf-8"))
    path = tmp_path / "exact.yaml"
    path.write_text(doc("""
        article: {key: exact, title: Exact, text_file: body.txt}
        statements:
          - {key: across, quote: "«two».\\r\\n\\r\\nThird"}
    """), encoding="utf-8")
    (result,) = import_files(engine, [path])
    assert result.status == ADDED
    with engine.connect() as conn:
        stored, start, end = conn.execute(text(
            "SELECT a.text, s.span_start, s.span_end FROM articles a "
            "JOIN statements s ON s.article_id = a.id")).one()
    assert stored == body
    assert stored[start:end] == "«two».\r\n\r\nThird"


def test_values_at_the_column_limits_import_on_both_backends(engine):
    key = "k" * 200
    language = "en-" + "-".join(["abcdefgh"] * 3) + "-abcde"  # 35 characters
    assert len(language) == 35
    add(engine, f"""
        article: {{key: {key}, title: Limits, text: Hello there., language: {language}}}
        actors:
          - {{key: {key}, name: Long, kind: person, wikidata: Q{"1" * 31},
             aliases: ["{"a" * 500}"]}}
        statements:
          - {{key: {key}, quote: Hello, chain: [{key}]}}
    """)
    (article,) = rows(engine, "articles")
    assert article[0] == key and article[5] == language
    assert rows(engine, "aliases") == {(key, "a" * 500)}


# -- same again, changed, replaced ----------------------------------------------------


def test_same_file_again_is_unchanged(engine, write_article):
    path = write_article(doc(FULL))
    (first,) = import_files(engine, [path])
    assert first.status == ADDED
    before = dump(engine)
    (second,) = import_files(engine, [path])
    assert second == ImportResult(str(path), "full", UNCHANGED, 5)
    assert second.describe().startswith(f"{path}: unchanged article 'full'")
    assert "statements" not in second.describe()
    assert dump(engine) == before  # not even imported_at moved
    (third,) = import_files(engine, [path], replace=True)
    assert third.status == UNCHANGED
    assert dump(engine) == before


def test_same_content_in_other_formatting_is_unchanged(engine):
    add(engine, ORIGIN)
    before = dump(engine)
    reformatted = """
        statements:
          - key: confirm
            supports: [origin#claim]
            chain: [{actor: officials}]
            quote: "Officials confirm it"
          - {key: claim, quote: 'the bridge was hit'}
        article:
          url: "https://example.org/origin"
          text: >-
            The wire reports the bridge was hit.
            Officials confirm it.
          outlet: wire
          title: "Origin"
          key: origin
    """
    assert add(engine, reformatted).status == UNCHANGED
    assert dump(engine) == before


def test_seed_imported_twice_changes_nothing(seeded, engine):
    before = dump(engine)
    assert before["articles"] and before["statements"]
    results = import_files(engine, seed_files())
    assert {r.status for r in results} == {UNCHANGED}
    assert dump(engine) == before


def test_changed_content_is_a_conflict_and_changes_nothing(engine):
    add(engine, ORIGIN)
    changed = ORIGIN.replace("title: Origin", "title: Origin, revised")
    error = refused(engine, changed, ArticleConflict)
    assert error.key == "origin"
    assert "article 'origin' is already stored with different content" in str(error)
    assert "--replace" in str(error)
    # A dry run is refused the same way.
    refused(engine, changed, ArticleConflict, dry_run=True)


def test_replace_stores_the_new_content(engine):
    add(engine, ORIGIN)
    revised = """
        article:
          key: origin
          title: Origin, revised
          outlet: wire
          url: https://example.org/origin
          text: The wire now reports the bridge was hit twice. Officials confirm it.
        statements:
          - {key: claim, quote: the bridge was hit twice}
          - {key: confirm, quote: Officials confirm it, chain: [officials], denies: [claim]}
          - {key: update, quote: now reports}
    """
    result = add(engine, revised, replace=True)
    assert result == ImportResult("article.yaml", "origin", REPLACED, 3)
    assert result.describe() == "article.yaml: replaced article 'origin' (3 statements)"
    spec = spec_of(revised)
    (article,) = rows(engine, "articles")
    assert article[1] == "Origin, revised" and article[6] == spec.text
    assert article[7] == spec.content_hash()
    assert {(r[1], r[2]) for r in rows(engine, "statements")} == {
        ("claim", "the bridge was hit twice"), ("confirm", "Officials confirm it"),
        ("update", "now reports")}
    assert rows(engine, "relations") == {("origin", "confirm", "denies", "origin", "claim")}
    assert rows(engine, "hops") == {("origin", "confirm", "0", "officials", None)}


def test_replace_keeps_incoming_relations_to_kept_statements(engine):
    add(engine, ORIGIN)
    add(engine, RELAY)
    relay_ids = {k: v for k, v in ids_by_key(engine).items() if k.startswith("relay#")}
    revised = ORIGIN.replace("title: Origin", "title: Origin, revised").replace(
        "The wire reports the bridge was hit.", "The wire reported the bridge was hit.")
    assert add(engine, revised, replace=True).status == REPLACED
    assert rows(engine, "relations") == {
        ("origin", "confirm", "supports", "origin", "claim"),
        ("relay", "denial", "denies", "origin", "claim"),
        ("relay", "again", "repeats", "origin", "claim"),
        ("relay", "again", "supports", "origin", "confirm"),
    }
    # The other article itself is untouched.
    assert {k: v for k, v in ids_by_key(engine).items() if k.startswith("relay#")} == relay_ids
    (title,) = [r[1] for r in rows(engine, "articles") if r[0] == "origin"]
    assert title == "Origin, revised"


def test_replace_dropping_a_referenced_statement_is_refused(engine):
    add(engine, ORIGIN)
    add(engine, RELAY)
    without_claim = """
        article:
          key: origin
          title: Origin
          outlet: wire
          url: https://example.org/origin
          text: The wire reports the bridge was hit. Officials confirm it.
        statements:
          - {key: confirm, quote: Officials confirm it, chain: [officials]}
    """
    error = refused(engine, without_claim, replace=True)
    problems = error.problems
    assert {p.item for p in problems} == {"statement 'claim'"}
    messages = " | ".join(p.message for p in problems)
    assert "the new version drops statement 'claim', which relay#denial denies" in messages
    assert "relay#again repeats" in messages
    assert "remove the reference from 'relay' first" in messages
    assert len(problems) == 2


def test_repeats_cycle_across_articles_via_replace_is_refused(engine):
    add(engine, ORIGIN)
    add(engine, RELAY)  # relay#again repeats origin#claim
    looping = ORIGIN.replace("- {key: claim, quote: the bridge was hit}",
                             "- {key: claim, quote: the bridge was hit, repeats: [relay#again]}")
    assert "relay#again" in looping
    error = refused(engine, looping, replace=True)
    (problem,) = error.problems
    assert problem.message == ("'repeats' links would form a cycle through stored articles: "
                               "origin#claim -> relay#again -> origin#claim")
    assert (problem.item, problem.field) == ("statement 'claim'", "repeats")


def test_repeats_cycle_through_three_articles_is_refused(engine):
    add(engine, ORIGIN)
    add(engine, RELAY)  # relay#again repeats origin#claim
    add(engine, """
        article: {key: third, title: Third, text: A third outlet repeated the relay.}
        statements:
          - {key: echo, quote: repeated the relay, repeats: [relay#again]}
    """)
    looping = ORIGIN.replace("- {key: claim, quote: the bridge was hit}",
                             "- {key: claim, quote: the bridge was hit, repeats: [third#echo]}")
    error = refused(engine, looping, replace=True)
    (problem,) = error.problems
    assert problem.message.endswith(
        "origin#claim -> third#echo -> relay#again -> origin#claim")


def test_replace_with_repeats_that_do_not_loop_is_fine(engine):
    add(engine, ORIGIN)
    add(engine, RELAY)  # relay#again repeats origin#claim
    add(engine, """
        article: {key: older, title: Older, text: "The bridge was hit, an older report said."}
        statements:
          - {key: first, quote: The bridge was hit}
    """)
    upstream = ORIGIN.replace("- {key: claim, quote: the bridge was hit}",
                              "- {key: claim, quote: the bridge was hit, repeats: [older#first]}")
    assert add(engine, upstream, replace=True).status == REPLACED
    assert ("origin", "claim", "repeats", "older", "first") in rows(engine, "relations")
    assert ("relay", "again", "repeats", "origin", "claim") in rows(engine, "relations")


# -- actors ---------------------------------------------------------------------------


PESKOV_ONE = """
    article: {key: one, title: One, text: Peskov said no.}
    actors:
      - key: peskov
        name: Dmitry Peskov
        kind: person
        aliases: [Peskov]
        roles:
          - {of: kremlin, title: spokesman}
      - {key: kremlin, name: Kremlin, kind: organization}
    statements:
      - {key: refusal, quote: said no, chain: [peskov]}
"""


def test_same_actor_in_two_files_is_one_row_and_merges(engine):
    assert add(engine, PESKOV_ONE).actors_added == 2
    result = add(engine, """
        article: {key: two, title: Two, text: Peskov said yes at the Kremlin.}
        actors:
          - key: peskov
            name: Dmitry Peskov
            kind: person
            wikidata: Q4158925
            description: Spokesman of the Kremlin.
            aliases: [Peskov, Dmitri Peskov]
            roles:
              - {of: kremlin, title: spokesman}
              - {of: kremlin, title: press secretary, to: 2012-05-21}
        statements:
          - {key: assent, quote: said yes, chain: [peskov], about: [kremlin]}
    """)
    assert (result.status, result.actors_added, result.actors_updated) == (ADDED, 0, 1)
    assert result.describe() == "article.yaml: added article 'two' (1 statement); 1 actor updated"
    assert rows(engine, "actors") == {
        ("peskov", "Dmitry Peskov", "person", "named", "Q4158925", "Spokesman of the Kremlin."),
        ("kremlin", "Kremlin", "organization", "named", None, None),
    }
    assert rows(engine, "aliases") == {("peskov", "Peskov"), ("peskov", "Dmitri Peskov")}
    assert rows(engine, "roles") == {
        ("peskov", "kremlin", "spokesman", None, None),
        ("peskov", "kremlin", "press secretary", None, "2012-05-21"),
    }
    assert {(r[0], r[-1]) for r in rows(engine, "statements")} == {
        ("one", "peskov"), ("two", "peskov")}


def test_an_unchanged_article_still_adds_new_actor_details(engine):
    add(engine, PESKOV_ONE)
    enriched = PESKOV_ONE.replace("aliases: [Peskov]", "aliases: [Peskov, Dmitri Peskov]")
    result = add(engine, enriched)
    assert (result.status, result.actors_updated) == (UNCHANGED, 1)
    assert rows(engine, "aliases") == {("peskov", "Peskov"), ("peskov", "Dmitri Peskov")}


def test_a_later_file_may_use_a_stored_actor_without_defining_it(engine):
    add(engine, PESKOV_ONE)
    before = rows(engine, "actors")
    result = add(engine, """
        article: {key: two, title: Two, outlet: kremlin, text: Peskov said yes.}
        statements:
          - {key: assent, quote: said yes, chain: [peskov]}
    """)
    assert (result.actors_added, result.actors_updated) == (0, 0)
    assert rows(engine, "actors") == before


@pytest.mark.parametrize(("field", "stored", "given"), [
    ("name", "Dmitry Peskov", "D. Peskov"),
    ("kind", "person", "organization"),
])
def test_conflicting_actor_definition_shows_both_values(engine, field, stored, given):
    add(engine, PESKOV_ONE)
    document = """
        article: {key: two, title: Two, text: Peskov said yes.}
        actors:
          - {key: tass, name: TASS, kind: outlet}
          - key: peskov
            name: Dmitry Peskov
            kind: person
        statements:
          - {key: assent, quote: said yes, chain: [tass, peskov]}
    """.replace(f"{field}: {stored}", f"{field}: {given}")
    assert given in document
    error = refused(engine, document)
    (problem,) = error.problems
    assert (problem.item, problem.field) == ("actor 'peskov'", field)
    assert problem.message.startswith(
        f"'{given}' conflicts with the stored {field} '{stored}'")
    assert problem.line == doc(document).splitlines().index("  - key: peskov") + 1
    assert "tass" not in {r[0] for r in rows(engine, "actors")}


OFFICIALS = """
    article: {key: one, title: One, text: Officials said no.}
    actors:
      - key: officials
        name: Officials
        kind: group
        identified: anonymous
        wikidata: Q1
        description: Unnamed officials.
    statements:
      - {key: refusal, quote: said no, chain: [officials]}
"""


@pytest.mark.parametrize(("field", "stored", "given"), [
    ("identified", "anonymous", "role"),
    ("wikidata", "Q1", "Q2"),
    ("description", "Unnamed officials.", "Officials of the ministry."),
])
def test_optional_actor_fields_conflict_when_both_given_and_different(engine, field, stored,
                                                                      given):
    add(engine, OFFICIALS)
    second = OFFICIALS.replace("key: one, title: One", "key: two, title: Two")
    # Left out: the stored value stands, no conflict, nothing updated.
    left_out = second.replace(f"        {field}: {stored}\n", "")
    assert field not in left_out.split("statements:")[0]
    assert add(engine, left_out).actors_updated == 0
    error = refused(engine, second.replace("key: two", "key: three").replace(
        f"{field}: {stored}", f"{field}: {given}"))
    (problem,) = error.problems
    assert (problem.item, problem.field) == ("actor 'officials'", field)
    assert problem.message.startswith(f"'{given}' conflicts with the stored {field} "
                                      f"'{stored}'. Use the stored value")


def test_unknown_actor_key_suggests_a_stored_or_defined_one(engine):
    add(engine, PESKOV_ONE)
    error = refused(engine, """
        article: {key: two, title: Two, outlet: dialy, text: Peskov said yes.}
        actors:
          - {key: daily, name: The Daily, kind: outlet}
        statements:
          - {key: assent, quote: said yes, chain: [peskow], about: [zzz-unrelated]}
    """)
    problems = {p.message.split("'")[1]: p for p in error.problems}
    assert set(problems) == {"dialy", "peskow", "zzz-unrelated"}
    assert problems["dialy"].message == (
        "unknown actor 'dialy' (used in article outlet); define it in this file's 'actors' "
        "list with key, name and kind; did you mean 'daily'?")
    assert problems["peskow"].message == (
        "unknown actor 'peskow' (used in statement 'assent' chain); define it in this file's "
        "'actors' list with key, name and kind; did you mean 'peskov'?")
    # No suggestion, and no partial list of "allowed" keys passed off as the whole.
    assert problems["zzz-unrelated"].message == (
        "unknown actor 'zzz-unrelated' (used in statement 'assent' about); define it in this "
        "file's 'actors' list with key, name and kind")
    assert {p.item for p in error.problems} == {"actors"}


def test_unknown_actor_in_roles_and_authors(engine):
    error = refused(engine, """
        article: {key: a, title: A, authors: [nobody], text: Hello.}
        actors:
          - {key: x, name: X, kind: person, roles: [{of: nowhere, title: chief}]}
        statements:
          - {key: s, quote: Hello}
    """)
    assert sorted(p.message.split(" (")[1].split(")")[0] for p in error.problems) == [
        "used in actor 'x' roles", "used in article authors"]


# -- references and URLs ---------------------------------------------------------------


def test_unknown_cross_article_references(engine):
    add(engine, ORIGIN)
    error = refused(engine, """
        article: {key: refs, title: Refs, text: One. Two.}
        statements:
          - {key: one, quote: One, denies: [nowhere#claim]}
          - key: two
            quote: Two
            supports: [origin#clam]
            contradicts: [origin#zzz]
    """)
    problems = [(p.item, p.field, p.message) for p in error.problems]
    assert problems == [
        ("statement 'one'", "denies",
         "denies 'nowhere#claim': no article 'nowhere' is stored; import it first, or fix "
         "the reference"),
        ("statement 'two'", "contradicts",
         "contradicts 'origin#zzz': article 'origin' has no statement 'zzz'; allowed: claim, "
         "confirm"),
        ("statement 'two'", "supports",
         "supports 'origin#clam': article 'origin' has no statement 'clam'; did you mean "
         "'claim'?"),
    ]
    assert [p.line for p in error.problems] == [3, 4, 4]


def test_url_already_used_by_another_article(engine):
    add(engine, ORIGIN)
    error = refused(engine, """
        article:
          key: copycat
          title: Copycat
          url: https://example.org/origin
          text: Same URL.
        statements:
          - {key: s, quote: Same URL}
    """)
    (problem,) = error.problems
    assert (problem.item, problem.field) == ("article", "url")
    assert problem.message == ("'https://example.org/origin' is already the URL of article "
                               "'origin'; each URL belongs to one article")


def test_every_database_problem_is_reported_together(engine):
    add(engine, ORIGIN)
    error = refused(engine, """
        article:
          key: many
          title: Many
          url: https://example.org/origin
          text: Peskov said no.
        actors:
          - {key: wire, name: Another Wire, kind: outlet}
        statements:
          - {key: s, quote: said no, chain: [peskov], denies: [origin#nope]}
    """)
    assert sorted((p.item, p.field) for p in error.problems) == [
        ("actor 'wire'", "name"), ("actors", None), ("article", "url"),
        ("statement 's'", "denies")]
    assert str(error).splitlines()[0] == "article.yaml: 4 problems, nothing was imported"


# -- dry runs and files ----------------------------------------------------------------


def test_dry_run_writes_nothing_but_reports(engine):
    before = dump(engine)
    result = add(engine, FULL, dry_run=True)
    assert result == ImportResult("article.yaml", "full", ADDED, 5, actors_added=10,
                                  dry_run=True)
    assert result.describe() == (
        "article.yaml: would add article 'full' (5 statements); 10 new actors")
    assert dump(engine) == before

    add(engine, ORIGIN)
    before = dump(engine)
    revised = ORIGIN.replace("title: Origin", "title: Origin, revised")
    result = add(engine, revised, replace=True, dry_run=True)
    assert (result.status, result.dry_run) == (REPLACED, True)
    assert result.describe() == "article.yaml: would replace article 'origin' (2 statements)"
    assert dump(engine) == before
    result = add(engine, ORIGIN, dry_run=True)
    assert result.status == UNCHANGED
    assert result.describe().startswith("article.yaml: unchanged article 'origin'")
    assert dump(engine) == before


def test_dry_run_of_import_files(engine, write_article):
    path = write_article(doc(ORIGIN), name="origin.yaml")
    before = dump(engine)
    (result,) = import_files(engine, [path], dry_run=True)
    assert (result.status, result.dry_run, result.source) == (ADDED, True, str(path))
    assert dump(engine) == before


def test_dry_run_reports_errors_and_writes_nothing(engine):
    refused(engine, RELAY, dry_run=True)  # origin is not stored


def test_import_files_stops_at_the_first_failing_file(engine, write_article):
    good = write_article(doc(ORIGIN), name="1-origin.yaml")
    bad = write_article(doc(RELAY).replace("origin#claim", "origin#nope"), name="2-bad.yaml")
    later = write_article(doc(PESKOV_ONE), name="3-later.yaml")
    seen: list[ImportResult] = []
    with pytest.raises(ArticleError) as info:
        import_files(engine, [good, bad, later], on_result=seen.append)
    assert info.value.source == str(bad)
    assert [r.key for r in seen] == ["origin"]
    assert {r[0] for r in rows(engine, "articles")} == {"origin"}


def test_read_article_and_import_spec_agree_with_import_files(engine, write_article):
    path = write_article(doc(FULL), name="full.yaml")
    spec = read_article(path)
    result = import_spec(engine, spec)
    assert (result.source, result.status) == (str(path), ADDED)
    assert import_files(engine, [path])[0].status == UNCHANGED
