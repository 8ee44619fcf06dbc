"""Query limits reject abusive documents with a readable error before any resolver runs."""

from __future__ import annotations

import httpx
import pytest
import strawberry

from ldp_graph.app import create_app
from ldp_graph.config import Settings
from ldp_graph.graphql.masking import MaskUnexpectedErrors
from tests.conftest import Api


async def _post_with(settings: Settings, query: str) -> dict:
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        response = await client.post("/graphql", json={"query": query})
    return response.json()


async def test_too_many_aliases_are_rejected_with_a_readable_error(api: Api) -> None:
    query = "{ " + " ".join(f"a{i}: me {{ role }}" for i in range(16)) + " }"

    body = (await api.post(query)).json()

    assert body.get("data") is None
    assert "aliases" in body["errors"][0]["message"]


async def test_aliases_hidden_in_fragments_are_counted(api: Api) -> None:
    def fragment(name: str) -> str:
        aliases = " ".join(f"{name.lower()}{i}: me {{ role }}" for i in range(8))
        return f"fragment {name} on Query {{ {aliases} }}"

    # 8 + 8 aliases, each fragment under the limit of 15 on its own.
    query = "{ ...F ...G } " + fragment("F") + " " + fragment("G")

    body = (await api.post(query)).json()

    assert "aliases" in body["errors"][0]["message"]


async def test_depth_limit_is_settable(settings: Settings) -> None:
    shallow = settings.model_copy(update={"max_query_depth": 1})

    body = await _post_with(shallow, "{ me { organisation { code } } }")

    assert "exceeds maximum operation depth" in body["errors"][0]["message"]


async def test_token_limit_rejects_huge_documents(settings: Settings) -> None:
    tight = settings.model_copy(update={"max_tokens": 20})

    body = await _post_with(tight, "{ " + " ".join(["__typename"] * 30) + " }")

    assert "token" in body["errors"][0]["message"].lower()


async def test_introspection_can_be_switched_off(settings: Settings) -> None:
    closed = settings.model_copy(update={"introspection": False})

    body = await _post_with(closed, "{ __schema { types { name } } }")

    assert "introspection" in body["errors"][0]["message"].lower()


def test_unexpected_exceptions_are_masked_with_a_reference(
    caplog: pytest.LogCaptureFixture,
) -> None:
    @strawberry.type
    class Query:
        @strawberry.field
        def broken(self) -> str:
            raise RuntimeError("secret database detail")

    schema = strawberry.Schema(Query, extensions=[MaskUnexpectedErrors])

    result = schema.execute_sync("{ broken }")

    [error] = result.errors or []
    assert "secret" not in error.message
    assert error.extensions is not None
    assert error.extensions["code"] == "INTERNAL_SERVER_ERROR"
    assert error.extensions["reference"] in error.message
    assert "secret database detail" in caplog.text


def test_graphql_errors_are_not_masked() -> None:
    @strawberry.type
    class Query:
        field: str = "x"

    schema = strawberry.Schema(Query, extensions=[MaskUnexpectedErrors])

    result = schema.execute_sync("{ nonexistent }")

    assert "nonexistent" in (result.errors or [])[0].message


async def test_a_gateway_still_reads_the_sdl_with_introspection_switched_off(
    settings: Settings,
) -> None:
    closed = settings.model_copy(update={"introspection": False})

    body = await _post_with(closed, "{ _service { sdl } }")

    assert "errors" not in body
    assert 'type Organisation @key(fields: "code")' in body["data"]["_service"]["sdl"]
