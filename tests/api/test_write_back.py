"""The requester's verdict: markValidated, writeBack as a new linked version, and versionDiff."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api import flow
from tests.conftest import Api

DIFF = """
query ($id: ID!, $from: Int!, $to: Int!) {
  versionDiff(submissionId: $id, from: $from, to: $to) {
    addedCount removedCount changedCount truncated
    added { entity key } removed { entity key }
    changed { entity key changes { field old new } }
  }
}
"""


SUBMISSION = """
query ($id: ID!) { submission(id: $id) { state currentVersionNumber validatedVersionNumber } }
"""


@pytest.fixture
async def parties(api: Api) -> dict[str, Any]:
    owner = await flow.requester_token(api)
    collection = await flow.create_collection(api, owner)
    council = await flow.council_token(api, "S12000036")
    return {"owner": owner, "council": council, "collection": collection}


async def _submit(api: Api, parties: dict[str, Any], records: Any = None) -> str:
    payload = await flow.submit(api, parties["council"], parties["collection"]["id"], records)
    return payload["submission"]["id"]


async def test_mark_validated_accepts_a_clean_current_version(
    api: Api, parties: dict[str, Any]
) -> None:
    submission = await _submit(api, parties)

    payload = await flow.mark_validated(api, parties["owner"], submission)

    assert payload["submission"] == {
        "id": submission,
        "state": "VALIDATED",
        "validatedVersionNumber": 1,
    }
    again = await flow.submit(api, parties["council"], parties["collection"]["id"])
    assert again["errors"][0]["__typename"] == "InvalidTransition"


async def test_mark_validated_on_a_version_no_longer_current_is_a_conflict(
    api: Api, parties: dict[str, Any]
) -> None:
    submission = await _submit(api, parties)
    newer = flow.clean_return()
    newer["child"][0]["ethnicity"] = "WB"
    await _submit(api, parties, newer)

    stale = await flow.mark_validated(api, parties["owner"], submission, version=1)
    current = await flow.mark_validated(api, parties["owner"], submission, version=2)

    assert [(e["__typename"], e["field"]) for e in stale["errors"]] == [("Conflict", "version")]
    assert current["errors"] == []
    assert current["submission"]["validatedVersionNumber"] == 2


async def test_mark_validated_is_refused_with_errors_or_an_unresolved_query(
    api: Api, parties: dict[str, Any]
) -> None:
    broken = flow.clean_return()
    broken["child"][0]["sex"] = "X"
    failing = await _submit(api, parties, broken)

    with_errors = await flow.mark_validated(api, parties["owner"], failing)
    await _submit(api, parties)
    await flow.raise_query(api, parties["owner"], failing)
    with_query = await flow.mark_validated(api, parties["owner"], failing)
    by_council = await flow.mark_validated(api, parties["council"], failing)

    assert with_errors["errors"][0]["__typename"] == "InvalidTransition"
    assert "errors" in with_errors["errors"][0]["message"]
    assert with_query["errors"][0]["__typename"] == "InvalidTransition"
    assert "not resolved" in with_query["errors"][0]["message"]
    assert by_council["errors"][0]["__typename"] == "NotPermitted"
    data = await api.graphql(SUBMISSION, {"id": failing}, parties["owner"])
    assert data["submission"] == {
        "state": "CHANGES_REQUESTED",
        "currentVersionNumber": 2,
        "validatedVersionNumber": None,
    }


async def test_mark_validated_twice_or_by_another_requester_is_refused(
    api: Api, parties: dict[str, Any]
) -> None:
    submission = await _submit(api, parties)
    stranger = await flow.requester_token(api, "CARE-INSPECTORATE")

    by_stranger = await flow.mark_validated(api, stranger, submission)
    await flow.mark_validated(api, parties["owner"], submission)
    again = await flow.mark_validated(api, parties["owner"], submission)

    assert by_stranger["errors"][0]["__typename"] == "NotFound"  # existence not revealed
    assert again["errors"][0]["__typename"] == "InvalidTransition"


async def test_write_back_stores_the_final_state_as_a_requester_version_linked_to_its_source(
    api: Api, parties: dict[str, Any]
) -> None:
    broken = flow.clean_return()
    broken["child"][0]["sex"] = "X"
    submission = await _submit(api, parties, broken)
    corrected = flow.clean_return()
    corrected["child"][0]["ethnicity"] = "WB"

    payload = await flow.write_back(api, parties["owner"], submission, corrected, based_on=1)

    assert payload["errors"] == []
    assert payload["submission"]["state"] == "VALIDATED"
    assert payload["submission"]["validatedVersionNumber"] == 2
    version = payload["version"]
    assert (version["number"], version["sourceFormat"], version["basedOnVersion"]) == (
        2,
        "WRITE_BACK",
        1,
    )
    assert version["author"] == {"code": flow.REQUESTER}
    assert version["note"] == "Corrected after review."
    diff = await api.graphql(DIFF, {"id": submission, "from": 1, "to": 2}, parties["council"])
    changed = diff["versionDiff"]["changed"]
    assert diff["versionDiff"]["addedCount"] == 0
    assert diff["versionDiff"]["removedCount"] == 0
    assert changed == [
        {
            "entity": "child",
            "key": "C1",
            "changes": [
                {"field": "ethnicity", "old": "WS", "new": "WB"},
                {"field": "sex", "old": "X", "new": "F"},
            ],
        }
    ]
    again = await flow.write_back(api, parties["owner"], submission, corrected, based_on=2)
    assert again["errors"][0]["__typename"] == "InvalidTransition"  # validated is final


async def test_write_back_with_errors_fails_validation_and_stores_nothing(
    api: Api, parties: dict[str, Any]
) -> None:
    submission = await _submit(api, parties)
    still_broken = flow.clean_return()
    still_broken["child"][0]["sex"] = "X"

    payload = await flow.write_back(api, parties["owner"], submission, still_broken, based_on=1)

    assert payload["errors"][0]["__typename"] == "ValidationFailed"
    assert payload["errors"][0]["errorCount"] == 1
    data = await api.graphql(
        "query ($id: ID!) { submission(id: $id) { state currentVersionNumber } }",
        {"id": submission},
        parties["owner"],
    )
    assert data["submission"] == {"state": "PREVALIDATED", "currentVersionNumber": 1}


async def test_write_back_against_a_stale_version_is_a_conflict(
    api: Api, parties: dict[str, Any]
) -> None:
    submission = await _submit(api, parties)
    await _submit(api, parties)  # the council sent version 2 meanwhile

    payload = await flow.write_back(
        api, parties["owner"], submission, flow.clean_return(), based_on=1
    )

    assert [(e["__typename"], e["field"]) for e in payload["errors"]] == [
        ("Conflict", "basedOnVersion")
    ]


async def test_write_back_refusals_for_council_and_missing_note(
    api: Api, parties: dict[str, Any]
) -> None:
    submission = await _submit(api, parties)

    by_council = await flow.write_back(
        api, parties["council"], submission, flow.clean_return(), based_on=1
    )
    without_note = await flow.write_back(
        api, parties["owner"], submission, flow.clean_return(), based_on=1, note=" "
    )

    assert by_council["errors"][0]["__typename"] == "NotPermitted"
    assert [(e["__typename"], e["field"]) for e in without_note["errors"]] == [
        ("InvalidInput", "note")
    ]


async def test_version_diff_lists_added_and_removed_records(
    api: Api, parties: dict[str, Any]
) -> None:
    submission = await _submit(api, parties)
    second = flow.clean_return()
    second["permanence"] = []
    second["child"].append({**second["child"][0], "child_id": "C2"})
    await _submit(api, parties, second)

    diff = await api.graphql(DIFF, {"id": submission, "from": 1, "to": 2}, parties["owner"])

    found = diff["versionDiff"]
    assert (found["addedCount"], found["removedCount"], found["changedCount"]) == (1, 1, 0)
    assert found["added"] == [{"entity": "child", "key": "C2"}]
    assert found["removed"] == [{"entity": "permanence", "key": "M1"}]
    assert found["changed"] == []
    assert found["truncated"] is False


async def test_version_diff_of_another_councils_submission_is_not_found(
    api: Api, parties: dict[str, Any]
) -> None:
    submission = await _submit(api, parties)
    other = await flow.council_token(api, "S12000033")

    response = await api.post(DIFF, {"id": submission, "from": 1, "to": 1}, other)

    assert "No submission" in response.json()["errors"][0]["message"]
