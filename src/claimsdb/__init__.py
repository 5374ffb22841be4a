"""claimsdb: a provenance-tracking claims database.

Records each statement a news article reports, its speaker, the attribution chain
through which it reached the article, and the denials and contradictions between
statements, so that sourcing questions can be asked of many articles at once.

The importable API is deliberately small and free of Click: see ``claimsdb.queries``
for the questions, ``claimsdb.importer`` for writing articles, ``claimsdb.db`` for
connecting.
"""

__version__ = "0.1.0"
