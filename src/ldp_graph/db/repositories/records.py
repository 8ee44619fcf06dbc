"""SQL for submitted records and the validation issues stored with each version."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice, repeat
from typing import Any

import orjson
import polars as pl
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ldp_graph.db import json_text
from ldp_graph.db.tables import records, version_issues
from ldp_graph.domain.submissions import StoredRecord
from ldp_graph.specs.model import FieldType, Severity
from ldp_graph.validation.chunked import DEFAULT_CHUNK_ROWS, RowChunks
from ldp_graph.validation.coercion import DATE_PATTERN, FALSE_WORDS, TRUE_WORDS
from ldp_graph.validation.frames import TextFrame
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

    A return can hold hundreds of thousands of rows, so this goes straight to the driver with
    JSON made by orjson (or polars, for a text frame): the SQL expression layer costs several
    times more. On PostgreSQL the rows go in by COPY (asyncpg's binary copy, on the session's
    own connection, so inside its transaction); on SQLite by executemany of a prepared INSERT,
    which is SQLite's bulk path. Either way the rows are made and sent one batch at a time,
    so a large return is never held twice (as its rows and as their JSON) in memory.
    """
    connection = await session.connection()
    values = _record_values(version_id, entity_keys, rows, lines)
    count = 0
    if connection.dialect.name == "postgresql":
        raw = await connection.get_raw_connection()
        while batch := list(islice(values, _COPY_BATCH)):
            await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
                records.name, records=batch, columns=_COPIED_COLUMNS
            )
            count += len(batch)
        return count
    marks = "?, ?, ?, ?, ?" if connection.dialect.paramstyle == "qmark" else "$1, $2, $3, $4, $5"
    statement = f"INSERT INTO {records.name} (version_id, entity, key, line, data) VALUES ({marks})"  # noqa: S608 - no user input in the SQL text
    while batch := list(islice(values, _BATCH)):
        await connection.exec_driver_sql(statement, batch)
        count += len(batch)
    return count


def _record_values(
    version_id: str,
    entity_keys: Mapping[str, Sequence[str]],
    rows: Mapping[str, Sequence[Mapping[str, Any]]],
    lines: Mapping[str, Sequence[int]] | None,
) -> Iterator[tuple[Any, ...]]:
    for entity, entity_rows in rows.items():
        key_fields = entity_keys[entity]
        entity_lines = (lines or {}).get(entity)
        if isinstance(entity_rows, TextFrame):
            yield from _frame_values(version_id, entity, key_fields, entity_rows, entity_lines)
            continue
        if isinstance(entity_rows, RowChunks):  # an uploaded file, read again chunk by chunk
            for chunk, chunk_lines in entity_rows.chunks(DEFAULT_CHUNK_ROWS):
                assert isinstance(chunk, TextFrame)
                yield from _frame_values(version_id, entity, key_fields, chunk, chunk_lines)
            continue
        for index, row in enumerate(entity_rows):
            key = "|".join(str(row.get(f) or "") for f in key_fields)
            line = entity_lines[index] if entity_lines else index + 1
            yield (version_id, entity, key or None, line, _json(row))


def _frame_values(
    version_id: str,
    entity: str,
    key_fields: Sequence[str],
    rows: TextFrame,
    lines: Sequence[int] | None,
) -> Iterator[tuple[Any, ...]]:
    """As for rows of dicts, made by polars a batch at a time: the same keys, and the same JSON
    text as orjson writes for the row's dict (keys in column order, blank cells null)."""
    frame = rows.frame
    present = set(frame.columns)
    joined = pl.concat_str(
        [
            pl.col(f).fill_null("") if f in present else pl.repeat("", pl.len(), dtype=pl.Utf8)
            for f in key_fields
        ],
        separator="|",
    )
    key = pl.when(joined != "").then(joined)
    for start in range(0, frame.height, _BATCH):
        part = frame.slice(start, _BATCH)
        keys = (
            part.select(key.alias("key")).to_series().to_list()
            if key_fields
            else [None] * part.height
        )
        data = part.write_ndjson().split("\n")
        data.pop()  # the empty rest after the last line
        numbers = (
            lines[start : start + part.height]
            if lines
            else range(start + 1, start + 1 + part.height)
        )
        yield from zip(repeat(version_id), repeat(entity), keys, numbers, data, strict=False)


