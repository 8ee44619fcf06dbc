"""One GraphQL operation's small reads share one read session (Database.shared_read), one
reader at a time, and a read that begins after the operation wrote sees the write."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError

from ldp_graph.db.engine import Database
from ldp_graph.db.tables import organisations
from tests.api import flow
from tests.conftest import Api

COLLECTION = """
query ($id: ID!) { collection(id: $id) {
  title dueOn
  submissions { state currentVersionNumber updatedAt council { code name } }
} }
"""


async def _count(session: Any) -> int:
    query = sa.select(sa.func.count()).select_from(organisations)
    return int((await session.execute(query)).scalar())


async def _add_organisation(database: Database, code: str) -> None:
    async with database.transaction() as session:
        await session.execute(
            organisations.insert().values(
                code=code, name=code, kind="requester", created_at=datetime.now(UTC)
            )
        )


async def test_inside_an_operation_reads_share_one_session(database: Database) -> None:
    async with database.operation_reads():
        async with database.shared_read() as first:
            await _count(first)
        async with database.shared_read() as second:
            assert second is first
    async with database.shared_read() as outside, database.shared_read() as other:
        assert outside is not other


async def test_readers_take_the_shared_session_in_turn(database: Database) -> None:
    holding: list[int] = []
    overlapped = False

    async def reader(n: int) -> None:
        nonlocal overlapped
        async with database.shared_read() as session:
            overlapped |= bool(holding)
            holding.append(n)
            await _count(session)
            await asyncio.sleep(0.01)
            holding.remove(n)

    async with database.operation_reads():
        await asyncio.gather(*(reader(n) for n in range(5)))
    assert not overlapped


async def test_a_read_after_the_operation_wrote_sees_the_write(database: Database) -> None:
    async with database.operation_reads():
        async with database.shared_read() as session:
            before = await _count(session)
        await _add_organisation(database, "X-AFTER")
        async with database.shared_read() as later:
            assert later is not session
            assert await _count(later) == before + 1


async def test_a_failed_read_does_not_spoil_the_next(database: Database) -> None:
    async with database.operation_reads():
        with pytest.raises(DBAPIError):
            async with database.shared_read() as session:
                await session.execute(sa.text("SELECT * FROM no_such_table"))
        async with database.shared_read() as session:
            assert await _count(session) > 0


async def test_a_collection_query_checks_out_two_connections(api: Api) -> None:
    """The token's lookup, then one for every read of the operation (not one per loader)."""
    owner = await flow.requester_token(api)
    asked = await flow.create_collection(api, owner)
    for code in flow.COUNCILS[:2]:
        await flow.submit(api, await flow.council_token(api, code), asked["id"])
    checkouts: list[object] = []
    pool = api.app.state.database.engine.sync_engine.pool

    def checkout(*_args: Any) -> None:
        checkouts.append(1)

    event.listen(pool, "checkout", checkout)
    try:
        with api.count_statements() as statements:
            data = await api.graphql(COLLECTION, {"id": asked["id"]}, owner)
    finally:
        event.remove(pool, "checkout", checkout)
    assert len(data["collection"]["submissions"]) == 2
    assert len(checkouts) == 2
    assert len(statements) == 3  # the token, the collection with its councils, submissions


async def test_an_operation_gives_back_the_shared_connection_before_it_opens_another(
    database: Database,
) -> None:
    # Holding the shared session's connection while waiting for a second one would let
    # enough concurrent operations take the whole pool and wait on each other.
    pool = database.engine.pool
    async with database.operation_reads():
        async with database.shared_read() as shared:
            await _count(shared)
        assert pool.checkedout() == 1  # type: ignore[attr-defined]
        async with database.read() as own:
            await _count(own)
            assert pool.checkedout() == 1  # type: ignore[attr-defined]
        async with database.shared_read() as later:
            assert later is not shared
            await _count(later)
        async with database.transaction() as writing:
            await _count(writing)
            assert pool.checkedout() == 1  # type: ignore[attr-defined]


async def test_a_reader_holding_the_shared_session_when_it_is_retired_gives_it_back_after(
    database: Database,
) -> None:
    pool = database.engine.pool
    async with database.operation_reads():
        async with database.shared_read() as shared:
            await _count(shared)
            async with database.read() as own:  # retires the shared session, held right now
                await _count(own)
            await _count(shared)  # still usable by the reader that holds it
        assert pool.checkedout() == 0  # type: ignore[attr-defined]
        async with database.shared_read() as later:
            assert later is not shared
