"""Property-based tests: generated article files, valid and nearly valid.

- Valid files (random text in several scripts, quotes anywhere in it, chains,
  relations, actors) import through ``claimsdb add``, store exactly the spans,
  chains and relations the generator meant, and export back to the same article.
- Nearly valid files (one mutation of a valid one) are refused with exit code 1 and
  leave the database exactly as it was.
- No input, however broken, makes the parser raise anything but ``ArticleError``.
- The fast quote locator gives exactly the simple one's results.

Example counts are kept modest for a 2-core CI; ``EXAMPLES`` below is what runs.
"""

from __future__ import annotations

import contextlib
import itertools
import json
from unittest import mock

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import text as sql

from claimsdb.errors import ArticleError
from claimsdb.format import spans, yamlio
from claimsdb.format.articles import parse_article
from claimsdb.store.models import ActorKind, Identification, RelationType, StatementKind
from helpers import dump

EXAMPLES = {
    "spans": 300,  # fast path against simple path, pure
    "parse": 300,  # arbitrary input to the parser, pure
    "valid": 25,  # per backend, through the CLI into a real database
    "invalid": 25,  # per backend
}
DB_SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)

# Words from real reporting in several scripts: Latin with curly quotes and dashes,
# Cyrillic, Arabic and Hebrew (right to left), and combining accents.
WORDS = [
    "talks", "stalled", "Kremlin", "said", "“not", "reality”", "—", "officials", "according",
    "to", "Bloomberg", "Moscow’s", "demands", "«maximalist»", "Пєсков", "заявив", "переговори",
    "зупинилися", "الكرملين", "المحادثات", "קרמלין", "השיחות", "cafe\u0301", "Zu\u0308rich",
    "e\u0301", "=SUM(A1)", "<b>", "'; DROP TABLE statements; --", "@peace", "+1", "-",
]
_run = itertools.count()


# -- pure properties -----------------------------------------------------------------------

def _normal(result):
    """A locate result as comparable data: the span, or the error and its details."""
    if isinstance(result, tuple):
        return result
    return (type(result).__name__, getattr(result, "count", None),
            getattr(result, "lines", None), getattr(result, "found", None))


@st.composite
def texts_and_requests(draw):
    # A tiny alphabet makes repeated and overlapping matches common.
    text = draw(st.text(alphabet="ab \n", min_size=0, max_size=200))
    quotes = []
    for _ in range(draw(st.integers(1, 12))):
        if text and draw(st.booleans()):
            start = draw(st.integers(0, len(text) - 1))
            end = draw(st.integers(start + 1, len(text)))
            quotes.append(text[start:end])
        else:
            quotes.append(draw(st.text(alphabet="ab \n", min_size=1, max_size=20)))
    occurrences = [draw(st.one_of(st.none(), st.integers(1, 6))) for _ in quotes]
    return text, list(zip(quotes, occurrences, strict=True))


@settings(max_examples=EXAMPLES["spans"], deadline=None)
@given(case=texts_and_requests(), gram=st.integers(1, 4), stride=st.integers(1, 5),
       shared=st.integers(0, 20))
def test_fast_quote_location_matches_the_simple_one(case, gram, stride, shared):
    """Small grams, strides and group thresholds, so that every branch of the fast
    path (grouped grams included) meets overlapping and repeated matches."""
    text, requests = case
    with mock.patch.object(spans, "GRAM", gram), mock.patch.object(spans, "MAX_STRIDE", stride), \
            mock.patch.object(spans, "_SHARED_GRAM", shared):
        fast = spans.locate_all(text, requests, fast=True)
    simple = spans.locate_all(text, requests, fast=False)
    assert [_normal(r) for r in fast] == [_normal(r) for r in simple]
    for (quote, occurrence), result in zip(requests, simple, strict=True):
        try:
            expected = spans.locate(text, quote, occurrence)
        except (spans.QuoteNotFound, spans.QuoteAmbiguous, spans.OccurrenceMissing) as error:
            expected = error
        assert _normal(result) == _normal(expected)


