"""Submitting the files a case-management system exports, as a GraphQL multipart request."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from ldp_graph.specs.registry import load_registry
from ldp_graph.synthetic import generate
from ldp_graph.synthetic.writer import write_csv
from tests.api import flow
from tests.conftest import Api

UPLOAD = """
mutation Upload($input: SubmitReturnInput!) {
  submitReturn(input: $input) {
    submission { id state }
    version { number sourceFormat recordCount valid }
    report { errorCount counts { ruleId problems } issues { ruleId entity line key } }
    errors { __typename message field }
  }
}
"""


async def upload(
    api: Api,
    token: str,
    collection_id: str,
    files: list[tuple[str, bytes]],
    *,
    flat: bool = False,
    preflight: bool = True,
) -> Any:
    operations = {
        "query": UPLOAD,
        "variables": {
            "input": {"collectionId": collection_id, "files": [None] * len(files), "flat": flat}
        },
    }
    mapping = {str(i): [f"variables.input.files.{i}"] for i in range(len(files))}
    headers = {"Authorization": f"Bearer {token}"}
    if preflight:
        headers["GraphQL-Require-Preflight"] = "1"
    return await api.client.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps(mapping)},
        files={str(i): (name, data, "text/csv") for i, (name, data) in enumerate(files)},
        headers=headers,
    )


@pytest.fixture
async def collection(api: Api) -> dict[str, Any]:
    return await flow.create_collection(api, await flow.requester_token(api))


async def test_upload_of_a_synthetic_councils_csvs_yields_a_version_and_report_at_once(
    api: Api, collection: dict[str, Any], tmp_path: Path
) -> None:
    spec = load_registry().get("clas", "2025-26")
    assert spec is not None
    (generated,) = generate(
        spec, councils=["S12000036"], children_per_council=40, error_rate=0.25, seed=3
    )
    files = [(p.name, p.read_bytes()) for p in write_csv(generated, spec, tmp_path)]
    token = await flow.council_token(api, "S12000036")

    response = await upload(api, token, collection["id"], files)

    payload = response.json()["data"]["submitReturn"]
    assert payload["errors"] == []
    assert payload["version"]["sourceFormat"] == "CSV"
    assert payload["version"]["recordCount"] == sum(len(r) for r in generated.records.values())
    flagged = {(i["entity"], i["key"], i["ruleId"]) for i in payload["report"]["issues"]}
    seeded = {(s.entity, s.key, s.rule_id) for s in generated.seeded}
    assert seeded
    assert seeded <= flagged
    assert all(i["line"] >= 2 for i in payload["report"]["issues"] if i["line"] is not None)
    assert payload["submission"]["state"] == "PREVALIDATION_FAILED"


async def test_upload_of_a_flat_export_with_conflicting_repeats_reports_them_as_errors(
    api: Api, collection: dict[str, Any]
) -> None:
    token = await flow.council_token(api, "S12000036")
    data = b"child.child_id,child.sex\nC1,F\nC1,M\n"

    response = await upload(api, token, collection["id"], [("export.csv", data)], flat=True)

    payload = response.json()["data"]["submitReturn"]
    assert payload["version"]["sourceFormat"] == "FLAT_CSV"
    ingest = [i for i in payload["report"]["issues"] if i["ruleId"] == "INGEST-001"]
    assert [(i["entity"], i["key"], i["line"]) for i in ingest] == [("child", "C1", 3)]


async def test_upload_of_an_unreadable_file_is_a_typed_error_and_stores_nothing(
    api: Api, collection: dict[str, Any]
) -> None:
    token = await flow.council_token(api, "S12000036")

    response = await upload(api, token, collection["id"], [("pupil.csv", b"id\n1\n")])

    payload = response.json()["data"]["submitReturn"]
    assert [(e["__typename"], e["field"]) for e in payload["errors"]] == [("InvalidInput", "files")]
    assert "pupil.csv" in payload["errors"][0]["message"]
    async with api.database.read() as session:
        stored = await session.execute(sa.select(sa.func.count()).select_from(sa.table("records")))
        assert stored.scalar_one() == 0


async def test_upload_by_a_council_not_asked_is_not_permitted(
    api: Api, collection: dict[str, Any]
) -> None:
    token = await flow.council_token(api, "S12000040")

    response = await upload(api, token, collection["id"], [("child.csv", b"child_id\nC1\n")])

    assert response.json()["data"]["submitReturn"]["errors"][0]["__typename"] == "NotPermitted"


async def test_submit_with_both_records_and_files_or_neither_is_an_input_error(
    api: Api, collection: dict[str, Any]
) -> None:
    token = await flow.council_token(api, "S12000036")
    variables = {"input": {"collectionId": collection["id"]}}

    data = await api.graphql(flow.SUBMIT_RETURN, variables, token)

    assert data["submitReturn"]["errors"][0]["__typename"] == "InvalidInput"
