"""Persisted queries over HTTP and WebSocket: APQ (the default), off, and the allow-list."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from ldp_graph.app import create_app
from ldp_graph.config import Settings, load_settings
from tests.conftest import Api

GRAPHQL_RESPONSE = "application/graphql-response+json"
ORGANISATIONS = "query Councils { organisations(kind: COUNCIL) { code } }"
TYPENAME = "{ __typename }"
DRY_RUN = (
    'mutation DryRun { validateSubmission(input: {specId: "clas", records: {}}) '
    "{ errors { message } } }"
)
SUBSCRIBE = "subscription { submissionEvents(collectionId: 1) { kind } }"


def sha256(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def persisted(document_or_hash: str) -> dict[str, Any]:
    digest = document_or_hash if len(document_or_hash) == 64 else sha256(document_or_hash)
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


def code_of(response: httpx.Response) -> str:
    errors = response.json()["errors"]
    assert len(errors) == 1, errors
    return errors[0]["extensions"]["code"]


async def get(client: httpx.AsyncClient, **params: Any) -> httpx.Response:
    """A GET as Apollo's link sends it: JSON-encoded `extensions` and `variables`."""
    encoded = {k: json.dumps(v) if isinstance(v, dict) else v for k, v in params.items()}
    return await client.get("/graphql", params=encoded)


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Starlette]]:
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client,
    ):
        yield client, app


def write_manifest(directory: Path, *documents: str) -> Path:
    path = directory / "persisted-documents.json"
    path.write_text(json.dumps({sha256(d): d for d in documents}), encoding="utf-8")
    return path


def allowlist_settings(settings: Settings, manifest: Path) -> Settings:
    return load_settings(
        database_url=settings.database_url,
        persisted_queries="allowlist",
        operation_allowlist=str(manifest),
    )


# APQ, the default mode


async def test_an_unknown_hash_alone_gets_persisted_query_not_found(api: Api) -> None:
    response = await api.client.post("/graphql", json={"extensions": persisted(ORGANISATIONS)})

    assert response.status_code == 200
    assert response.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    assert code_of(response) == "PERSISTED_QUERY_NOT_FOUND"


async def test_an_unknown_hash_is_a_400_under_the_specification_media_type(api: Api) -> None:
    response = await api.client.post(
        "/graphql",
        json={"extensions": persisted(ORGANISATIONS)},
        headers={"accept": GRAPHQL_RESPONSE},
    )

    assert response.status_code == 400
    assert code_of(response) == "PERSISTED_QUERY_NOT_FOUND"


async def test_hash_and_query_register_so_the_hash_alone_then_runs_over_post_and_get(
    api: Api,
) -> None:
    first = await api.client.post(
        "/graphql", json={"query": ORGANISATIONS, "extensions": persisted(ORGANISATIONS)}
    )
    by_post = await api.client.post("/graphql", json={"extensions": persisted(ORGANISATIONS)})
    by_get = await get(api.client, extensions=persisted(ORGANISATIONS))

    assert "errors" not in first.json()
    assert by_post.json() == first.json()
    assert by_get.json() == first.json()
    assert {"code": "S12000036"} in first.json()["data"]["organisations"]


async def test_a_query_registered_over_get_runs_by_hash(api: Api) -> None:
    await get(api.client, query=TYPENAME, extensions=persisted(TYPENAME))

    response = await get(api.client, extensions=persisted(TYPENAME))

    assert response.json() == {"data": {"__typename": "Query"}}


async def test_variables_travel_with_a_hash(api: Api) -> None:
    query = "query One($code: ID!) { organisation(code: $code) { name } }"
    await api.client.post(
        "/graphql",
        json={"query": query, "variables": {"code": "S12000036"}, "extensions": persisted(query)},
    )

    response = await get(api.client, extensions=persisted(query), variables={"code": "S12000033"})

    assert response.json()["data"]["organisation"]["name"]
    assert "errors" not in response.json()


