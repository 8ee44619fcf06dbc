"""SQL for data queries, their messages, and explanations of issues."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ldp_graph.db.tables import data_queries, data_query_messages, issue_explanations, records
from ldp_graph.domain.review import (
    DataQuery,
    DataQueryMessage,
    DataQueryState,
    Explanation,
    ExplanationState,
)


def _query(row: sa.Row) -> DataQuery:
    return DataQuery(
        id=row.id,
        submission_id=row.submission_id,
        version_number=row.version_number,
        entity=row.entity,
        record_key=row.record_key,
        field=row.field,
        rule_id=row.rule_id,
        question=row.question,
        state=DataQueryState(row.state),
        raised_by_code=row.raised_by_code,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _explanation(row: sa.Row) -> Explanation:
    return Explanation(
        id=row.id,
        submission_id=row.submission_id,
        problem_id=row.problem_id,
        rule_id=row.rule_id,
        version_number=row.version_number,
        explanation=row.explanation,
        state=ExplanationState(row.state),
        author_code=row.author_code,
        created_at=row.created_at,
        reviewed_by_code=row.reviewed_by_code,
        reviewed_at=row.reviewed_at,
    )


async def insert_query(session: AsyncSession, query: DataQuery) -> None:
    await session.execute(
        data_queries.insert().values(
            id=query.id,
            submission_id=query.submission_id,
            version_number=query.version_number,
            entity=query.entity,
            record_key=query.record_key,
            field=query.field,
            rule_id=query.rule_id,
            question=query.question,
            state=query.state.value,
            raised_by_code=query.raised_by_code,
            created_at=query.created_at,
            updated_at=query.updated_at,
        )
    )


async def get_query(
    session: AsyncSession, query_id: str, *, for_update: bool = False
) -> DataQuery | None:
    statement = sa.select(data_queries).where(data_queries.c.id == query_id)
    if for_update:
        statement = statement.with_for_update()
    row = (await session.execute(statement)).first()
    return _query(row) if row else None


async def set_query_state(
    session: AsyncSession, query_id: str, state: DataQueryState, when: dt.datetime
) -> None:
    await session.execute(
        data_queries.update()
        .where(data_queries.c.id == query_id)
        .values(state=state.value, updated_at=when)
    )


async def queries_of(
    session: AsyncSession, submission_ids: Sequence[str]
) -> dict[str, list[DataQuery]]:
    rows = await session.execute(
        sa.select(data_queries)
        .where(data_queries.c.submission_id.in_(submission_ids))
        .order_by(data_queries.c.created_at, data_queries.c.id)
    )
    found: dict[str, list[DataQuery]] = {s: [] for s in submission_ids}
    for row in rows:
        found[row.submission_id].append(_query(row))
    return found


async def add_message(session: AsyncSession, query_id: str, message: DataQueryMessage) -> None:
    await session.execute(
        data_query_messages.insert().values(
            data_query_id=query_id,
            kind=message.kind,
            author_code=message.author_code,
            author_role=message.author_role,
            body=message.body,
            created_at=message.created_at,
        )
    )


async def messages_of(
    session: AsyncSession, query_ids: Sequence[str]
) -> dict[str, list[DataQueryMessage]]:
    rows = await session.execute(
        sa.select(data_query_messages)
        .where(data_query_messages.c.data_query_id.in_(query_ids))
        .order_by(data_query_messages.c.id)
    )
    found: dict[str, list[DataQueryMessage]] = {q: [] for q in query_ids}
    for row in rows:
        found[row.data_query_id].append(
            DataQueryMessage(row.kind, row.author_code, row.author_role, row.body, row.created_at)
        )
    return found


async def insert_explanation(session: AsyncSession, explanation: Explanation) -> None:
    await session.execute(
        issue_explanations.insert().values(
            id=explanation.id,
            submission_id=explanation.submission_id,
            problem_id=explanation.problem_id,
            rule_id=explanation.rule_id,
            version_number=explanation.version_number,
            explanation=explanation.explanation,
            state=explanation.state.value,
            author_code=explanation.author_code,
            created_at=explanation.created_at,
        )
    )


async def get_explanation(
    session: AsyncSession, explanation_id: str, *, for_update: bool = False
) -> Explanation | None:
    statement = sa.select(issue_explanations).where(issue_explanations.c.id == explanation_id)
    if for_update:
        statement = statement.with_for_update()
    row = (await session.execute(statement)).first()
    return _explanation(row) if row else None


async def review_explanation(
    session: AsyncSession,
    explanation_id: str,
    state: ExplanationState,
    reviewer_code: str,
    when: dt.datetime,
) -> None:
    await session.execute(
        issue_explanations.update()
        .where(issue_explanations.c.id == explanation_id)
        .values(state=state.value, reviewed_by_code=reviewer_code, reviewed_at=when)
    )


async def explanations_of(
    session: AsyncSession, submission_ids: Sequence[str]
) -> dict[str, list[Explanation]]:
    rows = await session.execute(
        sa.select(issue_explanations)
        .where(issue_explanations.c.submission_id.in_(submission_ids))
        .order_by(issue_explanations.c.created_at, issue_explanations.c.id)
    )
    found: dict[str, list[Explanation]] = {s: [] for s in submission_ids}
    for row in rows:
        found[row.submission_id].append(_explanation(row))
    return found


RecordTarget = tuple[str, str, str]  # version id, entity, record key


async def present_records(
    session: AsyncSession, targets: Sequence[RecordTarget]
) -> set[RecordTarget]:
    """Which of these records exist: one statement, one key list per version and entity."""
    grouped: dict[tuple[str, str], set[str]] = {}
    for version_id, entity, key in targets:
        grouped.setdefault((version_id, entity), set()).add(key)
    if not grouped:
        return set()
    statement = sa.select(records.c.version_id, records.c.entity, records.c.key).where(
        sa.or_(
            *(
                sa.and_(
                    records.c.version_id == version_id,
                    records.c.entity == entity,
                    records.c.key.in_(sorted(keys)),
                )
                for (version_id, entity), keys in grouped.items()
            )
        )
    )
    return {(r.version_id, r.entity, r.key) for r in await session.execute(statement)}
