"""Races: concurrent changes to one submission; exactly one wins, the others get told why."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import sqlalchemy as sa

from tests.api import flow
from tests.conftest import Api


async def _count(api: Api, table: str) -> int:
    async with api.database.read() as session:
        query = sa.select(sa.func.count()).select_from(sa.table(table))
        return (await session.execute(query)).scalar_one()


@pytest.fixture
async def parties(api: Api) -> dict[str, Any]:
    owner = await flow.requester_token(api)
    collection = await flow.create_collection(api, owner)
    return {
        "owner": owner,
        "collection": collection["id"],
        "council": await flow.council_token(api, "S12000036"),
    }


async def test_concurrent_retries_of_one_idempotency_key_store_one_version(
    api: Api, parties: dict[str, Any]
) -> None:
    variables = {
        "input": {
            "collectionId": parties["collection"],
            "records": flow.clean_return(),
            "idempotencyKey": "nightly-2026-11-25",
        }
    }

    responses = await asyncio.gather(
        *(api.post(flow.SUBMIT_RETURN, variables, parties["council"]) for _ in range(50))
    )

    payloads = [r.json()["data"]["submitReturn"] for r in responses]
    stored = {p["version"]["id"] for p in payloads if p["version"]}
    refused = [p["errors"][0]["__typename"] for p in payloads if p["errors"]]
    assert len(stored) == 1
    # DESIGN: a retry while the first request runs is a Conflict, never a second version.
    assert set(refused) <= {"Conflict"}
    assert len(refused) + sum(1 for p in payloads if p["version"]) == 50
    assert await _count(api, "submission_versions") == 1


async def test_concurrent_submissions_of_different_councils_all_land(
    api: Api, parties: dict[str, Any]
) -> None:
    tokens = [await flow.council_token(api, code) for code in flow.COUNCILS]

    payloads = await asyncio.gather(
        *(flow.submit(api, token, parties["collection"]) for token in tokens)
    )

    assert [p["errors"] for p in payloads] == [[], [], []]
    assert await _count(api, "submissions") == 3


async def test_two_concurrent_write_backs_one_wins_the_other_gets_a_conflict(
    api: Api, parties: dict[str, Any]
) -> None:
    submitted = await flow.submit(api, parties["council"], parties["collection"])
    submission = submitted["submission"]["id"]
    first, second = flow.clean_return(), flow.clean_return()
    first["child"][0]["ethnicity"] = "WB"
    second["child"][0]["ethnicity"] = "WI"

    results = await asyncio.gather(
        flow.write_back(api, parties["owner"], submission, first, based_on=1),
        flow.write_back(api, parties["owner"], submission, second, based_on=1),
    )

    outcomes = sorted(r["errors"][0]["__typename"] if r["errors"] else "won" for r in results)
    assert outcomes == ["Conflict", "won"]
    assert await _count(api, "submission_versions") == 2


async def test_validation_racing_a_new_version_either_validates_the_old_or_conflicts(
    api: Api, parties: dict[str, Any]
) -> None:
    submitted = await flow.submit(api, parties["council"], parties["collection"])
    submission = submitted["submission"]["id"]
    newer = flow.clean_return()
    newer["child"][0]["ethnicity"] = "WB"

    validated, resubmitted = await asyncio.gather(
        flow.mark_validated(api, parties["owner"], submission, version=1),
        flow.submit(api, parties["council"], parties["collection"], newer),
    )

    outcomes = (
        validated["errors"][0]["__typename"] if validated["errors"] else "validated",
        resubmitted["errors"][0]["__typename"] if resubmitted["errors"] else "stored",
    )
    # Never both: the requester never validates a version it has not seen.
    assert outcomes in {("validated", "InvalidTransition"), ("Conflict", "stored")}
    state = await api.graphql(
        "query ($id: ID!) { submission(id: $id) { state currentVersionNumber } }",
        {"id": submission},
        parties["owner"],
    )
    expected = {"validated": ("VALIDATED", 1), "Conflict": ("PREVALIDATED", 2)}[outcomes[0]]
    assert tuple(state["submission"].values()) == expected
