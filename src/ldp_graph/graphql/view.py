"""The GraphQL HTTP/WebSocket endpoint: builds the typed Context for each request."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from ldp_graph.auth.principal import ANONYMOUS, Principal
from ldp_graph.graphql.context import Context


class GraphQLEndpoint(GraphQL[Context, None]):
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
