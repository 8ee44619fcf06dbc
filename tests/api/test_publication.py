"""Grants, publication and suppressed aggregates: end users read validated counts only."""

from __future__ import annotations

from typing import Any

import pytest

from ldp_graph.domain.organisations import OrganisationKind
from ldp_graph.domain.roles import Role
from tests.api import flow
from tests.conftest import Api

CHILD_ROWS = """
query ($id: ID!) { collection(id: $id) { clas { child { totalCount } } } }
"""


@pytest.fixture
async def story(api: Api) -> dict[str, Any]:
    """Three councils submitted; two are validated: 12 F + 12 M, and 3 F + 9 M children."""
    owner = await flow.requester_token(api)
    collection = await flow.create_collection(api, owner)
    ids = {}
    plans = {"S12000033": (24, "FM"), "S12000036": (12, "MMFMMFMMFMMM"), "S12000049": (6, "F")}
    for code, (count, pattern) in plans.items():
        token = await flow.council_token(api, code)
        payload = await flow.submit(
            api, token, collection["id"], flow.children(count, code, pattern)
        )
        ids[code] = payload["submission"]["id"]
    for code in ("S12000033", "S12000036"):
        assert (await flow.mark_validated(api, owner, ids[code]))["errors"] == []
    return {"owner": owner, "collection": collection["id"], "ids": ids}


async def _aggregate(api: Api, story: dict[str, Any], by: list[str], token: str | None) -> Any:
    variables = {"id": story["collection"], "entity": "child", "by": by}
    return await api.post(flow.AGGREGATE, variables, token)


async def test_publish_without_anything_validated_is_refused(api: Api) -> None:
    owner = await flow.requester_token(api)
    collection = await flow.create_collection(api, owner)

    payload = await flow.publish(api, owner, collection["id"])

    assert payload["errors"][0]["__typename"] == "InvalidTransition"


async def test_publish_makes_validated_submissions_published_and_stamps_the_collection(
    api: Api, story: dict[str, Any]
) -> None:
    by_council = await flow.publish(
        api, await flow.council_token(api, "S12000033"), story["collection"]
    )
    payload = await flow.publish(api, story["owner"], story["collection"])

    assert by_council["errors"][0]["__typename"] == "NotPermitted"
    assert payload["publishedSubmissions"] == 2
    assert payload["collection"]["publishedAt"] is not None
    states = await api.graphql(
        "query ($id: ID!) { collection(id: $id) { submissions { council { code } state } } }",
        {"id": story["collection"]},
        story["owner"],
    )
    assert {s["council"]["code"]: s["state"] for s in states["collection"]["submissions"]} == {
        "S12000033": "PUBLISHED",
        "S12000036": "PUBLISHED",
        "S12000049": "PREVALIDATED",
    }


async def test_anonymous_reads_nothing_before_publication_and_suppressed_counts_after(
    api: Api, story: dict[str, Any]
) -> None:
    before = await _aggregate(api, story, ["council", "sex"], None)
    await flow.publish(api, story["owner"], story["collection"])

    after = (await _aggregate(api, story, ["council", "sex"], None)).json()["data"]
    rows = await api.graphql(CHILD_ROWS, {"id": story["collection"]})

    assert "not published" in before.json()["errors"][0]["message"]
    table = after["collection"]["aggregate"]
    assert table["submissionsCounted"] == 2  # the unvalidated council is not published
    cells = {tuple(v["code"] for v in c["values"]): c for c in table["cells"]}
    assert cells[("S12000036", "F")]["suppressed"] is True
    assert cells[("S12000036", "F")]["reason"].startswith("Fewer than 5")
    # 3 F in S12000036's row and the F column would be given away by the 9 M and the 12 F:
    # those are hidden too (and then S12000033's M, to protect the M column).
    for key in (("S12000036", "M"), ("S12000033", "F"), ("S12000033", "M")):
        assert cells[key]["count"] is None
        assert "secondary" in cells[key]["reason"]
    assert cells[("S12000036", "U")]["count"] == 0
    assert cells[("S12000033", None)]["count"] == 24
    assert cells[(None, "F")]["count"] == 15
    assert cells[(None, None)]["count"] == 36
    assert cells[("S12000033", None)]["values"][0]["label"] == "Aberdeen City"
    assert rows["collection"]["clas"]["child"]["totalCount"] == 0  # never rows


