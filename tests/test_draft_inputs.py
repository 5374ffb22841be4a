"""Web pages and URLs as drafter inputs (issue 14).

Saved news pages written for these tests (tests/data/draft/: menus, ads, a cookie
banner, comments and a footer around the article, its metadata in JSON-LD and
<meta> tags; a Russian page in windows-1251; a login wall with no article) go
through trafilatura, and a real HTTP server on 127.0.0.1 serves them, with the
failures a user meets: 404 and 500, redirects and their loops, a server too slow
or sending too much, binary types, a closed port. Nothing here reaches the internet.
"""

from __future__ import annotations

import datetime
import gzip
import http.server
import socket
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

import claimsdb
from claimsdb.draft import draft
from claimsdb.draft.documents import InputError
from claimsdb.draft.fetching import USER_AGENT, download, fetch, is_url, url_stem
from claimsdb.draft.webpages import read_page
from conftest import DATA, Cli

PAGES = DATA / "draft"
COURIER = (PAGES / "courier-talks.html").read_bytes()
VESTNIK = (PAGES / "vestnik-peskov-cp1251.html").read_bytes()
LOGIN_WALL = (PAGES / "login-wall.html").read_bytes()
VESTNIK_NO_META = VESTNIK.replace(
    b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">\n', b"")
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n\x00\x00\x00"
PLAIN = "Officials said the talks “had stalled”.\nДмитрий Песков заявил: «Это не так».\n"
BOILERPLATE = ["Accept all", "cookies", "Advertisement", "Refinance", "Subscribe",
               "More from World", "Istanbul talks open", "riverwatcher", "Good reporting",
               "Morning Briefing", "All rights reserved", "Privacy policy", "Share on X",
               "Photo: Archive", "Diplomatic Correspondent"]


def page(body_html: str, head: str = "", lang: str = "en") -> str:
    return (f'<!DOCTYPE html>\n<html lang="{lang}"><head>{head}<title>A page</title></head>'
            f"<body><nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
            f"<article>{body_html}</article><footer>© 2025 Example</footer></body></html>")


FILLER = ("The talks, the first direct contact between the two delegations in three years, "
          "are due to resume on Friday in the same building on the Bosphorus.")


# -- saved pages ---------------------------------------------------------------------------

def test_a_news_page_gives_its_article_without_the_boilerplate():
    document = read_page(COURIER, source="courier-talks.html", stem="courier-talks")
    paragraphs = document.text.split("\n\n")
    assert len(paragraphs) == 5
    assert paragraphs[0].startswith("Moscow on Tuesday rejected a Western proposal")
    assert paragraphs[-1] == ("The talks, the first direct contact in three years, are due "
                              "to resume on Friday.")
    for words in BOILERPLATE:
        assert words not in document.text, words
    # the headline is the title, not the first line of the text
    assert "Kremlin rejects ceasefire terms" not in document.text
    # curly quotes, apostrophes and the non-breaking hyphen as the page has them;
    # the source's line breaks inside a paragraph are spaces
    assert "“We see no progress,” Kremlin spokesman Dmitry Peskov told reporters." in paragraphs[1]
    assert "the Kremlin’s\ndemands" not in document.text
    assert "the Kremlin’s demands" in document.text
    assert "30\u2011day ceasefire" in document.text


def test_a_news_page_gives_what_it_says_about_itself():
    document = read_page(COURIER, source="courier-talks.html", stem="courier-talks")
    assert document.title == "Kremlin rejects ceasefire terms as talks stall"
    assert document.published == "2025-05-14"
    assert document.outlet == "The Riverside Courier"
    assert document.author == "Jane Holloway"
    assert document.language == "en-GB"
    # a saved page: its own canonical address; nothing was fetched
    assert document.url == "https://courier.example.com/2025/05/14/kremlin-rejects-ceasefire-terms"
    assert document.retrieved is None
    assert (document.source, document.stem) == ("courier-talks.html", "courier-talks")


def test_the_drafter_reads_the_extracted_text():
    document = read_page(COURIER, source="courier-talks.html", stem="courier-talks")
    result = draft(document.text, document.language)
    peskov = [s for s in result.statements if "We see no progress" in s.content]
    assert len(peskov) == 1
    assert peskov[0].chain[0].mention == "Kremlin spokesman Dmitry Peskov"
    start, end = peskov[0].chain[0].mention_span
    assert document.text[start:end] == "Kremlin spokesman Dmitry Peskov"


def test_a_russian_page_in_windows_1251_keeps_cyrillic_guillemets_and_dashes():
    document = read_page(VESTNIK, source="peskov.html", stem="peskov")
    assert document.title == "Песков: переговоры в Стамбуле зашли в тупик"
    assert document.outlet == "Северный вестник"
    assert document.author == "Анна Смирнова"
    assert document.language == "ru"
    assert document.published == "2025-05-15"
    paragraphs = document.text.split("\n\n")
    assert len(paragraphs) == 4
    assert "переговоры в Стамбуле «зашли в тупик» по вине западных стран" in paragraphs[0]
    assert paragraphs[3].startswith("— Это неправда, — заявил представитель МИД Украины")
    for words in ("cookie", "Кредит наличными", "Читайте также", "Все права защищены"):
        assert words not in document.text
    result = draft(document.text, document.language)
    assert any("Это неправда" in s.content for s in result.statements)


def test_the_servers_charset_decodes_a_page_that_declares_none():
    with_header = read_page(VESTNIK_NO_META, source="peskov.html", stem="peskov",
                            charset="windows-1251")
    assert with_header.text == read_page(VESTNIK, source="peskov.html", stem="peskov").text


def test_a_page_labelled_latin_1_is_read_as_browsers_read_it():
    # windows-1252 keeps curly quotes where ISO-8859-1 has control characters
    markup = page(f"<p>The minister said the plan was “dead on arrival” and ‘unworkable’ — "
                  f"a blunt verdict.</p><p>{FILLER}</p>",
                  head='<meta charset="iso-8859-1">')
    document = read_page(markup.encode("cp1252"), source="latin.html", stem="latin")
    assert "“dead on arrival” and ‘unworkable’ — a blunt verdict." in document.text


def test_utf_8_wins_over_a_wrong_declaration():
    markup = page(f"<p>Officials said the offer was “final”, Дмитрий Песков said.</p>"
                  f"<p>{FILLER}</p>", head='<meta charset="windows-1251">')
    document = read_page(markup.encode("utf-8"), source="u.html", stem="u",
                         charset="iso-8859-1")
    assert "the offer was “final”, Дмитрий Песков said." in document.text


def test_an_xhtml_page_declaring_its_encoding_in_an_xml_declaration():
    markup = ('<?xml version="1.0" encoding="windows-1251"?>\n'
              '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="ru"><head>'
              '<title>Заголовок</title></head><body><div class="text">'
              '<p>«Мы не видим прогресса», — сказал Песков журналистам в четверг.</p>'
              '<p>По словам источника, следующая встреча делегаций может пройти не раньше '
              'июня, а возможно и позже, если стороны не договорятся о повестке заранее.'
              '</p></div></body></html>')
    document = read_page(markup.encode("cp1251"), source="x.xhtml", stem="x")
    assert "«Мы не видим прогресса», — сказал Песков" in document.text
    assert document.language == "ru"


def test_spaces_line_breaks_lists_and_quotations_as_the_text_keeps_them():
    markup = page(
        "<p>Peskov said the talks were at an&nbsp;impasse, and   that\n  nothing moved.</p>"
        "<p>First line of an address<br>second line of it<br>third line, long enough.</p>"
        "<ul><li>the first demand on the list</li><li>the second demand on the list</li></ul>"
        "<blockquote>“A quotation set apart,&nbsp;in a\u202fblock,” the statement said."
        "</blockquote>"
        f"<p>{FILLER}</p>")
    text = read_page(markup, source="s.html", stem="s").text
    blocks = text.split("\n\n")
    # every non-breaking space (no-break, narrow no-break) becomes a plain space
    assert blocks[0] == "Peskov said the talks were at an impasse, and that nothing moved."
    assert blocks[1] == ("First line of an address\nsecond line of it\n"
                         "third line, long enough.")
    assert blocks[2] == "- the first demand on the list\n- the second demand on the list"
    assert blocks[3] == "“A quotation set apart, in a block,” the statement said."
    assert blocks[4] == FILLER


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (LOGIN_WALL, "no article text found on the page (only 5 words of it"),
        (page("<p>Short brief: talks stalled, officials said.</p>"),
         "no article text found on the page (only "),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "holds NUL bytes"),
        (PDF, "holds NUL bytes"),
        ("", "is not an HTML page"),
    ],
    ids=["login-wall", "too-short", "png", "pdf", "empty"],
)
def test_a_page_without_an_article_is_refused_naming_the_input(content, expected):
    with pytest.raises(InputError) as caught:
        read_page(content, source="saved/page.html", stem="page")
    assert caught.value.source == "saved/page.html"
    assert str(caught.value).startswith("saved/page.html: ")
    assert expected in caught.value.message
    assert caught.value.hint


