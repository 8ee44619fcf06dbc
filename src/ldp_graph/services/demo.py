"""Demo data for `scripts/serve`: a small, realistic platform state, loaded idempotently."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ldp_graph.auth.principal import OPERATOR, Principal
from ldp_graph.db.engine import Database
from ldp_graph.db.repositories import collections as collection_repository
from ldp_graph.db.repositories import organisations as organisation_repository
from ldp_graph.domain.grants import AccessLevel
from ldp_graph.domain.organisations import Organisation, OrganisationKind
from ldp_graph.domain.roles import Role
from ldp_graph.domain.submissions import SubmissionState
from ldp_graph.services import (
    acceptance,
    collections,
    grants,
    organisations,
    publication,
    review,
    submissions,
    tokens,
)
from ldp_graph.specs.model import ReturnSpec
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
    (Role.REQUESTER, DEMO_GRANTEE.code),
    (Role.END_USER, DEMO_READERS.code),
    (Role.ADMIN, organisations.PLATFORM.code),
)


DEMO_COLLECTION_TITLE = "Children Looked After Statistics 2025-26"
DEMO_LAST_YEAR_TITLE = "Children Looked After Statistics 2024-25"
# The story the demo tells, one council per step of the flow (councils by GSS code).
DEMO_CLEAN = ("S12000036", "S12000033", "S12000034")  # Edinburgh, Aberdeen, Aberdeenshire
DEMO_VALIDATED = "S12000033"  # Aberdeen: reviewed and validated by the requester
DEMO_QUERIED = "S12000034"  # Aberdeenshire: the requester has a data query open with it
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
    this_year = registry.get("clas", "2025-26")
    last_year = registry.get("clas", "2024-25")
    if this_year is None or last_year is None:
        return
    await _last_year_published(database, registry, last_year)
    await _this_year_in_flight(database, registry, this_year)


def _draft(
    spec: ReturnSpec, title: str, councils: tuple[str, ...], opens: dt.date, due: dt.date
) -> collections.CollectionDraft:
    return collections.CollectionDraft(
        spec_id=spec.id,
        spec_version=spec.version,
        title=title,
        council_codes=councils,
        opens_on=opens,
        due_on=due,
        purpose=(
            "Annual national statistics on children looked after, their placements and "
            "outcomes (Children's Social Work Statistics, Scotland)."
        ),
        legal_basis=(
            "Section 16 of the Children (Scotland) Act 1995 and the Statistics and "
            "Registration Service Act 2007."
        ),
    )


async def _submit(
    database: Database,
    registry: SpecRegistry,
    spec: ReturnSpec,
    collection_id: str,
    council: str,
    error_rate: float,
    seed: int,
) -> str:
    by_code = {c.code: c for c in organisations.scottish_councils()}
    (generated,) = generate(
        spec,
        councils=[council],
        children_per_council=DEMO_CHILDREN,
        error_rate=error_rate,
        seed=seed,
    )
    result = await submissions.submit_return(
        database,
        registry,
        _acting(by_code[council], Role.COUNCIL_SUBMITTER),
        collection_id=collection_id,
        records=generated.records,
    )
    return result.submission.id


async def _last_year_published(
    database: Database, registry: SpecRegistry, spec: ReturnSpec
) -> None:
    """Last year's collection, validated and published: what end users can read."""
    requester = _acting(DEMO_REQUESTER, Role.REQUESTER)
    councils = (*DEMO_CLEAN, DEMO_FIXED)
    collection = await collections.create_collection(
        database,
        registry,
        requester,
        _draft(spec, DEMO_LAST_YEAR_TITLE, councils, dt.date(2025, 9, 1), dt.date(2025, 11, 30)),
    )
    for seed, council in enumerate(councils, start=10):
        submission = await _submit(database, registry, spec, collection.id, council, 0.0, seed)
        await acceptance.mark_validated(database, requester, submission_id=submission, version=1)
    await publication.publish_collection(database, requester, collection_id=collection.id)


async def _this_year_in_flight(
    database: Database, registry: SpecRegistry, spec: ReturnSpec
) -> None:
    """This year's collection mid-way: every step of the flow has a council in it."""
    requester = _acting(DEMO_REQUESTER, Role.REQUESTER)
    today = dt.date.today()
    councils = (*DEMO_CLEAN, DEMO_FAILING, DEMO_FIXED, *DEMO_NOT_YET)
    collection = await collections.create_collection(
        database,
        registry,
        requester,
        _draft(
            spec,
            DEMO_COLLECTION_TITLE,
            councils,
            today - dt.timedelta(days=30),
            today + dt.timedelta(days=45),
        ),
    )
    ids = {}
    for council in DEMO_CLEAN:
        ids[council] = await _submit(database, registry, spec, collection.id, council, 0.0, 1)
    await _submit(database, registry, spec, collection.id, DEMO_FAILING, 0.1, 2)
    await _submit(database, registry, spec, collection.id, DEMO_FIXED, 0.1, 3)
    await _submit(database, registry, spec, collection.id, DEMO_FIXED, 0.0, 3)
    await acceptance.mark_validated(
        database, requester, submission_id=ids[DEMO_VALIDATED], version=1
    )
    await review.raise_data_query(
        database,
        registry,
        requester,
        submission_id=ids[DEMO_QUERIED],
        question="Several children have no Scottish Candidate Number; can you confirm?",
        entity="child",
        field="scn",
    )
    await grants.create_grant(
        database,
        registry,
        requester,
        collection_id=collection.id,
        grantee_code=DEMO_GRANTEE.code,
        level=AccessLevel.AGGREGATES,
        fields=None,
        min_state=SubmissionState.VALIDATED,
    )


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
