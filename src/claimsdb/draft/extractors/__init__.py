"""Extractors by name: one module each, loaded only when asked for.

An extractor module has ``NAME`` and ``extract(text, lexicon) -> Draft``. The
default, ``rules``, needs no model and no network; a trained model can be added as
another module here and chosen by name, without touching the callers.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from claimsdb.errors import ClaimsError

DEFAULT = "rules"
# name -> module; a module is imported only when its extractor is used, so a
# model-backed extractor's heavy imports cost nothing to those who never pick it.
_MODULES = {
    "rules": "claimsdb.draft.extractors.rules",
}


class UnknownExtractor(ClaimsError):
    """The extractor asked for is not one the drafter knows."""


def names() -> list[str]:
    return sorted(_MODULES)


def get(name: str | None = None) -> ModuleType:
    chosen = name or DEFAULT
    module = _MODULES.get(chosen)
    if module is None:
        raise UnknownExtractor(
            f"no extractor named '{chosen}'; known extractors: {', '.join(names())}")
    return importlib.import_module(module)