async def test_a_query_whose_hash_does_not_match_is_refused_and_not_registered(
    api: Api,
) -> None:
    claimed = persisted(TYPENAME)

    refused = await api.client.post(
        "/graphql", json={"query": ORGANISATIONS, "extensions": claimed}
    )
    later = await api.client.post("/graphql", json={"extensions": claimed})

    assert code_of(refused) == "PERSISTED_QUERY_HASH_MISMATCH"
    assert refused.json()["data"] is None
    assert code_of(later) == "PERSISTED_QUERY_NOT_FOUND"


async def test_a_document_that_does_not_validate_is_not_remembered(api: Api) -> None:
    bad = "{ nope }"

    first = await api.client.post("/graphql", json={"query": bad, "extensions": persisted(bad)})
    later = await api.client.post("/graphql", json={"extensions": persisted(bad)})

    assert "nope" in first.json()["errors"][0]["message"]
    assert code_of(later) == "PERSISTED_QUERY_NOT_FOUND"


@pytest.mark.parametrize(
    "extension",
    [
        {"version": 2, "sha256Hash": sha256(TYPENAME)},
        {"version": 1, "sha256Hash": "abc"},
        {"version": 1},
        "not an object",
    ],
)
async def test_a_malformed_persisted_query_extension_is_refused(api: Api, extension: Any) -> None:
    response = await api.client.post(
        "/graphql", json={"query": TYPENAME, "extensions": {"persistedQuery": extension}}
    )

    assert code_of(response) == "PERSISTED_QUERY_INVALID"


async def test_a_mutation_named_by_hash_is_still_never_run_over_get(api: Api) -> None:
    registered = await api.client.post(
        "/graphql", json={"query": DRY_RUN, "extensions": persisted(DRY_RUN)}
    )

    response = await get(api.client, extensions=persisted(DRY_RUN))

    assert "errors" not in registered.json()
    assert response.status_code == 405
    assert "cannot run over GET" in response.text


async def test_a_mutation_cannot_be_registered_over_get(api: Api) -> None:
    refused = await get(api.client, query=DRY_RUN, extensions=persisted(DRY_RUN))
    later = await api.client.post("/graphql", json={"extensions": persisted(DRY_RUN)})

    assert refused.status_code == 405
    assert code_of(later) == "PERSISTED_QUERY_NOT_FOUND"


async def test_plain_queries_still_run_in_apq_mode(api: Api) -> None:
    response = await api.client.post("/graphql", json={"query": TYPENAME})

    assert response.json() == {"data": {"__typename": "Query"}}


# off


async def test_off_mode_answers_a_hash_with_persisted_query_not_supported(
    api: Api, settings: Settings
) -> None:
    async with serving(settings.model_copy(update={"persisted_queries": "off"})) as (client, _):
        with_hash = await client.post(
            "/graphql", json={"query": TYPENAME, "extensions": persisted(TYPENAME)}
        )
        plain = await client.post("/graphql", json={"query": TYPENAME})

    assert with_hash.json()["errors"][0]["message"] == "PersistedQueryNotSupported"
    assert code_of(with_hash) == "PERSISTED_QUERY_NOT_SUPPORTED"
    assert plain.json() == {"data": {"__typename": "Query"}}


# allowlist


@pytest.fixture
async def allowlisted(
    api: Api, settings: Settings, tmp_path: Path
) -> AsyncIterator[tuple[httpx.AsyncClient, Starlette]]:
    manifest = write_manifest(tmp_path, ORGANISATIONS, DRY_RUN, SUBSCRIBE)
    async with serving(allowlist_settings(settings, manifest)) as served:
        yield served


async def test_a_listed_hash_runs_over_post_and_get(
    allowlisted: tuple[httpx.AsyncClient, Starlette],
) -> None:
    client, _ = allowlisted

    by_post = await client.post("/graphql", json={"extensions": persisted(ORGANISATIONS)})
    by_get = await get(client, extensions=persisted(ORGANISATIONS))

    assert {"code": "S12000036"} in by_post.json()["data"]["organisations"]
    assert by_get.json() == by_post.json()


