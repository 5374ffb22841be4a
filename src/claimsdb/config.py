"""Where the database is: a file path means SQLite, a URL selects another backend."""

from __future__ import annotations

import os
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
