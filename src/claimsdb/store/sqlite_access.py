"""Opening a SQLite database that cannot be written: on read-only media, in a folder
this user cannot write, or a file without write permission.

SQLite opens such a file read-only by itself, but claimsdb used to switch every
connection to WAL mode, which is a write: every command, reads included, failed with
"attempt to write a readonly database". And a WAL database needs its ``-shm`` file,
which SQLite creates beside the database: in a read-only folder, opening it fails
with "unable to open database file" unless the ``-shm`` and ``-wal`` files are
already there, or the database is opened as ``immutable`` (SQLite then takes no
locks and ignores any ``-wal`` file, so that is only right when there is none).

``read_only_access`` tells whether the file can be written and, if not, how to open
it for reading; ``write_refusal`` says why a write failed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote

from claimsdb.errors import DatabaseError

_WAL_HEADER_OFFSET = 18  # file format version numbers: 2 and 2 for WAL
_WAL = 2


class ReadOnlyAccess(NamedTuple):
    """How to open a database that cannot be written, and why it cannot be. (A named
    tuple: every SQLite connection loads this module, nearly always for a file that
    can be written, and a frozen dataclass costs several times more to define.)"""

    uri: str  # for sqlite3.connect(uri, uri=True)
    reason: str  # "the folder X is read-only", ...


def read_only_access(path: Path) -> ReadOnlyAccess | None:
    """None when ``path`` (an existing file) can be written as usual; otherwise the
    read-only way to open it. Raises DatabaseError when it cannot be read correctly
    at all (committed changes in a ``-wal`` file that SQLite cannot use here)."""
    reason = why_not_writable(path)
    if reason is None:
        return None
    folder_writable = os.access(path.parent, os.W_OK) and not _read_only_mount(path.parent)
    uri = f"file:{quote(str(path))}?mode=ro"
    if _is_wal(path) and not folder_writable:
        wal = Path(f"{path}-wal")
        shm = Path(f"{path}-shm")
        holds_changes = wal.exists() and wal.stat().st_size > 0
        if holds_changes and not shm.exists():
            raise DatabaseError(
                f"cannot read {path}: {reason}, and its changes still in {wal.name} can only "
                f"be read with a {shm.name} file, which cannot be created there. Copy the "
                f"database together with {wal.name} to a folder you can write, and open it "
                "there."
            )
        if not holds_changes:
            # No -wal: nothing is writing it and no change waits outside the file, so
            # immutable is exact, and it needs no -shm.
            uri += "&immutable=1"
    return ReadOnlyAccess(uri, reason)


def why_not_writable(path: Path) -> str | None:
    """Why claimsdb cannot write the database at ``path``, or None if it can. Writing
    needs the file and its folder (for the -wal, -shm and journal files)."""
    folder = path.parent
    if _read_only_mount(folder):
        return f"{folder} is on read-only media (a read-only file system)"
    if path.exists() and not os.access(path, os.W_OK):
        return f"the file {path} is read-only"
    if not os.access(folder, os.W_OK):
        return f"the folder {folder} is read-only"
    return None


def write_refusal(path: str | os.PathLike[str]) -> str:
    """The message for a write refused by SQLite as read-only."""
    reason = why_not_writable(Path(path))
    if reason is None:
        reason = "the database was opened read-only"
    return (f"cannot write: {reason}; nothing was changed. Reading works; to change it, "
            "copy it to a folder you can write (or make it writable).")


def _read_only_mount(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # no statvfs (Windows) or no such folder
        return False


def _is_wal(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            header = handle.read(_WAL_HEADER_OFFSET + 2)
    except OSError:
        return False
    return len(header) == _WAL_HEADER_OFFSET + 2 and header[_WAL_HEADER_OFFSET] == _WAL
