"""`me` tells each caller who the platform thinks it is."""

from __future__ import annotations

import pytest

from ldp_graph.domain.roles import Role
from tests.conftest import Api

ME = "query { me { role organisation { code name kind } } }"


async def test_me_without_token_is_null(api: Api) -> None:
    assert await api.graphql(ME) == {"me": None}


@pytest.mark.parametrize(
    ("role", "organisation_code", "kind"),
    [
        (Role.COUNCIL_SUBMITTER, "S12000033", "COUNCIL"),
        (Role.END_USER, "S12000049", "COUNCIL"),
        (Role.ADMIN, "LDP", "PLATFORM"),
    ],
)
async def test_me_with_token_returns_its_organisation_and_role(
    api: Api, role: Role, organisation_code: str, kind: str
) -> None:
    token = await api.token(organisation_code, role)

    data = await api.graphql(ME, token=token)

    assert data["me"]["role"] == role.name
    assert data["me"]["organisation"]["code"] == organisation_code
    assert data["me"]["organisation"]["kind"] == kind


async def test_me_for_requester_token_names_the_requester_body(api: Api) -> None:
    await api.graphql(
        'mutation { createOrganisation(input: {code: "SG-CSWS", name: "SG stats", kind: REQUESTER})'
        " { errors { message } } }",
        token=await api.token("LDP", Role.ADMIN),
    )
    token = await api.token("SG-CSWS", Role.REQUESTER)

    data = await api.graphql(ME, token=token)

    assert data["me"] == {
        "role": "REQUESTER",
        "organisation": {"code": "SG-CSWS", "name": "SG stats", "kind": "REQUESTER"},
    }
