"""Reading the files an article names, without letting a file take over the process.

An article file (or its ``text_file``) comes from someone else as often as not, so
reading one must not hang, must not fill memory, and must not reach files the article
has no business reading:

- Only regular files are read. A FIFO would block ``open`` until some writer came,
  ``/dev/zero`` or ``/dev/urandom`` never end, and a terminal waits for typing; each
  is refused before it is opened (``stat`` follows links, so a link to one is refused
  too). The open itself uses ``O_NONBLOCK`` and the opened file is checked again, so
  a file swapped for a FIFO in between cannot hang it either.
- The size limit is enforced while reading: never more than ``limit + 1`` bytes are
  read, whatever ``stat`` said (files in /proc report size 0, a file may grow).
- A ``text_file`` must lie inside the article file's folder once every link is
  resolved (``inside_folder``), so an article cannot import ``/etc/passwd`` or
  ``~/.ssh/id_rsa`` into a database that others read.

Pure: no database, no printing. Problems are ``InputProblem``s with a sentence a user
can act on; the article reader turns them into its own errors.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

CHUNK = 1024 * 1024  # bytes per read: small enough that a limit is never overshot by much
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_NOCTTY = getattr(os, "O_NOCTTY", 0)
_BINARY = getattr(os, "O_BINARY", 0)


class InputProblem(Exception):
    """A file that cannot be read as asked; ``message`` is the sentence to show, and
    ``mode`` the file's type bits when it is not a regular file."""

    def __init__(self, message: str, mode: int | None = None):
        super().__init__(message)
        self.message = message
        self.mode = mode

    @property
    def is_pipe(self) -> bool:
        return self.mode is not None and stat.S_ISFIFO(self.mode)


class TooLarge(InputProblem):
    """More bytes than the limit; carries what was known of the size."""

    def __init__(self, message: str, size: int | None):
        super().__init__(message)
        self.size = size


def kind_of(mode: int) -> str:
    """What a non-regular file is, in words ("a named pipe (FIFO)")."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def not_regular(path: Path, mode: int) -> InputProblem:
    return InputProblem(f"is {kind_of(mode)}, not a regular file, so it is not read", mode)


def read_regular_file(path: Path, limit: int) -> bytes:
    """A regular file's bytes, at most ``limit``; raises InputProblem otherwise
    (TooLarge with the size where ``stat`` already shows it too large).

    FileNotFoundError, IsADirectoryError and other OSErrors of the path itself are
    left to the caller, which knows how to name the file."""
    status = os.stat(path)  # follows links: a link to /dev/zero is a device
    mode = status.st_mode
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    if not stat.S_ISREG(mode):
        raise not_regular(path, mode)
    if status.st_size > limit:  # refused before a byte is read
        raise TooLarge(f"is {status.st_size:,} bytes", status.st_size)
    fd = os.open(path, os.O_RDONLY | _NONBLOCK | _NOCTTY | _BINARY)
    try:
        opened = os.fstat(fd).st_mode  # swapped since the stat? Still refused.
        if not stat.S_ISREG(opened):
            raise not_regular(path, opened)
        with os.fdopen(fd, "rb", buffering=0) as stream:
            fd = -1  # the stream owns it now
            return read_limited(stream, limit)
    finally:
        if fd >= 0:
            os.close(fd)


def read_limited(stream: BinaryIO, limit: int) -> bytes:
    """Everything ``stream`` holds, but never more than ``limit + 1`` bytes read:
    raises TooLarge when there is more than ``limit``."""
    parts: list[bytes] = []
    total = 0
    while total <= limit:
        part = stream.read(min(CHUNK, limit + 1 - total))
        if not part:
            return b"".join(parts)
        parts.append(part)
        total += len(part)
    raise TooLarge(f"holds more than {limit:,} bytes", None)


def inside_folder(folder: Path, name: str) -> Path:
    """The file ``name`` (a relative path) names in ``folder``, with every link resolved;
    raises InputProblem when it is absolute or leads outside the folder.

    Both sides are resolved, so a folder reached through a link still works, while a
    link inside the folder that points elsewhere (``body.txt -> /etc/passwd``) or a
    ``../`` path does not get out."""
    relative = Path(name)
    if relative.is_absolute() or relative.drive or relative.root:
        raise InputProblem(
            f"'{name}' is an absolute path; a text_file must be given relative to the "
            "article file's folder and lie inside it (move or copy the text there)")
    try:
        root = folder.resolve()
        target = (root / relative).resolve()
    except RuntimeError:  # Python before 3.13 reports a loop of links so
        raise InputProblem(f"'{name}' is a loop of links") from None
    if target != root and root not in target.parents:
        raise InputProblem(
            f"'{name}' leads outside the article file's folder ({root}) to {target}; a "
            "text_file must lie inside that folder (or a folder below it): move or copy "
            "the text there, or give it as 'text'")
    return target