def test_fast_path_on_overlapping_matches_and_many_occurrences():
    """The hand-made worst case for the stride: every position matches."""
    text = "a" * 500
    requests = [("a" * 20, None), ("a" * 20, 1), ("a" * 20, 481), ("a" * 20, 482),
                ("a" * 13, 300), ("b" * 20, None)]
    fast = spans.locate_all(text, requests, fast=True)
    assert [_normal(r) for r in fast] == [
        ("QuoteAmbiguous", 481, [1, 1, 1, 1, 1], None), (0, 20), (480, 500),
        ("OccurrenceMissing", None, None, 481), (299, 312), ("QuoteNotFound", None, None, None),
    ]
    assert [_normal(r) for r in fast] == [
        _normal(r) for r in spans.locate_all(text, requests, fast=False)]


def test_the_fast_path_is_chosen_for_many_quotes_over_a_long_text():
    text = " ".join(f"sentence number {n} of a long article." for n in range(60_000))
    requests = [(f"sentence number {n} of a", None) for n in range(0, 60_000, 7)]
    with mock.patch.object(spans, "locate", side_effect=AssertionError("slow path used")):
        results = spans.locate_all(text, requests)
    assert all(isinstance(r, tuple) for r in results)
    assert results[1] == (text.index("sentence number 7 of a"),
                          text.index("sentence number 7 of a") + len("sentence number 7 of a"))


yaml_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
    st.text(max_size=30), st.sampled_from(["key", "a", "2025-02-30", "~", "*x", "&y", "!!str"]),
)
FIELD_NAMES = ["format", "article", "actors", "statements", "key", "title", "text", "quote",
               "chain", "actor", "cue", "denies", "repeats", "occurrence", "kind", "name",
               "text_file", "aliases", "roles", "of", "about", "published", "outlet"]
yaml_documents = st.recursive(
    yaml_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(FIELD_NAMES), children, max_size=5),
    ),
    max_leaves=25,
)


@settings(max_examples=EXAMPLES["parse"], deadline=None)
@given(raw=st.one_of(st.binary(max_size=300), st.text(max_size=300)))
def test_arbitrary_bytes_and_text_fail_cleanly(raw):
    with contextlib.suppress(ArticleError):
        parse_article(raw, source="fuzz.yaml")


@settings(max_examples=EXAMPLES["parse"], deadline=None)
@given(document=yaml_documents)
def test_arbitrary_yaml_structures_fail_cleanly(document):
    raw = yaml.safe_dump(document, allow_unicode=True)
    try:
        spec = parse_article(raw, source="fuzz.yaml")
    except ArticleError as error:
        problems = error.problems
        assert problems and all(p.message for p in problems)
    else:  # it happened to be a valid article: then it must be self-consistent
        for statement in spec.statements:
            assert spec.text[statement.span_start:statement.span_end] == statement.quote


# -- generated articles through the CLI ----------------------------------------------------

