"""The submissionEvents subscription (graphql-transport-ws)."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import AsyncGenerator
from typing import Annotated, Self

import strawberry
from graphql import GraphQLError

from ldp_graph.errors import NotAuthenticated
from ldp_graph.graphql.context import Info
from ldp_graph.graphql.enums import SubmissionState
from ldp_graph.graphql.organisations import Organisation
from ldp_graph.services import collections, events


@strawberry.enum(name="SubmissionEventKind", description="What happened to a submission.")
class SubmissionEventKind(enum.Enum):
    SUBMITTED = strawberry.enum_value("submitted", description="A council stored a version.")
    QUERIED = strawberry.enum_value(
        "queried", description="The requester raised or followed up a data query."
    )
    ANSWERED = strawberry.enum_value("answered", description="The council answered a query.")
    QUERY_RESOLVED = strawberry.enum_value(
        "query_resolved", description="The requester resolved a query."
    )
    EXPLAINED = strawberry.enum_value("explained", description="The council explained an issue.")
    EXPLANATION_REVIEWED = strawberry.enum_value(
        "explanation_reviewed", description="The requester accepted or rejected an explanation."
    )
    VALIDATED = strawberry.enum_value("validated", description="A version was validated.")
    WRITTEN_BACK = strawberry.enum_value(
        "written_back", description="The requester wrote back the validated final state."
    )
    PUBLISHED = strawberry.enum_value(
        "published", description="The validated version was published for end users."
    )


@strawberry.type(description="Something that happened to a submission in a collection.")
class SubmissionEvent:
    kind: SubmissionEventKind = strawberry.field(description="What happened.")
    collection_id: strawberry.ID = strawberry.field(description="The collection.")
    submission_id: strawberry.ID | None = strawberry.field(description="The submission.")
    version: int | None = strawberry.field(description="The version concerned, where one.")
    state: SubmissionState | None = strawberry.field(
        description="The state the submission reached, where the change fixes it."
    )
    occurred_at: dt.datetime = strawberry.field(description="When it was committed.")
    council_code: strawberry.Private[str | None]
    actor_code: strawberry.Private[str | None]

    @classmethod
    def from_domain(cls, event: events.SubmissionEvent) -> Self:
        return cls(
            kind=SubmissionEventKind(event.kind),
            collection_id=strawberry.ID(event.collection_id),
            submission_id=strawberry.ID(event.submission_id) if event.submission_id else None,
            version=event.version,
            state=SubmissionState(event.state) if event.state else None,
            occurred_at=event.occurred_at,
            council_code=event.council_code,
            actor_code=event.actor_code,
        )

    @strawberry.field(description="The council whose submission it concerns.")
    async def council(self, info: Info) -> Organisation | None:
        if self.council_code is None:
            return None
        found = await info.context.loaders.organisation_by_code.load(self.council_code)
        return Organisation.from_domain(found) if found else None

    @strawberry.field(description="Who did it.")
    async def actor(self, info: Info) -> Organisation | None:
        if self.actor_code is None:
            return None
        found = await info.context.loaders.organisation_by_code.load(self.actor_code)
        return Organisation.from_domain(found) if found else None


@strawberry.type(description="Live events a caller may follow.")
class Subscription:
    @strawberry.subscription(
        description=(
            "Events of a collection as they are committed: the owner gets every council's, a "
            "council its own. Others are refused."
        )
    )
    async def submission_events(
        self,
        info: Info,
        collection_id: Annotated[strawberry.ID, strawberry.argument(description="The collection.")],
    ) -> AsyncGenerator[SubmissionEvent, None]:
        # A plain coroutine returning the stream, so that refusals come before the first
        # event, as a subscribe-time error rather than an error inside the stream.
        collection = await collections.get_collection(info.context.database, collection_id)
        stream = events.follow(info.context.database, info.context.principal, collection)

        async def converted() -> AsyncGenerator[SubmissionEvent, None]:
            async for event in stream:
                # Each event is resolved with fresh loaders and only while the token is still
                # in force: a revoked or expired one ends the stream with UNAUTHENTICATED.
                try:
                    await info.context.renew()
                except NotAuthenticated as exc:
                    raise GraphQLError(exc.message, extensions={"code": exc.code}) from None
                yield SubmissionEvent.from_domain(event)

        return converted()
