"""claimsdb: a provenance-tracking claims database.

Records each statement a news article reports, its speaker, the attribution chain
through which it reached the article, and the denials and contradictions between
statements, so that sourcing questions can be asked of many articles at once.

From Python: ``db = claimsdb.open("claims.db")``, then ``db.add(...)``,
``db.chain(...)``, ``db.export(...)`` (``claimsdb.api``, docs/python.md). The
package reads like the data flow: ``format`` (article files), ``store``, ``ingest``,
``query``, ``output``, and the front ends (``cli``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from claimsdb.api import Database, StatementFilter, open

__all__ = ["Database", "StatementFilter", "__version__", "open"]


def __getattr__(name: str) -> Any:
    # The API imports SQLAlchemy; importing it only when asked for keeps
    # `import claimsdb` (and so `claimsdb --help`) as cheap as before.
    if name in ("Database", "StatementFilter", "open"):
        from claimsdb import api

        return getattr(api, name)
    raise AttributeError(f"module 'claimsdb' has no attribute {name!r}")
