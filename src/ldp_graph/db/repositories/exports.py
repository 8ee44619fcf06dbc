"""SQL for export links: short-lived, single-purpose download grants, stored as hashes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ldp_graph.db.tables import export_links


async def insert(
    session: AsyncSession,
    *,
    link_id: str,
    token_hash: str,
    organisation_code: str | None,
    role: str | None,
    token_id: str | None,
    params: dict[str, Any],
    created_at: dt.datetime,
    expires_at: dt.datetime,
) -> None:
    await session.execute(
        export_links.insert().values(
            id=link_id,
            token_hash=token_hash,
            organisation_code=organisation_code,
            role=role,
            token_id=token_id,
            params=params,
            created_at=created_at,
            expires_at=expires_at,
        )
    )


async def find(session: AsyncSession, token_hash: str) -> sa.Row | None:
    query = sa.select(export_links).where(export_links.c.token_hash == token_hash)
    return (await session.execute(query)).first()


async def purge_expired(session: AsyncSession, *, now: dt.datetime) -> None:
    """Forget links that have expired: they can no longer be used, and each use is audited."""
    await session.execute(export_links.delete().where(export_links.c.expires_at < now))
