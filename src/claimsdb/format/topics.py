"""Topic tags: free words a statement is about, normalised to one lowercase key.

"Ceasefire talks", "ceasefire-talks" and "CEASEFIRE  TALKS!" are one topic, so
``claimsdb topics`` counts them together and ``--topic`` finds them whichever way
they were written. Letters of every script are kept ("Переговоры" is
"переговоры"), so a topic reads as its annotator wrote it.
"""

from __future__ import annotations

import unicodedata


def normalise_topic(value: str) -> str:
    """The key of a topic: NFKC (full-width and compatibility forms become plain
    ones), lowercase, every run of characters other than letters, digits and their
    combining marks turned into one dash, no dash at either end. May be empty ("!!!"):
    the caller says why that is refused."""
    text = unicodedata.normalize("NFKC", value).lower()
    pieces: list[str] = []
    dash = False
    for character in text:
        if character.isalnum() or unicodedata.category(character).startswith("M"):
            if dash and pieces:
                pieces.append("-")
            pieces.append(character)
            dash = False
        else:
            dash = True
    return "".join(pieces)


__all__ = ["normalise_topic"]
