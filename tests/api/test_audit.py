"""auditEvents: councils see who read their data; admins see all; anonymous nobody."""

from __future__ import annotations

from typing import Any

import pytest

from ldp_graph.domain.roles import Role
from tests.api import flow
from tests.conftest import Api

AUDIT = """
query ($first: Int!, $after: String, $operation: String) {
  auditEvents(first: $first, after: $after, operation: $operation) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { operation recordCount actor { code } subject { code } actorRole }
  }
}
"""

READ = "query ($id: ID!) { collection(id: $id) { clas { child { totalCount } } } }"


@pytest.fixture
async def story(api: Api) -> dict[str, Any]:
    owner = await flow.requester_token(api)
    collection = await flow.create_collection(api, owner)
    edinburgh = await flow.council_token(api, "S12000036")
    aberdeen = await flow.council_token(api, "S12000033")
    await flow.submit(api, edinburgh, collection["id"])
    await flow.submit(api, aberdeen, collection["id"])
    await api.graphql(READ, {"id": collection["id"]}, owner)
    return {"owner": owner, "edinburgh": edinburgh, "aberdeen": aberdeen}


async def _events(api: Api, token: str | None, **variables: Any) -> Any:
    return await api.post(AUDIT, {"first": 50, **variables}, token)


async def test_a_council_sees_who_read_and_changed_its_data_and_nothing_of_others(
    api: Api, story: dict[str, Any]
) -> None:
    found = (await _events(api, story["edinburgh"])).json()["data"]["auditEvents"]["nodes"]

    operations = [(e["operation"], (e["actor"] or {}).get("code")) for e in found]
    assert ("submission.submit", "S12000036") in operations
    assert all(e["subject"] is None or e["subject"]["code"] == "S12000036" for e in found), (
        "another council's events leaked"
    )
    assert ("records.read", flow.REQUESTER) in operations  # who read its data
    assert not any(code == "S12000033" for _, code in operations)


async def test_a_requesters_read_of_two_councils_records_is_logged_per_council_with_counts(
    api: Api, story: dict[str, Any]
) -> None:
    data = await _events(api, story["owner"], operation="records.read")

    events = data.json()["data"]["auditEvents"]["nodes"]
    assert sorted((e["subject"]["code"], e["recordCount"]) for e in events) == [
        ("S12000033", 1),
        ("S12000036", 1),
    ]
    assert {e["actor"]["code"] for e in events} == {flow.REQUESTER}


async def test_admins_see_every_event_and_page_through_them(
    api: Api, story: dict[str, Any]
) -> None:
    admin = await api.token("LDP", Role.ADMIN)

    first = (await _events(api, admin, first=2)).json()["data"]["auditEvents"]
    second = (await _events(api, admin, first=2, after=first["pageInfo"]["endCursor"])).json()[
        "data"
    ]["auditEvents"]

    assert first["totalCount"] >= 6  # tokens, collection, two submissions, a read
    assert first["pageInfo"]["hasNextPage"] is True
    assert first["nodes"] != second["nodes"]


async def test_anonymous_callers_and_end_users_are_refused(api: Api, story: dict[str, Any]) -> None:
    end_user = await api.token("LDP", Role.END_USER)

    for token in (None, end_user):
        response = await _events(api, token)
        assert "not permitted to read audit" in response.json()["errors"][0]["message"]
