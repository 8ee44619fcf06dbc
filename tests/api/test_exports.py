"""exportRecords: the same selection as a file, through a short link acting for its token."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import polars as pl
import pytest
import sqlalchemy as sa

from ldp_graph.db.tables import export_links
from ldp_graph.exports.formats import neutralise
from tests.api import flow
from tests.conftest import Api

EXPORT = """
mutation ($input: ExportRecordsInput!) {
  exportRecords(input: $input) { url expiresAt errors { __typename message field } }
}
"""


@pytest.fixture
async def story(api: Api) -> dict[str, Any]:
    owner = await flow.requester_token(api)
    collection = await flow.create_collection(api, owner)
    for code in ("S12000036", "S12000033"):
        records = flow.children(4, code)
        records["child"][1]["scn"] = '=HYPERLINK("http://evil")'  # C2
        await flow.submit(api, await flow.council_token(api, code), collection["id"], records)
    return {"owner": owner, "collection": collection["id"]}


async def _export(api: Api, token: str | None, collection: str, **values: Any) -> dict[str, Any]:
    variables = {"input": {"collectionId": collection, "entity": "child", **values}}
    return (await api.graphql(EXPORT, variables, token))["exportRecords"]


async def test_csv_export_streams_the_selection_with_formulas_neutralised(
    api: Api, story: dict[str, Any]
) -> None:
    made = await _export(
        api,
        story["owner"],
        story["collection"],
        fields=["child_id", "council", "sex", "scn"],
        filters=[{"field": "sex", "eq": "F"}],
    )

    response = await api.client.get(made["url"].removeprefix("http://testserver"))

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert sorted((r["council"], r["child_id"]) for r in rows) == [
        ("S12000033", "C2"),
        ("S12000033", "C4"),
        ("S12000036", "C2"),
        ("S12000036", "C4"),
    ]
    assert {r["scn"] for r in rows if r["child_id"] == "C2"} == {'\'=HYPERLINK("http://evil")'}


async def test_ndjson_and_parquet_exports_carry_the_same_records(
    api: Api, story: dict[str, Any]
) -> None:
    ndjson = await _export(
        api, story["owner"], story["collection"], format="NDJSON", fields=["child_id"]
    )
    parquet = await _export(
        api, story["owner"], story["collection"], format="PARQUET", fields=["child_id"]
    )

    lines = (
        await api.client.get(ndjson["url"].removeprefix("http://testserver"))
    ).text.splitlines()
    frame = pl.read_parquet(
        io.BytesIO((await api.client.get(parquet["url"].removeprefix("http://testserver"))).content)
    )

    assert sorted(json.loads(line)["child_id"] for line in lines) == sorted(
        frame["child_id"].to_list()
    )
    assert frame.height == 8


async def test_a_council_exports_only_its_own_records(api: Api, story: dict[str, Any]) -> None:
    council = await flow.council_token(api, "S12000036")
    made = await _export(api, council, story["collection"], fields=["council"])

    text = (await api.client.get(made["url"].removeprefix("http://testserver"))).text

    assert set(text.splitlines()[1:]) == {"S12000036"}


async def test_unknown_fields_anonymous_callers_and_dead_links_are_refused(
    api: Api, story: dict[str, Any]
) -> None:
    bad_field = await _export(api, story["owner"], story["collection"], fields=["shoe_size"])
    anonymous = await _export(api, None, story["collection"])
    dead = await api.client.get("/exports/not-a-real-link")

    assert bad_field["errors"][0]["field"] == "fields"
    assert anonymous["errors"][0]["__typename"] == "NotPermitted"
    assert dead.status_code == 404


async def test_expired_links_are_purged_when_a_new_link_is_made(
    api: Api, story: dict[str, Any]
) -> None:
    first = await _export(api, story["owner"], story["collection"], fields=["child_id"])
    async with api.database.transaction() as session:
        await session.execute(export_links.update().values(expires_at=dt.datetime.now(dt.UTC)))

    second = await _export(api, story["owner"], story["collection"], fields=["child_id"])

    async with api.database.read() as session:
        count = await session.execute(sa.select(sa.func.count()).select_from(export_links))
    assert count.scalar_one() == 1
    assert (await api.client.get(first["url"].removeprefix("http://testserver"))).status_code == 404
    assert (
        await api.client.get(second["url"].removeprefix("http://testserver"))
    ).status_code == 200


@pytest.mark.parametrize(
    "value",
    ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "\n=1", "  =1+1", "\u3000=1", "\uff1d1+1"],
)
def test_a_value_a_spreadsheet_could_run_is_quoted(value: str) -> None:
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["", "C1", "Smith-Jones", "a=b", " text"])
def test_ordinary_values_are_written_as_they_are(value: str) -> None:
    assert neutralise(value) == value
