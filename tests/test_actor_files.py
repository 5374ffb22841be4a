"""Files that only define actors, and ``add`` ordering a folder by what files need.

The story: a newsroom keeps its actor registry in one file (``team-actors.yaml``,
``format: claimsdb/actors@1``) and annotates articles that reference each other,
named however their authors liked. ``claimsdb add DIR`` imports the registry first,
then each article after the ones it references, without anyone sorting files; a
cycle of references is refused, naming every file and reference, and writes nothing.
Run on SQLite and PostgreSQL, through the command line and ``claimsdb.open``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text as sql

from helpers import dump

REGISTRY = """\
format: claimsdb/actors@1
actors:
  # Roles may name actors defined further down: the whole file is one transaction.
  - key: peskov
    name: Дмитрий Песков
    kind: person
    aliases: [Песков, Dmitry Peskov]
    roles:
      - {of: kremlin, title: пресс-секретарь президента, from: 2012-05-22}
  - key: zakharova
    name: Мария Захарова
    kind: person
    aliases: [Захарова]
    wikidata: Q4275981
    roles:
      - {of: russian-mfa, title: официальный представитель МИД, from: 2015-08-10}
  - key: kremlin
    name: Кремль
    kind: government
    aliases: [Kremlin, “the Kremlin”]
  - key: russian-mfa
    name: Министерство иностранных дел России
    kind: government
    description: МИД — the Russian Ministry of Foreign Affairs
"""

# Sorts last but is needed first: a-second.yaml repeats its statement.
Z_FIRST = """\
format: claimsdb/article@1
article:
  key: z-first
  title: Кремль отверг доклад — «это не соответствует действительности»
  outlet: kremlin
  text: "Песков заявил: «Это не соответствует действительности»."
statements:
  - key: denial
    quote: "«Это не соответствует действительности»"
    kind: direct
    chain: [peskov]
"""

A_SECOND = """\
format: claimsdb/article@1
article:
  key: a-second
  title: Zakharova echoes the Kremlin’s denial
  text: "Zakharova said the report “does not reflect reality” — repeating Peskov."
actors:
  - {key: courier, name: The Courier, kind: outlet}
