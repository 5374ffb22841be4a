"""URLs as drafter inputs: fetch one page, within a deadline and a size limit, and
read its article.

Fetching is the Python standard library's ``http.client`` (no new dependency), one
request at a time so that every limit holds for the whole exchange: the deadline
covers connecting, the headers, every redirect and the body together (a server that
trickles a byte a second cannot hold it open), the body is read in chunks and
abandoned as soon as it passes the size limit, redirects are followed a few times
and only to http and https. Whatever goes wrong becomes an InputError naming the URL
as it was given.

``public_only`` is for a fetch made on someone else's behalf (the workbench, when it
listens beyond this machine): the address actually connected to, at every redirect,
must be a public one, so a token holder cannot make the server read its own network
(a cloud metadata service, an intranet page, a database's HTTP port). Every address
the name resolves to is checked before connecting (so the answers cannot map which
private ports are open), and the connected socket's peer again after, so a name that
resolves differently the second time cannot slip past; nothing is sent to a refused
address.
"""

from __future__ import annotations

import contextlib
import datetime
import http.client
import importlib.metadata
import ipaddress
import re
import socket
import ssl
import threading
import time
import unicodedata
import zlib
from dataclasses import dataclass
from urllib.parse import SplitResult, quote, unquote, urljoin, urlsplit

from claimsdb.draft.documents import Document, InputError, checked_text
from claimsdb.draft.webpages import MAX_PAGE_BYTES, looks_like_html, read_page

DEFAULT_TIMEOUT = 20.0  # seconds, for the whole fetch
MAX_REDIRECTS = 5


def _version() -> str:
    # From the installed distribution: importing claimsdb itself would bring its API,
    # and with it SQLAlchemy, into the drafter (import-linter forbids that).
    try:
        return importlib.metadata.version("claimsdb")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


# Names the program, so that a site's operators see who fetched the page.
USER_AGENT = f"claimsdb/{_version()} (claimsdb draft; one page per command)"
SCHEMES = ("http", "https")
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024
_RETRY_HINT = "check the address and try again, or save the page and draft the saved file"


@dataclass(frozen=True)
class Response:
    """What the server sent for the last URL of a fetch (after redirects)."""

    url: str
    content_type: str | None  # "text/html", without parameters; None when not sent
    charset: str | None
    body: bytes


