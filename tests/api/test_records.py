"""Typed records: councils use their data at once; requesters select exactly what they need."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from tests.api import flow
from tests.conftest import Api

VERSION_CHILDREN = """
query ($id: ID!, $where: ClasChildWhere, $order: [ClasChildOrder!], $first: Int!, $after: String) {
  submission(id: $id) { currentVersion { clas {
    child(where: $where, orderBy: $order, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { childId dateOfBirth sex { code label } disability { code label }
              meta { key line versionNumber council { code } raw } }
    }
  } } }
}
"""

COLLECTION_CHILDREN = """
query ($id: ID!, $councils: [String!], $states: [SubmissionState!]) {
  collection(id: $id) {
    clas(councils: $councils, states: $states) {
      child(orderBy: [{field: CHILD_ID}]) { totalCount nodes { childId meta { council { code } } } }
    }
  }
}
"""


def _children(count: int, council: str = "S12000036") -> dict[str, Any]:
    records = flow.clean_return()
    template = records["child"][0]
    records["child"] = [
        {
            **template,
            "child_id": f"C{i}",
            "council": council,
            "sex": "F" if i % 2 else "M",
            "date_of_birth": f"201{i % 10}-03-04",
        }
        for i in range(1, count + 1)
    ]
    return records


@pytest.fixture
async def setup(api: Api) -> dict[str, Any]:
    owner = await flow.requester_token(api)
    collection = await flow.create_collection(api, owner)
    tokens = {code: await flow.council_token(api, code) for code in flow.COUNCILS}
    submissions = {}
    for code, token in tokens.items():
        payload = await flow.submit(api, token, collection["id"], _children(5, code))
        submissions[code] = payload["submission"]["id"]
    return {"owner": owner, "collection": collection, "tokens": tokens, "subs": submissions}


async def _version_children(api: Api, token: str, submission: str, **variables: Any) -> Any:
    data = await api.graphql(VERSION_CHILDREN, {"id": submission, "first": 100, **variables}, token)
    return data["submission"]["currentVersion"]["clas"]["child"]


async def test_council_reads_its_records_typed_right_after_submitting(
    api: Api, setup: dict[str, Any]
) -> None:
    token = setup["tokens"]["S12000036"]

    found = await _version_children(api, token, setup["subs"]["S12000036"])

    first = found["nodes"][0]
    assert found["totalCount"] == 5
    assert first["childId"] == "C1"
    assert first["dateOfBirth"] == "2011-03-04"
    assert first["sex"] == {"code": "F", "label": "Female"}
    assert first["meta"]["key"] == "C1"
    assert first["meta"]["council"] == {"code": "S12000036"}
    assert first["meta"]["versionNumber"] == 1


async def test_values_that_do_not_parse_resolve_to_null_and_raw_keeps_them(api: Api) -> None:
    owner = await flow.requester_token(api)
    collection = await flow.create_collection(api, owner)
    token = await flow.council_token(api, "S12000036")
    records = _children(1)
    records["child"][0].update(date_of_birth="04/03/2012", sex="Q")
    submission = (await flow.submit(api, token, collection["id"], records))["submission"]["id"]

    (child,) = (await _version_children(api, token, submission))["nodes"]

    assert child["dateOfBirth"] is None
    assert child["sex"] == {"code": "Q", "label": None}
    assert child["meta"]["raw"]["date_of_birth"] == "04/03/2012"


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ({"sex": {"eq": "F"}}, ["C1", "C3", "C5"]),
        ({"sex": {"label": "male"}}, ["C2", "C4"]),
        ({"childId": {"in": ["C2", "C5", "C9"]}}, ["C2", "C5"]),
        ({"dateOfBirth": {"gte": "2012-01-01", "lte": "2014-12-31"}}, ["C2", "C3", "C4"]),
        ({"scn": {"isNull": False}, "sex": {"labelIn": ["Female"]}}, ["C1", "C3", "C5"]),
    ],
)
async def test_filters_select_records_by_value_code_or_label(
    api: Api, setup: dict[str, Any], where: dict[str, Any], expected: list[str]
) -> None:
    token = setup["tokens"]["S12000036"]

    found = await _version_children(api, token, setup["subs"]["S12000036"], where=where)

    assert [n["childId"] for n in found["nodes"]] == expected


async def test_pages_follow_each_other_in_the_requested_order(
    api: Api, setup: dict[str, Any]
) -> None:
    token = setup["tokens"]["S12000036"]
    order = [{"field": "DATE_OF_BIRTH", "direction": "DESC"}]
    seen: list[str] = []
    after = None
    while True:
        page = await _version_children(
            api, token, setup["subs"]["S12000036"], order=order, first=2, after=after
        )
        seen += [n["childId"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert seen == ["C5", "C4", "C3", "C2", "C1"]


async def test_a_page_size_outside_the_limits_is_a_clear_error(
    api: Api, setup: dict[str, Any]
) -> None:
    token = setup["tokens"]["S12000036"]
    variables = {"id": setup["subs"]["S12000036"], "first": 10_001}

    response = await api.post(VERSION_CHILDREN, variables, token)

    assert "first must be 1 to 10000" in response.json()["errors"][0]["message"]


async def test_owner_reads_every_councils_records_as_they_arrive_and_filters_by_council(
    api: Api, setup: dict[str, Any]
) -> None:
    variables = {"id": setup["collection"]["id"]}

    everyone = await api.graphql(COLLECTION_CHILDREN, variables, setup["owner"])
    one = await api.graphql(
        COLLECTION_CHILDREN, {**variables, "councils": ["S12000049"]}, setup["owner"]
    )
    failed = await api.graphql(
        COLLECTION_CHILDREN, {**variables, "states": ["PREVALIDATION_FAILED"]}, setup["owner"]
    )

    assert everyone["collection"]["clas"]["child"]["totalCount"] == 15
    codes = {n["meta"]["council"]["code"] for n in one["collection"]["clas"]["child"]["nodes"]}
    assert codes == {"S12000049"}
    assert failed["collection"]["clas"]["child"]["totalCount"] == 0


async def test_a_council_reads_only_its_own_records_and_strangers_none(
    api: Api, setup: dict[str, Any]
) -> None:
    variables = {"id": setup["collection"]["id"]}
    stranger = await flow.requester_token(api, "CARE-INSPECTORATE")

    own = await api.graphql(COLLECTION_CHILDREN, variables, setup["tokens"]["S12000036"])
    others = await api.graphql(COLLECTION_CHILDREN, variables, stranger)
    anonymous = await api.graphql(COLLECTION_CHILDREN, variables)

    codes = {n["meta"]["council"]["code"] for n in own["collection"]["clas"]["child"]["nodes"]}
    assert codes == {"S12000036"}
    assert others["collection"]["clas"]["child"]["totalCount"] == 0
    assert anonymous["collection"]["clas"]["child"]["totalCount"] == 0


async def test_every_record_read_is_audited_with_who_and_how_many(
    api: Api, setup: dict[str, Any]
) -> None:
    await api.graphql(COLLECTION_CHILDREN, {"id": setup["collection"]["id"]}, setup["owner"])

    async with api.database.read() as session:
        rows = (
            await session.execute(
                sa.text(
                    "SELECT actor_organisation_code, collection_id, record_count "
                    "FROM audit_events WHERE operation = 'records.read'"
                )
            )
        ).all()
    assert sorted(tuple(r) for r in rows) == [
        (flow.REQUESTER, setup["collection"]["id"], 5),
        (flow.REQUESTER, setup["collection"]["id"], 5),
        (flow.REQUESTER, setup["collection"]["id"], 5),
    ]
