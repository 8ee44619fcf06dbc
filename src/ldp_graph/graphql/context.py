"""The typed per-request context and the `Info` alias every resolver uses."""

from __future__ import annotations

from dataclasses import dataclass, field

import strawberry
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from ldp_graph.auth.principal import Principal
from ldp_graph.config import Settings
from ldp_graph.db.engine import Database
from ldp_graph.graphql.loaders import Loaders
from ldp_graph.specs.registry import SpecRegistry


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | WebSocket | None
    principal: Principal
    database: Database
    settings: Settings
    specs: SpecRegistry
    loaders: Loaders = field(init=False)
    # graphql-transport-ws: the payload of connection_init (browsers cannot set WS headers).
    connection_params: dict[str, object] | None = None

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.database, self.principal)

    def act_as(self, principal: Principal) -> None:
        """Switch to the principal a WebSocket authenticated in its connection_init."""
        self.principal = principal
        self.loaders = Loaders(self.database, principal)


Info = strawberry.Info[Context, None]