def is_url(spec: str) -> bool:
    """Whether a command-line input names a URL rather than a file."""
    return bool(re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", spec))


def fetch(url: str, *, timeout: float = DEFAULT_TIMEOUT, max_bytes: int = MAX_PAGE_BYTES,
          today: datetime.date | None = None, public_only: bool = False) -> Document:
    """The article at ``url`` as a Document: an HTML page through ``webpages``, plain
    text as it is. ``retrieved`` is ``today`` (default: today's date in UTC);
    ``public_only``: refuse loopback, private, link-local and reserved addresses."""
    response = download(url, timeout=timeout, max_bytes=max_bytes, public_only=public_only)
    retrieved = (today or datetime.datetime.now(datetime.UTC).date()).isoformat()
    stem = url_stem(url)
    kind = response.content_type or _sniff(response.body)
    if kind in _HTML_TYPES:
        return read_page(response.body, source=url, stem=stem, url=response.url,
                         charset=response.charset, retrieved=retrieved)
    if kind == "text/plain":
        return Document(text=_plain_text(response, url), source=url, stem=stem,
                        url=response.url, retrieved=retrieved)
    raise InputError(url, f"is {kind}, not a web page or plain text",
                     "draft the article's text: save it as a .txt file first")


def download(url: str, *, timeout: float = DEFAULT_TIMEOUT,
             max_bytes: int = MAX_PAGE_BYTES, public_only: bool = False) -> Response:
    """The body at ``url`` after at most MAX_REDIRECTS redirects, within ``timeout``
    seconds in all and ``max_bytes`` bytes; an InputError naming ``url`` otherwise."""
    deadline = time.monotonic() + timeout
    current = _checked(url, url)
    seen = {current}
    for _ in range(MAX_REDIRECTS + 1):
        status, reason, headers, body = _exchange(url, current, deadline, timeout, max_bytes,
                                                  public_only)
        if status in _REDIRECTS and headers.get("Location"):
            target = _checked(url, urljoin(current, headers["Location"]), redirected=True)
            if target in seen:
                raise InputError(url, f"redirects in a loop (back to {target})", _RETRY_HINT)
            seen.add(target)
            current = target
            continue
        if not 200 <= status < 300:
            raise InputError(url, f"could not be fetched: the server answered {status} "
                             f"{reason}".rstrip(), _status_hint(status))
        body = _decoded(url, body, headers.get("Content-Encoding"), max_bytes)
        content_type = headers.get("Content-Type")
        return Response(current, headers.get_content_type() if content_type else None,
                        headers.get_content_charset(), body)
    raise InputError(url, f"redirects more than {MAX_REDIRECTS} times", _RETRY_HINT)


def url_stem(url: str) -> str:
    """The file stem --out-dir gives a URL's draft: the last non-empty segment of its
    path without an extension ('.../kremlin-rejects-terms.html' ->
    'kremlin-rejects-terms'), else the host, as a slug safe in a file name."""
    parts = urlsplit(url)
    segments = [unquote(s) for s in parts.path.split("/") if s.strip()]
    if segments:
        name = segments[-1]
        base, dot, extension = name.rpartition(".")
        if dot and base and extension.isalnum() and len(extension) <= 5:
            name = base
        slug = _slug(name)
        if slug:
            return slug
    host = (parts.hostname or "").removeprefix("www.")
    return _slug(host) or "page"


def _exchange(source: str, url: str, deadline: float, timeout: float, max_bytes: int,
              public_only: bool = False) -> tuple[int, str, http.client.HTTPMessage, bytes]:
    """One request. A watchdog shuts the socket down at the deadline, so that no
    single read, however slow the server, outlasts the whole fetch's time."""
    parts = urlsplit(url)
    host = _ascii_host(parts)
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _timed_out(source, timeout)
    if parts.scheme.lower() == "https":
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            host, parts.port, timeout=remaining, context=ssl.create_default_context())
    else:
        connection = http.client.HTTPConnection(host, parts.port, timeout=remaining)
    expired = threading.Event()

    def cut() -> None:
        expired.set()
        if connection.sock is not None:
            with contextlib.suppress(OSError):  # already closed
                connection.sock.shutdown(socket.SHUT_RDWR)

    watchdog = threading.Timer(remaining, cut)
    watchdog.daemon = True
    watchdog.start()
    response = None
    try:
        if public_only:  # before connecting (no probing of private ports), and after
            default_port = 443 if parts.scheme.lower() == "https" else 80
            for *_, address in socket.getaddrinfo(host, parts.port or default_port,
                                                   type=socket.SOCK_STREAM):
                _require_public(source, url, address[0])
            connection.connect()
            _require_public(source, url, connection.sock.getpeername()[0])
        connection.request("GET", _request_target(parts), headers={
            "User-Agent": USER_AGENT,
            "Accept": "text/html, application/xhtml+xml, text/plain;q=0.9, */*;q=0.1",
            "Accept-Encoding": "identity",
        })
        response = connection.getresponse()
        if response.status in _REDIRECTS or not 200 <= response.status < 300:
            return response.status, response.reason, response.headers, b""
        return response.status, response.reason, response.headers, _read_body(
            source, response, max_bytes, expired, timeout)
    except InputError:
        raise
    except TimeoutError:
        raise _timed_out(source, timeout) from None
    except (OSError, http.client.HTTPException) as error:
        if expired.is_set():
            raise _timed_out(source, timeout) from None
        raise InputError(source, f"could not be fetched: {_describe(error, parts)}",
                         _RETRY_HINT) from None
    finally:
        watchdog.cancel()
        if response is not None:
            response.close()  # it owns the socket once the server says Connection: close
        connection.close()


