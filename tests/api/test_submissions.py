"""Submitting a return: stored at once with its report, atomic, idempotent, and private."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa

from ldp_graph.db.repositories import records as records_repository
from ldp_graph.db.tables import idempotency_keys
from ldp_graph.services import submissions
from tests.api import flow
from tests.conftest import Api

SUBMISSION = """
query ($id: ID!) {
  submission(id: $id) {
    id state council { code } collection { id }
    versions { number valid sourceFormat author { code } report(maxIssues: 5) { errorCount } }
    currentVersion { number }
  }
}
"""

COLLECTION_SUBMISSIONS = """
query ($id: ID!) { collection(id: $id) { submissions { council { code } state } } }
"""


async def _rows(api: Api) -> dict[str, int]:
    counts = {}
    async with api.database.read() as session:
        for table in ("submissions", "submission_versions", "records", "version_issues"):
            counts[table] = (
                await session.execute(sa.select(sa.func.count()).select_from(sa.table(table)))
            ).scalar_one()
    return counts


@pytest.fixture
async def collection(api: Api) -> dict[str, Any]:
    return await flow.create_collection(api, await flow.requester_token(api))


async def test_submit_clean_return_stores_a_prevalidated_first_version(
    api: Api, collection: dict[str, Any]
) -> None:
    council = await flow.council_token(api, "S12000036")

    payload = await flow.submit(api, council, collection["id"])

    assert payload["errors"] == []
    assert payload["submission"]["state"] == "PREVALIDATED"
    assert payload["version"]["number"] == 1
    assert payload["version"]["sourceFormat"] == "JSON"
    assert payload["report"]["valid"] is True
    assert payload["version"]["recordCount"] == sum(
        len(rows) for rows in flow.clean_return().values()
    )
    assert (await _rows(api))["records"] == payload["version"]["recordCount"]


async def test_submit_failing_return_is_kept_with_its_report_and_fixed_by_a_new_version(
    api: Api, collection: dict[str, Any]
) -> None:
    council = await flow.council_token(api, "S12000036")
    broken = flow.clean_return()
    broken["child"][0]["sex"] = "X"

    failed = await flow.submit(api, council, collection["id"], broken)
    fixed = await flow.submit(api, council, collection["id"])

    assert failed["submission"]["state"] == "PREVALIDATION_FAILED"
    assert failed["report"]["errorCount"] == 1
    assert failed["report"]["issues"][0]["ruleId"] == "CLAS-102"
    assert fixed["submission"]["state"] == "PREVALIDATED"
    assert fixed["version"]["number"] == 2
    data = await api.graphql(SUBMISSION, {"id": fixed["submission"]["id"]}, council)
    versions = data["submission"]["versions"]
    assert [(v["number"], v["valid"]) for v in versions] == [(1, False), (2, True)]
    assert versions[0]["report"]["errorCount"] == 1
    assert data["submission"]["currentVersion"] == {"number": 2}


async def test_submit_with_the_same_idempotency_key_returns_the_first_result(
    api: Api, collection: dict[str, Any]
) -> None:
    council = await flow.council_token(api, "S12000036")

    first = await flow.submit(api, council, collection["id"], idempotency_key="run-1")
    again = await flow.submit(api, council, collection["id"], idempotency_key="run-1")

    assert (first["replayed"], again["replayed"]) == (False, True)
    assert again["version"]["id"] == first["version"]["id"]
    assert (await _rows(api))["submission_versions"] == 1


async def test_idempotency_key_past_its_lifetime_has_lapsed_and_is_purged(
    api: Api, collection: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    council = await flow.council_token(api, "S12000036")
    other_council = await flow.council_token(api, "S12000033")
    first = await flow.submit(api, council, collection["id"], idempotency_key="run-1")
    await flow.submit(api, other_council, collection["id"], idempotency_key="their-run")
    monkeypatch.setattr(submissions, "IDEMPOTENCY_KEY_LIFETIME", dt.timedelta(0))

    again = await flow.submit(api, council, collection["id"], idempotency_key="run-1")

    assert again["replayed"] is False
    assert again["version"]["number"] == first["version"]["number"] + 1
    async with api.database.read() as session:
        kept = (await session.execute(sa.select(idempotency_keys.c.key))).scalars().all()
    assert kept == ["run-1"]  # the new one; the other council's lapsed key is gone too


async def test_submit_reusing_an_idempotency_key_for_other_records_is_an_error(
    api: Api, collection: dict[str, Any]
) -> None:
    council = await flow.council_token(api, "S12000036")
    await flow.submit(api, council, collection["id"], idempotency_key="run-1")
    other = flow.clean_return()
    other["child"][0]["ethnicity"] = "WB"

    payload = await flow.submit(api, council, collection["id"], other, idempotency_key="run-1")

    assert [(e["__typename"], e["field"]) for e in payload["errors"]] == [
        ("InvalidInput", "idempotencyKey")
    ]
    assert (await _rows(api))["submission_versions"] == 1


async def test_submit_for_a_council_not_asked_or_by_a_requester_is_not_permitted(
    api: Api, collection: dict[str, Any]
) -> None:
    outsider = await flow.council_token(api, "S12000040")
    requester = await flow.requester_token(api)

    for token in (outsider, requester):
        payload = await flow.submit(api, token, collection["id"])
        assert payload["errors"][0]["__typename"] == "NotPermitted"
    assert (await _rows(api))["submissions"] == 0


async def test_submit_unreadable_records_is_an_error_and_stores_nothing(
    api: Api, collection: dict[str, Any]
) -> None:
    council = await flow.council_token(api, "S12000036")

    for records in ({"child": "nope"}, {"pupil": [{"id": 1}]}, {}):
        payload = await flow.submit(api, council, collection["id"], records)
        assert [(e["__typename"], e["field"]) for e in payload["errors"]] == [
            ("InvalidInput", "records")
        ]
    assert set((await _rows(api)).values()) == {0}


async def test_submit_that_fails_while_storing_leaves_nothing_half_written(
    api: Api, collection: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    council = await flow.council_token(api, "S12000036")
    broken = flow.clean_return()
    broken["child"][0]["sex"] = "X"

    async def fail(*_args: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(records_repository, "insert_issues", fail)
    response = await api.post(
        flow.SUBMIT_RETURN,
        {"input": {"collectionId": collection["id"], "records": broken}},
        council,
    )

    assert response.json()["errors"][0]["message"].startswith("Unexpected error")
    assert set((await _rows(api)).values()) == {0}


async def test_submission_is_read_by_its_council_and_the_owner_but_no_other(
    api: Api, collection: dict[str, Any]
) -> None:
    council = await flow.council_token(api, "S12000036")
    submitted = await flow.submit(api, council, collection["id"])
    submission_id = submitted["submission"]["id"]
    owner = await flow.requester_token(api)
    other_council = await flow.council_token(api, "S12000033")
    other_requester = await flow.requester_token(api, "CARE-INSPECTORATE")

    for token in (council, owner):
        data = await api.graphql(SUBMISSION, {"id": submission_id}, token)
        assert data["submission"]["council"] == {"code": "S12000036"}
        listed = await api.graphql(COLLECTION_SUBMISSIONS, {"id": collection["id"]}, token)
        assert listed["collection"]["submissions"] == [
            {"council": {"code": "S12000036"}, "state": "PREVALIDATED"}
        ]
    for token in (other_council, other_requester, None):
        data = await api.graphql(SUBMISSION, {"id": submission_id}, token)
        assert data["submission"] is None
        listed = await api.graphql(COLLECTION_SUBMISSIONS, {"id": collection["id"]}, token)
        assert listed["collection"]["submissions"] == []


NESTED = """
query ($id: ID!) {
  collection(id: $id) {
    owner { name }
    submissions {
      council { name }
      collection { title }
      versions { number author { code } report(maxIssues: 3) { errorCount issues { ruleId } } }
      currentVersion { number }
    }
  }
}
"""


async def test_nested_submission_query_runs_the_same_statements_for_one_or_many_councils(
    api: Api,
) -> None:
    owner = await flow.requester_token(api)
    one = await flow.create_collection(api, owner, councilCodes=["S12000036"])
    many = await flow.create_collection(api, owner, councilCodes=list(flow.COUNCILS))
    for code in flow.COUNCILS:
        token = await flow.council_token(api, code)
        if code == "S12000036":
            await flow.submit(api, token, one["id"])
        await flow.submit(api, token, many["id"])
        await flow.submit(api, token, many["id"])

    with api.count_statements() as for_one:
        small = await api.graphql(NESTED, {"id": one["id"]}, owner)
    with api.count_statements() as for_many:
        large = await api.graphql(NESTED, {"id": many["id"]}, owner)

    assert len(small["collection"]["submissions"]) == 1
    assert len(large["collection"]["submissions"]) == len(flow.COUNCILS)
    assert len(for_many) == len(for_one)


async def test_json_values_of_any_size_are_stored_as_sent(
    api: Api, collection: dict[str, Any]
) -> None:
    council = await flow.council_token(api, "S12000036")
    records = flow.clean_return()
    records["child"][0]["scn"] = 10**20  # beyond 64 bits: still stored, then flagged

    payload = await flow.submit(api, council, collection["id"], records)
    query = """query ($id: ID!) { submission(id: $id) { currentVersion { clas {
      child { nodes { scn meta { raw } } } } } } }"""
    data = await api.graphql(query, {"id": payload["submission"]["id"]}, council)

    (child,) = data["submission"]["currentVersion"]["clas"]["child"]["nodes"]
    assert child["meta"]["raw"]["scn"] == 10**20
    assert "CLAS-013" in {c["ruleId"] for c in payload["report"]["counts"]}
