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


async def test_follow_up_reopens_an_answered_query_and_requests_changes_again(
    api: Api, parties: dict[str, Any]
) -> None:
    query = (await flow.raise_query(api, parties["owner"], parties["submission"]))["dataQuery"]
    follow_up_while_open = await flow.on_query(
        api, flow.FOLLOW_UP_DATA_QUERY, parties["owner"], query["id"], "And?"
    )
    await flow.on_query(api, flow.ANSWER_DATA_QUERY, parties["council"], query["id"], "Yes.")

    reopened = await flow.on_query(
        api, flow.FOLLOW_UP_DATA_QUERY, parties["owner"], query["id"], "Which placement?"
    )
    by_council = await flow.on_query(
        api, flow.FOLLOW_UP_DATA_QUERY, parties["council"], query["id"], "Hm."
    )
    data = await api.graphql(STATE, {"id": parties["submission"]}, parties["owner"])

    assert follow_up_while_open["errors"][0]["__typename"] == "InvalidTransition"
    assert by_council["errors"][0]["__typename"] == "NotPermitted"
    assert reopened["dataQuery"]["state"] == "OPEN"
    assert [(m["kind"], m["body"]) for m in reopened["dataQuery"]["messages"]] == [
        ("question", "Is this right?"),
        ("answer", "Yes."),
        ("follow_up", "Which placement?"),
    ]
    assert data["submission"]["state"] == "CHANGES_REQUESTED"


AUDIT = """
query ($id: ID!) {
  auditEvents(first: 50, collectionId: $id) { nodes { operation actor { code } detail } }
}
"""


async def test_each_review_step_is_audited_once_and_a_refused_step_not_at_all(
    api: Api, parties: dict[str, Any]
) -> None:
    query = (await flow.raise_query(api, parties["owner"], parties["submission"]))["dataQuery"]
    await flow.on_query(api, flow.ANSWER_DATA_QUERY, parties["council"], query["id"])
    await flow.on_query(api, flow.FOLLOW_UP_DATA_QUERY, parties["owner"], query["id"])
    await flow.on_query(api, flow.RESOLVE_DATA_QUERY, parties["owner"], query["id"])
    refused = await flow.on_query(api, flow.ANSWER_DATA_QUERY, parties["council"], query["id"])

    data = await api.graphql(AUDIT, {"id": parties["collection"]["id"]}, parties["owner"])

    assert refused["errors"][0]["__typename"] == "InvalidTransition"
    steps = sorted(
        (e["operation"], e["actor"]["code"])
        for e in data["auditEvents"]["nodes"]
        if e["operation"].startswith("dataquery.")
    )
    assert steps == [
        ("dataquery.answer", "S12000036"),
        ("dataquery.follow_up", flow.REQUESTER),
        ("dataquery.raise", flow.REQUESTER),
        ("dataquery.resolve", flow.REQUESTER),
    ]
    assert all(
        e["detail"]["data_query_id"] == query["id"]
        for e in data["auditEvents"]["nodes"]
        if e["operation"].startswith("dataquery.")
    )


NESTED = """
query ($id: ID!) {
  collection(id: $id) {
    submissions {
      dataQueries {
        recordInCurrentVersion issueInCurrentVersion raisedBy { code }
        messages { body author { code } }
      }
      explanations { state }
      currentVersion { issueChanges { newCount new { ruleId explanation { state } } } }
    }
  }
}
"""


async def test_review_fields_cost_the_same_statements_for_one_submission_as_for_three(
    api: Api,
) -> None:
    owner = await flow.requester_token(api)
    one = await flow.create_collection(api, owner, councilCodes=["S12000036"])
    many = await flow.create_collection(api, owner, councilCodes=list(flow.COUNCILS))
    records = flow.clean_return()
    records["child"][0]["scn"] = None  # one query-severity issue per version
    for collection, codes in ((one, ["S12000036"]), (many, flow.COUNCILS)):
        for code in codes:
            token = await flow.council_token(api, code)
            submitted = await flow.submit(api, token, collection["id"], records)
            submission = submitted["submission"]["id"]
            for key in ("C1", "NOBODY"):
                target = {"entity": "child", "recordKey": key} if key == "C1" else {}
                await flow.raise_query(api, owner, submission, ruleId="CLAS-013Q", **target)
            await flow.submit(api, token, collection["id"], records)

    with api.count_statements() as for_one:
        small = await api.graphql(NESTED, {"id": one["id"]}, owner)
    with api.count_statements() as for_many:
        large = await api.graphql(NESTED, {"id": many["id"]}, owner)

    assert len(large["collection"]["submissions"]) == len(flow.COUNCILS)
    assert all(
        [q["recordInCurrentVersion"] for q in s["dataQueries"]] == [True, None]
        for s in small["collection"]["submissions"] + large["collection"]["submissions"]
    )
    assert len(for_many) == len(for_one)
