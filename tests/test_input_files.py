"""What an article file may make claimsdb read, and how its bytes are judged (issue 11).

Item 4: a ``text_file`` must lie inside the article file's folder, links resolved.
Item 8: only regular files are read, never past the size limit (FIFOs, /dev/zero,
/proc files, folders holding them). Item 27: ``claimsdb add -`` reads standard input.
Item 29: a file that is not an article (a package.json) is named as such, and
``--keep-going`` goes past it. Item 5: C1 control characters and DEL are refused like
C0 ones. Item 23: a quote cut short by a YAML comment is caught. Item 25c: UTF-16 and
UTF-32 are named as such. The hostile files of the same items are in
tests/data/hostile (run by test_hostile.py).

Anything that could hang or fill memory on a regression runs in a real process with
a timeout and a memory limit, so a failure is a failed test, not a stuck machine.
"""

from __future__ import annotations

import codecs
import os
import pickle
import resource
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from claimsdb.errors import ArticleError, NotAnArticle
from claimsdb.format.articles import ArticleBytes, parse_article, read_article
from helpers import dump

ROOT = Path(__file__).resolve().parents[1]
CLAIMSDB = Path(sys.executable).with_name("claimsdb")
MEMORY_LIMIT = 1536 * 1024 * 1024  # bytes of address space for a claimsdb process here
TIMEOUT = 60  # seconds; every case here finishes in a second or two

ARTICLE = """\
format: claimsdb/article@1
article:
  key: {key}
  title: Talks stalled
  {text}
statements:
  - {{key: stalled, quote: the talks have stalled}}
"""
BODY = "Officials say the talks have stalled.\n"


def article(key: str = "talks", text: str = f"text: {BODY.strip()!r}") -> str:
    return ARTICLE.format(key=key, text=text)


def problems(source: str | Path | ArticleBytes) -> list:
    with pytest.raises(ArticleError) as caught:
        read_article(source)
    return caught.value.problems


def parse_problems(document: str | bytes, base_dir: Path | None = None) -> list:
    with pytest.raises(ArticleError) as caught:
        parse_article(document if isinstance(document, bytes) else document.encode(),
                      source="a.yaml", base_dir=base_dir)
    return caught.value.problems


def _limited() -> None:  # runs in the child before claimsdb starts
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run(db: str, *args: str, stdin=None, env: dict | None = None, cwd: Path | None = None
        ) -> subprocess.CompletedProcess:
    """``claimsdb add ...`` in a real process, bounded in time and memory."""
    return subprocess.run([str(CLAIMSDB), "--db", db, *args], stdin=stdin,
                          capture_output=True, text=True, timeout=TIMEOUT, cwd=cwd,
                          env={**os.environ, **(env or {})}, preexec_fn=_limited)


# -- item 4: a text_file stays inside the article file's folder ------------------------------

@pytest.mark.parametrize("name", ["../secret.txt", "texts/../../secret.txt", "ABSOLUTE",
                                  "link-out.txt", "linked-folder/secret.txt"])
def test_item4_a_text_file_outside_the_article_files_folder_is_refused(tmp_path, name):
    """Issue 11 item 4: ``..``, absolute paths and links leading out are all refused."""
    (tmp_path / "secret.txt").write_text(BODY, encoding="utf-8")
    folder = tmp_path / "articles"
    (folder / "texts").mkdir(parents=True)
    (folder / "link-out.txt").symlink_to(tmp_path / "secret.txt")
    (folder / "linked-folder").symlink_to(tmp_path)
    name = str(tmp_path / "secret.txt") if name == "ABSOLUTE" else name
    path = folder / "a.yaml"
    path.write_text(article(text=f"text_file: {name}"), encoding="utf-8")
    [problem] = problems(path)
    assert (problem.item, problem.field, problem.line) == ("article", "text_file", 5)
    assert f"'{name}'" in problem.message
    assert ("leads outside the article file's folder" in problem.message
            or "is an absolute path" in problem.message)
    assert "inside" in problem.message


def test_item4_text_files_inside_the_folder_are_read_through_links(tmp_path):
    """Issue 11 item 4: subfolders, ``..`` that stays inside, a link to a file inside,
    and an article folder reached through a link all keep working."""
    real = tmp_path / "real"
    (real / "texts").mkdir(parents=True)
    (real / "texts" / "body.txt").write_text(BODY, encoding="utf-8")
    (real / "same.txt").symlink_to(real / "texts" / "body.txt")
    (tmp_path / "via-link").symlink_to(real)
    for index, name in enumerate(["texts/body.txt", "texts/../texts/body.txt", "same.txt"]):
        path = tmp_path / "via-link" / f"a{index}.yaml"
        path.write_text(article(text=f"text_file: {name}"), encoding="utf-8")
        assert read_article(path).text == BODY


