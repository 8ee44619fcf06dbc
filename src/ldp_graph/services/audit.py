"""Writing audit events, always inside the transaction of what they record."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ldp_graph.auth.principal import Principal
from ldp_graph.db.repositories import audit as audit_repository


async def record(
    session: AsyncSession,
    principal: Principal,
    operation: str,
    *,
    subject_organisation_code: str | None = None,
    collection_id: str | None = None,
    record_count: int | None = None,
    **detail: Any,
) -> None:
    """Append an audit event in `session`'s transaction: if it fails, the operation fails."""
    await audit_repository.append(
        session,
        operation=operation,
        actor_organisation_code=principal.organisation_code,
        actor_role="operator" if principal.is_operator else (principal.role or None),
        actor_token_id=principal.token_id,
        subject_organisation_code=subject_organisation_code,
        collection_id=collection_id,
        record_count=record_count,
        detail=detail,
    )
