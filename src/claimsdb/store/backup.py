"""Copying a live SQLite database to a single, consistent file.

Copying ``claims.db`` with ``cp`` while an import runs can catch the file halfway
through a transaction, and misses whatever still sits in the ``-wal`` file. SQLite's
online backup API copies the database as one read transaction sees it: other
processes keep reading and (in WAL mode) writing meanwhile, and the copy holds
exactly the articles committed when the backup began, each complete.

The copy is written next to the destination under a temporary name, checked with
``PRAGMA integrity_check``, switched to a self-contained rollback journal (no
``-wal`` file to carry along), and only then renamed into place, so an interrupted
backup never leaves a half-written file under the name the user asked for. Where the
destination is not a regular file (a FIFO, ``/dev/stdout``, a pipe), the finished
copy is written through to it instead (``claimsdb.store.outputs`` decides, and refuses
the database's own files as a destination).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from claimsdb.config import sqlite_path
from claimsdb.errors import DatabaseError
from claimsdb.store import outputs
from claimsdb.store.db import busy_timeout_ms, sqlite_damage


@dataclass(frozen=True)
class BackupResult:
    source: Path
    destination: Path
    bytes: int
    articles: int
    statements: int


def backup_sqlite(engine: Engine, destination: str | Path, *, overwrite: bool = False
                  ) -> BackupResult:
    """Write a consistent copy of the engine's SQLite database to ``destination``."""
    source = sqlite_path(engine.url.render_as_string(hide_password=False))
    if engine.dialect.name != "sqlite" or source is None:
        raise DatabaseError(
            "backup copies SQLite database files; for PostgreSQL use its own tools, "
            "for example: pg_dump --format=custom --file=claims.dump "
            "'postgresql://USER@HOST/DBNAME' (restore with pg_restore); or take a "
            "claimsdb copy as a SQLite file: claimsdb copy --to claims-backup.db"
        )
    if not source.exists():
        raise DatabaseError(f"no database at {source}")
    where = outputs.destination(destination, protect=outputs.database_files(source))
    if where.replaces is not None and not overwrite:
        raise DatabaseError(f"{destination} already exists; choose a new name, or pass "
                            "--overwrite to replace it")
    with outputs.output_file(destination, protect=outputs.database_files(source)) as (
            partial, _):
        try:
            _copy(source, partial, str(destination))
        finally:
            for leftover in (Path(f"{partial}-wal"), Path(f"{partial}-shm"),
                             Path(f"{partial}-journal")):
                with contextlib.suppress(OSError):
                    leftover.unlink()
        size = partial.stat().st_size
        articles, statements = _counts(partial)
    shown = where.path if where.path is not None else Path(where.target)
    return BackupResult(source, shown, size, articles, statements)


def _copy(source: Path, partial: Path, label: str) -> None:
    from claimsdb.store.sqlite_access import read_only_access

    timeout = busy_timeout_ms() / 1000
    # A database that cannot be written (read-only media or folder) is read the way
    # every command reads it: read-only, immutable where no -shm file can be made.
    access = read_only_access(source)
    try:
        src = (sqlite3.connect(access.uri, uri=True, timeout=timeout) if access is not None
               else sqlite3.connect(str(source), timeout=timeout))
    except sqlite3.Error as error:
        raise DatabaseError(f"cannot open {source}: {error}") from None
    try:
        dst = sqlite3.connect(str(partial), timeout=timeout)
        try:
            # pages=-1: the whole database in one step, i.e. one read transaction on the
            # source, so the copy is a single consistent snapshot.
            src.backup(dst, pages=-1)
            problems = [row[0] for row in dst.execute("PRAGMA integrity_check")]
            if problems != ["ok"]:
                found = "; ".join(" ".join(str(p).split()) for p in problems[:3])
                raise DatabaseError(f"{source} is damaged: the backup copy failed SQLite's "
                                    f"integrity check ({found}); nothing was written. Run "
                                    "'claimsdb check' for the whole list")
            dst.execute("PRAGMA journal_mode = DELETE")
            dst.commit()
            _fsync_file(partial)
        finally:
            dst.close()
    except sqlite3.Error as error:
        raise DatabaseError(sqlite_damage(source, error)
                            or f"backup of {source} to {label} failed: {error}") from None
    finally:
        src.close()


def _fsync_file(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _counts(path: Path) -> tuple[int, int]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        articles = connection.execute("SELECT count(*) FROM articles").fetchone()[0]
        statements = connection.execute("SELECT count(*) FROM statements").fetchone()[0]
    except sqlite3.Error:
        return 0, 0  # not a claimsdb database yet (an empty file): still a faithful copy
    finally:
        connection.close()
    return articles, statements