statements:
  - key: echo
    quote: "“does not reflect reality”"
    chain: [zakharova]
    repeats: [z-first#denial]
"""


def _folder(tmp_path: Path, files: dict[str, str], name: str = "newsroom") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    for file_name, content in files.items():
        (folder / file_name).write_text(content, encoding="utf-8")
    return folder


def _actors(engine) -> dict[str, tuple]:
    with engine.connect() as conn:
        return {row.key: (row.name, row.kind, row.wikidata, row.description)
                for row in conn.execute(sql("SELECT * FROM actors"))}


def _aliases(engine, key: str) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(sql(
            "SELECT alias FROM actor_aliases JOIN actors ON actors.id = actor_id "
            "WHERE actors.key = :key"), {"key": key}).scalars())


def _roles(engine) -> set[tuple]:
    with engine.connect() as conn:
        return {tuple(row) for row in conn.execute(sql(
            "SELECT a.key, o.key, title FROM actor_roles r JOIN actors a ON a.id = r.actor_id "
            "JOIN actors o ON o.id = r.of_actor_id"))}


def _article_keys(engine) -> list[str]:
    with engine.connect() as conn:
        return sorted(conn.execute(sql("SELECT key FROM articles")).scalars())


# -- the registry file --------------------------------------------------------------------

def test_a_team_registry_defines_actors_with_cyrillic_names_aliases_and_roles(
        cli, engine, tmp_path):
    registry = tmp_path / "team-actors.yaml"
    registry.write_text(REGISTRY, encoding="utf-8")

    result = cli("add", registry)

    assert result.exit_code == 0, result.output
    assert f"{registry}: 4 actors (4 new)" in result.output
    actors = _actors(engine)
    assert actors["peskov"] == ("Дмитрий Песков", "person", None, None)
    assert actors["zakharova"][2] == "Q4275981"
    assert actors["russian-mfa"][3] == "МИД — the Russian Ministry of Foreign Affairs"
    assert _aliases(engine, "kremlin") == {"Kremlin", "“the Kremlin”"}
    assert _roles(engine) == {("peskov", "kremlin", "пресс-секретарь президента"),
                              ("zakharova", "russian-mfa", "официальный представитель МИД")}
    assert _article_keys(engine) == []

    again = cli("add", registry)
    assert again.exit_code == 0
    assert f"{registry}: 4 actors (all already stored as defined)" in again.output
    # Articles now use the registry's actors without defining them.
    article = tmp_path / "z-first.yaml"
    article.write_text(Z_FIRST, encoding="utf-8")
    assert cli("add", article).exit_code == 0
    assert _article_keys(engine) == ["z-first"]


def test_a_registry_adds_aliases_and_roles_and_refuses_a_conflict_unless_updating(
        cli, engine, tmp_path):
    registry = tmp_path / "team-actors.yaml"
    registry.write_text(REGISTRY, encoding="utf-8")
    assert cli("add", registry).exit_code == 0
    more = tmp_path / "more-actors.yaml"
    more.write_text(REGISTRY.replace("aliases: [Захарова]", "aliases: [Захарова, М. Захарова]"),
                    encoding="utf-8")
    result = cli("add", more)
    assert result.exit_code == 0, result.output
    assert "4 actors (1 updated)" in result.output
    assert _aliases(engine, "zakharova") == {"Захарова", "М. Захарова"}

    wrong = tmp_path / "wrong-actors.yaml"
    wrong.write_text(REGISTRY.replace("name: Кремль", "name: Кремль (администрация)"),
                     encoding="utf-8")
    before = dump(engine)
    refused = cli("add", wrong)
    assert refused.exit_code == 1
    assert f"Error: {wrong}: 1 problem, nothing was imported" in refused.stderr
    assert "actor 'kremlin', field 'name'" in refused.stderr
    assert "--update-actors" in refused.stderr
    assert dump(engine) == before

    corrected = cli("add", "--update-actors", wrong)
    assert corrected.exit_code == 0, corrected.output
    assert "corrected actor 'kremlin'" in corrected.output
    assert _actors(engine)["kremlin"][0] == "Кремль (администрация)"


def test_a_role_naming_an_actor_defined_nowhere_is_an_unknown_actor(cli, engine, tmp_path):
    registry = tmp_path / "team-actors.yaml"
    registry.write_text(REGISTRY.replace("of: russian-mfa", "of: russian-mfо"),
                        encoding="utf-8")
    result = cli("add", registry)
    assert result.exit_code == 1
    assert f"Error: {registry}: " in result.stderr
    assert "'russian-mfо' is not a valid key" in result.stderr
    registry.write_text(REGISTRY.replace("of: russian-mfa", "of: russian-mf"), encoding="utf-8")
    result = cli("add", registry)
    assert result.exit_code == 1
    assert "unknown actor 'russian-mf' (used in actor 'zakharova' roles)" in result.stderr
    assert "did you mean 'russian-mfa'?" in result.stderr
    assert _actors(engine) == {}


def test_a_dry_run_of_a_registry_writes_nothing(cli, engine, tmp_path):
    registry = tmp_path / "team-actors.yaml"
    registry.write_text(REGISTRY, encoding="utf-8")
    before = dump(engine)
    result = cli("add", "--dry-run", registry)
    assert result.exit_code == 0, result.output
    assert "would import 4 actors (4 new)" in result.output
    assert dump(engine) == before


# -- a folder, in the order its files need --------------------------------------------------

@pytest.mark.parametrize("options", [[], ["--batch", "5"]], ids=["file-by-file", "batch"])
def test_a_folder_imports_registry_first_then_articles_after_what_they_reference(
        cli, engine, tmp_path, options):
    # Alphabetically: a-second (needs z-first and the registry), team-actors, z-first.
    folder = _folder(tmp_path, {"a-second.yaml": A_SECOND, "team-actors.yaml": REGISTRY,
                                "z-first.yaml": Z_FIRST})

    result = cli("add", *options, folder)

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines == [
        f"{folder / 'team-actors.yaml'}: 4 actors (4 new)",
        f"{folder / 'z-first.yaml'}: added article 'z-first' (1 statement)",
        f"{folder / 'a-second.yaml'}: added article 'a-second' (1 statement); 1 new actor",
        "1 actors file, 2 added",
    ]
    assert _article_keys(engine) == ["a-second", "z-first"]
    with engine.connect() as conn:
        assert conn.execute(sql("SELECT count(*) FROM relations WHERE type = 'repeats'")
                            ).scalar() == 1
    again = cli("add", *options, "--dry-run", folder)
    assert again.exit_code == 0
    assert again.output.splitlines()[-1] == "dry run, nothing written: 1 actors file, 2 unchanged"


def test_files_without_references_keep_the_order_given(cli, tmp_path):
    one = Z_FIRST.replace("key: z-first", "key: one")
    two = Z_FIRST.replace("key: z-first", "key: two")
    folder = _folder(tmp_path, {"team-actors.yaml": REGISTRY})
    (tmp_path / "b.yaml").write_text(two, encoding="utf-8")
    (tmp_path / "a.yaml").write_text(one, encoding="utf-8")
    result = cli("add", tmp_path / "b.yaml", tmp_path / "a.yaml", folder)
    assert result.exit_code == 0, result.output
    assert [line.split(":")[0] for line in result.output.splitlines()[:3]] == [
        str(folder / "team-actors.yaml"), str(tmp_path / "b.yaml"), str(tmp_path / "a.yaml")]


def test_a_long_folder_in_reverse_dependency_order_with_parsing_workers(cli, engine, tmp_path):
    """70 files, each repeating the next one's statement: every file waits for the
    last, and the batch path (worker processes parse above 64 files) orders them."""
    files = {"team-actors.yaml": REGISTRY}
    for number in range(70):
        article = Z_FIRST.replace("key: z-first", f"key: report-{number:02d}")
        if number < 69:
            article += f"    repeats: [report-{number + 1:02d}#denial]\n"
        files[f"report-{number:02d}.yaml"] = article
    folder = _folder(tmp_path, files)

    result = cli("add", "-q", "--batch", "20", folder)

    assert result.exit_code == 0, result.output
    assert len(_article_keys(engine)) == 70
    with engine.connect() as conn:
        assert conn.execute(sql("SELECT count(*) FROM relations")).scalar() == 69


def test_a_reference_to_an_article_neither_given_nor_stored_is_refused_as_before(
        cli, engine, tmp_path):
    folder = _folder(tmp_path, {"a-second.yaml": A_SECOND, "team-actors.yaml": REGISTRY})
    result = cli("add", folder)
    assert result.exit_code == 1
    assert f"Error: {folder / 'a-second.yaml'}: 1 problem" in result.stderr
    assert "no article 'z-first' is stored; import it first" in result.stderr


def test_a_reference_to_a_stored_article_does_not_wait(cli, engine, tmp_path):
    first = tmp_path / "z-first.yaml"
    first.write_text(Z_FIRST, encoding="utf-8")
    registry = tmp_path / "team-actors.yaml"
    registry.write_text(REGISTRY, encoding="utf-8")
    assert cli("add", registry, first).exit_code == 0
    third = tmp_path / "c-third.yaml"
    third.write_text(Z_FIRST.replace("key: z-first", "key: c-third"), encoding="utf-8")
    folder = _folder(tmp_path, {"a-second.yaml": A_SECOND})
    result = cli("add", folder, third)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith(str(folder / "a-second.yaml"))


@pytest.mark.parametrize("options", [[], ["--batch", "10"]], ids=["file-by-file", "batch"])
def test_a_cycle_between_two_files_names_both_and_writes_nothing(cli, engine, tmp_path,
                                                                   options):
    a = Z_FIRST.replace("key: z-first", "key: a") + "    denies: [b#denial]\n"
    b = Z_FIRST.replace("key: z-first", "key: b") + "    denies: [a#denial]\n"
    registry = tmp_path / "team-actors.yaml"
    registry.write_text(REGISTRY, encoding="utf-8")
    assert cli("add", "-q", registry).exit_code == 0
    folder = _folder(tmp_path, {"a.yaml": a, "b.yaml": b})
    before = dump(engine)

    result = cli("add", *options, "--keep-going", folder)

    assert result.exit_code == 1
    stderr = result.stderr
    assert f"Error: {folder / 'a.yaml'}: 1 problem, nothing was imported" in stderr
    assert f"Error: {folder / 'b.yaml'}: 1 problem, nothing was imported" in stderr
    assert (f"line 8, statement 'denial', field 'denies': the files reference each other in "
            f"a cycle ({folder / 'a.yaml'} ('a') -> {folder / 'b.yaml'} ('b') -> "
            f"{folder / 'a.yaml'})") in stderr
    assert f"{folder / 'a.yaml'} statement 'denial' denies 'b#denial' (in {folder / 'b.yaml'})" \
        in stderr
    assert f"{folder / 'b.yaml'} statement 'denial' denies 'a#denial' (in {folder / 'a.yaml'})" \
        in stderr
    assert "2 failed" in result.output
    assert dump(engine) == before


# -- the Python API -----------------------------------------------------------------------

@pytest.mark.parametrize("batch", [1, 5])
def test_the_python_api_adds_a_folder_in_order(db, engine, tmp_path, batch):
    import claimsdb
    from claimsdb.format.seeds import article_files
    from claimsdb.ingest.importer import ActorsResult, ImportResult

    folder = _folder(tmp_path, {"a-second.yaml": A_SECOND, "team-actors.yaml": REGISTRY,
                                "z-first.yaml": Z_FIRST})
    seen = []
    with claimsdb.open(db) as database:
        dry = database.add(article_files([folder]), dry_run=True, batch=batch)
        assert dry.summary() == "dry run, nothing written: 1 actors file, 2 added"
        assert _actors(engine) == {}
        report = database.add(article_files([folder]), batch=batch, on_progress=seen.append)
    registry, first, second = report.results
    assert isinstance(registry, ActorsResult)
    assert (registry.actors, registry.actors_added, registry.actors_updated) == (4, 4, 0)
    assert registry.describe() == f"{folder / 'team-actors.yaml'}: 4 actors (4 new)"
    assert isinstance(first, ImportResult) and first.key == "z-first"
    assert second.key == "a-second"
    assert seen == report.results
    assert report.counts == {"actors file": 1, "added": 2}
    assert report.summary() == "1 actors file, 2 added"


def test_the_python_api_reports_a_cycle_and_read_article_refuses_an_actors_file(db, tmp_path):
    import claimsdb
    from claimsdb.errors import ArticleError
    from claimsdb.format.articles import ActorsFileSpec, read_article, read_input

    registry = tmp_path / "team-actors.yaml"
    registry.write_text(REGISTRY, encoding="utf-8")
    spec = read_input(registry)
    assert isinstance(spec, ActorsFileSpec)
    assert [a.key for a in spec.actors] == ["peskov", "zakharova", "kremlin", "russian-mfa"]
    with pytest.raises(ArticleError, match="is a file of actors only"):
        read_article(registry)

    a = Z_FIRST.replace("key: z-first", "key: a") + "    supports: [b#denial]\n"
    b = Z_FIRST.replace("key: z-first", "key: b") + "    supports: [a#denial]\n"
    folder = _folder(tmp_path, {"a.yaml": a, "b.yaml": b})
    with claimsdb.open(db) as database:
        database.add(registry)
        with pytest.raises(ArticleError, match="reference each other in a cycle") as refused:
            database.add([folder / "a.yaml", folder / "b.yaml"])
        assert refused.value.source == str(folder / "a.yaml")
        report = database.add([folder / "a.yaml", folder / "b.yaml"], keep_going=True)
        assert [f.source for f in report.failures] == [str(folder / "a.yaml"),
                                                       str(folder / "b.yaml")]
        assert report.results == []


def test_an_actors_file_in_another_format_version_or_without_actors_is_refused(cli, tmp_path):
    later = tmp_path / "later.yaml"
    later.write_text(REGISTRY.replace("claimsdb/actors@1", "claimsdb/actors@2"),
                     encoding="utf-8")
    result = cli("add", later)
    assert result.exit_code == 1
    assert "'claimsdb/actors@2' is not a format this claimsdb reads" in result.stderr
    empty = tmp_path / "empty.yaml"
    empty.write_text("format: claimsdb/actors@1\nactors: []\n", encoding="utf-8")
    result = cli("add", empty)
    assert result.exit_code == 1
    assert "line 2, file, field 'actors': is empty; list at least one actor" in result.stderr
