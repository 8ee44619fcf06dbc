"""graphql-transport-ws with a context of its own for every operation on a socket.

strawberry builds one context per connection and hands it to every operation the socket
runs. Ours carries DataLoaders, and several of them cache authorisation decisions (may this
caller read these issue lists, these submissions, these grants?): shared by a socket, an
owner narrowing or revoking a grant would not reach a socket already open, and a revoked or
expired token would keep working for as long as the socket stays up.

So each operation runs on `Context.for_operation()`: the socket's token authenticated again
(a token no longer in force gets the operation an `error` with code UNAUTHENTICATED, and
nothing runs) and loaders of its own. A subscription also renews both before each event it
resolves (`graphql/events.py`).

strawberry's handler runs each operation in an asyncio task of its own and reads
`self.context` in that task when it starts the operation. The override below keeps the
operation's context in a ContextVar set inside that task: it is task-local, so concurrent
operations on one socket never see one another's, and the connection context (what
connection_init and `on_ws_connect` work on) is what the handler's own task still sees.
"""

from __future__ import annotations

from contextvars import ContextVar

from graphql import GraphQLError
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)

from ldp_graph.errors import NotAuthenticated
from ldp_graph.graphql.context import Context

if not hasattr(BaseGraphQLTransportWSHandler, "run_operation"):  # pragma: no cover
    # Fail at import, not silently on every socket, should strawberry rename the hook.
    raise ImportError("strawberry's graphql-transport-ws handler has no run_operation")

_operation_context: ContextVar[Context | None] = ContextVar(
    "ldp_graph_ws_operation_context", default=None
)


class OperationContextHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """strawberry's graphql-transport-ws handler, each operation on a context of its own."""

    @property
    def context(self) -> Context:
        operation_context = _operation_context.get()
        return self._connection_context if operation_context is None else operation_context

    @context.setter
    def context(self, value: Context) -> None:
        self._connection_context = value

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        # In the operation's own task (handle_subscribe creates it): setting the variable
        # here changes this task's copy of the context variables only.
        try:
            context = await self._connection_context.for_operation()
        except NotAuthenticated as exc:
            error = GraphQLError(exc.message, extensions={"code": exc.code})
            await operation.send_initial_errors([error])
            return
        _operation_context.set(context)
        await super().run_operation(operation)
