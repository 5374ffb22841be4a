"""The workbench in a real browser over a real server: ``claimsdb serve`` started as a
process, driven by Playwright in Debian's Chromium, on both backends.

Playwright cannot download its browsers here, so it launches the system's Chromium
(``/usr/bin/chromium``, or ``$CLAIMSDB_CHROMIUM``). Without one the tests skip on a
developer's machine and fail in CI (``CI=true``): .ci/run installs it.

The sqlite run also takes the screenshots of docs/web.md (docs/images/web-*.png);
commit them when they change.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser, Page, expect, sync_playwright

from claimsdb.api import Database
from claimsdb.format.seeds import seed_files
from conftest import DATA, REPO

HOSTILE = DATA / "web" / "hostile-workbench.yaml"
TRACE = sorted((DATA / "trace").glob("*.yaml"))
MENTIONS = REPO / "examples" / "lavrov-hospital-report.yaml"
IMAGES = REPO / "docs" / "images"
ARTICLE = "/articles/putin-stance-stalls-talks"
MAXIMALIST = "officials-putin-maximalist-demands"


def chromium() -> str | None:
    for candidate in (os.environ.get("CLAIMSDB_CHROMIUM"), "/usr/bin/chromium",
                      shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    path = chromium()
    if path is None:
        message = ("no Chromium for the browser tests: apt-get install chromium, or set "
                   "CLAIMSDB_CHROMIUM")
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    args = ["--no-sandbox"] if os.geteuid() == 0 else []  # Chromium refuses root otherwise
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=args)
        yield launched
        launched.close()


class Served:
    """A ``claimsdb serve`` process and the URL it printed."""

    def __init__(self, db: str, *args: str, env: dict[str, str] | None = None):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "claimsdb", "--db", db, "serve", "--port", "0", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, **(env or {})})
        self.printed: list[str] = []
        for line in self.process.stdout:  # the URL comes once the port is bound
            self.printed.append(line)
            found = re.search(r"open (http://\S+)", line)
            if found:
                self.url = found.group(1)
                break
        else:
            raise AssertionError(f"serve did not start: {self.process.stderr.read()}")
        self.base = self.url.split("?", 1)[0].rstrip("/")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()
        self.process.stderr.close()


@pytest.fixture
def corpus(db: str) -> str:
    with Database(db) as database:
        database.add([*seed_files(), *TRACE, MENTIONS, HOSTILE])
    return db


@pytest.fixture
def served(corpus: str, tmp_path: Path) -> Iterator[Served]:
    server = Served(corpus, "--workbench", str(tmp_path / "workbench"))
    yield server
    server.stop()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.problems = []  # console errors and CSP violations: none are expected
    page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    page.on("dialog", lambda d: (page.problems.append("dialog: " + d.message), d.dismiss()))
    yield page
    context.close()


def shoot(page: Page, backend: str, name: str) -> None:
    """A screenshot for docs/web.md, from the sqlite run only (one picture per page)."""
    if backend == "sqlite":
        IMAGES.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(IMAGES / f"web-{name}.png"))


def test_selecting_a_statement_shows_its_chain_relations_and_trace_beside_the_text(
        served, page, backend):
    page.goto(served.base + ARTICLE)
    expect(page.locator("#st-" + MAXIMALIST)).to_be_hidden()
    page.locator(f'#text a.st[data-statement="{MAXIMALIST}"]').first.click()
    panel = page.locator("#st-" + MAXIMALIST)
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("Western security officials")
    expect(panel).to_contain_text("Bloomberg")
    expect(panel.locator("ul.relations .rel-denies")).to_contain_text("Dmitry Peskov")
    # the trace, fetched from the trace page, lands in the panel
    expect(panel.locator(".trace-slot")).to_contain_text("independent origin")
    expect(page.locator(f'#text a.st.selected[data-statement="{MAXIMALIST}"]')).to_have_count(
        page.locator(f'#text a.st[data-statement="{MAXIMALIST}"]').count())
    page.evaluate("window.scrollTo(0, 0)")  # the picture shows the title and legend too
    shoot(page, backend, "article")
    # keyboard: j moves to the next statement in the text, k back
    page.keyboard.press("j")
    expect(panel).to_be_hidden()
    following = page.evaluate("location.hash")
    assert following.startswith("#st-") and following != "#st-" + MAXIMALIST
    expect(page.locator(following)).to_be_visible()
    focused = page.evaluate("document.activeElement.dataset.statement")
    assert "#st-" + focused == following
    page.keyboard.press("k")
    expect(panel).to_be_visible()
    assert page.problems == []


def test_every_page_reads_without_javascript(served, browser, backend):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    # a linked statement opens its panel with no script (CSS :target)
    page.goto(f"{served.base}{ARTICLE}#st-{MAXIMALIST}")
    expect(page.locator("#st-" + MAXIMALIST)).to_be_visible()
    # the filter form is a plain GET form
    page.goto(served.base + "/statements")
    page.fill("input[name=search]", "peacekeeping forces")
    page.select_option("select[name=origin]", "anonymous")
    page.click("form.filters button[type=submit]")
    assert "search=peacekeeping+forces" in page.url and "origin=anonymous" in page.url
    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("sources-ceasefire-only-if-moscow-sets-peacekeeper-terms")
    # its CSV link downloads the CLI's CSV
    with page.expect_download() as download:
        page.click("text=CSV")
    assert download.value.suggested_filename == "statements.csv"
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.startswith("article,statement,") and text.count("\n") == 2
    context.close()


def test_the_main_pages_render_in_the_browser(served, page, backend):
    for path, name, heading in [
        ("/articles", "articles", "Articles"),
        ("/statements?via=bloomberg&origin=anonymous", "statements", "Statements"),
        ("/trace/relay-05-dam/dam-sabotaged", "trace", "Trace of a claim"),
        ("/actors/peskov", "actor", "Dmitry Peskov"),
        ("/sources", "sources", "Sourcing profile"),
        ("/denials", "denials", "Denials"),
        ("/loops", "loops", "Circular reporting"),
    ]:
        response = page.goto(served.base + path)
        assert response.status == 200, path
        expect(page.locator("h1")).to_have_text(heading)
        if name == "trace":
            nodes = page.locator("svg .node")
            expect(nodes).to_have_count(23)
            box = nodes.first.bounding_box()
            assert box["width"] > 100 and box["height"] > 20  # drawn, not just present
            expect(page.locator(".reactions")).to_contain_text("6 hours after")
        shoot(page, backend, name)
    assert page.problems == []


def test_the_hostile_article_is_inert_in_the_browser(served, page, backend):
    for path in ("/articles/hostile-workbench", "/actors/script-kiddie",
                 "/statements/hostile-workbench/script-quote", "/articles",
                 "/trace/hostile-workbench/script-quote"):
        page.goto(served.base + path)
        page.locator("#st-script-quote a.ref").count()  # let the scripts settle
        assert page.evaluate("window.pwned") is None, path
        assert page.locator("img").count() == 0, path
    page.goto(served.base + "/articles/hostile-workbench")
    expect(page.locator("h1")).to_contain_text('"><script>window.pwned=1</script><img src=x')
    expect(page.locator("h1")).to_contain_text("\\u202eevil")
    page.locator('#text a.st[data-statement="script-quote"]').first.click()
    expect(page.locator("#st-script-quote > blockquote")).to_have_text(
        '"<script>window.pwned=4</script>"')
    assert page.evaluate("window.pwned") is None
    assert page.problems == []  # no dialog, no CSP violation, no script error


def test_a_server_beyond_loopback_refuses_every_request_without_its_token(corpus, page):
    server = Served(corpus, "--host", "0.0.0.0")
    try:
        token = re.search(r"\?token=(\S+)", server.url).group(1)
        assert len(token) >= 32
        local = server.base.replace("0.0.0.0", "127.0.0.1")
        for path in ("/articles", "/statements.csv", "/static/workbench.js", "/"):
            response = page.goto(local + path)
            assert response.status == 401, path
            assert "token" in page.content()
        response = page.goto(f"{local}/actors/peskov?token={token}")
        assert response.status == 200
        assert page.url == local + "/actors/peskov"  # the token left the address bar
        assert page.goto(local + "/articles").status == 200  # the cookie carries it now
    finally:
        server.stop()


def test_new_article_fetches_this_machines_pages_only_for_a_loopback_server(
        served, corpus, page, tmp_path):
    """On loopback without a token the one user is this machine's: a page served
    locally is drafted. A server beyond loopback fetches for whoever holds its token,
    so the same address is refused (and nothing is asked of the local site)."""
    requested: list[str] = []

    class Site(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format, *args):
            pass

        def do_GET(self):
            requested.append(self.path)
            super().do_GET()

    site = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Site, directory=str(DATA / "draft")))
    threading.Thread(target=site.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{site.server_address[1]}/courier-talks.html"
    remote = Served(corpus, "--host", "0.0.0.0", "--workbench", str(tmp_path / "other"))
    try:
        page.goto(served.base + "/annotate")
        page.fill("#new-url", url)
        page.click("form.new-article button[type=submit]")
        expect(page).to_have_url(re.compile(r"/annotate/[a-z0-9-]+$"))
        assert requested == ["/courier-talks.html"]

        token = re.search(r"\?token=(\S+)", remote.url).group(1)
        local = remote.base.replace("0.0.0.0", "127.0.0.1")
        page.goto(f"{local}/annotate?token={token}")
        page.fill("#new-url", url)
        page.click("form.new-article button[type=submit]")
        expect(page.locator("p.problem")).to_contain_text("on a private network (127.0.0.1)")
        assert requested == ["/courier-talks.html"]
        # the refusal is a 400, which Chromium logs; nothing else may be
        assert [p for p in page.problems if "status of 400" not in p] == []
    finally:
        remote.stop()
        site.shutdown()
        site.server_close()


def test_several_tabs_and_a_cli_import_at_the_same_time(served, corpus, browser):
    context = browser.new_context()
    tabs = [context.new_page() for _ in range(3)]
    importing = subprocess.Popen(
        [sys.executable, "-m", "claimsdb", "--db", corpus, "add",
         str(REPO / "examples" / "kremlin-denies-report.yaml")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for _ in range(3):
        for tab, path in zip(tabs, ("/articles", ARTICLE, "/trace/relay-05-dam/dam-sabotaged"),
                             strict=True):
            assert tab.goto(served.base + path).status == 200
    _, err = importing.communicate(timeout=120)
    assert importing.returncode == 0, err
    tabs[0].goto(served.base + "/articles")
    expect(tabs[0].locator('a[href="/articles/kremlin-denies-report"]')).to_have_count(1)
    context.close()


def test_a_port_in_use_is_one_clear_error(served, corpus):
    port = served.base.rsplit(":", 1)[1]
    result = subprocess.run(
        [sys.executable, "-m", "claimsdb", "--db", corpus, "serve", "--port", port],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert f"port {port} on 127.0.0.1 is in use" in result.stderr
    assert "Traceback" not in result.stderr


def test_open_hands_the_url_to_the_users_browser_once_the_server_answers(corpus, tmp_path):
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser"
    # webbrowser runs $BROWSER with the URL: this one writes down what it was given
    browser.write_text(f"#!/bin/sh\nprintf '%s' \"$1\" > '{opened}'\n", encoding="utf-8")
    browser.chmod(0o755)
    server = Served(corpus, "--open", env={"BROWSER": str(browser)})
    try:
        for _ in range(100):
            if opened.exists() and opened.read_text(encoding="utf-8"):
                break
            time.sleep(0.1)
        assert opened.read_text(encoding="utf-8") == server.url
    finally:
        server.stop()


# -- annotating ---------------------------------------------------------------------

PASTED = ("Talks stall over “maximalist” demands\n"
          "The talks have stalled, Kremlin spokesman Dmitry Peskov said on Friday. According "
          "to sources familiar with the matter, the delegation will not return to Istanbul. "
          "Interfax quoted foreign ministry spokeswoman Maria Zakharova as saying that the "
          "delegation was ready to come back — «in a week or two».\n")
PASTED_KEY = "talks-stall-over-maximalist-demands"


def select_words(page: Page, words: str) -> None:
    """Select ``words`` in the draft's text as a mouse would, once the draft's text
    holds them: retried until then, since the page may still be loading after the
    previous action's redirect (CI once ran this between two documents)."""
    page.wait_for_function("""(words) => {
        const root = document.getElementById("draft-text");
        if (!root || document.readyState !== "complete") return false;
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const at = node.data.indexOf(words);
            if (at < 0) continue;
            const range = document.createRange();
            range.setStart(node, at);
            range.setEnd(node, at + words.length);
            const selection = document.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
            return true;
        }
        return false;
    }""", arg=words, timeout=10_000)


