"""auditEvents: councils see who read their data; admins see all; anonymous nobody."""

from __future__ import annotations

from typing import Any

import pytest

from ldp_graph.domain.roles import Role
from tests.api import flow
from tests.conftest import Api

AUDIT = """
query ($first: Int!, $after: String, $operation: String, $collectionId: ID, $council: String) {
  auditEvents(first: $first, after: $after, operation: $operation,
              collectionId: $collectionId, council: $council) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { operation recordCount actor { code } subject { code } actorRole collectionId
            occurredAt detail }
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
    return {
        "owner": owner,
        "collection": collection["id"],
        "edinburgh": edinburgh,
        "aberdeen": aberdeen,
    }


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


async def test_admins_see_every_event_newest_first_over_pages_that_do_not_overlap(
    api: Api, story: dict[str, Any]
) -> None:
    admin = await api.token("LDP", Role.ADMIN)
    pages: list[dict[str, Any]] = []
    after = None
    while not pages or pages[-1]["pageInfo"]["hasNextPage"]:
        response = await _events(api, admin, first=2, after=after)
        pages.append(response.json()["data"]["auditEvents"])
        after = pages[-1]["pageInfo"]["endCursor"]

    events = [e for page in pages for e in page["nodes"]]
    total = pages[0]["totalCount"]
    assert total >= 6  # tokens, collection, two submissions, two per-council reads
    assert len(events) == total
    assert all(len(p["nodes"]) <= 2 for p in pages)
    assert len({(e["occurredAt"], e["operation"], str(e["detail"])) for e in events}) == total
    times = [e["occurredAt"] for e in events]
    assert times == sorted(times, reverse=True)
    assert {e["subject"]["code"] for e in events if e["operation"] == "submission.submit"} == {
        "S12000033",
        "S12000036",
    }


async def test_a_page_larger_than_the_servers_maximum_is_a_clear_error(
    api: Api, story: dict[str, Any]
) -> None:
    response = await _events(api, story["owner"], first=101)

    assert "first must be 1 to 100" in response.json()["errors"][0]["message"]


async def test_a_requester_sees_its_collections_events_and_not_another_requesters(
    api: Api, story: dict[str, Any]
) -> None:
    other = await flow.requester_token(api, "CARE-INSPECTORATE")
    theirs = await flow.create_collection(api, other, title="Inspections 2025-26")
    await flow.submit(api, story["edinburgh"], theirs["id"])

    mine = (await _events(api, story["owner"])).json()["data"]["auditEvents"]["nodes"]
    their_view = (await _events(api, other)).json()["data"]["auditEvents"]["nodes"]

    assert {e["collectionId"] for e in mine if e["collectionId"]} == {story["collection"]}
    assert {e["collectionId"] for e in their_view if e["collectionId"]} == {theirs["id"]}
    submits = [e for e in mine if e["operation"] == "submission.submit"]
    assert {e["actor"]["code"] for e in submits} == {"S12000033", "S12000036"}


async def test_filters_narrow_to_one_council_and_one_operation(
    api: Api, story: dict[str, Any]
) -> None:
    response = await _events(
        api,
        story["owner"],
        council="S12000033",
        operation="submission.submit",
        collectionId=story["collection"],
    )

    data = response.json()["data"]["auditEvents"]
    assert data["totalCount"] == 1
    assert data["nodes"][0]["detail"]["state"] == "prevalidated"
    assert data["nodes"][0]["recordCount"] > 0


async def test_anonymous_callers_and_end_users_are_refused(api: Api, story: dict[str, Any]) -> None:
    end_user = await api.token("LDP", Role.END_USER)

    for token in (None, end_user):
        response = await _events(api, token)
        assert "not permitted to read audit" in response.json()["errors"][0]["message"]
