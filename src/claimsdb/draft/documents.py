"""The drafter's inputs: one article's text, and what is known about it, per input.

``claimsdb draft`` reads a plain-text file, standard input, an HTML file or a URL;
each becomes a ``Document`` whose ``text`` is exactly what the draft will store (the
importer locates every quote in it, so nothing may change it after this point).

Plain text is read here: bytes are decoded (UTF-8, with or without a byte-order mark,
or UTF-16/UTF-32 with one, as Windows editors save "Unicode"), line ends become
``\\n`` (the YAML article file could not keep a ``\\r`` in a block anyway), and the
text is otherwise kept exactly. What cannot become a valid article text is refused
here with an ``InputError`` naming the input, rather than drafted into a file that
``claimsdb add`` would then refuse: a binary file, an undecodable one, an empty one,
a huge one, or text holding control characters the format forbids.

Pure: reads the files it is given, never writes, never exits.
"""

from __future__ import annotations

import codecs
import errno
import os
import re
from dataclasses import dataclass
from pathlib import Path

from claimsdb.errors import ClaimsError
from claimsdb.format.articles import CONTROL_CHARACTERS, control_character, other_encoding
from claimsdb.format.inputfiles import InputProblem, TooLarge, read_regular_file

STDIN = "-"
STDIN_STEM = "stdin"
# The largest input drafted. News articles are tens of kilobytes; anything past a few
# megabytes is a book, a log or a mistake, and the drafter would take minutes on it.
MAX_INPUT_BYTES = 5 * 1024 * 1024

_WIDE_BOMS = (  # longest first: the UTF-32 LE mark begins with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Files people mistake for text, told apart by their first bytes so the error says what
# the file is rather than which byte failed to decode.
_BINARY_MAGIC = (
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (a .docx, .odt or .epub is one)"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document (.doc)"),
    (b"{\\rtf", "an RTF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
)
_LINE_ENDS = re.compile(r"\r\n?")
# YAML reads these as line breaks too, so a text holding them could not be stored as is.
_YAML_BREAKS = re.compile("[\u2028\u2029\x85]")


@dataclass(frozen=True)
class Document:
    """An article's text and what is known about it, read from one input."""

    text: str  # the article text the draft stores, exactly
    source: str  # the input as the user gave it (path, URL or "-"), for messages
    stem: str  # the file stem --out-dir uses (file name sans extension; URL path slug)
    title: str | None = None
    url: str | None = None
    published: str | None = None  # ISO 8601 date or date-time
    outlet: str | None = None  # site name, as the page gives it
    author: str | None = None
    language: str | None = None  # BCP 47 tag when the page declares one
    retrieved: str | None = None  # ISO date the URL was fetched


class InputError(ClaimsError):
    """An input that cannot be drafted: which input, what is wrong, what to do."""

    def __init__(self, source: str, message: str, hint: str = ""):
        self.source = source
        self.message = message
        self.hint = hint
        super().__init__(f"{source}: {message}; {hint}" if hint else f"{source}: {message}")

    def __reduce__(self):
        return (type(self), (self.source, self.message, self.hint))


def read_text_file(path: Path, *, source: str | None = None,
                   limit: int = MAX_INPUT_BYTES) -> Document:
    """A plain-text file as a Document (stem: its name without the extension)."""
    source = source if source is not None else str(path)
    return document_from_bytes(read_bytes(path, source=source, limit=limit),
                               source=source, stem=path.stem or path.name)


def read_bytes(path: Path, *, source: str, limit: int = MAX_INPUT_BYTES) -> bytes:
    """A regular file's bytes, at most ``limit``, or an InputError saying why not.
    Shared with the HTML reader, so every file input is refused the same way."""
    try:
        return read_regular_file(path, limit)
    except TooLarge as error:
        raise too_large(source, error.size, limit) from None
    except InputProblem as error:
        hint = ("to draft from a pipe, send it to standard input: claimsdb draft - < PIPE"
                if error.is_pipe else "give the path of an article's text file")
        raise InputError(source, error.message, hint) from None
    except FileNotFoundError:
        raise InputError(source, "no such file", "check the path") from None
    except IsADirectoryError:
        raise InputError(source, "is a folder, not a file",
                         "give the article files inside it (for example DIR/*.txt)") from None
    except PermissionError:
        raise InputError(source, "cannot be read: permission denied",
                         "check the file's permissions") from None
    except OSError as error:
        reason = os.strerror(error.errno) if error.errno else str(error)
        if error.errno == errno.ENOTDIR:
            reason = "a part of the path is not a folder"
        raise InputError(source, f"cannot be read: {reason}", "check the path") from None


def document_from_bytes(raw: bytes, *, source: str, stem: str, **about: str | None
                        ) -> Document:
    """Decoded, checked text as a Document; ``about`` fills its other fields."""
    return Document(text=checked_text(decode(raw, source), source), source=source,
                    stem=stem, **about)


def decode(raw: bytes, source: str) -> str:
    """Bytes as text: UTF-16/32 by their byte-order mark, else UTF-8 (a UTF-8 mark is
    dropped). Binary data and other encodings are refused, with what they look like."""
    for mark, codec in _WIDE_BOMS:
        if raw.startswith(mark):
            try:
                return raw[len(mark):].decode(codec)
            except UnicodeDecodeError:
                raise InputError(
                    source, f"starts with a {codec.upper()[:6]} byte-order mark but is "
                    f"not valid {codec.upper()} text",
                    "save the article's text as UTF-8") from None
    for magic, what in _BINARY_MAGIC:
        if raw.startswith(magic):
            raise InputError(source, f"is {what}, not plain text",
                             "copy the article's text into a .txt file and draft that")
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    other = other_encoding(raw)
    if other:
        raise InputError(source, other, "save the article's text as UTF-8 "
                         "(or as UTF-16 with a byte-order mark)")
    if b"\x00" in raw:
        raise InputError(source, "holds NUL bytes, so it looks like a binary file "
                         "(a PDF, an image, a word-processor document), not text",
                         "draft the article's text: save it as a .txt file first")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise InputError(
            source, f"is not UTF-8 text (byte 0x{raw[error.start]:02x} at byte "
            f"{error.start:,}, line {line})",
            "if it is text in another encoding, save it as UTF-8; if it is a binary "
            "file, draft the article's text instead") from None


def checked_text(text: str, source: str) -> str:
    """The article text a draft may store: line ends as ``\\n``, otherwise unchanged;
    refused when empty or holding characters an article file may not hold."""
    text = _LINE_ENDS.sub("\n", text)
    if not text.strip():
        raise InputError(source, "holds no text (it is empty or only whitespace)",
                         "give a file with the article's text")
    for pattern in (CONTROL_CHARACTERS, _YAML_BREAKS):
        found = pattern.search(text)
        if found:
            line = text.count("\n", 0, found.start()) + 1
            what = (control_character(found.group()) if pattern is CONTROL_CHARACTERS
                    else f"line-separator character U+{ord(found.group()):04X}")
            raise InputError(
                source, f"line {line} holds the {what}, which an article text may not "
                "hold (it is probably binary data or a conversion error)",
                "remove it (or replace it with a line break or a space) and draft again")
    return text


def too_large(source: str, size: int | None, limit: int) -> InputError:
    told = f"is {size:,} bytes, more" if size is not None else "holds more"
    return InputError(source, f"{told} than the {limit:,} bytes a draft reads",
                      "a news article is far smaller: draft the article's own text")
