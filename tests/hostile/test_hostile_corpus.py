"""Every hostile or broken input gets a clear error, the server stays up, nothing is stored."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa

from tests.api import flow
from tests.conftest import Api
from tests.hostile.corpus import REQUESTS, UPLOADS, Request, Upload

UPLOAD = """
mutation ($input: SubmitReturnInput!) {
  submitReturn(input: $input) { version { id } errors { __typename message field } }
}
"""


def test_the_corpus_holds_at_least_forty_cases() -> None:
    assert len(UPLOADS) + len(REQUESTS) >= 40


async def _nothing_stored_and_alive(api: Api) -> None:
    async with api.database.read() as session:
        for table in ("submissions", "submission_versions", "records"):
            query = sa.select(sa.func.count()).select_from(sa.table(table))
            assert (await session.execute(query)).scalar_one() == 0, table
    assert (await api.client.get("/healthz")).status_code == 200


@pytest.fixture
async def council(api: Api) -> dict[str, Any]:
    collection = await flow.create_collection(api, await flow.requester_token(api))
    return {"collection": collection["id"], "token": await flow.council_token(api, "S12000036")}


@pytest.mark.parametrize("case", UPLOADS, ids=lambda c: c.name)
async def test_hostile_upload_is_refused_clearly(
    api: Api, council: dict[str, Any], case: Upload
) -> None:
    files = case.contents()
    operations = {
        "query": UPLOAD,
        "variables": {
            "input": {
                "collectionId": council["collection"],
                "files": [None] * len(files),
                "flat": case.flat,
            }
        },
    }
    response = await api.client.post(
        "/graphql",
        data={
            "operations": json.dumps(operations),
            "map": json.dumps({str(i): [f"variables.input.files.{i}"] for i in range(len(files))}),
        },
        files={str(i): (name, data, "text/csv") for i, (name, data) in enumerate(files)},
        headers={"Authorization": f"Bearer {council['token']}", "GraphQL-Require-Preflight": "1"},
    )

    errors = response.json()["data"]["submitReturn"]["errors"]
    assert [(e["__typename"], e["field"]) for e in errors] == [("InvalidInput", "files")]
    assert case.says in errors[0]["message"]
    await _nothing_stored_and_alive(api)


@pytest.mark.parametrize("case", REQUESTS, ids=lambda c: c.name)
async def test_hostile_request_is_refused_clearly(
    api: Api, council: dict[str, Any], case: Request
) -> None:
    headers = {"Authorization": f"Bearer {council['token']}", **case.headers}

    response = await api.client.post("/graphql", content=case.body, headers=headers)

    assert response.status_code == (case.status or 200)
    assert response.status_code < 500
    if case.status is None:
        body = response.json()
        messages = [e["message"] for e in body.get("errors", [])]
        messages += [
            e["message"]
            for e in ((body.get("data") or {}).get("submitReturn") or {}).get("errors", [])
        ]
        assert messages, body
        assert any(case.says in m for m in messages), messages
    else:
        assert case.says in response.text
    await _nothing_stored_and_alive(api)
