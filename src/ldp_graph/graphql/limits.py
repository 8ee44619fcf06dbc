"""How much one request may ask for at once, checked while the document is validated.

The depth, alias, token and cost limits bound the shape and the work of a document, but not
how many separate things it sets going at its root:

- root fields: each root field is a resolver of its own, with its own queries; a document may
  not ask for more than `max_root_fields` of them (`LDP_MAX_ROOT_FIELDS`);
- mutations: every root field of a mutation is a write, in its own transaction and with its
  own audit event, and they run one after another; aliases would let one request fire hundreds,
  so at most `max_mutations` (`LDP_MAX_MUTATIONS`);
- `_entities` representations: a federation gateway batches the references it needs into
  one `_entities` call; at most `max_representations` (`LDP_MAX_ENTITY_REPRESENTATIONS`) in
  all the `_entities` fields of a request.

Root fields are counted as they run: by response key (a field asked for twice under one name,
directly or through fragments, runs once), fragments at the root expanded, introspection
(`__typename`, `__schema`, `__type`) not counted. Only the operation the request runs is
checked (the one `operationName` names; every operation when none is named), as for the cost.
Representations are counted from the request's variables, so the rule is built per request.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    ListValueNode,
    NullValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValidationRule,
    VariableNode,
)
from strawberry.extensions import SchemaExtension

from ldp_graph.graphql.document_cache import per_request_rule

ROOT_FIELDS_CODE = "TOO_MANY_ROOT_FIELDS"
MUTATIONS_CODE = "TOO_MANY_MUTATIONS"
REPRESENTATIONS_CODE = "TOO_MANY_REPRESENTATIONS"
ENTITIES_FIELD = "_entities"


def root_fields(
    operation: OperationDefinitionNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> dict[str, FieldNode]:
    """The root fields `operation` runs, by response key, fragments expanded, introspection out."""
    fields: dict[str, FieldNode] = {}

    def collect(selections: SelectionSetNode, expanding: frozenset[str]) -> None:
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                if not selection.name.value.startswith("__"):
                    key = (selection.alias or selection.name).value
                    fields.setdefault(key, selection)
            elif isinstance(selection, InlineFragmentNode):
                collect(selection.selection_set, expanding)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = fragments.get(name)
                if fragment is not None and name not in expanding:  # else validation says so
                    collect(fragment.selection_set, expanding | {name})

    collect(operation.selection_set, frozenset())
    return fields


def representations(
    field: FieldNode, operation: OperationDefinitionNode, variables: Mapping[str, Any]
) -> int:
    """How many representations an `_entities` field passes (as they will be coerced)."""
    argument = next(
        (a.value for a in field.arguments or () if a.name.value == "representations"), None
    )
    if isinstance(argument, VariableNode):
        name = argument.name.value
        if name in variables:
            given = variables[name]
            if given is None:
                return 0
            return len(given) if isinstance(given, list) else 1  # one value: a list of one
        argument = next(
            (
                v.default_value
                for v in operation.variable_definitions or ()
                if v.variable.name.value == name
            ),
            None,
        )
    if argument is None or isinstance(argument, NullValueNode):
        return 0
    return len(argument.values) if isinstance(argument, ListValueNode) else 1


def _operations(
    document: DocumentNode, operation_name: str | None
) -> Iterator[OperationDefinitionNode]:
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        named = definition.name.value if definition.name else None
        if operation_name is None or named == operation_name:
            yield definition


def operation_limits_rule(
    *,
    max_root_fields: int,
    max_mutations: int,
    max_representations: int,
    variables: Mapping[str, Any] | None,
    operation_name: str | None,
) -> type[ValidationRule]:
    """A validation rule refusing an operation over any of the three limits.

    Its errors depend on the request (the operation it names, its variables), not only on the
    document: the rule class carries them as `request_errors(schema, document)`, so the
    document cache (document_cache.py) checks them on every request.
    """
    # Variables arrive as the client sent them: anything but an object is refused later.
    given = variables if isinstance(variables, Mapping) else {}

    def request_errors(_schema: GraphQLSchema, document: DocumentNode) -> list[GraphQLError]:
        fragments = {
            definition.name.value: definition
            for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        errors: list[GraphQLError] = []
        for operation in _operations(document, operation_name):
            errors += _limit_errors(operation, root_fields(operation, fragments))
        return errors

    def _limit_errors(
        operation: OperationDefinitionNode, fields: dict[str, FieldNode]
    ) -> list[GraphQLError]:
        errors = []
        if len(fields) > max_root_fields:
            errors.append(
                _refusal(
                    operation,
                    f"This operation asks for {len(fields)} root fields, over the limit of "
                    f"{max_root_fields}: send the rest in another request.",
                    {"code": ROOT_FIELDS_CODE, "rootFields": len(fields)},
                    maxRootFields=max_root_fields,
                )
            )
        if operation.operation == OperationType.MUTATION and len(fields) > max_mutations:
            errors.append(
                _refusal(
                    operation,
                    f"This operation asks for {len(fields)} mutations, over the limit of "
                    f"{max_mutations}: send at most {max_mutations} changes in one request.",
                    {"code": MUTATIONS_CODE, "mutations": len(fields)},
                    maxMutations=max_mutations,
                )
            )
        if operation.operation != OperationType.QUERY:
            return errors
        count = sum(
            representations(field, operation, given)
            for field in fields.values()
            if field.name.value == ENTITIES_FIELD
        )
        if count > max_representations:
            errors.append(
                _refusal(
                    operation,
                    f"This request passes {count} representations to _entities, over the limit "
                    f"of {max_representations}: resolve them in smaller batches.",
                    {"code": REPRESENTATIONS_CODE, "representations": count},
                    maxRepresentations=max_representations,
                )
            )
        return errors

    return per_request_rule("OperationLimitsRule", request_errors)


def _refusal(
    operation: OperationDefinitionNode, message: str, asked: dict[str, Any], **limit: int
) -> GraphQLError:
    # Shaped as QUERY_TOO_COSTLY is: a code, what was asked for, and the limit.
    return GraphQLError(message, operation, extensions={**asked, **limit})


class OperationLimiter(SchemaExtension):
    """Adds the limits rule, with this request's variables, to the validation rules."""

    def __init__(self, *, max_root_fields: int, max_mutations: int, max_representations: int):
        self.max_root_fields = max_root_fields
        self.max_mutations = max_mutations
        self.max_representations = max_representations

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        rule = operation_limits_rule(
            max_root_fields=self.max_root_fields,
            max_mutations=self.max_mutations,
            max_representations=self.max_representations,
            variables=context.variables,
            operation_name=context.operation_name,
        )
        context.validation_rules = (*context.validation_rules, rule)
        yield
