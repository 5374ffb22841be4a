"""Issue 11 item 11: a SQLite database that cannot be written can still be read.

As root, chmod stops nothing, so the folder is a real read-only file system: a tmpfs
mounted for the test, filled, then remounted read-only (and unmounted afterwards).
Without the rights to mount, the folder and file lose their write permission instead
(which does stop an ordinary user). Every read command must work; every write must
say why it cannot. (A PostgreSQL server has no read-only folder: SQLite only.)
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import REPO, Cli

EXAMPLE = REPO / "examples" / "kremlin-denies-report.yaml"
ASKED = "putin-stance-stalls-talks#officials-putin-maximalist-demands"


def _can_mount(target: Path) -> bool:
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", str(target)],
                          capture_output=True)
    return done.returncode == 0


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[tuple[Path, Callable[[], str]]]:
    """(folder, freeze): fill the folder, then freeze() makes it read-only; returns how
    ("mount" or "permissions")."""
    folder = tmp_path / "media"
    folder.mkdir()
    mounted = _can_mount(folder)

    def freeze() -> str:
        if mounted:
            subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
            return "mount"
        for path in folder.iterdir():
            path.chmod(0o444)
        folder.chmod(0o555)
        return "permissions"

    yield folder, freeze
    if mounted:
        subprocess.run(["umount", "-l", str(folder)], check=False)
    else:
        folder.chmod(0o755)


def _seeded(tmp_path: Path) -> Path:
    path = tmp_path / "claims.db"
    assert Cli(str(path))("seed", "-q").exit_code == 0
    return path


READS = [["statements"], ["chain", ASKED], ["trace", ASKED], ["denials"], ["actors"],
         ["articles"], ["sources"], ["claims"], ["loops"], ["export", "jsonl"],
         ["export", "article", "putin-stance-stalls-talks"], ["check"]]


def test_item_11_a_database_on_read_only_media_can_be_read(tmp_path, read_only_folder):
    """Issue 11 item 11: every read command works on a (WAL-mode) database on a
    read-only file system without -wal/-shm files; writes say why they cannot."""
    folder, freeze = read_only_folder
    source = _seeded(tmp_path)
    assert source.read_bytes()[18] == 2  # claimsdb keeps its databases in WAL mode
    shutil.copyfile(source, folder / "claims.db")
    how = freeze()
    db = str(folder / "claims.db")
    cli = Cli(db)
    expected = Cli(str(source))
    for args in READS:
        result = cli(*args)
        assert result.exit_code == 0, (how, args, result.output)
        if args[0] not in ("check",):
            assert result.output == expected(*args).output, args
    assert cli("init").exit_code == 0  # up to date: nothing to write

    backup = cli("backup", str(tmp_path / "backup.db"))
    assert backup.exit_code == 0, backup.output
    copy = cli("copy", "--to", str(tmp_path / "copy.db"))
    assert copy.exit_code == 0, copy.output

    added = cli("add", str(EXAMPLE))
    assert added.exit_code == 1
    reason = ("is on read-only media" if how == "mount" else "is read-only")
    assert "cannot write: " in added.output and reason in added.output, added.output
    assert "attempt to write a readonly database" not in added.output
    assert sorted(p.name for p in folder.iterdir()) == ["claims.db"]

    new = Cli(str(folder / "new.db"))("init")
    assert new.exit_code == 1 and "cannot create" in new.output and reason in new.output


def _with_pending_changes(tmp_path: Path, folder: Path, *, shm: bool) -> None:
    """A database whose last import is still in its -wal file (another connection
    kept it open, so nothing checkpointed it), copied to the folder with its -wal
    (and -shm, if asked)."""
    source = _seeded(tmp_path)
    holder = sqlite3.connect(source)
    holder.execute("SELECT count(*) FROM articles").fetchone()
    try:
        assert Cli(str(source))("add", "-q", str(EXAMPLE)).exit_code == 0
        assert Path(f"{source}-wal").stat().st_size > 0
        for suffix in ("", "-wal", *(("-shm",) if shm else ())):
            shutil.copyfile(f"{source}{suffix}", folder / f"claims.db{suffix}")
    finally:
        holder.close()


def test_item_11_changes_in_the_wal_file_are_read_too(tmp_path, read_only_folder):
    """Issue 11 item 11: with -wal and -shm beside it, a read-only database is read
    with the changes still in its -wal file (immutable would silently drop them)."""
    folder, freeze = read_only_folder
    _with_pending_changes(tmp_path, folder, shm=True)
    freeze()
    result = Cli(str(folder / "claims.db"))("articles", "--format", "json")
    assert result.exit_code == 0, result.output
    assert "kremlin-denies-report" in result.output


def test_item_11_unreadable_wal_changes_are_refused_not_dropped(tmp_path, read_only_folder):
    """Issue 11 item 11: a -wal file with changes but no -shm, in a folder where no
    -shm can be made: a clear error, never an answer without those changes."""
    folder, freeze = read_only_folder
    _with_pending_changes(tmp_path, folder, shm=False)
    freeze()
    result = Cli(str(folder / "claims.db"))("articles")
    assert result.exit_code == 1
    assert "claims.db-wal" in result.output and "Copy the database together with" in \
        result.output
