"""Where output goes (issue 11 items 1, 2, 10 and 13), through the installed command.

Pipes, FIFOs, devices and descriptors behave differently in a real process than in
Click's test runner, so these tests run the venv's ``claimsdb`` as a subprocess on a
database of either backend. Each checks what a user would see afterwards: the
database intact, a FIFO still a FIFO, /dev/null still a character device, a symlink
still a link, no half-written file under the name asked for.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from claimsdb.store.outputs import database_files
from helpers import dump

MAXIMALIST = "putin-stance-stalls-talks#officials-putin-maximalist-demands"
SEED = "putin-stance-stalls-talks"
HAS_DOT = shutil.which("dot") is not None

# Every command that writes a file the user names, as (name, arguments before TARGET,
# arguments after it).
WRITERS = {
    "export csv": (["export", "csv", "-o"], []),
    "export jsonl": (["export", "jsonl", "-o"], []),
    "export json": (["export", "json", "-o"], []),
    "export prov": (["export", "prov", "-o"], []),
    "export prov-n": (["export", "prov", "--prov-n", "-o"], []),
    "export article": (["export", "article", SEED, "-o"], []),
    "trace --svg": (["trace", MAXIMALIST, "--svg"], []),
    "backup": (["backup"], ["--overwrite"]),
    "export datasette-metadata": (["export", "datasette-metadata", "-o"], []),
}


def exe() -> str:
    script = Path(sys.executable).with_name("claimsdb")
    return str(script) if script.exists() else shutil.which("claimsdb") or "claimsdb"


def run(db: str, *args: str, **kwargs) -> subprocess.CompletedProcess:
    kwargs.setdefault("stdout", subprocess.PIPE)
    kwargs.setdefault("stderr", subprocess.PIPE)
    return subprocess.run([exe(), "--db", db, *args], timeout=180, check=False, **kwargs)


def writer(name: str, target: str | Path) -> list[str]:
    before, after = WRITERS[name]
    return [*before, str(target), *after]


def one_line_error(done: subprocess.CompletedProcess) -> str:
    stderr = done.stderr.decode() if isinstance(done.stderr, bytes) else done.stderr
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("Error: "), stderr
    return lines[0]


# On PostgreSQL the same code writes the output; a few writers show it (and backup is
# SQLite's only).
ON_POSTGRES = ("export csv", "export prov", "export article")


def matrix(names=tuple(WRITERS)) -> list:
    """(backend, writer) pairs: every writer on SQLite, a few on PostgreSQL."""
    cases = [("sqlite", name) for name in names]
    cases += [("postgresql", name) for name in names if name in ON_POSTGRES]
    return [pytest.param(*case, marks=pytest.mark.skipif(
        case[1] == "trace --svg" and not HAS_DOT, reason="needs Graphviz")) for case in cases]


# -- item 1: the database is never an output ------------------------------------------------

@pytest.mark.parametrize("backend", ["sqlite"])  # a server database has no file
@pytest.mark.parametrize(("how", "name"), [
    *(("itself", name) for name in WRITERS),
    *((how, name) for how in ("wal", "shm", "journal", "hard link", "symlink", "relative")
      for name in ("export csv", "backup")),
    ("hard link", "export article"), ("symlink", "trace --svg"), ("wal", "export prov"),
])
def test_issue11_item1_the_database_is_never_an_output(seeded, engine, backend, tmp_path, name,
                                                       how, monkeypatch):
    """Issue 11 item 1: writing onto the database file (or its -wal/-shm/-journal, or
    a hard link or symlink to it) is refused: exit 1, one line, database unchanged."""
    if name == "trace --svg" and not HAS_DOT:
        pytest.skip("needs Graphviz")
    database = Path(seeded)
    files = dict(zip(["itself", "wal", "shm", "journal"], database_files(database),
                     strict=True))
    if how in files:
        target = str(files[how])
    elif how == "hard link":
        target = str(tmp_path / "hard.db")
        os.link(database, target)
    elif how == "symlink":
        target = str(tmp_path / "soft.db")
        os.symlink(database, target)
    else:
        monkeypatch.chdir(database.parent)
        target = f"./sub/../{database.name}"
        (database.parent / "sub").mkdir()
    before = dump(engine)
    done = run(seeded, *writer(name, target), cwd=os.getcwd())
    assert done.returncode == 1, done.stderr
    line = one_line_error(done)
    assert "database" in line and "Choose another file name" in line, line
    assert database.read_bytes().startswith(b"SQLite format 3\x00")
    assert not [p for p in database.parent.iterdir() if p.name.endswith(".tmp")]
    engine.dispose()
    assert dump(engine) == before
    assert run(seeded, "check").returncode == 0


@pytest.mark.parametrize("backend", ["sqlite"])
def test_issue11_item1_standard_output_appended_to_the_database_is_refused(seeded, engine,
                                                                          backend):
    """Issue 11 item 1: 'claimsdb export csv >> claims.db' is refused too (standard
    output that is the database), instead of appending CSV to it."""
    database = Path(seeded)
    before = dump(engine)
    engine.dispose()
    with open(database, "ab") as appending:
        done = run(seeded, "export", "csv", stdout=appending)
    assert done.returncode == 1
    assert "standard output: it is the database itself" in one_line_error(done)
    assert b"article,statement,kind" not in database.read_bytes()
    assert dump(engine) == before


@pytest.mark.parametrize("name", ["export csv", "export article"])
def test_issue11_item1_a_file_that_only_looks_like_a_database_is_written(seeded, tmp_path,
                                                                        name):
    """Issue 11 item 1: the refusal is by identity, not by name: on PostgreSQL (no
    database file) and for a second SQLite file beside the database, 'claims.db' is
    an ordinary output."""
    target = tmp_path / "elsewhere" / "claims.db"
    target.parent.mkdir()
    done = run(seeded, *writer(name, target))
    assert done.returncode == 0, done.stderr
    assert target.stat().st_size > 0


# -- item 2: special files are written through, regular files replaced ----------------------

@pytest.mark.parametrize(("backend", "name"), matrix())
def test_issue11_item2_a_fifo_stays_a_fifo(seeded, backend, tmp_path, name):
    """Issue 11 item 2: -o onto a FIFO writes into it (a reader gets the data) and the
    FIFO is still a FIFO afterwards."""
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as reader:
            received.append(reader.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    done = run(seeded, *writer(name, fifo))
    reader.join(timeout=60)
    assert done.returncode == 0, done.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert received and len(received[0]) > 100
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize(("backend", "name"), matrix(
    ("export csv", "export prov", "export article", "trace --svg", "backup")))
def test_issue11_item2_a_symlink_survives_and_its_target_is_replaced(seeded, backend,
                                                                      tmp_path, name):
    """Issue 11 item 2: -o onto a symlink replaces the file it points to (atomically,
    keeping its permission bits) and leaves the link in place."""
    real = tmp_path / "data" / "real.out"
    real.parent.mkdir()
    real.write_text("old contents\n")
    real.chmod(0o640)
    link = tmp_path / "link.out"
    link.symlink_to(real)
    done = run(seeded, *writer(name, link))
    assert done.returncode == 0, done.stderr
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_bytes() != b"old contents\n" and real.stat().st_size > 100
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert not [p for p in real.parent.iterdir() if p != real]


def test_issue11_item2_a_replaced_file_keeps_its_permission_bits(seeded, tmp_path):
    """Issue 11 item 2: an existing regular file is replaced with its mode kept; a new
    file gets the umask's mode, as any tool's."""
    target = tmp_path / "statements.csv"
    target.write_text("old\n")
    target.chmod(0o600)
    assert run(seeded, "export", "csv", "-o", str(target)).returncode == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    fresh = tmp_path / "fresh.csv"
    umask = os.umask(0o022)
    try:
        assert run(seeded, "export", "csv", "-o", str(fresh)).returncode == 0
    finally:
        os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o644


@pytest.mark.parametrize(("backend", "name"), matrix())
def test_issue11_item2_dev_null_stays_a_device(seeded, backend, name):
    """Issue 11 item 2: -o /dev/null discards the output; /dev/null is still the
    character device afterwards (run as root, the old rename replaced it)."""
    before = os.stat("/dev/null")
    done = run(seeded, *writer(name, "/dev/null"))
    assert done.returncode == 0, done.stderr
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


@pytest.mark.parametrize(("backend", "name"), matrix())
def test_issue11_item2_dev_stdout_is_standard_output(seeded, backend, name):
    """Issue 11 item 2: /dev/stdout is standard output, as '-' is: the data arrives on
    the pipe and no status line is mixed into it."""
    done = run(seeded, *writer(name, "/dev/stdout"))
    assert done.returncode == 0, done.stderr
    assert len(done.stdout) > 100
    if name == "backup":
        assert done.stdout.startswith(b"SQLite format 3\x00")
        assert b"backed up" in done.stderr
    elif name == "trace --svg":
        assert b"<svg" in done.stdout
    assert b"wrote" not in done.stdout


@pytest.mark.parametrize(("backend", "name"), matrix(
    ("export csv", "export prov", "export article", "backup")))
def test_issue11_item2_dev_fd_of_a_pipe_is_written(seeded, backend, name):
    """Issue 11 item 2: -o /dev/fd/N (the shell's >(gzip > x.gz)) writes into that
    inherited pipe instead of failing to rename over it."""
    read_end, write_end = os.pipe()
    received = bytearray()

    def read() -> None:
        with os.fdopen(read_end, "rb") as reader:
            received.extend(reader.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        done = run(seeded, *writer(name, f"/dev/fd/{write_end}"), pass_fds=(write_end,))
    finally:
        os.close(write_end)
    reader.join(timeout=60)
    assert done.returncode == 0, done.stderr
    assert len(received) > 100


@pytest.mark.parametrize("backend", ["sqlite"])
def test_issue11_item2_backup_streams_to_standard_output(seeded, backend, tmp_path):
    """Issue 11 item 2: 'backup -' writes the verified copy to standard output."""
    done = run(seeded, "backup", "-")
    assert done.returncode == 0, done.stderr
    copy = tmp_path / "copy.db"
    copy.write_bytes(done.stdout)
    assert run(str(copy), "check").returncode == 0


# -- item 10: a full device, a full disk, a read-only folder --------------------------------

@pytest.mark.parametrize(("backend", "name"), matrix())
def test_issue11_item10_dev_full_is_one_line(seeded, backend, name, tmp_path):
    """Issue 11 item 10: -o /dev/full (directly or through a symlink) is one clear
    line and exit 1, not a traceback."""
    link = tmp_path / "full"
    link.symlink_to("/dev/full")
    for target in ("/dev/full", str(link)):
        done = run(seeded, *writer(name, target))
        assert done.returncode == 1, done.stderr
        line = one_line_error(done)
        assert line == f"Error: cannot write {target}: No space left on device"
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize("args", [["export", "csv"], ["export", "prov"],
                                  ["export", "article", SEED], ["chain", MAXIMALIST],
                                  ["statements", "--format", "json"]])
def test_issue11_item10_standard_output_on_dev_full_is_one_line(seeded, backend, args):
    """Issue 11 item 10: standard output redirected to /dev/full: one line, exit 1."""
    with open("/dev/full", "wb") as full:
        done = run(seeded, *args, stdout=full, stderr=subprocess.PIPE)
    assert done.returncode == 1
    assert one_line_error(done) == \
        "Error: cannot write standard output: No space left on device"


@contextlib.contextmanager
def mounted_tmpfs(folder: Path, options: str):
    """A small tmpfs at ``folder`` (root only: how a test gets a full or read-only
    file system of its own)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a test file system needs root")
    folder.mkdir(exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                          capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


@pytest.mark.parametrize(("backend", "name"), matrix(
    ("export csv", "export jsonl", "export prov", "backup")))
def test_issue11_item10_a_full_disk_keeps_the_old_file_and_no_partial_one(seeded, backend,
                                                                          tmp_path, name):
    """Issue 11 item 10: the disk fills up mid-export: one line, exit 1, the file that
    was there is untouched and no temporary file is left behind."""
    with mounted_tmpfs(tmp_path / "small", "size=8k") as folder:
        target = folder / "out"
        target.write_bytes(b"the previous export\n")
        done = run(seeded, *writer(name, target))
        assert done.returncode == 1, done.stderr
        line = one_line_error(done)
        assert str(target) in line and ("No space left on device" in line
                                        or "full" in line), line
        assert target.read_bytes() == b"the previous export\n"
        assert sorted(p.name for p in folder.iterdir()) == ["out"]


@pytest.mark.parametrize(("backend", "name"), matrix(
    ("export csv", "export article", "trace --svg", "backup")))
def test_issue11_item10_a_read_only_folder_is_one_line(seeded, backend, tmp_path, name):
    """Issue 11 item 10: a target in a read-only folder: one line naming it, exit 1."""
    if os.geteuid() == 0:
        context = mounted_tmpfs(tmp_path / "ro", "ro,size=64k")
    else:
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o555)
        context = contextlib.nullcontext(folder)
    with context as folder:
        target = folder / "out"
        done = run(seeded, *writer(name, target))
        assert done.returncode == 1
        line = one_line_error(done)
        assert f"cannot write {target}" in line
        assert ("Read-only file system" in line or "Permission denied" in line), line
        assert not target.exists()
