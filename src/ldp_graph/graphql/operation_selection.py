"""A document with several operations runs only the one `operationName` names.

GraphQL's GetOperation makes a missing `operationName` a request error when the document
defines more than one operation. strawberry instead runs the first one, so a client that
forgot the name would silently run (and be charged for) an operation it may not have meant,
a mutation included. This rule refuses such a request before anything runs, on every
transport (HTTP and WebSocket alike). An `operationName` the document does not define is
refused earlier, by the operation type check (the HTTP view words that refusal).
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    ValidationRule,
)
from strawberry.extensions import SchemaExtension

from ldp_graph.graphql.document_cache import per_request_rule


def selection_errors(document: DocumentNode, operation_name: str | None) -> list[GraphQLError]:
    if operation_name is not None:
        return []
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) < 2:
        return []
    names = ", ".join(o.name.value if o.name else "(anonymous)" for o in operations)
    return [
        GraphQLError(
            f"The document defines {len(operations)} operations ({names}): "
            "name the one to run in `operationName`.",
            operations,
        )
    ]


def selection_rule(operation_name: str | None) -> type[ValidationRule]:
    """The rule for one request. Its errors depend on the request's operationName, so it
    carries them as `request_errors` for the document cache (document_cache.py)."""

    def request_errors(_schema: GraphQLSchema, document: DocumentNode) -> list[GraphQLError]:
        return selection_errors(document, operation_name)

    return per_request_rule("OperationSelectionRule", request_errors)


class OperationSelection(SchemaExtension):
    """Adds the selection rule, with the operationName the request sent, to the rules."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        # `operation_name` falls back to the first operation's name when none was sent; the
        # rule needs to know whether one was sent at all, which strawberry keeps private.
        sent = context._provided_operation_name
        context.validation_rules = (*context.validation_rules, selection_rule(sent))
        yield
