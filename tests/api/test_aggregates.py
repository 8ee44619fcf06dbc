"""Collection.aggregate: counts by council and code lists, small cells suppressed, never rows."""

from __future__ import annotations

from typing import Any

import pytest

from ldp_graph.domain.organisations import OrganisationKind
from ldp_graph.domain.roles import Role
from tests.api import flow
from tests.conftest import Api

INSPECTORATE = "CARE-INSPECTORATE"

CHILD_ROWS = """
query ($id: ID!) { collection(id: $id) { clas { child { totalCount } } } }
"""


@pytest.fixture
async def story(api: Api) -> dict[str, Any]:
    """Aberdeen 12 F + 12 M and Edinburgh 3 F + 9 M validated; Glasgow's 6 F not."""
    await flow.organisation(api, INSPECTORATE, OrganisationKind.REQUESTER)
    return await flow.two_of_three_validated(api)


def _cells(response: Any) -> dict[tuple[str | None, ...], dict[str, Any]]:
    table = response.json()["data"]["collection"]["aggregate"]
    return {tuple(v["code"] for v in c["values"]): c for c in table["cells"]}


def _table(response: Any) -> dict[str, Any]:
    body = response.json()
    assert "errors" not in body, body["errors"]
    return dict(body["data"]["collection"]["aggregate"])


def _error(response: Any) -> str:
    return str(response.json()["errors"][0]["message"])


async def _reader(api: Api, kind: str) -> str | None:
    if kind == "anonymous":
        return None
    await flow.organisation(api, "PUBLIC", OrganisationKind.REQUESTER)
    return await api.token("PUBLIC", Role.END_USER)


@pytest.mark.parametrize("kind", ["anonymous", "end_user"])
async def test_public_reads_nothing_before_publication_and_suppressed_counts_after(
    api: Api, story: dict[str, Any], kind: str
) -> None:
    reader = await _reader(api, kind)
    before = await flow.aggregate(api, reader, story["collection"], ["council", "sex"])
    await flow.publish(api, story["owner"], story["collection"])

    after = await flow.aggregate(api, reader, story["collection"], ["council", "sex"])
    rows = await api.graphql(CHILD_ROWS, {"id": story["collection"]}, reader)

    assert "not published" in _error(before)
    table = _table(after)
    assert (table["threshold"], table["submissionsCounted"]) == (5, 2)  # Glasgow unpublished
    cells = _cells(after)
    assert cells[("S12000036", "F")]["count"] is None
    assert cells[("S12000036", "F")]["suppressed"] is True
    assert cells[("S12000036", "F")]["reason"].startswith("Fewer than 5")
    # Edinburgh's 3 F could be worked out from its 9 M and row total, or from Aberdeen's 12 F
    # and the F column total: those are hidden too, and then Aberdeen's M for the M column.
    for key in (("S12000036", "M"), ("S12000033", "F"), ("S12000033", "M")):
        assert (cells[key]["count"], cells[key]["suppressed"]) == (None, True)
        assert "secondary" in cells[key]["reason"]
    assert (cells[("S12000036", "U")]["count"], cells[("S12000036", "U")]["reason"]) == (0, None)
    assert [cells[k]["count"] for k in (("S12000033", None), (None, "F"), (None, None))] == [
        24,
        15,
        36,
    ]
    assert cells[(None, None)]["isTotal"] is True
    assert cells[("S12000033", None)]["values"][0]["label"] == "Aberdeen City"
    assert cells[(None, "F")]["values"][1]["label"] == "Female"
    assert rows["collection"]["clas"]["child"]["totalCount"] == 0  # never rows


async def test_aggregate_with_no_dimensions_is_the_published_grand_total(
    api: Api, story: dict[str, Any]
) -> None:
    await flow.publish(api, story["owner"], story["collection"])

    response = await flow.aggregate(api, None, story["collection"], [])

    table = _table(response)
    assert [(c["values"], c["count"], c["isTotal"]) for c in table["cells"]] == [([], 36, True)]


