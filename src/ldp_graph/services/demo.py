"""Demo data for `scripts/serve`: a small, realistic platform state, loaded idempotently."""

from __future__ import annotations

from dataclasses import dataclass

from ldp_graph.auth.principal import OPERATOR
from ldp_graph.db.engine import Database
from ldp_graph.db.repositories import organisations as organisation_repository
from ldp_graph.domain.organisations import Organisation, OrganisationKind
from ldp_graph.domain.roles import Role
from ldp_graph.services import organisations, tokens

DEMO_TOKEN_LABEL = "demo"  # noqa: S105 - a label, not a secret
DEMO_TOKEN_DAYS = 30

DEMO_REQUESTER = Organisation(
    "SG-CSWS",
    "Scottish Government Children's Social Work Statistics",
    OrganisationKind.REQUESTER,
)
DEMO_GRANTEE = Organisation("CARE-INSPECTORATE", "Care Inspectorate", OrganisationKind.REQUESTER)
DEMO_READERS = Organisation("DEMO-RESEARCH", "Demo research readers", OrganisationKind.OTHER)
DEMO_COUNCIL_CODE = "S12000036"  # City of Edinburgh

DEMO_TOKEN_HOLDERS: tuple[tuple[Role, str], ...] = (
    (Role.COUNCIL_SUBMITTER, DEMO_COUNCIL_CODE),
    (Role.REQUESTER, DEMO_REQUESTER.code),
    (Role.END_USER, DEMO_READERS.code),
    (Role.ADMIN, organisations.PLATFORM.code),
)


async def load(database: Database) -> int:
    """Add whatever of the demo data is missing; return how many organisations were added."""
    added = await organisations.ensure_reference_organisations(database)
    async with database.transaction() as session:
        added += await organisation_repository.insert_missing(
            session, (DEMO_REQUESTER, DEMO_GRANTEE, DEMO_READERS)
        )
    return added


@dataclass(frozen=True, slots=True)
class DemoToken:
    role: Role
    organisation: Organisation
    secret: str


async def issue_tokens(database: Database) -> list[DemoToken]:
    """Revoke earlier demo tokens and issue one fresh token per role."""
    await tokens.revoke_labelled(database, OPERATOR, DEMO_TOKEN_LABEL)
    issued = []
    for role, organisation_code in DEMO_TOKEN_HOLDERS:
        token = await tokens.create_token(
            database,
            OPERATOR,
            organisation_code=organisation_code,
            role=role,
            expires_in_days=DEMO_TOKEN_DAYS,
            label=DEMO_TOKEN_LABEL,
        )
        issued.append(DemoToken(role, token.stored.organisation, token.secret))
    return issued
