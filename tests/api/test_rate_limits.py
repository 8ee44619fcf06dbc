"""Rate limits: per token and per anonymous address, with Retry-After; health never limited."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from ldp_graph.app import create_app
from ldp_graph.config import Settings
from ldp_graph.domain.roles import Role
from tests.conftest import Api

QUERY = {"query": "{ __typename }"}


@pytest.fixture
async def limited(settings: Settings, api: Api) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        settings.model_copy(update={"rate_limit_per_token": 3, "rate_limit_per_address": 2})
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        yield client


async def test_a_token_over_its_rate_gets_429_with_retry_after(
    api: Api, limited: httpx.AsyncClient
) -> None:
    token = await api.token("S12000036", Role.COUNCIL_SUBMITTER)
    headers = {"Authorization": f"Bearer {token}"}

    statuses = [
        (await limited.post("/graphql", json=QUERY, headers=headers)).status_code for _ in range(4)
    ]
    refused = await limited.post("/graphql", json=QUERY, headers=headers)

    assert statuses == [200, 200, 200, 429]
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_each_token_has_its_own_bucket_and_anonymous_callers_share_their_address(
    api: Api, limited: httpx.AsyncClient
) -> None:
    first = await api.token("S12000036", Role.COUNCIL_SUBMITTER)
    second = await api.token("S12000033", Role.COUNCIL_SUBMITTER)
    for _ in range(3):
        await limited.post("/graphql", json=QUERY, headers={"Authorization": f"Bearer {first}"})

    other = await limited.post(
        "/graphql", json=QUERY, headers={"Authorization": f"Bearer {second}"}
    )
    anonymous = [(await limited.post("/graphql", json=QUERY)).status_code for _ in range(3)]

    assert other.status_code == 200
    assert anonymous == [200, 200, 429]


async def test_health_is_never_limited(limited: httpx.AsyncClient) -> None:
    statuses = {(await limited.get("/healthz")).status_code for _ in range(10)}

    assert statuses == {200}
