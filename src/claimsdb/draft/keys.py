"""Readable keys for what a draft defines: the article, its actors, its statements.

A key is what a reviewer types to refer to something (``denies: [talks-stalled]``,
``claimsdb chain ARTICLE#KEY``), so a drafted key is a slug of the words it stands
for rather than a number: "Dmitry Peskov" becomes ``dmitry-peskov``, a statement
the first words of its quote. Keys allow only ``[a-z0-9-]``, so other scripts are
transliterated (the table is data: ``transliteration.yaml``) and accents dropped.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from importlib import resources

import yaml

from claimsdb.format.articles import KEY_PATTERN
from claimsdb.format.vocabulary import KEY_LENGTH

_NOT_KEY = re.compile(r"[^a-z0-9]+")


@functools.lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    path = resources.files("claimsdb.draft") / "transliteration.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    table: dict[str, str] = {}
    for letters in data.values():
        for letter, latin in letters.items():
            table[str(letter)] = str(latin)
            table[str(letter).upper()] = str(latin)
    return table


def latin(text: str) -> str:
    """``text`` in lower-case Latin letters: transliterated, accents dropped."""
    table = _table()
    lowered = "".join(table.get(ch, ch) for ch in text.lower())
    return unicodedata.normalize("NFKD", lowered).encode("ascii", "ignore").decode("ascii")


def slug(text: str, *, max_words: int = 6, max_length: int = 60) -> str:
    """The first ``max_words`` words of ``text`` as a key, at most ``max_length``
    characters and cut at a dash; empty when nothing of it is a letter or digit."""
    words = [w for w in _NOT_KEY.split(latin(text)) if w][:max_words]
    key = "-".join(words)
    while len(key) > max_length and "-" in key:
        key = key.rsplit("-", 1)[0]
    return key[:max_length].strip("-")


def unique(base: str, taken: Iterable[str] | set[str], *, fallback: str) -> str:
    """``base`` (or ``fallback`` when empty), with ``-2``, ``-3``... if it is taken."""
    taken = taken if isinstance(taken, set) else set(taken)
    base = base or fallback
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def is_key(value: str) -> bool:
    """Whether the format accepts ``value`` as a key."""
    return len(value) <= KEY_LENGTH and KEY_PATTERN.fullmatch(value) is not None
