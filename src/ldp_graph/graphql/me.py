"""`me`: who the caller is, as the platform sees it."""

from __future__ import annotations

import strawberry

from ldp_graph.graphql.context import Info
from ldp_graph.graphql.enums import Role
from ldp_graph.graphql.organisations import Organisation


@strawberry.type(description="The authenticated caller: its organisation and role.")
class Me:
    organisation: Organisation = strawberry.field(description="The organisation it acts for.")
    role: Role = strawberry.field(description="What it may do.")


@strawberry.type
class MeQueries:
    @strawberry.field(description="The caller, or null when the request carries no token.")
    def me(self, info: Info) -> Me | None:
        principal = info.context.principal
        if principal.organisation is None or principal.role is None:
            return None
        return Me(
            organisation=Organisation.from_domain(principal.organisation),
            role=Role(principal.role.value),
        )
