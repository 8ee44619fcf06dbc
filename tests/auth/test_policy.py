"""The permission matrix of DESIGN.md §5, cell by cell, as decided by auth/policy.py."""

from __future__ import annotations

import datetime as dt

import pytest

from ldp_graph.auth import policy
from ldp_graph.auth.policy import Action
from ldp_graph.auth.principal import ANONYMOUS, OPERATOR, Principal
from ldp_graph.domain.collections import Collection
from ldp_graph.domain.grants import AccessLevel, Grant
from ldp_graph.domain.organisations import Organisation, OrganisationKind
from ldp_graph.domain.roles import Role
from ldp_graph.domain.submissions import SubmissionState as S
from ldp_graph.errors import NotPermitted

NOW = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)
OWN = "S12000036"
OTHER = "S12000033"


def _principal(code: str, kind: OrganisationKind, role: Role) -> Principal:
    return Principal(organisation=Organisation(code, code, kind), role=role)


COUNCIL = _principal(OWN, OrganisationKind.COUNCIL, Role.COUNCIL_SUBMITTER)
OTHER_COUNCIL = _principal(OTHER, OrganisationKind.COUNCIL, Role.COUNCIL_SUBMITTER)
OWNER = _principal("SG-CSWS", OrganisationKind.REQUESTER, Role.REQUESTER)
GRANTEE = _principal("CARE-INSPECTORATE", OrganisationKind.REQUESTER, Role.REQUESTER)
END_USER = _principal("DEMO-RESEARCH", OrganisationKind.OTHER, Role.END_USER)
ADMIN = _principal("LDP", OrganisationKind.PLATFORM, Role.ADMIN)


def _collection(published: bool = False, councils: tuple[str, ...] = (OWN, OTHER)) -> Collection:
    return Collection(
        id="col_1",
        spec_id="clas",
        spec_version="2025-26",
        title="CLAS",
        period_start=dt.date(2025, 8, 1),
        period_end=dt.date(2026, 7, 31),
        owner_code="SG-CSWS",
        opens_on=dt.date(2026, 9, 1),
        due_on=dt.date(2026, 12, 31),
        purpose="statistics",
        legal_basis="law",
        council_codes=councils,
        created_at=NOW,
        published_at=NOW if published else None,
    )


def _grant(
    grantee: str,
    level: AccessLevel = AccessLevel.RECORDS,
    min_state: S = S.VALIDATED,
    fields: frozenset[str] | None = None,
    revoked: bool = False,
) -> Grant:
    return Grant(
        id="gr_1",
        collection_id="col_1",
        grantee_code=grantee,
        level=level,
        fields=fields,
        min_state=min_state,
        created_by_code="SG-CSWS",
        created_at=NOW,
        revoked_at=NOW if revoked else None,
    )


@pytest.mark.parametrize("state", list(S))
def test_council_reads_every_state_of_its_own_data_but_no_other_councils(state: S) -> None:
    collection = _collection()

    assert policy.data_access(COUNCIL, collection, OWN, []).allows(state)
    assert not policy.data_access(COUNCIL, collection, OTHER, []).allows(state)


def test_council_not_asked_by_a_collection_cannot_submit_or_read_it() -> None:
    collection = _collection(councils=(OTHER,))

    assert not policy.is_submitter_for(COUNCIL, collection, OWN)
    assert not policy.data_access(COUNCIL, collection, OWN, []).allows(S.PREVALIDATED)


@pytest.mark.parametrize("state", list(S))
def test_owner_reads_every_councils_data_from_the_moment_it_arrives(state: S) -> None:
    access = policy.data_access(OWNER, _collection(), OTHER, [])

    assert access.allows(state)
    assert access.fields is None


def test_only_the_owner_manages_its_collection() -> None:
    collection = _collection()

    assert policy.owns_collection(OWNER, collection)
    for principal in (GRANTEE, COUNCIL, END_USER, ADMIN, ANONYMOUS, OPERATOR):
        assert not policy.owns_collection(principal, collection)


