"""Making stored and file text safe to print on a terminal.

Article files and databases hold text from anywhere. Printed raw, a carriage return
sends the terminal back to the start of the line (``Reuters\\rKremlin`` shows as
``Kremlin``), an escape sequence can recolour, retitle or clear the screen, and a
bidirectional override reorders the rest of the line. Everything claimsdb prints for
people (tables, the chain, article, actor and trace views, messages and errors) passes
through ``escape`` or ``one_line`` first, so such characters show as visible escapes
instead of acting. Data outputs (CSV, JSON, article files, DOT, Mermaid, PROV) are not
touched: they carry the stored text exactly.

What is escaped:

- C0 controls (U+0000-U+001F) except line feed where lines are kept: ``\\t``, ``\\r``,
  otherwise ``\\xHH`` (``\\x1b`` for ESC);
- DEL (``\\x7f``) and the C1 controls U+0080-U+009F (``\\u0085``): terminals act on
  C1 codes such as U+009B (CSI) as on ESC sequences;
- the bidirectional embeddings, overrides and isolates U+202A-U+202E and
  U+2066-U+2069 (``\\u202e``), which reorder everything up to the end of the line,
  other columns included (the "Trojan Source" trick). The marks U+200E, U+200F and
  U+061C stay: they only steer neighbouring punctuation, and right-to-left text needs
  them.

A line break in a value shown on one line (a table cell, a name, a quote in a list)
shows as ``⏎``, as the problem messages of article files already do; a carriage
return before a line feed is part of that line break. Backslashes are not doubled:
this is for reading, and the data outputs give the exact text.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from typing import Any

LINE_BREAK = "⏎"

_NAMED = {"\t": "\\t", "\r": "\\r", "\n": "\\n"}
_BIDI = "\u202a-\u202e\u2066-\u2069"
# every character escaped, line feed included (one_line turns line breaks into ⏎ first)
_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")
# the same but line feed, for text printed with its own lines
_UNSAFE_KEEPING_LINES = re.compile(f"[\x00-\x09\x0b-\x1f\x7f-\x9f{_BIDI}]")
_LINE_BREAK = re.compile(r"\r?\n")


def _visible(match: re.Match[str]) -> str:
    character = match.group()
    if character in _NAMED:
        return _NAMED[character]
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x80 else f"\\u{code:04x}"


def escape(text: str) -> str:
    """``text`` with its lines kept and every other control character visibly escaped."""
    if text.isascii() and text.isprintable():  # most values: nothing to escape (a page
        return text  # prints thousands, and two substitutions cost more than the rest)
    return _UNSAFE_KEEPING_LINES.sub(_visible, _LINE_BREAK.sub("\n", text))


def one_line(text: str) -> str:
    """``text`` for one line: line breaks as ``⏎``, other control characters escaped."""
    if text.isascii() and text.isprintable():  # (as in escape)
        return text
    return _UNSAFE.sub(_visible, _LINE_BREAK.sub(LINE_BREAK, text))


def is_safe(text: str) -> bool:
    """Whether ``text`` prints as itself (no escape needed), line feeds allowed."""
    return _UNSAFE_KEEPING_LINES.search(text) is None


def for_display(value: Any) -> Any:
    """A copy of a query result (dataclasses, tuples, lists, dicts) with every text
    value made ``one_line``, for the views that lay values out in lines of their own.
    Nesting is that of the result types, a few levels, never the length of the data.

    A frozen dataclass or a plain tuple whose values all print as they are is returned
    itself, not copied: an article's view holds thousands of values, nearly all plain,
    and copying each (``dataclasses.replace``) cost more than the rest of the view."""
    if isinstance(value, str):
        return one_line(value)
    shape = _dataclass_shape(type(value))
    if shape is not None:
        names, frozen = shape
        changed = {}
        for name in names:
            item = getattr(value, name)
            shown = for_display(item)
            if shown is not item:
                changed[name] = shown
        return value if frozen and not changed else dataclasses.replace(value, **changed)
    if isinstance(value, tuple):
        items = tuple(for_display(item) for item in value)
        if type(value) is tuple and all(a is b for a, b in zip(items, value, strict=True)):
            return value
        return items
    if isinstance(value, list):
        return [for_display(item) for item in value]
    if isinstance(value, dict):
        return {for_display(k): for_display(v) for k, v in value.items()}
    return value


@functools.cache
def _dataclass_shape(cls: type) -> tuple[tuple[str, ...], bool] | None:
    """A dataclass's fields given to ``__init__`` and whether it is frozen; None for
    other types."""
    if not dataclasses.is_dataclass(cls):
        return None
    names = tuple(f.name for f in dataclasses.fields(cls) if f.init)
    return names, cls.__dataclass_params__.frozen