@pytest.mark.parametrize("blocked", ["trafilatura", "lxml_html_clean"])
def test_without_the_draft_extra_the_error_says_what_to_install(blocked):
    # A real interpreter in which the package cannot be imported (a None entry in
    # sys.modules makes `import` fail as if it were not installed).
    program = (
        "import sys\n"
        f"sys.modules[{blocked!r}] = None\n"
        "from claimsdb.draft.webpages import read_page\n"
        "from claimsdb.draft.documents import InputError\n"
        "try:\n"
        "    read_page(b'<html><body><p>x</p></body></html>', source='p.html', stem='p')\n"
        "except InputError as error:\n"
        "    print(error)\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.strip() == (
        f"p.html: reading web pages needs the Python package '{blocked}', which is not "
        "installed; install the drafting extra: pip install 'claimsdb[draft]'")


# -- URL stems -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("url", "stem"),
    [
        ("https://courier.example.com/2025/05/14/kremlin-rejects-ceasefire-terms",
         "kremlin-rejects-ceasefire-terms"),
        ("https://vestnik.example.org/politics/peskov-talks.html?utm_source=x#top",
         "peskov-talks"),
        ("https://news.example.com/world/europe/", "europe"),
        ("https://www.example.com/", "example-com"),
        ("http://127.0.0.1:8080", "127-0-0-1"),
        ("https://example.ru/%D0%BF%D0%B5%D1%81%D0%BA%D0%BE%D0%B2-%D0%B7%D0%B0%D1%8F%D0%B2%D0%B8%D0%BB",
         "песков-заявил"),
        ("https://example.com/news/Peace%20Talks%3A%20Day%202.php", "peace-talks-day-2"),
        ("https://example.com/a/article.v2.final", "article-v2"),
    ],
)
def test_url_stem(url, stem):
    assert url_stem(url) == stem


