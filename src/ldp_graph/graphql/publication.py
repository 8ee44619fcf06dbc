"""publishCollection in GraphQL: validated submissions become readable by end users."""

from __future__ import annotations

from typing import Annotated

import strawberry

from ldp_graph import errors
from ldp_graph.graphql.collections import Collection
from ldp_graph.graphql.context import Info
from ldp_graph.graphql.errors import UserError, to_user_error
from ldp_graph.services import publication


@strawberry.input(description="A collection to publish.")
class PublishCollectionInput:
    collection_id: strawberry.ID = strawberry.field(description="The collection.")


@strawberry.type(description="The result of publishCollection.")
class PublishCollectionPayload:
    collection: Collection | None = strawberry.field(description="The collection.")
    published_submissions: int = strawberry.field(description="Submissions published now.")
    errors: list[UserError] = strawberry.field(description="Why nothing was published.")


@strawberry.type
class PublicationMutations:
    @strawberry.mutation(description="Publish every validated submission for end users (owner).")
    async def publish_collection(
        self,
        info: Info,
        input: Annotated[
            PublishCollectionInput, strawberry.argument(description="The collection.")
        ],
    ) -> PublishCollectionPayload:
        try:
            found, count = await publication.publish_collection(
                info.context.database, info.context.principal, collection_id=input.collection_id
            )
        except errors.DomainError as exc:
            return PublishCollectionPayload(
                collection=None, published_submissions=0, errors=[to_user_error(exc)]
            )
        return PublishCollectionPayload(
            collection=Collection.from_domain(found), published_submissions=count, errors=[]
        )
