"""Alembic migrations are the only way tables come to exist, and they run both ways."""

from __future__ import annotations

import sqlalchemy as sa

from ldp_graph.db import migrate
from ldp_graph.db.engine import Database
from ldp_graph.db.tables import metadata


async def _table_names(database: Database) -> set[str]:
    async with database.connect() as conn:
        return set(await conn.run_sync(lambda c: sa.inspect(c).get_table_names()))


async def test_migrations_downgrade_to_empty_and_upgrade_to_head(database: Database) -> None:
    await migrate.downgrade(database, "base")
    assert _application_tables(await _table_names(database)) == set()
    assert await migrate.current_revisions(database) == set()

    await migrate.upgrade(database)

    assert _application_tables(await _table_names(database)) == set(metadata.tables)
    assert await migrate.is_up_to_date(database)


async def test_migrations_leave_no_drift_against_the_table_definitions(database: Database) -> None:
    assert await migrate.drift(database) == []


async def test_drift_is_reported_when_the_database_differs(database: Database) -> None:
    async with database.transaction() as session:
        await session.execute(sa.text("CREATE INDEX ix_unplanned ON grants (level)"))
    try:
        found = await migrate.drift(database)
    finally:
        async with database.transaction() as session:
            await session.execute(sa.text("DROP INDEX ix_unplanned"))

    assert any("ix_unplanned" in line for line in found)


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(database: Database) -> None:
    if not database.is_sqlite:
        return
    async with database.connect() as conn:
        journal = (await conn.execute(sa.text("PRAGMA journal_mode"))).scalar()
        foreign_keys = (await conn.execute(sa.text("PRAGMA foreign_keys"))).scalar()
        synchronous = (await conn.execute(sa.text("PRAGMA synchronous"))).scalar()

    assert (journal, foreign_keys, synchronous) == ("wal", 1, 2)


def _application_tables(names: set[str]) -> set[str]:
    return names - {"alembic_version"}
