"""SQL for submitted records and the validation issues stored with each version."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ldp_graph.db.tables import records, version_issues
from ldp_graph.domain.submissions import StoredRecord
from ldp_graph.specs.model import Severity
from ldp_graph.validation.report import Issue

# Rows per INSERT: bounded so SQLite's and asyncpg's parameter limits are never reached.
_BATCH = 2000


def _batches(rows: list[dict[str, Any]]) -> Iterable[list[dict[str, Any]]]:
    for start in range(0, len(rows), _BATCH):
        yield rows[start : start + _BATCH]


async def insert_records(
    session: AsyncSession,
    version_id: str,
    entity_keys: Mapping[str, Sequence[str]],
    rows: Mapping[str, Sequence[Mapping[str, Any]]],
    lines: Mapping[str, Sequence[int]] | None,
) -> int:
    """Store every row of every entity; the key joins the entity's key fields with '|'.

    A return can hold hundreds of thousands of rows, so this goes straight to the driver's
    executemany with JSON made by orjson: the SQL expression layer costs several times more.
    """
    values: list[tuple[Any, ...]] = []
    for entity, entity_rows in rows.items():
        key_fields = entity_keys[entity]
        entity_lines = (lines or {}).get(entity)
        for index, row in enumerate(entity_rows):
            key = "|".join(str(row.get(f) or "") for f in key_fields)
            line = entity_lines[index] if entity_lines else index + 1
            values.append((version_id, entity, key or None, line, _json(row)))
    connection = await session.connection()
    marks = "?, ?, ?, ?, ?" if connection.dialect.paramstyle == "qmark" else "$1, $2, $3, $4, $5"
    statement = f"INSERT INTO {records.name} (version_id, entity, key, line, data) VALUES ({marks})"  # noqa: S608 - no user input in the SQL text
    for start in range(0, len(values), _BATCH):
        await connection.exec_driver_sql(statement, values[start : start + _BATCH])
    return len(values)


def _json(row: Mapping[str, Any]) -> str:
    try:
        return orjson.dumps(dict(row)).decode()
    except TypeError:  # what orjson refuses (integers beyond 64 bits, say), json takes
        return json.dumps(dict(row))


def _record(row: sa.Row) -> StoredRecord:
    return StoredRecord(
        id=row.id,
        version_id=row.version_id,
        entity=row.entity,
        key=row.key,
        line=row.line,
        data=row.data,
    )


async def list_records(
    session: AsyncSession, version_id: str, entity: str | None = None
) -> list[StoredRecord]:
    query = sa.select(records).where(records.c.version_id == version_id).order_by(records.c.id)
    if entity is not None:
        query = query.where(records.c.entity == entity)
    return [_record(row) for row in await session.execute(query)]


async def insert_issues(session: AsyncSession, version_id: str, issues: Sequence[Issue]) -> None:
    values = [
        {
            "version_id": version_id,
            "problem_id": i.problem_id,
            "rule_id": i.rule_id,
            "severity": i.severity.value,
            "entity": i.entity,
            "line": i.line,
            "key": i.key,
            "fields": list(i.fields),
            "value": i.value,
            "message": i.message,
        }
        for i in issues
    ]
    for batch in _batches(values):
        await session.execute(version_issues.insert(), batch)


async def list_issues(session: AsyncSession, version_ids: Sequence[str]) -> dict[str, list[Issue]]:
    rows = await session.execute(
        sa.select(version_issues)
        .where(version_issues.c.version_id.in_(version_ids))
        .order_by(version_issues.c.id)
    )
    found: dict[str, list[Issue]] = {v: [] for v in version_ids}
    for row in rows:
        found[row.version_id].append(
            Issue(
                problem_id=row.problem_id,
                rule_id=row.rule_id,
                severity=Severity(row.severity),
                entity=row.entity,
                line=row.line,
                key=row.key,
                fields=tuple(row.fields),
                value=row.value,
                message=row.message,
            )
        )
    return found


async def record_exists(session: AsyncSession, version_id: str, entity: str, key: str) -> bool:
    query = sa.select(sa.literal(1)).where(
        records.c.version_id == version_id, records.c.entity == entity, records.c.key == key
    )
    return (await session.execute(query.limit(1))).first() is not None


# --- record queries ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldFilter:
    """One field's condition; values are compared as submitted text (ISO dates sort as text)."""

    field: str
    eq: str | None = None
    in_: tuple[str, ...] | None = None
    gte: str | None = None
    lte: str | None = None
    is_null: bool | None = None


def _condition(f: FieldFilter) -> sa.ColumnElement[bool]:
    value = records.c.data[f.field].as_string()
    parts: list[sa.ColumnElement[bool]] = []
    if f.eq is not None:
        parts.append(value == f.eq)
    if f.in_ is not None:
        parts.append(value.in_(f.in_))
    if f.gte is not None:
        parts.append(value >= f.gte)
    if f.lte is not None:
        parts.append(value <= f.lte)
    if f.is_null is True:
        parts.append(sa.or_(value.is_(None), value == ""))
    if f.is_null is False:
        parts.append(sa.and_(value.is_not(None), value != ""))
    return sa.and_(sa.true(), *parts)


async def query_records(
    session: AsyncSession,
    version_ids: Sequence[str],
    entity: str,
    *,
    filters: Sequence[FieldFilter] = (),
    order: Sequence[tuple[str, bool]] = (),
    offset: int = 0,
    limit: int = 100,
) -> tuple[list[StoredRecord], int]:
    """A page of one entity's records over several versions, and how many match in all."""
    where = sa.and_(
        records.c.version_id.in_(version_ids),
        records.c.entity == entity,
        *(_condition(f) for f in filters),
    )
    total = (
        await session.execute(sa.select(sa.func.count()).select_from(records).where(where))
    ).scalar_one()
    ordering = [
        (
            records.c.data[field].as_string().desc()
            if descending
            else records.c.data[field].as_string().asc()
        )
        for field, descending in order
    ]
    query = (
        sa.select(records)
        .where(where)
        .order_by(*ordering, records.c.version_id, records.c.id)
        .offset(offset)
        .limit(limit)
    )
    return [_record(row) for row in await session.execute(query)], total
