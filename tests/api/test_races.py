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
        *(api.post(flow.SUBMIT_RETURN, variables, parties["council"]) for _ in range(20))
    )

    payloads = [r.json()["data"]["submitReturn"] for r in responses]
    stored = {p["version"]["id"] for p in payloads if p["version"]}
    refused = [p["errors"][0]["__typename"] for p in payloads if p["errors"]]
    assert len(stored) == 1
    assert set(refused) <= {"Conflict"}
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
