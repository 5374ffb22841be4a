"""The workbench as one ASGI application, built from a database.

``create_app`` returns a plain Starlette object: ``claimsdb serve`` hands it to
uvicorn, tests drive it with ``TestClient`` or a real server. The guards wrap it from
the outside in: headers on every response, then the token (when one is set), then
read-only, then CSRF, so a request without the token learns nothing else.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from claimsdb.web import annotating, downloads, drafts, pages, security
from claimsdb.web.templating import environment

if TYPE_CHECKING:
    from claimsdb.api import Database

STATIC = Path(__file__).parent / "static"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def create_app(database: Database, *, token: str | None = None, read_only: bool = False,
               allowed_hosts: tuple[str, ...] | None = LOOPBACK_HOSTS,
               workbench: Path | None = None, fetch_private: bool = False) -> Starlette:
    """The workbench over ``database``. ``token``: every request must carry it.
    ``allowed_hosts``: the Host headers answered (loopback names by default, so a web
    page elsewhere cannot reach a local server through DNS rebinding); ``None``
    answers any (a server listening beyond loopback, protected by its token).
    ``workbench``: the folder of articles being annotated (``drafts.default_folder``:
    beside a SQLite file). ``fetch_private``: New article may fetch URLs on this
    machine and its private network; only for a server whose one user is this
    machine's (``claimsdb serve`` on loopback without a token), since every fetch is
    made by the server, from inside that network."""
    middleware = [Middleware(security.SecurityHeaders)]
    if allowed_hosts is not None:
        middleware.append(Middleware(security.KnownHosts, hosts=allowed_hosts))
    if token is not None:
        middleware.append(Middleware(security.TokenGate, token=token))
    if read_only:
        middleware.append(Middleware(security.ReadOnly))
    middleware.append(Middleware(security.CsrfGuard))
    routes = [*annotating.ROUTES, *pages.ROUTES, *downloads.ROUTES,
              Mount("/static", app=StaticFiles(directory=STATIC), name="static")]
    app = Starlette(routes=routes, middleware=middleware,
                    exception_handlers=pages.EXCEPTION_HANDLERS)
    app.state.database = database
    app.state.templates = environment()
    app.state.read_only = read_only
    app.state.public_fetch_only = not fetch_private
    app.state.workbench = drafts.Workbench(workbench if workbench is not None
                                           else drafts.default_folder(database.target))
    return app
