"""Body limits and the upload preflight rule, enforced before the body is read."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette

from ldp_graph.app import create_app
from ldp_graph.config import Settings
from tests.conftest import Api

QUERY = "{ __typename }"


@pytest.fixture
async def small_api(settings: Settings, api: Api) -> httpx.AsyncClient:
    limited = settings.model_copy(update={"max_json_body_bytes": 200, "max_upload_bytes": 400})
    app: Starlette = create_app(limited)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client,
    ):
        yield client


async def test_json_body_over_the_limit_is_refused_with_413(
    small_api: httpx.AsyncClient,
) -> None:
    response = await small_api.post(
        "/graphql", json={"query": QUERY, "variables": {"pad": "x" * 500}}
    )

    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


async def test_json_body_streamed_without_a_length_is_cut_off_at_the_limit(
    small_api: httpx.AsyncClient,
) -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        yield b'{"query": "{ __typename }", "pad": "'
        for _ in range(50):
            yield b"x" * 20
        yield b'"}'

    response = await small_api.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )

    assert response.status_code == 413


async def test_json_body_under_the_limit_is_served(small_api: httpx.AsyncClient) -> None:
    response = await small_api.post("/graphql", json={"query": QUERY})

    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_upload_without_a_preflight_header_is_refused_as_csrf_protection(
    api: Api,
) -> None:
    response = await api.client.post(
        "/graphql",
        data={"operations": '{"query": "{ __typename }"}', "map": "{}"},
        files={"0": ("child.csv", b"child_id\nC1\n", "text/csv")},
    )

    assert response.status_code == 400
    assert "GraphQL-Require-Preflight" in response.json()["errors"][0]["message"]


async def test_upload_over_its_limit_is_refused_with_413(small_api: httpx.AsyncClient) -> None:
    response = await small_api.post(
        "/graphql",
        data={"operations": '{"query": "{ __typename }"}', "map": "{}"},
        files={"0": ("child.csv", b"x" * 1000, "text/csv")},
        headers={"GraphQL-Require-Preflight": "1"},
    )

    assert response.status_code == 413
    assert "upload" in response.json()["errors"][0]["message"].lower()
