"""Optional OpenTelemetry tracing: a GraphQL request's spans, tied to its request id."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from ldp_graph import tracing
from ldp_graph.app import create_app
from ldp_graph.config import Settings
from ldp_graph.domain.roles import Role
from tests.conftest import Api

pytest.importorskip("opentelemetry.sdk", reason="the [tracing] extra is not installed")

from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
    InMemorySpanExporter,
)


@dataclass
class Traced:
    client: httpx.AsyncClient
    exporter: InMemorySpanExporter

    def spans(self) -> list[ReadableSpan]:
        return list(self.exporter.get_finished_spans())


@pytest.fixture
async def traced(settings: Settings, api: Api) -> AsyncIterator[Traced]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    app = create_app(settings, tracer_provider=provider)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        yield Traced(client, exporter)
    provider.shutdown()


async def test_a_graphql_request_has_http_graphql_and_sql_spans_in_one_trace_with_its_id(
    api: Api, traced: Traced
) -> None:
    token = await api.token("S12000036", Role.COUNCIL_SUBMITTER)

    response = await traced.client.post(
        "/graphql",
        json={"query": "query Councils { organisations(kind: COUNCIL) { code name } }"},
        headers={"X-Request-ID": "traced-1", "Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 200
    spans = traced.spans()
    [server] = [s for s in spans if (s.attributes or {}).get(tracing.REQUEST_ID_ATTRIBUTE)]
    assert server.attributes is not None
    assert server.attributes[tracing.REQUEST_ID_ATTRIBUTE] == "traced-1"
    in_trace = [s for s in spans if s.context and s.context.trace_id == server.context.trace_id]
    names = {s.name for s in in_trace}
    assert "GraphQL Query: Councils" in names
    assert "GraphQL Resolving: organisations" in names
    assert any((s.attributes or {}).get("db.statement", "").startswith("SELECT") for s in in_trace)
    # Nested fields (code, name of every organisation) get no span of their own.
    assert not {"GraphQL Resolving: code", "GraphQL Resolving: name"} & names


async def test_spans_hold_no_query_string_no_arguments_and_no_token(
    api: Api, traced: Traced
) -> None:
    token = await api.token("S12000036", Role.COUNCIL_SUBMITTER)
    personal = "Jane-Example-2011-04-05"

    response = await traced.client.get(
        "/graphql",
        params={
            "query": "query ($c: ID!) { organisation(code: $c) { name } }",
            "variables": f'{{"c": "{personal}"}}',
        },
        headers={"Accept": "application/json", "Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 200
    recorded = " ".join(str(dict(s.attributes or {})) for s in traced.spans())
    assert "GraphQL Resolving: organisation" in {s.name for s in traced.spans()}
    assert personal not in recorded
    assert token not in recorded


def test_without_a_collector_configured_no_opentelemetry_module_is_imported(
    settings: Settings,
) -> None:
    script = (
        "import sys\n"
        "from ldp_graph.app import create_app\n"
        "from ldp_graph.config import load_settings\n"
        "create_app(load_settings())\n"
        "print(sorted(m for m in sys.modules if m.startswith('opentelemetry')))\n"
    )
    env = {"PATH": "", "LDP_DATABASE_URL": settings.database_url}

    shown = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )

    assert shown.stdout.strip() == "[]"


def test_tracing_is_configured_by_our_variable_or_the_standard_one(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", raising=False)
    assert not tracing.configured(settings)
    assert tracing.exporting_provider(settings) is None

    ours = settings.model_copy(update={"otel_endpoint": "http://127.0.0.1:4318"})
    provider = tracing.exporting_provider(ours)
    assert provider is not None
    provider.shutdown()  # nothing was traced: nothing is sent

    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
    assert tracing.configured(settings)
