"""The database handle: one async engine and its sessionmaker, owned by the app's lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from ldp_graph.db import json_text, sqlite_driver
from ldp_graph.db.notifications import Bus, Listener, asyncpg_dsn


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Acknowledged means durable (WAL + synchronous=FULL); foreign keys are off by
    # default in SQLite; a busy timeout lets concurrent writers queue instead of failing.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
    # We issue BEGIN ourselves (see _sqlite_begin), not the driver.
    dbapi_connection.isolation_level = None


IMMEDIATE = "ldp_immediate"


def _sqlite_begin(connection: Any) -> None:
    # A write transaction takes SQLite's write lock when it begins (BEGIN IMMEDIATE), so that
    # concurrent writers queue on the busy timeout. A deferred transaction that read first
    # would fail outright ("database is locked") once another writer had committed meanwhile.
    immediate = connection.get_execution_options().get(IMMEDIATE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Database:
    """An engine plus sessionmaker. Creating one does not connect."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        parsed = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        kwargs: dict[str, Any] = {"echo": echo, "json_deserializer": json_text.loads}
        if self.is_sqlite and parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        if self.is_sqlite and parsed.get_driver_name() == "aiosqlite":
            # One thread hop per statement instead of four (see sqlite_driver.py).
            kwargs["module"] = sqlite_driver.dbapi()
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
            event.listen(self.engine.sync_engine, "begin", _sqlite_begin)
        self.sessionmaker = async_sessionmaker(
            self.engine, expire_on_commit=False, info={"database": self}
        )
        # Committed changes are announced here (see notifications.py); on PostgreSQL a
        # listener, started by the app, feeds it from every process's NOTIFYs.
        self.bus = Bus()
        self._listener: Listener | None = None

    async def listen(self) -> None:
        """Receive other processes' announcements (PostgreSQL; SQLite is one process)."""
        if not self.is_sqlite and self._listener is None:
            self._listener = Listener(asyncpg_dsn(self.engine.url), self.bus)
            self._listener.start()

    async def wait_listening(self) -> None:
        """Until the LISTEN connection is up (callers bound the wait with asyncio.timeout)."""
        if self._listener is not None:
            await self._listener.connected.wait()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One session, one transaction: committed on success, rolled back on any error."""
        async with self.sessionmaker() as session, session.begin():
            if self.is_sqlite:
                await session.connection(execution_options={IMMEDIATE: True})
            yield session

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A short session for reads (one per loader batch or resolver, never shared)."""
        async with self.sessionmaker() as session:
            yield session

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.connect() as connection:
            yield connection

    async def dispose(self) -> None:
        if self._listener is not None:
            await self._listener.stop()
            self._listener = None
        await self.engine.dispose()
