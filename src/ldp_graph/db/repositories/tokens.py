"""SQL for API tokens (stored only as hashes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ldp_graph.db.tables import api_tokens, organisations
from ldp_graph.domain.organisations import Organisation, OrganisationKind
from ldp_graph.domain.roles import Role


@dataclass(frozen=True, slots=True)
class StoredToken:
    id: str
    organisation: Organisation
    role: Role
    label: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


_columns = (
    api_tokens.c.id,
    api_tokens.c.role,
    api_tokens.c.label,
    api_tokens.c.created_at,
    api_tokens.c.expires_at,
    api_tokens.c.revoked_at,
    organisations.c.code,
    organisations.c.name,
    organisations.c.kind,
)
_joined = api_tokens.join(organisations, api_tokens.c.organisation_code == organisations.c.code)


def _to_stored(row: sa.Row) -> StoredToken:
    return StoredToken(
        id=row.id,
        organisation=Organisation(row.code, row.name, OrganisationKind(row.kind)),
        role=Role(row.role),
        label=row.label,
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
    )


async def find_by_hash(session: AsyncSession, token_hash: str) -> StoredToken | None:
    query = sa.select(*_columns).select_from(_joined).where(api_tokens.c.token_hash == token_hash)
    row = (await session.execute(query)).first()
    return _to_stored(row) if row else None


async def list_for(session: AsyncSession, organisation_code: str | None) -> list[StoredToken]:
    query = sa.select(*_columns).select_from(_joined).order_by(api_tokens.c.created_at)
    if organisation_code is not None:
        query = query.where(api_tokens.c.organisation_code == organisation_code)
    return [_to_stored(row) for row in await session.execute(query)]


async def insert(
    session: AsyncSession,
    *,
    token_id: str,
    token_hash: str,
    organisation_code: str,
    role: Role,
    label: str,
    created_at: datetime,
    expires_at: datetime | None,
) -> None:
    await session.execute(
        api_tokens.insert().values(
            id=token_id,
            token_hash=token_hash,
            organisation_code=organisation_code,
            role=role.value,
            label=label,
            created_at=created_at,
            expires_at=expires_at,
        )
    )


async def revoke(session: AsyncSession, token_ids: list[str], at: datetime) -> int:
    """Mark the tokens revoked (those not already); return how many changed."""
    if not token_ids:
        return 0
    result = await session.execute(
        api_tokens.update()
        .where(api_tokens.c.id.in_(token_ids), api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=at)
    )
    return result.rowcount


async def ids_with_label(session: AsyncSession, label: str) -> list[str]:
    query = sa.select(api_tokens.c.id).where(
        api_tokens.c.label == label, api_tokens.c.revoked_at.is_(None)
    )
    return list(await session.scalars(query))


async def get(session: AsyncSession, token_id: str) -> StoredToken | None:
    query = sa.select(*_columns).select_from(_joined).where(api_tokens.c.id == token_id)
    row = (await session.execute(query)).first()
    return _to_stored(row) if row else None
