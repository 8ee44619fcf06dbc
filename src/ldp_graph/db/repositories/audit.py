"""SQL for the append-only audit log: inserts and reads, never updates or deletes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ldp_graph.db.tables import audit_events


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
