"""Rate limits: per token and per anonymous address, with Retry-After; health never limited."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from urllib.parse import urlparse

import httpx
import pytest

from ldp_graph.app import create_app
from ldp_graph.config import Settings
from ldp_graph.domain.roles import Role
from tests.conftest import Api

QUERY = {"query": "{ __typename }"}


# The machine's Redis (database 15, which nothing else here uses); set to test another.
REDIS_URL = os.environ.get("LDP_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_answers(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


async def _servers(
    stack: AsyncExitStack, settings: Settings, count: int, **updates: object
) -> list[httpx.AsyncClient]:
    """`count` apps built from the same settings, like server processes sharing a deployment."""
    clients = []
    for _ in range(count):
        app = create_app(
            settings.model_copy(
                update={"rate_limit_per_token": 3, "rate_limit_per_address": 2, **updates}
            )
        )
        await stack.enter_async_context(app.router.lifespan_context(app))
        transport = httpx.ASGITransport(app=app)
        clients.append(
            await stack.enter_async_context(
                httpx.AsyncClient(transport=transport, base_url="http://t")
            )
        )
    return clients


@pytest.fixture
async def limited(settings: Settings, api: Api) -> AsyncIterator[httpx.AsyncClient]:
    async with AsyncExitStack() as stack:
        (client,) = await _servers(stack, settings, 1)
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


async def test_processes_sharing_a_redis_store_share_each_callers_limit(
    settings: Settings, api: Api
) -> None:
    if not _redis_answers(REDIS_URL):
        pytest.skip(f"no Redis answers at {REDIS_URL} (set LDP_TEST_REDIS_URL)")
    token = await api.token("S12000036", Role.COUNCIL_SUBMITTER)
    headers = {"Authorization": f"Bearer {token}"}
    async with AsyncExitStack() as stack:
        first, second = await _servers(stack, settings, 2, rate_limit_storage=REDIS_URL)
        statuses = [
            (await server.post("/graphql", json=QUERY, headers=headers)).status_code
            for server in (first, second, first, second)
        ]

    assert statuses == [200, 200, 200, 429]


async def test_processes_counting_in_memory_count_alone(settings: Settings, api: Api) -> None:
    token = await api.token("S12000036", Role.COUNCIL_SUBMITTER)
    headers = {"Authorization": f"Bearer {token}"}
    async with AsyncExitStack() as stack:
        first, second = await _servers(stack, settings, 2)
        statuses = [
            (await server.post("/graphql", json=QUERY, headers=headers)).status_code
            for server in (first, second, first, second)
        ]

    assert statuses == [200, 200, 200, 200]


async def test_an_unreachable_store_lets_requests_through_and_says_so_once(
    settings: Settings, api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"redis://127.0.0.1:{probe.getsockname()[1]}/0"
    token = await api.token("S12000036", Role.COUNCIL_SUBMITTER)
    headers = {"Authorization": f"Bearer {token}", "X-Request-ID": uuid.uuid4().hex}
    async with AsyncExitStack() as stack:
        (server,) = await _servers(stack, settings, 1, rate_limit_storage=closed)
        with caplog.at_level(logging.ERROR, logger="ldp_graph.rate_limits"):
            statuses = [
                (await server.post("/graphql", json=QUERY, headers=headers)).status_code
                for _ in range(5)
            ]

    assert statuses == [200] * 5
    failures = [r for r in caplog.records if r.name == "ldp_graph.rate_limits"]
    assert len(failures) == 1
    assert "not being limited" in failures[0].getMessage()