@st.composite
def articles(draw):
    """A valid article file (as a dict) and what the database must then hold."""
    run = next(_run)
    sentences = draw(st.lists(
        st.lists(st.sampled_from(WORDS), min_size=2, max_size=8).map(" ".join),
        min_size=1, max_size=6))
    separators = draw(st.lists(st.sampled_from([" ", "\n", "\n\n", " — "]),
                               min_size=len(sentences), max_size=len(sentences)))
    text = "".join(s + "." + sep for s, sep in zip(sentences, separators, strict=True))
    assume(text.strip())

    actor_count = draw(st.integers(1, 4))
    actors = []
    for n in range(actor_count):
        actor = {"key": f"p{run}-actor-{n}", "name": draw(st.sampled_from(WORDS)) + f" {n}",
                 "kind": draw(st.sampled_from([k.value for k in ActorKind]))}
        identified = draw(st.one_of(st.none(), st.sampled_from([i.value for i in Identification])))
        if identified:
            actor["identified"] = identified
        if draw(st.booleans()):
            actor["aliases"] = [draw(st.sampled_from(WORDS)) + f" alias {n}"]
        actors.append(actor)
    keys = [a["key"] for a in actors]
    outlet = keys[0] if draw(st.booleans()) else None

    statements = []
    expected_spans = {}
    for n in range(draw(st.integers(0, 6))):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, min(len(text), start + 80)))
        quote = text[start:end]
        assume(quote.strip())
        key = f"s{n}"
        statement = {"key": key, "quote": quote}
        if not spans.is_unique(text, quote):
            statement["occurrence"] = spans.occurrence_of(text, quote, start)
        if draw(st.booleans()):
            statement["kind"] = draw(st.sampled_from([k.value for k in StatementKind]))
        chain = []
        for actor_key in draw(st.lists(st.sampled_from(keys), max_size=3)):
            if (chain and chain[-1] == actor_key) or (not chain and actor_key == outlet):
                continue
            chain.append(actor_key)
        if chain:
            statement["chain"] = [
                {"actor": k, "cue": draw(st.sampled_from(["said", "according to", "заявив"]))}
                if draw(st.booleans()) else k
                for k in chain
            ]
        earlier = [s["key"] for s in statements]
        # A refusal takes no position (its one relation is declines, only its); only
        # the target's speaker or the outlet corrects or retracts it (format 1.1 rules,
        # docs/format.md).
        refusal = statement.get("kind") == StatementKind.REFUSAL.value
        if earlier:
            mine = _voice(statement, outlet)
            for relation in RelationType:
                if (relation is RelationType.DECLINES) != refusal:
                    continue
                targets = earlier
                if relation in (RelationType.CORRECTS, RelationType.RETRACTS) and mine:
                    targets = [s["key"] for s in statements
                               if mine in {_voice(s, None), outlet}]
                if targets and draw(st.integers(0, 3)) == 0:
                    statement[relation.value] = [draw(st.sampled_from(targets))]
        statements.append(statement)
        expected_spans[key] = (start, start + len(quote))

    article = {"key": f"p{run}-article", "title": draw(st.sampled_from(WORDS)) + " title",
               "text": text}
    if outlet:
        article["outlet"] = outlet
    document = {"format": "claimsdb/article@1", "article": article, "actors": actors,
                "statements": statements}
    return document, expected_spans


def _voice(statement: dict, outlet: str | None) -> str | None:
    """Who speaks in a generated statement: its chain's last actor, else the outlet."""
    chain = statement.get("chain")
    if not chain:
        return outlet
    last = chain[-1]
    return last["actor"] if isinstance(last, dict) else last


def _write(tmp_path, document, name="generated.yaml"):
    path = tmp_path / name
    path.write_text(yamlio.dump(document), encoding="utf-8")
    return path


def _stored(engine, article_key):
    with engine.connect() as conn:
        statements = {
            row.key: row for row in conn.execute(sql(
                "SELECT s.id, s.key, s.quote, s.span_start, s.span_end, s.kind FROM statements s "
                "JOIN articles a ON a.id = s.article_id WHERE a.key = :k"), {"k": article_key})
        }
        hops = conn.execute(sql(
            "SELECT s.key, h.position, ac.key AS actor, h.cue FROM chain_hops h "
            "JOIN statements s ON s.id = h.statement_id JOIN articles a ON a.id = s.article_id "
            "JOIN actors ac ON ac.id = h.actor_id WHERE a.key = :k "
            "ORDER BY s.key, h.position"), {"k": article_key}).all()
        relations = conn.execute(sql(
            "SELECT s.key, r.type, t.key FROM relations r "
            "JOIN statements s ON s.id = r.source_id JOIN statements t ON t.id = r.target_id "
            "JOIN articles a ON a.id = s.article_id WHERE a.key = :k"), {"k": article_key}).all()
        text = conn.execute(sql("SELECT text FROM articles WHERE key = :k"),
                            {"k": article_key}).scalar_one()
    return text, statements, hops, relations


def _hops_of(statement):
    for position, hop in enumerate(statement.get("chain", [])):
        if isinstance(hop, dict):
            yield statement["key"], position, hop["actor"], hop.get("cue")
        else:
            yield statement["key"], position, hop, None


def _round_trip(engine, document):
    """Export the stored article (when claimsdb can) and compare it to the original."""
    try:
        from claimsdb.output.article_export import export_article
    except ImportError:  # pragma: no cover - before 'export article' existed
        return
    key = document["article"]["key"]
    with engine.connect() as conn:
        exported = export_article(conn, key)
    original = parse_article(yamlio.dump(document), source="original.yaml")
    again = parse_article(exported, source="exported.yaml")
    assert again.canonical() == original.canonical()


