"""SQL for grants: data-sharing permissions on a collection."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ldp_graph.db.tables import grants
from ldp_graph.domain.grants import AccessLevel, Grant
from ldp_graph.domain.submissions import SubmissionState


def _grant(row: sa.Row) -> Grant:
    return Grant(
        id=row.id,
        collection_id=row.collection_id,
        grantee_code=row.grantee_code,
        level=AccessLevel[row.level.upper()],
        fields=frozenset(row.fields) if row.fields is not None else None,
        min_state=SubmissionState(row.min_state),
        created_by_code=row.created_by_code,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
    )


async def insert(session: AsyncSession, grant: Grant) -> None:
    await session.execute(
        grants.insert().values(
            id=grant.id,
            collection_id=grant.collection_id,
            grantee_code=grant.grantee_code,
            level=grant.level.name.lower(),
            fields=sorted(grant.fields) if grant.fields is not None else None,
            min_state=grant.min_state.value,
            created_by_code=grant.created_by_code,
            created_at=grant.created_at,
            revoked_at=grant.revoked_at,
        )
    )


async def active_for(
    session: AsyncSession, collection_ids: Sequence[str], grantee_code: str | None
) -> dict[str, list[Grant]]:
    """Unrevoked grants to `grantee_code` on each collection (none for anonymous callers)."""
    found: dict[str, list[Grant]] = {c: [] for c in collection_ids}
    if grantee_code is None or not collection_ids:
        return found
    rows = await session.execute(
        sa.select(grants).where(
            grants.c.collection_id.in_(collection_ids),
            grants.c.grantee_code == grantee_code,
            grants.c.revoked_at.is_(None),
        )
    )
    for row in rows:
        found[row.collection_id].append(_grant(row))
    return found


async def list_for_collections(
    session: AsyncSession, collection_ids: Sequence[str]
) -> dict[str, list[Grant]]:
    """Every grant (revoked ones too) on each collection, oldest first."""
    found: dict[str, list[Grant]] = {c: [] for c in collection_ids}
    rows = await session.execute(
        sa.select(grants)
        .where(grants.c.collection_id.in_(collection_ids))
        .order_by(grants.c.created_at, grants.c.id)
    )
    for row in rows:
        found[row.collection_id].append(_grant(row))
    return found


async def get(session: AsyncSession, grant_id: str) -> Grant | None:
    row = (await session.execute(sa.select(grants).where(grants.c.id == grant_id))).first()
    return _grant(row) if row else None


async def revoke(session: AsyncSession, grant_id: str, when: dt.datetime) -> None:
    await session.execute(grants.update().where(grants.c.id == grant_id).values(revoked_at=when))