LEADING_OUT = {"text-file-parent-path.yaml", "text-file-absolute-path.yaml"}  # hostile


def test_item4_every_bundled_and_example_article_keeps_its_text_file_inside_its_folder():
    """Issue 11 item 4: the rule keeps every version-1 file of the project importing."""
    from claimsdb.format.inputfiles import inside_folder

    checked = 0
    for folder in ("seeds", "examples", "tests/data"):
        for path in sorted((ROOT / folder).rglob("*.y*ml")):
            if path.name in LEADING_OUT:
                continue
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (yaml.YAMLError, UnicodeDecodeError, ValueError, RecursionError):
                continue  # the hostile files that are not YAML at all
            name = data.get("article", {}).get("text_file") \
                if isinstance(data, dict) and isinstance(data.get("article"), dict) else None
            if not isinstance(name, str):
                continue
            inside_folder(path.parent, name)  # raises for a file outside
            checked += 1
    assert checked >= 6
    assert len(read_article(ROOT / "seeds" / "putin-stance-stalls-talks.yaml").text) > 1000


# -- item 8: only regular files, never past the limit -------------------------------------

@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "pipe.yaml"
    os.mkfifo(path)
    return path


def test_item8_a_fifo_as_article_file_is_refused_without_hanging(db, engine, fifo):
    """Issue 11 item 8: no writer ever opens the FIFO; the import must not wait for one."""
    before = dump(engine)
    done = run(db, "add", str(fifo))
    assert done.returncode == 1, done.stderr
    assert f"{fifo}: 1 problem" in done.stderr
    assert "is a named pipe (FIFO), not a regular file" in done.stderr
    assert "claimsdb add -" in done.stderr  # what to do instead
    assert "Traceback" not in done.stderr
    assert dump(engine) == before


def test_item8_dev_zero_as_article_file_is_refused_before_reading(db, engine, tmp_path):
    """Issue 11 item 8: a link to /dev/zero named like an article (4 GB in 12 s before)."""
    link = tmp_path / "zero.yaml"
    link.symlink_to("/dev/zero")
    before = dump(engine)
    done = run(db, "add", str(link))
    assert done.returncode == 1, done.stderr
    assert "is a character device, not a regular file" in done.stderr
    assert dump(engine) == before


def test_item8_a_fifo_or_device_as_text_file_is_refused(db, engine, tmp_path):
    """Issue 11 item 8: a FIFO inside the folder is refused by type, not waited on."""
    os.mkfifo(tmp_path / "body.txt")
    path = tmp_path / "a.yaml"
    path.write_text(article(text="text_file: body.txt"), encoding="utf-8")
    before = dump(engine)
    done = run(db, "add", str(path))
    assert done.returncode == 1, done.stderr
    assert ("line 5, article, field 'text_file': "
            f"{tmp_path / 'body.txt'} is a named pipe (FIFO), not a regular file") in done.stderr
    assert dump(engine) == before


def test_item8_the_limit_holds_while_reading_whatever_stat_says(tmp_path):
    """Issue 11 item 8: /proc files report size 0 but hold more; reading stops at the
    limit (the stat check alone let them through)."""
    os.environ["CLAIMSDB_MAX_FILE_BYTES"] = "50"
    try:
        [problem] = problems(Path("/proc/self/status"))
        assert "goes on past the 50-byte limit" in problem.message
    finally:
        del os.environ["CLAIMSDB_MAX_FILE_BYTES"]


def test_item8_reading_never_takes_more_than_the_limit_plus_one_byte():
    """Issue 11 item 8: an endless stream costs limit + 1 bytes, not memory without end."""
    from claimsdb.format.inputfiles import TooLarge, read_limited

    class Endless:
        taken = 0

        def read(self, size: int) -> bytes:
            self.taken += size
            return b"x" * size

    stream = Endless()
    with pytest.raises(TooLarge):
        read_limited(stream, 10_000_000)
    assert stream.taken == 10_000_001


