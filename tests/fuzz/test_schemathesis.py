"""Schemathesis fuzzes every query and mutation of the schema: no answer is a server error.

Schemathesis generates operations from the schema (valid documents with arbitrary argument
values) and each one is sent as an anonymous caller, a council submitter and a requester, to
the real app on a migrated database holding the demo platform (councils, collections,
submissions with reports and queries). A 5xx, or an error masked as unexpected (a bug that
escaped our own code, even under HTTP 200), fails the test. The run is bounded and
derandomised so CI sees the same cases every time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import graphql
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.graphql import nodes
from starlette.testclient import TestClient

from ldp_graph.app import create_app
from ldp_graph.config import load_settings
from ldp_graph.db.engine import Database
from ldp_graph.domain.roles import Role
from ldp_graph.graphql.schema import build_schema
from ldp_graph.services import demo, organisations
from ldp_graph.specs.registry import load_registry
from tests.conftest import empty_tables

EXAMPLES_PER_OPERATION = 20

# Scalars schemathesis cannot guess. Uploads only travel in multipart requests, so a JSON
# request can only send null for one; `_Any` is a federation representation.
schemathesis.graphql.scalar(
    "JSON",
    st.recursive(
        st.none().map(lambda _: nodes.Null)
        | st.integers(-(2**31), 2**31 - 1).map(nodes.Int)
        | st.text(max_size=20).map(nodes.String),
        lambda children: st.lists(children, max_size=3).map(nodes.List),
        max_leaves=5,
    ),
)
schemathesis.graphql.scalar("Upload", st.just(nodes.Null))

# Ids of the seeded platform, filled in by the fixture: random ids alone would stop nearly
# every operation at "not found". Half the ids drawn are real, half arbitrary text.
KNOWN_IDS: list[str] = []
ids = st.one_of(
    st.integers(min_value=0, max_value=10_000).map(
        lambda i: KNOWN_IDS[i % len(KNOWN_IDS)] if KNOWN_IDS else ""
    ),
    st.text(max_size=12),
)
schemathesis.graphql.scalar("ID", ids.map(nodes.String))


def _representation(typename: str, key: str, value: str) -> graphql.ObjectValueNode:
    return nodes.Object(
        [
            graphql.ObjectFieldNode(
                name=graphql.NameNode(value="__typename"), value=nodes.String(typename)
            ),
            graphql.ObjectFieldNode(name=graphql.NameNode(value=key), value=nodes.String(value)),
        ]
    )


schemathesis.graphql.scalar(
    "_Any",
    st.one_of(
        st.builds(_representation, st.just("Organisation"), st.just("code"), st.text(max_size=10)),
        st.builds(
            _representation, st.sampled_from(["Collection", "Submission"]), st.just("id"), ids
        ),
    ),
)

SCHEMA = schemathesis.graphql.from_dict(build_schema(load_settings()).introspect())


async def _seed(url: str) -> dict[str, str]:
    database = Database(url)
    try:
        await empty_tables(database)
        await organisations.ensure_reference_organisations(database)
        await demo.load(database, load_registry())
        issued = await demo.issue_tokens(database)
    finally:
        await database.dispose()
    by_holder = {(token.role, token.organisation.code): token.secret for token in issued}
    return {
        "council": by_holder[Role.COUNCIL_SUBMITTER, demo.DEMO_COUNCIL_CODE],
        "requester": by_holder[Role.REQUESTER, demo.DEMO_REQUESTER.code],  # the owner
    }


@pytest.fixture(scope="module")
def fuzzed(migrated_url: str) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    callers = {"anonymous": ""} | asyncio.run(_seed(migrated_url))
    headers = {name: {"Authorization": f"Bearer {t}"} if t else {} for name, t in callers.items()}
    # No rate limits: the fuzzer sends hundreds of requests a minute from one address.
    app_settings = load_settings(
        database_url=migrated_url, rate_limit_per_token=0, rate_limit_per_address=0
    )
    with TestClient(create_app(app_settings)) as client:
        KNOWN_IDS[:] = _ids(client, headers["requester"]) + _ids(client, headers["council"])
        yield client, headers
    KNOWN_IDS.clear()


EVERY_ID = """
{ calendar { collection { id grants { id } submissions { id
  versions { id } dataQueries { id } explanations { id } } } } }
"""


def _ids(client: TestClient, headers: dict[str, str]) -> list[str]:
    body = client.post("/graphql", json={"query": EVERY_ID}, headers=headers).json()
    assert "errors" not in body, body
    found: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "id" and isinstance(item, str):
                    found.append(item)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(body["data"])
    return sorted(set(found))


def _server_errors(response: Any) -> list[str]:
    """What is wrong with an answer: anything but a GraphQL answer, or a masked error."""
    # application/json answers are always 200 with `data` or `errors` (4xx would mean the
    # request never reached GraphQL: a broken harness, not a finding; 5xx a server error).
    if response.status_code != 200:
        return [f"HTTP {response.status_code}: {response.text[:500]}"]
    body = response.json()
    if not isinstance(body, dict) or not ({"data", "errors"} & body.keys()):
        return [f"not a GraphQL answer: {response.text[:500]}"]
    return [
        f"masked unexpected error: {error.get('message')}"
        for error in body.get("errors") or []
        if (error.get("extensions") or {}).get("code") == "INTERNAL_SERVER_ERROR"
    ]


@SCHEMA.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_with_a_server_error(
    case: Any, fuzzed: tuple[TestClient, dict[str, dict[str, str]]]
) -> None:
    client, callers = fuzzed
    request = case.as_transport_kwargs(base_url=f"{client.base_url}/graphql")
    for caller, headers in callers.items():
        response = client.request(
            request["method"],
            request["url"],
            json=request.get("json"),
            headers={**request.get("headers", {}), **headers},
        )
        problems = _server_errors(response)
        assert not problems, f"as {caller}: {request.get('json')}\n" + "\n".join(problems)
