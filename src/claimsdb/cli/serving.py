"""``claimsdb serve``: the workbench, a local web server over the database.

The command only checks what it is given, binds the port (so "port in use" is one
clear line, not a server's traceback) and hands the app ``claimsdb.web.app`` builds
to uvicorn. Starlette, Jinja2 and uvicorn are the ``web`` extra, imported here only.
"""

from __future__ import annotations

import errno
import ipaddress
import socket
from pathlib import Path

import click

from claimsdb.cli.context import Settings, pass_settings
from claimsdb.cli.show import echo

EXTRA = "claimsdb serve needs the web extra: pip install 'claimsdb[web]'"
LOOPBACK_NAMES = ("localhost",)


def is_loopback(host: str) -> bool:
    """Whether only this machine can reach ``host``: a loopback address or name."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, or a one-line error naming the address and what to do."""
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    # IPPROTO_TCP, not the default 0: asyncio sets TCP_NODELAY only on connections
    # from a socket that says it is TCP. Without it every page waited 40 ms (Nagle
    # holding the body until the client's delayed ACK of the headers).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise click.ClickException(
                f"port {port} on {host} is in use (another claimsdb serve?); choose "
                "another with --port, or --port 0 for any free one") from None
        if isinstance(error, socket.gaierror) or error.errno == errno.EADDRNOTAVAIL:
            raise click.ClickException(
                f"cannot listen on {host}: {error.strerror or error}; give an address of "
                "this machine with --host (127.0.0.1 is the default)") from None
        raise click.ClickException(f"cannot listen on {host}:{port}: {error.strerror}"
                                   ) from None
    sock.listen(128)
    sock.setblocking(False)
    return sock


def _url(host: str, port: int) -> str:
    shown = f"[{host.strip('[]')}]" if ":" in host.strip("[]") else host
    return f"http://{shown}:{port}/"


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but loopback needs a token.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: any free port, printed at start).")
@click.option("--read-only", is_flag=True,
              help="Refuse every request that would write (403).")
@click.option("--token", envvar="CLAIMSDB_SERVE_TOKEN", metavar="TOKEN",
              help="Every request must carry this token (also $CLAIMSDB_SERVE_TOKEN). "
              "Listening beyond loopback without one, a token is made and printed with "
              "the URL.")
@click.option("--open", "open_browser", is_flag=True,
              help="Open the workbench in the default web browser.")
@click.option("--workbench", type=click.Path(file_okay=False, path_type=Path),
              metavar="DIR",
              help="Folder for articles being annotated (default: beside a SQLite "
              "database, DB.workbench; on a server, ./claimsdb-workbench).")
@pass_settings
def serve(settings: Settings, host: str, port: int, read_only: bool, token: str | None,
          open_browser: bool, workbench: Path | None) -> None:
    """Browse and annotate the database in a web browser: articles with every
    statement highlighted by origin, statements, actors, a claim's trace drawn as a
    graph, sourcing profiles, denials and loops, each list with the CSV and JSON that
    --format csv|json gives. Several tabs and a 'claimsdb add' can run at once.

    New article (or Edit on an article's page) drafts statements for you to accept,
    edit or reject; the work in progress is kept as article files in the workbench
    folder until Save imports it as 'claimsdb add' would.

    Listens on 127.0.0.1 (this machine only) unless --host says otherwise; then
    every request needs the token printed with the URL. Stop with Ctrl-C.
    Needs the web extra: pip install 'claimsdb[web]'.

    \b
    Examples:
      claimsdb serve --open
      claimsdb serve --read-only --port 8080
      claimsdb serve --workbench ~/annotating
      claimsdb --db postgresql+psycopg://user@host/claims serve --host 0.0.0.0
    """
    try:
        import uvicorn

        from claimsdb.web import app as web_app
        from claimsdb.web import security
    except ImportError:
        raise click.ClickException(EXTRA) from None

    database = settings.database()
    with database.reading():  # a missing or unreadable database fails now, not per page
        pass
    loopback = is_loopback(host)
    if token is not None and not token.strip():
        raise click.BadParameter("the token must not be empty", param_hint="--token")
    if not loopback and token is None:
        token = security.new_token()
    app = web_app.create_app(database, token=token, read_only=read_only,
                             allowed_hosts=web_app.LOOPBACK_HOSTS
                             if loopback and token is None else None,
                             workbench=workbench, fetch_private=loopback and token is None)
    sock = bind(host, port)
    url = _url(host, sock.getsockname()[1])
    full = f"{url}?token={token}" if token else url
    from claimsdb.cli.context import describe

    echo(f"claimsdb serve: {describe(database.engine(create=False))}"
         f"{' (read-only)' if read_only else ''}")
    echo(f"  open {full}")
    echo("  stop with Ctrl-C")
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                            server_header=False)
    server = uvicorn.Server(config)
    if open_browser:
        _open_when_started(server, full)
    server.run(sockets=[sock])


def _open_when_started(server, url: str) -> None:
    import threading
    import time
    import webbrowser

    def wait_then_open() -> None:
        for _ in range(200):
            if server.started:
                webbrowser.open(url)
                return
            time.sleep(0.05)

    threading.Thread(target=wait_then_open, daemon=True).start()
