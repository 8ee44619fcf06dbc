"""Organisation: a federation entity keyed by `code`; its queries and admin mutation."""

from __future__ import annotations

from typing import Annotated, Self

import strawberry

from ldp_graph import errors
from ldp_graph.domain.organisations import Organisation as DomainOrganisation
from ldp_graph.graphql.completion_plans import shared
from ldp_graph.graphql.context import Info
from ldp_graph.graphql.enums import OrganisationKind
from ldp_graph.graphql.errors import UserError, to_user_error
from ldp_graph.services import organisations as service


@strawberry.federation.type(
    keys=["code"],
    name="Organisation",
    description="A council, a requester body, another reader, or the platform itself.",
)
class Organisation:
    code: strawberry.ID = strawberry.field(
        description="Stable code: a GSS code such as S12000033 for a council."
    )
    name: str = strawberry.field(description="The organisation's name.")
    kind: OrganisationKind = strawberry.field(description="What sort of body it is.")

    @classmethod
    def from_domain(cls, organisation: DomainOrganisation) -> Self:
        return cls(
            code=strawberry.ID(organisation.code),
            name=organisation.name,
            kind=OrganisationKind(organisation.kind.value),
        )

    @classmethod
    async def resolve_reference(cls, info: Info, code: strawberry.ID) -> Self | None:
        found = await info.context.loaders.organisation_by_code.load(code)
        return cls.from_domain(found) if found else None


# One Organisation value per domain organisation, registered as shared (execution.py): a page
# of records names a handful of councils thousands of times, and each is completed once per
# selection. Organisations are only ever added, never changed, and few, so the values are
# kept for the life of the process.
_SHARED_VALUES: dict[DomainOrganisation, Organisation] = {}


def shared_organisation(organisation: DomainOrganisation) -> Organisation:
    """The shared, immutable Organisation of `organisation` (see above)."""
    value = _SHARED_VALUES.get(organisation)
    if value is None:
        value = _SHARED_VALUES[organisation] = Organisation.from_domain(organisation)
        shared(value)
    return value


@strawberry.type
class OrganisationQueries:
    @strawberry.field(description="Every organisation, by name; optionally only one kind.")
    async def organisations(
        self,
        info: Info,
        kind: Annotated[
            OrganisationKind | None, strawberry.argument(description="Only this kind.")
        ] = None,
    ) -> list[Organisation]:
        found = await service.list_organisations(
            info.context.database, info.context.principal, kind.to_domain() if kind else None
        )
        return [Organisation.from_domain(o) for o in found]

    @strawberry.field(description="One organisation by its code, or null if there is none.")
    async def organisation(
        self,
        info: Info,
        code: Annotated[strawberry.ID, strawberry.argument(description="Its code.")],
    ) -> Organisation | None:
        found = await info.context.loaders.organisation_by_code.load(code)
        return Organisation.from_domain(found) if found else None


@strawberry.input(description="A new organisation to register.")
class CreateOrganisationInput:
    code: str = strawberry.field(description="2-32 capital letters, digits or hyphens.")
    name: str = strawberry.field(description="The organisation's name.")
    kind: OrganisationKind = strawberry.field(
        description="REQUESTER or OTHER; councils and the platform are built in."
    )


@strawberry.type(description="The result of createOrganisation.")
class CreateOrganisationPayload:
    organisation: Organisation | None = strawberry.field(
        description="The new organisation, when it was created."
    )
    errors: list[UserError] = strawberry.field(
        description="Why it was not created; empty on success."
    )


@strawberry.type
class OrganisationMutations:
    @strawberry.mutation(description="Register a requester or other organisation (admins only).")
    async def create_organisation(
        self,
        info: Info,
        input: Annotated[
            CreateOrganisationInput, strawberry.argument(description="The organisation.")
        ],
    ) -> CreateOrganisationPayload:
        try:
            created = await service.create_organisation(
                info.context.database,
                info.context.principal,
                code=input.code,
                name=input.name,
                kind=input.kind.to_domain(),
            )
        except errors.DomainError as exc:
            return CreateOrganisationPayload(organisation=None, errors=[to_user_error(exc)])
        return CreateOrganisationPayload(organisation=Organisation.from_domain(created), errors=[])
