"""The schema revisions this claimsdb knows, read from its migration files alone.

Every command that reads checks the database's schema version first, so finding the
head revision is start-up time: Alembic takes a fifth of a second to import, and
SQLAlchemy more. The migration files state their ``revision`` and ``down_revision``
in plain lines; reading those is enough whenever they are plain (otherwise the
callers let Alembic decide). Nothing here imports SQLAlchemy or Alembic.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from claimsdb.errors import DatabaseError


def migrations_dir() -> Path:
    """Where the migrations are: inside the installed package (the wheel puts them in
    ``claimsdb/_migrations``), else at the top of a checkout. The package's own folder
    is found from this file, as ``importlib.resources`` would find it for a package on
    disk (the only kind whose files Alembic can read), without importing that: it
    loads ``tempfile``, ``shutil`` and compression modules, at every command's start."""
    packaged = Path(__file__).parents[1] / "_migrations"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[3] / "migrations"
    if (checkout / "env.py").is_file():
        return checkout
    raise DatabaseError("claimsdb's migrations are missing from this installation; reinstall it")


_REVISION = re.compile(r"""^revision(?:\s*:[^=]*)?=\s*["']([^"']+)["']""", re.MULTILINE)
_DOWN_REVISION = re.compile(
    r"""^down_revision(?:\s*:[^=]*)?=\s*(?:None|["']([^"']+)["'])\s*$""", re.MULTILINE)


@functools.cache
def head_from_files() -> str | None:
    """The head revision, read from the migration files' ``revision`` and
    ``down_revision`` lines without Alembic; None whenever that is not plain (then
    Alembic decides). Every read command checks the schema, so this is start-up time."""
    revisions: set[str] = set()
    parents: set[str] = set()
    try:
        files = sorted((migrations_dir() / "versions").glob("*.py"))
        for path in files:
            source = path.read_text(encoding="utf-8")
            revision, down = _REVISION.findall(source), _DOWN_REVISION.findall(source)
            if len(revision) != 1 or len(down) != 1:
                return None
            revisions.add(revision[0])
            if down[0]:
                parents.add(down[0])
    except (OSError, DatabaseError):
        return None
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 and parents <= revisions else None


@functools.cache
def known_from_files() -> frozenset[str] | None:
    """Every revision of the migration files, or None when they are not plain (see
    ``head_from_files``)."""
    if head_from_files() is None:
        return None
    return frozenset(_REVISION.findall(path.read_text(encoding="utf-8"))[0]
                     for path in (migrations_dir() / "versions").glob("*.py"))
