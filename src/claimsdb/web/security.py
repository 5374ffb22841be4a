"""What keeps the workbench safe to run: the access token, CSRF protection, the
read-only switch and the headers every response carries.

Each guard is plain ASGI middleware, so it wraps every route (including the static
files and the error pages) and cannot be forgotten on a new one. Starlette's
``BaseHTTPMiddleware`` would buffer the CSV and JSON downloads; these do not.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

TOKEN_COOKIE = "claimsdb_token"
CSRF_COOKIE = "claimsdb_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# No inline script or style at all: the pages' JavaScript and CSS are static files, so
# text from an article can never become code, even if a template forgot to escape it.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    # the token may stand in a URL once: never send it on to another site
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


def new_token() -> str:
    """A token to print with the URL, as Jupyter does: 32 random bytes, URL-safe."""
    return secrets.token_urlsafe(32)


def same(given: str | None, expected: str) -> bool:
    """Constant-time comparison, so response times do not leak the token."""
    if not given:
        return False
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"),
                               expected.encode("utf-8", "surrogatepass"))


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def cookies(scope: Scope) -> dict[str, str]:
    raw = _header(scope, b"cookie")
    if not raw:
        return {}
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:  # a malformed Cookie header is no cookie, not a crash
        return {}
    return {name: morsel.value for name, morsel in jar.items()}


async def _plain(send: Send, status: int, text: str,
                 extra: list[tuple[bytes, bytes]] | None = None) -> None:
    body = (text + "\n").encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), *HEADERS,
                            *(extra or [])]})
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """Adds the Content-Security-Policy and its companions to every response."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *(h for h in HEADERS if h[0] not in names)]
            await send(message)

        await self.app(scope, receive, with_headers)


class TokenGate:
    """Every request must carry the token: as ``?token=`` (once: the answer sets a
    cookie and redirects to the same URL without it, so it leaves the address bar),
    as the cookie, or as ``Authorization: token …`` / ``Bearer …``. Otherwise 401."""

    def __init__(self, app: ASGIApp, token: str):
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"),
                          keep_blank_values=True)
        given = [value for name, value in query if name == "token"]
        if given:
            if not same(given[-1], self.token):
                await _plain(send, 401, "401: wrong token. Open the URL claimsdb serve "
                             "printed, with its ?token=")
                return
            rest = urlencode([(n, v) for n, v in query if n != "token"])
            location = scope.get("root_path", "") + scope["path"] + (f"?{rest}" if rest else "")
            cookie = (f"{TOKEN_COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict")
            await _plain(send, 303, "see " + location,
                         [(b"location", location.encode("utf-8")),
                          (b"set-cookie", cookie.encode("latin-1"))])
            return
        if self._authorised(scope):
            await self.app(scope, receive, send)
            return
        await _plain(send, 401, "401: this claimsdb server needs its token. Open the URL "
                     "claimsdb serve printed (it ends in ?token=...), or send the header "
                     "'Authorization: token ...'",
                     [(b"www-authenticate", b'Bearer realm="claimsdb"')])

    def _authorised(self, scope: Scope) -> bool:
        authorization = _header(scope, b"authorization")
        if authorization:
            scheme, _, value = authorization.partition(" ")
            if scheme.lower() in ("token", "bearer") and same(value.strip(), self.token):
                return True
        return same(cookies(scope).get(TOKEN_COOKIE), self.token)


class ReadOnly:
    """``--read-only``: every request that could write (anything but GET, HEAD and
    OPTIONS) is refused with 403 before it reaches a route."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in SAFE_METHODS:
            await _plain(send, 403, "403: this claimsdb server is read-only (--read-only); "
                         "nothing was written")
            return
        await self.app(scope, receive, send)


class CsrfGuard:
    """Double-submit CSRF protection for every request that could write.

    Each browser gets a random token in a cookie (set on its first page); a page puts
    it in every form that writes (``csrf_token`` in the template context) and the
    JavaScript sends it as ``X-CSRF-Token``. A write whose header does not match the
    cookie is refused with 403: another site can make the browser send the cookie, but
    cannot read it to copy it into the request.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        jar = cookies(scope)
        token = jar.get(CSRF_COOKIE)
        if scope["method"] not in SAFE_METHODS:
            if token is None or not same(_header(scope, CSRF_HEADER.encode()), token):
                await _plain(send, 403, "403: missing or wrong CSRF token; reload the page "
                             "and try again")
                return
            await self.app(scope, receive, send)
            return
        fresh = token is None or len(token) < 32
        if fresh:
            token = new_token()
        scope.setdefault("state", {})["csrf_token"] = token
        if not fresh:
            await self.app(scope, receive, send)
            return

        async def with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                cookie = f"{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"
                message["headers"] = [*message.get("headers", []),
                                      (b"set-cookie", cookie.encode("latin-1"))]
            await send(message)

        await self.app(scope, receive, with_cookie)


def host_name(host_header: str) -> str:
    """The name in a Host header without its port: ``[::1]:8000`` -> ``::1``."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class KnownHosts:
    """Answers only requests addressed to one of ``hosts`` (400 otherwise).

    A server on loopback without a token trusts whoever can reach it, and a web page
    elsewhere can reach it through DNS rebinding (its own name made to resolve to
    127.0.0.1); such a request still carries that name in its Host header."""

    def __init__(self, app: ASGIApp, hosts: tuple[str, ...]):
        self.app = app
        self.hosts = {host_name(h) for h in hosts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and host_name(_header(scope, b"host") or "") not in self.hosts:
            await _plain(send, 400, "400: this claimsdb server answers only requests to "
                         "127.0.0.1, localhost or ::1; open the URL claimsdb serve printed")
            return
        await self.app(scope, receive, send)
