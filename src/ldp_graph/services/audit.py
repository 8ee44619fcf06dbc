"""Writing audit events, always inside the transaction of what they record."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ldp_graph.auth import policy
from ldp_graph.auth.principal import Principal
from ldp_graph.db.engine import Database
from ldp_graph.db.repositories import audit as audit_repository
from ldp_graph.errors import InvalidInput
from ldp_graph.services import events


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
    """Append an audit event in `session`'s transaction: if it fails, the operation fails.

    A state change that subscribers follow is announced too, delivered once it commits.
    """
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
    await events.announce(
        session,
        principal,
        operation,
        collection_id=collection_id,
        council_code=subject_organisation_code,
        detail=detail,
    )


async def list_events(
    database: Database,
    principal: Principal,
    *,
    operation: str | None,
    collection_id: str | None,
    council_code: str | None,
    offset: int,
    limit: int,
    max_page: int,
) -> tuple[list[audit_repository.AuditEvent], int]:
    """Who read or changed what, newest first, as far as `principal` may see.

    `max_page` is the deployment's page limit (settings.max_page_size).
    """
    scope = policy.audit_scope(principal)
    if not 1 <= limit <= max_page:
        raise InvalidInput(f"first must be 1 to {max_page}.", field="first")
    async with database.read() as session:
        return await audit_repository.list_events(
            session,
            scope=scope,
            operation=operation,
            collection_id=collection_id,
            council_code=council_code,
            offset=offset,
            limit=limit,
        )
