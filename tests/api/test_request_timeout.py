"""A request that runs too long is stopped with a clear 503, and nothing it changed is kept."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from ldp_graph.app import create_app
from ldp_graph.config import Settings
from ldp_graph.services import audit
from tests.api import flow
from tests.conftest import Api


@pytest.fixture
async def impatient(settings: Settings, api: Api) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"request_timeout_seconds": 0.5}))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        yield client


async def test_a_slow_mutation_is_stopped_and_its_transaction_rolled_back(
    api: Api, impatient: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = await flow.requester_token(api)
    record = audit.record

    async def slow_audit(*args: Any, **kwargs: Any) -> None:
        await record(*args, **kwargs)
        await asyncio.sleep(5)  # inside the transaction, after its writes

    monkeypatch.setattr(audit, "record", slow_audit)
    response = await impatient.post(
        "/graphql",
        json={"query": flow.CREATE_COLLECTION, "variables": {"input": flow.collection_input()}},
        headers={"Authorization": f"Bearer {owner}"},
    )
    monkeypatch.setattr(audit, "record", record)

    assert response.status_code == 503
    assert response.json()["errors"][0]["extensions"]["code"] == "TIMEOUT"
    async with api.database.read() as session:
        stored = await session.execute(
            sa.select(sa.func.count()).select_from(sa.table("collections"))
        )
        assert stored.scalar_one() == 0
    assert (await impatient.post("/graphql", json={"query": "{ __typename }"})).status_code == 200


async def test_quick_requests_are_untouched(impatient: httpx.AsyncClient) -> None:
    response = await impatient.post("/graphql", json={"query": "{ __typename }"})

    assert response.status_code == 200
