"""The command line as a user meets it: exit codes, messages, and the fixed contract."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from claimsdb.cli import main
from conftest import Cli
from helpers import dump

MAXIMALIST = "putin-stance-stalls-talks#officials-putin-maximalist-demands"

GOOD = """\
format: claimsdb/article@1
article:
  key: kremlin-denies-report
  title: Kremlin denies report on peace terms
  outlet: example-news
  published: 2025-03-12
  text: |
    According to Bloomberg, Western officials say the talks are stalled.
    Kremlin spokesman Dmitry Peskov said the report "does not reflect reality".
actors:
  - {key: example-news, name: Example News, kind: outlet}
  - {key: bloomberg, name: Bloomberg, kind: outlet}
  - {key: western-officials, name: Western officials, kind: group, identified: anonymous}
  - key: peskov
    name: Dmitry Peskov
    kind: person
    roles: [{of: kremlin, title: spokesman}]
  - {key: kremlin, name: Kremlin, kind: organization}
statements:
  - key: talks-stalled
    quote: the talks are stalled
    chain:
      - {actor: bloomberg, cue: according to}
      - {actor: western-officials, cue: say}
  - key: denial
    quote: does not reflect reality
    kind: direct
    chain: [{actor: peskov, cue: said}]
    denies: [talks-stalled]
"""


def all_commands():
    """Every command path, e.g. ('export', 'csv')."""
    import click

    def walk(group, prefix):
        for name, command in group.commands.items():
            yield (*prefix, name)
            if isinstance(command, click.Group):
                yield from walk(command, (*prefix, name))

    return list(walk(main, ()))


# -- conventions -------------------------------------------------------------------------

@pytest.mark.parametrize("path", all_commands(), ids="-".join)
def test_every_command_has_help_with_an_example(path):
    result = Cli(None)(*path, "--help")
    assert result.exit_code == 0
    assert "Example" in result.output, f"'claimsdb {' '.join(path)} --help' shows no example"


def test_version_and_top_level_help():
    from claimsdb import __version__

    cli = Cli(None)
    assert cli("--version").output.strip() == f"claimsdb, version {__version__}"
    top = cli("--help").output
    for name in ("init", "seed", "add", "chain", "export"):
        assert name in top


def test_usage_error_exits_2_with_message_on_stderr():
    result = Cli(None)("chain")
    assert result.exit_code == 2
    assert "Missing argument" in result.stderr
    assert result.stdout == ""


# -- init / seed / chain / export: the main job -------------------------------------------

def test_init_creates_then_reports_up_to_date(empty_db):
    cli = Cli(empty_db)
    first = cli("init")
    assert first.exit_code == 0, first.output
    assert "created the claimsdb schema" in first.output
    again = cli("init")
    assert again.exit_code == 0
    assert "up to date" in again.output


def test_seed_twice_changes_nothing(cli, engine):
    first = cli("seed")
    assert first.exit_code == 0, first.stderr
    assert first.output.startswith(
        "seed putin-stance-stalls-talks.yaml: added article 'putin-stance-stalls-talks' "
        "(36 statements)")
    before = dump(engine)
    second = cli("seed")
    assert second.exit_code == 0
    assert "unchanged" in second.output
    assert dump(engine) == before


def test_seed_initialises_a_brand_new_database(empty_db):
    result = Cli(empty_db)("seed")
    assert result.exit_code == 0, result.stderr
    assert "initialised a new claimsdb database" in result.stderr
    assert "added article" in result.output


def test_chain_shows_the_path_to_the_anonymous_origin(seeded, cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")  # the quotes below on one line each
    result = cli("chain", MAXIMALIST)
    assert result.exit_code == 0, result.stderr
    out = result.output
    assert '“Putin made "maximalist" demands ahead of the talks to end the war”' in out
    lines = out.splitlines()
    hop1 = next(i for i, line in enumerate(lines) if "quoted by → Bloomberg" in line)
    assert "[outlet, named]" in lines[hop1]
    # The seed gives each hop the words naming its source there (format 1.1 mention);
    # a mention that is the actor's name is not repeated under the hop.
    assert "say → Western security officials  [group, anonymous]" in lines[hop1 + 1]
    assert "original speaker" in lines[hop1 + 1]
    assert "named here as" not in out
    denied = out.index("Denied by:")
    assert "Dmitry Peskov" in out[denied:]
    assert "does not reflect reality" in out[denied:]


def test_chain_accepts_a_unique_bare_key_and_emits_json(seeded, cli):
    import json

    result = cli("chain", "officials-putin-maximalist-demands", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.output)
    assert data["ref"] == MAXIMALIST
    assert [hop["actor"]["key"] for hop in data["chain"]] == [
        "bloomberg", "western-security-officials"]
    assert [hop["cue"] for hop in data["chain"]] == ["quoted by", "say"]
    assert data["speaker"]["identified"] == "anonymous"
    denials = [r for r in data["relations"] if r["type"] == "denies"]
    assert denials
    assert all(r["direction"] == "incoming" for r in denials)


def test_chain_of_an_own_voice_statement(seeded, cli):
    result = cli("chain", "putin-stance-stalls-talks#headline-unyielding-stance-stalls-talks")
    assert result.exit_code == 0
    assert "own voice" in result.output


@pytest.mark.parametrize(("ref", "expected"), [
    ("putin-stance-stalls-talks#no-such-statement", "has no statement 'no-such-statement'"),
    ("no-such-article#x", "no article 'no-such-article'"),
    ("maximalist", "no statement 'maximalist'"),
])
def test_chain_unknown_reference_is_a_clear_error(seeded, cli, ref, expected):
    result = cli("chain", ref)
    assert result.exit_code == 1
    assert expected in result.stderr
    assert "Traceback" not in result.stderr + result.output


def test_chain_unknown_reference_lists_candidates(seeded, cli):
    result = cli("chain", "putin-maximalist-demands")
    assert result.exit_code == 1
    assert "putin-stance-stalls-talks#officials-putin-maximalist-demands" in result.stderr


def test_export_csv_has_the_contract_columns_and_one_row_per_statement(seeded, cli):
    result = cli("export", "csv", "--table", "statements")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 36
    contract = ["article", "statement", "kind", "quote", "speaker", "chain", "chain_depth",
                "denies", "denied_by"]
    assert list(rows[0])[: len(contract)] == contract
    row = next(r for r in rows if r["statement"] == "officials-putin-maximalist-demands")
    assert row["speaker"] == "Western security officials"
    assert row["chain"] == "Bloomberg > Western security officials"
    assert row["chain_depth"] == "2"
    assert row["denied_by"] == (
        "putin-stance-stalls-talks#peskov-western-assessment-does-not-reflect-reality")
    headline = next(r for r in rows if r["statement"] == "headline-unyielding-stance-stalls-talks")
    assert headline["speaker"] == ""  # own voice of an article without an outlet
    assert headline["chain"] == ""
    assert headline["chain_depth"] == "0"
    denial = next(r for r in rows
                  if r["statement"] == "peskov-western-assessment-does-not-reflect-reality")
    assert len(denial["denies"].split("; ")) == 4


def test_export_csv_to_a_file(seeded, cli, tmp_path):
    target = tmp_path / "out.csv"
    result = cli("export", "csv", "--table", "statements", "-o", str(target))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "wrote 36 statement rows" in result.stderr
    with target.open(encoding="utf-8", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == 36


def test_export_csv_guards_formulas_unless_told_not_to(cli, write_article):
    article = write_article("""\