def test_is_url():
    assert is_url("https://example.com/a")
    assert is_url("file:///etc/passwd")
    assert not is_url("article.html")
    assert not is_url("C:\\news\\article.html")
    assert not is_url("-")


# -- a real HTTP server ----------------------------------------------------------------------

# path -> (status, headers, body)
ROUTES: dict[str, tuple[int, dict[str, str], bytes]] = {
    "/news/kremlin-rejects-ceasefire-terms.html":
        (200, {"Content-Type": "text/html; charset=utf-8"}, COURIER),
    "/ru/peskov-talks": (200, {"Content-Type": "text/html"}, VESTNIK),
    "/ru/peskov-no-meta":
        (200, {"Content-Type": "text/html; charset=windows-1251"}, VESTNIK_NO_META),
    "/xhtml": (200, {"Content-Type": "application/xhtml+xml"}, COURIER),
    "/untyped": (200, {}, COURIER),
    "/notes.txt": (200, {"Content-Type": "text/plain; charset=utf-8"},
                   PLAIN.encode("utf-8")),
    "/notes-1251.txt": (200, {"Content-Type": "text/plain; charset=windows-1251"},
                        "Песков заявил: «Это не так».\r\n".encode("cp1251")),
    "/empty.txt": (200, {"Content-Type": "text/plain"}, b"  \n"),
    "/control.txt": (200, {"Content-Type": "text/plain"}, b"Peskov said\x1b[31m no.\n"),
    "/login": (200, {"Content-Type": "text/html; charset=utf-8"}, LOGIN_WALL),
    "/report.pdf": (200, {"Content-Type": "application/pdf"}, PDF),
    "/photo.jpg": (200, {"Content-Type": "image/jpeg"}, b"\xff\xd8\xff\xe0\x00\x10JFIF"),
    "/download": (200, {"Content-Type": "application/octet-stream"}, PDF),
    "/missing": (404, {"Content-Type": "text/html"}, b"<h1>Not Found</h1>"),
    "/paywall": (403, {"Content-Type": "text/html"}, b"<h1>Forbidden</h1>"),
    "/broken": (500, {"Content-Type": "text/html"}, b"<h1>Oops</h1>"),
    "/moved": (301, {"Location": "/news/kremlin-rejects-ceasefire-terms.html"}, b""),
    "/short/k": (302, {"Location": "/moved"}, b""),
    "/loop-a": (302, {"Location": "/loop-b"}, b""),
    "/loop-b": (302, {"Location": "loop-a"}, b""),
    "/to-ftp": (302, {"Location": "ftp://127.0.0.1/pub/article.txt"}, b""),
    "/to-file": (302, {"Location": "file:///etc/passwd"}, b""),
    "/gzipped": (200, {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"},
                 gzip.compress(COURIER)),
    "/gzip-bomb": (200, {"Content-Type": "text/html", "Content-Encoding": "gzip"},
                   gzip.compress(b"<p>" + b" " * (12 * 1024 * 1024) + b"</p>")),
    "/brotli": (200, {"Content-Type": "text/html", "Content-Encoding": "br"}, b"\x1b\x00"),
    "/huge-announced": (200, {"Content-Type": "text/html",
                              "Content-Length": str(50 * 1024 * 1024)}, b"<html>"),
}


class Site(http.server.BaseHTTPRequestHandler):
    """The pages and failures the tests fetch; ``server.seen`` records requests."""

    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.server.seen.append((self.path, self.headers.get("User-Agent")))
        path = self.path.split("?")[0]
        if path.startswith("/chain/"):  # a fresh address every time: never a loop
            step = int(path.rsplit("/", 1)[1])
            return self._answer(302, {"Location": f"/chain/{step + 1}"}, b"")
        if path == "/trickle":
            return self._trickle()
        if path == "/silent":
            time.sleep(5)
            return None
        if path == "/huge":
            return self._endless()
        status, headers, body = ROUTES.get(path, (404, {}, b"no such test page"))
        return self._answer(status, headers, body)

    def _answer(self, status, headers, body):
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _trickle(self):
        """A byte every 0.1 s, for 10 s: each read is quick, the whole is not."""
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "100")
        self.end_headers()
        try:
            for _ in range(100):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.1)
        except OSError:
            pass  # the client gave up, as it should

    def _endless(self):
        """100 MB without a Content-Length; counts what it managed to send."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Connection", "close")
        self.end_headers()
        chunk = b"<p>" + b"all work and no play " * 3000 + b"</p>\n"
        try:
            while self.server.sent < 100 * 1024 * 1024:
                self.wfile.write(chunk)
                self.server.sent += len(chunk)
        except OSError:
            pass
        finally:
            self.server.endless_done.set()
        self.close_connection = True

    def log_message(self, format, *args):  # quiet: the test output is the report
        pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that hangs up mid-answer (as the fetcher must, past a limit) is
        # expected; printing its traceback would land in the stderr a test reads.
        self.errors.append(sys.exc_info()[1])


@pytest.fixture(scope="module")
def site():
    server = Server(("127.0.0.1", 0), Site)
    server.errors = []
    server.seen = []
    server.sent = 0
    server.endless_done = threading.Event()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    server.base = f"http://{host}:{port}"
    yield server
    server.shutdown()
    server.server_close()


def test_fetching_a_news_page(site):
    url = f"{site.base}/news/kremlin-rejects-ceasefire-terms.html"
    document = fetch(url, today=datetime.date(2025, 5, 20))
    saved = read_page(COURIER, source="courier-talks.html", stem="courier-talks")
    assert document.text == saved.text
    assert (document.title, document.published, document.outlet, document.author,
            document.language) == (saved.title, "2025-05-14", "The Riverside Courier",
                                   "Jane Holloway", "en-GB")
    # where the text was fetched from, not the page's own claim about its address
    assert document.url == url
    assert document.retrieved == "2025-05-20"
    assert (document.source, document.stem) == (url, "kremlin-rejects-ceasefire-terms")
    assert (url.removeprefix(site.base), USER_AGENT) in site.seen
    assert USER_AGENT.startswith("claimsdb/")


def test_retrieved_is_today_in_utc(site):
    before = datetime.datetime.now(datetime.UTC).date().isoformat()
    document = fetch(f"{site.base}/notes.txt")
    after = datetime.datetime.now(datetime.UTC).date().isoformat()
    assert document.retrieved in {before, after}


def test_charsets_from_the_page_and_from_the_server(site):
    in_page = fetch(f"{site.base}/ru/peskov-talks")
    in_header = fetch(f"{site.base}/ru/peskov-no-meta")
    assert "«зашли в тупик»" in in_page.text
    assert in_header.text == in_page.text


def test_xhtml_and_untyped_pages_are_read_as_html(site):
    expected = read_page(COURIER, source="p", stem="p").text
    assert fetch(f"{site.base}/xhtml").text == expected
    assert fetch(f"{site.base}/untyped").text == expected


def test_a_page_compressed_although_not_asked_is_uncompressed(site):
    document = fetch(f"{site.base}/gzipped")
    assert document.text == read_page(COURIER, source="p", stem="p").text


def test_plain_text_is_kept_as_it_is(site):
    document = fetch(f"{site.base}/notes.txt")
    assert document.text == PLAIN
    assert (document.title, document.stem) == (None, "notes")
    assert document.url == f"{site.base}/notes.txt"
    assert fetch(f"{site.base}/notes-1251.txt").text == "Песков заявил: «Это не так».\n"


def test_an_address_with_cyrillic_and_spaces_is_sent_percent_encoded(site):
    url = f"{site.base}/новости/песков заявил?q=переговоры"
    with pytest.raises(InputError, match="the server answered 404 Not Found"):
        fetch(url)
    assert site.seen[-1][0] == (
        "/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8/"
        "%D0%BF%D0%B5%D1%81%D0%BA%D0%BE%D0%B2%20%D0%B7%D0%B0%D1%8F%D0%B2%D0%B8%D0%BB"
        "?q=%D0%BF%D0%B5%D1%80%D0%B5%D0%B3%D0%BE%D0%B2%D0%BE%D1%80%D1%8B")
    assert url_stem(url) == "песков-заявил"


def test_redirects_are_followed_and_the_final_address_kept(site):
    url = f"{site.base}/short/k"
    document = fetch(url)
    assert document.title == "Kremlin rejects ceasefire terms as talks stall"
    assert document.url == f"{site.base}/news/kremlin-rejects-ceasefire-terms.html"
    assert (document.source, document.stem) == (url, "k")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/missing", "could not be fetched: the server answered 404 Not Found"),
        ("/paywall", "could not be fetched: the server answered 403 Forbidden"),
        ("/broken", "could not be fetched: the server answered 500 Internal Server Error"),
        ("/report.pdf", "is application/pdf, not a web page or plain text"),
        ("/photo.jpg", "is image/jpeg, not a web page or plain text"),
        ("/download", "is application/octet-stream, not a web page or plain text"),
        ("/login", "no article text found on the page"),
        ("/empty.txt", "holds no text"),
        ("/control.txt", "line 1 holds the"),
        ("/loop-a", "redirects in a loop (back to http://"),
        ("/chain/1", "redirects more than 5 times"),
        ("/to-ftp", "redirects to ftp://127.0.0.1/pub/article.txt, which claimsdb does not fetch"),
        ("/to-file", "redirects to file:///etc/passwd, which claimsdb does not fetch"),
        ("/gzip-bomb", "is larger than the 10,485,760 bytes a draft reads (once "
                       "uncompressed)"),
        ("/brotli", "was sent compressed as 'br', which claimsdb cannot read"),
        ("/huge-announced", "is larger than the 10,485,760 bytes a draft reads (the server "
                            "announces 52,428,800 bytes)"),
    ],
)
def test_a_url_that_cannot_be_drafted_is_refused_naming_it(site, path, expected):
    url = f"{site.base}{path}"
    with pytest.raises(InputError) as caught:
        fetch(url)
    assert caught.value.source == url
    assert str(caught.value).startswith(f"{url}: ")
    assert expected in caught.value.message
    assert caught.value.hint


def test_the_deadline_covers_the_whole_fetch_not_each_read(site):
    started = time.monotonic()
    with pytest.raises(InputError, match=r"could not be fetched within 1 seconds"):
        fetch(f"{site.base}/trickle", timeout=1.0)
    assert 0.9 < time.monotonic() - started < 3


def test_a_server_that_never_answers_times_out(site):
    started = time.monotonic()
    with pytest.raises(InputError, match=r"could not be fetched within 0.5 seconds"):
        fetch(f"{site.base}/silent", timeout=0.5)
    assert time.monotonic() - started < 2


def test_a_huge_body_is_abandoned_once_past_the_limit(site):
    url = f"{site.base}/huge"
    with pytest.raises(InputError) as caught:
        download(url, max_bytes=1024 * 1024)
    assert caught.value.message.startswith(
        "is larger than the 1,048,576 bytes a draft reads (stopped reading there)")
    # The client hung up: the server could send only what the sockets' buffers hold
    # beyond the limit, not its 100 MB.
    assert site.endless_done.wait(10)
    assert site.sent < 20 * 1024 * 1024


def test_a_closed_port_is_refused(site):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/article"
    with pytest.raises(InputError) as caught:
        fetch(url, timeout=5)
    assert caught.value.message == (
        f"could not be fetched: the connection to 127.0.0.1:{port} was refused")
    assert caught.value.source == url


def test_an_https_server_with_an_untrusted_certificate_is_refused(tmp_path):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    server = Server(("127.0.0.1", 0), Site)
    server.errors = []
    server.seen = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"https://127.0.0.1:{server.server_address[1]}/news/kremlin-rejects-ceasefire-terms.html"
    try:
        with pytest.raises(InputError) as caught:
            fetch(url, timeout=5)
    finally:
        server.shutdown()
        server.server_close()
    assert caught.value.source == url
    assert caught.value.message == ("could not be fetched: its certificate could not be "
                                    "verified (self-signed certificate)")
    assert server.seen == []  # no request was sent over the untrusted connection


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("file:///etc/passwd", "is an address that claimsdb does not fetch"),
        ("ftp://127.0.0.1/pub/a.txt", "is an address that claimsdb does not fetch"),
        ("http:///no-host", "is an address that names no host"),
        ("http://127.0.0.1:port/a", "is an address that has an invalid port"),
        ("http://news..example.com/a", "is an address that has an invalid host name"),
    ],
)
def test_addresses_that_are_not_fetched(url, expected):
    with pytest.raises(InputError) as caught:
        fetch(url)
    assert caught.value.source == url
    assert expected in caught.value.message



# -- the command: claimsdb draft PAGE.html / URL / - ----------------------------------------

def import_draft(tmp_path: Path, draft_file: Path) -> object:
    """``claimsdb add`` of a draft as written; the stored article."""
    target = str(tmp_path / "imported.db")
    added = Cli(target)("add", str(draft_file))
    assert added.exit_code == 0, (added.stderr, draft_file.read_text(encoding="utf-8"))
    key = yaml.safe_load(draft_file.read_text(encoding="utf-8"))["article"]["key"]
    with claimsdb.open(target) as database:
        return database.article(key)


def test_drafting_a_saved_page_and_importing_the_draft(tmp_path):
    page_file = tmp_path / "courier-talks.html"
    page_file.write_bytes(COURIER)
    out = tmp_path / "talks.yaml"
    result = Cli(str(tmp_path / "draft.db"))("draft", str(page_file), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    head = data["article"]
    expected = read_page(COURIER, source=str(page_file), stem="courier-talks")
    assert head["text"] == expected.text
    assert head["title"] == "Kremlin rejects ceasefire terms as talks stall"
    assert head["url"] == "https://courier.example.com/2025/05/14/kremlin-rejects-ceasefire-terms"
    assert str(head["published"]) == "2025-05-14"
    assert head["language"] == "en-GB"
    assert "retrieved" not in head  # a saved page was not fetched by claimsdb
    outlets = [a for a in data["actors"] if a["key"] == head["outlet"]]
    assert [(a["name"], a["kind"]) for a in outlets] == [("The Riverside Courier", "outlet")]

    stored = import_draft(tmp_path, out)
    assert stored.text == expected.text
    assert (stored.summary.title, stored.summary.url, stored.summary.published,
            stored.summary.language) == (head["title"], head["url"], "2025-05-14", "en-GB")
    assert stored.summary.outlet.name == "The Riverside Courier"
    assert any("We see no progress" in s.quote for s in stored.statements)


def test_drafting_a_url_into_a_folder_and_importing_the_draft(site, tmp_path):
    url = f"{site.base}/news/kremlin-rejects-ceasefire-terms.html"
    folder = tmp_path / "drafts"
    before = datetime.datetime.now(datetime.UTC).date().isoformat()
    result = Cli(str(tmp_path / "draft.db"))("draft", url, "--out-dir", str(folder))
    after = datetime.datetime.now(datetime.UTC).date().isoformat()
    assert result.exit_code == 0, result.stderr
    assert [p.name for p in folder.iterdir()] == ["kremlin-rejects-ceasefire-terms.yaml"]
    out = folder / "kremlin-rejects-ceasefire-terms.yaml"
    head = yaml.safe_load(out.read_text(encoding="utf-8"))["article"]
    assert head["url"] == url
    assert str(head["retrieved"]) in {before, after}
    assert head["title"] == "Kremlin rejects ceasefire terms as talks stall"
    assert str(head["published"]) == "2025-05-14"

    stored = import_draft(tmp_path, out)
    assert stored.text == read_page(COURIER, source="p", stem="p").text
    assert stored.summary.url == url
    assert stored.summary.retrieved == str(head["retrieved"])


def test_drafting_a_russian_page_from_a_url(site, tmp_path):
    out = tmp_path / "peskov.yaml"
    result = Cli(str(tmp_path / "draft.db"))("draft", f"{site.base}/ru/peskov-talks",
                                             "-o", str(out))
    assert result.exit_code == 0, result.stderr
    head = yaml.safe_load(out.read_text(encoding="utf-8"))["article"]
    assert head["language"] == "ru"
    assert head["title"] == "Песков: переговоры в Стамбуле зашли в тупик"
    stored = import_draft(tmp_path, out)
    assert "«зашли в тупик»" in stored.text
    assert stored.summary.outlet.name == "Северный вестник"


def test_a_page_piped_to_standard_input_is_read_as_html(tmp_path):
    result = Cli(str(tmp_path / "draft.db"))("draft", "-", input=COURIER.decode("utf-8"))
    assert result.exit_code == 0, result.stderr
    head = yaml.safe_load(result.stdout)["article"]
    assert head["text"] == read_page(COURIER, source="-", stem="stdin").text
    assert head["title"] == "Kremlin rejects ceasefire terms as talks stall"


def test_a_page_saved_without_an_extension_is_read_as_html(tmp_path):
    saved = tmp_path / "article"
    saved.write_bytes(b"<!-- saved from url=(0061)https://courier.example.com/ -->\n" + COURIER)
    result = Cli(str(tmp_path / "draft.db"))("draft", str(saved))
    assert result.exit_code == 0, result.stderr
    assert yaml.safe_load(result.stdout)["article"]["title"] == (
        "Kremlin rejects ceasefire terms as talks stall")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/missing", "could not be fetched: the server answered 404 Not Found; check the "
                     "address"),
        ("/report.pdf", "is application/pdf, not a web page or plain text"),
        ("/login", "no article text found on the page"),
        ("/loop-a", "redirects in a loop"),
    ],
)
def test_a_url_that_cannot_be_drafted_exits_1_and_writes_nothing(site, tmp_path, path,
                                                                  expected):
    url = f"{site.base}{path}"
    out = tmp_path / "draft.yaml"
    result = Cli(str(tmp_path / "draft.db"))("draft", url, "-o", str(out))
    assert result.exit_code == 1
    assert f"Error: {url}: {expected}" in result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # not even the database is created


def test_one_bad_url_among_good_inputs_writes_nothing(site, tmp_path):
    page_file = tmp_path / "courier-talks.html"
    page_file.write_bytes(COURIER)
    folder = tmp_path / "drafts"
    result = Cli(str(tmp_path / "draft.db"))(
        "draft", str(page_file), f"{site.base}/notes.txt", f"{site.base}/broken",
        "--out-dir", str(folder))
    assert result.exit_code == 1
    assert f"Error: {site.base}/broken: could not be fetched: the server answered 500" in (
        result.stderr)
    assert not folder.exists() or list(folder.iterdir()) == []


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (LOGIN_WALL, "no article text found on the page"),
        (PDF, "holds NUL bytes"),
        (b"<html>" + b"<p>" + b"word " * (3 * 1024 * 1024) + b"</p></html>",
         "is 15,728,660 bytes, more than the 10,485,760 bytes a draft reads"),
    ],
    ids=["login-wall", "pdf-named-html", "huge"],
)
def test_a_page_file_that_cannot_be_drafted_exits_1_and_writes_nothing(tmp_path, content,
                                                                       expected):
    page_file = tmp_path / "page.html"
    page_file.write_bytes(content)
    out = tmp_path / "draft.yaml"
    result = Cli(str(tmp_path / "draft.db"))("draft", str(page_file), "-o", str(out))
    assert result.exit_code == 1
    assert f"Error: {page_file}: {expected}" in result.stderr
    assert not out.exists()


def test_the_command_without_the_draft_extra_says_what_to_install(tmp_path):
    page_file = tmp_path / "page.html"
    page_file.write_bytes(COURIER)
    program = ("import sys\n"
               "sys.modules['trafilatura'] = None\n"
               "from claimsdb.cli import main\n"
               "main(sys.argv[1:])\n")
    done = subprocess.run(
        [sys.executable, "-c", program, "--db", str(tmp_path / "d.db"), "draft",
         str(page_file), "-o", str(tmp_path / "out.yaml")],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert (f"Error: {page_file}: reading web pages needs the Python package 'trafilatura', "
            "which is not installed; install the drafting extra: pip install "
            "'claimsdb[draft]'") in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out.yaml").exists()
