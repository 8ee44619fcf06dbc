"""The organisation directory: public to read, changed only by admins."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ldp_graph.domain.roles import Role
from tests.conftest import Api

ORGANISATIONS = "query($kind: OrganisationKind) { organisations(kind: $kind) { code name kind } }"
ORGANISATION = "query($code: ID!) { organisation(code: $code) { code name kind } }"
CREATE = """
mutation($input: CreateOrganisationInput!) {
  createOrganisation(input: $input) {
    organisation { code name kind }
    errors { __typename message field }
  }
}
"""
REFERENCE_CSV = Path(__file__).resolve().parents[2] / "src/ldp_graph/data/scottish-councils.csv"


async def test_organisations_lists_the_32_scottish_councils_with_gss_codes(api: Api) -> None:
    data = await api.graphql(ORGANISATIONS, {"kind": "COUNCIL"})

    with REFERENCE_CSV.open(encoding="utf-8") as f:
        expected = {row["code"]: row["name"] for row in csv.DictReader(f)}
    assert len(data["organisations"]) == 32
    assert {o["code"]: o["name"] for o in data["organisations"]} == expected


async def test_organisations_without_kind_includes_the_platform(api: Api) -> None:
    data = await api.graphql(ORGANISATIONS)

    assert {"code": "LDP", "name": "Local Data Platform", "kind": "PLATFORM"} in data[
        "organisations"
    ]
    assert len(data["organisations"]) == 33


async def test_organisation_by_code_returns_it_or_null(api: Api) -> None:
    found = await api.graphql(ORGANISATION, {"code": "S12000049"})
    missing = await api.graphql(ORGANISATION, {"code": "S99999999"})

    assert found["organisation"] == {"code": "S12000049", "name": "Glasgow City", "kind": "COUNCIL"}
    assert missing["organisation"] is None


async def test_admin_creates_a_requester_organisation(api: Api) -> None:
    admin = await api.token("LDP", Role.ADMIN)

    data = await api.graphql(
        CREATE,
        {"input": {"code": "sg-csws", "name": " Scottish Government ", "kind": "REQUESTER"}},
        admin,
    )

    assert data["createOrganisation"] == {
        "organisation": {"code": "SG-CSWS", "name": "Scottish Government", "kind": "REQUESTER"},
        "errors": [],
    }
    listed = await api.graphql(ORGANISATIONS, {"kind": "REQUESTER"})
    assert listed["organisations"] == [
        {"code": "SG-CSWS", "name": "Scottish Government", "kind": "REQUESTER"}
    ]


@pytest.mark.parametrize("role", [Role.COUNCIL_SUBMITTER, Role.END_USER])
async def test_non_admin_cannot_create_an_organisation(api: Api, role: Role) -> None:
    token = await api.token("S12000033", role)

    data = await api.graphql(
        CREATE, {"input": {"code": "X-BODY", "name": "X", "kind": "REQUESTER"}}, token
    )

    assert data["createOrganisation"]["organisation"] is None
    assert data["createOrganisation"]["errors"][0]["__typename"] == "NotPermitted"
    assert (await api.graphql(ORGANISATION, {"code": "X-BODY"}))["organisation"] is None


async def test_anonymous_cannot_create_an_organisation(api: Api) -> None:
    data = await api.graphql(CREATE, {"input": {"code": "X-BODY", "name": "X", "kind": "OTHER"}})

    assert data["createOrganisation"]["errors"][0]["__typename"] == "NotPermitted"


@pytest.mark.parametrize(
    ("payload", "error_type", "field"),
    [
        ({"code": "S12000033", "name": "Dup", "kind": "REQUESTER"}, "Conflict", "code"),
        ({"code": "bad code!", "name": "X", "kind": "REQUESTER"}, "InvalidInput", "code"),
        ({"code": "NEW-BODY", "name": "   ", "kind": "REQUESTER"}, "InvalidInput", "name"),
        ({"code": "NEW-BODY", "name": "Council", "kind": "COUNCIL"}, "InvalidInput", "kind"),
    ],
)
async def test_create_organisation_with_bad_input_returns_typed_error_and_writes_nothing(
    api: Api, payload: dict[str, str], error_type: str, field: str
) -> None:
    admin = await api.token("LDP", Role.ADMIN)
    before = await api.graphql(ORGANISATIONS)

    data = await api.graphql(CREATE, {"input": payload}, admin)

    [error] = data["createOrganisation"]["errors"]
    assert (error["__typename"], error["field"]) == (error_type, field)
    assert error["message"]
    assert await api.graphql(ORGANISATIONS) == before


async def test_an_organisation_once_read_is_answered_without_the_database(api: Api) -> None:
    # Organisations are only ever added, so a row once read stays true.
    first = await api.graphql(ORGANISATION, {"code": "S12000036"})
    with api.count_statements() as again:
        second = await api.graphql(ORGANISATION, {"code": "S12000036"})

    assert first == second
    assert not [s for s in again if "FROM organisations" in s]


async def test_a_code_not_found_is_looked_up_again_once_it_exists(api: Api) -> None:
    admin = await api.token("LDP", Role.ADMIN)
    before = await api.graphql(ORGANISATION, {"code": "NEW-BODY"})
    created = await api.graphql(
        CREATE, {"input": {"code": "NEW-BODY", "name": "A new body", "kind": "REQUESTER"}}, admin
    )
    after = await api.graphql(ORGANISATION, {"code": "NEW-BODY"})

    assert before == {"organisation": None}
    assert created["createOrganisation"]["errors"] == []
    assert after == {
        "organisation": {"code": "NEW-BODY", "name": "A new body", "kind": "REQUESTER"}
    }
