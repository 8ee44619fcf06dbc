"""Alembic environment: runs on a connection handed over by `ldp_graph.db.migrate`,
or, when invoked as `alembic ...` from the project root, on the configured database."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from ldp_graph.db.tables import metadata


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_on_configured_database() -> None:
    from ldp_graph.config import load_settings
    from ldp_graph.db.engine import Database

    database = Database(load_settings().database_url)
    try:
        async with database.engine.begin() as conn:
            await conn.run_sync(run_on)
    finally:
        await database.dispose()


handed_over = context.config.attributes.get("connection")
if handed_over is not None:
    run_on(handed_over)
elif context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run them on a database")
else:
    asyncio.run(run_on_configured_database())
