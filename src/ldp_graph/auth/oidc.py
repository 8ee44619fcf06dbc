"""OIDC bearer JWTs: councils sign in with their own identity provider.

A JWT is accepted when its signature verifies against the configured JWKS (a file, or a URL
fetched and cached), with RS256 or ES256, from the configured issuer, for the configured
audience, unexpired (a small clock skew allowed). Two configurable claims name the
organisation (its code, e.g. a council's GSS code) and the role; the role must suit the
organisation's kind, as for platform tokens. Nothing else in a token grants anything.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt

from ldp_graph.auth import policy
from ldp_graph.auth.principal import Principal
from ldp_graph.config import Settings
from ldp_graph.db.engine import Database
from ldp_graph.db.repositories import organisations as organisations_repository
from ldp_graph.domain.roles import Role
from ldp_graph.errors import InvalidInput, NotAuthenticated

ALGORITHMS = ["RS256", "ES256"]


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2 and token.startswith("ey")


@dataclass
class OidcVerifier:
    issuer: str
    audience: str
    organisation_claim: str
    role_claim: str
    leeway: int
    _keys: jwt.PyJWKSet | None = None
    _client: jwt.PyJWKClient | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> OidcVerifier | None:
        if not settings.oidc_issuer:
            return None
        verifier = cls(
            issuer=settings.oidc_issuer,
            audience=settings.oidc_audience or "",
            organisation_claim=settings.oidc_organisation_claim,
            role_claim=settings.oidc_role_claim,
            leeway=settings.oidc_leeway_seconds,
        )
        if settings.oidc_jwks_file:
            keys = json.loads(Path(settings.oidc_jwks_file).read_text("utf-8"))
            verifier._keys = jwt.PyJWKSet.from_dict(keys)
        elif settings.oidc_jwks_url:
            verifier._client = jwt.PyJWKClient(settings.oidc_jwks_url, cache_keys=True)
        return verifier

    async def _key(self, token: str) -> Any:
        kid = jwt.get_unverified_header(token).get("kid")
        if self._client is not None:
            # PyJWKClient fetches with blocking I/O (then caches): keep it off the event loop.
            return (await asyncio.to_thread(self._client.get_signing_key_from_jwt, token)).key
        assert self._keys is not None
        for key in self._keys.keys:
            if kid is None or key.key_id == kid:
                return key.key
        raise jwt.InvalidTokenError("no key of the JWKS matches the token's kid")

    async def principal(self, database: Database, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token,
                await self._key(token),
                algorithms=ALGORITHMS,
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except (jwt.InvalidTokenError, jwt.PyJWKClientError) as exc:
            raise NotAuthenticated(f"The bearer JWT is not accepted: {exc}") from None
        code, role_name = claims.get(self.organisation_claim), claims.get(self.role_claim)
        try:
            role = Role(str(role_name))
        except ValueError:
            raise NotAuthenticated(
                f"The JWT's {self.role_claim} claim names no role of ldp-graph."
            ) from None
        async with database.read() as session:
            (organisation,) = await organisations_repository.get_many(session, [str(code)])
        if organisation is None:
            raise NotAuthenticated(
                f"The JWT's {self.organisation_claim} claim names no organisation."
            )
        try:
            policy.check_role_fits_organisation(role, organisation)
        except InvalidInput as exc:
            raise NotAuthenticated(exc.message) from None
        return Principal(organisation=organisation, role=role)
