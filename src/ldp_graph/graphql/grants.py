"""Grants in GraphQL: the owner shares a collection's rows or counts, field by field."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Self

import strawberry

from ldp_graph import errors
from ldp_graph.domain.grants import AccessLevel
from ldp_graph.domain.grants import Grant as DomainGrant
from ldp_graph.graphql.context import Info
from ldp_graph.graphql.enums import SubmissionState
from ldp_graph.graphql.errors import UserError, to_user_error
from ldp_graph.graphql.organisations import Organisation
from ldp_graph.services import grants


@strawberry.enum(description="How much of a collection's data a grant shares.")
class GrantLevel(enum.Enum):
    RECORDS = strawberry.enum_value(
        "records", description="Record-level rows of the granted fields (and counts)."
    )
    AGGREGATES = strawberry.enum_value(
        "aggregates", description="Counts with small cells suppressed; never rows."
    )

    def to_domain(self) -> AccessLevel:
        return AccessLevel[self.name]


@strawberry.type(description="A data-sharing permission on a collection.")
class Grant:
    id: strawberry.ID = strawberry.field(description="The grant's id.")
    level: GrantLevel = strawberry.field(description="Rows or counts only.")
    fields: list[str] | None = strawberry.field(
        description="The entity.field names shared; null shares every field."
    )
    min_state: SubmissionState = strawberry.field(
        description="Submissions are shared once they reach this state."
    )
    created_at: dt.datetime = strawberry.field(description="When it was granted.")
    revoked_at: dt.datetime | None = strawberry.field(description="When it was revoked.")
    grantee_code: strawberry.Private[str]

    @classmethod
    def from_domain(cls, grant: DomainGrant) -> Self:
        return cls(
            id=strawberry.ID(grant.id),
            level=GrantLevel[grant.level.name],
            fields=sorted(grant.fields) if grant.fields is not None else None,
            min_state=SubmissionState.from_domain(grant.min_state),
            created_at=grant.created_at,
            revoked_at=grant.revoked_at,
            grantee_code=grant.grantee_code,
        )

    @strawberry.field(description="The organisation the data is shared with.")
    async def grantee(self, info: Info) -> Organisation:
        found = await info.context.loaders.organisation_by_code.load(self.grantee_code)
        assert found is not None
        return Organisation.from_domain(found)


@strawberry.input(description="Share a collection's data with another organisation.")
class CreateGrantInput:
    collection_id: strawberry.ID = strawberry.field(description="The collection.")
    grantee: str = strawberry.field(description="The organisation's code.")
    level: GrantLevel = strawberry.field(description="Rows or counts only.")
    fields: list[str] | None = strawberry.field(
        default=None, description="entity.field names to share; null shares every field."
    )
    min_state: SubmissionState = strawberry.field(
        default=SubmissionState.VALIDATED,
        description="Share submissions from this state on: VALIDATED or PUBLISHED.",
    )


@strawberry.input(description="A grant to revoke.")
class RevokeGrantInput:
    grant_id: strawberry.ID = strawberry.field(description="The grant.")


@strawberry.type(description="The result of createGrant or revokeGrant.")
class GrantPayload:
    grant: Grant | None = strawberry.field(description="The grant after the change.")
    errors: list[UserError] = strawberry.field(description="Why nothing changed.")


@strawberry.type
class GrantMutations:
    @strawberry.mutation(description="Share a collection's data with another body (owner).")
    async def create_grant(
        self,
        info: Info,
        input: Annotated[CreateGrantInput, strawberry.argument(description="The grant.")],
    ) -> GrantPayload:
        try:
            found = await grants.create_grant(
                info.context.database,
                info.context.specs,
                info.context.principal,
                collection_id=input.collection_id,
                grantee_code=input.grantee,
                level=input.level.to_domain(),
                fields=input.fields,
                min_state=input.min_state.to_domain(),
            )
        except errors.DomainError as exc:
            return GrantPayload(grant=None, errors=[to_user_error(exc)])
        return GrantPayload(grant=Grant.from_domain(found), errors=[])

    @strawberry.mutation(description="Stop sharing (owner).")
    async def revoke_grant(
        self,
        info: Info,
        input: Annotated[RevokeGrantInput, strawberry.argument(description="The grant.")],
    ) -> GrantPayload:
        try:
            found = await grants.revoke_grant(
                info.context.database, info.context.principal, grant_id=input.grant_id
            )
        except errors.DomainError as exc:
            return GrantPayload(grant=None, errors=[to_user_error(exc)])
        return GrantPayload(grant=Grant.from_domain(found), errors=[])
