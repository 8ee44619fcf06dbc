"""The validation report as GraphQL types, and the `validateSubmission` dry run."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Self

import strawberry
from strawberry.scalars import JSON

from ldp_graph import errors
from ldp_graph.graphql.context import Info
from ldp_graph.graphql.errors import UserError, to_user_error
from ldp_graph.services import specs as service
from ldp_graph.validation import report as domain


@strawberry.type(description="How many records of one entity were checked.")
class EntityCount:
    entity: str = strawberry.field(description="The entity.")
    records: int = strawberry.field(description="Records checked.")


@strawberry.type(description="How often one rule failed.")
class RuleCount:
    rule_id: str = strawberry.field(description="The rule's stable id.")
    severity: str = strawberry.field(description="error or query.")
    problems: int = strawberry.field(description="Distinct problems found (exact).")
    rows: int = strawberry.field(description="Rows those problems touch (exact).")


@strawberry.type(description="One row touched by one problem; rows of one problem share its id.")
class ValidationIssue:
    problem_id: str = strawberry.field(description="Stable id shared by every row it touches.")
    rule_id: str = strawberry.field(description="The rule that failed.")
    severity: str = strawberry.field(description="error (must fix) or query (amend or explain).")
    entity: str = strawberry.field(description="The entity of the row.")
    line: int | None = strawberry.field(description="The row's line in the submitted source.")
    key: str | None = strawberry.field(description="The row's key, e.g. the child identifier.")
    fields: list[str] = strawberry.field(description="The fields concerned.")
    value: str | None = strawberry.field(description="The offending value, where one field.")
    message: str = strawberry.field(description="What is wrong, for council staff.")

    @classmethod
    def from_domain(cls, issue: domain.Issue) -> Self:
        return cls(
            problem_id=issue.problem_id,
            rule_id=issue.rule_id,
            severity=issue.severity.value,
            entity=issue.entity,
            line=issue.line,
            key=issue.key,
            fields=list(issue.fields),
            value=issue.value,
            message=issue.message,
        )


@strawberry.type(description="The result of validating a return: counts are always exact.")
class ValidationReport:
    spec_id: str = strawberry.field(description="The spec validated against.")
    spec_version: str = strawberry.field(description="Its version.")
    valid: bool = strawberry.field(description="True when no error-severity problem was found.")
    error_count: int = strawberry.field(description="Error-severity problems.")
    query_count: int = strawberry.field(description="Query-severity problems.")
    records_checked: list[EntityCount] = strawberry.field(description="Records per entity.")
    counts: list[RuleCount] = strawberry.field(description="Problems per rule.")
    issues: list[ValidationIssue] = strawberry.field(description="The issues, up to the cap.")
    issues_truncated: bool = strawberry.field(
        description="True when more issues were found than are listed."
    )

    @classmethod
    def from_domain(cls, report: domain.ValidationReport) -> Self:
        return cls(
            spec_id=report.spec_id,
            spec_version=report.spec_version,
            valid=report.valid,
            error_count=report.error_count,
            query_count=report.query_count,
            records_checked=[
                EntityCount(entity=e, records=n) for e, n in report.records_checked.items()
            ],
            counts=[
                RuleCount(
                    rule_id=c.rule_id, severity=c.severity.value, problems=c.problems, rows=c.rows
                )
                for c in report.counts
            ],
            issues=[ValidationIssue.from_domain(i) for i in report.issues],
            issues_truncated=report.issues_truncated,
        )


@strawberry.input(
    description=(
        "Records to check, stored nowhere: against a spec version (specId, and specVersion "
        "if not the latest) or against an open collection (collectionId), exactly one."
    )
)
class ValidateSubmissionInput:
    spec_id: str | None = strawberry.field(
        default=None,
        description="The return's id, e.g. clas. Give this or collectionId, not both.",
    )
    spec_version: str | None = strawberry.field(
        default=None, description="The version of specId; the latest if omitted."
    )
    collection_id: strawberry.ID | None = strawberry.field(
        default=None,
        description=(
            "An open collection (from its opening date on, after publication too, as for "
            "submitReturn): the records are checked as a "
            "submission to it would be, against its spec version over its period. For a "
            "council it asks, the requester that owns it, and admins."
        ),
    )
    records: JSON = strawberry.field(
        description='An object of entity name to a list of rows, e.g. {"child": [{...}]}.'
    )
    period_start: dt.date | None = strawberry.field(
        default=None,
        description="Start of the period checked; the spec's if omitted. Not with collectionId.",
    )
    period_end: dt.date | None = strawberry.field(
        default=None,
        description="End of the period checked; the spec's if omitted. Not with collectionId.",
    )
    max_issues: int = strawberry.field(
        default=1000, description="Most issues to list (1-10000); counts stay exact."
    )


@strawberry.type(description="The result of validateSubmission.")
class ValidateSubmissionPayload:
    report: ValidationReport | None = strawberry.field(description="The report, when it ran.")
    errors: list[UserError] = strawberry.field(description="Why it did not run; empty if it did.")


@strawberry.type
class ValidationMutations:
    @strawberry.mutation(
        description=(
            "Dry-run validation against a spec version or an open collection: the report a "
            "submission would get, storing nothing."
        )
    )
    async def validate_submission(
        self,
        info: Info,
        input: Annotated[
            ValidateSubmissionInput, strawberry.argument(description="What to check.")
        ],
    ) -> ValidateSubmissionPayload:
        try:
            report = await service.dry_run(
                info.context.database,
                info.context.specs,
                info.context.principal,
                spec_id=input.spec_id,
                version=input.spec_version,
                collection_id=input.collection_id,
                records=input.records,
                period_start=input.period_start,
                period_end=input.period_end,
                max_issues=input.max_issues,
            )
        except errors.DomainError as exc:
            return ValidateSubmissionPayload(report=None, errors=[to_user_error(exc)])
        return ValidateSubmissionPayload(report=ValidationReport.from_domain(report), errors=[])
