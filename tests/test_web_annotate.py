"""Annotating in the workbench through Starlette's TestClient, on both backends: a
new article from pasted text or an uploaded file through the drafter, suggestions
accepted and rejected, a statement made from a selection with a two-hop chain and a
denial, saved through ``claimsdb add``'s importer; problems kept beside their items
with nothing written; a stored article edited and replaced; the download imports to
the same article; drafts survive a restart and stay out of every query; the CSRF and
read-only guards refuse every write. The same in a real browser:
tests/test_web_browser.py."""

from __future__ import annotations

import contextlib
import functools
import http.server
import io
import re
import socket
import threading
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from claimsdb.api import Database
from claimsdb.format.seeds import seed_files
from claimsdb.web.app import create_app
from claimsdb.web.security import CSRF_COOKIE
from conftest import DATA, Cli

LOCAL = "http://127.0.0.1"
# Curly quotes, guillemets and a dash, as real copy has them.
TEXT = ("Talks stall over “maximalist” demands\n"
        "The talks have stalled, Kremlin spokesman Dmitry Peskov said on Friday. According "
        "to sources familiar with the matter, the delegation will not return to Istanbul. "
        "Interfax quoted foreign ministry spokeswoman Maria Zakharova as saying that the "
        "delegation was ready to come back — «in a week or two».\n")
KEY = "talks-stall-over-maximalist-demands"
SEED = "putin-stance-stalls-talks"


@pytest.fixture
def seeded(db: str) -> str:
    with Database(db) as database:
        database.add(seed_files())
    return db


def run(db: str, *args: str) -> str:
    """``claimsdb --db DB ARGS``: its output, after checking it succeeded."""
    result = Cli(db)(*args)
    assert result.exit_code == 0, result.output
    return result.output


class Bench:
    """A TestClient over the app with its CSRF header, and the workbench folder."""

    def __init__(self, db: str, folder: Path, **options):
        self.database = Database(db)
        self.folder = folder
        self.client = TestClient(create_app(self.database, workbench=folder, **options),
                                 base_url=LOCAL)
        self.client.get("/annotate")
        self.headers = {"X-CSRF-Token": self.client.cookies[CSRF_COOKIE]}

    def post(self, path: str, **kwargs):
        return self.client.post(path, headers=self.headers, **kwargs)

    def close(self) -> None:
        self.client.close()
        self.database.close()


@pytest.fixture
def bench(seeded: str, tmp_path: Path):
    opened = Bench(seeded, tmp_path / "workbench")
    yield opened
    opened.close()


def problems(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", p) for p in
            re.findall(r'<p class="problem"[^>]*>(.*?)</p>', html, re.S)]


def card(html: str, key: str) -> str:
    found = re.search(rf'<section class="card [a-z]+" id="(?:statement|suggestion)-{key}".*?'
                      r"</section>", html, re.S)
    assert found, key
    return found.group(0)


def test_pasted_text_becomes_suggestions_with_their_confidence_and_nothing_is_stored(
        bench):
    answer = bench.post("/annotate", data={"text": TEXT})
    assert answer.status_code == 200 and answer.url.path == f"/annotate/{KEY}"
    html = answer.text
    suggestion = card(html, "the-talks-have-stalled")
    assert "confidence 0.75" in suggestion and "Accept" in suggestion
    assert html.count('class="card suggestion"') == 3
    assert html.count('<a class="sg"') == 3  # marked in the text, dashed
    assert 'class="card accepted"' not in html
    # work in progress is files in the workbench folder, never in the database
    assert sorted(p.name for p in bench.folder.iterdir()) == [
        f"{KEY}.suggestions.yaml", f"{KEY}.yaml"]
    assert KEY not in bench.database.stored_articles()
    assert bench.client.get(f"/articles/{KEY}").status_code == 404


