"""Where a command's output goes: every file a user names is opened here.

Exports, ``export article``, ``trace --svg`` and ``backup`` all write to a place the
user names, and what that place is decides how to write it safely:

- ``-`` and ``/dev/stdout`` are standard output;
- ``/dev/fd/N`` (what the shell's ``>(gzip > x.gz)`` passes) and ``/dev/stderr`` are
  descriptors this process inherited: written through a duplicate of the descriptor;
- a regular file, or a name that does not exist yet, is written under a temporary
  name in the same folder, flushed to disk and renamed into place only when complete,
  so a failed or interrupted run never leaves half a file under the name (nor destroys
  the good file that was there). A replaced file keeps its permission bits;
- anything else (a FIFO, a terminal, ``/dev/null``, ``/dev/full``) is written
  through: renaming a file over it would replace the FIFO or device itself;
- symbolic links are followed: the link stays, and its target is replaced (if it is a
  regular file) or written through.

Whatever the route, a file that is the database in use (or its ``-wal``, ``-shm`` or
``-journal`` companion) is refused before anything is written, by resolved path and
by file identity (a hard link or symlink to the database is the database). Writing
there would destroy every stored article.

Errors while writing (a full disk, ``/dev/full``, a read-only folder) become one
``OutputError`` naming the target, never a traceback; the temporary file is removed.
A reader that goes away (``| head``, a FIFO's reader closing) is a ``BrokenPipeError``
as usual, which the command line turns into a quiet exit.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import secrets
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from claimsdb.errors import ClaimsError

STANDARD_OUTPUT = "-"
# Names that mean "a descriptor this process already has", not a file to create.
_DESCRIPTOR_NAMES = {"/dev/stdout": 1, "/dev/stderr": 2}
_DESCRIPTOR_PATH = re.compile(r"/(?:dev/fd|proc/self/fd)/(\d+)")
# (POSIX flags; 0 where the platform has no such flag)
_NOCTTY = getattr(os, "O_NOCTTY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
# Files SQLite keeps beside a database: each is part of it.
DATABASE_COMPANIONS = ("-wal", "-shm", "-journal")


class OutputError(ClaimsError):
    """An output could not be written (or must not be): the message names it."""

    def __init__(self, message: str, *, standard_output: bool = False):
        super().__init__(message)
        self.standard_output = standard_output


def database_files(database: Path | None) -> tuple[Path, ...]:
    """The files that make up a SQLite database at ``database`` (none for a server)."""
    if database is None:
        return ()
    return (database, *(Path(f"{database}{suffix}") for suffix in DATABASE_COMPANIONS))


@dataclass(frozen=True)
class Destination:
    """What an output target is, decided once before anything is written."""

    target: str  # as the user wrote it, for messages
    how: str  # "stdout" | "descriptor" | "replace" | "through"
    path: Path | None = None  # the file written, links followed (replace, through)
    descriptor: int | None = None  # descriptor
    replaces: os.stat_result | None = None  # the regular file a replace overwrites


def is_stdout(target: str | os.PathLike[str]) -> bool:
    """True when ``target`` means standard output ('-' or /dev/stdout and kin)."""
    text = os.fspath(target)
    return text == STANDARD_OUTPUT or _descriptor_of(text) == 1


def _descriptor_of(text: str) -> int | None:
    if text in _DESCRIPTOR_NAMES:
        return _DESCRIPTOR_NAMES[text]
    match = _DESCRIPTOR_PATH.fullmatch(text)
    return int(match.group(1)) if match else None


def destination(target: str | os.PathLike[str], *, protect: Iterable[Path] = ()
                ) -> Destination:
    """Decide how to write ``target``; refuse it if it is one of ``protect`` (the
    database's files), a folder, or a place that cannot be written at all."""
    text = os.fspath(target)
    protect = tuple(protect)
    descriptor = _descriptor_of(text)
    if text == STANDARD_OUTPUT or descriptor == 1:
        _refuse_protected_descriptor(text, 1, protect)
        return Destination(text, "stdout", descriptor=1)
    if descriptor is not None:
        _refuse_protected_descriptor(text, descriptor, protect)
        return Destination(text, "descriptor", descriptor=descriptor)
    if not text:
        raise OutputError("cannot write to an empty file name")
    # Follow symbolic links (the link stays; its target is what gets written).
    path = Path(os.path.realpath(Path(text).expanduser()))
    _refuse_protected_path(text, path, protect)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if not path.parent.is_dir():
            raise OutputError(f"cannot write {text}: folder {path.parent} does not exist"
                              ) from None
        return Destination(text, "replace", path=path)
    except OSError as error:
        raise OutputError(f"cannot write {text}: {error.strerror}") from None
    if stat.S_ISDIR(info.st_mode):
        raise OutputError(f"cannot write {text}: it is a folder; give a file name")
    if stat.S_ISREG(info.st_mode):
        return Destination(text, "replace", path=path, replaces=info)
    return Destination(text, "through", path=path)


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _refuse(text: str, database_file: Path) -> OutputError:
    what = "the database itself"
    for suffix in DATABASE_COMPANIONS:
        if database_file.name.endswith(suffix):
            what = f"the database's {suffix} file"
    return OutputError(
        f"cannot write {text}: it is {what} ({database_file}); writing there would "
        "destroy the stored data. Choose another file name")


def _refuse_protected_path(text: str, path: Path, protect: tuple[Path, ...]) -> None:
    try:
        target_info: os.stat_result | None = os.stat(path)
    except OSError:
        target_info = None
    for database_file in protect:
        resolved = Path(os.path.realpath(database_file))
        if resolved == path:
            raise _refuse(text, database_file)
        if target_info is not None:
            with contextlib.suppress(OSError):
                if _same_file(os.stat(resolved), target_info):
                    raise _refuse(text, database_file)


def _refuse_protected_descriptor(text: str, descriptor: int,
                                 protect: tuple[Path, ...]) -> None:
    try:
        info = os.fstat(descriptor)
    except OSError:
        return  # not open: opening it reports that
    for database_file in protect:
        with contextlib.suppress(OSError):
            if _same_file(os.stat(database_file), info):
                name = "standard output" if text == STANDARD_OUTPUT else text
                raise _refuse(name, database_file)


# -- writing --------------------------------------------------------------------------------

class _CheckedFile(io.FileIO):
    """A file descriptor whose write failures name the output (ENOSPC, EIO, ...).

    Only the raw layer is wrapped, so the check costs one call per buffer flush, not
    per row. A vanished reader stays a BrokenPipeError (a quiet exit upstream).
    """

    def __init__(self, descriptor: int, label: str):
        super().__init__(descriptor, "wb", closefd=True)
        self.label = label

    def write(self, data: Any) -> int | None:  # type: ignore[override]
        try:
            return super().write(data)
        except BrokenPipeError:
            raise
        except OSError as error:
            raise OutputError(f"cannot write {self.label}: {error.strerror}") from None


class _StandardOutput:
    """Standard output's bytes (whatever the locale says, no newline translation:
    CSV rows carry their own line ends), with write failures named."""

    def __init__(self, binary: bool):
        sys.stdout.flush()
        self.buffer = sys.stdout.buffer
        self.binary = binary

    def _fail(self, error: OSError) -> OutputError:
        return OutputError(f"cannot write standard output: {error.strerror}",
                           standard_output=True)

    def write(self, data: Any) -> int:
        try:
            self.buffer.write(data if self.binary else data.encode("utf-8"))
        except BrokenPipeError:
            raise
        except OSError as error:
            raise self._fail(error) from None
        return len(data)

    def flush(self) -> None:
        try:
            self.buffer.flush()
        except BrokenPipeError:
            raise
        except OSError as error:
            raise self._fail(error) from None


def _stream(descriptor: int, label: str, binary: bool) -> IO[Any]:
    raw = _CheckedFile(descriptor, label)
    buffered = io.BufferedWriter(raw, buffer_size=1 << 16)
    if binary:
        return buffered
    return io.TextIOWrapper(buffered, encoding="utf-8", newline="")


def _close(stream: IO[Any], label: str) -> None:
    try:
        stream.close()
    except OutputError:
        raise
    except BrokenPipeError:
        raise
    except OSError as error:
        raise OutputError(f"cannot write {label}: {error.strerror}") from None


@contextlib.contextmanager
def open_output(target: str | os.PathLike[str], *, protect: Iterable[Path] = (),
                binary: bool = False) -> Iterator[IO[Any]]:
    """A stream (UTF-8 text, or bytes with ``binary``) to ``target``, written the way
    its kind needs (see the module's docstring). ``protect``: files that must never
    be written, the database's (``database_files``)."""
    where = destination(target, protect=protect)
    if where.how == "stdout":
        stream = _StandardOutput(binary)
        yield stream  # type: ignore[misc]
        stream.flush()
        return
    if where.how == "replace":
        with _replacing(where, binary) as stream:
            yield stream
        return
    label = where.target
    try:
        if where.how == "descriptor":
            assert where.descriptor is not None
            descriptor = os.dup(where.descriptor)
        else:
            # O_NOCTTY: a terminal named here must not become our controlling one.
            descriptor = os.open(where.path, os.O_WRONLY | _NOCTTY | _CLOEXEC)
    except OSError as error:
        raise OutputError(f"cannot write {label}: {error.strerror}") from None
    stream = _stream(descriptor, label, binary)
    try:
        yield stream
    except BaseException:
        with contextlib.suppress(Exception):
            stream.close()
        raise
    _close(stream, label)


def _temporary_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")


def _create(temporary: Path, where: Destination) -> int:
    try:
        # 0o666: a new file gets the user's umask, as any tool's
        return os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _CLOEXEC, 0o666)
    except OSError as error:
        raise OutputError(f"cannot write {where.target}: {error.strerror} (in "
                          f"{temporary.parent})") from None


