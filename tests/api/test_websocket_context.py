"""Each operation on a graphql-transport-ws socket runs on a context of its own.

strawberry hands one context to every operation of a connection; ours carries DataLoaders that
cache authorisation decisions, and the principal of the token the socket opened with. So an
owner narrowing a grant, or a token being revoked or expiring, must reach a socket that is
already open: at the next operation, and at the next event of a subscription.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
import strawberry
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.testclient import TestClient
from strawberry.asgi import GraphQL

from ldp_graph.app import create_app
from ldp_graph.auth.principal import OPERATOR
from ldp_graph.config import Settings
from ldp_graph.db.engine import Database
from ldp_graph.db.tables import api_tokens
from ldp_graph.domain.organisations import OrganisationKind
from ldp_graph.domain.roles import Role
from ldp_graph.graphql.websocket import OperationContextHandler
from ldp_graph.services import tokens
from tests.api import flow
from tests.conftest import Api

INSPECTORATE = "CARE-INSPECTORATE"
COUNCIL, SECOND = flow.COUNCILS[:2]
REPORTS = """
query ($id: ID!) { collection(id: $id) { submissions {
  currentVersion { report { errorCount issues { ruleId key fields value message } } }
} } }
"""
ME = "{ me { role organisation { code } } }"
EVENTS = "subscription ($id: ID!) { submissionEvents(collectionId: $id) { kind council { code } } }"


def _report(body: dict[str, Any]) -> dict[str, Any]:
    [submission] = body["data"]["collection"]["submissions"]
    return submission["currentVersion"]["report"]


def _token_id(token: str) -> str:
    return token.split("_")[1]  # ldp_<id>_<secret>


@contextmanager
def _socket(client: TestClient, token: str, how: str) -> Iterator[Any]:
    """A socket acknowledged for `token`, given in connection_init or in the handshake."""
    header = {"Authorization": f"Bearer {token}"}
    headers = dict(header) if how == "header" else {}
    with client.websocket_connect(
        "/graphql", subprotocols=["graphql-transport-ws"], headers=headers
    ) as ws:
        ws.send_json({"type": "connection_init", "payload": header if how == "init" else {}})
        assert ws.receive_json()["type"] == "connection_ack"
        yield ws


def _start(ws: Any, op_id: str, query: str, variables: dict[str, Any] | None = None) -> None:
    payload = {"query": query, "variables": variables or {}}
    ws.send_json({"id": op_id, "type": "subscribe", "payload": payload})


def _query(ws: Any, op_id: str, query: str, variables: dict[str, Any] | None = None) -> Any:
    """Run a query over the socket: its `next` payload, or the `error` message."""
    _start(ws, op_id, query, variables)
    message = ws.receive_json()
    assert message["id"] == op_id, message
    if message["type"] == "error":
        return message
    assert message["type"] == "next", message
    assert ws.receive_json() == {"id": op_id, "type": "complete"}
    return message["payload"]


def _post(client: TestClient, token: str, document: str, variables: dict[str, Any]) -> Any:
    body = client.post(
        "/graphql",
        json={"query": document, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    payload = next(iter(body["data"].values()))
    assert payload["errors"] == [], body
    return payload


def _revoke(client: TestClient, token: str) -> None:
    """Revoke on the app's own event loop and database, as `ldp-graph token revoke` would."""
    database = client.app.state.database  # type: ignore[attr-defined]
    client.portal.call(tokens.revoke_tokens, database, OPERATOR, [_token_id(token)])  # type: ignore[union-attr]


def _expire(client: TestClient, token: str) -> None:
    async def expire(database: Database) -> None:
        async with database.transaction() as session:
            await session.execute(
                sa.update(api_tokens)
                .where(api_tokens.c.id == _token_id(token))
                .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
            )

    client.portal.call(expire, client.app.state.database)  # type: ignore[union-attr,attr-defined]