def test_accept_two_select_one_with_a_two_hop_chain_and_a_denial_save_and_chain_shows_it(
        bench, seeded):
    bench.post("/annotate", data={"text": TEXT})
    for key in ("the-talks-have-stalled", "the-delegation-will-not-return"):
        assert bench.post(f"/annotate/{KEY}/suggestions/{key}/accept").status_code == 200
    bench.post(f"/annotate/{KEY}/suggestions/the-delegation-was-ready-to/reject")
    made = bench.post(f"/annotate/{KEY}/statements",
                      data={"quote": "the delegation was ready to come back"})
    statement = made.url.fragment.removeprefix("statement-")
    assert statement == "the-delegation-was-ready-to-come"  # a slug of the words
    bench.post(f"/annotate/{KEY}/statements/{statement}", data={
        "quote": "the delegation was ready to come back", "kind": "indirect",
        "actor": ["interfax", "maria-zakharova", ""],
        "cue": ["quoted", "as saying", ""],
        "mention": ["Interfax", "foreign ministry spokeswoman Maria Zakharova", ""],
        "relation": ["denies"], "target": ["the-delegation-will-not-return"],
        "topics": "talks", "note": "Zakharova answers the anonymous sources"})
    saved = bench.post(f"/annotate/{KEY}/save")
    assert saved.url.path == f"/articles/{KEY}", problems(saved.text)
    assert list(bench.folder.iterdir()) == []  # saved: the draft is gone
    shown = run(seeded, "chain", f"{KEY}#{statement}")
    assert "Interfax" in shown and "Maria Zakharova" in shown and "as saying" in shown
    assert "Denies:" in shown or "denies" in shown.lower()
    views = {v.key: v for v in bench.database.statements()
             if v.article == KEY}
    assert sorted(views) == sorted(["the-delegation-will-not-return", statement,
                                    "the-talks-have-stalled"])


def test_a_problem_is_shown_beside_its_statement_and_nothing_is_written(bench):
    bench.post("/annotate", data={"text": TEXT})
    bench.post(f"/annotate/{KEY}/suggestions/the-talks-have-stalled/accept")
    bench.post(f"/annotate/{KEY}/statements/the-talks-have-stalled", data={
        "quote": "The talks have stalled", "actor": ["no-such-actor"], "cue": ["said"],
        "mention": [""], "relation": ["denies"], "target": [""]})
    page = bench.post(f"/annotate/{KEY}/save")
    assert page.url.path == f"/annotate/{KEY}"
    beside = problems(card(page.text, "the-talks-have-stalled"))
    assert any("no-such-actor" in p for p in beside), page.text
    assert KEY not in bench.database.stored_articles()
    # the problems stay with the draft over a reload, and go with the next edit
    assert problems(card(bench.client.get(f"/annotate/{KEY}").text, "the-talks-have-stalled"))
    bench.post(f"/annotate/{KEY}/statements/the-talks-have-stalled", data={
        "quote": "The talks have stalled", "actor": ["peskov"], "cue": ["said"],
        "mention": ["Kremlin spokesman Dmitry Peskov"]})
    assert not problems(bench.client.get(f"/annotate/{KEY}").text)
    assert bench.post(f"/annotate/{KEY}/save").url.path == f"/articles/{KEY}"


def test_an_uploaded_file_is_drafted_and_a_key_stored_meanwhile_is_refused_on_save(
        bench, seeded, tmp_path):
    upload = {"file": ("kremlin-reply.txt", io.BytesIO(TEXT.encode()), "text/plain")}
    made = bench.post("/annotate", files=upload)
    key = "kremlin-reply"  # a text file's key is its name, as for claimsdb draft
    assert made.url.path == f"/annotate/{key}"
    bench.post(f"/annotate/{key}/suggestions/the-talks-have-stalled/accept")
    # someone imports an article under the same key while the draft is open
    path = tmp_path / "meanwhile.yaml"
    path.write_bytes(bench.client.get(f"/annotate/{key}/article.yaml").content)
    run(seeded, "add", str(path))
    bench.post(f"/annotate/{key}/suggestions/the-delegation-was-ready-to/accept")
    page = bench.post(f"/annotate/{key}/save")
    assert page.url.path == f"/annotate/{key}"
    header = page.text.split('<div class="reading">', 1)[0]
    assert any("already stored" in p for p in problems(header))
    stored = [v.key for v in bench.database.statements() if v.article == key]
    assert stored == ["the-talks-have-stalled"]  # the stored one is untouched


