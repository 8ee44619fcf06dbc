"""Demo data for `scripts/serve`: a small, realistic platform state, loaded idempotently."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ldp_graph.auth.principal import OPERATOR, Principal
from ldp_graph.db.engine import Database
from ldp_graph.db.repositories import collections as collection_repository
from ldp_graph.db.repositories import organisations as organisation_repository
from ldp_graph.domain.organisations import Organisation, OrganisationKind
from ldp_graph.domain.roles import Role
from ldp_graph.services import collections, organisations, submissions, tokens
from ldp_graph.specs.registry import SpecRegistry
from ldp_graph.synthetic import generate

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


DEMO_COLLECTION_TITLE = "Children Looked After Statistics 2025-26"
# The story the demo tells, one council per step of the flow (councils by GSS code).
DEMO_CLEAN = ("S12000036", "S12000033", "S12000034")  # Edinburgh, Aberdeen, Aberdeenshire
DEMO_FAILING = "S12000041"  # Angus: its return fails pre-validation and waits to be fixed
DEMO_FIXED = "S12000035"  # Argyll and Bute: failed first, fixed by a second version
DEMO_NOT_YET = ("S12000005", "S12000006")  # Clackmannanshire, Dumfries and Galloway
DEMO_CHILDREN = 60


async def load(database: Database, registry: SpecRegistry | None = None) -> int:
    """Add whatever of the demo data is missing; return how many organisations were added.

    With a spec registry, also the story of a CLAS collection in mid-flight (once).
    """
    added = await organisations.ensure_reference_organisations(database)
    async with database.transaction() as session:
        added += await organisation_repository.insert_missing(
            session, (DEMO_REQUESTER, DEMO_GRANTEE, DEMO_READERS)
        )
    if registry is not None:
        await _load_story(database, registry)
    return added


def _acting(organisation: Organisation, role: Role) -> Principal:
    # The demo loader acts as each party would through the API, so the audit log reads true.
    return Principal(organisation=organisation, role=role)


async def _load_story(database: Database, registry: SpecRegistry) -> None:
    async with database.read() as session:
        existing = await collection_repository.list_between(
            session, start=None, end=None, owner_code=DEMO_REQUESTER.code
        )
    if any(c.title == DEMO_COLLECTION_TITLE for c in existing):
        return
    spec = registry.get("clas", "2025-26")
    if spec is None:
        return
    requester = _acting(DEMO_REQUESTER, Role.REQUESTER)
    today = dt.date.today()
    councils = (*DEMO_CLEAN, DEMO_FAILING, DEMO_FIXED, *DEMO_NOT_YET)
    collection = await collections.create_collection(
        database,
        registry,
        requester,
        collections.CollectionDraft(
            spec_id=spec.id,
            spec_version=spec.version,
            title=DEMO_COLLECTION_TITLE,
            council_codes=councils,
            opens_on=today - dt.timedelta(days=30),
            due_on=today + dt.timedelta(days=45),
            purpose=(
                "Annual national statistics on children looked after, their placements and "
                "outcomes (Children's Social Work Statistics, Scotland)."
            ),
            legal_basis=(
                "Section 16 of the Children (Scotland) Act 1995 and the Statistics and "
                "Registration Service Act 2007."
            ),
        ),
    )
    by_code = {c.code: c for c in organisations.scottish_councils()}

    async def submit(council: str, error_rate: float, seed: int) -> None:
        (generated,) = generate(
            spec,
            councils=[council],
            children_per_council=DEMO_CHILDREN,
            error_rate=error_rate,
            seed=seed,
        )
        await submissions.submit_return(
            database,
            registry,
            _acting(by_code[council], Role.COUNCIL_SUBMITTER),
            collection_id=collection.id,
            records=generated.records,
        )

    for council in DEMO_CLEAN:
        await submit(council, 0.0, 1)
    await submit(DEMO_FAILING, 0.1, 2)
    await submit(DEMO_FIXED, 0.1, 3)
    await submit(DEMO_FIXED, 0.0, 3)


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
