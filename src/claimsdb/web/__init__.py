"""The workbench: ``claimsdb serve``, a local web front end over the library API.

Like the command line it is thin: each route parses its request, makes one or two
calls to ``claimsdb.api`` (or the query functions the CLI uses), and renders a Jinja2
template or the same CSV and JSON the CLI writes. ``app.create_app`` builds a plain
ASGI object, testable with Starlette's ``TestClient`` without a server.
"""
