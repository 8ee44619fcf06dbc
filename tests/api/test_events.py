"""submissionEvents: live, per-party, only what committed; across processes on PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from starlette.testclient import TestClient

from ldp_graph.app import create_app
from ldp_graph.auth.principal import OPERATOR
from ldp_graph.config import Settings
from ldp_graph.db.engine import Database
from ldp_graph.services import audit
from tests.api import flow
from tests.conftest import Api

SUBSCRIBE = """
subscription ($id: ID!) {
  submissionEvents(collectionId: $id) { kind version state council { code } actor { code } }
}
"""

READ_RECORDS = "query ($id: ID!) { collection(id: $id) { clas { child { totalCount } } } }"


@pytest.fixture
async def parties(api: Api) -> dict[str, Any]:
    owner = await flow.requester_token(api)
    collection = await flow.create_collection(api, owner)
    return {
        "owner": owner,
        "collection": collection["id"],
        "edinburgh": await flow.council_token(api, "S12000036"),
        "aberdeen": await flow.council_token(api, "S12000033"),
        "stranger": await flow.requester_token(api, "CARE-INSPECTORATE"),
    }


def _post(client: TestClient, token: str, document: str, variables: dict[str, Any]) -> Any:
    response = client.post(
        "/graphql",
        json={"query": document, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    payload = next(iter(response.json()["data"].values()))
    assert payload["errors"] == [], payload["errors"]
    return payload


def _submit(client: TestClient, token: str, collection_id: str) -> str:
    variables = {"input": {"collectionId": collection_id, "records": flow.clean_return()}}
    return _post(client, token, flow.SUBMIT_RETURN, variables)["submission"]["id"]


def _subscribe(ws: Any, token: str | None, collection_id: str) -> None:
    auth = {"Authorization": f"Bearer {token}"} if token else {}
    ws.send_json({"type": "connection_init", "payload": auth})
    assert ws.receive_json()["type"] == "connection_ack"
    ws.send_json(
        {
            "id": "1",
            "type": "subscribe",
            "payload": {"query": SUBSCRIBE, "variables": {"id": collection_id}},
        }
    )


def test_owner_hears_each_submission_as_it_is_committed(
    parties: dict[str, Any], settings: Settings
) -> None:
    with (
        TestClient(create_app(settings)) as client,
        client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws,
    ):
        _subscribe(ws, parties["owner"], parties["collection"])
        _submit(client, parties["edinburgh"], parties["collection"])

        message = ws.receive_json()

    assert message["type"] == "next"
    assert message["payload"]["data"]["submissionEvents"] == {
        "kind": "SUBMITTED",
        "version": 1,
        "state": "PREVALIDATED",
        "council": {"code": "S12000036"},
        "actor": {"code": "S12000036"},
    }


def test_a_council_hears_its_own_submissions_only(
    parties: dict[str, Any], settings: Settings
) -> None:
    with (
        TestClient(create_app(settings)) as client,
        client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws,
    ):
        _subscribe(ws, parties["edinburgh"], parties["collection"])
        _submit(client, parties["aberdeen"], parties["collection"])
        _submit(client, parties["edinburgh"], parties["collection"])

        message = ws.receive_json()

    assert message["payload"]["data"]["submissionEvents"]["council"] == {"code": "S12000036"}


def test_the_new_state_reaches_the_council_and_reads_are_not_broadcast(
    parties: dict[str, Any], settings: Settings
) -> None:
    with (
        TestClient(create_app(settings)) as client,
        client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws,
    ):
        _subscribe(ws, parties["edinburgh"], parties["collection"])
        submission_id = _submit(client, parties["edinburgh"], parties["collection"])
        read = client.post(
            "/graphql",
            json={"query": READ_RECORDS, "variables": {"id": parties["collection"]}},
            headers={"Authorization": f"Bearer {parties['owner']}"},
        )
        assert "errors" not in read.json()  # audited as records.read, which is no event
        variables = {"input": {"submissionId": submission_id, "version": 1}}
        _post(client, parties["owner"], flow.MARK_VALIDATED, variables)

        kinds = [ws.receive_json()["payload"]["data"]["submissionEvents"] for _ in range(2)]

    assert [(e["kind"], e["state"], e["actor"]["code"]) for e in kinds] == [
        ("SUBMITTED", "PREVALIDATED", "S12000036"),
        ("VALIDATED", "VALIDATED", flow.REQUESTER),
    ]


def test_a_token_in_the_websocket_handshake_header_is_accepted_too(
    parties: dict[str, Any], settings: Settings
) -> None:
    header = {"Authorization": f"Bearer {parties['owner']}"}
    with (
        TestClient(create_app(settings)) as client,
        client.websocket_connect(
            "/graphql", subprotocols=["graphql-transport-ws"], headers=header
        ) as ws,
    ):
        _subscribe(ws, None, parties["collection"])
        _submit(client, parties["aberdeen"], parties["collection"])

        message = ws.receive_json()

    assert message["payload"]["data"]["submissionEvents"]["council"] == {"code": "S12000033"}


@pytest.mark.parametrize("who", ["stranger", "anonymous"])
def test_a_stranger_is_refused_at_subscribe_time(
    parties: dict[str, Any], settings: Settings, who: str
) -> None:
    with (
        TestClient(create_app(settings)) as client,
        client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws,
    ):
        _subscribe(ws, parties.get(who), parties["collection"])
        message = ws.receive_json()

    assert message["type"] == "error"
    assert "owner and the councils" in message["payload"][0]["message"]


def test_a_bad_token_in_connection_init_is_rejected(
    parties: dict[str, Any], settings: Settings
) -> None:
    with (
        TestClient(create_app(settings)) as client,
        client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws,
    ):
        ws.send_json({"type": "connection_init", "payload": {"Authorization": "Bearer nope"}})
        closed = ws.receive()

    assert closed["type"] == "websocket.close"
    assert closed["code"] == 4403


async def _announce(database: Database, collection_id: str, version: int, fail: bool) -> None:
    try:
        async with database.transaction() as session:
            await audit.record(
                session,
                OPERATOR,
                "submission.submit",
                collection_id=collection_id,
                submission_id="sub_x",
                version=version,
            )
            if fail:
                raise RuntimeError("rolled back")
    except RuntimeError:
        pass


async def test_a_rolled_back_change_announces_nothing(database: Database) -> None:
    await database.listen()
    async with asyncio.timeout(10):
        await database.wait_listening()
    async with database.bus.subscribe() as queue:
        await _announce(database, "col_x", 1, fail=True)
        await _announce(database, "col_x", 2, fail=False)
        async with asyncio.timeout(10):
            payload = await queue.get()

    assert payload["version"] == 2
    assert queue.empty()


async def test_an_event_raised_in_one_process_reaches_subscribers_of_another(
    database: Database, migrated_url: str
) -> None:
    if database.is_sqlite:
        pytest.skip("SQLite serves one process; cross-process delivery is PostgreSQL's NOTIFY")
    other = Database(migrated_url)  # a second server process's engine and bus
    try:
        await other.listen()
        async with asyncio.timeout(10):
            await other.wait_listening()
        async with other.bus.subscribe() as queue:
            await _announce(database, "col_x", 7, fail=False)
            async with asyncio.timeout(10):
                payload = await queue.get()
    finally:
        await other.dispose()

    assert payload["version"] == 7
