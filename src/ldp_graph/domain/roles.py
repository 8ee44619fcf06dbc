"""The roles a token can carry, and which kinds of organisation may hold each."""

from __future__ import annotations

import enum

from ldp_graph.domain.organisations import OrganisationKind


class Role(enum.StrEnum):
    COUNCIL_SUBMITTER = "council_submitter"
    REQUESTER = "requester"
    END_USER = "end_user"
    ADMIN = "admin"


# A role only makes sense inside the right kind of organisation: a council submitter
# speaks for a council, an admin for the platform. End users may belong to anyone.
ROLE_ORGANISATION_KINDS: dict[Role, frozenset[OrganisationKind]] = {
    Role.COUNCIL_SUBMITTER: frozenset({OrganisationKind.COUNCIL}),
    Role.REQUESTER: frozenset({OrganisationKind.REQUESTER}),
    Role.END_USER: frozenset(OrganisationKind),
    Role.ADMIN: frozenset({OrganisationKind.PLATFORM}),
}