def set_hop(card, number: int, actor: str, cue: str, mention: str) -> None:
    card.get_by_label(f"hop {number} actor").fill(actor)
    card.get_by_label(f"hop {number} cue").fill(cue)
    card.get_by_label(f"hop {number} mention").fill(mention)
    with card.page.expect_navigation():  # the page reloads from the saved draft
        card.get_by_role("button", name="Apply").click()


def test_annotating_pasted_text_by_keyboard_and_selection_then_chain_shows_it(
        served, page, corpus, backend):
    page.goto(served.base + "/articles")
    page.get_by_role("link", name="New article").click()
    page.fill("#new-text", PASTED)
    page.get_by_role("button", name="Draft it").click()
    expect(page).to_have_url(f"{served.base}/annotate/{PASTED_KEY}")
    suggestions = page.locator(".card.suggestion")
    expect(suggestions).to_have_count(3)
    expect(suggestions.first).to_contain_text("confidence 0.75")
    expect(page.locator("#draft-text a.sg")).to_have_count(3)
    # two suggestions accepted with the keyboard: j selects, a accepts
    for remaining in (2, 1):
        page.keyboard.press("j")
        expect(suggestions.first).to_have_class(re.compile("current"))
        page.keyboard.press("a")
        expect(suggestions).to_have_count(remaining)
    expect(page.locator(".card.accepted")).to_have_count(2)
    page.keyboard.press("j")
    shoot(page, backend, "annotate")  # two accepted, one suggestion open and selected
    page.keyboard.press("r")  # the third rejected, to be made by hand
    expect(suggestions).to_have_count(0)
    # a statement from a selection, its chain hop by hop, a denial
    select_words(page, "the delegation was ready to come back")
    expect(page.locator("#new-quote")).to_have_value("the delegation was ready to come back")
    page.get_by_role("button", name="Make a statement").click()
    made = page.locator("#statement-the-delegation-was-ready-to-come")
    expect(made).to_be_visible()
    # the first hop's cue and mention picked from the text: click the field, select
    made.get_by_label("hop 1 actor").fill("interfax")
    for field, words in (("cue", "quoted"), ("mention", "Interfax")):
        made.get_by_label(f"hop 1 {field}").click()
        select_words(page, words)
        expect(made.get_by_label(f"hop 1 {field}")).to_have_value(words)
    expect(page.locator("#new-quote")).to_have_value("")  # the selection went to the hop
    with page.expect_navigation():
        made.get_by_role("button", name="Apply").click()
    made = page.locator("#statement-the-delegation-was-ready-to-come")
    expect(made.get_by_label("hop 2 actor")).to_be_visible()
    made.get_by_label("relation 1 target").fill("the-delegation-will-not-return")
    # a stored actor: the list asks the server for those fitting what is typed
    made.get_by_label("hop 2 actor").press_sequentially("Zakh")
    expect(page.locator('#actor-keys option.stored[value="zakharova"]')).to_have_count(1)
    set_hop(made, 2, "zakharova", "as saying",
            "foreign ministry spokeswoman Maria Zakharova")
    made = page.locator("#statement-the-delegation-was-ready-to-come")
    expect(made.get_by_label("hop 2 actor")).to_have_value("zakharova")
    expect(made.get_by_label("relation 1 target")).to_have_value("the-delegation-will-not-return")
    # a second relation, to a stored statement found by words of its quote
    made.get_by_label("relation 2 target").press_sequentially("maximalist demands")
    stored = f"putin-stance-stalls-talks#{MAXIMALIST}"
    expect(page.locator(f'#statement-keys option.stored[value="{stored}"]')).to_have_count(1)
    made.get_by_label("relation 2", exact=True).select_option("contradicts")
    made.get_by_label("relation 2 target").fill(stored)
    with page.expect_navigation():
        made.get_by_role("button", name="Apply").click()
    made = page.locator("#statement-the-delegation-was-ready-to-come")
    expect(made.get_by_label("relation 2 target")).to_have_value(stored)
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(f"{served.base}/articles/{PASTED_KEY}")
    expect(page.locator("#text a.st")).to_have_count(3)
    shown = subprocess.run(
        [sys.executable, "-m", "claimsdb", "--db", corpus, "chain",
         f"{PASTED_KEY}#the-delegation-was-ready-to-come"],
        capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    assert "Interfax" in shown.stdout and "Maria Zakharova" in shown.stdout
    assert "the-delegation-will-not-return" in shown.stdout and MAXIMALIST in shown.stdout
    assert page.problems == []


def test_a_problem_is_shown_beside_its_statement_and_nothing_is_written(
        served, page, corpus):
    page.goto(served.base + "/annotate")
    page.fill("#new-text", PASTED)
    page.get_by_role("button", name="Draft it").click()
    page.locator("#suggestion-the-talks-have-stalled").get_by_role(
        "button", name="Accept").click()
    card = page.locator("#statement-the-talks-have-stalled")
    card.get_by_label("hop 1 actor").fill("nobody-we-know")
    with page.expect_navigation():
        card.get_by_role("button", name="Apply").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    card = page.locator("#statement-the-talks-have-stalled")
    expect(card.locator(".problem")).to_contain_text("unknown actor 'nobody-we-know'")
    expect(page.locator("#problems")).to_contain_text("nothing was written")
    page.reload()  # the problem stays with the draft
    expect(page.locator("#statement-the-talks-have-stalled .problem")).to_have_count(1)
    with Database(corpus) as database:
        assert PASTED_KEY not in database.stored_articles()
    assert page.problems == []


def test_editing_a_stored_article_in_the_browser_replaces_it(served, page, corpus):
    seed = yaml.safe_load(next(p for p in seed_files() if p.stem == ARTICLE.rsplit("/")[-1])
                          .read_text(encoding="utf-8"))
    text = yaml.safe_dump(seed)
    victim = next(s["key"] for s in seed["statements"]  # one no other statement names
                  if text.count(s["key"]) == 1)
    page.goto(served.base + ARTICLE)
    before = page.locator("ol.statement-index li").count()
    page.get_by_role("button", name="Edit this article").click()
    expect(page).to_have_url(f"{served.base}/annotate/putin-stance-stalls-talks")
    expect(page.locator(".card.accepted")).to_have_count(before)
    page.locator(f"#statement-{victim}").get_by_role("button", name="Remove").click()
    expect(page.locator(".card.accepted")).to_have_count(before - 1)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as article file").click()
    assert download.value.suggested_filename == "putin-stance-stalls-talks.yaml"
    assert f"key: {victim}" not in Path(download.value.path()).read_text(encoding="utf-8")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(served.base + ARTICLE)
    expect(page.locator("ol.statement-index li")).to_have_count(before - 1)
    assert page.problems == []


def test_a_read_only_server_refuses_a_write(corpus, page, tmp_path):
    server = Served(corpus, "--read-only", "--workbench", str(tmp_path / "wb"))
    try:
        page.goto(server.base + ARTICLE)
        expect(page.get_by_role("button", name="Edit this article")).to_have_count(0)
        page.goto(server.base + "/annotate")
        expect(page.locator("main")).to_contain_text("read-only")
        status = page.evaluate("""() => fetch("/articles/putin-stance-stalls-talks/edit", {
            method: "POST", credentials: "same-origin", headers: {"X-CSRF-Token":
            document.querySelector('meta[name="csrf-token"]').content}}).then(r => r.status)""")
        assert status == 403
        assert not (tmp_path / "wb").exists()
    finally:
        server.stop()


def test_a_second_tab_on_the_same_draft_is_told_to_reload_and_nothing_is_lost(
        served, page, corpus):
    page.goto(served.base + "/annotate")
    page.fill("#new-text", PASTED)
    page.get_by_role("button", name="Draft it").click()
    expect(page.locator(".card.suggestion")).to_have_count(3)
    other = page.context.new_page()
    other.goto(page.url)
    page.locator("#suggestion-the-talks-have-stalled").get_by_role(
        "button", name="Accept").click()
    expect(page.locator("#statement-the-talks-have-stalled")).to_be_visible()
    other.fill("#new-quote", "Kremlin spokesman Dmitry Peskov")  # typed before knowing
    other.get_by_role("button", name="Make a statement").click()
    expect(other.locator("#write-status")).to_contain_text("changed in another tab")
    expect(other.locator("#new-quote")).to_have_value("Kremlin spokesman Dmitry Peskov")
    other.reload()
    expect(other.locator("#statement-the-talks-have-stalled")).to_be_visible()
    other.fill("#new-quote", "Kremlin spokesman Dmitry Peskov")
    other.get_by_role("button", name="Make a statement").click()
    expect(other.locator("#statement-kremlin-spokesman-dmitry-peskov")).to_be_visible()
    expect(other.locator("#statement-the-talks-have-stalled")).to_be_visible()
    other.close()
    assert page.problems == []
