"""GET /metrics: Prometheus counts of requests, errors, submissions and validation time."""

from __future__ import annotations

import re

import httpx

from ldp_graph.app import create_app
from ldp_graph.config import Settings
from tests.api import flow
from tests.conftest import Api


def _value(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        metric, _, value = line.rpartition(" ")
        match = re.fullmatch(rf"{name}(?:{{(.*)}})?", metric)
        if match and ",".join(sorted((match.group(1) or "").split(","))) == wanted:
            return float(value)
    return 0.0


async def test_metrics_count_requests_by_route_and_submissions_by_outcome(api: Api) -> None:
    before = (await api.client.get("/metrics")).text
    owner = await flow.requester_token(api)
    collection = await flow.create_collection(api, owner)
    broken = flow.clean_return()
    broken["child"][0]["sex"] = "X"
    await flow.submit(api, await flow.council_token(api, "S12000036"), collection["id"], broken)
    await api.client.get("/exports/some-secret-link")

    response = await api.client.get("/metrics")
    after = response.text

    assert response.headers["content-type"].startswith("text/plain")
    failed = {"source_format": "json", "outcome": "prevalidation_failed"}
    assert _value(after, "ldp_submissions_total", **failed) == (
        _value(before, "ldp_submissions_total", **failed) + 1
    )
    assert _value(after, "ldp_validation_seconds_count") > _value(
        before, "ldp_validation_seconds_count"
    )
    graphql = {"method": "POST", "route": "/graphql", "status": "200"}
    assert _value(after, "ldp_http_requests_total", **graphql) >= 2 + _value(
        before, "ldp_http_requests_total", **graphql
    )
    assert "some-secret-link" not in after  # routes are labelled by template
    assert 'route="/exports/{secret}"' in after


async def test_metrics_can_be_switched_off(settings: Settings, api: Api) -> None:
    app = create_app(settings.model_copy(update={"metrics": False}))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        assert (await client.get("/metrics")).status_code == 404
