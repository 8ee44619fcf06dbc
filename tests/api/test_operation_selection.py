"""Operation selection: a document with several operations runs only the one `operationName`
names; without a name (or with one the document lacks) nothing runs, on every transport."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from ldp_graph.app import create_app
from ldp_graph.config import Settings
from ldp_graph.db.engine import Database
from ldp_graph.domain.roles import Role
from tests.conftest import Api

GRAPHQL_RESPONSE = "application/graphql-response+json"

TWO_OPERATIONS = "query First { __typename } mutation Second { __typename }"


async def test_operation_name_picks_the_operation_of_several(api: Api) -> None:
    response = await api.client.post(
        "/graphql", json={"query": TWO_OPERATIONS, "operationName": "First"}
    )

    assert response.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize(
    ("operation_name", "message"),
    [
        (None, "The document defines 2 operations (First, Second): name the one to run in"),
        ("Third", 'The document defines no operation named "Third".'),
    ],
)
async def test_several_operations_need_an_operation_name_that_exists(
    api: Api, operation_name: str | None, message: str
) -> None:
    body = {"query": TWO_OPERATIONS, "operationName": operation_name}

    legacy = await api.client.post("/graphql", json=body)
    specified = await api.client.post("/graphql", json=body, headers={"accept": GRAPHQL_RESPONSE})

    # A request error: 200 under application/json, 400 without data under the spec's type.
    assert legacy.status_code == 200
    assert legacy.json()["data"] is None
    assert legacy.json()["errors"][0]["message"].startswith(message)
    assert specified.status_code == 400
    assert "data" not in specified.json()
    assert specified.json()["errors"][0]["message"].startswith(message)


async def test_several_mutations_without_a_name_run_none(api: Api) -> None:
    admin = await api.token("LDP", Role.ADMIN)
    document = (
        'mutation A { createOrganisation(input: {code: "FIRSTOP", name: "x", kind: OTHER}) {\n'
        "  errors { message } } }\n"
        'mutation B { createOrganisation(input: {code: "SECONDOP", name: "y", kind: OTHER}) {\n'
        "  errors { message } } }"
    )

    response = await api.post(document, token=admin)

    assert "name the one to run" in response.json()["errors"][0]["message"]
    codes = {o["code"] for o in (await api.graphql("{ organisations { code } }"))["organisations"]}
    assert not {"FIRSTOP", "SECONDOP"} & codes


def test_a_socket_operation_with_several_operations_and_no_name_runs_none(
    database: Database, settings: Settings
) -> None:
    with (
        TestClient(create_app(settings)) as client,
        client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws,
    ):
        ws.send_json({"type": "connection_init", "payload": {}})
        assert ws.receive_json()["type"] == "connection_ack"
        ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": TWO_OPERATIONS}})
        message = ws.receive_json()

    assert message["id"] == "1"
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert "name the one to run in `operationName`" in errors[0]["message"]


async def test_a_document_of_fragments_only_has_no_operation_to_run(api: Api) -> None:
    response = await api.client.post(
        "/graphql",
        json={"query": "fragment F on Query { __typename }"},
        headers={"accept": GRAPHQL_RESPONSE},
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "The document defines no operation to run."
