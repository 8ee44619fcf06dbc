"""A version's records are stored in bulk (COPY on PostgreSQL), exactly, in its one transaction."""

from __future__ import annotations

from unittest import mock

import sqlalchemy as sa

from ldp_graph.db.repositories import records as records_repository
from ldp_graph.db.tables import records, submission_versions
from tests.api import flow
from tests.conftest import Api

COUNCIL = "S12000036"


async def _count(api: Api, table: sa.Table) -> int:
    async with api.database.read() as session:
        return (await session.execute(sa.select(sa.func.count()).select_from(table))).scalar_one()


async def test_every_record_is_stored_as_sent_with_its_key_and_line(api: Api) -> None:
    owner = await flow.requester_token(api)
    collection = await flow.create_collection(api, owner, councilCodes=[COUNCIL])
    council = await flow.council_token(api, COUNCIL)
    sent = flow.children(4500, COUNCIL)  # more than one batch of the SQLite path

    payload = await flow.submit(api, council, collection["id"], sent)

    assert payload["errors"] == [], payload["errors"]
    async with api.database.read() as session:
        stored = await records_repository.list_records(session, payload["version"]["id"])
    assert len(stored) == payload["version"]["recordCount"]
    children = [r for r in stored if r.entity == "child"]
    assert [r.data for r in children] == sent["child"]
    assert [r.key for r in children[:2]] == ["C1", "C2"]
    assert [r.line for r in children[:2]] == [1, 2]


async def test_a_failure_after_the_records_leaves_neither_records_nor_version(api: Api) -> None:
    owner = await flow.requester_token(api)
    collection = await flow.create_collection(api, owner, councilCodes=[COUNCIL])
    council = await flow.council_token(api, COUNCIL)

    sent = {"input": {"collectionId": collection["id"], "records": flow.children(50, COUNCIL)}}

    with mock.patch.object(
        records_repository, "insert_issues", side_effect=RuntimeError("disk full")
    ):
        body = (await api.post(flow.SUBMIT_RETURN, sent, council)).json()

    assert body["errors"], body
    assert await _count(api, records) == 0
    assert await _count(api, submission_versions) == 0
