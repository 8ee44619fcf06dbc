"""Request ids: echoed or made, sanitised, on every answer, on the masked error and its log."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from ldp_graph.app import create_app
from ldp_graph.config import Settings
from ldp_graph.domain.roles import Role
from ldp_graph.services import exports
from ldp_graph.services import organisations as organisation_service
from tests.conftest import Api, CapturedLogs

TYPENAME = {"query": "{ __typename }"}
FRESH_ID = re.compile(r"[0-9a-f]{32}")


async def test_a_sane_request_id_from_the_caller_is_echoed(api: Api) -> None:
    sent = "gateway:7f3a-42.b/c+d="

    response = await api.client.post("/graphql", json=TYPENAME, headers={"X-Request-ID": sent})

    assert response.headers["X-Request-ID"] == sent


async def test_a_request_without_an_id_gets_a_fresh_one_each_time(api: Api) -> None:
    first = await api.client.post("/graphql", json=TYPENAME)
    second = await api.client.post("/graphql", json=TYPENAME)

    ids = [first.headers["X-Request-ID"], second.headers["X-Request-ID"]]
    assert all(FRESH_ID.fullmatch(i) for i in ids)
    assert ids[0] != ids[1]


@pytest.mark.parametrize(
    "sent",
    ["", "a" * 129, "has space", 'quote"d', "semi;colon", "<script>", "caf\u00e9"],
    ids=["empty", "too-long", "space", "quote", "semicolon", "markup", "non-ascii"],
)
async def test_an_unsafe_request_id_is_replaced_by_a_fresh_one(api: Api, sent: str) -> None:
    response = await api.client.post(
        "/graphql", json=TYPENAME, headers={"X-Request-ID": sent.encode()}
    )

    assert FRESH_ID.fullmatch(response.headers["X-Request-ID"])


@pytest.fixture
async def strict(settings: Settings, api: Api) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        settings.model_copy(
            update={
                "max_json_body_bytes": 200,
                "rate_limit_per_address": 2,
                "request_timeout_seconds": 0.2,
            }
        )
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://t") as client,
    ):
        yield client


async def test_answers_from_other_middleware_carry_the_request_id(
    strict: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def slow(*_args: Any, **_kwargs: Any) -> list[Any]:
        await asyncio.sleep(5)
        return []

    def post(request_id: str, **kwargs: Any) -> Any:
        headers = {"X-Request-ID": request_id, **kwargs.pop("headers", {})}
        return strict.post("/graphql", headers=headers, **kwargs)

    too_big = await post("too-big", json={"query": "{ __typename }", "pad": "x" * 500})
    refused = await post("bad-token", json=TYPENAME, headers={"Authorization": "Bearer nope"})
    monkeypatch.setattr(organisation_service, "list_organisations", slow)
    timed_out = await post("slow", json={"query": "{ organisations { code } }"})
    await post("second", json=TYPENAME)
    limited = await post("over-the-rate", json=TYPENAME)

    answers = {r.headers["X-Request-ID"]: r.status_code for r in (too_big, refused, timed_out)}
    answers[limited.headers["X-Request-ID"]] = limited.status_code
    assert answers == {"too-big": 413, "bad-token": 401, "slow": 503, "over-the-rate": 429}


async def test_an_unhandled_error_answers_500_with_the_id_and_logs_its_trace_with_it(
    strict: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, json_logs: CapturedLogs
) -> None:
    async def broken(*_args: Any) -> None:
        raise RuntimeError("export storage detail")

    monkeypatch.setattr(exports, "open_export", broken)

    response = await strict.get("/exports/some-link", headers={"X-Request-ID": "crash-1"})

    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "crash-1"
    [logged] = [line for line in json_logs.of("ldp_graph.errors") if "exception" in line]
    assert logged["request_id"] == "crash-1"
    assert "export storage detail" in logged["exception"]
    [access] = json_logs.of("ldp_graph.access")
    assert (access["status"], access["request_id"]) == (500, "crash-1")


async def test_a_masked_error_and_its_log_line_carry_the_same_request_id(
    api: Api, monkeypatch: pytest.MonkeyPatch, json_logs: CapturedLogs
) -> None:
    async def broken(*_args: Any) -> list[Any]:
        raise RuntimeError("secret database detail")

    monkeypatch.setattr(organisation_service, "list_organisations", broken)

    response = await api.client.post("/graphql", json={"query": "{ organisations { code } }"})

    request_id = response.headers["X-Request-ID"]
    [error] = response.json()["errors"]
    assert "secret" not in error["message"]
    assert request_id in error["message"]
    assert error["extensions"] == {
        "code": "INTERNAL_SERVER_ERROR",
        "reference": request_id,
        "requestId": request_id,
    }
    [logged] = json_logs.of("ldp_graph.errors")
    assert logged["request_id"] == request_id
    assert logged["level"] == "ERROR"
    assert "secret database detail" in logged["exception"]
    assert "Traceback" in logged["exception"]


async def test_each_request_gets_one_access_line_with_who_but_no_token_nor_variables(
    api: Api, json_logs: CapturedLogs
) -> None:
    token = await api.token("S12000036", Role.COUNCIL_SUBMITTER)
    personal = "Jane Example 2011-04-05"

    first = await api.client.post(
        "/graphql",
        json={
            "query": "query ($c: ID!) { organisation(code: $c) { name } }",
            "variables": {"c": personal},
        },
        headers={"Authorization": f"Bearer {token}", "X-Request-ID": "with-token"},
    )
    second = await api.client.post("/graphql", json=TYPENAME, headers={"X-Request-ID": "anon"})
    await api.client.get("/healthz")  # probes log at DEBUG: not among the INFO lines

    assert first.status_code == second.status_code == 200
    lines = json_logs.lines()  # every line is one JSON object
    assert token not in json_logs.text
    assert personal not in json_logs.text
    access = json_logs.of("ldp_graph.access")
    assert [(a["request_id"], a["method"], a["path"], a["status"]) for a in access] == [
        ("with-token", "POST", "/graphql", 200),
        ("anon", "POST", "/graphql", 200),
    ]
    assert (access[0]["organisation"], access[0]["role"]) == ("S12000036", "council_submitter")
    assert (access[1]["organisation"], access[1]["role"]) == (None, None)
    assert all(isinstance(a["duration_ms"], float) for a in access)
    assert all({"timestamp", "level", "logger", "message"} <= line.keys() for line in lines)


async def test_a_get_query_string_with_variables_stays_out_of_the_servers_log(
    api: Api, json_logs: CapturedLogs
) -> None:
    personal = "Jane-Example-2011-04-05"

    response = await api.client.get(
        "/graphql",
        params={
            "query": "query ($c: ID!) { organisation(code: $c) { name } }",
            "variables": f'{{"c": "{personal}"}}',
        },
        headers={"Accept": "application/json"},
    )

    assert response.status_code == 200
    # httpx, the test's own client, logs the URL it requested; the server's lines must not.
    server = [line for line in json_logs.lines() if not line["logger"].startswith("httpx")]
    assert personal not in str(server)
    [access] = [line for line in server if line["logger"] == "ldp_graph.access"]
    assert access["path"] == "/graphql"
