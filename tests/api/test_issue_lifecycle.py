"""Issues have a life across versions: new, still open or fixed; explanations and queries carry."""

from __future__ import annotations

import copy
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
    dataQueries { state versionNumber recordInCurrentVersion issueInCurrentVersion }
    explanations { problemId state versionNumber }
    currentVersion {
      number
      issueChanges { newCount stillOpenCount fixedCount
                     new { ruleId explanation { state } }
                     stillOpen { ruleId problemId explanation { state versionNumber } }
                     fixed { ruleId key explanation { state } } }
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
    await flow.raise_query(
        api,
        owner,
        submission,
        "Why is sex X?",
        entity="child",
        recordKey="C1",
        field="sex",
        ruleId="CLAS-102",
    )
    fixed = _with_query_and_error()
    fixed["child"][0]["sex"] = "F"

    await flow.submit(api, council, collection["id"], fixed)
    data = (await api.graphql(LIFECYCLE, {"id": submission}, owner))["submission"]

    changes = data["currentVersion"]["issueChanges"]
    assert data["currentVersion"]["number"] == 2
    assert (changes["newCount"], changes["stillOpenCount"], changes["fixedCount"]) == (0, 1, 1)
    assert changes["fixed"] == [{"ruleId": "CLAS-102", "key": "C1", "explanation": None}]
    assert changes["stillOpen"] == [
        {
            "ruleId": "CLAS-013Q",
            "problemId": query_issue["problemId"],
            "explanation": {"state": "ACCEPTED", "versionNumber": 1},
        }
    ]
    assert data["explanations"] == [
        {"problemId": query_issue["problemId"], "state": "ACCEPTED", "versionNumber": 1}
    ]
    assert data["dataQueries"] == [
        {
            "state": "OPEN",
            "versionNumber": 1,
            "recordInCurrentVersion": True,
            "issueInCurrentVersion": False,  # the queried error is fixed in version 2
        }
    ]
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


TARGETS = """
query ($id: ID!) {
  submission(id: $id) {
    dataQueries { question recordInCurrentVersion issueInCurrentVersion }
  }
}
"""


async def test_open_queries_carried_to_a_resubmission_say_whether_their_target_remains(
    api: Api,
) -> None:
    owner = await flow.requester_token(api)
    collection = await flow.create_collection(api, owner)
    council = await flow.council_token(api, "S12000036")
    records = _with_query_and_error()
    records["child"].append(
        {**flow.clean_return()["child"][0], "child_id": "C2", "scn": "987654321"}
    )
    first = await flow.submit(api, council, collection["id"], records)
    submission = first["submission"]["id"]
    for key in ("C1", "C2"):
        await flow.raise_query(
            api, owner, submission, f"{key} scn?", entity="child", recordKey=key, ruleId="CLAS-013Q"
        )
    await flow.raise_query(api, owner, submission, "M1?", entity="permanence", recordKey="M1")
    await flow.raise_query(api, owner, submission, "Anything else?")
    second = copy.deepcopy(records)
    second["child"][0]["sex"] = "F"
    second["permanence"] = []

    await flow.submit(api, council, collection["id"], second)
    data = await api.graphql(TARGETS, {"id": submission}, council)

    found = {
        q["question"]: (q["recordInCurrentVersion"], q["issueInCurrentVersion"])
        for q in data["submission"]["dataQueries"]
    }
    assert found == {
        "C1 scn?": (True, True),  # C1's SCN is still missing in version 2
        "C2 scn?": (True, False),  # the rule fires on C1 only
        "M1?": (False, None),  # the record is gone; no rule was named
        "Anything else?": (None, None),
    }


PARTIES_VIEW = """
query ($id: ID!) {
  submission(id: $id) {
    explanations { state }
    currentVersion { issueChanges { new { ruleId explanation { state } } } }
  }
}
"""


async def _explain(api: Api, token: str, submission: str, problem_id: str) -> dict[str, Any]:
    variables = {
        "input": {"submissionId": submission, "problemId": problem_id, "explanation": "Right."}
    }
    return (await api.graphql(EXPLAIN, variables, token))["explainIssue"]


async def _review(api: Api, token: str, explanation_id: str, accept: bool) -> dict[str, Any]:
    variables = {"input": {"explanationId": explanation_id, "accept": accept}}
    return (await api.graphql(REVIEW, variables, token))["reviewExplanation"]


async def test_explanations_on_tracked_issues_are_shown_to_the_two_parties_only(
    api: Api,
) -> None:
    owner = await flow.requester_token(api)
    collection = await flow.create_collection(api, owner)
    council = await flow.council_token(api, "S12000036")
    records = flow.clean_return()
    records["child"][0]["scn"] = None  # a query only: the version is valid
    first = await flow.submit(api, council, collection["id"], records)
    submission = first["submission"]["id"]
    problem = first["report"]["issues"][0]["problemId"]
    explained = await _explain(api, council, submission, problem)
    await _review(api, owner, explained["explanation"]["id"], accept=True)
    assert (await flow.mark_validated(api, owner, submission))["errors"] == []
    grantee = await flow.requester_token(api, "CARE-INSPECTORATE")
    made = await flow.grant(
        api, owner, collection["id"], grantee="CARE-INSPECTORATE", level="RECORDS"
    )
    assert made["errors"] == []

    seen = {}
    for name, token in (("owner", owner), ("council", council), ("grantee", grantee)):
        data = (await api.graphql(PARTIES_VIEW, {"id": submission}, token))["submission"]
        seen[name] = (data["explanations"], data["currentVersion"]["issueChanges"]["new"])

    accepted = (
        [{"state": "ACCEPTED"}],
        [{"ruleId": "CLAS-013Q", "explanation": {"state": "ACCEPTED"}}],
    )
    assert seen["owner"] == accepted
    assert seen["council"] == accepted
    assert seen["grantee"] == ([], [{"ruleId": "CLAS-013Q", "explanation": None}])


VERSIONS_VIEW = """
query ($id: ID!) {
  submission(id: $id) {
    explanations { state explanation }
    first: version(number: 1) { issueChanges { new { explanation { state } } } }
    second: version(number: 2) { issueChanges { stillOpen { explanation { state } } } }
  }
}
"""


async def test_a_rejected_explanation_can_be_replaced_and_each_gets_one_verdict(
    api: Api,
) -> None:
    owner = await flow.requester_token(api)
    collection = await flow.create_collection(api, owner)
    council = await flow.council_token(api, "S12000036")
    records = flow.clean_return()
    records["child"][0]["scn"] = None
    first = await flow.submit(api, council, collection["id"], records)
    submission = first["submission"]["id"]
    problem = first["report"]["issues"][0]["problemId"]
    await flow.submit(api, council, collection["id"], records)  # version 2, same problem

    rejected = await _explain(api, council, submission, problem)
    verdict = await _review(api, owner, rejected["explanation"]["id"], accept=False)
    again = await _review(api, owner, rejected["explanation"]["id"], accept=True)
    by_council = await _review(api, council, rejected["explanation"]["id"], accept=True)
    await api.graphql(
        EXPLAIN,
        {
            "input": {
                "submissionId": submission,
                "problemId": problem,
                "explanation": "Home-schooled: no SCN is issued.",
            }
        },
        council,
    )
    data = (await api.graphql(VERSIONS_VIEW, {"id": submission}, owner))["submission"]

    assert verdict["explanation"]["state"] == "REJECTED"
    assert again["errors"][0]["__typename"] == "InvalidTransition"
    assert by_council["errors"][0]["__typename"] == "NotPermitted"
    assert data["explanations"] == [
        {"state": "PROPOSED", "explanation": "Home-schooled: no SCN is issued."}
    ]
    # Given on version 2, so version 1's report shows none; version 2's shows the newest.
    assert data["first"]["issueChanges"]["new"] == [{"explanation": None}]
    assert data["second"]["issueChanges"]["stillOpen"] == [{"explanation": {"state": "PROPOSED"}}]