def _unauthenticated(message: dict[str, Any], why: str) -> None:
    assert message["type"] == "error", message
    [error] = message["payload"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert why in error["message"]


@pytest.fixture
async def world(api: Api) -> dict[str, Any]:
    """A validated submission with a query-level issue, and a RECORDS grant on it."""
    owner = await flow.requester_token(api)
    collection = await flow.create_collection(api, owner)
    records = flow.children(3, COUNCIL)
    records["child"][0]["scn"] = None  # CLAS-013Q: a query-severity issue
    council = await flow.council_token(api, COUNCIL)
    payload = await flow.submit(api, council, collection["id"], records)
    validated = await flow.mark_validated(api, owner, payload["submission"]["id"])
    assert validated["errors"] == [], validated
    await flow.organisation(api, INSPECTORATE, OrganisationKind.REQUESTER)
    made = await flow.grant(api, owner, collection["id"], grantee=INSPECTORATE, level="RECORDS")
    return {
        "owner": owner,
        "second": await flow.council_token(api, SECOND),  # a council yet to submit
        "collection": collection["id"],
        "grant": made["grant"]["id"],
        "grantee": await api.token(INSPECTORATE, Role.REQUESTER),
    }


@pytest.mark.parametrize("how", ["init", "header"])
def test_narrowing_a_grant_hides_issue_lists_on_an_open_websocket(
    world: dict[str, Any], settings: Settings, how: str
) -> None:
    variables = {"id": world["collection"]}
    with TestClient(create_app(settings)) as client, _socket(client, world["grantee"], how) as ws:
        before = _report(_query(ws, "1", REPORTS, variables))
        assert before["issues"], before  # a full grant: the issues are listed

        # The owner narrows the grant to one field.
        _post(client, world["owner"], flow.REVOKE_GRANT, {"input": {"grantId": world["grant"]}})
        narrowed = {
            "collectionId": world["collection"],
            "grantee": INSPECTORATE,
            "level": "RECORDS",
            "fields": ["child.child_id"],
        }
        _post(client, world["owner"], flow.CREATE_GRANT, {"input": narrowed})

        over_http = client.post(
            "/graphql",
            json={"query": REPORTS, "variables": variables},
            headers={"Authorization": f"Bearer {world['grantee']}"},
        ).json()
        assert _report(over_http)["issues"] == [], over_http  # a new request: counts only

        after = _report(_query(ws, "2", REPORTS, variables))
        assert after["issues"] == [], after  # the same socket says the same
        assert after["errorCount"] == before["errorCount"]


@pytest.mark.parametrize("how", ["init", "header"])
@pytest.mark.parametrize("lapse", [_revoke, _expire], ids=["revoked", "expired"])
def test_a_token_that_lapses_runs_no_new_operation_on_an_open_socket(
    world: dict[str, Any], settings: Settings, how: str, lapse: Any
) -> None:
    with TestClient(create_app(settings)) as client, _socket(client, world["grantee"], how) as ws:
        assert _query(ws, "1", ME)["data"]["me"]["organisation"]["code"] == INSPECTORATE

        lapse(client, world["grantee"])

        _unauthenticated(_query(ws, "2", ME), "revoked" if lapse is _revoke else "expired")
        _unauthenticated(_query(ws, "1", REPORTS, {"id": world["collection"]}), "")
        # The socket itself stays usable (its id freed, pings answered), just not for this token.
        ws.send_json({"type": "ping"})
        assert ws.receive_json() == {"type": "pong"}


def test_an_open_subscription_ends_at_its_next_event_once_its_token_is_revoked(
    world: dict[str, Any], settings: Settings
) -> None:
    variables = {"id": world["collection"]}
    submission = {"collectionId": world["collection"], "records": flow.children(2, SECOND)}
    with (
        TestClient(create_app(settings)) as client,
        _socket(client, world["second"], "init") as ws,
    ):
        _start(ws, "events", EVENTS, variables)
        # A query alongside the open subscription: the two run at once on the socket.
        assert _query(ws, "me", ME)["data"]["me"]["role"] == "COUNCIL_SUBMITTER"

        stored = _post(client, world["second"], flow.SUBMIT_RETURN, {"input": submission})
        stored = stored["submission"]["id"]
        heard = ws.receive_json()
        assert heard["id"] == "events"
        assert heard["payload"]["data"]["submissionEvents"] == {
            "kind": "SUBMITTED",
            "council": {"code": SECOND},
        }

        _revoke(client, world["second"])
        # The owner validates that version: an event the council's subscription would hear.
        validate = {"input": {"submissionId": stored, "version": 1}}
        _post(client, world["owner"], flow.MARK_VALIDATED, validate)
        ended = ws.receive_json()
        assert ended["id"] == "events"
        assert ended["payload"]["data"] is None, ended  # not the event
        [error] = ended["payload"]["errors"]
        assert error["extensions"]["code"] == "UNAUTHENTICATED"
        assert "revoked" in error["message"]
        assert ws.receive_json() == {"id": "events", "type": "complete"}


def test_the_legacy_graphql_ws_protocol_is_not_served(settings: Settings) -> None:
    """Its handler would share one context across a socket's operations."""
    with (
        TestClient(create_app(settings)) as client,
        client.websocket_connect("/graphql", subprotocols=["graphql-ws"]) as ws,
    ):
        closed = ws.receive()

    assert closed["type"] == "websocket.close"
    assert closed["code"] == 4406


@dataclass(eq=False)
class _Probe:
    """A stand-in for Context: what matters is which object each operation resolves with."""

    connection_params: dict[str, object] | None = None

    async def for_operation(self) -> _Probe:
        await asyncio.sleep(0)  # as the real one does (it reads the token): a switch point
        return _Probe()


@strawberry.type
class _Query:
    @strawberry.field
    async def context(self, info: strawberry.Info) -> str:
        await asyncio.sleep(0.01)  # overlap with the socket's other operations
        return str(id(info.context))


@strawberry.type
class _Subscription:
    @strawberry.subscription
    async def contexts(self, info: strawberry.Info) -> AsyncGenerator[str, None]:
        for _ in range(3):
            await asyncio.sleep(0.01)
            yield str(id(info.context))


def test_concurrent_operations_on_one_socket_each_resolve_with_their_own_context() -> None:
    connection = _Probe()

    class View(GraphQL[Any, None]):
        graphql_transport_ws_handler_class = OperationContextHandler

        async def get_context(self, request: Any, response: Any) -> _Probe:
            return connection

    schema = strawberry.Schema(query=_Query, subscription=_Subscription)
    app = Starlette(routes=[WebSocketRoute("/graphql", View(schema))])
    seen: dict[str, list[str]] = {}
    with (
        TestClient(app) as client,
        client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws,
    ):
        ws.send_json({"type": "connection_init"})
        assert ws.receive_json()["type"] == "connection_ack"
        # Two subscriptions and three queries in flight at once on the one socket.
        for op_id in ("s1", "s2"):
            _start(ws, op_id, "subscription { contexts }")
        for op_id in ("q1", "q2", "q3"):
            _start(ws, op_id, "{ context }")
        while sum(map(len, seen.values())) < 9:  # three queries, two subscriptions of three
            message = ws.receive_json()
            if message["type"] == "next":
                [value] = message["payload"]["data"].values()
                seen.setdefault(message["id"], []).append(value)

    assert sorted(seen) == ["q1", "q2", "q3", "s1", "s2"]
    # Each subscription keeps its one context for all its events...
    assert all(len(set(values)) == 1 for values in seen.values())
    contexts = {values[0] for values in seen.values()}
    # ...and no two operations share one, nor use the connection's.
    assert len(contexts) == 5
    assert str(id(connection)) not in contexts