async def test_a_listed_document_runs_when_sent_as_its_exact_text(
    allowlisted: tuple[httpx.AsyncClient, Starlette],
) -> None:
    client, _ = allowlisted

    plain = await client.post("/graphql", json={"query": ORGANISATIONS})
    with_hash = await client.post(
        "/graphql", json={"query": ORGANISATIONS, "extensions": persisted(ORGANISATIONS)}
    )

    assert "errors" not in plain.json()
    assert with_hash.json() == plain.json()


async def test_an_unlisted_document_is_refused_before_any_resolver_runs(
    allowlisted: tuple[httpx.AsyncClient, Starlette],
) -> None:
    client, app = allowlisted
    unlisted = "query Councils { organisations(kind: COUNCIL) { code name } }"
    served = Api(client=client, database=app.state.database, app=app)

    with served.count_statements() as statements:
        response = await client.post("/graphql", json={"query": unlisted})

    assert response.status_code == 200
    assert response.json()["data"] is None
    assert code_of(response) == "OPERATION_NOT_ALLOWED"
    assert statements == []


async def test_an_unlisted_document_is_refused_with_400_under_the_specification_type(
    allowlisted: tuple[httpx.AsyncClient, Starlette],
) -> None:
    client, _ = allowlisted

    response = await client.post(
        "/graphql", json={"query": TYPENAME}, headers={"accept": GRAPHQL_RESPONSE}
    )

    assert response.status_code == 400
    assert code_of(response) == "OPERATION_NOT_ALLOWED"


async def test_an_unlisted_hash_gets_not_found_and_its_query_then_not_allowed(
    allowlisted: tuple[httpx.AsyncClient, Starlette],
) -> None:
    client, _ = allowlisted

    by_hash = await get(client, extensions=persisted(TYPENAME))
    with_query = await client.post(
        "/graphql", json={"query": TYPENAME, "extensions": persisted(TYPENAME)}
    )
    again = await get(client, extensions=persisted(TYPENAME))

    assert code_of(by_hash) == "PERSISTED_QUERY_NOT_FOUND"
    assert code_of(with_query) == "OPERATION_NOT_ALLOWED"
    assert code_of(again) == "PERSISTED_QUERY_NOT_FOUND"  # nothing was registered


async def test_a_listed_mutation_is_still_never_run_over_get(
    allowlisted: tuple[httpx.AsyncClient, Starlette],
) -> None:
    client, _ = allowlisted

    by_get = await get(client, extensions=persisted(DRY_RUN))
    by_post = await client.post("/graphql", json={"extensions": persisted(DRY_RUN)})

    assert by_get.status_code == 405
    assert "cannot run over GET" in by_get.text
    assert "errors" not in by_post.json()  # by POST it ran (a dry run's typed errors)
    assert by_post.json()["data"]["validateSubmission"]["errors"]


def test_over_websocket_only_a_listed_subscription_reaches_its_resolver(
    settings: Settings, tmp_path: Path
) -> None:
    manifest = write_manifest(tmp_path, SUBSCRIBE)
    unlisted = SUBSCRIBE.replace("kind", "kind version")
    app = create_app(allowlist_settings(settings, manifest))

    with (
        TestClient(app) as client,
        client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws,
    ):
        ws.send_json({"type": "connection_init"})
        assert ws.receive_json()["type"] == "connection_ack"
        ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": unlisted}})
        refused = ws.receive_json()
        ws.send_json({"id": "2", "type": "subscribe", "payload": {"query": SUBSCRIBE}})
        listed = ws.receive_json()

    assert refused["type"] == "error"
    assert refused["payload"][0]["extensions"]["code"] == "OPERATION_NOT_ALLOWED"
    # The listed one ran: its resolver looked the collection up (a path means it resolved).
    assert listed["id"] == "2"
    assert listed["payload"][0]["path"] == ["submissionEvents"]
    assert listed["payload"][0]["message"] == "No collection 1."
