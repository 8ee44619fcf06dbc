"""Submission (a federation entity keyed by `id`), its versions, and submitReturn."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any, BinaryIO, Self

import strawberry
from strawberry.file_uploads import Upload
from strawberry.scalars import JSON

from ldp_graph import errors
from ldp_graph.domain.submissions import Submission as DomainSubmission
from ldp_graph.domain.submissions import SubmissionVersion as DomainVersion
from ldp_graph.graphql.collections import Collection
from ldp_graph.graphql.context import Info
from ldp_graph.graphql.enums import DataQueryState as DataQueryStateEnum
from ldp_graph.graphql.enums import SourceFormat, SubmissionState
from ldp_graph.graphql.errors import UserError, to_user_error
from ldp_graph.graphql.organisations import Organisation
from ldp_graph.graphql.records import records_mixin
from ldp_graph.graphql.validation import ValidationReport
from ldp_graph.services import issues as issues_service
from ldp_graph.services import organisations as organisations_service
from ldp_graph.services import records as records_service
from ldp_graph.services import review as review_service
from ldp_graph.services import submissions as service
from ldp_graph.services.records import RecordScope
from ldp_graph.specs.registry import load_registry

if TYPE_CHECKING:
    from ldp_graph.graphql.issues import IssueChanges, IssueExplanation
    from ldp_graph.graphql.review import DataQuery

MAX_LISTED_ISSUES = 10_000


async def _issues_visible(info: Info, submission_id: str) -> bool:
    # The parties (the common case, batched by the loader) need no further look-up.
    if await info.context.loaders.review_access_by_submission.load(submission_id):
        return True
    return await info.context.loaders.issue_lists_visible.load(submission_id)


async def _version_scope(root: Any, info: Info, spec_id: str) -> RecordScope | None:
    return await records_service.version_scope(
        info.context.database,
        info.context.specs,
        info.context.principal,
        submission_id=root.domain.submission_id,
        version_number=root.domain.number,
        spec_id=spec_id,
    )


VersionRecords = records_mixin(
    "VersionRecords",
    load_registry(),
    _version_scope,
    lambda spec_id: (
        f"This version's records, typed by the {spec_id} specification; null unless the "
        f"version is a {spec_id} return."
    ),
)


@strawberry.type(
    description="One immutable version of a submission: its records, report, author and source."
)
class SubmissionVersion(VersionRecords):  # type: ignore[misc,valid-type]
    id: strawberry.ID = strawberry.field(description="The version's id.")
    number: int = strawberry.field(description="1 for the first version, then 2, 3, ...")
    author_role: str = strawberry.field(description="The role of whoever stored it.")
    source_format: SourceFormat = strawberry.field(description="How its records arrived.")
    content_hash: str = strawberry.field(description="SHA-256 of what was submitted.")
    record_count: int = strawberry.field(description="Records across every entity.")
    based_on_version: int | None = strawberry.field(
        description="For a write-back, the version it corrects; null otherwise."
    )
    note: str = strawberry.field(description="The author's note (write-backs carry one).")
    valid: bool = strawberry.field(description="True when pre-validation found no errors.")
    error_count: int = strawberry.field(description="Error-severity problems found.")
    query_count: int = strawberry.field(description="Query-severity problems found.")
    created_at: dt.datetime = strawberry.field(description="When it was stored.")
    author_code: strawberry.Private[str]
    domain: strawberry.Private[DomainVersion]

    @classmethod
    def from_domain(cls, version: DomainVersion) -> Self:
        return cls(
            id=strawberry.ID(version.id),
            number=version.number,
            author_role=version.author_role,
            source_format=SourceFormat(version.source_format.value),
            content_hash=version.content_hash,
            record_count=version.record_count,
            based_on_version=version.based_on_version,
            note=version.note,
            valid=version.valid,
            error_count=version.error_count,
            query_count=version.query_count,
            created_at=version.created_at,
            author_code=version.author_code,
            domain=version,
        )

    @strawberry.field(
        description=(
            "Problems new in this version, still open from the previous one, and fixed since; "
            "matched by rule, record key and field."
        )
    )
    async def issue_changes(
        self, info: Info
    ) -> Annotated[IssueChanges, strawberry.lazy("ldp_graph.graphql.issues")]:
        from ldp_graph.graphql.issues import issue_changes_of

        return await issue_changes_of(info, self.domain)

    @strawberry.field(description="The organisation that stored it.")
    async def author(self, info: Info) -> Organisation:
        found = await info.context.loaders.organisation_by_code.load(self.author_code)
        assert found is not None
        return Organisation.from_domain(found)

    @strawberry.field(
        description=(
            "Its validation report; counts are exact, issues capped. A grant of chosen fields "
            "gets the counts only: issues carry the values of other fields."
        )
    )
    async def report(
        self,
        info: Info,
        max_issues: Annotated[
            int, strawberry.argument(description="Most issues to list (1-10000).")
        ] = 1000,
    ) -> ValidationReport:
        limit = max(1, min(max_issues, MAX_LISTED_ISSUES))
        issues = await info.context.loaders.issues_by_version.load(self.domain.id)
        if not await _issues_visible(info, self.domain.submission_id):
            limit = 0  # a field-level grantee gets the exact counts only (policy.py)
        shown = ValidationReport.from_domain(service.stored_report(self.domain, issues[:limit]))
        shown.issues_truncated = shown.issues_truncated or len(issues) > limit
        return shown


@strawberry.federation.type(
    keys=["id"],
    name="Submission",
    description="One council's answer to one collection; every version stays readable.",
)
class Submission:
    id: strawberry.ID = strawberry.field(description="The submission's id.")
    state: SubmissionState = strawberry.field(description="Where it stands.")
    current_version_number: int = strawberry.field(description="The newest version's number.")
    validated_version_number: int | None = strawberry.field(
        description="The version the requester validated; null until then."
    )
    created_at: dt.datetime = strawberry.field(description="When the first version arrived.")
    updated_at: dt.datetime = strawberry.field(description="When it last changed.")
    domain: strawberry.Private[DomainSubmission]

    @classmethod
    def from_domain(cls, submission: DomainSubmission) -> Self:
        return cls(
            id=strawberry.ID(submission.id),
            state=SubmissionState.from_domain(submission.state),
            current_version_number=submission.current_version,
            validated_version_number=submission.validated_version,
            created_at=submission.created_at,
            updated_at=submission.updated_at,
            domain=submission,
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Self | None:
        found = await service.readable_submission(info.context.database, info.context.principal, id)
        return cls.from_domain(found[0]) if found else None

    @strawberry.field(description="The council that submitted.")
    def council(self, info: Info) -> Organisation:
        # Organisations are only ever added, so one already read is the answer, given without
        # an await: a list of submissions then completes with no task or future per item.
        # Otherwise the loader's awaitable, which graphql-core awaits.
        context = info.context
        found = organisations_service.known(
            context.database, context.principal, self.domain.council_code
        )
        if found is None:
            return self._load_council(info)  # type: ignore[return-value]
        return Organisation.from_domain(found)

    async def _load_council(self, info: Info) -> Organisation:
        found = await info.context.loaders.organisation_by_code.load(self.domain.council_code)
        assert found is not None
        return Organisation.from_domain(found)

    @strawberry.field(description="The collection it answers.")
    async def collection(self, info: Info) -> Collection:
        found = await info.context.loaders.collection_by_id.load(self.domain.collection_id)
        assert found is not None
        return Collection.from_domain(found)

    @strawberry.field(
        description=(
            "The requester's data queries on this submission, oldest first; they stay attached "
            "across versions. Empty unless you are the collection's owner or this council."
        )
    )
    async def data_queries(
        self,
        info: Info,
        states: Annotated[
            list[DataQueryStateEnum] | None, strawberry.argument(description="Only these states.")
        ] = None,
    ) -> list[Annotated[DataQuery, strawberry.lazy("ldp_graph.graphql.review")]]:
        from ldp_graph.graphql.review import DataQuery

        if not await self._review_visible(info):
            return []
        found = await info.context.loaders.data_queries_by_submission.load(self.domain.id)
        wanted = {s.value for s in states} if states is not None else None
        return [
            DataQuery.from_domain(q) for q in found if wanted is None or q.state.value in wanted
        ]

    @strawberry.field(
        description=(
            "The council's explanations of query-severity issues, newest per problem. An "
            "explanation carries forward to every later version that still has its problem."
        )
    )
    async def explanations(
        self, info: Info
    ) -> list[Annotated[IssueExplanation, strawberry.lazy("ldp_graph.graphql.issues")]]:
        from ldp_graph.graphql.issues import IssueExplanation

        if not await self._review_visible(info):
            return []
        found = await info.context.loaders.explanations_by_submission.load(self.domain.id)
        current = issues_service.current_explanations(found)
        return [IssueExplanation.from_domain(e) for e in current.values()]

    async def _review_visible(self, info: Info) -> bool:
        collection = await info.context.loaders.collection_by_id.load(self.domain.collection_id)
        assert collection is not None
        return review_service.review_visible(
            info.context.principal, collection, self.domain.council_code
        )

    async def _readable_versions(self, info: Info) -> list[DomainVersion]:
        found = await info.context.loaders.versions_by_submission.load(self.domain.id)
        if await self._review_visible(info):
            return list(found)
        # Earlier versions are review material (policy.py): anyone else reading the
        # submission (a grantee) reads the validated version its grant reaches.
        return [v for v in found if v.number == self.domain.validated_version]

    @strawberry.field(
        description=(
            "Every version, oldest first. Only the validated version unless you are the "
            "collection's owner or this council."
        )
    )
    async def versions(self, info: Info) -> list[SubmissionVersion]:
        return [SubmissionVersion.from_domain(v) for v in await self._readable_versions(info)]

    @strawberry.field(description="The newest version: the submission's current state.")
    async def current_version(self, info: Info) -> SubmissionVersion:
        found = await info.context.loaders.versions_by_submission.load(self.domain.id)
        return SubmissionVersion.from_domain(found[-1])

    @strawberry.field(description="One version by number, or null if there is none.")
    async def version(
        self,
        info: Info,
        number: Annotated[int, strawberry.argument(description="The version number.")],
    ) -> SubmissionVersion | None:
        match = [v for v in await self._readable_versions(info) if v.number == number]
        return SubmissionVersion.from_domain(match[0]) if match else None


@strawberry.input(
    description="A council's return for an open collection: JSON records, or uploaded files."
)
class SubmitReturnInput:
    collection_id: strawberry.ID = strawberry.field(description="The collection answered.")
    records: JSON | None = strawberry.field(
        default=None,
        description=(
            'An object of entity name to a list of rows, e.g. {"child": [{...}]}. Values are '
            "taken as submitted: a bad value becomes an issue in the report, not an error here. "
            "Give records or files, not both."
        ),
    )
    files: list[Upload] | None = strawberry.field(
        default=None,
        description=(
            "Files exported by a case-management system, sent as a GraphQL multipart request "
            "(with a GraphQL-Require-Preflight header): one CSV per entity named after it "
            "(child.csv, episode.csv, ...), or one zip of them, or one flat CSV (see flat)."
        ),
    )
    flat: bool = strawberry.field(
        default=False,
        description=(
            "The one file is a flat export: a row per placement, columns named entity.field "
            "(child.child_id, episode.start_date, ...)."
        ),
    )
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="Retrying with the same key within 24 hours returns the first result "
        "instead of a new one.",
    )


@strawberry.type(description="The result of submitReturn: the stored version and its report.")
class SubmitReturnPayload:
    submission: Submission | None = strawberry.field(description="The submission.")
    version: SubmissionVersion | None = strawberry.field(description="The version stored.")
    report: ValidationReport | None = strawberry.field(
        description="The pre-validation report of that version (first 1000 issues)."
    )
    replayed: bool = strawberry.field(
        description="True when the idempotency key returned an earlier result."
    )
    errors: list[UserError] = strawberry.field(
        description="Why nothing was stored; empty when a version was stored."
    )


def _sources(uploads: list[Any]) -> list[tuple[str, BinaryIO]]:
    # Starlette spools uploads to temporary files; the parser reads them from there, a chunk
    # at a time, so a large upload is never held whole in memory.
    return [(u.filename or "upload", u.file) for u in uploads]


async def _close(uploads: list[Any] | None) -> None:
    # Close every spooled file at once, not at GC.
    for upload in uploads or ():
        await upload.close()


def submitted_payload(result: service.Submitted) -> SubmitReturnPayload:
    report = result.report
    shown = ValidationReport.from_domain(report)
    if len(shown.issues) > 1000:
        shown.issues = shown.issues[:1000]
        shown.issues_truncated = True
    return SubmitReturnPayload(
        submission=Submission.from_domain(result.submission),
        version=SubmissionVersion.from_domain(result.version),
        report=shown,
        replayed=result.replayed,
        errors=[],
    )


def failed_payload(exc: errors.DomainError) -> SubmitReturnPayload:
    return SubmitReturnPayload(
        submission=None, version=None, report=None, replayed=False, errors=[to_user_error(exc)]
    )


@strawberry.type
class SubmissionQueries:
    @strawberry.field(description="One submission by id, if you may read it.")
    async def submission(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="Its id.")]
    ) -> Submission | None:
        found = await service.readable_submission(info.context.database, info.context.principal, id)
        return Submission.from_domain(found[0]) if found else None


@strawberry.type
class SubmissionMutations:
    @strawberry.mutation(
        description=(
            "Submit a council's return to an open collection. The version is stored with its "
            "pre-validation report at once, even when the report finds errors."
        )
    )
    async def submit_return(
        self,
        info: Info,
        input: Annotated[SubmitReturnInput, strawberry.argument(description="The return.")],
    ) -> SubmitReturnPayload:
        try:
            files = _sources(input.files) if input.files is not None else None
            if (input.records is None) == (files is None):
                raise errors.InvalidInput("Give records or files, not both.", field="records")
            if files is not None:
                result = await service.submit_files(
                    info.context.database,
                    info.context.specs,
                    info.context.principal,
                    collection_id=input.collection_id,
                    files=files,
                    flat=input.flat,
                    idempotency_key=input.idempotency_key,
                )
            else:
                result = await service.submit_return(
                    info.context.database,
                    info.context.specs,
                    info.context.principal,
                    collection_id=input.collection_id,
                    records=input.records,
                    idempotency_key=input.idempotency_key,
                )
        except errors.DomainError as exc:
            return failed_payload(exc)
        finally:
            await _close(input.files)
        return submitted_payload(result)