def test_grantee_reads_granted_fields_only_once_the_granted_state_is_reached() -> None:
    grant = _grant("CARE-INSPECTORATE", fields=frozenset({"child.sex"}))

    access = policy.data_access(GRANTEE, _collection(), OWN, [grant])

    assert not access.allows(S.IN_REVIEW)
    assert access.allows(S.VALIDATED)
    assert access.allows(S.PUBLISHED)
    assert access.allows_field("child", "sex")
    assert not access.allows_field("child", "date_of_birth")


def test_aggregate_only_grant_gives_counts_but_never_rows() -> None:
    grant = _grant("CARE-INSPECTORATE", level=AccessLevel.AGGREGATES, min_state=S.PREVALIDATED)

    access = policy.data_access(GRANTEE, _collection(), OWN, [grant])

    assert access.allows(S.PREVALIDATED, AccessLevel.AGGREGATES)
    assert not access.allows(S.PUBLISHED, AccessLevel.RECORDS)


def test_revoked_or_foreign_grants_give_nothing() -> None:
    revoked = _grant("CARE-INSPECTORATE", revoked=True)
    someone_elses = _grant("DEMO-RESEARCH")

    access = policy.data_access(GRANTEE, _collection(), OWN, [revoked, someone_elses])

    assert access.level == AccessLevel.NONE


def test_end_user_with_a_record_grant_reads_rows_only_once_published() -> None:
    grant = _grant("DEMO-RESEARCH", min_state=S.PREVALIDATED)

    access = policy.data_access(END_USER, _collection(published=True), OWN, [grant])

    assert not access.allows(S.VALIDATED)
    assert access.allows(S.PUBLISHED)


@pytest.mark.parametrize("principal", [END_USER, ANONYMOUS, GRANTEE, OTHER_COUNCIL, ADMIN])
def test_without_a_grant_only_published_aggregates_are_readable(principal: Principal) -> None:
    unpublished = policy.data_access(principal, _collection(), OWN, [])
    published = policy.data_access(principal, _collection(published=True), OWN, [])

    assert unpublished.level == AccessLevel.NONE
    assert published.allows(S.PUBLISHED, AccessLevel.AGGREGATES)
    assert not published.allows(S.VALIDATED, AccessLevel.AGGREGATES)
    assert not published.allows(S.PUBLISHED, AccessLevel.RECORDS)


def test_admin_reads_records_only_through_an_explicit_grant() -> None:
    grant = _grant("LDP", min_state=S.VALIDATED)

    without = policy.data_access(ADMIN, _collection(), OWN, [])
    with_grant = policy.data_access(ADMIN, _collection(), OWN, [grant])

    assert without.level == AccessLevel.NONE
    assert with_grant.allows(S.VALIDATED)


def test_submission_status_is_shared_with_the_parties_to_the_ask_only() -> None:
    collection = _collection()
    grant = _grant("CARE-INSPECTORATE")

    for principal in (COUNCIL, OWNER, ADMIN, OPERATOR):
        assert policy.may_see_submission_status(principal, collection, OWN, [])
    assert policy.may_see_submission_status(GRANTEE, collection, OWN, [grant])
    for principal in (OTHER_COUNCIL, END_USER, ANONYMOUS, GRANTEE):
        assert not policy.may_see_submission_status(principal, collection, OWN, [])


@pytest.mark.parametrize(
    ("principal", "allowed"),
    [(OWNER, True), (GRANTEE, True), (COUNCIL, False), (END_USER, False), (ANONYMOUS, False)],
)
def test_only_requesters_create_collections(principal: Principal, allowed: bool) -> None:
    assert policy.is_allowed(principal, Action.CREATE_COLLECTION) is allowed


@pytest.mark.parametrize(
    ("principal", "allowed"),
    [
        (COUNCIL, True),
        (OWNER, True),
        (ADMIN, True),
        (OPERATOR, True),
        (OTHER_COUNCIL, False),
        (GRANTEE, False),
        (END_USER, False),
        (ANONYMOUS, False),
    ],
)
def test_dry_run_against_a_collection_is_for_an_asked_council_the_owner_and_admins(
    principal: Principal, allowed: bool
) -> None:
    collection = _collection(councils=(OWN,))  # GRANTEE reads data; it is no party to the ask

    assert policy.may_dry_run_against(principal, collection) is allowed
    if not allowed:
        with pytest.raises(NotPermitted):
            policy.require_dry_run(principal, collection)
