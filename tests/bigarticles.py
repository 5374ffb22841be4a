"""Large but legitimate article files, written fast (as text, not through a YAML dumper).

Used by the extreme-input tests (tests/test_hostile.py) and the crash tests
(tests/test_crash.py), which need an import that runs long enough to be killed.
"""

from __future__ import annotations

import json
from pathlib import Path

ACTORS = """\
actors:
  - {key: big-courier, name: The Big Courier, kind: outlet}
  - {key: big-wire, name: Northgate Wire, kind: outlet}
  - {key: big-officials, name: Officials familiar with the talks, kind: group,
     identified: anonymous}
  - {key: big-ministry, name: Міністерство закордонних справ, kind: government}
"""


def sentence(n: int) -> str:
    """One numbered sentence of reporting, with curly quotes, a dash and Cyrillic."""
    return (f"Officials in district {n} said on Monday that the “talks had stalled” — "
            f"позиція {n} не змінилася. ")


def quote(n: int) -> str:
    return f"district {n} said on Monday"


def write_big_article(path: Path, *, statements: int, text_chars: int = 0,
                      key: str = "big-article") -> Path:
    """An article with ``statements`` statements over a text of at least ``text_chars``
    characters (padded with more numbered sentences), every feature used: chains with
    cues, own voice, denials and upstream repeats."""
    parts: list[str] = []
    length = 0
    n = 0
    while n < statements or length < text_chars:
        piece = sentence(n)
        parts.append(piece)
        length += len(piece)
        n += 1
        if n % 20 == 0:
            parts.append("\n")
            length += 1
    text = "".join(parts)
    lines = [
        "format: claimsdb/article@1",
        "article:",
        f"  key: {key}",
        f"  title: {json.dumps(f'{statements:,} statements, {len(text):,} characters')}",
        "  outlet: big-courier",
        "  language: en",
        f"  text: {json.dumps(text, ensure_ascii=False)}",
        ACTORS.rstrip("\n"),
        "statements:",
    ]
    for i in range(statements):
        entry = f"  - {{key: s{i}, quote: {json.dumps(quote(i))}"
        if i % 3 == 0:
            entry += (", chain: [{actor: big-wire, cue: according to}, "
                      "{actor: big-officials, cue: said}]")
        elif i % 3 == 1:
            entry += ", kind: direct, chain: [big-ministry]"
        if i % 10 == 9:
            entry += f", denies: [s{i - 1}]"
        if i % 10 == 5:
            entry += f", repeats: [s{i - 5}]"
        lines.append(entry + "}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
