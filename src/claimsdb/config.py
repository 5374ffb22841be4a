"""Where the database is: a file path means SQLite, a URL selects another backend."""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

ENV_VAR = "CLAIMSDB_DB"
DEFAULT_FILE = "claims.db"


def resolve_url(target: str | os.PathLike[str] | None = None) -> str:
    """Turn the ``--db`` value (or ``$CLAIMSDB_DB``, or the default file) into a URL.

    Anything containing ``://`` is taken as a SQLAlchemy URL; everything else is a
    path to a SQLite file, so that users never have to write ``sqlite:///``.
    """
    if target is None:
        target = os.environ.get(ENV_VAR) or DEFAULT_FILE
    text = os.fspath(target)
    if "://" in text:
        return text
    return "sqlite:///" + str(Path(text).expanduser().absolute())


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for memory or non-SQLite URLs."""
    if not is_sqlite(url):
        return None
    path = url.split(":///", 1)[1] if ":///" in url else ""
    path = path.split("?", 1)[0]
    if not path or path == ":memory:":
        return None
    return Path(path)


# -- keeping passwords out of messages ------------------------------------------------------

MASK = "***"
# Shorter secrets are masked where they sit in a URL, but not searched for elsewhere in
# a message: replacing every "ab" would garble the message and still reveal nothing.
_MIN_SEARCHED = 4
_DB_SCHEME = r"(?:postgres(?:ql)?|sqlite|mysql|mariadb|oracle|mssql|[A-Za-z][\w.-]*\+[\w.-]+)"
# Where a password sits in the URL shapes people type, the password being group "pw":
# scheme://user:PW@host (up to the token's last '@': a raw '@' may be in the password),
# a scheme without '//' (postgres:PW@host, postgres:user:PW@host), and key=value
# settings (?password=PW, libpq's "password=PW" connection strings, quoted or not).

@functools.cache
def _password_places() -> tuple[re.Pattern[str], ...]:
    """The patterns above, compiled when a message or URL is first searched: every
    command that opens a database notes its URL's secrets, and a path (most ``--db``
    values) has none to search for (see ``_secrets_of``)."""
    return (
        re.compile(r"(?P<pre>\b[A-Za-z][\w+.-]*://[^\s:/@]*:)(?P<pw>[^\s]*?)"
                   r"(?=@[^\s@]*(?:\s|$))"),
        # Without '//', user and password cannot be told apart: both are hidden.
        re.compile(rf"(?P<pre>\b{_DB_SCHEME}:)(?!//)(?P<pw>[^\s]*?)(?=@[^\s@]*(?:\s|$))",
                   re.IGNORECASE),
        re.compile(r"""(?P<pre>\b(?:password|passwd|pwd)\s*=\s*)"""
                   r"""(?P<pw>'(?:[^'\\]|\\.)*'|"[^"]*"|[^\s&]*)""", re.IGNORECASE),
    )


_remembered: set[str] = set()


def redact(text: str, *urls: str | os.PathLike[str] | None) -> str:
    """``text`` with every password hidden: those in URLs and ``password=`` settings
    it contains, in whatever shape, and anywhere else in it the passwords of ``urls``
    and of every database URL this process has opened (``remember_secrets``), raw,
    percent-encoded or decoded. Every message that may show a database URL, or an
    error a driver raised about one (which may echo its connection string), goes
    through here."""
    secrets = set(_remembered)
    for url in urls:
        if url is not None:
            secrets |= _secrets_of(os.fspath(url))
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    for place in _password_places():
        text = place.sub(lambda m: m["pre"] + (MASK if m["pw"] else ""), text)
    return text


def remember_secrets(url: str | os.PathLike[str] | None) -> None:
    """Note the passwords in a database URL, so that ``redact`` hides them in any
    message, even one that shows them in a shape no pattern expects."""
    if url is not None:
        _remembered.update(_secrets_of(os.fspath(url)))


def _secrets_of(url: str) -> set[str]:
    if ":" not in url and "=" not in url:
        return set()  # a path: no URL, no password= setting, nothing to hide
    from urllib.parse import quote, unquote

    found: set[str] = set()
    for place in _password_places():
        for match in place.finditer(url):
            value = match["pw"]
            found.add(value)
            if len(value) > 1 and value[0] == value[-1] and value[0] in "'\"":
                found.add(value[1:-1])
    parsed = url_parts(url)
    if parsed is not None:  # (a URL that does not parse: its patterns above found them)
        found.add(parsed.password or "")
        for key, value in parsed.query.items():
            if key.lower() in ("password", "passwd", "pwd"):
                found.update([value] if isinstance(value, str) else value)
    variants = set()
    for secret in found:
        plain = unquote(secret)
        variants |= {secret, plain, quote(secret, safe=""), quote(plain, safe="")}
    return {v for v in variants if len(v) >= _MIN_SEARCHED}


# -- reading a URL without SQLAlchemy ----------------------------------------------------

# SQLAlchemy's own URL pattern (sqlalchemy.engine.url._parse_url), so that a URL means the
# same here as to an engine: the password ends at the first '@', the port is a number.
_SQLITE_FILE = "sqlite:///"


@functools.cache
def _url_pattern() -> re.Pattern[str]:
    """The pattern, compiled when a URL other than a SQLite file's is first read."""
    return re.compile(_URL, re.VERBOSE)


_URL = (
    r"""
    (?P<scheme>[\w+]+)://
    (?:(?P<username>[^:/]*)(?::(?P<password>[^@]*))?@)?
    (?:(?:\[(?P<ipv6host>[^/?]+)\]|(?P<ipv4host>[^/:?]+))?(?::(?P<port>[^/?]*))?)?
    (?:/(?P<database>[^?]*))?
    (?:\?(?P<query>.*))?
    """
)


@dataclass(frozen=True)
class UrlParts:
    """A database URL's parts, decoded as SQLAlchemy decodes them."""

    scheme: str
    username: str | None = None
    password: str | None = None
    host: str | None = None
    port: int | None = None
    database: str | None = None
    query: dict[str, str | list[str]] = field(default_factory=dict)


def url_parts(url: str) -> UrlParts | None:
    """The parts of ``scheme://user:password@host:port/database?key=value``, or None
    when it does not parse. For what must not wait for SQLAlchemy to load: finding a
    URL's passwords, and connecting with the driver alone (``claimsdb.store.driver``)."""
    from urllib.parse import parse_qsl, unquote

    if url.startswith(_SQLITE_FILE) and "?" not in url:
        # What the pattern finds in the URL ``resolve_url`` makes of a path, without
        # compiling it (every read command opens such a URL): no user, no host, no
        # port, the rest the database, no query.
        return UrlParts("sqlite", database=unquote(url[len(_SQLITE_FILE):]))
    match = _url_pattern().match(url)
    if match is None:
        return None
    query: dict[str, str | list[str]] = {}
    for key, value in parse_qsl(match["query"] or ""):
        if key in query:
            before = query[key]
            query[key] = [*([before] if isinstance(before, str) else before), value]
        else:
            query[key] = value
    try:
        port = int(match["port"]) if match["port"] else None
    except ValueError:
        return None
    decoded = {name: unquote(match[name]) if match[name] is not None else None
               for name in ("username", "password", "database")}
    return UrlParts(match["scheme"], host=match["ipv4host"] or match["ipv6host"], port=port,
                    query=query, **decoded)
