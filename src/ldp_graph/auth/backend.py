"""Starlette authentication: an `Authorization: Bearer <token>` header becomes a Principal.

No header means anonymous. A header that is present but wrong is refused with HTTP 401 and
a GraphQL-shaped error body, before any resolver runs.
"""

from __future__ import annotations

from typing import Any

from starlette.authentication import AuthCredentials, AuthenticationBackend, AuthenticationError
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, Response

from ldp_graph.auth.oidc import looks_like_jwt
from ldp_graph.auth.principal import ANONYMOUS, Principal
from ldp_graph.errors import NotAuthenticated
from ldp_graph.services import tokens


async def principal_for_token(state: Any, token: str) -> Principal:
    """A platform token or, when OIDC is configured, an identity provider's JWT."""
    verifier = state.oidc
    if verifier is not None and looks_like_jwt(token):
        return await verifier.principal(state.database, token)
    return await tokens.authenticate(state.database, token)


class BearerTokenBackend(AuthenticationBackend):
    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, Principal]:
        header = conn.headers.get("authorization")
        if header is None:
            return AuthCredentials(), ANONYMOUS
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationError("The Authorization header must be 'Bearer <token>'.")
        try:
            principal = await principal_for_token(conn.app.state, token.strip())
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
