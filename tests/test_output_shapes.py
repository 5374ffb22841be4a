"""Issue 11 item 22: one JSON shape per concept, the one docs/export.md and
docs/queries.md document, in every command and format.

Each command's JSON is checked key by key against the shapes below, and each key of
them must be named in the docs, so the program, this test and the docs change together.
CSV headers of the list commands must equal those of the matching export table, and
both the columns docs/export.md lists.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from sqlalchemy import Engine

from claimsdb.format.seeds import seed_files
from claimsdb.ingest.importer import import_files
from conftest import DATA, REPO

ACTOR = {"key", "name", "kind", "identified"}
STATEMENT = {"ref", "article", "statement", "kind", "quote", "span", "stated_on", "context",
             "article_title", "published", "url", "outlet", "speaker", "chain",
             "chains", "origins", "chain_depth", "about", "relations", "translated_from",
             "original"}
HOP = {"position", "actor", "cue", "mention", "identified", "cue_span", "mention_span"}
RELATION = {"direction", "type", "ref", "quote", "speaker"}
COUNTS = {"originated", "relayed", "denials_issued", "denials_received"}
ACTOR_ROW = ACTOR | COUNTS | {"aliases", "roles", "wikidata", "description"}
ROLE = {"title", "of", "from", "to"}
MEMBER = {"title", "actor", "from", "to"}
ACTOR_DETAIL = ACTOR_ROW | {"members", "statements_said", "statements_relayed"}
ARTICLE_ROW = {"key", "title", "outlet", "published", "url", "language", "authors",
                "statements", "anonymous", "denied", "retrieved", "archived_url"}
ARTICLE_DETAIL = (ARTICLE_ROW - {"statements"}) | {"statement_count", "note", "text",
                                                   "statements", "marks"}
MARK = {"type", "number", "statement", "span", "actor"}
DENIAL = {"denier", "denial", "denied", "type"}
SOURCES = {"scope", "title", "statements", "named", "role", "anonymous", "own_voice",
           "average_chain_depth", "direct_share", "independent_origins", "anonymous_share"}
CLAIM = {"claim", "quote", "statements", "articles", "origins", "origin_names",
         "single_source", "first_published", "denied"}
TRACE = {"asked", "statements", "repeats", "roots", "upstream", "downstream", "reactions",
         "origins", "independent_origins", "articles", "single_source", "first_appearance"}
REACTION = {"type", "by", "target", "after_first"}
LOOP = {"kind", "path", "statements", "description"}
CHAIN_ROW = {"ref", "article", "statement", "position", "actor", "cue", "mention",
             "identified", "cue_span", "mention_span", "is_origin", "chain_depth", "chain"}
RELATION_ROW = {"type", "source", "target"}
RELATION_END = {"ref", "article", "statement", "quote", "speaker"}

DOCS = (REPO / "docs" / "export.md").read_text(encoding="utf-8") + \
    (REPO / "docs" / "queries.md").read_text(encoding="utf-8")


@pytest.fixture
def corpus(db: str, engine: Engine) -> str:
    import_files(engine, [*seed_files(), *sorted((DATA / "trace").glob("*.yaml"))])
    return db


def actor(value, nullable: bool = False) -> None:
    if value is None and nullable:
        return
    assert isinstance(value, dict) and set(value) == ACTOR, value


def statement(value: dict) -> None:
    assert set(value) == STATEMENT, set(value) ^ STATEMENT
    actor(value["outlet"], nullable=True)
    actor(value["speaker"], nullable=True)
    for hop in value["chain"]:
        assert set(hop) == HOP
        actor(hop["actor"])
    assert value["chains"][:1] == ([value["chain"]] if value["chain"] else [])
    for chain in value["chains"]:
        for hop in chain:
            assert set(hop) == HOP
            actor(hop["actor"])
    for origin in value["origins"]:
        actor(origin)
    for about in value["about"]:
        actor(about)
    for relation in value["relations"]:
        assert set(relation) == RELATION, relation
        actor(relation["speaker"], nullable=True)  # was a bare name


def actor_row(value: dict, keys: set[str] = ACTOR_ROW) -> None:
    assert set(value) == keys, set(value) ^ keys
    for role in value["roles"]:
        assert set(role) == ROLE
        actor(role["of"])


def article_row(value: dict, keys: set[str] = ARTICLE_ROW) -> None:
    assert set(value) == keys, set(value) ^ keys
    actor(value["outlet"], nullable=True)
    for author in value["authors"]:
        actor(author)


def json_of(cli, *args):
    result = cli(*args)
    assert result.exit_code in (0, 1), result.output  # loops exits 1 when it finds some
    return json.loads(result.stdout)


def test_item_22_every_command_json_has_the_documented_shape(corpus, cli):
    """Issue 11 item 22: the JSON of every command, checked against the shapes."""
    for value in json_of(cli, "statements", "--format", "json"):
        statement(value)
    statement(json_of(cli, "chain", "putin-stance-stalls-talks#officials-putin-maximalist-"
                      "demands", "--format", "json"))
    for value in json_of(cli, "denials", "--format", "json"):
        assert set(value) == DENIAL
        actor(value["denier"], nullable=True)
        statement(value["denial"])
        statement(value["denied"])
    rows = json_of(cli, "actors", "--format", "json")
    assert any(row["roles"] for row in rows)
    for value in rows:
        actor_row(value)
    detail = json_of(cli, "actor", "peskov", "--format", "json")
    actor_row(detail, ACTOR_DETAIL)
    for member in json_of(cli, "actor", "kremlin", "--format", "json")["members"]:
        assert set(member) == MEMBER
        actor(member["actor"])
    for value in detail["statements_said"] + detail["statements_relayed"]:
        statement(value)
    for value in json_of(cli, "articles", "--format", "json"):
        article_row(value)
    detail = json_of(cli, "article", "putin-stance-stalls-talks", "--format", "json")
    article_row(detail, ARTICLE_DETAIL)
    for value in detail["statements"]:
        statement(value)
    assert detail["marks"] and all(set(mark) == MARK for mark in detail["marks"])
    for value in json_of(cli, "sources", "--format", "json"):
        assert set(value) == SOURCES, set(value) ^ SOURCES
    for value in json_of(cli, "claims", "--all", "--format", "json"):
        assert set(value) == CLAIM, set(value) ^ CLAIM
    trace = json_of(cli, "trace", "vorsk-herald-dam#dam-sabotaged", "--format", "json")
    assert set(trace) == TRACE
    for value in trace["statements"]:
        statement(value)
    for group in trace["origins"]:
        for origin in group:
            actor(origin)
    assert trace["reactions"]
    for reaction in trace["reactions"]:
        assert set(reaction) == REACTION
        statement(reaction["by"])
        # a number of days, not prose ("6 hours after")
        assert reaction["after_first"] is None or isinstance(reaction["after_first"],
                                                             int | float)
    assert trace["reactions"][0]["after_first"] == 0.25  # six hours
    for value in json_of(cli, "loops", "--format", "json"):
        assert set(value) == LOOP


def test_item_22_exports_have_the_documented_shape(corpus, cli):
    """Issue 11 item 22: export json of every table; the list commands give the same
    objects as the matching export table."""
    for value in json_of(cli, "export", "json"):
        statement(value)
    for value in json_of(cli, "export", "json", "--table", "chain"):
        assert set(value) == CHAIN_ROW
        actor(value["actor"])
    for value in json_of(cli, "export", "json", "--table", "relations"):
        assert set(value) == RELATION_ROW
        for end in (value["source"], value["target"]):
            assert set(end) == RELATION_END
            actor(end["speaker"], nullable=True)
    exported = json_of(cli, "export", "json", "--table", "actors")
    for value in exported:
        actor_row(value)
    assert sorted(exported, key=lambda a: a["key"]) == sorted(
        json_of(cli, "actors", "--format", "json"), key=lambda a: a["key"])
    exported = json_of(cli, "export", "json", "--table", "articles")
    for value in exported:
        article_row(value)
    assert exported == json_of(cli, "articles", "--format", "json")


def _documented_columns(table: str) -> list[str]:
    """The columns docs/export.md lists for ``--table TABLE``, in order."""
    text = (REPO / "docs" / "export.md").read_text(encoding="utf-8")
    section = text.split(f"### `--table {table}`", 1)[1].split("\n#", 1)[0]
    columns: list[str] = []
    for line in section.splitlines():
        if line.startswith("| `"):
            columns += re.findall(r"`([a-z_]+)`", line.split("|")[1])
    return columns


def _header(cli, *args) -> list[str]:
    return next(csv.reader(io.StringIO(cli(*args).stdout, newline="")))


@pytest.mark.parametrize("table", ["statements", "chain", "relations", "actors", "articles"])
def test_item_22_csv_columns_are_the_documented_ones(corpus, cli, table):
    """Issue 11 item 22: export csv has the columns docs/export.md lists, and the list
    command of the same rows ('actors', 'articles') has the same columns."""
    header = _header(cli, "export", "csv", "--table", table)
    assert sorted(header) == sorted(_documented_columns(table))
    if table in ("actors", "articles"):
        assert _header(cli, table, "--format", "csv") == header


def test_item_22_every_key_of_the_shapes_is_documented():
    """Issue 11 item 22: the shapes checked above are the documented ones."""
    shapes = (ACTOR, STATEMENT, HOP, RELATION, ACTOR_ROW, ROLE, MEMBER, ACTOR_DETAIL,
              ARTICLE_ROW, ARTICLE_DETAIL, DENIAL, SOURCES, CLAIM, TRACE, REACTION, LOOP,
              CHAIN_ROW, RELATION_ROW, RELATION_END, MARK)
    missing = sorted({key for shape in shapes for key in shape
                      if f'"{key}"' not in DOCS and f"`{key}`" not in DOCS})
    assert not missing, missing
