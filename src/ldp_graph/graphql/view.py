"""The GraphQL HTTP/WebSocket endpoint: builds the typed Context for each request, and reads
HTTP requests as GraphQL over HTTP requires (http_requests.py)."""

from __future__ import annotations

import json

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError, MissingQueryError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.base import BaseRequestProtocol
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET, UnsetType

from ldp_graph.auth.backend import principal_for_token
from ldp_graph.auth.principal import ANONYMOUS, Principal
from ldp_graph.errors import NotAuthenticated
from ldp_graph.graphiql.page import page
from ldp_graph.graphql import http_requests
from ldp_graph.graphql.context import Context
from ldp_graph.graphql.websocket import OperationContextHandler


def json_bytes(data: object) -> bytes:
    """orjson, several times faster on large record pages; json for what orjson refuses
    (integers beyond 64 bits in a record's raw values)."""
    try:
        return orjson.dumps(data)
    except TypeError:
        return json.dumps(data, separators=(",", ":")).encode()


SUBSCRIPTION_PROTOCOLS = (GRAPHQL_TRANSPORT_WS_PROTOCOL,)


def _bearer_token(request: Request | WebSocket) -> str | None:
    """The token of an `Authorization: Bearer` header (already checked by the middleware)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


class GraphQLEndpoint(GraphQL[Context, None]):
    # Every operation on a socket gets a context (principal, loaders) of its own. Only this
    # protocol is served (SUBSCRIPTION_PROTOCOLS): the legacy graphql-ws handler would share
    # one context across a socket's operations, and no client of ours speaks it.
    graphql_transport_ws_handler_class = OperationContextHandler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """strawberry's, with refusals as GraphQL-shaped JSON rather than plain text."""
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        try:
            response = await self.run(request)
        except HTTPException as refused:
            response = http_requests.refusal_response(refused)
            # A refused upload's files were spooled (to disk, when large) and no resolver
            # will close them: close the parsed form now.
            await request.close()
        await response(scope, receive, send)

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData:
        """The operation a request carries, checked as GraphQL over HTTP requires
        (http_requests.py); no streaming transport is served over HTTP."""
        if request.method == "GET":
            data: object = self.parse_query_params(request.query_params)
        elif http_requests.body_kind(request.content_type) == http_requests.JSON:
            data = self.parse_json(await request.get_body())
        else:
            data = await self.parse_multipart(request)
        return http_requests.operation_request(data)

    async def parse_multipart(self, request: AsyncHTTPRequestAdapter) -> object:  # type: ignore[override]
        try:
            form = await request.get_form_data()
        except ValueError:
            raise http_requests.bad_request("The multipart body could not be read.") from None
        return http_requests.multipart_operations(form.form, form.files)

    def parse_json(self, data: str | bytes) -> object:
        return http_requests.decode_json(data, "The request body")

    def parse_query_params(self, params: QueryParams) -> dict[str, object]:  # type: ignore[override]
        return http_requests.query_parameters(params)

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """strawberry's, running only what the method may run (queries over GET, queries and
        mutations over POST, subscriptions never), and answering an operationName the
        document does not define as a GraphQL request error rather than a bare 400."""
        method = request_adapter.method
        try:
            # The operation's small reads share one read session (db/engine.py shared_read).
            async with context.database.operation_reads():
                return await self.schema.execute(
                    request_data.query,
                    root_value=root_value,
                    variable_values=request_data.variables,
                    context_value=context,
                    operation_name=request_data.operation_name,
                    allowed_operation_types=http_requests.OPERATIONS_BY_METHOD[method],
                    operation_extensions=request_data.extensions,
                )
        except InvalidOperationTypeError as error:
            raise http_requests.not_runnable(error.operation_type, method) from None
        except CannotGetOperationTypeError as error:
            return http_requests.no_such_operation(error.operation_name)
        except MissingQueryError:
            raise http_requests.no_document() from None

    def encode_json(self, data: object) -> str | bytes:
        """Text, as graphql-transport-ws messages must be text frames (HTTP answers are
        encoded by create_response, straight to bytes)."""
        return json_bytes(data).decode()

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        # strawberry's own, with the body as bytes: a large page is not turned into text and
        # back on its way out.
        response = Response(
            json_bytes(response_data), status_code=200, media_type="application/json"
        )
        response.headers.raw.extend(sub_response.headers.raw)
        if sub_response.background:
            response.background = sub_response.background
        if sub_response.status_code:
            response.status_code = sub_response.status_code
        return response

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
            bearer_token=_bearer_token(request) if principal.is_authenticated else None,
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
        context.act_as(principal, token.strip())
        return UNSET
