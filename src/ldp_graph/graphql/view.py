"""The GraphQL HTTP/WebSocket endpoint: builds the typed Context for each request."""

from __future__ import annotations

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http.base import BaseRequestProtocol
from strawberry.types.unset import UNSET, UnsetType

from ldp_graph.auth.backend import principal_for_token
from ldp_graph.auth.principal import ANONYMOUS, Principal
from ldp_graph.errors import NotAuthenticated
from ldp_graph.graphiql.page import page
from ldp_graph.graphql.context import Context


class GraphQLEndpoint(GraphQL[Context, None]):
    def encode_json(self, data: object) -> str | bytes:
        """orjson, several times faster on large record pages; json for what orjson refuses
        (integers beyond 64 bits in a record's raw values). Text, as WebSocket messages of
        graphql-transport-ws must be text frames."""
        try:
            return orjson.dumps(data).decode()
        except TypeError:
            return super().encode_json(data)

    async def render_graphql_ide(self, request: Request) -> Response:
        """Our own GraphiQL page, whose assets ship with the package (strawberry's use a CDN)."""
        return page(request)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket | None
    ) -> Context:
        user = request.scope.get("user")
        principal = user if isinstance(user, Principal) else ANONYMOUS
        state = request.app.state
        return Context(
            request=request,
            response=response,
            principal=principal,
            database=state.database,
            settings=state.settings,
            specs=state.specs,
        )

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        # A GET naming a persisted query by its hash carries no `query` but is an operation:
        # it must not get the GraphiQL page because its Accept header allows */*.
        if "extensions" in request.query_params:
            return False
        return super().should_render_graphql_ide(request)

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Accept `{"Authorization": "Bearer <token>"}` in connection_init, as browsers need."""
        params = context.connection_params or {}
        header = params.get("Authorization") or params.get("authorization")
        if header is None:
            return UNSET
        scheme, _, token = str(header).partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ConnectionRejectionError({"message": "Authorization must be 'Bearer <token>'."})
        try:
            principal = await principal_for_token(context.request.app.state, token.strip())
        except NotAuthenticated as exc:
            raise ConnectionRejectionError({"message": exc.message}) from None
        context.act_as(principal)
        return UNSET
