"""The workbench's routes through Starlette's TestClient, on both backends: every
page and link answers, lists give byte for byte what the CLI gives, and the guards
(token, CSRF, read-only, CSP, Host) refuse what they must. The pages in a real
browser over a real server are tests/test_web_browser.py."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from claimsdb.api import Database
from claimsdb.format.seeds import seed_files
from claimsdb.web.app import create_app
from claimsdb.web.security import CONTENT_SECURITY_POLICY, CSRF_COOKIE
from conftest import DATA, Cli

MAXIMALIST = "putin-stance-stalls-talks/officials-putin-maximalist-demands"
HOSTILE = DATA / "web" / "hostile-workbench.yaml"
TRACE = sorted((DATA / "trace").glob("*.yaml"))
MENTIONS = Path(__file__).resolve().parents[1] / "examples" / "lavrov-hospital-report.yaml"
LOCAL = "http://127.0.0.1"


@pytest.fixture
def corpus(db: str) -> str:
    """The seed article, the relay corpus of tests/data/trace, an article naming its
    sources (format 1.1 mentions) and the hostile article."""
    with Database(db) as database:
        database.add([*seed_files(), *TRACE, MENTIONS, HOSTILE])  # raises if a file fails
    return db


@pytest.fixture
def client(corpus: str):
    database = Database(corpus)
    with TestClient(create_app(database), base_url=LOCAL) as client:
        yield client
    database.close()


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)


def links(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return parser.links


def test_every_page_reachable_from_the_article_list_answers_and_every_link_resolves(client):
    seen: set[str] = set()
    queue = ["/articles"]
    while queue and len(seen) < 400:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, (url, response.text[:300])
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        if "text/html" not in response.headers["content-type"]:
            continue
        assert "<script>" not in response.text  # only <script src=...> ever
        for link in links(response.text):
            if link.startswith("#") or link.startswith("http"):
                continue
            target = link.split("#", 1)[0]
            if target and target not in seen:
                queue.append(target)
    kinds = {url.split("/")[1].split("?")[0] for url in seen}
    assert {"articles", "statements", "actors", "trace", "sources", "denials", "loops",
            "static", "articles.csv", "statements.json"} <= kinds, kinds
    assert len(seen) > 100


@pytest.mark.parametrize(("url", "args"), [
    ("/statements.csv", ["statements", "--format", "csv"]),
    ("/statements.json?via=bloomberg&origin=anonymous",
     ["statements", "--via", "bloomberg", "--origin", "anonymous", "--format", "json"]),
    ("/statements.csv?search=peacekeeping+forces",
     ["statements", "--search", "peacekeeping forces", "--format", "csv"]),
    ("/statements.csv?article=hostile-workbench",
     ["statements", "--article", "hostile-workbench", "--format", "csv"]),
    ("/statements.json?speaker=kremlin&with_members=1&since=2020-01-01",
     ["statements", "--speaker", "kremlin", "--with-members", "--since", "2020-01-01",
      "--format", "json"]),
    ("/articles.csv", ["articles", "--format", "csv"]),
    ("/articles.json", ["articles", "--format", "json"]),
    ("/actors.csv?identified=anonymous", ["actors", "--identified", "anonymous",
                                          "--format", "csv"]),
    ("/actors.json", ["actors", "--format", "json"]),
    ("/denials.csv", ["denials", "--format", "csv"]),
    ("/denials.json?type=all&denied=1", ["denials", "--type", "all", "--denied",
                                         "--format", "json"]),
    ("/sources.csv", ["sources", "--format", "csv"]),
    ("/sources.json?article=putin-stance-stalls-talks",
     ["sources", "--article", "putin-stance-stalls-talks", "--format", "json"]),
    ("/loops.json", ["loops", "--format", "json"]),
    ("/loops.csv", ["loops", "--format", "csv"]),
])
def test_csv_and_json_links_give_exactly_what_the_cli_gives(client, corpus, url, args):
    response = client.get(url)
    assert response.status_code == 200, response.text
    expected = Cli(corpus)(*args)
    assert expected.stdout_bytes.strip(), args  # the comparison is about something
    assert response.content == expected.stdout_bytes
    kind = "text/csv" if ".csv" in url else "application/json"
    assert response.headers["content-type"].startswith(kind)


def test_list_pages_link_their_csv_and_json_twins_with_the_same_filters(client):
    page = client.get("/statements?via=bloomberg&origin=anonymous").text
    assert 'href="/statements.csv?via=bloomberg&amp;origin=anonymous"' in page
    assert 'href="/statements.json?via=bloomberg&amp;origin=anonymous"' in page
    assert "claimsdb statements --via bloomberg --origin anonymous --format csv|json" in page
    for name in ("articles", "actors", "denials", "sources", "loops"):
        text = client.get(f"/{name}").text
        assert f'href="/{name}.csv' in text and f'href="/{name}.json' in text, name


def test_lists_are_paged_fifty_to_a_page_with_links_both_ways(client):
    first = client.get("/statements").text
    rows = re.findall(r'<a class="ref" href="/statements/', first)
    assert len(rows) == 50
    assert 'rel="next" href="/statements?page=2"' in first
    second = client.get("/statements?page=2").text
    assert 'rel="prev" href="/statements?page=1"' in second
    everything = json.loads(client.get("/statements.json").text)
    pages, page = [], 1
    while True:
        html = client.get(f"/statements?page={page}").text
        pages += re.findall(r'<a class="ref" href="/statements/([^"]+)"', html)
        if 'rel="next"' not in html:
            break
        page += 1
    assert pages == [s["ref"].replace("#", "/") for s in everything]  # every one, in order


def test_article_list_filters_are_the_cli_statement_filters(client):
    page = client.get("/articles?via=bloomberg&origin=anonymous").text
    assert "/articles/putin-stance-stalls-talks" in page
    assert "/articles/relay-05-dam" not in page
    assert 'href="/statements.csv?via=bloomberg&amp;origin=anonymous"' in page
    dam = client.get("/articles?search=sabotaged").text
    assert "/articles/relay-05-dam" in dam and "/articles/putin-stance-stalls-talks" not in dam
    # no CLI command lists filtered articles, so the article download refuses filters
    refused = client.get("/articles.csv?search=sabotaged")
    assert refused.status_code == 400
    assert "/statements.csv with the same filters" in refused.text


def test_the_article_page_colours_each_statement_by_origin_and_marks_sources_and_cues(client):
    page = client.get("/articles/putin-stance-stalls-talks").text
    origin = {key: value for value, key in re.findall(
        r'class="st o-(\w+)[^"]*" href="#st-[^"]+" data-statement="([^"]+)"', page)}
    assert origin["officials-putin-maximalist-demands"] == "anonymous"
    assert origin["peskov-western-assessment-does-not-reflect-reality"] == "named"
    own = [key for key, value in origin.items() if value == "own"]
    assert own  # the outlet's own voice
    # every statement has its panel, with its chain
    for key in origin:
        assert f'id="st-{key}"' in page
    panel = page.split('id="st-officials-putin-maximalist-demands"', 1)[1].split("</section>")[0]
    assert "Western security officials" in panel and "Bloomberg" in panel
    assert "denies" in panel  # Peskov's denial, as a relation
    assert '/trace/putin-stance-stalls-talks/officials-putin-maximalist-demands' in panel
    role = client.get("/articles/hostile-workbench").text
    assert 'class="st o-role' in role  # the minister, known by role only
    assert 'class="cue' in page  # the seed's cues; its sources are not marked by span
    named = client.get("/articles/lavrov-hospital-report").text.split('id="text"', 1)[1]
    assert re.search(r'<span class="src[^"]*">', named.split("</div>", 1)[0])


def test_trace_page_draws_the_graph_with_the_denial_and_its_delay(client):
    page = client.get("/trace/relay-05-dam/dam-sabotaged").text
    assert "<svg" in page
    assert page.count('class="node n-') == 23  # 22 carriers and the ministry's denial
    assert 'class="node n-denies"' in page and 'class="edge e-denies"' in page
    assert "6 hours after" in page
    assert "Single-source" in page


def test_actor_page_shows_roles_aliases_said_and_relayed(client):
    peskov = client.get("/actors/peskov").text
    assert "spokesman" in peskov.lower() or "press secretary" in peskov.lower()
    assert "What it said" in peskov and "/statements/putin-stance-stalls-talks/peskov-" in peskov
    bloomberg = client.get("/actors/bloomberg").text
    assert "What it relayed" in bloomberg
    assert "/statements/putin-stance-stalls-talks/officials-putin-maximalist-demands" in bloomberg
    hostile = client.get("/actors/script-kiddie").text
    assert "&#39;; DROP TABLE actors;--" in hostile  # an alias, as text


def test_what_does_not_exist_is_404_and_a_bad_filter_400_with_what_to_change(client):
    missing = client.get("/articles/no-such-article")
    assert missing.status_code == 404 and "no-such-article" in missing.text
    assert client.get("/statements/putin-stance-stalls-talks/nope").status_code == 404
    assert client.get("/nowhere").status_code == 404
    bad = client.get("/statements?origin=famous")
    assert bad.status_code == 400 and "named, role, anonymous" in bad.text
    assert "YYYY-MM-DD" in client.get("/statements?since=yesterday").text
    assert client.get("/statements?page=0").status_code == 400
    assert client.get("/denials?type=maybe").status_code == 400


def test_the_hostile_article_renders_as_text_everywhere(client):
    pages = ["/articles/hostile-workbench", "/articles", "/statements?article=hostile-workbench",
             "/statements/hostile-workbench/script-quote", "/actors/script-kiddie",
             "/actors/wire-svc", "/actors", "/denials", "/trace/hostile-workbench/script-quote"]
    for url in pages:
        html = client.get(url).text
        assert "<script>window" not in html and "<img src=x" not in html, url
        assert 'onerror="window' not in html, url
        assert "\u202e" not in html and "\u2066" not in html, url  # shown as \u202e
        assert 'href="javascript:' not in html, url
    article = client.get("/articles/hostile-workbench").text
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in article
    assert r"\u202eevil" in article  # the override, visible instead of acting
    assert "ذلك غير صحيح" in article and "Министр" in article


def test_no_token_no_page_when_the_server_has_one(corpus):
    app = create_app(Database(corpus), token="s3cret-token", allowed_hosts=None)
    with TestClient(app, base_url="http://192.0.2.10") as client:
        for url in ("/articles", "/statements.csv", "/static/workbench.css", "/nowhere"):
            refused = client.get(url)
            assert refused.status_code == 401, url
            assert "token" in refused.text and "s3cret" not in refused.text
        assert client.get("/articles?token=wrong").status_code == 401
        assert client.get("/articles", headers={"Authorization": "token wrong"}
                          ).status_code == 401
        assert client.get("/articles", headers={"Authorization": "Bearer s3cret-token"}
                          ).status_code == 200
        entered = client.get("/statements?via=bloomberg&token=s3cret-token",
                             follow_redirects=False)
        assert entered.status_code == 303
        assert entered.headers["location"] == "/statements?via=bloomberg"  # token dropped
        assert "HttpOnly" in entered.headers["set-cookie"]
        assert client.get("/statements?via=bloomberg").status_code == 200  # the cookie


def test_writes_need_the_csrf_token_and_read_only_refuses_them_all(corpus):
    with TestClient(create_app(Database(corpus)), base_url=LOCAL) as client:
        page = client.get("/articles")
        token = client.cookies[CSRF_COOKIE]
        assert f'<meta name="csrf-token" content="{token}">' in page.text
        assert client.post("/articles").status_code == 403  # no header
        assert client.post("/articles", headers={"X-CSRF-Token": "forged"}).status_code == 403
        # with the token the request reaches the routes (none of which writes yet)
        assert client.post("/articles", headers={"X-CSRF-Token": token}).status_code == 405
    with TestClient(create_app(Database(corpus), read_only=True), base_url=LOCAL) as client:
        assert "read-only" in client.get("/articles").text
        token = client.cookies[CSRF_COOKIE]
        for method in ("post", "put", "delete", "patch"):
            refused = getattr(client, method)("/articles", headers={"X-CSRF-Token": token})
            assert refused.status_code == 403 and "read-only" in refused.text, method


def test_a_loopback_server_answers_only_loopback_host_names(corpus):
    # a page on another site reaching 127.0.0.1 through DNS rebinding sends its own name
    with TestClient(create_app(Database(corpus)), base_url="http://evil.example") as client:
        assert client.get("/articles").status_code == 400
    for allowed in ("http://localhost:8000", "http://[::1]:8000", "http://127.0.0.1"):
        with TestClient(create_app(Database(corpus)), base_url=allowed) as client:
            assert client.get("/articles").status_code == 200, allowed
    with TestClient(create_app(Database(corpus)), base_url="http://127.0.0.1.evil.example"
                    ) as client:
        assert client.get("/articles").status_code == 400


def test_a_cli_import_while_the_app_is_open_shows_on_the_next_page(client, corpus,
                                                                  tmp_path: Path):
    assert "kremlin-denies-report" not in client.get("/articles").text
    from conftest import REPO

    result = Cli(corpus)("add", str(REPO / "examples" / "kremlin-denies-report.yaml"))
    assert result.exit_code == 0, result.output
    assert "/articles/kremlin-denies-report" in client.get("/articles").text


def test_serve_without_the_web_extra_says_how_to_install_it(corpus):
    import subprocess
    import sys

    blocked = (
        "import sys\n"
        "class NoWebExtra:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('starlette', 'uvicorn', 'jinja2'):\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, NoWebExtra())\n"
        "from claimsdb.cli import main\n"
        "main(sys.argv[1:])\n")
    result = subprocess.run([sys.executable, "-c", blocked, "--db", corpus, "serve"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr == ("Error: claimsdb serve needs the web extra: "
                             "pip install 'claimsdb[web]'\n")


def test_a_refusal_shows_as_declining_the_report_in_the_workbench(client):
    """The Lavrov example's "declined to comment" is a refusal that declines the
    hospital report: the article's panel lists it, the trace draws it as a response
    of its own kind, not a denial."""
    page = client.get("/articles/lavrov-hospital-report").text
    panel = page.split('id="st-ministry-declined"', 1)[1].split("</section>")[0]
    assert '<li class="rel rel-declines">it <span class="rel-type">declines</span>' in panel
    trace = client.get("/trace/lavrov-hospital-report/lavrov-taken-to-hospital").text
    assert 'class="node n-declines"' in trace and 'class="edge e-declines"' in trace
    assert 'class="node n-denies"' not in trace
    assert '<div class="rel rel-declines">declines by' in trace