def test_item8_a_folder_with_special_files_names_each_and_keeps_going(db, engine, tmp_path):
    """Issue 11 item 8: folder expansion neither hangs on nor silently drops a FIFO or
    a device named like an article; --keep-going imports the real article."""
    os.mkfifo(tmp_path / "b-pipe.yaml")
    (tmp_path / "c-zero.json").symlink_to("/dev/zero")
    (tmp_path / "a.yaml").write_text(article(), encoding="utf-8")
    done = run(db, "add", "--keep-going", str(tmp_path))
    assert done.returncode == 1, done.stderr
    assert "1 added, 2 failed" in done.stdout
    assert f"{tmp_path / 'b-pipe.yaml'}: 1 problem" in done.stderr
    assert f"{tmp_path / 'c-zero.json'}: 1 problem" in done.stderr
    assert "is a character device" in done.stderr
    with engine.connect() as conn:
        from sqlalchemy import text as sql
        assert conn.execute(sql("SELECT key FROM articles")).scalars().all() == ["talks"]


# -- item 27: claimsdb add - -----------------------------------------------------------------

def test_item27_add_dash_reads_one_article_file_from_standard_input(cli, engine):
    """Issue 11 item 27: imported, and named "<stdin>" in what is printed."""
    result = cli("add", "-", input=article())
    assert result.exit_code == 0, result.output
    assert "<stdin>: added article 'talks' (1 statement)" in result.output
    assert cli("add", "-", input=article()).output.startswith("<stdin>: unchanged")


def test_item27_errors_name_stdin_and_change_nothing(cli, engine):
    """Issue 11 item 27."""
    before = dump(engine)
    result = cli("add", "-", input=article().replace("talks have stalled}", "talks went}"))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: <stdin>: 1 problem, nothing was imported")
    assert dump(engine) == before


def test_item27_text_file_from_stdin_is_relative_to_the_current_folder(cli, engine, tmp_path,
                                                                       monkeypatch):
    """Issue 11 item 27: the current folder stands for the article file's folder, with
    the same rule as item 4: nothing outside it."""
    (tmp_path / "inside").mkdir()
    (tmp_path / "inside" / "body.txt").write_text(BODY, encoding="utf-8")
    (tmp_path / "outside.txt").write_text(BODY, encoding="utf-8")
    monkeypatch.chdir(tmp_path / "inside")
    before = dump(engine)
    refused = cli("add", "-", input=article(text="text_file: ../outside.txt"))
    assert refused.exit_code == 1
    assert "'../outside.txt' leads outside the article file's folder" in refused.stderr
    assert dump(engine) == before
    result = cli("add", "-", input=article(text="text_file: body.txt"))
    assert result.exit_code == 0, result.output


def test_item27_the_size_limit_applies_to_standard_input(db, engine):
    """Issue 11 item 27 (and 8): ``add - < /dev/zero`` stops at the limit."""
    before = dump(engine)
    with open("/dev/zero", "rb") as zero:
        done = run(db, "add", "-", stdin=zero, env={"CLAIMSDB_MAX_FILE_BYTES": "1000000"})
    assert done.returncode == 1, done.stderr
    assert "<stdin>: 1 problem" in done.stderr
    assert "the input goes on past the 1,000,000-byte limit" in done.stderr
    assert dump(engine) == before


def test_item27_dash_twice_is_a_usage_error(cli):
    result = cli("add", "-", "-", input=article())
    assert result.exit_code == 2
    assert "'-' (standard input) can be given only once" in result.stderr


def test_item27_stdin_among_files_with_parsing_workers(db, engine, tmp_path):
    """Issue 11 item 27: with --batch and enough files for worker processes, standard
    input (which a worker cannot read) is imported in its place in the order."""
    names = []
    for index in range(70):
        path = tmp_path / f"a{index:02}.yaml"
        path.write_text(article(key=f"a{index:02}"), encoding="utf-8")
        names.append(str(path))
    stdin = tmp_path / "stdin.yaml"
    stdin.write_text(article(key="from-stdin"), encoding="utf-8")
    with open(stdin, "rb") as stream:
        done = run(db, "add", "--batch", "20", *names[:35], "-", *names[35:], stdin=stream)
    assert done.returncode == 0, done.stderr
    assert "<stdin>: added article 'from-stdin'" in done.stdout
    assert "71 added" in done.stdout


# -- item 29: files that are not articles ---------------------------------------------------

PACKAGE_JSON = '{"name": "site", "version": "1.0.0", "scripts": {"build": "vite"}}\n'


