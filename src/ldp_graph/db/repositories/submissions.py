"""SQL for submissions and their immutable versions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ldp_graph.db.tables import submission_versions, submissions
from ldp_graph.domain.submissions import (
    SourceFormat,
    Submission,
    SubmissionState,
    SubmissionVersion,
)


def _submission(row: sa.Row) -> Submission:
    return Submission(
        id=row.id,
        collection_id=row.collection_id,
        council_code=row.council_code,
        state=SubmissionState(row.state),
        current_version=row.current_version,
        validated_version=row.validated_version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _version(row: sa.Row) -> SubmissionVersion:
    return SubmissionVersion(
        id=row.id,
        submission_id=row.submission_id,
        number=row.number,
        author_code=row.author_code,
        author_role=row.author_role,
        source_format=SourceFormat(row.source_format),
        content_hash=row.content_hash,
        record_count=row.record_count,
        based_on_version=row.based_on_version,
        note=row.note,
        valid=row.valid,
        error_count=row.error_count,
        query_count=row.query_count,
        report=row.report,
        created_at=row.created_at,
    )


async def find(
    session: AsyncSession, collection_id: str, council_code: str, *, for_update: bool = False
) -> Submission | None:
    query = sa.select(submissions).where(
        submissions.c.collection_id == collection_id, submissions.c.council_code == council_code
    )
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).first()
    return _submission(row) if row else None


async def get_many(session: AsyncSession, ids: Sequence[str]) -> list[Submission | None]:
    rows = await session.execute(sa.select(submissions).where(submissions.c.id.in_(ids)))
    found = {row.id: _submission(row) for row in rows}
    return [found.get(i) for i in ids]


async def get(
    session: AsyncSession, submission_id: str, *, for_update: bool = False
) -> Submission | None:
    query = sa.select(submissions).where(submissions.c.id == submission_id)
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).first()
    return _submission(row) if row else None


_by_collection = sa.select(submissions).order_by(
    submissions.c.collection_id, submissions.c.council_code
)
_of_one_collection = _by_collection.where(submissions.c.collection_id == sa.bindparam("id"))
_of_collections = _by_collection.where(
    submissions.c.collection_id.in_(sa.bindparam("ids", expanding=True))
)


async def list_for_collections(
    session: AsyncSession,
    collection_ids: Sequence[str],
    *,
    council_codes: Sequence[str] | None = None,
    states: Sequence[SubmissionState] | None = None,
) -> list[Submission]:
    if council_codes is None and states is None:
        # The usual ask: built once (SQLAlchemy keeps its cache key), one id without an IN.
        if len(collection_ids) == 1:
            result = await session.execute(_of_one_collection, {"id": collection_ids[0]})
        else:
            result = await session.execute(_of_collections, {"ids": list(collection_ids)})
        return [_submission(row) for row in result]
    query = (
        sa.select(submissions)
        .where(submissions.c.collection_id.in_(collection_ids))
        .order_by(submissions.c.collection_id, submissions.c.council_code)
    )
    if council_codes is not None:
        query = query.where(submissions.c.council_code.in_(council_codes))
    if states is not None:
        query = query.where(submissions.c.state.in_([s.value for s in states]))
    return [_submission(row) for row in await session.execute(query)]


async def insert(session: AsyncSession, submission: Submission) -> None:
    await session.execute(
        submissions.insert().values(
            id=submission.id,
            collection_id=submission.collection_id,
            council_code=submission.council_code,
            state=submission.state.value,
            current_version=submission.current_version,
            validated_version=submission.validated_version,
            created_at=submission.created_at,
            updated_at=submission.updated_at,
        )
    )


async def update(
    session: AsyncSession,
    submission_id: str,
    *,
    state: SubmissionState,
    when: dt.datetime,
    current_version: int | None = None,
    validated_version: int | None = None,
) -> None:
    values: dict[str, object] = {"state": state.value, "updated_at": when}
    if current_version is not None:
        values["current_version"] = current_version
    if validated_version is not None:
        values["validated_version"] = validated_version
    await session.execute(
        submissions.update().where(submissions.c.id == submission_id).values(**values)
    )


async def insert_version(session: AsyncSession, version: SubmissionVersion) -> None:
    await session.execute(
        submission_versions.insert().values(
            id=version.id,
            submission_id=version.submission_id,
            number=version.number,
            author_code=version.author_code,
            author_role=version.author_role,
            source_format=version.source_format.value,
            content_hash=version.content_hash,
            record_count=version.record_count,
            based_on_version=version.based_on_version,
            note=version.note,
            valid=version.valid,
            error_count=version.error_count,
            query_count=version.query_count,
            report=version.report,
            created_at=version.created_at,
        )
    )


async def versions_of(
    session: AsyncSession, submission_ids: Sequence[str]
) -> dict[str, list[SubmissionVersion]]:
    """Every version of each submission, oldest first."""
    rows = await session.execute(
        sa.select(submission_versions)
        .where(submission_versions.c.submission_id.in_(submission_ids))
        .order_by(submission_versions.c.submission_id, submission_versions.c.number)
    )
    found: dict[str, list[SubmissionVersion]] = {i: [] for i in submission_ids}
    for row in rows:
        found[row.submission_id].append(_version(row))
    return found


async def get_version(
    session: AsyncSession, submission_id: str, number: int
) -> SubmissionVersion | None:
    row = (
        await session.execute(
            sa.select(submission_versions).where(
                submission_versions.c.submission_id == submission_id,
                submission_versions.c.number == number,
            )
        )
    ).first()
    return _version(row) if row else None


async def get_versions_by_id(
    session: AsyncSession, version_ids: Sequence[str]
) -> list[SubmissionVersion | None]:
    rows = await session.execute(
        sa.select(submission_versions).where(submission_versions.c.id.in_(version_ids))
    )
    found = {row.id: _version(row) for row in rows}
    return [found.get(i) for i in version_ids]
