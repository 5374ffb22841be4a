"""Alembic environment for claimsdb.

Two ways in: ``claimsdb init`` passes an open connection through
``config.attributes["connection"]`` (so the migration runs in the caller's
transaction); ``alembic upgrade head`` from a checkout opens the database named by
``-x db=...``, ``$CLAIMSDB_DB`` or the default file, through claimsdb's own engine
factory so SQLite gets the same settings as the application.
"""

from __future__ import annotations

from alembic import context

from claimsdb.store.db import make_engine
from claimsdb.store.migrate import include_name, include_object, run_migrations_on
from claimsdb.store.models import Base

config = context.config
target_metadata = Base.metadata


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_name=include_name,
        include_object=include_object,
        compare_type=True,
        compare_server_default=True,
    )


def run_offline() -> None:
    raise SystemExit(
        "claimsdb migrations need a live database; offline (--sql) mode is not supported"
    )


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(context.get_x_argument(as_dictionary=True).get("db"))
    try:
        with run_migrations_on(engine) as conn:
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
