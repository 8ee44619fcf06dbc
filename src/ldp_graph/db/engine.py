"""The database handle: one async engine and its sessionmaker, owned by the app's lifespan."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
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


class _OperationReads:
    """The read session one GraphQL operation's small reads share (see `Database.shared_read`).

    Opened by the first read that asks for it, lent to one reader at a time, closed when the
    operation ends. Once the operation opens any other session (a write transaction, or a
    `read` of its own such as a record page's) the shared one is retired: a read that begins
    after a write must see it, and an operation must never hold one pooled connection while
    it waits for another (enough such operations at once would take every connection of the
    pool and wait on each other until the pool's timeout).
    """

    __slots__ = ("database", "lock", "session", "shared")

    def __init__(self, database: Database) -> None:
        self.database = database
        self.lock = asyncio.Lock()
        self.session: AsyncSession | None = None
        self.shared = True

    async def close(self) -> None:
        session, self.session = self.session, None
        if session is not None:
            await session.close()

    async def retire(self) -> None:
        """Lend the session no more, and give its connection back now unless a reader holds
        it (that reader closes it when it is done)."""
        self.shared = False
        if not self.lock.locked():
            await self.close()


_operation_reads: ContextVar[_OperationReads | None] = ContextVar(
    "ldp_operation_reads", default=None
)


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
        await self._retire_shared_reads()  # later reads of this operation must see this write
        async with self.sessionmaker() as session, session.begin():
            if self.is_sqlite:
                await session.connection(execution_options={IMMEDIATE: True})
            yield session

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A short session for reads (one per loader batch or resolver, never shared)."""
        await self._retire_shared_reads()
        async with self.sessionmaker() as session:
            yield session

    @asynccontextmanager
    async def operation_reads(self) -> AsyncIterator[None]:
        """Inside: `shared_read` lends every caller one session, in turn (one operation's)."""
        reads = _OperationReads(self)
        token = _operation_reads.set(reads)
        try:
            yield
        finally:
            _operation_reads.reset(token)
            await reads.close()

    @asynccontextmanager
    async def shared_read(self) -> AsyncIterator[AsyncSession]:
        """A session for a small read: inside `operation_reads`, the one the operation's reads
        share (one BEGIN and ROLLBACK, one pooled connection, one snapshot on SQLite for all
        of them), lent to one caller at a time; elsewhere, or once the operation has opened
        another session (a write, or a `read` of its own), a short session of its own as
        `read` gives. Not for long reads: others wait on it."""
        reads = _operation_reads.get()
        if reads is not None and reads.database is self and reads.shared:
            async with reads.lock:
                if reads.shared:  # not retired while this reader waited its turn
                    if reads.session is None:
                        reads.session = self.sessionmaker()
                    try:
                        yield reads.session
                    except BaseException:
                        # A failed statement may leave the transaction unusable (PostgreSQL
                        # aborts it): the next reader starts a fresh session.
                        await reads.close()
                        raise
                    finally:
                        if not reads.shared:  # retired while this reader held it
                            await reads.close()
                    return
        async with self.sessionmaker() as session:
            yield session

    async def _retire_shared_reads(self) -> None:
        reads = _operation_reads.get()
        if reads is not None and reads.database is self and reads.shared:
            await reads.retire()

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.connect() as connection:
            yield connection

    async def dispose(self) -> None:
        if self._listener is not None:
            await self._listener.stop()
            self._listener = None
        await self.engine.dispose()