async def test_owner_counts_every_council_from_arrival_and_can_narrow_to_councils(
    api: Api, story: dict[str, Any]
) -> None:
    everyone = await flow.aggregate(api, story["owner"], story["collection"], ["council"])
    glasgow = await flow.aggregate(
        api, story["owner"], story["collection"], ["sex"], councils=["S12000049"]
    )

    assert _table(everyone)["submissionsCounted"] == 3
    counts = {k: c["count"] for k, c in _cells(everyone).items()}
    assert counts == {("S12000033",): 24, ("S12000036",): 12, ("S12000049",): 6, (None,): 42}
    assert _table(glasgow)["submissionsCounted"] == 1
    counts = {k: c["count"] for k, c in _cells(glasgow).items()}
    assert counts == {("F",): 6, ("M",): 0, ("U",): 0, (None,): 6}


@pytest.mark.parametrize(
    ("entity", "by", "message"),
    [
        ("child", ["date_of_birth"], "Count by council or a code-list field"),
        ("child", ["placement_type"], "Count by council or a code-list field"),
        ("child", ["council", "sex", "ethnicity"], "at most two"),
        ("child", ["sex", "sex"], "at most two"),
        ("kitten", ["council"], "no entity kitten"),
    ],
)
async def test_aggregate_by_anything_but_council_or_code_lists_is_an_input_error(
    api: Api, story: dict[str, Any], entity: str, by: list[str], message: str
) -> None:
    response = await flow.aggregate(api, story["owner"], story["collection"], by, entity=entity)

    assert message in _error(response)
    assert response.json()["data"]["collection"] is None  # no partial table


async def test_aggregate_only_grant_gives_counts_at_its_state_before_publication_but_no_rows(
    api: Api, story: dict[str, Any]
) -> None:
    granted = await flow.grant(
        api, story["owner"], story["collection"], grantee=INSPECTORATE, level="AGGREGATES"
    )
    grantee = await api.token(INSPECTORATE, Role.REQUESTER)

    counts = await flow.aggregate(api, grantee, story["collection"], ["council", "sex"])
    rows = await api.graphql(CHILD_ROWS, {"id": story["collection"]}, grantee)

    assert granted["errors"] == []
    assert _table(counts)["submissionsCounted"] == 2  # validated only: Glasgow is not
    assert _cells(counts)[("S12000036", "F")]["suppressed"] is True  # suppressed for grantees too
    assert _cells(counts)[(None, None)]["count"] == 36
    assert rows["collection"]["clas"]["child"]["totalCount"] == 0


async def test_field_limited_aggregate_grant_counts_by_granted_fields_only(
    api: Api, story: dict[str, Any]
) -> None:
    await flow.grant(
        api,
        story["owner"],
        story["collection"],
        grantee=INSPECTORATE,
        level="AGGREGATES",
        fields=["child.sex"],
    )
    grantee = await api.token(INSPECTORATE, Role.REQUESTER)

    by_sex = await flow.aggregate(api, grantee, story["collection"], ["council", "sex"])
    by_ethnicity = await flow.aggregate(api, grantee, story["collection"], ["ethnicity"])

    assert _table(by_sex)["submissionsCounted"] == 2
    assert "child.ethnicity" in _error(by_ethnicity)


async def test_aggregate_of_a_revoked_grant_is_refused_before_publication(
    api: Api, story: dict[str, Any]
) -> None:
    made = await flow.grant(
        api, story["owner"], story["collection"], grantee=INSPECTORATE, level="AGGREGATES"
    )
    await flow.revoke_grant(api, story["owner"], made["grant"]["id"])
    grantee = await api.token(INSPECTORATE, Role.REQUESTER)

    response = await flow.aggregate(api, grantee, story["collection"], ["sex"])

    assert "not published" in _error(response)
