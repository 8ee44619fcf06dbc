"""Grants, publication and suppressed aggregates in GraphQL."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Self

import strawberry

from ldp_graph import errors
from ldp_graph.domain.grants import AccessLevel
from ldp_graph.domain.grants import Grant as DomainGrant
from ldp_graph.graphql.collections import Collection
from ldp_graph.graphql.context import Info
from ldp_graph.graphql.enums import SubmissionState
from ldp_graph.graphql.errors import UserError, to_user_error
from ldp_graph.graphql.organisations import Organisation
from ldp_graph.services import aggregates, grants, publication


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


@strawberry.type(description="One dimension's value of a cell; null code marks a total.")
class DimensionValue:
    dimension: str = strawberry.field(description="council, or a code-list field.")
    code: str | None = strawberry.field(description="The value; null in a total over it.")
    label: str | None = strawberry.field(description="The council's name or the code's label.")


@strawberry.type(description="One count of an aggregate table.")
class AggregateCell:
    values: list[DimensionValue] = strawberry.field(description="Its place in the table.")
    is_total: bool = strawberry.field(description="True for a total over a dimension.")
    count: int | None = strawberry.field(description="The count; null when suppressed.")
    suppressed: bool = strawberry.field(description="True when the count is hidden.")
    reason: str | None = strawberry.field(description="Why it is hidden, when it is.")


@strawberry.type(description="Counts by council and code-list fields, small cells suppressed.")
class AggregateTable:
    entity: str = strawberry.field(description="The entity counted.")
    dimensions: list[str] = strawberry.field(description="What it counts by.")
    threshold: int = strawberry.field(description="Counts below this (and above 0) are hidden.")
    submissions_counted: int = strawberry.field(description="Councils' versions counted.")
    cells: list[AggregateCell] = strawberry.field(
        description="Cells, then totals over each dimension, then the grand total."
    )


async def resolve_aggregate(
    collection: Collection,
    info: Info,
    entity: str,
    by: list[str],
    councils: list[str] | None,
) -> AggregateTable:
    found = await aggregates.aggregate(
        info.context.database,
        info.context.specs,
        info.context.principal,
        collection.domain,
        entity=entity,
        by=by,
        council_codes=councils,
    )
    names: dict[str, str] = {}
    if aggregates.COUNCIL in by:
        codes = sorted({c.key[by.index(aggregates.COUNCIL)] for c in found.table.cells} - {None})
        for org in await info.context.loaders.organisation_by_code.load_many(codes):
            if org is not None:
                names[org.code] = org.name

    def label(dimension: str, code: str | None) -> str | None:
        if code is None:
            return None
        if dimension == aggregates.COUNCIL:
            return names.get(code)
        return found.labels[dimension].get(code)

    cells = [
        AggregateCell(
            values=[
                DimensionValue(dimension=d, code=cell.key[i], label=label(d, cell.key[i]))
                for i, d in enumerate(by)
            ],
            is_total=cell.is_total or not by,
            count=cell.count,
            suppressed=cell.suppressed,
            reason=cell.reason,
        )
        for cell in found.table.cells
    ]
    return AggregateTable(
        entity=entity,
        dimensions=list(by),
        threshold=found.table.threshold,
        submissions_counted=found.submissions_counted,
        cells=cells,
    )


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


@strawberry.input(description="A collection to publish.")
class PublishCollectionInput:
    collection_id: strawberry.ID = strawberry.field(description="The collection.")


@strawberry.type(description="The result of createGrant or revokeGrant.")
class GrantPayload:
    grant: Grant | None = strawberry.field(description="The grant after the change.")
    errors: list[UserError] = strawberry.field(description="Why nothing changed.")


@strawberry.type(description="The result of publishCollection.")
class PublishCollectionPayload:
    collection: Collection | None = strawberry.field(description="The collection.")
    published_submissions: int = strawberry.field(description="Submissions published now.")
    errors: list[UserError] = strawberry.field(description="Why nothing was published.")


@strawberry.type
class PublicationMutations:
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

    @strawberry.mutation(description="Publish every validated submission for end users (owner).")
    async def publish_collection(
        self,
        info: Info,
        input: Annotated[
            PublishCollectionInput, strawberry.argument(description="The collection.")
        ],
    ) -> PublishCollectionPayload:
        try:
            found, count = await publication.publish_collection(
                info.context.database, info.context.principal, collection_id=input.collection_id
            )
        except errors.DomainError as exc:
            return PublishCollectionPayload(
                collection=None, published_submissions=0, errors=[to_user_error(exc)]
            )
        return PublishCollectionPayload(
            collection=Collection.from_domain(found), published_submissions=count, errors=[]
        )
