"""OIDC bearer JWTs from a council's own identity provider, verified against a JWKS."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ldp_graph.app import create_app
from ldp_graph.config import Settings
from ldp_graph.domain.roles import Role
from tests.conftest import Api

ME = "{ me { role organisation { code } } }"
ISSUER = "https://login.council.example"
AUDIENCE = "ldp-graph"


@pytest.fixture
def keys() -> dict[str, Any]:
    return {
        "rsa": rsa.generate_private_key(public_exponent=65537, key_size=2048),
        "ec": ec.generate_private_key(ec.SECP256R1()),
    }


def _jwks(keys: dict[str, Any]) -> dict[str, Any]:
    return {
        "keys": [
            {
                **json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(keys["rsa"].public_key())),
                "kid": "r1",
                "alg": "RS256",
                "use": "sig",
            },
            {
                **json.loads(jwt.algorithms.ECAlgorithm.to_jwk(keys["ec"].public_key())),
                "kid": "e1",
                "alg": "ES256",
                "use": "sig",
            },
        ]
    }


@asynccontextmanager
async def _serving(settings: Settings, **oidc: Any) -> AsyncIterator[httpx.AsyncClient]:
    configured = settings.model_copy(
        update={"oidc_issuer": ISSUER, "oidc_audience": AUDIENCE, **oidc}
    )
    app = create_app(configured)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
    ):
        yield http


@pytest.fixture
async def client(
    settings: Settings, api: Api, keys: dict[str, Any], tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(_jwks(keys)), encoding="utf-8")
    async with _serving(settings, oidc_jwks_file=str(path)) as http:
        yield http


class _JwksServer(ThreadingHTTPServer):
    """An identity provider's JWKS endpoint on a local port, counting its fetches."""

    def __init__(self, jwks: dict[str, Any]) -> None:
        body = json.dumps(jwks).encode()
        fetches: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fetches.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: Any) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.fetches = fetches
        self.url = f"http://127.0.0.1:{self.server_address[1]}/.well-known/jwks.json"


def _token(keys: dict[str, Any], kind: str = "rsa", **overrides: Any) -> str:
    now = dt.datetime.now(dt.UTC)
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "officer-42",
        "exp": now + dt.timedelta(minutes=5),
        "ldp_org": "S12000036",
        "ldp_role": "council_submitter",
        **overrides,
    }
    algorithm, kid = ("RS256", "r1") if kind == "rsa" else ("ES256", "e1")
    return jwt.encode(claims, keys[kind], algorithm=algorithm, headers={"kid": kid})


async def _me(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post(
        "/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {token}"}
    )


@pytest.mark.parametrize("kind", ["rsa", "ec"])
async def test_a_valid_jwt_signs_in_as_its_organisation_and_role(
    client: httpx.AsyncClient, keys: dict[str, Any], kind: str
) -> None:
    response = await _me(client, _token(keys, kind))

    assert response.json()["data"]["me"] == {
        "role": "COUNCIL_SUBMITTER",
        "organisation": {"code": "S12000036"},
    }


@pytest.mark.parametrize(
    ("overrides", "says"),
    [
        ({"exp": dt.datetime(2020, 1, 1, tzinfo=dt.UTC)}, "expired"),
        ({"aud": "someone-else"}, "Audience"),
        ({"iss": "https://evil.example"}, "issuer"),
        ({"ldp_org": "NOWHERE"}, "names no organisation"),
        ({"ldp_role": "superuser"}, "names no role"),
        ({"ldp_role": "admin"}, "needs an organisation of kind platform"),
    ],
)
async def test_a_jwt_that_does_not_hold_is_refused_with_401(
    client: httpx.AsyncClient, keys: dict[str, Any], overrides: dict[str, Any], says: str
) -> None:
    response = await _me(client, _token(keys, **overrides))

    assert response.status_code == 401
    assert says in response.json()["errors"][0]["message"]


async def test_a_jwt_signed_by_another_key_is_refused(client: httpx.AsyncClient) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(
        {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": "x",
            "exp": dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5),
            "ldp_org": "S12000036",
            "ldp_role": "council_submitter",
        },
        stranger,
        algorithm="RS256",
        headers={"kid": "r1"},
    )

    response = await _me(client, forged)

    assert response.status_code == 401


async def test_platform_tokens_still_work_beside_jwts(client: httpx.AsyncClient, api: Api) -> None:

    token = await api.token("S12000033", Role.COUNCIL_SUBMITTER)

    response = await _me(client, token)

    assert response.json()["data"]["me"]["organisation"] == {"code": "S12000033"}


async def test_a_jwt_expired_within_the_allowed_clock_skew_is_accepted(
    client: httpx.AsyncClient, keys: dict[str, Any]
) -> None:
    now = dt.datetime.now(dt.UTC)
    # LDP_OIDC_LEEWAY_SECONDS is 30 by default.
    just_expired = await _me(client, _token(keys, exp=now - dt.timedelta(seconds=10)))
    long_expired = await _me(client, _token(keys, exp=now - dt.timedelta(seconds=90)))

    assert just_expired.json()["data"]["me"]["role"] == "COUNCIL_SUBMITTER"
    assert long_expired.status_code == 401


async def test_keys_are_fetched_from_a_jwks_url_once_and_cached(
    settings: Settings, api: Api, keys: dict[str, Any]
) -> None:
    server = _JwksServer(_jwks(keys))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        async with _serving(settings, oidc_jwks_url=server.url) as http:
            answers = [await _me(http, _token(keys, kind)) for kind in ("rsa", "ec", "rsa")]
            stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            forged = await _me(http, _token({"rsa": stranger}))
    finally:
        server.shutdown()
        server.server_close()

    assert [a.json()["data"]["me"]["role"] for a in answers] == ["COUNCIL_SUBMITTER"] * 3
    assert forged.status_code == 401
    assert server.fetches == ["/.well-known/jwks.json"]