def test_editing_a_stored_article_replaces_it_on_save(bench, seeded):
    before = {v.key for v in bench.database.statements() if v.article == SEED}
    opened = bench.post(f"/articles/{SEED}/edit")
    assert opened.url.path == f"/annotate/{SEED}"
    assert opened.text.count('class="card accepted"') == len(before)
    assert "Save replaces the stored article" in opened.text
    victim = sorted(before)[0]
    bench.post(f"/annotate/{SEED}/statements/{victim}/remove")
    saved = bench.post(f"/annotate/{SEED}/save")
    assert saved.url.path == f"/articles/{SEED}", problems(saved.text)
    after = {v.key for v in bench.database.statements() if v.article == SEED}
    assert after == before - {victim}


def test_the_download_is_the_article_file_add_imports_to_the_same_result(bench, tmp_path):
    bench.post("/annotate", data={"text": TEXT})
    for key in ("the-talks-have-stalled", "the-delegation-was-ready-to"):
        bench.post(f"/annotate/{KEY}/suggestions/{key}/accept")
    download = bench.client.get(f"/annotate/{KEY}/article.yaml")
    assert download.headers["content-disposition"] == f'attachment; filename="{KEY}.yaml"'
    assert download.text == (bench.folder / f"{KEY}.yaml").read_text(encoding="utf-8")
    other = tmp_path / "other.db"
    run(str(other), "init")
    run(str(other), "seed")
    path = tmp_path / "downloaded.yaml"
    path.write_bytes(download.content)
    run(str(other), "add", str(path))
    assert bench.post(f"/annotate/{KEY}/save").url.path == f"/articles/{KEY}"
    exported = [run(target, "export", "article", KEY) for target in
                (bench.database.target, str(other))]
    assert exported[0] == exported[1]


def test_a_draft_survives_a_restart(seeded, tmp_path):
    first = Bench(seeded, tmp_path / "wb")
    first.post("/annotate", data={"text": TEXT})
    first.post(f"/annotate/{KEY}/suggestions/the-talks-have-stalled/accept")
    first.close()
    second = Bench(seeded, tmp_path / "wb")
    page = second.client.get(f"/annotate/{KEY}").text
    assert 'id="statement-the-talks-have-stalled"' in page
    assert page.count('class="card suggestion"') == 2
    assert KEY in second.client.get("/annotate").text  # listed as work in progress
    second.close()


def test_every_annotating_write_needs_the_csrf_token_and_read_only_refuses_them(
        seeded, tmp_path):
    folder = tmp_path / "wb"
    bench = Bench(seeded, folder)
    assert bench.client.post("/annotate", data={"text": TEXT}).status_code == 403
    assert bench.client.post(f"/articles/{SEED}/edit").status_code == 403
    assert not folder.exists()
    bench.post("/annotate", data={"text": TEXT})
    page = bench.client.get(f"/annotate/{KEY}").text
    token = bench.headers["X-CSRF-Token"]
    forms = re.findall(r'<form class="write[^"]*" method="post"', page)
    assert len(forms) == page.count(f'name="csrf_token" value="{token}"') > 5
    bench.close()
    reading = Bench(seeded, folder, read_only=True)
    for path in ("/annotate", f"/annotate/{KEY}/save", f"/articles/{SEED}/edit",
                 f"/annotate/{KEY}/suggestions/the-talks-have-stalled/accept"):
        refused = reading.post(path, data={"text": TEXT})
        assert refused.status_code == 403 and "read-only" in refused.text, path
    page = reading.client.get(f"/annotate/{KEY}").text
    assert '<form class="write' not in page and "Download as article file" in page
    assert "Edit this article" not in reading.client.get(f"/articles/{SEED}").text
    assert KEY not in reading.database.stored_articles()
    reading.close()


