"""Security headers on every answer, and CORS only for the origins an operator lists."""

from __future__ import annotations

import httpx

from ldp_graph.app import create_app
from ldp_graph.config import Settings
from tests.conftest import Api


async def test_answers_are_never_cached_sniffed_or_framed(api: Api) -> None:
    response = await api.post("{ __typename }")

    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["content-security-policy"].startswith("default-src 'none'")


async def test_graphiql_page_is_html_with_its_own_policy_not_the_apis(api: Api) -> None:
    page = await api.client.get("/graphql", headers={"accept": "text/html"})
    answer = await api.post("{ __typename }")

    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["content-security-policy"] != answer.headers["content-security-policy"]
    assert "script-src 'self'" in page.headers["content-security-policy"]


async def test_no_origin_is_allowed_unless_listed(api: Api, settings: Settings) -> None:
    preflight = {
        "origin": "https://council.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,content-type",
    }

    refused = await api.client.options("/graphql", headers=preflight)
    app = create_app(settings.model_copy(update={"cors_origins": ["https://council.example"]}))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        allowed = await client.options("/graphql", headers=preflight)

    assert "access-control-allow-origin" not in refused.headers
    assert allowed.headers["access-control-allow-origin"] == "https://council.example"