def test_valid_generated_articles_import_exactly(cli, engine, tmp_path):
    ran: list = []

    @settings(DB_SETTINGS, max_examples=EXAMPLES["valid"])
    @given(case=articles())
    def run(case):
        ran.append(case)
        document, expected_spans = case
        path = _write(tmp_path, document)
        result = cli("add", path)
        assert result.exit_code == 0, result.output
        assert "added article" in result.output
        key = document["article"]["key"]
        text, stored, hops, relations = _stored(engine, key)
        assert text == document["article"]["text"]
        assert {k: (s.span_start, s.span_end) for k, s in stored.items()} == expected_spans
        for statement in document["statements"]:
            row = stored[statement["key"]]
            assert row.quote == statement["quote"] == text[row.span_start:row.span_end]
            assert row.kind == statement.get("kind", "indirect")
        assert sorted(tuple(h) for h in hops) == sorted(
            h for s in document["statements"] for h in _hops_of(s))
        assert sorted(tuple(r) for r in relations) == sorted(
            (s["key"], relation.value, target)
            for s in document["statements"] for relation in RelationType
            for target in s.get(relation.value, []))
        _round_trip(engine, document)
        again = cli("add", path)
        assert again.exit_code == 0 and "unchanged" in again.output

    run()
    assert len(ran) == EXAMPLES["valid"]


MUTATIONS = {
    "drop the title": lambda d: d["article"].pop("title"),
    "misspell a field": lambda d: d["article"].__setitem__("titel", d["article"].pop("title")),
    "uppercase the key": lambda d: d["article"].__setitem__("key", d["article"]["key"].upper()),
    "key with a space": lambda d: d["article"].__setitem__("key", "two words"),
    "quote not in text": lambda d: d["statements"].append(
        {"key": "extra", "quote": "words that are nowhere ✗"}),
    "unknown actor": lambda d: d["statements"].append(
        {"key": "extra", "quote": d["article"]["text"].strip()[:1] or "x",
         "occurrence": 1, "chain": ["nobody-defined-this"]}),
    "self denial": lambda d: d["statements"].append(
        {"key": "extra", "quote": d["article"]["text"].strip()[:1] or "x", "occurrence": 1,
         "denies": ["extra"]}),
    "unknown reference": lambda d: d["statements"].append(
        {"key": "extra", "quote": d["article"]["text"].strip()[:1] or "x", "occurrence": 1,
         "supports": ["no-such-statement"]}),
    "control character": lambda d: d["article"].__setitem__("title", "bell\x07"),
    "wrong type": lambda d: d["article"].__setitem__("title", 12345),
    "statements not a list": lambda d: d.__setitem__("statements", {"key": "x"}),
    "occurrence zero": lambda d: d["statements"].append(
        {"key": "extra", "quote": d["article"]["text"].strip()[:1] or "x", "occurrence": 0}),
    "same actor twice": lambda d: d["statements"].append(
        {"key": "extra", "quote": d["article"]["text"].strip()[:1] or "x", "occurrence": 1,
         "chain": [d["actors"][0]["key"], d["actors"][0]["key"]]}),
    "actor without kind": lambda d: d["actors"][0].pop("kind"),
    "wrong format": lambda d: d.__setitem__("format", "claimsdb/article@9"),
}


def test_nearly_valid_generated_articles_are_refused_and_change_nothing(cli, engine, tmp_path):
    cli("seed", "-q")  # something to leave untouched

    ran: list = []

    @settings(DB_SETTINGS, max_examples=EXAMPLES["invalid"])
    @given(case=articles(), mutation=st.sampled_from(sorted(MUTATIONS)))
    def run(case, mutation):
        ran.append(mutation)
        document, _spans = case
        document = json.loads(json.dumps(document))  # a private copy to mutate
        MUTATIONS[mutation](document)
        path = _write(tmp_path, document, "nearly.yaml")
        before = dump(engine)
        result = cli("add", path)
        assert result.exit_code == 1, (mutation, result.output)
        assert "nearly.yaml" in result.output and "nothing was imported" in result.output
        assert "Traceback" not in result.output
        assert dump(engine) == before, mutation

    run()
    assert len(ran) == EXAMPLES["invalid"]
    assert len(set(ran)) > 5  # many different mutations, not one
