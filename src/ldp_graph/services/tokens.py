"""API tokens: issue, authenticate, revoke. Only a SHA-256 hash of each token is stored."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ldp_graph.auth import policy
from ldp_graph.auth.policy import Action
from ldp_graph.auth.principal import Principal
from ldp_graph.db.engine import Database
from ldp_graph.db.repositories import organisations as organisation_repository
from ldp_graph.db.repositories import tokens as repository
from ldp_graph.db.repositories.tokens import StoredToken
from ldp_graph.domain.roles import Role
from ldp_graph.errors import InvalidInput, NotAuthenticated, NotFound
from ldp_graph.services import audit

TOKEN_PREFIX = "ldp"  # noqa: S105 - a public prefix, not a secret


def hash_token(token: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A freshly created token: `secret` is shown once and never stored."""

    stored: StoredToken
    secret: str


async def create_token(
    database: Database,
    principal: Principal,
    *,
    organisation_code: str,
    role: Role,
    expires_in_days: int | None,
    label: str = "",
) -> IssuedToken:
    policy.require(principal, Action.MANAGE_TOKENS)
    if expires_in_days is not None and expires_in_days <= 0:
        raise InvalidInput("A token must expire at least one day from now.", field="expires_in")
    token_id = secrets.token_hex(6)
    secret = f"{TOKEN_PREFIX}_{token_id}_{secrets.token_urlsafe(32)}"
    now = datetime.now(UTC)
    expires_at = now + timedelta(days=expires_in_days) if expires_in_days else None
    async with database.transaction() as session:
        [organisation] = await organisation_repository.get_many(session, [organisation_code])
        if organisation is None:
            raise NotFound(f"No organisation has code {organisation_code}.", field="org")
        policy.check_role_fits_organisation(role, organisation)
        await repository.insert(
            session,
            token_id=token_id,
            token_hash=hash_token(secret),
            organisation_code=organisation.code,
            role=role,
            label=label,
            created_at=now,
            expires_at=expires_at,
        )
        await audit.record(
            session,
            principal,
            "token.create",
            subject_organisation_code=organisation.code,
            token_id=token_id,
            role=role.value,
        )
    stored = StoredToken(token_id, organisation, role, label, now, expires_at, None)
    return IssuedToken(stored=stored, secret=secret)


async def revoke_tokens(database: Database, principal: Principal, token_ids: list[str]) -> int:
    policy.require(principal, Action.MANAGE_TOKENS)
    async with database.transaction() as session:
        revoked = await repository.revoke(session, token_ids, datetime.now(UTC))
        if revoked:
            await audit.record(session, principal, "token.revoke", token_ids=token_ids)
    return revoked


async def revoke_labelled(database: Database, principal: Principal, label: str) -> int:
    async with database.read() as session:
        ids = await repository.ids_with_label(session, label)
    return await revoke_tokens(database, principal, ids)


async def list_tokens(
    database: Database, principal: Principal, organisation_code: str | None = None
) -> list[StoredToken]:
    policy.require(principal, Action.MANAGE_TOKENS)
    async with database.read() as session:
        return await repository.list_for(session, organisation_code)


async def authenticate(database: Database, token: str) -> Principal:
    """The Principal a bearer token stands for; `NotAuthenticated` if it stands for none."""
    if not token.startswith(f"{TOKEN_PREFIX}_"):
        raise NotAuthenticated("The bearer token is not a valid ldp-graph token.")
    async with database.read() as session:
        stored = await repository.find_by_hash(session, hash_token(token))
    return _principal(stored)


async def principal_of_token_id(database: Database, token_id: str) -> Principal:
    """The Principal of a token still in force (a download link acts for its token)."""
    async with database.read() as session:
        stored = await repository.get(session, token_id)
    return _principal(stored)


def _principal(stored: StoredToken | None) -> Principal:
    if stored is None:
        raise NotAuthenticated("The bearer token is not a valid ldp-graph token.")
    if stored.revoked_at is not None:
        raise NotAuthenticated("The bearer token has been revoked.")
    if stored.expires_at is not None and stored.expires_at <= datetime.now(UTC):
        raise NotAuthenticated("The bearer token has expired.")
    return Principal(organisation=stored.organisation, role=stored.role, token_id=stored.id)
