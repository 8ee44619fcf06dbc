"""The review loop: data queries between requester and council.

A query belongs to the submission, not to one version, so it survives a resubmission: it stays
open, pinned to the version it was raised on, and is shown against each later version with
whether the queried record and finding are still there. Explanations live in `issues`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from ldp_graph.auth import policy
from ldp_graph.auth.principal import Principal
from ldp_graph.db.engine import Database
from ldp_graph.db.repositories import collections as collections_repository
from ldp_graph.db.repositories import records as records_repository
from ldp_graph.db.repositories import review as repository
from ldp_graph.db.repositories import submissions as submissions_repository
from ldp_graph.domain.collections import Collection
from ldp_graph.domain.ids import new_id
from ldp_graph.domain.review import (
    DataQuery,
    DataQueryMessage,
    DataQueryState,
)
from ldp_graph.domain.submissions import REVIEWABLE, Submission, SubmissionState
from ldp_graph.errors import InvalidInput, InvalidTransition, NotFound
from ldp_graph.services import audit
from ldp_graph.specs.model import ReturnSpec
from ldp_graph.specs.registry import SpecRegistry
from ldp_graph.validation.report import Issue

MAX_TEXT = 10_000


def required_text(value: str, field: str) -> str:
    value = value.strip()
    if not value:
        raise InvalidInput(f"{field} must not be empty.", field=field)
    if len(value) > MAX_TEXT:
        raise InvalidInput(f"{field} is longer than {MAX_TEXT} characters.", field=field)
    return value


async def load_for_change(
    session: AsyncSession, submission_id: str
) -> tuple[Submission, Collection]:
    """The submission, locked for this transaction, and its collection."""
    submission = await submissions_repository.get(session, submission_id, for_update=True)
    if submission is None:
        raise NotFound(f"No submission {submission_id}.", field="submissionId")
    collection = await collections_repository.get(session, submission.collection_id)
    assert collection is not None  # a foreign key guarantees it
    return submission, collection


def hide_unless_party(principal: Principal, collection: Collection, submission: Submission) -> None:
    # Strangers learn nothing, not even that the submission exists.
    if not policy.may_see_review(principal, collection, submission.council_code):
        raise NotFound(f"No submission {submission.id}.", field="submissionId")


async def raise_data_query(
    database: Database,
    registry: SpecRegistry,
    principal: Principal,
    *,
    submission_id: str,
    question: str,
    version_number: int | None = None,
    entity: str | None = None,
    record_key: str | None = None,
    field: str | None = None,
    rule_id: str | None = None,
) -> DataQuery:
    """The owner asks the council about a version, a record, a field or a rule's finding."""
    question = required_text(question, "question")
    now = dt.datetime.now(dt.UTC)
    async with database.transaction() as session:
        submission, collection = await load_for_change(session, submission_id)
        hide_unless_party(principal, collection, submission)
        policy.require_owner(principal, collection, "raise data queries")
        if submission.state not in REVIEWABLE:
            raise InvalidTransition(
                f"The submission is {submission.state.value}; queries are raised before it is "
                "validated.",
                field="submissionId",
            )
        number = version_number or submission.current_version
        version = await submissions_repository.get_version(session, submission.id, number)
        if version is None:
            raise NotFound(f"No version {number} of this submission.", field="versionNumber")
        spec = registry.get(collection.spec_id, collection.spec_version)
        assert spec is not None
        _check_target(spec, entity, field, rule_id)
        if record_key is not None:
            if entity is None:
                raise InvalidInput("Name the entity of the record.", field="entity")
            if not await records_repository.record_exists(session, version.id, entity, record_key):
                raise NotFound(
                    f"Version {number} has no {entity} record {record_key}.", field="recordKey"
                )
        query = DataQuery(
            id=new_id("dq"),
            submission_id=submission.id,
            version_number=number,
            entity=entity,
            record_key=record_key,
            field=field,
            rule_id=rule_id,
            question=question,
            state=DataQueryState.OPEN,
            raised_by_code=principal.organisation_code or "",
            created_at=now,
            updated_at=now,
        )
        await repository.insert_query(session, query)
        await repository.add_message(session, query.id, _message(principal, "question", question))
        await submissions_repository.update(
            session, submission.id, state=SubmissionState.CHANGES_REQUESTED, when=now
        )
        await audit.record(
            session,
            principal,
            "dataquery.raise",
            subject_organisation_code=submission.council_code,
            collection_id=collection.id,
            submission_id=submission.id,
            data_query_id=query.id,
            version=number,
        )
    return query


def _check_target(
    spec: ReturnSpec, entity: str | None, field: str | None, rule_id: str | None
) -> None:
    if entity is not None and entity not in spec.entities:
        raise InvalidInput(f"{spec.id} has no entity {entity}.", field="entity")
    if field is not None:
        if entity is None:
            raise InvalidInput("Name the entity of the field.", field="entity")
        if field not in spec.entities[entity].fields:
            raise InvalidInput(f"{entity} has no field {field}.", field="field")
    if rule_id is not None and spec.rule(rule_id) is None:
        raise InvalidInput(f"{spec.id} has no rule {rule_id}.", field="ruleId")


def _message(principal: Principal, kind: str, body: str) -> DataQueryMessage:
    return DataQueryMessage(
        kind=kind,
        author_code=principal.organisation_code or "",
        author_role=str(principal.role),
        body=body,
        created_at=dt.datetime.now(dt.UTC),
    )


