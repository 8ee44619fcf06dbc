"""The typed per-request context and the `Info` alias every resolver uses."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import strawberry
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from ldp_graph.auth.backend import principal_for_token
from ldp_graph.auth.principal import Principal
from ldp_graph.config import Settings
from ldp_graph.db.engine import Database
from ldp_graph.graphql.loaders import Loaders
from ldp_graph.specs.registry import SpecRegistry


@dataclass
class Context:
    """One operation's: its caller and its DataLoaders, which cache authorisation decisions
    and so must not outlive it. An HTTP request is one operation. A WebSocket's connection
    context is never handed to a resolver: each operation on the socket runs on a copy made
    by `for_operation` (see `graphql/websocket.py`)."""

    request: Request | WebSocket
    response: Response | WebSocket | None
    principal: Principal
    database: Database
    settings: Settings
    specs: SpecRegistry
    loaders: Loaders = field(init=False)
    # graphql-transport-ws: the payload of connection_init (browsers cannot set WS headers).
    connection_params: dict[str, object] | None = None
    # The bearer token the principal came from, kept to check it again where one context
    # serves for long: each operation on a socket, each event of a subscription.
    bearer_token: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.database, self.principal)

    def act_as(self, principal: Principal, bearer_token: str) -> None:
        """Switch to the principal a WebSocket authenticated in its connection_init."""
        self.principal = principal
        self.bearer_token = bearer_token
        self.loaders = Loaders(self.database, principal)

    async def current_principal(self) -> Principal:
        """The caller as its token stands now: `NotAuthenticated` once it is revoked or has
        expired (or its OIDC JWT has). Without a token, the anonymous caller it was."""
        if self.bearer_token is None:
            return self.principal
        return await principal_for_token(self.request.app.state, self.bearer_token)

    async def for_operation(self) -> Context:
        """A context of one operation on a socket: the token checked again, fresh loaders
        (`replace` builds them), nothing shared with the socket's other operations."""
        return replace(self, principal=await self.current_principal())

    async def renew(self) -> None:
        """Between two events of a subscription: the token checked again, fresh loaders.
        Only on a context no other operation uses (an HTTP request's, or `for_operation`'s);
        a subscription's events are resolved one after the other, never concurrently."""
        self.principal = await self.current_principal()
        self.loaders = Loaders(self.database, self.principal)


Info = strawberry.Info[Context, None]
