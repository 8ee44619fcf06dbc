"""Every hostile or broken input gets a clear error, the server stays up, nothing is stored;
a readable upload carrying a hostile value is stored with that value flagged in its report."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa

from tests.api import flow
from tests.conftest import Api
from tests.hostile.corpus import FLAGGED, REQUESTS, UPLOADS, Flagged, Request, Upload

UPLOAD = """
mutation ($input: SubmitReturnInput!) {
  submitReturn(input: $input) { version { id } errors { __typename message field } }
}
"""


FLAGGED_UPLOAD = """
mutation ($input: SubmitReturnInput!) {
  submitReturn(input: $input) {
    version { number }
    report { valid issues { ruleId severity entity line fields value message } }
    errors { __typename message }
  }
}
"""


def test_the_corpus_holds_at_least_forty_cases() -> None:
    assert len(UPLOADS) + len(REQUESTS) + len(FLAGGED) >= 40


def test_every_case_names_what_its_answer_must_say() -> None:
    cases: list[Upload | Request | Flagged] = [*UPLOADS, *REQUESTS, *FLAGGED]
    assert [c.name for c in cases if not c.says.strip()] == []
    assert len({c.name for c in cases}) == len(cases)


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


async def _upload(
    api: Api,
    council: dict[str, Any],
    query: str,
    files: list[tuple[str, bytes]],
    *,
    flat: bool = False,
) -> dict[str, Any]:
    operations = {
        "query": query,
        "variables": {
            "input": {
                "collectionId": council["collection"],
                "files": [None] * len(files),
                "flat": flat,
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
    payload: dict[str, Any] = response.json()["data"]["submitReturn"]
    return payload


@pytest.mark.parametrize("case", UPLOADS, ids=lambda c: c.name)
async def test_hostile_upload_is_refused_clearly(
    api: Api, council: dict[str, Any], case: Upload
) -> None:
    payload = await _upload(api, council, UPLOAD, case.contents(), flat=case.flat)

    errors = payload["errors"]
    assert [(e["__typename"], e["field"]) for e in errors] == [("InvalidInput", "files")]
    assert case.says in errors[0]["message"]
    await _nothing_stored_and_alive(api)


@pytest.mark.parametrize("case", REQUESTS, ids=lambda c: c.name)
async def test_hostile_request_is_refused_clearly(
    api: Api, council: dict[str, Any], case: Request
) -> None:
    headers = {"Authorization": f"Bearer {council['token']}", **case.headers}
    sent = case.body.replace(b"COLLECTION", council["collection"].encode())

    response = await api.client.post("/graphql", content=sent, headers=headers)

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


@pytest.mark.parametrize("case", FLAGGED, ids=lambda c: c.name)
async def test_hostile_value_in_a_readable_upload_is_flagged_in_its_report(
    api: Api, council: dict[str, Any], case: Flagged
) -> None:
    payload = await _upload(api, council, FLAGGED_UPLOAD, case.files)

    assert payload["errors"] == []
    flagged = [i for i in payload["report"]["issues"] if i["ruleId"] == case.rule_id]
    assert [(i["line"], i["severity"]) for i in flagged] == [(case.line, "query")]
    assert case.says in flagged[0]["message"]
    async with api.database.read() as session:
        query = sa.select(sa.func.count()).select_from(sa.table("submission_versions"))
        assert (await session.execute(query)).scalar_one() == 1
    assert (await api.client.get("/healthz")).status_code == 200
