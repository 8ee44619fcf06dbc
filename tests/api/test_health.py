"""Liveness and readiness probes for orchestrators."""

from __future__ import annotations

import httpx

from ldp_graph.app import create_app
from ldp_graph.config import load_settings
from tests.conftest import Api


async def test_healthz_says_ok(api: Api) -> None:
    response = await api.client.get("/healthz")

    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_readyz_is_ready_on_a_migrated_database(api: Api) -> None:
    response = await api.client.get("/readyz")

    assert (response.status_code, response.json()) == (200, {"status": "ready"})


async def test_readyz_is_unavailable_on_an_empty_database(tmp_path) -> None:
    settings = load_settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}")
    app = create_app(settings)

    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        response = await client.get("/readyz")

    assert response.status_code == 503
    assert "not migrated" in response.json()["database"]


async def test_readyz_is_unavailable_when_the_database_cannot_be_reached() -> None:
    settings = load_settings(database_url="postgresql+asyncpg://nobody@127.0.0.1:1/none")
    app = create_app(settings)

    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        response = await client.get("/readyz")

    assert (response.status_code, response.json()["database"]) == (503, "unreachable")
