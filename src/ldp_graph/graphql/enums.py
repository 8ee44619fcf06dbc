"""GraphQL enums mirroring the domain enums, each value described for schema readers."""

from __future__ import annotations

from enum import Enum

import strawberry

from ldp_graph.domain.organisations import OrganisationKind as DomainOrganisationKind
from ldp_graph.domain.roles import Role as DomainRole


@strawberry.enum(name="OrganisationKind", description="What sort of body an organisation is.")
class OrganisationKind(Enum):
    COUNCIL = strawberry.enum_value(
        DomainOrganisationKind.COUNCIL.value, description="A local authority that submits returns."
    )
    REQUESTER = strawberry.enum_value(
        DomainOrganisationKind.REQUESTER.value,
        description="A body that asks councils for returns (a national statistics team, say).",
    )
    OTHER = strawberry.enum_value(
        DomainOrganisationKind.OTHER.value,
        description="Another body whose users read published data.",
    )
    PLATFORM = strawberry.enum_value(
        DomainOrganisationKind.PLATFORM.value, description="The platform's own operators."
    )

    def to_domain(self) -> DomainOrganisationKind:
        return DomainOrganisationKind(self.value)


@strawberry.enum(name="Role", description="What a token holder may do.")
class Role(Enum):
    COUNCIL_SUBMITTER = strawberry.enum_value(
        DomainRole.COUNCIL_SUBMITTER.value,
        description="Submits its council's returns and reads its council's data.",
    )
    REQUESTER = strawberry.enum_value(
        DomainRole.REQUESTER.value,
        description="Runs collections, reads what councils submit to them, reviews and publishes.",
    )
    END_USER = strawberry.enum_value(
        DomainRole.END_USER.value, description="Reads published, validated data."
    )
    ADMIN = strawberry.enum_value(
        DomainRole.ADMIN.value, description="Manages organisations, tokens and specifications."
    )
