"""``claimsdb export article``: a stored article back as a file that re-imports exactly.

The promise users rely on to edit an article (export, edit, ``add --replace``): the
exported file imported into an empty database gives identical data, and imported
into the database it came from changes nothing. Checked on every bundled and test
article, and on generated article files (hypothesis) full of curly quotes, Cyrillic,
multi-line quotes, repeated passages and several actors, hops and relations.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete

from claimsdb.format import spans
from claimsdb.format.articles import parse_article, read_article
from claimsdb.format.seeds import seed_files
from claimsdb.ingest.importer import import_files, import_spec
from claimsdb.output.article_export import export_article
from claimsdb.store.db import make_engine, read_connection, write_transaction
from claimsdb.store.models import ActorKind, Base, Identification, RelationType, StatementKind
from conftest import DATA, REPO
from helpers import content

# Per backend; each one imports three times into real databases. CLAIMSDB_EXAMPLES
# raises it for a long local run.
EXAMPLES = int(os.environ.get("CLAIMSDB_EXAMPLES", "40"))


@pytest.fixture
def other_db(backend: str, request, tmp_path: Path):
    """A second, empty database on the same backend: the "fresh" side of a round trip."""
    if backend == "sqlite":
        path = tmp_path / "other.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        engine = make_engine(str(path))
        yield engine
        engine.dispose()
        return
    from conftest import _counter, _run_id

    server = request.getfixturevalue("postgres")
    template = request.getfixturevalue("postgres_template")
    name = f"claimsdb_o_{_run_id}_{next(_counter)}"
    engine = make_engine(server.create(name, template=template))
    yield engine
    engine.dispose()
    server.drop(name)


def exported(engine: Engine, key: str) -> str:
    with read_connection(engine) as conn:
        return export_article(conn, key)


def wipe(engine: Engine) -> None:
    with write_transaction(engine) as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(delete(table))


# -- every article the project ships or tests with ------------------------------------------

def shipped_articles() -> list[Path]:
    return [*seed_files(), *sorted((REPO / "examples").glob("*.yaml")),
            *sorted((DATA / "corpus").glob("*.yaml")), *sorted((DATA / "trace").glob("*.yaml"))]


def test_every_shipped_article_round_trips(engine, other_db, tmp_path):
    files = shipped_articles()
    assert len(files) >= 5
    import_files(engine, files)
    folder = tmp_path / "exported"
    folder.mkdir()
    for path in files:  # same order: articles refer to those imported before them
        key = read_article(path).key
        target = folder / f"{key}.yaml"
        target.write_text(exported(engine, key), encoding="utf-8")
        [into_fresh] = import_files(other_db, [target])
        assert into_fresh.status == "added"
        [again] = import_files(engine, [target])
        assert again.status == "unchanged", key
    assert content(other_db) == content(engine)


def test_the_seed_alone_round_trips_into_an_empty_database(seeded, engine, other_db, tmp_path):
    text = exported(engine, "putin-stance-stalls-talks")
    # The seed's text comes from a text_file; the export carries it inline.
    assert "text_file" not in text
    assert "text: |" in text
    target = tmp_path / "seed.yaml"
    target.write_text(text, encoding="utf-8")
    assert import_files(other_db, [target])[0].status == "added"
    assert content(other_db) == content(engine)


def test_a_role_target_is_exported_even_when_no_statement_uses_it(db, engine, other_db,
                                                                  write_article, tmp_path):
    import_files(engine, [write_article("""\
article: {key: role-only, title: Role only, text: "Peskov said it was fine."}
actors:
  - key: peskov
    name: Dmitry Peskov
    kind: person
    aliases: [Peskov]
    roles: [{of: kremlin, title: spokesman, from: 2012-05-22}]
  - key: kremlin
    name: Kremlin
    kind: organization
    roles: [{of: russia, title: presidential administration}]
  - {key: russia, name: Russia, kind: government, wikidata: Q159}
statements:
  - {key: fine, quote: it was fine, kind: direct, chain: [{actor: peskov, cue: said}]}