def test_nothing_to_draft_and_a_missing_draft_say_what_to_do(bench):
    empty = bench.post("/annotate", data={"text": "  "})
    assert empty.status_code == 400 and "paste the article" in empty.text
    assert bench.client.get("/annotate/no-such-draft").status_code == 404
    assert bench.client.get("/annotate/..%2Fclaims").status_code == 404


class Quiet(http.server.SimpleHTTPRequestHandler):
    requested: list[str]

    def log_message(self, format, *args):  # the test output is the report
        pass

    def do_GET(self):
        self.requested.append(self.path)
        super().do_GET()


@contextlib.contextmanager
def local_site():
    """A real HTTP server on loopback serving tests/data/draft; yields its base URL
    and the list of paths it was asked for."""
    requested: list[str] = []
    handler = functools.partial(type("Site", (Quiet,), {"requested": requested}),
                                directory=str(DATA / "draft"))
    site = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{site.server_address[1]}", requested
    finally:
        site.shutdown()
        site.server_close()


@pytest.fixture
def local_bench(seeded: str, tmp_path: Path):
    """The workbench as ``claimsdb serve`` makes it on loopback without a token: its
    one user is this machine's, so New article may fetch from this machine."""
    opened = Bench(seeded, tmp_path / "workbench", fetch_private=True)
    yield opened
    opened.close()


def test_a_url_is_fetched_and_drafted_with_the_pages_title_and_address(local_bench):
    bench = local_bench
    with local_site() as (base, _):
        url = f"{base}/courier-talks.html"
        made = bench.post("/annotate", data={"url": url})
    assert made.status_code == 200 and made.url.path.startswith("/annotate/"), made.text
    key = made.url.path.rsplit("/", 1)[1]
    article = (bench.folder / f"{key}.yaml").read_text(encoding="utf-8")
    assert f"url: {url}" in article
    assert made.text.count('class="card suggestion"') >= 1
    refused = bench.post("/annotate", data={"url": "ftp://example.org/x"})
    assert refused.status_code == 400 and "ftp://example.org/x" in refused.text


def test_the_url_field_never_reads_a_file_on_the_server(local_bench, tmp_path: Path):
    """A path typed where the URL goes is refused: the server must not read its own
    files for whoever can reach the page."""
    secret = tmp_path / "secret.txt"
    secret.write_text("Officials said the password is hunter2, officials said.\n",
                      encoding="utf-8")
    for given in (str(secret), f"file://{secret}", str(DATA / "draft" / "courier-talks.html")):
        refused = local_bench.post("/annotate", data={"url": given})
        assert refused.status_code == 400, given
        assert "only http:// and https:// addresses are fetched" in refused.text
        assert "hunter2" not in refused.text
    assert list(local_bench.folder.glob("*.yaml")) == []


def test_a_server_for_others_fetches_no_address_on_its_own_network(bench):
    """Without ``fetch_private`` (a server listening beyond loopback, or with a token)
    an address on this machine is refused before connecting to it, and so are
    private, link-local (cloud metadata) and IPv4-mapped loopback addresses; a closed
    port gets the same answer as an open one."""
    with local_site() as (base, requested):
        refused = bench.post("/annotate", data={"url": f"{base}/courier-talks.html"})
        assert refused.status_code == 400
        assert "on a private network (127.0.0.1)" in refused.text
        assert "upload the file instead" in refused.text
        assert requested == []
        port = base.rsplit(":", 1)[1]
        refused = bench.post("/annotate", data={"url": f"http://localhost:{port}/x.html"})
        assert refused.status_code == 400 and "private network" in refused.text
        assert requested == []
    with socket.socket() as unused:  # a port nothing listens on
        unused.bind(("127.0.0.1", 0))
        closed = unused.getsockname()[1]
    refused = bench.post("/annotate", data={"url": f"http://127.0.0.1:{closed}/"})
    assert refused.status_code == 400 and "private network (127.0.0.1)" in refused.text
    assert list(bench.folder.glob("*.yaml")) == []


