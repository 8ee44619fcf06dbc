"""Issues have a life across versions: new, still open or fixed; explanations and queries carry."""

from __future__ import annotations

from typing import Any

from tests.api import flow
from tests.conftest import Api

EXPLAIN = """
mutation ($input: ExplainIssueInput!) {
  explainIssue(input: $input) {
    explanation { id problemId ruleId state versionNumber }
    errors { __typename message field }
  }
}
"""

REVIEW = """
mutation ($input: ReviewExplanationInput!) {
  reviewExplanation(input: $input) { explanation { id state } errors { __typename } }
}
"""

LIFECYCLE = """
query ($id: ID!) {
  submission(id: $id) {
    state
    dataQueries { state versionNumber }
    explanations { problemId state versionNumber }
    currentVersion {
      number
      issueChanges { newCount stillOpenCount fixedCount
                     new { ruleId } stillOpen { ruleId problemId } fixed { ruleId key } }
    }
  }
}
"""


def _with_query_and_error() -> dict[str, Any]:
    records = flow.clean_return()
    records["child"][0]["scn"] = None  # CLAS-013Q, query severity: explainable
    records["child"][0]["sex"] = "X"  # CLAS-102, an error: must be fixed
    return records


async def test_resubmission_reports_fixed_and_still_open_issues_and_keeps_explanations(
    api: Api,
) -> None:
    owner = await flow.requester_token(api)
    collection = await flow.create_collection(api, owner)
    council = await flow.council_token(api, "S12000036")
    first = await flow.submit(api, council, collection["id"], _with_query_and_error())
    submission = first["submission"]["id"]
    query_issue = next(i for i in first["report"]["issues"] if i["ruleId"] == "CLAS-013Q")
    explained = await api.graphql(
        EXPLAIN,
        {
            "input": {
                "submissionId": submission,
                "problemId": query_issue["problemId"],
                "explanation": "This child has no Scottish Candidate Number: home-schooled.",
            }
        },
        council,
    )
    explanation = explained["explainIssue"]["explanation"]
    await api.graphql(
        REVIEW, {"input": {"explanationId": explanation["id"], "accept": True}}, owner
    )
    await flow.raise_query(api, owner, submission, "Why is sex X?", entity="child", recordKey="C1")
    fixed = _with_query_and_error()
    fixed["child"][0]["sex"] = "F"

    await flow.submit(api, council, collection["id"], fixed)
    data = (await api.graphql(LIFECYCLE, {"id": submission}, owner))["submission"]

    changes = data["currentVersion"]["issueChanges"]
    assert data["currentVersion"]["number"] == 2
    assert (changes["newCount"], changes["stillOpenCount"], changes["fixedCount"]) == (0, 1, 1)
    assert changes["fixed"] == [{"ruleId": "CLAS-102", "key": "C1"}]
    assert changes["stillOpen"] == [{"ruleId": "CLAS-013Q", "problemId": query_issue["problemId"]}]
    assert data["explanations"] == [
        {"problemId": query_issue["problemId"], "state": "ACCEPTED", "versionNumber": 1}
    ]
    assert data["dataQueries"] == [{"state": "OPEN", "versionNumber": 1}]
    assert data["state"] == "PREVALIDATED"


async def test_a_first_versions_issues_are_all_new(api: Api) -> None:
    owner = await flow.requester_token(api)
    collection = await flow.create_collection(api, owner)
    council = await flow.council_token(api, "S12000036")
    first = await flow.submit(api, council, collection["id"], _with_query_and_error())

    data = await api.graphql(LIFECYCLE, {"id": first["submission"]["id"]}, council)

    changes = data["submission"]["currentVersion"]["issueChanges"]
    assert (changes["newCount"], changes["stillOpenCount"], changes["fixedCount"]) == (2, 0, 0)


async def test_explaining_an_error_or_an_unknown_problem_is_refused(api: Api) -> None:
    owner = await flow.requester_token(api)
    collection = await flow.create_collection(api, owner)
    council = await flow.council_token(api, "S12000036")
    first = await flow.submit(api, council, collection["id"], _with_query_and_error())
    error = next(i for i in first["report"]["issues"] if i["ruleId"] == "CLAS-102")

    results = []
    for problem_id, token in ((error["problemId"], council), ("nope", council)):
        data = await api.graphql(
            EXPLAIN,
            {
                "input": {
                    "submissionId": first["submission"]["id"],
                    "problemId": problem_id,
                    "explanation": "It is right.",
                }
            },
            token,
        )
        results.append(data["explainIssue"]["errors"][0]["__typename"])
    by_owner = await api.graphql(
        EXPLAIN,
        {
            "input": {
                "submissionId": first["submission"]["id"],
                "problemId": error["problemId"],
                "explanation": "x",
            }
        },
        owner,
    )

    assert results == ["InvalidInput", "NotFound"]
    assert by_owner["explainIssue"]["errors"][0]["__typename"] == "NotPermitted"