def test_item29_a_json_manifest_is_not_an_article_file():
    """Issue 11 item 29: one line, not a list of every missing article field."""
    with pytest.raises(NotAnArticle) as caught:
        parse_article(PACKAGE_JSON, source="site/package.json")
    assert str(caught.value) == (
        "site/package.json: not an article file (no 'format' or 'article' field at the "
        "top, only name, version, scripts); an article file starts with 'format: "
        "claimsdb/article@1' and 'article:' (see docs/format.md); nothing was imported")
    # It survives the trip back from a parsing worker (add --batch) as what it is.
    again = pickle.loads(pickle.dumps(caught.value))
    assert type(again) is NotAnArticle and str(again) == str(caught.value)


def test_item29_a_misspelt_article_is_still_an_article_with_its_typo_reported():
    """Issue 11 item 29: 'artcle' is a typo of an article file, not some other file."""
    found = parse_problems("artcle: {key: a, title: A, text: Hi.}\nstatments: []\n")
    assert any("did you mean 'article'" in p.message for p in found)


@pytest.mark.parametrize("batch", ["1", "100"])
def test_item29_a_folder_with_a_manifest_imports_its_articles_with_keep_going(
        cli, engine, tmp_path, batch):
    """Issue 11 item 29: named as not an article; --keep-going imports the rest."""
    (tmp_path / "package.json").write_text(PACKAGE_JSON, encoding="utf-8")
    (tmp_path / "talks.yaml").write_text(article(), encoding="utf-8")
    before = dump(engine)
    stopped = cli("add", "--batch", batch, tmp_path)
    assert stopped.exit_code == 1
    assert f"Error: {tmp_path / 'package.json'}: not an article file (" in stopped.stderr
    assert dump(engine) == before  # package.json sorts first: nothing was imported
    going = cli("add", "--batch", batch, "--keep-going", tmp_path)
    assert going.exit_code == 1
    assert "added article 'talks'" in going.output
    assert "1 added, 1 failed" in going.output
    assert f"Error: {tmp_path / 'package.json'}: not an article file (" in going.stderr


# -- item 5: C1 control characters and DEL ---------------------------------------------------

@pytest.mark.parametrize("character", ["\x7f", "\x80", "\x85", "\x9b", "\x9f"])
@pytest.mark.parametrize("where", ["title", "text", "name", "key", "alias"])
@pytest.mark.parametrize("syntax", ["yaml", "json"])
def test_item5_c1_and_del_are_refused_in_text_keys_and_names(character, where, syntax):
    """Issue 11 item 5: as YAML escapes and as JSON escapes alike."""
    escape = f"\\u{ord(character):04x}"
    values = {"title": "Talks", "text": "Officials say the talks have stalled.",
              "name": "Reuters", "key": "reuters", "alias": "Reuters agency"}
    values[where] = values[where][:3] + escape + values[where][3:]
    if syntax == "yaml":
        document = (f'article: {{key: a, title: "{values["title"]}", text: "{values["text"]}"}}\n'
                    f'actors:\n  - {{key: "{values["key"]}", name: "{values["name"]}", '
                    f'kind: outlet, aliases: ["{values["alias"]}"]}}\nstatements: []\n')
    else:
        document = (f'{{"article": {{"key": "a", "title": "{values["title"]}", '
                    f'"text": "{values["text"]}"}}, "actors": [{{"key": "{values["key"]}", '
                    f'"name": "{values["name"]}", "kind": "outlet", '
                    f'"aliases": ["{values["alias"]}"]}}], "statements": []}}\n')
    [problem] = parse_problems(document)
    assert f"contains the control character U+{ord(character):04X}" in problem.message
    field = {"alias": "aliases[0]"}.get(where, where)
    assert problem.field == field


def test_item5_c1_in_a_text_file_is_refused_naming_what_was_meant(tmp_path):
    """Issue 11 item 5: Windows-1252 quotes read as Latin-1 become U+0093/U+0094."""
    (tmp_path / "body.txt").write_text("Peskov said \x93no\x94.\n", encoding="utf-8")
    [problem] = parse_problems(article(text="text_file: body.txt"), tmp_path)
    assert "contains the control character U+0093" in problem.message
    assert "it stands for '“'" in problem.message
    assert problem.field == "text_file"


def test_item5_a_raw_next_line_is_refused_before_yaml_turns_it_into_a_line_break():
    """Issue 11 item 5: raw U+0085 is a YAML line break; stored text would change."""
    document = "article:\n  key: a\n  title: A\n  text: |\n    one\x85two\nstatements: []\n"
    [problem] = parse_problems(document)
    assert problem.line == 5
    assert "U+0085 (NEXT LINE" in problem.message
    assert "YAML reads as a line break" in problem.message


