"""The schema resolves persisted queries (ldp_graph.persisted_queries) before parsing.

The check sits in the schema's `execute` and `stream`, the one place every transport passes:
POST, GET, batches, SSE and WebSocket operations. GET still runs queries only: strawberry
checks the operation type of the resolved document. A refused request reaches no extension,
parser or resolver.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterable
from typing import Any

from graphql import GraphQLError
from strawberry.federation import Schema
from strawberry.types.execution import ExecutionResult, PreExecutionError
from strawberry.types.graphql import OperationType

from ldp_graph.persisted_queries import PersistedQueries, Refused


class PersistedQuerySchema(Schema):
    """The federation schema, resolving persisted queries before anything is parsed."""

    def __init__(self, *args: Any, persisted_queries: PersistedQueries, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.persisted_queries = persisted_queries

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        try:
            document, register = self.persisted_queries.resolve(query, operation_extensions)
        except Refused as refused:
            return _refusal(refused)
        result = await super().execute(
            document,
            variable_values=variable_values,
            context_value=context_value,
            root_value=root_value,
            operation_name=operation_name,
            allowed_operation_types=allowed_operation_types,
            operation_extensions=operation_extensions,
        )
        if register is not None and document is not None and _ran(result):
            self.persisted_queries.remember(register, document)
        return result

    async def stream(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        operation_extensions: dict[str, Any] | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
    ) -> AsyncGenerator[Any, None]:
        # Checked, never remembered: the one streaming transport served, graphql-transport-ws,
        # carries no extensions, so only allow-list mode's exact-text check applies here.
        try:
            document, _ = self.persisted_queries.resolve(query, operation_extensions)
        except Refused as refused:
            return _single(_refusal(refused))
        return await super().stream(
            document,
            variable_values=variable_values,
            context_value=context_value,
            root_value=root_value,
            operation_name=operation_name,
            operation_extensions=operation_extensions,
            allowed_operation_types=allowed_operation_types,
        )


def _ran(result: object) -> bool:
    """The document parsed, was allowed and validated: worth remembering."""
    return not isinstance(result, PreExecutionError)


async def _single(result: ExecutionResult) -> AsyncGenerator[ExecutionResult, None]:
    yield result


def _refusal(refused: Refused) -> PreExecutionError:
    error = GraphQLError(refused.message, extensions={"code": refused.code})
    return PreExecutionError(data=None, errors=[error])
