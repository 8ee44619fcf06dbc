"""SQLite's one-hop driver (db/sqlite_driver.py): a statement is one call on aiosqlite's thread,
a read transaction's BEGIN rides with its first statement, and none of it changes what a
transaction sees."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import aiosqlite
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from ldp_graph.db.engine import Database
from ldp_graph.db.tables import organisations

pytestmark = pytest.mark.usefixtures("sqlite_only")


@pytest.fixture
def sqlite_only(database: Database) -> None:
    if not database.is_sqlite:
        pytest.skip("the one-hop driver is SQLite's")


@contextmanager
def hops(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The calls made on aiosqlite's thread inside the block, by function name."""
    calls: list[str] = []
    original = aiosqlite.Connection._execute

    async def counting(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(getattr(fn, "__name__", repr(fn)))
        return await original(self, fn, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(aiosqlite.Connection, "_execute", counting)
        yield calls


def _new_organisation(code: str) -> dict[str, Any]:
    return {
        "code": code,
        "name": f"{code} body",
        "kind": "requester",
        "created_at": datetime.now(UTC),
    }


async def _count(session: Any) -> int:
    return int(
        (await session.execute(sa.select(sa.func.count()).select_from(organisations))).scalar()
    )


async def test_a_read_session_costs_one_hop_per_statement_and_one_to_end(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with database.read() as session:
        await _count(session)  # a connection is open and pooled from here on
    with hops(monkeypatch) as calls:
        async with database.read() as session:
            await _count(session)
            await _count(session)
    # BEGIN went with the first statement; the pool's reset after the session's rollback
    # found no transaction and cost nothing.
    assert calls == ["_run", "_run", "rollback"]


async def test_a_transaction_without_statements_costs_no_hop(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with database.read() as session:
        await _count(session)
    with hops(monkeypatch) as calls:
        async with database.read() as session, session.begin():
            pass
    assert calls == []


async def test_a_read_transaction_keeps_its_snapshot_across_statements(
    database: Database,
) -> None:
    async with database.read() as session:
        before = await _count(session)
        async with database.transaction() as writer:
            await writer.execute(organisations.insert().values(_new_organisation("X-NEW")))
        assert await _count(session) == before  # the BEGIN sent with the first read holds
    async with database.read() as session:
        assert await _count(session) == before + 1


async def test_a_failed_statement_raises_and_the_connection_serves_again(
    database: Database,
) -> None:
    async with database.read() as session:
        with pytest.raises(OperationalError, match="no such table"):
            await session.execute(sa.text("SELECT * FROM no_such_table"))
    async with database.read() as session:
        assert await _count(session) > 0
    async with database.transaction() as session:
        result = await session.execute(organisations.insert().values(_new_organisation("X-ROW")))
        assert result.rowcount == 1
    async with database.read() as session:
        names = await session.scalars(
            sa.select(organisations.c.name).where(organisations.c.code == "X-ROW")
        )
        assert list(names) == ["X-ROW body"]
