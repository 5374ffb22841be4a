"""What ``Database.export_file`` (``claimsdb export``) reports it wrote.

``claimsdb.api`` re-exports it and loads this module only for an export: every command
imports the API, and defining a dataclass compiles its methods.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ExportResult:
    """What ``Database.export_file`` wrote: ``rows`` of ``noun`` (for a table export:
    "statement", "chain link"...; ``prov``: "statement"; ``claimreview``: "review";
    ``article``: "article";
    ``datasette-metadata``: "database"), and for an article its ``statements`` and
    ``actors``, for Datasette metadata the database ``name``."""

    rows: int
    noun: str
    statements: int = 0
    actors: int = 0
    name: str | None = None
