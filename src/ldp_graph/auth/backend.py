"""Starlette authentication: an `Authorization: Bearer <token>` header becomes a Principal.

No header means anonymous. A header that is present but wrong is refused with HTTP 401 and
a GraphQL-shaped error body, before any resolver runs.
"""

from __future__ import annotations

from starlette.authentication import AuthCredentials, AuthenticationBackend, AuthenticationError
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, Response

from ldp_graph.auth.principal import ANONYMOUS, Principal
from ldp_graph.errors import NotAuthenticated
from ldp_graph.services import tokens


class BearerTokenBackend(AuthenticationBackend):
    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, Principal]:
        header = conn.headers.get("authorization")
        if header is None:
            return AuthCredentials(), ANONYMOUS
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationError("The Authorization header must be 'Bearer <token>'.")
        try:
            principal = await tokens.authenticate(conn.app.state.database, token.strip())
        except NotAuthenticated as exc:
            raise AuthenticationError(exc.message) from None
        return AuthCredentials(["authenticated"]), principal


def unauthenticated_response(_conn: HTTPConnection, exc: AuthenticationError) -> Response:
    body = {
        "data": None,
        "errors": [{"message": str(exc), "extensions": {"code": "UNAUTHENTICATED"}}],
    }
    return JSONResponse(
        body, status_code=401, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
    )
