"""The review loop: data queries between requester and council, and typed refusals."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api import flow
from tests.conftest import Api

STATE = "query ($id: ID!) { submission(id: $id) { state dataQueries { id state } } }"


@pytest.fixture
async def parties(api: Api) -> dict[str, Any]:
    owner = await flow.requester_token(api)
    collection = await flow.create_collection(api, owner)
    council = await flow.council_token(api, "S12000036")
    submitted = await flow.submit(api, council, collection["id"])
    return {
        "owner": owner,
        "council": council,
        "collection": collection,
        "submission": submitted["submission"]["id"],
    }


async def test_raise_data_query_pins_it_and_requests_changes(
    api: Api, parties: dict[str, Any]
) -> None:
    payload = await flow.raise_query(
        api,
        parties["owner"],
        parties["submission"],
        "Is this date of birth right?",
        entity="child",
        recordKey="C1",
        field="date_of_birth",
    )

    query = payload["dataQuery"]
    assert payload["errors"] == []
    assert (query["state"], query["versionNumber"], query["recordKey"]) == ("OPEN", 1, "C1")
    assert query["messages"] == [
        {"kind": "question", "body": "Is this date of birth right?", "author": {"code": "SG-CSWS"}}
    ]
    data = await api.graphql(STATE, {"id": parties["submission"]}, parties["council"])
    assert data["submission"]["state"] == "CHANGES_REQUESTED"


async def test_answer_then_resolve_moves_the_query_and_the_submission_back_to_review(
    api: Api, parties: dict[str, Any]
) -> None:
    query = (await flow.raise_query(api, parties["owner"], parties["submission"]))["dataQuery"]

    answered = await flow.on_query(
        api, flow.ANSWER_DATA_QUERY, parties["council"], query["id"], "Checked: it is right."
    )
    in_review = await api.graphql(STATE, {"id": parties["submission"]}, parties["owner"])
    resolved = await flow.on_query(api, flow.RESOLVE_DATA_QUERY, parties["owner"], query["id"])

    assert answered["dataQuery"]["state"] == "ANSWERED"
    assert [m["kind"] for m in answered["dataQuery"]["messages"]] == ["question", "answer"]
    assert in_review["submission"]["state"] == "IN_REVIEW"
    assert resolved["dataQuery"]["state"] == "RESOLVED"


async def test_review_steps_by_the_wrong_party_are_refused_and_change_nothing(
    api: Api, parties: dict[str, Any]
) -> None:
    query = (await flow.raise_query(api, parties["owner"], parties["submission"]))["dataQuery"]
    other_requester = await flow.requester_token(api, "CARE-INSPECTORATE")

    by_council = await flow.raise_query(api, parties["council"], parties["submission"])
    by_stranger = await flow.raise_query(api, other_requester, parties["submission"])
    answer_by_owner = await flow.on_query(
        api, flow.ANSWER_DATA_QUERY, parties["owner"], query["id"]
    )
    resolve_by_council = await flow.on_query(
        api, flow.RESOLVE_DATA_QUERY, parties["council"], query["id"]
    )

    assert by_council["errors"][0]["__typename"] == "NotPermitted"
    assert by_stranger["errors"][0]["__typename"] == "NotFound"  # existence not revealed
    assert answer_by_owner["errors"][0]["__typename"] == "NotPermitted"
    assert resolve_by_council["errors"][0]["__typename"] == "NotPermitted"
    data = await api.graphql(STATE, {"id": parties["submission"]}, parties["owner"])
    assert data["submission"]["dataQueries"] == [{"id": query["id"], "state": "OPEN"}]


async def test_invalid_query_transitions_are_typed_errors(
    api: Api, parties: dict[str, Any]
) -> None:
    query = (await flow.raise_query(api, parties["owner"], parties["submission"]))["dataQuery"]
    await flow.on_query(api, flow.RESOLVE_DATA_QUERY, parties["owner"], query["id"])

    answered_late = await flow.on_query(
        api, flow.ANSWER_DATA_QUERY, parties["council"], query["id"]
    )

    assert answered_late["errors"][0]["__typename"] == "InvalidTransition"


@pytest.mark.parametrize(
    ("target", "field"),
    [
        ({"entity": "pupil"}, "entity"),
        ({"entity": "child", "field": "shoe_size"}, "field"),
        ({"ruleId": "CLAS-999"}, "ruleId"),
        ({"entity": "child", "recordKey": "NOBODY"}, "recordKey"),
        ({"versionNumber": 7}, "versionNumber"),
    ],
)
async def test_raise_data_query_on_something_that_does_not_exist_names_the_field(
    api: Api, parties: dict[str, Any], target: dict[str, Any], field: str
) -> None:
    payload = await flow.raise_query(api, parties["owner"], parties["submission"], **target)

    assert payload["errors"][0]["field"] == field
    data = await api.graphql(STATE, {"id": parties["submission"]}, parties["owner"])
    assert data["submission"]["dataQueries"] == []


async def test_data_queries_are_hidden_from_everyone_but_the_two_parties(
    api: Api, parties: dict[str, Any]
) -> None:
    await flow.raise_query(api, parties["owner"], parties["submission"])
    seen_by = {}
    for name, token in (("owner", parties["owner"]), ("council", parties["council"])):
        data = await api.graphql(STATE, {"id": parties["submission"]}, token)
        seen_by[name] = len(data["submission"]["dataQueries"])

    assert seen_by == {"owner": 1, "council": 1}
