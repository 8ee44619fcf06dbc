"""SQL for idempotency keys: one row per (principal, key), kept so retries get the first result."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ldp_graph.db.tables import idempotency_keys


async def find(
    session: AsyncSession, principal: str, key: str, *, created_since: dt.datetime
) -> sa.Row | None:
    """The principal's key, unless it was created before `created_since` (it has lapsed)."""
    return (
        await session.execute(
            sa.select(idempotency_keys).where(
                idempotency_keys.c.principal == principal,
                idempotency_keys.c.key == key,
                idempotency_keys.c.created_at >= created_since,
            )
        )
    ).first()


async def purge(session: AsyncSession, *, created_before: dt.datetime) -> None:
    """Forget every key created before `created_before`."""
    await session.execute(
        idempotency_keys.delete().where(idempotency_keys.c.created_at < created_before)
    )


async def insert(
    session: AsyncSession,
    *,
    principal: str,
    key: str,
    request_hash: str,
    result_version_id: str,
    when: dt.datetime,
) -> None:
    await session.execute(
        idempotency_keys.insert().values(
            principal=principal,
            key=key,
            request_hash=request_hash,
            result_version_id=result_version_id,
            created_at=when,
        )
    )
