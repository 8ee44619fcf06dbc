"""publishCollection: the owner makes validated submissions readable by end users."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api import flow
from tests.conftest import Api

STATES = """
query ($id: ID!) { collection(id: $id) { publishedAt submissions { council { code } state } } }
"""

AUDIT = """
query ($id: ID!, $operation: String!) {
  auditEvents(first: 50, collectionId: $id, operation: $operation) {
    nodes { operation actor { code } subject { code } detail }
  }
}
"""


@pytest.fixture
async def story(api: Api) -> dict[str, Any]:
    return await flow.two_of_three_validated(api)


async def _states(api: Api, story: dict[str, Any]) -> tuple[str | None, dict[str, str]]:
    data = (await api.graphql(STATES, {"id": story["collection"]}, story["owner"]))["collection"]
    return data["publishedAt"], {s["council"]["code"]: s["state"] for s in data["submissions"]}


async def test_publish_with_nothing_validated_is_an_invalid_transition_and_changes_nothing(
    api: Api,
) -> None:
    owner = await flow.requester_token(api)
    collection = await flow.create_collection(api, owner)
    council = await flow.council_token(api, "S12000033")
    await flow.submit(api, council, collection["id"])

    payload = await flow.publish(api, owner, collection["id"])

    assert payload["errors"][0]["__typename"] == "InvalidTransition"
    assert payload["collection"] is None
    published_at, states = await _states(api, {"collection": collection["id"], "owner": owner})
    assert published_at is None
    assert states == {"S12000033": "PREVALIDATED"}


async def test_publish_by_anyone_but_the_owner_is_not_permitted(
    api: Api, story: dict[str, Any]
) -> None:
    council = await flow.council_token(api, "S12000033")
    other_requester = await flow.requester_token(api, "CARE-INSPECTORATE")

    refusals = [await flow.publish(api, t, story["collection"]) for t in (council, other_requester)]

    assert [r["errors"][0]["__typename"] for r in refusals] == ["NotPermitted"] * 2
    assert (await _states(api, story))[0] is None


async def test_publish_makes_validated_submissions_published_and_stamps_the_collection(
    api: Api, story: dict[str, Any]
) -> None:
    payload = await flow.publish(api, story["owner"], story["collection"])

    assert payload["errors"] == []
    assert payload["publishedSubmissions"] == 2
    published_at, states = await _states(api, story)
    assert published_at is not None
    assert payload["collection"]["publishedAt"] == published_at
    assert states == {
        "S12000033": "PUBLISHED",
        "S12000036": "PUBLISHED",
        "S12000049": "PREVALIDATED",  # never validated, so never published
    }


async def test_publish_audits_one_event_per_submission_published(
    api: Api, story: dict[str, Any]
) -> None:
    await flow.publish(api, story["owner"], story["collection"])

    variables = {"id": story["collection"], "operation": "submission.publish"}
    events = (await api.graphql(AUDIT, variables, story["owner"]))["auditEvents"]["nodes"]

    assert sorted(e["subject"]["code"] for e in events) == ["S12000033", "S12000036"]
    assert {e["actor"]["code"] for e in events} == {flow.REQUESTER}
    assert sorted(e["detail"]["submission_id"] for e in events) == sorted(
        story["ids"][code] for code in ("S12000033", "S12000036")
    )


async def test_publishing_again_publishes_newly_validated_submissions_only(
    api: Api, story: dict[str, Any]
) -> None:
    first = await flow.publish(api, story["owner"], story["collection"])
    nothing_new = await flow.publish(api, story["owner"], story["collection"])
    await flow.mark_validated(api, story["owner"], story["ids"]["S12000049"])

    second = await flow.publish(api, story["owner"], story["collection"])

    assert nothing_new["errors"][0]["__typename"] == "InvalidTransition"
    assert second["publishedSubmissions"] == 1
    published_at, states = await _states(api, story)
    assert published_at == first["collection"]["publishedAt"]  # the first publication's date
    assert set(states.values()) == {"PUBLISHED"}
