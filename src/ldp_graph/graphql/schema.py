"""Build the one strawberry federation schema, with the limits the settings ask for."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import strawberry
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)

from ldp_graph import tracing
from ldp_graph.config import Settings
from ldp_graph.graphql.acceptance import AcceptanceMutations
from ldp_graph.graphql.audit import AuditQueries
from ldp_graph.graphql.collections import CollectionMutations, CollectionQueries
from ldp_graph.graphql.cost import QueryCostLimiter
from ldp_graph.graphql.diff import DiffQueries
from ldp_graph.graphql.document_cache import CachedDocuments, DocumentCache
from ldp_graph.graphql.errors import ERROR_TYPES
from ldp_graph.graphql.events import Subscription
from ldp_graph.graphql.execution import FastCompletion
from ldp_graph.graphql.exports import ExportMutations
from ldp_graph.graphql.federation_descriptions import describe_federation
from ldp_graph.graphql.grants import GrantMutations
from ldp_graph.graphql.issues import IssueMutations
from ldp_graph.graphql.limits import OperationLimiter
from ldp_graph.graphql.masking import MaskUnexpectedErrors
from ldp_graph.graphql.me import MeQueries
from ldp_graph.graphql.operation_selection import OperationSelection
from ldp_graph.graphql.organisations import OrganisationMutations, OrganisationQueries
from ldp_graph.graphql.persisted_schema import PersistedQuerySchema
from ldp_graph.graphql.publication import PublicationMutations
from ldp_graph.graphql.review import ReviewMutations
from ldp_graph.graphql.specs import SpecQueries
from ldp_graph.graphql.submissions import SubmissionMutations, SubmissionQueries
from ldp_graph.graphql.validation import ValidationMutations
from ldp_graph.persisted_queries import PersistedQueries, load_manifest

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider


@strawberry.type(description="Everything a caller can read.")
class Query(
    MeQueries,
    OrganisationQueries,
    SpecQueries,
    CollectionQueries,
    SubmissionQueries,
    DiffQueries,
    AuditQueries,
):
    pass


@strawberry.type(description="Everything a caller can change.")
class Mutation(
    OrganisationMutations,
    ValidationMutations,
    CollectionMutations,
    SubmissionMutations,
    ReviewMutations,
    IssueMutations,
    AcceptanceMutations,
    GrantMutations,
    PublicationMutations,
    ExportMutations,
):
    pass


def _extensions(
    settings: Settings, tracer_provider: TracerProvider | None
) -> list[Callable[[], SchemaExtension] | type[SchemaExtension]]:
    # Factories, never instances: an instance would share execution state across requests.
    # The document cache is the schema's own, shared by its requests' extension instances.
    documents = DocumentCache()
    extensions: list[Callable[[], SchemaExtension] | type[SchemaExtension]] = [
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: QueryDepthLimiter(max_depth=settings.max_query_depth),
        lambda: MaxAliasesLimiter(max_alias_count=settings.max_aliases),
        lambda: QueryCostLimiter(
            max_cost=settings.max_query_cost, list_size=settings.query_cost_list_size
        ),
        lambda: OperationLimiter(
            max_root_fields=settings.max_root_fields,
            max_mutations=settings.max_mutations,
            max_representations=settings.max_entity_representations,
        ),
        OperationSelection,
        MaskUnexpectedErrors,
    ]
    if not settings.introspection:
        extensions.append(DisableIntrospection)
    # After the extensions that add validation rules, so it sees every rule of the request.
    extensions.append(lambda: CachedDocuments(documents))
    if tracer_provider is not None:
        # First, so that the operation's span encloses the work of every other extension.
        extensions.insert(0, tracing.graphql_extension(tracer_provider))
    return extensions


def _persisted_queries(settings: Settings) -> PersistedQueries:
    manifest = (
        load_manifest(settings.operation_allowlist)
        if settings.persisted_queries == "allowlist" and settings.operation_allowlist
        else None
    )
    return PersistedQueries(
        settings.persisted_queries, manifest, cache_bytes=settings.apq_cache_bytes
    )


def build_schema(
    settings: Settings, tracer_provider: TracerProvider | None = None
) -> strawberry.federation.Schema:
    """The schema; with a tracer provider, GraphQL operations are traced too."""
    schema = PersistedQuerySchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=ERROR_TYPES,
        extensions=_extensions(settings, tracer_provider),
        execution_context_class=FastCompletion if settings.fast_completion else None,
        persisted_queries=_persisted_queries(settings),
    )
    describe_federation(schema._schema)
    return schema


def export_sdl(settings: Settings) -> str:
    """The SDL committed as schema/schema.graphql (limits do not change it)."""
    return build_schema(settings).as_str() + "\n"
