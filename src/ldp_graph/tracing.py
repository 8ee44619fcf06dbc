"""Optional OpenTelemetry tracing: HTTP requests, GraphQL operations and SQL statements.

On when a collector is configured (`LDP_OTEL_ENDPOINT`, or the standard
`OTEL_EXPORTER_OTLP_ENDPOINT` / `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) and the `[tracing]`
extra is installed; otherwise off, and this module imports no OpenTelemetry package. Each
request's server span carries its request id (`ldp.request_id`), so the id quoted from a
masked error or a log line finds the trace.

Spans hold no personal data: the URL's query string (a GET's document and variables) is cut
from the server span, and resolver arguments (filters, submitted records) are not recorded.
Only root fields get resolver spans: one span per record field would cost more than the query.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from typing import TYPE_CHECKING, Any

from starlette.types import ASGIApp

from ldp_graph.config import Settings
from ldp_graph.request_id import current_request_id

if TYPE_CHECKING:
    from graphql import GraphQLResolveInfo
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.trace import Span
    from strawberry.extensions import SchemaExtension

    from ldp_graph.db.engine import Database

logger = logging.getLogger("ldp_graph.tracing")

SERVICE_NAME = "ldp-graph"
REQUEST_ID_ATTRIBUTE = "ldp.request_id"
_STANDARD_ENDPOINTS = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
_PACKAGES = (
    "opentelemetry.sdk",
    "opentelemetry.exporter.otlp.proto.http",
    "opentelemetry.instrumentation.asgi",
    "opentelemetry.instrumentation.sqlalchemy",
)


def configured(settings: Settings) -> bool:
    """An operator asked for traces."""
    return bool(settings.otel_endpoint) or any(os.environ.get(name) for name in _STANDARD_ENDPOINTS)


def installed() -> bool:
    try:
        return all(importlib.util.find_spec(name) is not None for name in _PACKAGES)
    except ModuleNotFoundError:  # a parent package is missing
        return False


def exporting_provider(settings: Settings) -> TracerProvider | None:
    """A tracer provider batching spans to the configured collector, or None when off."""
    if not configured(settings):
        return None
    if not installed():
        logger.warning(
            "tracing is configured but the OpenTelemetry packages are missing: "
            "install ldp-graph[tracing]; running without traces"
        )
        return None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    # LDP_OTEL_ENDPOINT is a base URL like the standard variable; without it the exporter
    # reads the standard OTEL_EXPORTER_OTLP_* variables (endpoint, headers) itself.
    exporter = (
        OTLPSpanExporter(endpoint=settings.otel_endpoint.rstrip("/") + "/v1/traces")
        if settings.otel_endpoint
        else OTLPSpanExporter()
    )
    name = os.environ.get("OTEL_SERVICE_NAME", SERVICE_NAME)
    provider = TracerProvider(resource=Resource.create({"service.name": name}))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def _on_server_span(span: Span, scope: dict[str, Any]) -> None:
    if not span.is_recording():
        return
    span.set_attribute(REQUEST_ID_ATTRIBUTE, current_request_id() or "")
    attributes = getattr(span, "attributes", None) or {}
    for key in ("http.url", "url.full"):
        if key in attributes:
            span.set_attribute(key, str(attributes[key]).split("?", 1)[0])
    if "url.query" in attributes:
        span.set_attribute("url.query", "")


def traced_asgi(app: ASGIApp, provider: TracerProvider) -> ASGIApp:
    """`app` inside a server span per HTTP request or WebSocket connection."""
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

    return OpenTelemetryMiddleware(  # type: ignore[no-any-return]
        app,
        server_request_hook=_on_server_span,
        tracer_provider=provider,
        # A span per body chunk would flood the trace of every upload.
        exclude_spans=["receive", "send"],
    )


def trace_database(database: Database, provider: TracerProvider) -> None:
    """A span per SQL statement (the statement's text; never its parameters)."""
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    # The instrumentor is a process-wide singleton; a process serves one app at a time.
    SQLAlchemyInstrumentor().instrument(
        engine=database.engine.sync_engine,
        tracer_provider=provider,
        # The instrumentation declares SQLAlchemy < 2.1 and would silently do nothing on 2.1;
        # the engine events it hooks are unchanged there (tests/api/test_tracing.py checks).
        skip_dep_check=True,
    )


def untrace_database() -> None:
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    SQLAlchemyInstrumentor().uninstrument()


def graphql_extension(provider: TracerProvider) -> type[SchemaExtension]:
    """A strawberry extension: operation, parsing and validation spans, and root fields'."""
    from strawberry.extensions.tracing import OpenTelemetryExtension

    def no_arguments(_arguments: dict[str, Any], _info: GraphQLResolveInfo) -> dict[str, Any]:
        return {}

    class GraphQLTracing(OpenTelemetryExtension):
        def __init__(self, *, execution_context: Any = None) -> None:
            super().__init__(
                execution_context=execution_context,
                arg_filter=no_arguments,
                tracer_provider=provider,
            )

        def resolve(  # type: ignore[override]
            self, _next: Any, root: Any, info: GraphQLResolveInfo, *args: Any, **kwargs: Any
        ) -> Any:
            if info.path.prev is not None:
                return _next(root, info, *args, **kwargs)
            return super().resolve(_next, root, info, *args, **kwargs)

    return GraphQLTracing