async def test_counting_by_something_that_is_not_a_code_list_is_an_input_error(
    api: Api, story: dict[str, Any]
) -> None:
    for by in (["date_of_birth"], ["council", "sex", "ethnicity"], ["sex", "sex"]):
        response = await _aggregate(api, story, by, story["owner"])
        assert "Count by" in response.json()["errors"][0]["message"]


async def test_aggregate_only_grant_gives_counts_before_publication_but_never_rows(
    api: Api, story: dict[str, Any]
) -> None:
    await flow.organisation(api, "CARE-INSPECTORATE", OrganisationKind.REQUESTER)
    granted = await flow.grant(
        api, story["owner"], story["collection"], grantee="CARE-INSPECTORATE", level="AGGREGATES"
    )
    grantee = await api.token("CARE-INSPECTORATE", Role.REQUESTER)

    counts = (await _aggregate(api, story, ["sex"], grantee)).json()["data"]
    rows = await api.graphql(CHILD_ROWS, {"id": story["collection"]}, grantee)

    assert granted["errors"] == []
    assert counts["collection"]["aggregate"]["submissionsCounted"] == 2
    assert rows["collection"]["clas"]["child"]["totalCount"] == 0


async def test_record_grant_shares_only_the_granted_fields_of_validated_versions(
    api: Api, story: dict[str, Any]
) -> None:
    await flow.organisation(api, "CARE-INSPECTORATE", OrganisationKind.REQUESTER)
    await flow.grant(
        api,
        story["owner"],
        story["collection"],
        grantee="CARE-INSPECTORATE",
        level="RECORDS",
        fields=["child.child_id", "child.sex"],
    )
    grantee = await api.token("CARE-INSPECTORATE", Role.REQUESTER)
    query = """
    query ($id: ID!) { collection(id: $id) { clas { child(first: 1000) {
      totalCount nodes { childId sex { code } dateOfBirth meta { raw } } } } } }
    """

    data = await api.graphql(query, {"id": story["collection"]}, grantee)

    found = data["collection"]["clas"]["child"]
    assert found["totalCount"] == 36  # the two validated councils only
    node = found["nodes"][0]
    assert node["childId"] is not None
    assert node["sex"] is not None
    assert node["dateOfBirth"] is None  # not granted
    assert set(node["meta"]["raw"]) == {"child_id", "sex"}


async def test_admin_reads_records_only_through_an_explicit_grant(
    api: Api, story: dict[str, Any]
) -> None:
    admin = await api.token("LDP", Role.ADMIN)

    before = await api.graphql(CHILD_ROWS, {"id": story["collection"]}, admin)
    await flow.grant(api, story["owner"], story["collection"], grantee="LDP", level="RECORDS")
    after = await api.graphql(CHILD_ROWS, {"id": story["collection"]}, admin)

    assert before["collection"]["clas"]["child"]["totalCount"] == 0
    assert after["collection"]["clas"]["child"]["totalCount"] == 36


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"grantee": "NOBODY", "level": "RECORDS"}, "grantee"),
        ({"grantee": "SG-CSWS", "level": "RECORDS"}, "grantee"),
        ({"grantee": "LDP", "level": "RECORDS", "fields": ["child.shoe"]}, "fields"),
        ({"grantee": "LDP", "level": "RECORDS", "minState": "PREVALIDATED"}, "minState"),
    ],
)
async def test_grant_with_bad_input_names_the_field(
    api: Api, story: dict[str, Any], values: dict[str, Any], field: str
) -> None:
    payload = await flow.grant(api, story["owner"], story["collection"], **values)

    assert payload["errors"][0]["field"] == field


async def test_only_the_owner_grants(api: Api, story: dict[str, Any]) -> None:
    council = await flow.council_token(api, "S12000033")

    payload = await flow.grant(api, council, story["collection"], grantee="LDP", level="RECORDS")

    assert payload["errors"][0]["__typename"] == "NotPermitted"
