"""Issues across versions in GraphQL: what changed since the last version, and explanations."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated, Self

import strawberry

from ldp_graph import errors
from ldp_graph.domain import review as domain
from ldp_graph.domain.submissions import SubmissionVersion
from ldp_graph.graphql.context import Info
from ldp_graph.graphql.cost import LIST_LENGTH
from ldp_graph.graphql.enums import ExplanationState
from ldp_graph.graphql.errors import UserError, to_user_error
from ldp_graph.graphql.validation import ValidationIssue
from ldp_graph.services import issues
from ldp_graph.validation.report import Issue

MAX_LISTED_CHANGES = 100


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


@strawberry.type(
    description=(
        "A problem followed across versions: its report row, and the council's explanation "
        "of it when one matches."
    )
)
class TrackedIssue(ValidationIssue):
    submission_id: strawberry.Private[str]
    version_number: strawberry.Private[int]
    review_visible: strawberry.Private[bool]

    @strawberry.field(
        description=(
            "The council's newest explanation of this problem given by this version, carried "
            "forward from the version it was given on; null if none, or if you are neither the "
            "collection's owner nor this council."
        )
    )
    async def explanation(self, info: Info) -> IssueExplanation | None:
        if not self.review_visible:
            return None
        found = await info.context.loaders.explanations_by_submission.load(self.submission_id)
        current = issues.current_explanations(found, up_to_version=self.version_number)
        match = current.get(self.problem_id)
        return IssueExplanation.from_domain(match) if match else None


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
    new: list[TrackedIssue] = strawberry.field(
        description="The new problems.", metadata={LIST_LENGTH: MAX_LISTED_CHANGES}
    )
    still_open: list[TrackedIssue] = strawberry.field(
        description="Problems still open.", metadata={LIST_LENGTH: MAX_LISTED_CHANGES}
    )
    fixed: list[TrackedIssue] = strawberry.field(
        description="Problems fixed.", metadata={LIST_LENGTH: MAX_LISTED_CHANGES}
    )


async def issue_changes_of(info: Info, version: SubmissionVersion) -> IssueChanges:
    """A version's problems against its predecessor's (a first version's are all new)."""
    loaders = info.context.loaders
    current = await loaders.issues_by_version.load(version.id)
    versions = await loaders.versions_by_submission.load(version.submission_id)
    earlier = [v for v in versions if v.number == version.number - 1]
    previous = await loaders.issues_by_version.load(earlier[0].id) if earlier else []
    changes = issues.issue_changes(previous, current)
    submission = version.submission_id
    visible = await info.context.loaders.review_access_by_submission.load(submission)
    listed_issues = visible or await info.context.loaders.issue_lists_visible.load(submission)

    def tracked(found: list[Issue]) -> list[TrackedIssue]:
        if not listed_issues:
            return []  # a field-level grantee gets the counts only (policy.py)
        listed = []
        for issue in found[:MAX_LISTED_CHANGES]:
            row = ValidationIssue.from_domain(issue)
            values = {f.name: getattr(row, f.name) for f in dataclasses.fields(row)}
            listed.append(
                TrackedIssue(
                    **values,
                    submission_id=submission,
                    version_number=version.number,
                    review_visible=visible,
                )
            )
        return listed

    return IssueChanges(
        new_count=len(changes.new),
        still_open_count=len(changes.still_open),
        fixed_count=len(changes.fixed),
        new=tracked(changes.new),
        still_open=tracked(changes.still_open),
        fixed=tracked(changes.fixed),
    )


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


@strawberry.type(description="The result of explaining an issue or reviewing an explanation.")
class ExplanationPayload:
    explanation: IssueExplanation | None = strawberry.field(description="The explanation.")
    errors: list[UserError] = strawberry.field(description="Why nothing changed.")


@strawberry.type
class IssueMutations:
    @strawberry.mutation(
        description="Explain why a value a query-severity rule flags is right (the council)."
    )
    async def explain_issue(
        self,
        info: Info,
        input: Annotated[ExplainIssueInput, strawberry.argument(description="The explanation.")],
    ) -> ExplanationPayload:
        try:
            found = await issues.explain_issue(
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
            found = await issues.review_explanation(
                info.context.database,
                info.context.principal,
                explanation_id=input.explanation_id,
                accept=input.accept,
            )
        except errors.DomainError as exc:
            return ExplanationPayload(explanation=None, errors=[to_user_error(exc)])
        return ExplanationPayload(explanation=IssueExplanation.from_domain(found), errors=[])
