"""Web pages as drafter inputs: the article a page holds, without its menus, ads,
cookie banners, comments and footers, and what the page says about it (headline,
date, site name, author, language).

trafilatura (the optional ``draft`` extra) finds the article: it is the reference
among main-text extractors, maintained, and reads the metadata pages give in
JSON-LD, Open Graph and ``<meta>`` tags. The text is rebuilt block by block from what
it keeps (paragraphs, intertitles, lists, quotations, tables), blocks separated by a
blank line, so that a paragraph break in the page stays one in the draft. That text
is what the article file stores and where the drafter and the importer locate every
quote, so nothing changes it after this point.

Spaces: runs of spaces and line breaks inside a paragraph become one space (as
trafilatura gives them), and every non-breaking space becomes a plain one. trafilatura
already turns most into plain spaces, but not all (some versions keep those of a
block quotation), and one rule is easier to rely on when quoting. Quotation marks,
apostrophes and dashes are kept as the page has them.
"""

from __future__ import annotations

import re
from typing import Any

from claimsdb.draft.charsets import decode_page
from claimsdb.draft.documents import Document, InputError, checked_text
from claimsdb.format.articles import LANGUAGE_PATTERN

# The largest page read, from a file or from the network. A news page with its
# scripts inline is a few megabytes; past this it is not an article page.
MAX_PAGE_BYTES = 10 * 1024 * 1024
# Fewer words than this is a login wall, a consent page or an index page, not an
# article: a draft of it would only mislead.
MIN_ARTICLE_WORDS = 30
INSTALL_HINT = "install the drafting extra: pip install 'claimsdb[draft]'"
SAVE_TEXT_HINT = ("open the page in a browser, copy the article's text into a .txt file "
                  "and draft that")

_XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*\?>")
# What an HTML page starts with, past a byte-order mark, an XML declaration and the
# comments browsers add when saving a page ("<!-- saved from url=... -->").
_HTML_START = re.compile(rb"\A(?:\xef\xbb\xbf)?(?:\s|<!--.*?-->|<\?xml[^>]*>)*"
                         rb"<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE | re.DOTALL)
_WORD = re.compile(r"\w+")
_SPACES = re.compile(r"\s+")
_NO_BREAK_SPACES = re.compile("[\u00a0\u2007\u202f]")  # no-break, figure, narrow no-break


def read_page(content: bytes | str, *, source: str, stem: str, url: str | None = None,
              charset: str | None = None, retrieved: str | None = None) -> Document:
    """The article of one HTML page as a Document.

    ``url`` is where the page was fetched from (it becomes the article's address; a
    saved page's own canonical address is used otherwise), ``charset`` what the
    server's Content-Type declared, ``retrieved`` the day it was fetched.
    """
    trafilatura = extractor(source)
    tree = trafilatura.load_html(_as_markup(content, charset, source))
    if tree is None:
        raise InputError(source, "is not an HTML page (no HTML structure could be read)",
                         "give an HTML page, or the article's text as a .txt file")
    # htmldate, trafilatura's date finder: the publication date rather than the last
    # update (its default), and only from the page's markup and address: the wider
    # search takes the year of a "© 2025" footer for a date.
    from trafilatura.settings import set_date_params

    found = trafilatura.bare_extraction(
        tree, url=url, with_metadata=True, include_comments=False, favor_precision=True,
        date_extraction_params=set_date_params(extensive=False))
    title = _one_line(found.title) if found is not None else None
    text = _article_text(found.body, title) if found is not None else ""
    words = len(_WORD.findall(text))
    if words < MIN_ARTICLE_WORDS:
        found_words = f"only {words} word{'s' if words != 1 else ''} of it" if words else "none"
        raise InputError(
            source, f"no article text found on the page ({found_words}: it looks like a "
            "login or consent page, an index page, or a page that builds its text with "
            "JavaScript)", SAVE_TEXT_HINT)
    text = checked_text(text, source)  # the same gate as plain text: no control characters
    page_url = found.url if found.url and found.url.startswith(("http://", "https://")) else None
    return Document(
        text=text, source=source, stem=stem, title=title, url=url or page_url,
        published=found.date or None, outlet=_one_line(found.sitename),
        author=_one_line(found.author), language=page_language(tree), retrieved=retrieved)


def looks_like_html(data: bytes) -> bool:
    """Whether bytes are an HTML page by their start, whatever the file is called."""
    return _HTML_START.match(data[:4096]) is not None


def extractor(source: str) -> Any:
    """The trafilatura module, or an InputError saying how to install it: HTML and URL
    inputs need the optional ``draft`` extra, plain text does not."""
    try:
        import trafilatura
    except ImportError as error:
        # lxml's stub for the split-off cleaner names no module, only the project.
        missing = error.name or ("lxml_html_clean" if "lxml_html_clean" in str(error)
                                 else "trafilatura")
        raise InputError(source, f"reading web pages needs the Python package '{missing}', "
                         "which is not installed", INSTALL_HINT) from None
    return trafilatura


def page_language(tree: Any) -> str | None:
    """The language the page declares (``<html lang>``, Content-Language, og:locale)
    as a BCP 47 tag in its usual case ('en-GB'), or None."""
    root = tree.getroottree().getroot()
    # the HTML parser keeps XHTML's xml:lang as a plain attribute of that name
    declared = [root.get("lang"), root.get("xml:lang")]
    for meta in root.iter("meta"):
        if ((meta.get("http-equiv") or "").lower() == "content-language"
                or meta.get("property") == "og:locale"):
            declared.append(meta.get("content"))
    for value in declared:
        tag = (value or "").split(",")[0].strip().replace("_", "-")
        if LANGUAGE_PATTERN.fullmatch(tag):
            return _tag_case(tag)
    return None


def _as_markup(content: bytes | str, charset: str | None, source: str) -> bytes | str:
    if isinstance(content, bytes):
        if b"\x00" in content and not content.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise InputError(source, "holds NUL bytes, so it is binary data (a PDF, an "
                             "image, an archive), not a web page", SAVE_TEXT_HINT)
        decoded = decode_page(content, charset)
        if decoded is None:
            return content  # no clue to the encoding holds: trafilatura guesses
        content = decoded
    # lxml refuses text that still declares a byte encoding; it was decoded already.
    return _XML_DECLARATION.sub("", content, count=1)


def _article_text(body: Any, title: str | None) -> str:
    # The per-block rendering of trafilatura's own text output (lists as "- item",
    # tables as "| cell |", a <br> as a line break), one block per paragraph.
    from trafilatura.xml import xmltotxt

    blocks = []
    for element in body:
        rendered = _NO_BREAK_SPACES.sub(" ", xmltotxt(element, False))
        block = "\n".join(line.rstrip() for line in rendered.strip().splitlines())
        if block:
            blocks.append(block)
    # The headline is the article's title; whether the extractor also keeps it in the
    # body varies from page to page, so the text always starts after it.
    if blocks and title and _one_line(blocks[0]).casefold() == title.casefold():
        blocks.pop(0)
    return "\n\n".join(blocks)


def _one_line(value: str | None) -> str | None:
    value = _SPACES.sub(" ", value or "").strip()
    return value or None


def _tag_case(tag: str) -> str:
    """'EN-gb' -> 'en-GB', 'zh-hant-tw' -> 'zh-Hant-TW' (BCP 47's conventional case)."""
    first, *rest = tag.split("-")
    parts = [first.lower()]
    for part in rest:
        if len(part) == 2 and part.isalpha():
            parts.append(part.upper())
        elif len(part) == 4 and part.isalpha():
            parts.append(part.title())
        else:
            parts.append(part.lower())
    return "-".join(parts)
