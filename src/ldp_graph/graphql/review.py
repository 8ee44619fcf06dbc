"""The review loop in GraphQL: data queries, explanations, validation, write-back and diffs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Annotated, Self

import strawberry
from strawberry.scalars import JSON

from ldp_graph import errors
from ldp_graph.domain import review as domain
from ldp_graph.graphql.context import Info
from ldp_graph.graphql.enums import DataQueryState, ExplanationState
from ldp_graph.graphql.errors import UserError, to_user_error
from ldp_graph.graphql.organisations import Organisation
from ldp_graph.graphql.submissions import (
    Submission,
    SubmitReturnPayload,
    failed_payload,
    submitted_payload,
)
from ldp_graph.graphql.validation import ValidationIssue
from ldp_graph.services import acceptance, diff, review
from ldp_graph.validation.report import Issue

MAX_LISTED_CHANGES = 100


async def _organisation(info: Info, code: str) -> Organisation:
    found = await info.context.loaders.organisation_by_code.load(code)
    assert found is not None
    return Organisation.from_domain(found)


@strawberry.type(description="One message in a data query's thread.")
class DataQueryMessage:
    kind: str = strawberry.field(description="question, answer, follow_up or resolution.")
    author_role: str = strawberry.field(description="The author's role.")
    body: str = strawberry.field(description="What was said.")
    created_at: dt.datetime = strawberry.field(description="When.")
    author_code: strawberry.Private[str]

    @strawberry.field(description="The author's organisation.")
    async def author(self, info: Info) -> Organisation:
        return await _organisation(info, self.author_code)


@strawberry.type(
    description="A requester's question to a council, pinned to a version, record, field, rule."
)
class DataQuery:
    id: strawberry.ID = strawberry.field(description="The query's id.")
    version_number: int = strawberry.field(description="The version it was raised on.")
    entity: str | None = strawberry.field(description="The entity queried, if one.")
    record_key: str | None = strawberry.field(description="The record queried, if one.")
    field: str | None = strawberry.field(description="The field queried, if one.")
    rule_id: str | None = strawberry.field(description="The rule whose finding is queried.")
    question: str = strawberry.field(description="The question.")
    state: DataQueryState = strawberry.field(description="Where it stands.")
    created_at: dt.datetime = strawberry.field(description="When it was raised.")
    updated_at: dt.datetime = strawberry.field(description="When it last changed.")
    raised_by_code: strawberry.Private[str]

    @classmethod
    def from_domain(cls, query: domain.DataQuery) -> Self:
        return cls(
            id=strawberry.ID(query.id),
            version_number=query.version_number,
            entity=query.entity,
            record_key=query.record_key,
            field=query.field,
            rule_id=query.rule_id,
            question=query.question,
            state=DataQueryState(query.state.value),
            created_at=query.created_at,
            updated_at=query.updated_at,
            raised_by_code=query.raised_by_code,
        )

    @strawberry.field(description="The requester body that raised it.")
    async def raised_by(self, info: Info) -> Organisation:
        return await _organisation(info, self.raised_by_code)

    @strawberry.field(description="The thread: question, answers, follow-ups, resolution.")
    async def messages(self, info: Info) -> list[DataQueryMessage]:
        found = await info.context.loaders.messages_by_data_query.load(self.id)
        return [
            DataQueryMessage(
                kind=m.kind,
                author_role=m.author_role,
                body=m.body,
                created_at=m.created_at,
                author_code=m.author_code,
            )
            for m in found
        ]


@strawberry.type(description="A council's explanation of why a value flagged by a query is right.")
class IssueExplanation:
    id: strawberry.ID = strawberry.field(description="The explanation's id.")
    problem_id: str = strawberry.field(
        description="The problem explained (stable across versions)."
    )
    rule_id: str = strawberry.field(description="The rule that flagged it.")
    version_number: int = strawberry.field(description="The version it was given on.")
    explanation: str = strawberry.field(description="The council's explanation.")
    state: ExplanationState = strawberry.field(description="The requester's verdict.")
    created_at: dt.datetime = strawberry.field(description="When it was given.")
    reviewed_at: dt.datetime | None = strawberry.field(description="When it was reviewed.")

    @classmethod
    def from_domain(cls, found: domain.Explanation) -> Self:
        return cls(
            id=strawberry.ID(found.id),
            problem_id=found.problem_id,
            rule_id=found.rule_id,
            version_number=found.version_number,
            explanation=found.explanation,
            state=ExplanationState(found.state.value),
            created_at=found.created_at,
            reviewed_at=found.reviewed_at,
        )


def _issues(issues: list[Issue]) -> list[ValidationIssue]:
    return [ValidationIssue.from_domain(i) for i in issues[:MAX_LISTED_CHANGES]]


@strawberry.type(
    description=(
        "How a version's problems relate to the previous version's, matched by rule, record "
        "key and field. Counts are of problems; lists show up to 100, one row per problem."
    )
)
class IssueChanges:
    new_count: int = strawberry.field(description="Problems not in the previous version.")
    still_open_count: int = strawberry.field(description="Problems in both versions.")
    fixed_count: int = strawberry.field(description="Previous problems gone from this version.")
    new: list[ValidationIssue] = strawberry.field(description="The new problems.")
    still_open: list[ValidationIssue] = strawberry.field(description="Problems still open.")
    fixed: list[ValidationIssue] = strawberry.field(description="Problems fixed.")


@strawberry.type(description="One field's value before and after.")
class FieldChange:
    field: str = strawberry.field(description="The field.")
    old: str | None = strawberry.field(description="The earlier value (null when missing).")
    new: str | None = strawberry.field(description="The later value (null when missing).")


@strawberry.type(description="A record added, removed or changed between two versions.")
class RecordChange:
    entity: str = strawberry.field(description="The entity.")
    key: str | None = strawberry.field(description="The record's key.")
    line: int | None = strawberry.field(description="Its line in its version's source.")
    changes: list[FieldChange] = strawberry.field(description="Changed fields (changes only).")


@strawberry.type(description="What changed between two versions; lists capped at 1000 each.")
class VersionDiff:
    from_number: int = strawberry.field(description="The earlier version.")
    to_number: int = strawberry.field(description="The later version.")
    added_count: int = strawberry.field(description="Records only in the later version.")
    removed_count: int = strawberry.field(description="Records only in the earlier version.")
    changed_count: int = strawberry.field(description="Records whose values changed.")
    added: list[RecordChange] = strawberry.field(description="Added records.")
    removed: list[RecordChange] = strawberry.field(description="Removed records.")
    changed: list[RecordChange] = strawberry.field(description="Changed records and fields.")
    truncated: bool = strawberry.field(description="True when a list was capped.")

    @classmethod
    def from_domain(cls, found: diff.VersionDiff) -> Self:
        def convert(change: diff.RecordChange) -> RecordChange:
            return RecordChange(
                entity=change.entity,
                key=change.key,
                line=change.line,
                changes=[FieldChange(field=c.field, old=c.old, new=c.new) for c in change.changes],
            )

        return cls(
            from_number=found.from_number,
            to_number=found.to_number,
            added_count=found.added_count,
            removed_count=found.removed_count,
            changed_count=found.changed_count,
            added=[convert(c) for c in found.added],
            removed=[convert(c) for c in found.removed],
            changed=[convert(c) for c in found.changed],
            truncated=found.truncated,
        )


@strawberry.input(description="A question to the council about its submission.")
class RaiseDataQueryInput:
    submission_id: strawberry.ID = strawberry.field(description="The submission.")
    question: str = strawberry.field(description="The question, for council staff.")
    version_number: int | None = strawberry.field(
        default=None, description="The version queried; the current one if omitted."
    )
    entity: str | None = strawberry.field(default=None, description="The entity, if one.")
    record_key: str | None = strawberry.field(default=None, description="The record's key.")
    field: str | None = strawberry.field(default=None, description="The field, if one.")
    rule_id: str | None = strawberry.field(default=None, description="The rule, where one applies.")


@strawberry.input(description="A message on a data query.")
class DataQueryMessageInput:
    data_query_id: strawberry.ID = strawberry.field(description="The data query.")
    message: str = strawberry.field(description="The answer, follow-up or resolution note.")


@strawberry.input(description="A council's explanation of a query-severity issue.")
class ExplainIssueInput:
    submission_id: strawberry.ID = strawberry.field(description="The submission.")
    problem_id: str = strawberry.field(
        description="The problem, from the current version's report."
    )
    explanation: str = strawberry.field(description="Why the flagged value is right.")


@strawberry.input(description="The requester's verdict on an explanation.")
class ReviewExplanationInput:
    explanation_id: strawberry.ID = strawberry.field(description="The explanation.")
    accept: bool = strawberry.field(description="True to accept it, false to reject it.")


@strawberry.input(description="A submission to act on.")
class SubmissionInput:
    submission_id: strawberry.ID = strawberry.field(description="The submission.")


@strawberry.input(description="The requester's corrected, validated final state of a submission.")
class WriteBackInput:
    submission_id: strawberry.ID = strawberry.field(description="The submission.")
    based_on_version: int = strawberry.field(
        description="The version corrected: must be the current one (else Conflict)."
    )
    records: JSON = strawberry.field(description="Every record of the final state, by entity.")
    note: str = strawberry.field(description="What was corrected and why.")


@strawberry.type(description="The result of a data query operation.")
class DataQueryPayload:
    data_query: DataQuery | None = strawberry.field(description="The query after the change.")
    errors: list[UserError] = strawberry.field(description="Why nothing changed.")


@strawberry.type(description="The result of explaining an issue or reviewing an explanation.")
class ExplanationPayload:
    explanation: IssueExplanation | None = strawberry.field(description="The explanation.")
    errors: list[UserError] = strawberry.field(description="Why nothing changed.")


@strawberry.type(description="The result of a change to a submission's state.")
class SubmissionPayload:
    submission: Submission | None = strawberry.field(description="The submission after it.")
    errors: list[UserError] = strawberry.field(description="Why nothing changed.")


@strawberry.type
class ReviewQueries:
    @strawberry.field(description="Records added, removed and changed between two versions.")
    async def version_diff(
        self,
        info: Info,
        submission_id: Annotated[strawberry.ID, strawberry.argument(description="Submission.")],
        from_: Annotated[int, strawberry.argument(name="from", description="Earlier version.")],
        to: Annotated[int, strawberry.argument(description="Later version.")],
    ) -> VersionDiff:
        found = await diff.version_diff(
            info.context.database,
            info.context.principal,
            submission_id=submission_id,
            from_number=from_,
            to_number=to,
        )
        return VersionDiff.from_domain(found)


@strawberry.type
class ReviewMutations:
    @strawberry.mutation(description="Ask a council about its submission (collection owner).")
    async def raise_data_query(
        self,
        info: Info,
        input: Annotated[RaiseDataQueryInput, strawberry.argument(description="The query.")],
    ) -> DataQueryPayload:
        try:
            found = await review.raise_data_query(
                info.context.database,
                info.context.specs,
                info.context.principal,
                submission_id=input.submission_id,
                question=input.question,
                version_number=input.version_number,
                entity=input.entity,
                record_key=input.record_key,
                field=input.field,
                rule_id=input.rule_id,
            )
        except errors.DomainError as exc:
            return DataQueryPayload(data_query=None, errors=[to_user_error(exc)])
        return DataQueryPayload(data_query=DataQuery.from_domain(found), errors=[])

    @strawberry.mutation(description="Answer a data query (the council's submitter).")
    async def answer_data_query(
        self,
        info: Info,
        input: Annotated[DataQueryMessageInput, strawberry.argument(description="The answer.")],
    ) -> DataQueryPayload:
        return await _on_query(review.answer_data_query, info, input, "answer")

    @strawberry.mutation(description="Follow up an answered query: it is open again (owner).")
    async def follow_up_data_query(
        self,
        info: Info,
        input: Annotated[DataQueryMessageInput, strawberry.argument(description="The follow-up.")],
    ) -> DataQueryPayload:
        return await _on_query(review.follow_up_data_query, info, input, "message")

    @strawberry.mutation(description="Close a data query (owner).")
    async def resolve_data_query(
        self,
        info: Info,
        input: Annotated[DataQueryMessageInput, strawberry.argument(description="The note.")],
    ) -> DataQueryPayload:
        return await _on_query(review.resolve_data_query, info, input, "note")

    @strawberry.mutation(
        description="Explain why a value a query-severity rule flags is right (the council)."
    )
    async def explain_issue(
        self,
        info: Info,
        input: Annotated[ExplainIssueInput, strawberry.argument(description="The explanation.")],
    ) -> ExplanationPayload:
        try:
            found = await review.explain_issue(
                info.context.database,
                info.context.principal,
                submission_id=input.submission_id,
                problem_id=input.problem_id,
                explanation=input.explanation,
            )
        except errors.DomainError as exc:
            return ExplanationPayload(explanation=None, errors=[to_user_error(exc)])
        return ExplanationPayload(explanation=IssueExplanation.from_domain(found), errors=[])

    @strawberry.mutation(description="Accept or reject a council's explanation (owner).")
    async def review_explanation(
        self,
        info: Info,
        input: Annotated[ReviewExplanationInput, strawberry.argument(description="The verdict.")],
    ) -> ExplanationPayload:
        try:
            found = await review.review_explanation(
                info.context.database,
                info.context.principal,
                explanation_id=input.explanation_id,
                accept=input.accept,
            )
        except errors.DomainError as exc:
            return ExplanationPayload(explanation=None, errors=[to_user_error(exc)])
        return ExplanationPayload(explanation=IssueExplanation.from_domain(found), errors=[])

    @strawberry.mutation(
        description=(
            "Accept the current version as the validated final state (owner): it must have no "
            "errors and no unresolved data query."
        )
    )
    async def mark_validated(
        self,
        info: Info,
        input: Annotated[SubmissionInput, strawberry.argument(description="The submission.")],
    ) -> SubmissionPayload:
        try:
            found = await acceptance.mark_validated(
                info.context.database, info.context.principal, submission_id=input.submission_id
            )
        except errors.DomainError as exc:
            return SubmissionPayload(submission=None, errors=[to_user_error(exc)])
        return SubmissionPayload(submission=Submission.from_domain(found), errors=[])

    @strawberry.mutation(
        description=(
            "Write back the validated final state as a new version authored by the requester "
            "(owner). Records with errors are refused with ValidationFailed; nothing is stored."
        )
    )
    async def write_back(
        self,
        info: Info,
        input: Annotated[WriteBackInput, strawberry.argument(description="The final state.")],
    ) -> SubmitReturnPayload:
        try:
            result = await acceptance.write_back(
                info.context.database,
                info.context.specs,
                info.context.principal,
                submission_id=input.submission_id,
                records=input.records,
                note=input.note,
                based_on_version=input.based_on_version,
            )
        except errors.DomainError as exc:
            return failed_payload(exc)
        return submitted_payload(result)


async def _on_query(
    operation: Callable[..., Awaitable[domain.DataQuery]],
    info: Info,
    input: DataQueryMessageInput,
    argument: str,
) -> DataQueryPayload:
    try:
        found = await operation(
            info.context.database,
            info.context.principal,
            data_query_id=input.data_query_id,
            **{argument: input.message},
        )
    except errors.DomainError as exc:
        return DataQueryPayload(data_query=None, errors=[to_user_error(exc)])
    return DataQueryPayload(data_query=DataQuery.from_domain(found), errors=[])
