"""A bearer token that is present but not good is refused with 401 before any resolver runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from ldp_graph.auth.principal import OPERATOR
from ldp_graph.db.tables import api_tokens
from ldp_graph.domain.roles import Role
from ldp_graph.services import tokens
from tests.conftest import Api

ME = "{ me { role } }"


def assert_unauthenticated(response_status: int, body: dict, message_part: str) -> None:
    assert response_status == 401
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert message_part in error["message"]


@pytest.mark.parametrize(
    "token",
    ["nonsense", "ldp_000000000000_notarealsecret", "ldp_"],
)
async def test_unknown_token_gets_401_unauthenticated(api: Api, token: str) -> None:
    response = await api.post(ME, token=token)

    assert_unauthenticated(response.status_code, response.json(), "not a valid")
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", "Token abc"])
async def test_malformed_authorization_header_gets_401(api: Api, header: str) -> None:
    response = await api.client.post(
        "/graphql", json={"query": ME}, headers={"Authorization": header}
    )

    assert_unauthenticated(response.status_code, response.json(), "Bearer <token>")


async def test_revoked_token_gets_401(api: Api) -> None:
    issued = await tokens.create_token(
        api.database,
        OPERATOR,
        organisation_code="S12000033",
        role=Role.END_USER,
        expires_in_days=5,
    )
    assert (await api.post(ME, token=issued.secret)).status_code == 200

    await tokens.revoke_tokens(api.database, OPERATOR, [issued.stored.id])
    response = await api.post(ME, token=issued.secret)

    assert_unauthenticated(response.status_code, response.json(), "revoked")


async def test_expired_token_gets_401(api: Api) -> None:
    issued = await tokens.create_token(
        api.database,
        OPERATOR,
        organisation_code="S12000033",
        role=Role.END_USER,
        expires_in_days=1,
    )
    async with api.database.transaction() as session:
        await session.execute(
            sa.update(api_tokens)
            .where(api_tokens.c.id == issued.stored.id)
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )

    response = await api.post(ME, token=issued.secret)

    assert_unauthenticated(response.status_code, response.json(), "expired")


async def test_token_is_stored_only_as_a_hash(api: Api) -> None:
    issued = await tokens.create_token(
        api.database,
        OPERATOR,
        organisation_code="S12000033",
        role=Role.END_USER,
        expires_in_days=1,
    )

    async with api.database.read() as session:
        rows = (await session.execute(sa.select(api_tokens))).all()

    stored_values = [str(value) for row in rows for value in row]
    assert not any(issued.secret in value for value in stored_values)
    assert tokens.hash_token(issued.secret) in stored_values