article:
  key: formula
  title: Formula text
  outlet: outlet-x
  text: "=HYPERLINK(\\"http://x\\") and -1 more"
actors: [{key: outlet-x, name: "@outlet", kind: outlet}]
statements:
  - {key: eq, quote: '=HYPERLINK("http://x")'}
  - {key: minus, quote: '-1 more'}
""")
    assert cli("add", str(article)).exit_code == 0
    guarded = {r["statement"]: r for r in csv.DictReader(io.StringIO(cli("export", "csv").stdout))}
    assert guarded["eq"]["quote"] == "'=HYPERLINK(\"http://x\")"
    assert guarded["minus"]["quote"] == "'-1 more"
    assert guarded["eq"]["speaker"] == "'@outlet"
    raw = cli("export", "csv", "--no-formula-guard").stdout
    verbatim = {r["statement"]: r for r in csv.DictReader(io.StringIO(raw))}
    assert verbatim["eq"]["quote"] == '=HYPERLINK("http://x")'
    assert verbatim["minus"]["quote"] == "-1 more"


def test_export_csv_excel_mode_adds_bom_and_crlf(seeded, cli):
    out = cli("export", "csv", "--excel").stdout_bytes  # .stdout folds CRLF
    assert out.startswith("\ufeffarticle,statement,".encode())
    assert out.count(b"\r\n") == out.count(b"\n") == 37


# -- add ---------------------------------------------------------------------------------

def test_add_imports_a_file_then_reports_unchanged(cli, write_article):
    path = write_article(GOOD)
    first = cli("add", str(path))
    assert first.exit_code == 0, first.stderr
    assert "added article 'kremlin-denies-report' (2 statements); 5 new actors" in first.output
    again = cli("add", str(path))
    assert "unchanged article 'kremlin-denies-report' (already stored)" in again.output
    chain = cli("chain", "kremlin-denies-report#talks-stalled").output
    assert "Example News  [outlet, named]" in chain
    assert "according to → Bloomberg" in chain


def test_add_bad_file_exits_1_lists_every_problem_and_changes_nothing(cli, engine,
                                                                      write_article):
    bad = GOOD.replace("kind: outlet}", "kind: outlett}", 1).replace(
        "quote: the talks are stalled", "quote: the talks are stuck").replace(
        "title: Kremlin", "titel: Kremlin")
    path = write_article(bad, name="bad.yaml")
    before = dump(engine)
    result = cli("add", str(path))
    assert result.exit_code == 1
    err = result.stderr
    assert str(path) in err
    assert "3 problems, nothing was imported" in err
    assert "did you mean 'title'?" in err
    assert "field 'title': is required" not in err  # the misspelling says it already
    assert "did you mean 'outlet'?" in err
    assert "«the talks are stuck» is not in the article text" in err
    assert "line " in err
    assert "Traceback" not in err
    assert dump(engine) == before


def test_add_changed_article_is_refused_without_replace(cli, engine, write_article):
    cli("add", str(write_article(GOOD)))
    changed = write_article(GOOD.replace("peace terms", "peace plan"), name="v2.yaml")
    before = dump(engine)
    refused = cli("add", str(changed))
    assert refused.exit_code == 1
    assert "already stored with different content" in refused.stderr
    assert "--replace" in refused.stderr
    assert dump(engine) == before
    replaced = cli("add", "--replace", str(changed))
    assert replaced.exit_code == 0
    assert "replaced article 'kremlin-denies-report'" in replaced.output


def test_add_dry_run_writes_nothing(cli, engine, write_article):
    before = dump(engine)
    result = cli("add", "--dry-run", str(write_article(GOOD)))
    assert result.exit_code == 0, result.stderr
    assert "would add article 'kremlin-denies-report'" in result.output
    assert dump(engine) == before


def test_add_stops_at_the_first_bad_file_keeping_earlier_ones(cli, tmp_path, write_article):
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "1-good.yaml").write_text(GOOD, encoding="utf-8")
    (folder / "2-bad.yaml").write_text("article: [", encoding="utf-8")
    result = cli("add", str(folder))
    assert result.exit_code == 1
    assert "not valid YAML" in result.stderr
    assert "the 1 file(s) before it were imported" in result.stderr
    assert "kremlin-denies-report" in cli("chain", "kremlin-denies-report#denial").output


def test_add_keep_going_reports_every_failure(cli, tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "a.yaml").write_text("article: [", encoding="utf-8")
    (folder / "b.yaml").write_text(GOOD, encoding="utf-8")
    (folder / "c.yaml").write_text("{}", encoding="utf-8")
    result = cli("add", "--keep-going", str(folder))
    assert result.exit_code == 1
    assert "1 added, 2 failed" in result.output
    assert "a.yaml" in result.stderr
    assert "c.yaml" in result.stderr


def test_add_missing_file_is_a_usage_error(cli, tmp_path):
    result = cli("add", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


# -- database problems -------------------------------------------------------------------

def test_reading_a_missing_sqlite_file_says_how_to_create_it(tmp_path):
    result = Cli(str(tmp_path / "none.db"))("chain", "x#y")
    assert result.exit_code == 1
    assert "claimsdb init" in result.stderr
    assert not (tmp_path / "none.db").exists()


def test_reading_an_uninitialised_database_says_run_init(empty_db):
    cli = Cli(empty_db)
    if empty_db.endswith(".db"):
        Path(empty_db).touch()
    result = cli("chain", "x#y")
    assert result.exit_code == 1
    assert "claimsdb init" in result.stderr


def test_unreachable_postgres_is_a_clear_error():
    result = Cli("postgresql+psycopg://nobody@127.0.0.1:1/none")("chain", "x#y")
    assert result.exit_code == 1
    assert "PostgreSQL" in result.stderr
    assert "Traceback" not in result.stderr


def test_malformed_url_is_a_clear_error():
    result = Cli("nosuchdialect://x/y")("init")
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr


# -- the installed entry point, as a real process ------------------------------------------

def _entry_point() -> str:
    script = Path(sys.executable).with_name("claimsdb")
    found = str(script) if script.exists() else shutil.which("claimsdb")
    assert found, "the claimsdb console script is not installed"
    return found


def test_installed_entry_point_runs_the_quick_start(tmp_path):
    exe = _entry_point()
    env = {**os.environ, "CLAIMSDB_DB": str(tmp_path / "q.db")}

    def run(*args):
        return subprocess.run([exe, *args], env=env, capture_output=True, text=True,
                              timeout=120, cwd=tmp_path)

    assert run("init").returncode == 0
    seeded = run("seed")
    assert seeded.returncode == 0, seeded.stderr
    chain = run("chain", MAXIMALIST)
    assert chain.returncode == 0
    assert "Western security officials" in chain.stdout
    bad = run("chain", "nope#nope")
    assert bad.returncode == 1
    assert bad.stderr.startswith("Error: ")
    assert "Traceback" not in bad.stderr


def test_installed_entry_point_closes_quietly_on_a_broken_pipe(tmp_path):
    exe = _entry_point()
    env = {**os.environ, "CLAIMSDB_DB": str(tmp_path / "p.db")}
    subprocess.run([exe, "seed", "-q"], env=env, check=True, timeout=120)
    pipeline = subprocess.run(
        f'"{exe}" export csv | head -n 2', shell=True, env=env, capture_output=True, text=True,
        timeout=120,
    )
    assert pipeline.stdout.count("\n") == 2
    assert pipeline.stderr == ""


def test_help_does_not_import_sqlalchemy():
    probe = ("import sys; from claimsdb.cli import main\n"
             "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
             "print('sqlalchemy' in sys.modules, 'yaml' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=60)
    assert done.stdout.strip().splitlines()[-1] == "False False"
