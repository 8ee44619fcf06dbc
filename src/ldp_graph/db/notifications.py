"""Announcements of committed changes, fanned out to this process's subscribers.

An announcement is made inside the transaction of the change it announces and delivered only
if that transaction commits. On PostgreSQL it is a NOTIFY, which PostgreSQL itself delivers on
commit to every process LISTENing (so several server processes share one stream); each process
keeps one LISTEN connection and fans notifications out locally. On SQLite (one process) a
session `after_commit` hook hands them to the local bus.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

CHANNEL = "ldp_events"
QUEUE_SIZE = 1000
_PENDING = "ldp_pending_announcements"
log = logging.getLogger(__name__)


class Bus:
    """In-process fan-out: each subscriber has a bounded queue; a full queue drops its oldest."""

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[dict[str, Any]]] = set()

    def deliver(self, payload: dict[str, Any]) -> None:
        for queue in list(self._queues):
            if queue.full():
                queue.get_nowait()  # a stalled subscriber loses old news, not the server
            queue.put_nowait(payload)

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_SIZE)
        self._queues.add(queue)
        try:
            yield queue
        finally:
            self._queues.discard(queue)

    @property
    def subscribers(self) -> int:
        return len(self._queues)


async def announce(
    session: AsyncSession, bus: Bus, is_sqlite: bool, payload: dict[str, Any]
) -> None:
    """Announce `payload` when (and only if) `session`'s transaction commits."""
    if not is_sqlite:
        text = json.dumps(payload, default=str)
        await session.execute(sa.select(sa.func.pg_notify(CHANNEL, text)))
        return
    pending: list[dict[str, Any]] | None = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = []
        sync_session = session.sync_session

        def deliver(_session: Any) -> None:
            for item in session.info.pop(_PENDING, []):
                bus.deliver(item)

        def forget(_session: Any, _transaction: Any) -> None:
            session.info.pop(_PENDING, None)

        event.listen(sync_session, "after_commit", deliver, once=True)
        event.listen(sync_session, "after_soft_rollback", forget, once=True)
    pending.append(payload)


class Listener:
    """One LISTEN connection per process on PostgreSQL, reconnecting when it drops."""

    def __init__(self, dsn: str, bus: Bus, retry_seconds: float = 2.0) -> None:
        self._dsn = dsn
        self._bus = bus
        self._retry = retry_seconds
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="ldp-listen")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def _on_notify(self, _conn: Any, _pid: int, _channel: str, text: str) -> None:
        try:
            self._bus.deliver(json.loads(text))
        except ValueError:
            log.warning("ignored a malformed notification on %s", CHANNEL)

    async def _run(self) -> None:
        import asyncpg

        while True:
            connection = None
            try:
                connection = await asyncpg.connect(self._dsn)
                closed = asyncio.Event()
                connection.add_termination_listener(lambda _conn, done=closed: done.set())
                await connection.add_listener(CHANNEL, self._on_notify)
                self.connected.set()
                await closed.wait()
            except asyncio.CancelledError:
                raise
            except Exception:  # the database restarted or the network dropped: retry
                log.warning("LISTEN connection lost; reconnecting", exc_info=True)
            finally:
                self.connected.clear()
                if connection is not None:
                    with contextlib.suppress(Exception):
                        await connection.close()
            await asyncio.sleep(self._retry)


def asyncpg_dsn(url: sa.URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)