_COPIED_COLUMNS = ("version_id", "entity", "key", "line", "data")
_COPY_BATCH = 20_000  # rows per COPY: few round trips, a bounded batch in memory


def _json(row: Mapping[str, Any]) -> str:
    try:
        return orjson.dumps(row if type(row) is dict else dict(row)).decode()
    except TypeError:  # what orjson refuses (integers beyond 64 bits, say), json takes
        return json.dumps(dict(row))


# A page's columns, with the JSON read as text and parsed here: a page is the hot path of
# record queries, and the driver's per-row JSON processing doubled its cost.
_PAGE_COLUMNS = (
    records.c.id,
    records.c.version_id,
    records.c.entity,
    records.c.key,
    records.c.line,
    sa.cast(records.c.data, sa.Text).label("data"),
)


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

# Stored values are what the council sent. These expressions read them by the rules of
# validation/coercion.py, so a value that does not parse counts as missing when compared or
# sorted, on SQLite and PostgreSQL alike.
# Digits are bounded so the cast to a double can never overflow: PostgreSQL raises on that.
_COMPARABLE_NUMBER = r"^[+-]?([0-9]{1,30}[.]?[0-9]{0,30}|[.][0-9]{1,30})([eE][+-]?[0-9]{1,2})?$"
_TRUE_WORDS = sorted(TRUE_WORDS)
_FALSE_WORDS = sorted(FALSE_WORDS)


def _text(field: str) -> sa.ColumnElement[Any]:
    """The submitted value as trimmed text; NULL when missing or blank (as `as_text`)."""
    return sa.func.nullif(sa.func.trim(records.c.data[field].as_string()), "")


def typed_value(field: str, field_type: FieldType) -> sa.ColumnElement[Any]:
    """The value to compare and sort by: a double, an ISO date, 1/0 for yes/no, else the text."""
    text = _text(field)
    if field_type in (FieldType.INTEGER, FieldType.NUMBER):
        return sa.case((text.regexp_match(_COMPARABLE_NUMBER), sa.cast(text, sa.Float)))
    if field_type == FieldType.DATE:
        return sa.case((text.regexp_match(DATE_PATTERN), text))
    if field_type == FieldType.BOOLEAN:
        lowered = sa.func.lower(text)
        return sa.case((lowered.in_(_TRUE_WORDS), 1), (lowered.in_(_FALSE_WORDS), 0))
    return text


@dataclass(frozen=True, slots=True)
class FieldFilter:
    """One field's condition, on its typed value (numbers as numbers, yes/no as 1/0)."""

    field: str
    eq: Any = None
    in_: tuple[Any, ...] | None = None
    gte: Any = None
    lte: Any = None
    is_null: bool | None = None  # about the submitted text: missing or blank
    type: FieldType = FieldType.STRING


@dataclass(frozen=True, slots=True)
class SortKey:
    field: str
    type: FieldType = FieldType.STRING
    descending: bool = False


@dataclass(frozen=True, slots=True)
class RecordPosition:
    """Where a record sits in an ordering: its sort values, then its version and id."""

    values: tuple[Any, ...]
    version_id: str
    record_id: int


@dataclass(frozen=True, slots=True)
class RecordSlice:
    records: list[StoredRecord]
    positions: Sequence[RecordPosition]
    total: int | None  # matching records over all pages; None when not counted
    more: bool  # records follow this slice


