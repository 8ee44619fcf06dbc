"""The review loop in GraphQL: data queries, their threads, and their state changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Annotated, Self

import strawberry

from ldp_graph import errors
from ldp_graph.domain import review as domain
from ldp_graph.graphql.context import Info
from ldp_graph.graphql.enums import DataQueryState
from ldp_graph.graphql.errors import UserError, to_user_error
from ldp_graph.graphql.organisations import Organisation
from ldp_graph.services import review


async def _current_version_id(info: Info, submission_id: str) -> str:
    versions = await info.context.loaders.versions_by_submission.load(submission_id)
    return versions[-1].id


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
    source: strawberry.Private[domain.DataQuery]

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
            source=query,
        )

    @strawberry.field(description="The requester body that raised it.")
    async def raised_by(self, info: Info) -> Organisation:
        return await _organisation(info, self.raised_by_code)

    @strawberry.field(
        description=(
            "Whether the submission's current version still holds the queried record; null "
            "when the query names no record. A query stays open across resubmissions: this "
            "says whether it still applies."
        )
    )
    async def record_in_current_version(self, info: Info) -> bool | None:
        if self.entity is None or self.record_key is None:
            return None
        current = await _current_version_id(info, self.source.submission_id)
        return await info.context.loaders.record_presence_by_key.load(
            (current, self.entity, self.record_key)
        )

    @strawberry.field(
        description=(
            "Whether the current version's report still has the queried rule's finding (on the "
            "queried record and field, where named); null when the query names no rule."
        )
    )
    async def issue_in_current_version(self, info: Info) -> bool | None:
        if self.rule_id is None:
            return None
        current = await _current_version_id(info, self.source.submission_id)
        found = await info.context.loaders.issues_by_version.load(current)
        return review.issue_present(self.source, found)

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


@strawberry.type(description="The result of a data query operation.")
class DataQueryPayload:
    data_query: DataQuery | None = strawberry.field(description="The query after the change.")
    errors: list[UserError] = strawberry.field(description="Why nothing changed.")


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