@pytest.mark.parametrize("character", ["\x7f", "\x9b"])
def test_item5_raw_del_and_c1_in_yaml_are_refused_with_their_line(character):
    document = f"article:\n  key: a\n  title: A{character}B\n  text: Hi.\nstatements: []\n"
    [problem] = parse_problems(document)
    assert problem.line == 3
    assert f"U+{ord(character):04X}" in problem.message
    assert "text_file" not in problem.message  # a text_file refuses them just the same


def test_item5_tab_line_feed_and_carriage_return_stay_allowed(tmp_path):
    (tmp_path / "body.txt").write_bytes(b"Officials\tsay\r\nthe talks have stalled.\n")
    spec = parse_article(article(text="text_file: body.txt").encode(), base_dir=tmp_path)
    assert spec.text == "Officials\tsay\r\nthe talks have stalled.\n"
    spec = parse_article(article(text='text: "Officials\\tsay\\r\\nthe talks have stalled."'))
    assert spec.title == "Talks stalled" and "\t" in spec.text


# -- item 23: a quote cut short by a YAML comment ---------------------------------------------

SUMMIT = """\
article:
  key: summit
  title: Summit
  text: |
    Leaders met at the G20 summit #1 of leading economies in Rome.
statements:
  - key: summit
    quote: {quote}
"""


def test_item23_a_quote_cut_by_a_comment_that_the_text_continues_is_caught():
    """Issue 11 item 23: "the G20 summit" would have been stored silently."""
    [problem] = parse_problems(SUMMIT.format(quote="the G20 summit #1 of leading economies"))
    assert problem.line == 8 and problem.field == "quote"
    assert "the quote ends where YAML starts a comment ('#1 of leading economies')" in \
        problem.message
    assert "put the quote in quotes" in problem.message


@pytest.mark.parametrize("quote", [
    '"the G20 summit #1 of leading economies"',  # quoted: the '#' is kept
    "the G20 summit   # the first summit in Rome",  # a real comment, not in the text
    "'the G20 summit' #1 of leading economies",  # quoted on purpose, then a comment
])
def test_item23_quoted_quotes_and_real_comments_are_left_alone(quote):
    spec = parse_article(SUMMIT.format(quote=quote))
    assert spec.statements[0].quote.startswith("the G20 summit")


def test_item23_a_multi_line_plain_quote_is_checked_on_its_last_line():
    document = SUMMIT.format(quote="the G20\n      summit #1 of leading economies")
    [problem] = parse_problems(document)
    assert "('#1 of leading economies')" in problem.message


# -- item 25c: UTF-16 and UTF-32 ---------------------------------------------------------------

@pytest.mark.parametrize(("encode", "says"), [
    (lambda t: t.encode("utf-16-le"), "looks like UTF-16 (little-endian) text without a byte"),
    (lambda t: t.encode("utf-16-be"), "looks like UTF-16 (big-endian) text without a byte"),
    (lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"),
     "is UTF-16 (little-endian) text (it starts with a UTF-16 byte-order mark)"),
    (lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"),
     "is UTF-16 (big-endian) text (it starts with a UTF-16 byte-order mark)"),
    (lambda t: t.encode("utf-32-le"), "looks like UTF-32 (little-endian) text"),
    (lambda t: codecs.BOM_UTF32_BE + t.encode("utf-32-be"),
     "is UTF-32 (big-endian) text (it starts with a UTF-32 byte-order mark)"),
])
def test_item25c_utf16_and_utf32_are_named_not_reported_as_nul(tmp_path, encode, says):
    """Issue 11 item 25c: article files and text files alike."""
    [problem] = parse_problems(encode(article()))
    assert says in problem.message and "save the file as UTF-8" in problem.message
    assert "U+0000" not in problem.message
    (tmp_path / "body.txt").write_bytes(encode("Переговоры зашли в тупик, – said Peskov.\n"))
    [problem] = parse_problems(article(text="text_file: body.txt"), tmp_path)
    assert problem.field == "text_file"
    assert says in problem.message and "save the file as UTF-8" in problem.message


def test_item25c_a_utf8_file_with_a_nul_still_names_the_nul():
    [problem] = parse_problems(article().encode() + b"# \x00\n")
    assert "U+0000" in problem.message
