"""The bundled seed articles: package data in a wheel, ``seeds/`` in a checkout."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from claimsdb.errors import ClaimsError

ARTICLE_SUFFIXES = (".yaml", ".yml", ".json")


def seeds_dir() -> Path:
    packaged = resources.files("claimsdb") / "_seeds"
    if packaged.is_dir():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parents[3] / "seeds"
    if checkout.is_dir():
        return checkout
    raise ClaimsError("claimsdb's bundled seed articles are missing from this installation")


EARLIER_VERSIONS = "earlier-versions.txt"


def seed_files() -> list[Path]:
    return article_files([seeds_dir()])


def earlier_seed_versions() -> frozenset[str]:
    """The content hashes of the bundled seed articles as earlier releases shipped them.

    A database seeded by an earlier release holds that release's annotation; when it
    is stored exactly so, ``claimsdb seed`` may replace it with this release's, as
    nobody's work is in it. Anything else stored under a seed key is a user's."""
    listed = seeds_dir() / EARLIER_VERSIONS
    if not listed.is_file():
        return frozenset()
    hashes = set()
    for line in listed.read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if fields and not fields[0].startswith("#"):
            hashes.add(fields[1])
    return frozenset(hashes)


def article_files(paths: list[Path]) -> list[Path]:
    """Files as given; a folder stands for the article files directly inside it, sorted.

    In a folder, every entry named like an article file (.yaml, .yml, .json) that is not
    itself a folder counts, including a FIFO, a device or a broken link so named: the
    reader then refuses it with a message saying what it is, rather than the folder's
    import silently leaving it out (or hanging on it)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir()
                                if p.suffix.lower() in ARTICLE_SUFFIXES and not p.is_dir()))
        else:
            files.append(path)
    return files
