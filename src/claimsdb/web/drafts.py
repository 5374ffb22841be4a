"""Work in progress: the articles being annotated in the workbench, kept as files.

A draft is two files in the workbench folder: ``KEY.yaml``, the article file as it
stands (only accepted statements; ``claimsdb add KEY.yaml`` imports it as Save
would), and ``KEY.suggestions.yaml``, the drafter's proposals not yet accepted or
rejected, with their confidence, and whether saving replaces a stored article.

Files rather than a table: a draft must never be visible to queries, must survive a
server restart, and is the user's work, which they can see, copy, back up or finish
in a text editor. Nothing here touches the database; the folder holds nothing else
claimsdb reads, and every write replaces a file of this folder only, whole or not at
all (a temporary file renamed into place).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from claimsdb.errors import ClaimsError, NotFound

REVISION_HEADER = "X-Draft-Revision"
KEY = re.compile(r"[a-z0-9-]{1,200}\Z")
FORMAT = "claimsdb/article@1.1"
SUGGESTIONS = ".suggestions.yaml"
# A drafted statement's comment: "# confidence 0.85 - check: a denial: check what..."
_CONFIDENCE = re.compile(r"^\s*# confidence (?P<value>[0-9.]+)(?: \(low\))?"
                         r"(?: - check: (?P<check>.*))?$")
_STATEMENT_KEY = re.compile(r"^  - key: (?P<key>\S+)\s*$")


@dataclass
class Suggestion:
    """A statement the drafter proposed, waiting to be accepted or rejected."""

    statement: dict[str, Any]
    confidence: float | None = None
    check: str | None = None

    @property
    def key(self) -> str:
        return str(self.statement.get("key", ""))


@dataclass
class Draft:
    """One article being annotated: ``document`` is the article file's content (a
    mapping as YAML loads it), ``suggestions`` the proposals still open, ``replace``
    whether saving replaces the stored article of the same key."""

    document: dict[str, Any]
    suggestions: list[Suggestion] = field(default_factory=list)
    replace: bool = False
    problems: list[dict[str, Any]] = field(default_factory=list)  # the last Save's
    revision: str = ""  # of the files it was loaded from; "" for a draft not yet saved

    @property
    def key(self) -> str:
        return str(self.document["article"]["key"])

    @property
    def text(self) -> str:
        return str(self.document["article"].get("text") or "")

    @property
    def statements(self) -> list[dict[str, Any]]:
        return self.document.setdefault("statements", [])

    @property
    def actors(self) -> list[dict[str, Any]]:
        return self.document.setdefault("actors", [])

    def article_file(self) -> str:
        """The article file, as ``claimsdb add`` reads it and Download gives it."""
        return yaml.safe_dump(self.document, allow_unicode=True, sort_keys=False, width=100)

    def statement(self, key: str) -> dict[str, Any]:
        for statement in self.statements:
            if statement.get("key") == key:
                return statement
        raise NotFound(f"draft '{self.key}' has no statement '{key}'")

    def suggestion(self, key: str) -> Suggestion:
        for suggestion in self.suggestions:
            if suggestion.key == key:
                return suggestion
        raise NotFound(f"draft '{self.key}' has no open suggestion '{key}'")

    def accept(self, key: str) -> None:
        """The suggestion becomes a statement of the article, in text order."""
        suggestion = self.suggestion(key)
        self.suggestions.remove(suggestion)
        self.statements.append(suggestion.statement)
        self.sort()

    def sort(self) -> None:
        """Statements in text order, as the article page numbers them."""
        self.statements.sort(key=self._position)

    def reject(self, key: str) -> None:
        self.suggestions.remove(self.suggestion(key))

    def _position(self, statement: dict[str, Any]) -> int:
        found = self.text.find(str(statement.get("quote", "")))
        return found if found >= 0 else len(self.text)

    def used_keys(self) -> set[str]:
        return {str(s.get("key")) for s in self.statements} | {s.key for s in self.suggestions}


def from_drafted(text: str, *, replace: bool = False) -> Draft:
    """A draft from the drafter's article file: its statements become suggestions,
    each with the confidence and the check its comment gives."""
    document = yaml.safe_load(text)
    confidences = _confidences(text)
    suggestions = [Suggestion(s, *confidences.get(str(s.get("key")), (None, None)))
                   for s in document.get("statements") or []]
    document["statements"] = []
    return Draft(document, suggestions, replace)


def from_stored(text: str) -> Draft:
    """A draft of a stored article (its export): every statement already accepted;
    saving replaces it."""
    return Draft(yaml.safe_load(text), [], replace=True)


def _confidences(text: str) -> dict[str, tuple[float, str | None]]:
    found: dict[str, tuple[float, str | None]] = {}
    pending: tuple[float, str | None] | None = None
    in_statements = False
    for line in text.splitlines():
        if line.startswith("statements:"):
            in_statements = True
            continue
        if not in_statements:
            continue
        comment = _CONFIDENCE.match(line)
        if comment:
            pending = (float(comment["value"]), comment["check"])
            continue
        statement = _STATEMENT_KEY.match(line)
        if statement and pending is not None:
            found[statement["key"]] = pending
            pending = None
    return found


class DraftChanged(ClaimsError):
    """A write based on a draft as it was before another change (another tab, or the
    file edited meanwhile): refused, so neither change silently replaces the other."""


class Workbench:
    """The folder of drafts: load, save and discard them by article key.

    Each loaded draft carries its revision, a hash of its two files as read. A write
    names the revision it was based on (the page sends the one it was drawn from),
    and ``save`` and ``discard`` refuse with ``DraftChanged`` when the files are no
    longer at it; the comparison and the write happen under one lock, so two
    requests at once cannot both pass it."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self._lock = threading.Lock()

    def _paths(self, key: str) -> tuple[Path, Path]:
        if not KEY.match(key):
            raise NotFound(f"no draft '{key}': a draft is named by its article key")
        return self.folder / f"{key}.yaml", self.folder / f"{key}{SUGGESTIONS}"

    def exists(self, key: str) -> bool:
        return self._paths(key)[0].is_file()

    def keys(self) -> list[str]:
        if not self.folder.is_dir():
            return []
        return sorted(p.name[:-5] for p in self.folder.glob("*.yaml")
                      if not p.name.endswith(SUGGESTIONS) and KEY.match(p.name[:-5]))

    def load(self, key: str) -> Draft:
        article, suggestions = self._paths(key)
        if not article.is_file():
            raise NotFound(f"no draft '{key}' in {self.folder}")
        try:
            raw, raw_extra = _contents(article, suggestions)
            document = yaml.safe_load(raw.decode("utf-8"))
            extra = yaml.safe_load(raw_extra.decode("utf-8")) or {}
        except (OSError, yaml.YAMLError, UnicodeDecodeError) as error:
            raise ClaimsError(f"{article}: the draft cannot be read ({error}); fix or "
                              "remove the file") from None
        if not isinstance(document, dict) or not isinstance(document.get("article"), dict):
            raise ClaimsError(f"{article}: not an article draft; fix or remove the file")
        return Draft(document, [Suggestion(s.get("statement") or {}, s.get("confidence"),
                                           s.get("check"))
                                for s in extra.get("suggestions") or []],
                     bool(extra.get("replace")), list(extra.get("problems") or []),
                     _revision(raw, raw_extra))

    def check(self, draft: Draft, revision: str | None) -> None:
        """Refuse a write based on another revision than the draft's (``None``: the
        writer named none, as a script posting directly may not)."""
        if revision is not None and revision != draft.revision:
            raise DraftChanged(_CHANGED.format(key=draft.key))

    def _still(self, key: str, revision: str) -> None:
        article, suggestions = self._paths(key)
        if revision and (not article.is_file()
                         or _revision(*_contents(article, suggestions)) != revision):
            raise DraftChanged(_CHANGED.format(key=key))

    def save(self, draft: Draft) -> None:
        article, suggestions = self._paths(draft.key)
        self.folder.mkdir(parents=True, exist_ok=True)
        extra = {"replace": draft.replace, "problems": draft.problems,
                 "suggestions": [{"confidence": s.confidence, "check": s.check,
                                  "statement": s.statement} for s in draft.suggestions]}
        extra_text = yaml.safe_dump(extra, allow_unicode=True, sort_keys=False)
        article_text = draft.article_file()
        with self._lock:
            self._still(draft.key, draft.revision)
            _write(suggestions, extra_text)
            _write(article, article_text)
        draft.revision = _revision(article_text.encode("utf-8"), extra_text.encode("utf-8"))

    def discard(self, key: str, revision: str = "") -> None:
        with self._lock:
            self._still(key, revision)
            for path in self._paths(key):
                path.unlink(missing_ok=True)


_CHANGED = ("draft '{key}' was changed in another tab or window (or its file edited) "
            "since this page was loaded; nothing was written: reload the page to see "
            "that change, then make yours again")


def _contents(article: Path, suggestions: Path) -> tuple[bytes, bytes]:
    return (article.read_bytes(),
            suggestions.read_bytes() if suggestions.is_file() else b"")


def _revision(article: bytes, suggestions: bytes) -> str:
    """The draft's two files as one short hash: any change to either changes it."""
    digest = hashlib.sha256(article)
    digest.update(b"\0")
    digest.update(suggestions)
    return digest.hexdigest()[:16]


def _write(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def default_folder(target: str | None) -> Path:
    """Where a database's drafts live: beside a SQLite file (``claims.db.workbench``),
    else ``claimsdb-workbench`` in the current folder."""
    from claimsdb.config import resolve_url, sqlite_path

    path = sqlite_path(resolve_url(target))
    if path is not None:
        return path.with_name(path.name + ".workbench")
    return Path.cwd() / "claimsdb-workbench"
