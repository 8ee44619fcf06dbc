"""Build the Starlette application: routes, middleware and the lifespan that owns the engine."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.types import ASGIApp

from ldp_graph import logs, tracing
from ldp_graph.auth.backend import BearerTokenBackend, unauthenticated_response
from ldp_graph.auth.oidc import OidcVerifier
from ldp_graph.config import Settings, load_settings
from ldp_graph.db import migrate
from ldp_graph.db.engine import Database
from ldp_graph.exports.download import download
from ldp_graph.graphiql.page import ASSETS_PATH, Assets
from ldp_graph.graphql.schema import build_schema
from ldp_graph.graphql.view import SUBSCRIPTION_PROTOCOLS, GraphQLEndpoint
from ldp_graph.graphql_http import GraphQLOverHTTP
from ldp_graph.metrics import RequestMetrics, metrics
from ldp_graph.rate_limits import RateLimits, RateLimitStore
from ldp_graph.request_guard import RequestGuard
from ldp_graph.request_id import RequestId
from ldp_graph.request_timeout import RequestTimeout
from ldp_graph.security_headers import SecurityHeaders
from ldp_graph.specs.registry import load_registry

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider


async def healthz(_request: Request) -> JSONResponse:
    """The process is alive."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """The database answers and carries the latest migration."""
    database: Database = request.app.state.database
    try:
        migrated = await migrate.is_up_to_date(database)
    except Exception:  # any failure to reach the database means "not ready"
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    if not migrated:
        return JSONResponse(
            {"status": "unavailable", "database": "not migrated: run `ldp-graph db upgrade`"},
            status_code=503,
        )
    return JSONResponse({"status": "ready"})


def _cors(settings: Settings) -> list[Middleware]:
    """Browsers on the listed origins may call the API; no origin is allowed by default."""
    if not settings.cors_origins:
        return []
    return [
        Middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            # Both preflight headers RequestGuard takes for uploads (Apollo's clients send the
            # second), so a browser's upload from a listed origin passes its preflight.
            allow_headers=[
                "Authorization",
                "Content-Type",
                "GraphQL-Require-Preflight",
                "Apollo-Require-Preflight",
            ],
            max_age=600,
        )
    ]


def _graphiql_assets(settings: Settings) -> list[BaseRoute]:
    """The files the GraphiQL page loads, served here so it works without a CDN."""
    if not settings.graphiql:
        return []
    return [Mount(ASSETS_PATH, app=Assets(), name="graphiql-assets")]


class _App(Starlette):
    """Starlette with the request id (and tracing) outside even its own error handling, so
    that every answer, a 500 included, carries the id and lies inside the request's span."""

    def __init__(self, *, tracer_provider: TracerProvider | None, **kwargs: Any) -> None:
        self._tracer_provider = tracer_provider
        super().__init__(**kwargs)

    def build_middleware_stack(self) -> ASGIApp:
        stack = super().build_middleware_stack()
        if self._tracer_provider is not None:
            stack = tracing.traced_asgi(stack, self._tracer_provider)
        return RequestId(stack)


# A record page makes hundreds of thousands of small objects (rows, their values, response
# dicts), nearly all acyclic and freed by reference counting. At the default of 700
# allocations between young-generation passes the collector ran hundreds of times a page,
# and cascaded into older passes, to find almost nothing: about a tenth of a 10,000-record
# page's CPU time. Cycles are still collected, every 100,000 allocations.
GC_YOUNG_THRESHOLD = 100_000


def young_objects_between_collections() -> None:
    """Raise the young generation's collection threshold for this process (see above)."""
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)


def create_app(settings: Settings, *, tracer_provider: TracerProvider | None = None) -> Starlette:
    """The ASGI app for `settings`. Nothing connects until the lifespan starts.

    Spans go to `tracer_provider` if given, else to the collector the settings name (if any).
    """
    owned_provider = None
    rate_limit_store = RateLimitStore(settings.rate_limit_storage)
    if tracer_provider is None:
        tracer_provider = owned_provider = tracing.exporting_provider(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.database = Database(settings.database_url)
        app.state.specs = load_registry()
        app.state.oidc = OidcVerifier.from_settings(settings)
        if tracer_provider is not None:
            tracing.trace_database(app.state.database, tracer_provider)
        await app.state.database.listen()
        # What start-up built (schema, specs, modules) lives as long as the process: keep it
        # out of the collector's full passes, which otherwise rescan it during large pages.
        gc.freeze()
        young_objects_between_collections()
        try:
            yield
        finally:
            await app.state.database.dispose()
            await rate_limit_store.close()
            if tracer_provider is not None:
                tracing.untrace_database()
            if owned_provider is not None:
                owned_provider.shutdown()  # sends the spans still batched

    graphql = GraphQLEndpoint(
        build_schema(settings, tracer_provider),
        graphql_ide="graphiql" if settings.graphiql else None,
        allow_queries_via_get=True,
        # Safe with RequestGuard in front: uploads need a preflight header and have a limit.
        multipart_uploads_enabled=True,
        subscription_protocols=SUBSCRIPTION_PROTOCOLS,
    )
    return _App(
        tracer_provider=tracer_provider,
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            # Every method reaches the view, which answers the ones it does not serve with a
            # GraphQL-shaped 405 (Starlette's own is plain text).
            Route("/graphql", graphql),
            Route("/exports/{secret}", download, methods=["GET"]),
            *_graphiql_assets(settings),
            *([Route("/metrics", metrics, methods=["GET"])] if settings.metrics else []),
            WebSocketRoute("/graphql", graphql),
        ],
        middleware=[
            Middleware(RequestMetrics),
            Middleware(
                RequestTimeout,
                seconds=settings.request_timeout_seconds,
                upload_seconds=settings.upload_timeout_seconds,
            ),
            Middleware(GraphQLOverHTTP),
            Middleware(SecurityHeaders, production=settings.environment == "production"),
            *_cors(settings),
            Middleware(
                RequestGuard,
                max_json_bytes=settings.max_json_body_bytes,
                max_upload_bytes=settings.max_upload_bytes,
            ),
            Middleware(
                AuthenticationMiddleware,
                backend=BearerTokenBackend(),
                on_error=unauthenticated_response,
            ),
            # After authentication: a token's requests count against the token.
            Middleware(
                RateLimits,
                per_token=settings.rate_limit_per_token,
                per_anonymous_address=settings.rate_limit_per_address,
                store=rate_limit_store,
            ),
        ],
        lifespan=lifespan,
    )


def app_from_environment() -> Starlette:
    """Factory for `uvicorn --factory ldp_graph.app:app_from_environment` (settings from LDP_*).

    uvicorn configured logging before calling this; ours (JSON or text, request ids) replaces it.
    """
    settings = load_settings()
    logs.configure(settings)
    return create_app(settings)