@pytest.mark.parametrize("peer", ["127.0.0.1", "10.1.2.3", "192.168.0.7", "169.254.169.254",
                                  "::1", "fe80::1%eth0", "::ffff:127.0.0.1", "fd00::5",
                                  "0.0.0.0", "100.64.0.1"])
def test_every_non_public_peer_is_refused(peer):
    from claimsdb.draft.documents import InputError
    from claimsdb.draft.fetching import _require_public

    with pytest.raises(InputError, match="private network"):
        _require_public("http://x.example/", "http://x.example/", peer)


@pytest.mark.parametrize("peer", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"])
def test_public_peers_are_fetched(peer):
    from claimsdb.draft.fetching import _require_public

    _require_public("http://x.example/", "http://x.example/", peer)  # no error


def test_hostile_pasted_text_stays_text_in_the_draft_page(bench):
    hostile = ("Officials \"><script>alert(1)</script> say\n"
               "The <img src=x onerror=alert(2)> plan has stalled, officials said on "
               "Friday. «\u202eevil» =HYPERLINK(\"http://x\") was never agreed, they said.\n")
    made = bench.post("/annotate", data={"text": hostile})
    assert made.status_code == 200, made.text
    html = made.text
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "\u202e" not in html and "\\u202e" in html  # shown, not obeyed


def test_an_edit_sends_back_exactly_the_text_it_showed(bench):
    """A quote with a right-to-left override is shown as ``\\u202e`` in the text, but
    its form field holds the character itself, so Apply saves it unchanged."""
    text = ("Talks stall\nThe talks have stalled, Kremlin spokesman Dmitry Peskov said "
            "on Friday; «\u202eno deal» was the answer.\n")
    made = bench.post("/annotate", data={"text": text})
    key = made.url.path.rsplit("/", 1)[1]
    made = bench.post(f"/annotate/{key}/statements", data={"quote": "«\u202eno deal»"})
    statement = made.url.fragment.removeprefix("statement-")
    field = re.search(r'<textarea name="quote" rows="2">([^<]*)</textarea>',
                      card(made.text, statement)).group(1)
    assert field == "«\u202eno deal»"
    bench.post(f"/annotate/{key}/statements/{statement}", data={"quote": field})
    saved = bench.post(f"/annotate/{key}/save")
    assert saved.url.path == f"/articles/{key}", problems(saved.text)
    assert [v.quote for v in bench.database.statements() if v.key == statement] == [
        "«\u202eno deal»"]


def test_a_fact_check_verdict_is_set_in_the_page_and_a_bad_date_refused_beside_it(bench):
    bench.post("/annotate", data={"text": TEXT})
    bench.post(f"/annotate/{KEY}/suggestions/the-talks-have-stalled/accept")
    bench.post(f"/annotate/{KEY}/actors", data={"name": "StopFake", "kind": "organization",
                                               "identified": "named"})
    statement = f"/annotate/{KEY}/statements/the-talks-have-stalled"
    fields = {"quote": "The talks have stalled", "actor": ["peskov"], "cue": ["said"],
              "mention": ["Kremlin spokesman Dmitry Peskov"],
              "review_by": ["stopfake", ""], "review_rating": ["Неправда", ""],
              "review_url": ["https://www.stopfake.org/ru/talks/", ""],
              "review_date": ["14 May 2025", ""], "review_summary": ["", ""]}
    bench.post(statement, data=fields)
    refused = bench.post(f"/annotate/{KEY}/save")
    beside = problems(card(refused.text, "the-talks-have-stalled"))
    assert any("date" in p for p in beside), beside
    assert KEY not in bench.database.stored_articles()
    bench.post(statement, data={**fields, "review_date": ["2025-05-14", ""]})
    saved = bench.post(f"/annotate/{KEY}/save")
    assert saved.url.path == f"/articles/{KEY}", problems(saved.text)
    exported = run(bench.database.target, "export", "article", KEY)
    assert "by: stopfake" in exported and "Неправда" in exported
    assert "2025-05-14" in exported


def test_stored_statements_are_found_by_words_of_their_quote_for_a_relation(bench):
    found = bench.client.get("/annotate/find/statements.json",
                             params={"q": "maximalist demands"}).json()
    assert {"ref": "putin-stance-stalls-talks#officials-putin-maximalist-demands",
            "quote": 'Putin made "maximalist" demands ahead of the talks to end the war',
            "speaker": "Western security officials"} in found
    assert bench.client.get("/annotate/find/statements.json", params={"q": "ma"}).json() == []
    assert bench.client.get("/annotate/find/statements.json",
                            params={"q": "zzzz nothing like it"}).json() == []


def test_the_articles_own_fields_are_edited_in_the_page(bench):
    bench.post("/annotate", data={"text": TEXT})
    bench.post(f"/annotate/{KEY}/suggestions/the-talks-have-stalled/accept")
    fields = {"title": "Talks stall over “maximalist” demands", "outlet": "interfax",
              "published": "2025-05-16T08:00:00+03:00",
              "url": "https://example.org/talks-stall", "note": "Pasted from the wire."}
    bench.post(f"/annotate/{KEY}/article", data={**fields, "published": "16 May"})
    refused = bench.post(f"/annotate/{KEY}/save")
    head = refused.text.split('<div class="reading">', 1)[0]
    assert any("published" in p for p in problems(head)), problems(refused.text)
    bench.post(f"/annotate/{KEY}/article", data=fields)
    saved = bench.post(f"/annotate/{KEY}/save")
    assert saved.url.path == f"/articles/{KEY}", problems(saved.text)
    exported = run(bench.database.target, "export", "article", KEY)
    assert "outlet: interfax" in exported and "note: Pasted from the wire." in exported
    assert "2025-05-16" in exported and "url: https://example.org/talks-stall" in exported


def test_an_edit_keeps_what_the_form_does_not_show(bench, seeded, tmp_path):
    """A hop's ``identified`` and a statement with several chains survive an Apply of
    the statement's form unchanged."""
    article = tmp_path / "two-agencies.yaml"
    article.write_text("""format: claimsdb/article@1.1
article:
  key: two-agencies
  title: Two agencies
  language: en
  text: "Two agencies: the dam was breached, AFP and AP reported, citing a local official."
actors:
  - {key: afp, name: AFP, kind: outlet}
  - {key: ap, name: AP, kind: outlet}
  - {key: local-official, name: A local official, kind: person}
statements:
  - key: breached
    quote: the dam was breached
    chains: [[afp], [ap]]
  - key: breached-official
    quote: Two agencies
    chain:
      - {actor: afp, cue: reported}
      - {actor: local-official, cue: citing, mention: a local official, identified: role}
""", encoding="utf-8")
    run(seeded, "add", str(article))
    bench.post("/articles/two-agencies/edit")
    page = bench.client.get("/annotate/two-agencies").text
    assert "This statement has 2 chains" in card(page, "breached")
    bench.post("/annotate/two-agencies/statements/breached",
               data={"quote": "the dam was breached", "relation": ["denies"], "target": [""]})
    bench.post("/annotate/two-agencies/statements/breached-official", data={
        "quote": "Two agencies", "actor": ["afp", "local-official", ""],
        "cue": ["reported", "citing", ""], "mention": ["AFP", "a local official", ""]})
    saved = bench.post("/annotate/two-agencies/save")
    assert saved.url.path == "/articles/two-agencies", problems(saved.text)
    exported = run(seeded, "export", "article", "two-agencies")
    assert "identified: role" in exported
    assert ("- {actor: local-official, cue: citing, mention: a local official, "
            "identified: role}") in exported
    assert "    chains:\n      - [afp]\n      - [ap]\n" in exported


def test_stored_actors_are_found_by_key_name_or_alias_for_an_actor_field(bench, seeded,
                                                                         tmp_path):
    """The actor field asks for the stored actors that fit what is typed (the page no
    longer lists them all): by key prefix, a word of the name or of an alias, in any
    case and script; what a user types is never read as a pattern."""
    article = tmp_path / "peskov-ru.yaml"
    article.write_text("""format: claimsdb/article@1.1
article:
  key: peskov-ru
  title: Песков о переговорах
  language: ru
  text: "Переговоры зашли в тупик, заявил Дмитрий Песков."
actors:
  - {key: dmitry-peskov-ru, name: Дмитрий Песков, kind: person,
     aliases: [Кремлёвский пресс-секретарь]}
  - {key: per-cent-50, name: "50% «Кремля»", kind: group, aliases: [team_a]}
statements:
  - key: stalled
    quote: Переговоры зашли в тупик
    chain: [{actor: dmitry-peskov-ru, cue: заявил, mention: Дмитрий Песков}]
""", encoding="utf-8")
    run(seeded, "add", str(article))

    def keys(typed: str) -> list[str]:
        answer = bench.client.get("/annotate/find/actors.json", params={"q": typed})
        assert answer.status_code == 200
        return [actor["key"] for actor in answer.json()]

    assert keys("putin")[0] == "putin"  # the key prefix first
    found = bench.client.get("/annotate/find/actors.json", params={"q": "Put"}).json()
    assert {"key": "putin", "name": "Vladimir Putin", "kind": "person",
            "identified": "named", "aliases": ["Putin"]} in found
    assert "putin" in keys("vladimir")  # the name's first word
    assert "western-security-officials" in keys("SERVICES")  # an alias's word, any case
    assert "bloomberg" in keys("bloomberg news")  # an alias whole
    assert "dmitry-peskov-ru" in keys("песк")  # a Cyrillic name's word, lower case
    assert "dmitry-peskov-ru" in keys("ПЕСКОВ") and "dmitry-peskov-ru" in keys("дмитрий песков")
    assert "dmitry-peskov-ru" in keys("пресс-секретарь")  # a word of the alias
    assert "dmitry-peskov-ru" in keys("кремлёвский")
    assert keys("zzzz nobody") == []
    assert keys("") == [] and keys("   ") == []
    # hostile: LIKE's wildcards and quotes are letters, not patterns
    assert keys("%") == [] and keys("_") == []
    assert keys("50%") == ["per-cent-50"] and keys("«Кремля»") == ["per-cent-50"]
    assert keys("team_") == ["per-cent-50"]
    assert keys("per-cent%") == [] and keys("per_cent") == [] and keys("tea_a") == []
    assert keys("' OR 1=1 --") == [] and keys('"; drop table actors; --') == []
    assert keys("putin")[0] == "putin"  # the table is still there
    assert len(keys("a")) <= 20
    # the page lists this draft's own actors only, and asks for the rest
    bench.post("/annotate", data={"text": TEXT})
    page = bench.client.get(f"/annotate/{KEY}").text
    listed = re.search(r'<datalist id="actor-keys"[^>]*>(.*?)</datalist>', page, re.S)
    assert listed and 'data-find="/annotate/find/actors.json"' in page
    assert 'value="putin"' not in listed.group(1)


def revision(html: str) -> str:
    found = re.search(r'data-revision="([0-9a-f]+)"', html)
    assert found, "the page names no draft revision"
    return found.group(1)


def test_a_write_from_a_page_drawn_before_another_tabs_change_is_refused(bench):
    """Two tabs (two clients) on one draft: the second write, based on the page as it
    was before the first, gets 409 and says to reload; the first change stays, and
    after a reload the second goes through. A file edited by hand counts as a change."""
    bench.post("/annotate", data={"text": TEXT})
    other = TestClient(bench.client.app, base_url=LOCAL)
    other.get("/annotate")
    other_headers = {"X-CSRF-Token": other.cookies[CSRF_COOKIE]}
    first = bench.client.get(f"/annotate/{KEY}").text
    second = other.get(f"/annotate/{KEY}").text
    assert revision(first) == revision(second)
    suggested = re.findall(r'id="suggestion-([a-z0-9-]+)"', first)
    assert len(suggested) >= 2
    accepted = bench.client.post(f"/annotate/{KEY}/suggestions/{suggested[0]}/accept",
                                 headers=bench.headers | {"X-Draft-Revision": revision(first)})
    assert accepted.status_code == 200 and f'id="statement-{suggested[0]}"' in accepted.text
    on_disk = {p.name: p.read_bytes() for p in bench.folder.iterdir()}
    for write, data in ((f"/annotate/{KEY}/suggestions/{suggested[1]}/reject", None),
                        (f"/annotate/{KEY}/statements", {"quote": "The talks have stalled"}),
                        (f"/annotate/{KEY}/article", {"title": "Другой заголовок"}),
                        (f"/annotate/{KEY}/save", None),
                        (f"/annotate/{KEY}/discard", None)):
        refused = other.post(write, data=data, follow_redirects=False,
                             headers=other_headers | {"X-Draft-Revision": revision(second)})
        assert refused.status_code == 409, write
        assert "changed in another tab" in refused.text and "reload the page" in refused.text
        assert {p.name: p.read_bytes() for p in bench.folder.iterdir()} == on_disk, write
    reloaded = other.get(f"/annotate/{KEY}").text
    assert revision(reloaded) != revision(second)
    rejected = other.post(f"/annotate/{KEY}/suggestions/{suggested[1]}/reject",
                          headers=other_headers | {"X-Draft-Revision": revision(reloaded)})
    assert rejected.status_code == 200
    page = rejected.text
    assert f'id="statement-{suggested[0]}"' in page  # the first tab's change is kept
    assert f'id="suggestion-{suggested[1]}"' not in page
    # the draft's file edited by hand meanwhile is a change too
    draft_file = bench.folder / f"{KEY}.yaml"
    draft_file.write_text(draft_file.read_text(encoding="utf-8").replace(
        "title:", "note: edited by hand\n  title:", 1), encoding="utf-8")
    refused = other.post(f"/annotate/{KEY}/article", data={"title": "x"},
                         headers=other_headers | {"X-Draft-Revision": revision(page)})
    assert refused.status_code == 409 and "edited by hand" in draft_file.read_text("utf-8")
    other.close()


def test_accepted_statements_are_coloured_by_their_origin_as_on_the_article_page(bench):
    """Own voice, a stored named actor, a stored anonymous one, an actor this draft
    defines as known by role, and a hop that gives its own identification."""
    bench.post("/annotate", data={"text": TEXT})
    bench.post(f"/annotate/{KEY}/actors", data={"name": "A senior diplomat", "key": "diplomat",
                                                "kind": "person", "identified": "role"})
    chains = {"The talks have stalled": "peskov",
              "the delegation will not return to Istanbul": "western-security-officials",
              "the delegation was ready to come back": "diplomat",
              "Talks stall over": ""}
    made = {}
    for quote, actor in chains.items():
        answer = bench.post(f"/annotate/{KEY}/statements", data={"quote": quote})
        key = answer.url.fragment.removeprefix("statement-")
        made[quote] = key
        if actor:
            bench.post(f"/annotate/{KEY}/statements/{key}", data={
                "quote": quote, "actor": [actor], "cue": ["said"], "mention": [""]})
    page = bench.client.get(f"/annotate/{KEY}").text
    colour = {key: origin for origin, key in re.findall(
        r'<a class="st o-([a-z]+)" href="#statement-[^"]+" data-statement="([^"]+)"', page)}
    assert colour == {made["The talks have stalled"]: "named",
                      made["the delegation will not return to Istanbul"]: "anonymous",
                      made["the delegation was ready to come back"]: "role",
                      made["Talks stall over"]: "own"}
    # a hop's own identification wins over its actor's (edited in the file)
    draft_file = bench.folder / f"{KEY}.yaml"
    text = draft_file.read_text(encoding="utf-8")
    assert "\n  - actor: peskov\n" in text  # the hop as the draft file writes it
    draft_file.write_text(text.replace("\n  - actor: peskov\n",
                                       "\n  - actor: peskov\n    identified: anonymous\n", 1),
                          encoding="utf-8")
    page = bench.client.get(f"/annotate/{KEY}").text
    assert (f'<a class="st o-anonymous" href="#statement-{made["The talks have stalled"]}"'
            in page)
