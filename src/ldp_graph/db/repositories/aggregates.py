"""SQL counts of records by field values, for published aggregates (no rows leave the database)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ldp_graph.db.tables import records


async def count_by(
    session: AsyncSession, version_ids: Sequence[str], entity: str, fields: Sequence[str]
) -> list[tuple[str, tuple[str | None, ...], int]]:
    """(version id, the fields' values, how many records) for each combination present."""
    if not version_ids:
        return []
    values = [records.c.data[f].as_string().label(f"v{i}") for i, f in enumerate(fields)]
    query = (
        sa.select(records.c.version_id, *values, sa.func.count().label("n"))
        .where(records.c.version_id.in_(version_ids), records.c.entity == entity)
        .group_by(records.c.version_id, *values)
    )
    return [
        (row[0], tuple(row[1 : 1 + len(fields)]), row[-1]) for row in await session.execute(query)
    ]
