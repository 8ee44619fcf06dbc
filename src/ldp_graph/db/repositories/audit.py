"""SQL for the append-only audit log: inserts and reads, never updates or deletes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ldp_graph.db.tables import audit_events, collections


async def append(
    session: AsyncSession,
    *,
    operation: str,
    actor_organisation_code: str | None,
    actor_role: str | None,
    actor_token_id: str | None,
    subject_organisation_code: str | None,
    collection_id: str | None,
    record_count: int | None,
    detail: dict[str, Any],
) -> None:
    await session.execute(
        audit_events.insert().values(
            occurred_at=datetime.now(UTC),
            operation=operation,
            actor_organisation_code=actor_organisation_code,
            actor_role=actor_role,
            actor_token_id=actor_token_id,
            subject_organisation_code=subject_organisation_code,
            collection_id=collection_id,
            record_count=record_count,
            detail=detail,
        )
    )


@dataclass(frozen=True, slots=True)
class AuditEvent:
    id: int
    occurred_at: datetime
    actor_organisation_code: str | None
    actor_role: str | None
    actor_token_id: str | None
    operation: str
    subject_organisation_code: str | None
    collection_id: str | None
    record_count: int | None
    detail: dict[str, Any]


async def list_events(
    session: AsyncSession,
    *,
    scope: str | None,
    operation: str | None = None,
    collection_id: str | None = None,
    council_code: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[AuditEvent], int]:
    """Newest first. `scope` limits to what concerns one organisation: its own actions, events
    about it (its council's data), and events of collections it owns; None means all."""
    conditions = []
    if scope is not None:
        owned = sa.select(collections.c.id).where(collections.c.owner_code == scope)
        conditions.append(
            sa.or_(
                audit_events.c.actor_organisation_code == scope,
                audit_events.c.subject_organisation_code == scope,
                audit_events.c.collection_id.in_(owned),
            )
        )
    if operation is not None:
        conditions.append(audit_events.c.operation == operation)
    if collection_id is not None:
        conditions.append(audit_events.c.collection_id == collection_id)
    if council_code is not None:
        conditions.append(audit_events.c.subject_organisation_code == council_code)
    where = sa.and_(sa.true(), *conditions)
    total = (
        await session.execute(sa.select(sa.func.count()).select_from(audit_events).where(where))
    ).scalar_one()
    rows = await session.execute(
        sa.select(audit_events)
        .where(where)
        .order_by(audit_events.c.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return [
        AuditEvent(
            id=r.id,
            occurred_at=r.occurred_at,
            actor_organisation_code=r.actor_organisation_code,
            actor_role=r.actor_role,
            actor_token_id=r.actor_token_id,
            operation=r.operation,
            subject_organisation_code=r.subject_organisation_code,
            collection_id=r.collection_id,
            record_count=r.record_count,
            detail=r.detail,
        )
        for r in rows
    ], total
