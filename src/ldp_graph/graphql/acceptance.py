"""The requester's verdict in GraphQL: markValidated and writeBack."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from ldp_graph import errors
from ldp_graph.graphql.context import Info
from ldp_graph.graphql.errors import UserError, to_user_error
from ldp_graph.graphql.submissions import (
    Submission,
    SubmitReturnPayload,
    failed_payload,
    submitted_payload,
)
from ldp_graph.services import acceptance


@strawberry.input(description="A submission's version to accept as validated.")
class MarkValidatedInput:
    submission_id: strawberry.ID = strawberry.field(description="The submission.")
    version: int = strawberry.field(
        description="The version reviewed and accepted: must be the current one (else "
        "Conflict, when the council has sent a newer version meanwhile)."
    )


@strawberry.input(description="The requester's corrected, validated final state of a submission.")
class WriteBackInput:
    submission_id: strawberry.ID = strawberry.field(description="The submission.")
    based_on_version: int = strawberry.field(
        description="The version corrected: must be the current one (else Conflict)."
    )
    records: JSON = strawberry.field(description="Every record of the final state, by entity.")
    note: str = strawberry.field(description="What was corrected and why.")


@strawberry.type(description="The result of a change to a submission's state.")
class SubmissionPayload:
    submission: Submission | None = strawberry.field(description="The submission after it.")
    errors: list[UserError] = strawberry.field(description="Why nothing changed.")


@strawberry.type
class AcceptanceMutations:
    @strawberry.mutation(
        description=(
            "Accept a version as the validated final state (owner): it must still be the "
            "current version, have no errors and no unresolved data query."
        )
    )
    async def mark_validated(
        self,
        info: Info,
        input: Annotated[
            MarkValidatedInput, strawberry.argument(description="The version to accept.")
        ],
    ) -> SubmissionPayload:
        try:
            found = await acceptance.mark_validated(
                info.context.database,
                info.context.principal,
                submission_id=input.submission_id,
                version=input.version,
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