class _Positions(Sequence[RecordPosition]):
    """The positions of a page's rows, each made when asked for (by a cursor): most pages are
    read without one per record."""

    def __init__(self, rows: list[sa.Row[Any]]) -> None:
        self._rows = rows

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, index: int) -> RecordPosition:  # type: ignore[override]
        row = self._rows[index]
        return RecordPosition(tuple(row[len(_PAGE_COLUMNS) :]), row.version_id, row.id)


def _condition(f: FieldFilter) -> sa.ColumnElement[bool]:
    value = typed_value(f.field, f.type)
    parts: list[sa.ColumnElement[bool]] = []
    if f.eq is not None:
        parts.append(value == f.eq)
    if f.in_ is not None:
        parts.append(value.in_(f.in_))
    if f.gte is not None:
        parts.append(value >= f.gte)
    if f.lte is not None:
        parts.append(value <= f.lte)
    if f.is_null is not None:
        text = _text(f.field)
        parts.append(text.is_(None) if f.is_null else text.is_not(None))
    return sa.and_(sa.true(), *parts)


def _after(terms: Sequence[tuple[sa.ColumnElement[Any], bool, Any]]) -> sa.ColumnElement[bool]:
    """Rows after a position in the order of `terms` (expression, descending, value there).

    Missing values sort last in either direction, so nothing follows a missing value on
    its own term, and a missing value follows every present one.
    """
    alternatives: list[sa.ColumnElement[bool]] = []
    same_so_far: list[sa.ColumnElement[bool]] = []
    for expression, descending, value in terms:
        if value is None:
            later: sa.ColumnElement[bool] = sa.false()
            same = expression.is_(None)
        else:
            beyond = expression < value if descending else expression > value
            later = sa.or_(expression.is_(None), beyond)
            same = expression == value
        alternatives.append(sa.and_(*same_so_far, later))
        same_so_far.append(same)
    return sa.or_(*alternatives)


async def query_records(
    session: AsyncSession,
    version_ids: Sequence[str],
    entity: str,
    *,
    filters: Sequence[FieldFilter] = (),
    order: Sequence[SortKey] = (),
    after: RecordPosition | None = None,
    offset: int = 0,
    limit: int = 100,
    count: bool = True,
) -> RecordSlice:
    """A slice of one entity's records over several versions, and how many match in all
    (None unless `count`: the COUNT is a statement of its own, over every matching row).

    Ordered by `order`, then by version and id (unique, unlike keys, which a return may
    repeat). `after` continues past a position (keyset), so a slice never repeats or skips
    a record when other councils' versions arrive between two requests.
    """
    where = sa.and_(
        records.c.version_id.in_(version_ids),
        records.c.entity == entity,
        *(_condition(f) for f in filters),
    )
    total = None
    if count:
        total = (
            await session.execute(sa.select(sa.func.count()).select_from(records).where(where))
        ).scalar_one()
    values = [typed_value(k.field, k.type) for k in order]
    if after is not None:
        terms = [(v, k.descending, p) for v, k, p in zip(values, order, after.values, strict=True)]
        terms += [(records.c.version_id, False, after.version_id)]
        terms += [(records.c.id, False, after.record_id)]
        where = sa.and_(where, _after(terms))
    query = (
        sa.select(*_PAGE_COLUMNS, *(v.label(f"sort_{i}") for i, v in enumerate(values)))
        .where(where)
        .order_by(
            *(
                (v.desc() if k.descending else v.asc()).nulls_last()
                for v, k in zip(values, order, strict=True)
            ),
            records.c.version_id,
            records.c.id,
        )
        .offset(offset)
        .limit(limit + 1)
    )
    rows = (await session.execute(query)).all()  # fetched at once, not row by row
    page = rows[:limit]
    loads = json_text.loads
    found = [StoredRecord(r[0], r[1], r[2], r[3], r[4], loads(r[5])) for r in page]
    return RecordSlice(found, _Positions(page), total, len(rows) > limit)