""")])
    document = yaml.safe_load(exported(engine, "role-only"))
    actors = {a["key"]: a for a in document["actors"]}
    assert list(actors) == ["peskov", "kremlin", "russia"]  # used first, then role targets
    assert actors["peskov"]["roles"] == [
        {"of": "kremlin", "title": "spokesman", "from": dt.date(2012, 5, 22)}]
    assert actors["russia"]["wikidata"] == "Q159"
    target = tmp_path / "exported.yaml"
    target.write_text(exported(engine, "role-only"), encoding="utf-8")
    import_files(other_db, [target])
    assert content(other_db) == content(engine)


def test_occurrence_is_written_only_for_a_repeated_quote(db, engine, write_article):
    import_files(engine, [write_article("""\
article:
  key: twice
  title: Twice
  text: "He said no. Then, asked again, he said no. Finally: maybe."
actors: [{key: he, name: He, kind: person}]
statements:
  - {key: first, quote: said no, occurrence: 1, chain: [he]}
  - {key: second, quote: said no, occurrence: 2, chain: [he]}
  - {key: unique, quote: maybe, chain: [he]}
""")])
    statements = {s["key"]: s for s in yaml.safe_load(exported(engine, "twice"))["statements"]}
    assert statements["first"]["occurrence"] == 1
    assert statements["second"]["occurrence"] == 2
    assert "occurrence" not in statements["unique"]


def test_relations_to_other_articles_are_written_as_global_references(seeded, engine):
    import_files(engine, sorted((DATA / "corpus").glob("*.yaml")))
    statements = {s["key"]: s for s in yaml.safe_load(
        exported(engine, "kyiv-ranok-maximalist"))["statements"]}
    assert statements["maximalist-demands"]["repeats"] == [
        "putin-stance-stalls-talks#officials-putin-maximalist-demands"]
    assert statements["peskov-denial"]["denies"] == ["maximalist-demands"]
    # Relations other articles make to the seed belong to their files, not the seed's.
    seed = exported(engine, "putin-stance-stalls-talks")
    assert "kyiv-ranok" not in seed


# -- the edit workflow, as a user runs it -------------------------------------------------

def test_export_edit_replace(seeded, cli, tmp_path):
    target = tmp_path / "seed.yaml"
    result = cli("export", "article", "putin-stance-stalls-talks", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "wrote article 'putin-stance-stalls-talks' (36 statements, 14 actors)" in result.stderr
    assert "unchanged article 'putin-stance-stalls-talks'" in cli("add", str(target)).stdout

    edited = target.read_text(encoding="utf-8").replace(
        "title: Putin's unyielding stance stalls peace talks with Ukraine",
        "title: Putin's stance stalls the talks")
    assert edited != target.read_text(encoding="utf-8")
    target.write_text(edited, encoding="utf-8")
    refused = cli("add", str(target))
    assert refused.exit_code == 1
    assert "claimsdb export article putin-stance-stalls-talks" in refused.stderr
    replaced = cli("add", "--replace", str(target))
    assert replaced.exit_code == 0, replaced.stderr
    assert "replaced article 'putin-stance-stalls-talks'" in replaced.stdout
    chain = cli("chain", "putin-stance-stalls-talks#officials-putin-maximalist-demands").stdout
    assert "Article: Putin's stance stalls the talks" in chain


def test_export_article_to_stdout_and_unknown_keys(seeded, cli):
    result = cli("export", "article", "putin-stance-stalls-talks")
    assert result.exit_code == 0
    assert result.stdout.startswith("# Article 'putin-stance-stalls-talks', exported by claimsdb")
    assert parse_article(result.stdout).key == "putin-stance-stalls-talks"
    missing = cli("export", "article", "putin-stance-stalls-talk")
    assert missing.exit_code == 1
    assert "no article 'putin-stance-stalls-talk' is stored" in missing.stderr
    assert "putin-stance-stalls-talks" in missing.stderr.split("\n", 1)[1]


# -- generated article files ------------------------------------------------------------------

# Characters real articles carry, and those that stress YAML: quotes of every style,
# dashes, Cyrillic, colons and hashes, non-breaking and line-separator spaces, tabs.
ALPHABET = st.sampled_from(list(
    "abcdefgh xyz ABC  ,.:;!?#&*'\"“”‘’«»„—–-=+@%" "прикладтексУКРЇїєґ" "\u00a0\u2028\t"
))
WORD = st.text(ALPHABET, min_size=1, max_size=12)
LINE = st.lists(WORD, min_size=1, max_size=8).map(" ".join)
KEYS = [f"actor-{i}" for i in range(6)]
NAME = LINE.filter(lambda s: s.strip() and "\n" not in s and "\r" not in s)
CUE = st.none() | NAME.map(lambda s: s[:80]).filter(str.strip)
DATE = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31))


@st.composite
def article_files(draw) -> tuple[str, str]:
    """A valid article file (as JSON, which is YAML) and its key."""
    lines = draw(st.lists(LINE, min_size=2, max_size=8))
    newline = draw(st.sampled_from(["\n", "\n", "\n\n", "\r\n"]))
    text = newline.join(lines) + draw(st.sampled_from(["", "\n", "\n\n", "  \n"]))
    if not text.strip():
        text = "a" + text

    count = draw(st.integers(2, 5))
    keys = KEYS[:count]
    actors = []
    for index, key in enumerate(keys):
        name = draw(NAME)
        actor = {"key": key, "name": name, "kind": draw(st.sampled_from(list(ActorKind)))}
        if draw(st.booleans()):
            actor["identified"] = draw(st.sampled_from(list(Identification)))
        aliases = draw(st.lists(NAME, max_size=3, unique=True))
        if aliases:
            actor["aliases"] = [a for a in aliases if a != name] or None
        if draw(st.booleans()):
            actor["wikidata"] = f"Q{draw(st.integers(1, 10**7))}"
        if draw(st.booleans()):
            actor["description"] = draw(NAME)
        others = [k for k in keys if k != key]
        roles = []
        for _ in range(draw(st.integers(0, 2))):
            start = draw(st.none() | DATE)
            end = draw(st.none() | DATE)
            if start and end and end < start:
                start, end = end, start
            role = {"of": draw(st.sampled_from(others)), "title": draw(NAME)}
            if start:
                role["from"] = start.isoformat()
            if end:
                role["to"] = end.isoformat()
            roles.append(role)
        if roles and index % 2 == 0:
            actor["roles"] = roles
        actors.append(actor)

    outlet = draw(st.none() | st.sampled_from(keys))
    article = {"key": "generated", "title": draw(NAME), "text": text}
    if outlet:
        article["outlet"] = outlet
    if draw(st.booleans()):
        article["published"] = draw(st.sampled_from([
            draw(DATE).isoformat(), "2025-03-20T09:30:00+02:00", "2025-03-20T09:30:00"]))
    if draw(st.booleans()):
        article["url"] = f"https://example.org/{draw(st.integers(0, 999))}"
    if draw(st.booleans()):
        article["language"] = draw(st.sampled_from(["uk", "pt-BR", "ru"]))
    authors = draw(st.lists(st.sampled_from(keys), max_size=2, unique=True))
    if authors:
        article["authors"] = authors

    statements = []
    for index in range(draw(st.integers(1, 6))):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, min(len(text), start + 120)))
        quote = text[start:end]
        if not quote.strip():  # a quote must carry words: take the whole text instead
            quote, start = text, 0
        statement = {"key": f"s{index}", "quote": quote}
        if not spans.is_unique(text, quote):
            statement["occurrence"] = spans.occurrence_of(text, quote, start)
        if draw(st.booleans()):
            statement["kind"] = draw(st.sampled_from(list(StatementKind)))
        chain = []
        for _ in range(draw(st.integers(0, 3))):
            options = [k for k in keys
                       if (not chain and k != outlet) or (chain and k != chain[-1]["actor"])]
            if not options:
                break
            chain.append({"actor": draw(st.sampled_from(options)), "cue": draw(CUE)})
        statement["chain"] = [hop if hop["cue"] else hop["actor"] for hop in chain]
        if draw(st.booleans()):
            statement["stated_on"] = draw(DATE).isoformat()
        about = draw(st.lists(st.sampled_from(keys), max_size=2, unique=True))
        if about:
            statement["about"] = about
        earlier = [f"s{i}" for i in range(index)]
        voice = chain[-1]["actor"] if chain else outlet

        def voice_of(other: dict) -> str | None:
            hops = other["chain"]
            return (hops[-1] if isinstance(hops[-1], str) else hops[-1]["actor"]) \
                if hops else outlet

        if draw(st.booleans()):  # format 1.1: a translated quote
            statement["translated_from"] = draw(st.sampled_from(
                [code for code in ("de", "ru", "uk") if code != article.get("language")]))
            if draw(st.booleans()):
                statement["original"] = draw(st.sampled_from(
                    ["Мы никому такого предложения не делали.", "Це «спекуляції»\nі плітки."]))
        refusal = statement.get("kind") == "refusal"
        if earlier:  # a refusal takes no position: it only declines to address
            for relation in RelationType:
                if (relation is RelationType.DECLINES) != refusal:
                    continue
                # only the same speaker or outlet corrects or retracts a statement
                allowed = earlier if relation.value not in ("corrects", "retracts") or \
                    voice is None else [k for k in earlier
                                        if voice in (voice_of(statements[int(k[1:])]), outlet)]
                if not allowed:
                    continue
                targets = draw(st.lists(st.sampled_from(allowed), max_size=2, unique=True))
                if targets:
                    statement[relation.value] = targets
        statements.append(statement)

    # An actor the file defines but nothing uses is not part of the stored article (the
    # database keeps it, unattached), so it cannot come back in the article's export:
    # keep the actors the article uses, and those their roles point at.
    used = {outlet, *authors} | {a for s in statements for a in s.get("about", ())} | {
        hop if isinstance(hop, str) else hop["actor"]
        for s in statements for hop in s["chain"]}
    used.discard(None)
    roles = {a["key"]: [r["of"] for r in a.get("roles", ())] for a in actors}
    pending = list(used)
    while pending:
        for target in roles[pending.pop()]:
            if target not in used:
                used.add(target)
                pending.append(target)
    actors = [a for a in actors if a["key"] in used]
    document = {"format": "claimsdb/article@1", "article": article, "actors": actors,
                "statements": statements}
    # Raw UTF-8 or \u escapes; but YAML (which reads JSON files too) takes a raw line
    # separator (U+2028) inside a quoted string as a line break and folds it, so those
    # are always escaped.
    raw = json.dumps(document, ensure_ascii=False, indent=1)
    if "\u2028" in raw or draw(st.booleans()):
        raw = json.dumps(document, ensure_ascii=True, indent=1)
    return raw, "generated"


def test_generated_articles_round_trip(engine, other_db, record_property):
    ran = []

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(article_files())
    def round_trip(generated):
        source, key = generated
        wipe(engine)
        wipe(other_db)
        original = parse_article(source, source="generated.json")
        assert import_spec(engine, original).status == "added"
        text = exported(engine, key)
        again = parse_article(text, source="exported.yaml")
        assert again.canonical() == original.canonical()
        assert import_spec(other_db, again).status == "added"
        assert content(other_db) == content(engine)
        assert import_spec(engine, again).status == "unchanged"
        ran.append(len(original.statements))
        statements = original.statements
        for feature, present in (
            ("multi-line quotes", any("\n" in s.quote for s in statements)),
            ("repeated quotes (occurrence)", any(not spans.is_unique(original.text, s.quote)
                                                 for s in statements)),
            ("chains of 2+ hops", any(len(s.chain) >= 2 for s in statements)),
            ("relations", any(s.relations for s in statements)),
            ("roles", any(a.roles for a in original.actors)),
            ("CRLF text", "\r\n" in original.text),
            ("Cyrillic", any("\u0400" <= ch <= "\u04ff" for ch in original.text)),
            ("curly quotes", any(ch in original.text for ch in "“”‘’«»")),
        ):
            features[feature] = features.get(feature, 0) + bool(present)

    features: dict[str, int] = {}
    round_trip()
    record_property("hypothesis_examples", len(ran))
    print(f"\n{len(ran)} generated articles ({sum(ran)} statements) round-tripped; with "
          + ", ".join(f"{name}: {n}" for name, n in features.items()))
    assert len(ran) >= EXAMPLES // 2