def _read_body(source: str, response: http.client.HTTPResponse, max_bytes: int,
               expired: threading.Event, timeout: float) -> bytes:
    declared = response.getheader("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(source, max_bytes, f"the server announces {int(declared):,} bytes")
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = response.read1(_CHUNK)
        if not chunk:
            if expired.is_set():
                raise _timed_out(source, timeout)
            return b"".join(chunks)
        total += len(chunk)
        if total > max_bytes:
            raise _too_large(source, max_bytes, "stopped reading there")
        chunks.append(chunk)


def _decoded(source: str, body: bytes, encoding: str | None, max_bytes: int) -> bytes:
    """The body uncompressed: the request asks for none, but some servers compress
    anyway. Bounded like the download, against a small body that inflates enormously."""
    encoding = (encoding or "identity").strip().lower()
    if encoding == "identity":
        return body
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise InputError(source, f"was sent compressed as '{encoding}', which claimsdb "
                         "cannot read", "save the page in a browser and draft the saved file")
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib, by the header
    try:
        data = inflater.decompress(body, max_bytes + 1)
    except zlib.error:
        raise InputError(source, f"was sent as {encoding} but does not decompress",
                         _RETRY_HINT) from None
    if len(data) > max_bytes:
        raise _too_large(source, max_bytes, "once uncompressed")
    return data


def _checked(source: str, url: str, redirected: bool = False) -> str:
    parts = urlsplit(url)
    where = f"redirects to {url}, which" if redirected else "is an address that"
    if parts.scheme.lower() not in SCHEMES:
        raise InputError(source, f"{where} claimsdb does not fetch: only http:// and "
                         "https:// addresses are fetched",
                         "give a web address, or the path of a saved page or text file")
    try:
        parts.port  # noqa: B018 -- raises on a port that is not a number
    except ValueError:
        raise InputError(source, f"{where} has an invalid port", _RETRY_HINT) from None
    if not parts.hostname:
        raise InputError(source, f"{where} names no host", _RETRY_HINT)
    try:
        _ascii_host(parts)
    except UnicodeError:
        raise InputError(source, f"{where} has an invalid host name", _RETRY_HINT) from None
    return url


def _require_public(source: str, url: str, peer: str) -> None:
    """Refuse a connection whose far end is not on the public internet (an IPv4
    address mapped into IPv6 is judged as the IPv4 address it is)."""
    address = ipaddress.ip_address(peer.split("%", 1)[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if not address.is_global:
        where = "is" if source == url else f"redirects to {url}, which is"
        raise InputError(source, f"{where} on a private network ({address}): this server "
                         "fetches only public web addresses",
                         "save the page on your own machine and upload the file instead")


def _ascii_host(parts: SplitResult) -> str:
    """The host as DNS knows it: an international name (пример.рф) in its IDNA form."""
    return (parts.hostname or "").encode("idna").decode("ascii")  # checks every label


def _request_target(parts: SplitResult) -> str:
    """Path and query as HTTP sends them: characters outside ASCII, and spaces,
    percent-encoded as a browser does; escapes already there kept."""
    target = quote(parts.path or "/", safe="/%:@!$&'()*+,;=~")
    if parts.query:
        target += "?" + quote(parts.query, safe="/?%:@!$&'()*+,;=~")
    return target


def _plain_text(response: Response, source: str) -> str:
    if b"\x00" in response.body:
        raise InputError(source, "is sent as text/plain but holds NUL bytes, so it is "
                         "binary data", "draft the article's text: save it as a .txt file first")
    for codec in (response.charset, "utf-8"):
        if not codec:
            continue
        try:
            text = response.body.decode(codec).removeprefix("\ufeff")
        except (LookupError, UnicodeDecodeError):
            continue
        return checked_text(text, source)  # as a text file's: line ends, control characters
    raise InputError(source, "is text in an encoding claimsdb could not determine (not "
                     "UTF-8, and no valid charset given)",
                     "save the text as UTF-8 and draft the file")


def _sniff(body: bytes) -> str:
    """What a body sent without a Content-Type is, from its first bytes."""
    if looks_like_html(body):
        return "text/html"
    if b"\x00" in body[:8192]:
        return "application/octet-stream"
    return "text/plain"


def _describe(error: BaseException, parts: SplitResult) -> str:
    if isinstance(error, socket.gaierror):
        return f"the host '{parts.hostname}' was not found"
    if isinstance(error, ConnectionRefusedError):
        return f"the connection to {parts.netloc} was refused"
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"its certificate could not be verified ({error.verify_message})"
    if isinstance(error, http.client.HTTPException):
        return f"the server's answer was broken ({type(error).__name__})"
    return getattr(error, "strerror", None) or str(error) or type(error).__name__


def _status_hint(status: int) -> str:
    if status in (401, 402, 403):
        return ("the page may need a login or block automated requests: open it in a "
                "browser, copy the article's text into a .txt file and draft that")
    if status in (404, 410):
        return "check the address; an archived copy (web.archive.org) may still have it"
    if status >= 500:
        return "the site has a problem: try again later, or save the page and draft the file"
    return _RETRY_HINT


def _timed_out(source: str, timeout: float) -> InputError:
    return InputError(source, f"could not be fetched within {timeout:g} seconds",
                      "try again later, or save the page in a browser and draft the saved file")


def _too_large(source: str, max_bytes: int, detail: str) -> InputError:
    return InputError(source, f"is larger than the {max_bytes:,} bytes a draft reads "
                      f"({detail})", "save the article's text as a .txt file and draft that")


def _slug(value: str) -> str:
    value = unicodedata.normalize("NFKC", value).lower()
    value = re.sub(r"[^\w]+", "-", value).strip("-_")
    return value[:80].rstrip("-_")