@contextlib.contextmanager
def _replacing(where: Destination, binary: bool) -> Iterator[IO[Any]]:
    """Write beside the file under a temporary name; rename it into place at the end."""
    assert where.path is not None
    path, label = where.path, where.target
    temporary = _temporary_name(path)
    descriptor = _create(temporary, where)
    try:
        if where.replaces is not None:
            _keep_owner_and_mode(descriptor, where.replaces)
        stream = _stream(descriptor, label, binary)
        try:
            yield stream
            stream.flush()
            _sync(stream.fileno(), label)
        except BaseException:
            with contextlib.suppress(Exception):
                stream.close()
            raise
        _close(stream, label)
        _rename(temporary, where)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


def _rename(temporary: Path, where: Destination) -> None:
    assert where.path is not None
    try:
        os.replace(temporary, where.path)
    except OSError as error:
        raise OutputError(f"cannot write {where.target}: {error.strerror}") from None
    sync_folder(where.path.parent)


@contextlib.contextmanager
def output_file(target: str | os.PathLike[str], *, protect: Iterable[Path] = ()
                ) -> Iterator[tuple[Path, Destination]]:
    """A path to build the output in, for producers that need a file rather than a
    stream (SQLite's backup API), placed like ``open_output`` places a stream.

    For a new or regular file the path is a temporary name beside it, renamed into
    place when the block ends without error (keeping a replaced file's permission
    bits); for anything else (a FIFO, a device, standard output) it is a private
    temporary file whose bytes are then written through. The producer must leave
    the file complete and closed. Yields the path and the ``Destination``.
    """
    where = destination(target, protect=protect)
    if where.how == "replace":
        assert where.path is not None
        temporary = _temporary_name(where.path)
        # Created here, empty, so a folder that cannot take it is reported as such.
        os.close(_create(temporary, where))
        try:
            yield temporary, where
            descriptor = os.open(temporary, os.O_RDONLY | _CLOEXEC)
            try:
                if where.replaces is not None:
                    _keep_owner_and_mode(descriptor, where.replaces)
                _sync(descriptor, where.target)
            finally:
                os.close(descriptor)
            _rename(temporary, where)
        except BaseException:
            with contextlib.suppress(OSError):
                temporary.unlink()
            raise
        return
    with tempfile.TemporaryDirectory(prefix="claimsdb-") as folder:
        temporary = Path(folder) / "output"
        yield temporary, where
        with temporary.open("rb") as source, \
                open_output(target, protect=protect, binary=True) as out:
            shutil.copyfileobj(source, out, 1 << 20)


def _keep_owner_and_mode(descriptor: int, previous: os.stat_result) -> None:
    """The replacement keeps the replaced file's permission bits (and, where this
    process may, its owner and group)."""
    with contextlib.suppress(OSError, AttributeError):  # (no owners on Windows)
        if (previous.st_uid, previous.st_gid) != (os.getuid(), os.getgid()):
            os.fchown(descriptor, previous.st_uid, previous.st_gid)
    with contextlib.suppress(AttributeError):
        os.fchmod(descriptor, stat.S_IMODE(previous.st_mode))


def _sync(descriptor: int, label: str) -> None:
    try:
        os.fsync(descriptor)
    except OSError as error:
        if error.errno not in (errno.EINVAL, errno.ENOTSUP):  # not syncable: fine
            raise OutputError(f"cannot write {label}: {error.strerror}") from None


def sync_folder(folder: Path) -> None:
    """Make a rename itself durable (POSIX); not possible on every platform."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows
        return
    try:
        os.fsync(descriptor)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(descriptor)
