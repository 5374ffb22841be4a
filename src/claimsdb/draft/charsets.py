"""Which encoding a web page's bytes are in, so that curly quotes, guillemets and
Cyrillic reach the draft as the page shows them.

A page may say its encoding in four places (a byte-order mark, the server's
Content-Type header, an XHTML page's ``<?xml encoding?>``, a ``<meta charset>``), and
older pages often say it wrongly. Valid UTF-8 with non-ASCII characters in it is
almost never an accident of another encoding, so it wins over any declaration;
otherwise the declarations are tried in the order browsers use. With no clue that
holds, the extractor guesses from the bytes (trafilatura does, with charset_normalizer).
"""

from __future__ import annotations

import codecs
import re

# Encodings as a browser reads them (the WHATWG Encoding Standard): a page labelled
# ISO-8859-1 or ASCII is read as windows-1252, whose curly quotes and dashes sit
# where ISO-8859-1 has invisible control characters.
_AS_BROWSERS_READ = {"iso8859-1": "cp1252", "ascii": "cp1252", "iso8859-9": "cp1254"}
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: its mark starts the same way
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# A <meta charset="..."> or <meta http-equiv="Content-Type" content="...; charset=...">
# near the top of the page; browsers look only that far too.
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""",
                           re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""\A\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")
_PRESCAN_BYTES = 8192


def decode_page(data: bytes, declared: str | None = None) -> str | None:
    """The page as text, or None when no clue holds and the bytes must be guessed.
    ``declared`` is the charset the server's Content-Type gave."""
    for mark, codec in _BOMS:
        if data.startswith(mark):
            return data[len(mark):].decode(codec, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    head = data[:_PRESCAN_BYTES]
    for label in (declared, _found(_XML_ENCODING, head), _found(_META_CHARSET, head)):
        codec = _codec(label)
        if codec is None:
            continue
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue  # declared wrongly: the next clue may be right
    return None


def _found(pattern: re.Pattern[bytes], head: bytes) -> str | None:
    match = pattern.search(head)
    return match.group(1).decode("ascii") if match else None


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip()).name
    except LookupError:
        return None
    if name.startswith(("utf-16", "utf-32")):
        return None  # without a byte-order mark, a page saying so is UTF-8 or mislabelled
    return _AS_BROWSERS_READ.get(name, name)