async def _change_query(
    database: Database,
    principal: Principal,
    query_id: str,
    *,
    kind: str,
    body: str,
    allowed_from: frozenset[DataQueryState],
    to: DataQueryState,
    operation: str,
) -> DataQuery:
    now = dt.datetime.now(dt.UTC)
    async with database.transaction() as session:
        query = await repository.get_query(session, query_id, for_update=True)
        if query is None:
            raise NotFound(f"No data query {query_id}.", field="dataQueryId")
        submission, collection = await load_for_change(session, query.submission_id)
        if not policy.may_see_review(principal, collection, submission.council_code):
            raise NotFound(f"No data query {query_id}.", field="dataQueryId")
        if kind == "answer":
            policy.require_submitter(
                principal, collection, submission.council_code, "answer data queries"
            )
        else:
            policy.require_owner(principal, collection, f"{kind.replace('_', ' ')} data queries")
        if query.state not in allowed_from:
            raise InvalidTransition(
                f"The data query is {query.state.value}; "
                f"it cannot take a {kind.replace('_', ' ')}.",
                field="dataQueryId",
            )
        await repository.set_query_state(session, query.id, to, now)
        await repository.add_message(session, query.id, _message(principal, kind, body))
        state = await _state_after_queries(session, submission, query.id, to)
        if state != submission.state:
            await submissions_repository.update(session, submission.id, state=state, when=now)
        await audit.record(
            session,
            principal,
            operation,
            subject_organisation_code=submission.council_code,
            collection_id=collection.id,
            submission_id=submission.id,
            data_query_id=query.id,
        )
    return dataclasses.replace(query, state=to, updated_at=now)


async def _state_after_queries(
    session: AsyncSession, submission: Submission, changed_id: str, changed_to: DataQueryState
) -> SubmissionState:
    """Changes stay requested while any query waits on the council; then review resumes."""
    if submission.state not in REVIEWABLE:
        return submission.state
    queries = (await repository.queries_of(session, [submission.id]))[submission.id]
    states = [changed_to if q.id == changed_id else q.state for q in queries]
    if DataQueryState.OPEN in states:
        return SubmissionState.CHANGES_REQUESTED
    if submission.state == SubmissionState.CHANGES_REQUESTED:
        return SubmissionState.IN_REVIEW
    return submission.state


async def answer_data_query(
    database: Database, principal: Principal, *, data_query_id: str, answer: str
) -> DataQuery:
    return await _change_query(
        database,
        principal,
        data_query_id,
        kind="answer",
        body=required_text(answer, "answer"),
        allowed_from=frozenset({DataQueryState.OPEN}),
        to=DataQueryState.ANSWERED,
        operation="dataquery.answer",
    )


async def follow_up_data_query(
    database: Database, principal: Principal, *, data_query_id: str, message: str
) -> DataQuery:
    """The requester is not satisfied with an answer: the query is open again."""
    return await _change_query(
        database,
        principal,
        data_query_id,
        kind="follow_up",
        body=required_text(message, "message"),
        allowed_from=frozenset({DataQueryState.ANSWERED}),
        to=DataQueryState.OPEN,
        operation="dataquery.follow_up",
    )


async def resolve_data_query(
    database: Database, principal: Principal, *, data_query_id: str, note: str | None = None
) -> DataQuery:
    return await _change_query(
        database,
        principal,
        data_query_id,
        kind="resolution",
        body=(note or "").strip() or "Resolved.",
        allowed_from=frozenset({DataQueryState.OPEN, DataQueryState.ANSWERED}),
        to=DataQueryState.RESOLVED,
        operation="dataquery.resolve",
    )


# --- reading ---------------------------------------------------------------------------------


def review_visible(principal: Principal, collection: Collection, council_code: str) -> bool:
    return policy.may_see_review(principal, collection, council_code)


async def review_access(
    database: Database, principal: Principal, submission_ids: Sequence[str]
) -> list[bool]:
    """For each submission: may the caller see its review (queries, explanations)?"""
    async with database.read() as session:
        found = await submissions_repository.get_many(session, submission_ids)
        owning = await collections_repository.get_many(
            session, sorted({s.collection_id for s in found if s is not None})
        )
    by_id = {c.id: c for c in owning if c is not None}
    return [
        s is not None and policy.may_see_review(principal, by_id[s.collection_id], s.council_code)
        for s in found
    ]


async def queries_of(database: Database, submission_ids: Sequence[str]) -> list[list[DataQuery]]:
    """Queries of submissions whose review the caller has been allowed to see."""
    async with database.read() as session:
        found = await repository.queries_of(session, submission_ids)
    return [found[s] for s in submission_ids]


async def messages_of(database: Database, query_ids: Sequence[str]) -> list[list[DataQueryMessage]]:
    async with database.read() as session:
        found = await repository.messages_of(session, query_ids)
    return [found[q] for q in query_ids]


async def records_present(
    database: Database, targets: Sequence[repository.RecordTarget]
) -> list[bool]:
    """For each (version id, entity, key): does that version hold the record?"""
    async with database.read() as session:
        found = await repository.present_records(session, targets)
    return [target in found for target in targets]


def issue_present(query: DataQuery, issues: Sequence[Issue]) -> bool | None:
    """Does a version still have the finding a query asks about? None when it names no rule."""
    if query.rule_id is None:
        return None
    return any(
        issue.rule_id == query.rule_id
        and (query.entity is None or issue.entity == query.entity)
        and (query.record_key is None or issue.key == query.record_key)
        and (query.field is None or query.field in issue.fields)
        for issue in issues
    )
