"""SQL for collections and the councils each is sent to."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from ldp_graph.db.tables import collection_councils, collections
from ldp_graph.domain.collections import Collection


async def insert(session: AsyncSession, collection: Collection) -> None:
    values = {
        "id": collection.id,
        "spec_id": collection.spec_id,
        "spec_version": collection.spec_version,
        "title": collection.title,
        "period_start": collection.period_start,
        "period_end": collection.period_end,
        "owner_code": collection.owner_code,
        "opens_on": collection.opens_on,
        "due_on": collection.due_on,
        "purpose": collection.purpose,
        "legal_basis": collection.legal_basis,
        "created_at": collection.created_at,
        "published_at": collection.published_at,
    }
    await session.execute(collections.insert().values(**values))
    await session.execute(
        collection_councils.insert(),
        [{"collection_id": collection.id, "council_code": c} for c in collection.council_codes],
    )


async def _councils_of(session: AsyncSession, ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
    rows = await session.execute(
        sa.select(collection_councils.c.collection_id, collection_councils.c.council_code)
        .where(collection_councils.c.collection_id.in_(ids))
        .order_by(collection_councils.c.council_code)
    )
    found: dict[str, list[str]] = {}
    for collection_id, council_code in rows:
        found.setdefault(collection_id, []).append(council_code)
    return {k: tuple(v) for k, v in found.items()}


def _collection(r: sa.Row, council_codes: tuple[str, ...]) -> Collection:
    return Collection(
        id=r.id,
        spec_id=r.spec_id,
        spec_version=r.spec_version,
        title=r.title,
        period_start=r.period_start,
        period_end=r.period_end,
        owner_code=r.owner_code,
        opens_on=r.opens_on,
        due_on=r.due_on,
        purpose=r.purpose,
        legal_basis=r.legal_basis,
        council_codes=council_codes,
        created_at=r.created_at,
        published_at=r.published_at,
    )


async def _hydrate(session: AsyncSession, rows: Sequence[sa.Row]) -> list[Collection]:
    councils = await _councils_of(session, [r.id for r in rows]) if rows else {}
    return [_collection(r, councils.get(r.id, ())) for r in rows]


# Collections with their councils in one statement: the council codes joined into one text
# (group_concat on SQLite, string_agg on PostgreSQL; codes hold no comma, see
# organisations._CODE_PATTERN), so each collection is one row and its dates are decoded once.
# Built once: SQLAlchemy then keeps its cache key, and one id (a loader's usual batch) needs
# no expanding IN.
class _CommaJoined(FunctionElement[str]):
    """The values of a text column joined by commas (aggregate_strings without its separator
    parameter, which SQLAlchemy renders afresh on every execution)."""

    type = sa.Text()
    inherit_cache = True


@compiles(_CommaJoined, "sqlite")
def _group_concat(element: _CommaJoined, compiler: Any, **kw: Any) -> str:
    return f"group_concat({compiler.process(element.clauses, **kw)}, ',')"


@compiles(_CommaJoined)
def _string_agg(element: _CommaJoined, compiler: Any, **kw: Any) -> str:
    return f"string_agg({compiler.process(element.clauses, **kw)}, ',')"


_council_codes = (
    sa.select(_CommaJoined(collection_councils.c.council_code))
    .where(collection_councils.c.collection_id == collections.c.id)
    .scalar_subquery()
    .label("joined_council_codes")
)
_with_councils = sa.select(collections, _council_codes)
_one_with_councils = _with_councils.where(collections.c.id == sa.bindparam("id"))
_many_with_councils = _with_councils.where(
    collections.c.id.in_(sa.bindparam("ids", expanding=True))
)


async def get_many(session: AsyncSession, ids: Sequence[str]) -> list[Collection | None]:
    if len(ids) == 1:
        result = await session.execute(_one_with_councils, {"id": ids[0]})
    else:
        result = await session.execute(_many_with_councils, {"ids": list(ids)})
    found = {
        row.id: _collection(
            row,
            tuple(sorted(row.joined_council_codes.split(","))) if row.joined_council_codes else (),
        )
        for row in result
    }
    return [found.get(i) for i in ids]


async def get(session: AsyncSession, collection_id: str) -> Collection | None:
    return (await get_many(session, [collection_id]))[0]


async def list_between(
    session: AsyncSession,
    *,
    start: dt.date | None,
    end: dt.date | None,
    council_code: str | None = None,
    owner_code: str | None = None,
) -> list[Collection]:
    """Collections whose open..due window overlaps start..end, by due date."""
    query = sa.select(collections).order_by(collections.c.due_on, collections.c.id)
    if start is not None:
        query = query.where(collections.c.due_on >= start)
    if end is not None:
        query = query.where(collections.c.opens_on <= end)
    if council_code is not None:
        query = query.where(
            collections.c.id.in_(
                sa.select(collection_councils.c.collection_id).where(
                    collection_councils.c.council_code == council_code
                )
            )
        )
    if owner_code is not None:
        query = query.where(collections.c.owner_code == owner_code)
    rows = (await session.execute(query)).all()
    return await _hydrate(session, rows)


async def mark_published(session: AsyncSession, collection_id: str, when: dt.datetime) -> None:
    await session.execute(
        collections.update().where(collections.c.id == collection_id).values(published_at=when)
    )
