"""SQL for organisations."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ldp_graph.db.tables import organisations
from ldp_graph.domain.organisations import Organisation, OrganisationKind


def _to_domain(row: sa.Row) -> Organisation:
    return Organisation(code=row.code, name=row.name, kind=OrganisationKind(row.kind))


async def list_all(
    session: AsyncSession, kind: OrganisationKind | None = None
) -> list[Organisation]:
    query = sa.select(organisations).order_by(organisations.c.name)
    if kind is not None:
        query = query.where(organisations.c.kind == kind.value)
    return [_to_domain(row) for row in await session.execute(query)]


async def get_many(session: AsyncSession, codes: Sequence[str]) -> list[Organisation | None]:
    """The organisations for `codes`, in key order, None where a code is unknown."""
    rows = await session.execute(sa.select(organisations).where(organisations.c.code.in_(codes)))
    found = {row.code: _to_domain(row) for row in rows}
    return [found.get(code) for code in codes]


async def exists(session: AsyncSession, code: str) -> bool:
    query = sa.select(sa.literal(1)).where(organisations.c.code == code)
    return (await session.execute(query)).first() is not None


async def insert(session: AsyncSession, organisation: Organisation) -> None:
    await session.execute(
        organisations.insert().values(
            code=organisation.code,
            name=organisation.name,
            kind=organisation.kind.value,
            created_at=datetime.now(UTC),
        )
    )


async def insert_missing(session: AsyncSession, wanted: Iterable[Organisation]) -> int:
    """Insert those of `wanted` whose code is not stored yet; return how many were added."""
    wanted = list(wanted)
    present = set(
        await session.scalars(
            sa.select(organisations.c.code).where(
                organisations.c.code.in_([o.code for o in wanted])
            )
        )
    )
    missing = [o for o in wanted if o.code not in present]
    if missing:
        now = datetime.now(UTC)
        await session.execute(
            organisations.insert(),
            [
                {"code": o.code, "name": o.name, "kind": o.kind.value, "created_at": now}
                for o in missing
            ],
        )
    return len(missing)
