"""auditEvents: who read or changed what, when, through which operation."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from ldp_graph.graphql.context import Info
from ldp_graph.graphql.organisations import Organisation
from ldp_graph.graphql.pagination import PageInfo, cursor, offset_after
from ldp_graph.services import audit


@strawberry.type(description="One entry of the append-only audit log.")
class AuditEvent:
    occurred_at: dt.datetime = strawberry.field(description="When.")
    operation: str = strawberry.field(description="What, e.g. records.read, submission.submit.")
    actor_role: str | None = strawberry.field(description="The role of whoever did it.")
    actor_token_id: str | None = strawberry.field(description="The token used, by id.")
    collection_id: strawberry.ID | None = strawberry.field(description="The collection concerned.")
    record_count: int | None = strawberry.field(description="Records read or written.")
    detail: JSON = strawberry.field(description="The operation's particulars (never data).")
    actor_code: strawberry.Private[str | None]
    subject_code: strawberry.Private[str | None]

    @strawberry.field(description="The organisation that acted.")
    async def actor(self, info: Info) -> Organisation | None:
        return await _organisation(info, self.actor_code)

    @strawberry.field(description="The organisation whose data or account it concerns.")
    async def subject(self, info: Info) -> Organisation | None:
        return await _organisation(info, self.subject_code)


async def _organisation(info: Info, code: str | None) -> Organisation | None:
    if code is None:
        return None
    found = await info.context.loaders.organisation_by_code.load(code)
    return Organisation.from_domain(found) if found else None


@strawberry.type(description="A page of audit events, newest first.")
class AuditEventConnection:
    nodes: list[AuditEvent] = strawberry.field(description="The events.")
    page_info: PageInfo = strawberry.field(description="Where this page sits.")
    total_count: int = strawberry.field(description="Events matching, over all pages.")


@strawberry.type
class AuditQueries:
    @strawberry.field(
        description=(
            "The audit log: a council sees who read or changed its data, a requester the "
            "events of its collections, admins everything. Anonymous callers are refused."
        )
    )
    async def audit_events(
        self,
        info: Info,
        first: Annotated[
            int,
            strawberry.argument(
                description="Page size, 1 to the server's maximum (100 unless set)."
            ),
        ] = 50,
        after: Annotated[
            str | None, strawberry.argument(description="The previous page's endCursor.")
        ] = None,
        operation: Annotated[
            str | None, strawberry.argument(description="Only this operation.")
        ] = None,
        collection_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Only this collection.")
        ] = None,
        council: Annotated[
            str | None, strawberry.argument(description="Only events about this council.")
        ] = None,
    ) -> AuditEventConnection:
        offset = offset_after(after)
        found, total = await audit.list_events(
            info.context.database,
            info.context.principal,
            operation=operation,
            collection_id=collection_id,
            council_code=council,
            offset=offset,
            limit=first,
            max_page=info.context.settings.max_page_size,
        )
        nodes = [
            AuditEvent(
                occurred_at=e.occurred_at,
                operation=e.operation,
                actor_role=e.actor_role,
                actor_token_id=e.actor_token_id,
                collection_id=strawberry.ID(e.collection_id) if e.collection_id else None,
                record_count=e.record_count,
                detail=e.detail,
                actor_code=e.actor_organisation_code,
                subject_code=e.subject_organisation_code,
            )
            for e in found
        ]
        return AuditEventConnection(
            nodes=nodes,
            page_info=PageInfo(
                has_next_page=offset + len(nodes) < total,
                end_cursor=cursor(offset + len(nodes) - 1) if nodes else None,
            ),
            total_count=total,
        )
