"""The computed cost of an operation, checked while the document is validated.

Depth, alias and token limits bound a document's shape but not the work it asks for: one
`child(first: 10000)` under a list of collections is a small document and a huge query. So
every operation gets a cost before any resolver runs:

- each object a field returns costs 1, and scalars and enums cost nothing, as in Shopify's
  and GitHub's APIs: the work of a query grows with the objects it fetches, not with the
  scalar fields read off each (`__typename` and introspection cost nothing: their size is the
  schema's, and introspection can be switched off);
- a value type (`@value_type`: a record's code values and its `meta`, completed from the
  record already fetched) costs nothing of its own; what it selects still counts (`meta`'s
  `council` costs 1 per record);
- a field's selection is resolved once per item of a list, so its cost is multiplied by the
  list's expected length: the page size (`first`, or `maxIssues` for a report's issues) given
  on the field or on the field just above the list (a connection's `nodes` and `edges`), the
  argument's default when it is not given, the number of representations for `_entities`, the
  longest length a list field declares (`LIST_LENGTH` in its metadata, where the service caps
  the list), and `list_size` for any other list;
- nested lists multiply.

No library fits (graphql-core has no cost rule; graphql-complexity multiplies only lists that
carry `first` themselves, misses lists wrapped in non-null and connections, and cannot see a
request's variables), so this is a small rule of our own. It is a validation rule built per
request, because page sizes are often variables.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLArgument,
    GraphQLError,
    GraphQLField,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    Undefined,
    ValidationRule,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_leaf_type,
    is_list_type,
)
from graphql.language import ValueNode
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema_converter import GraphQLCoreConverter

from ldp_graph.graphql.document_cache import per_request_rule

PAGE_ARGUMENTS = ("first", "maxIssues")
ENTITIES_FIELD = "_entities"
CODE = "QUERY_TOO_COSTLY"
# A list field's metadata key for the longest list it returns: strawberry.field(metadata=...).
LIST_LENGTH = "cost_list_length"
_VALUE_TYPE = "__ldp_cost_value_type__"
TypeT = TypeVar("TypeT", bound=type)


def value_type(cls: TypeT) -> TypeT:
    """Mark a strawberry type as a value of its parent: it costs nothing of its own."""
    setattr(cls, _VALUE_TYPE, True)
    return cls


@dataclass
class _Walk:
    """One cost computation: the schema, the request's variables and fragment memo."""

    schema: GraphQLSchema
    variables: Mapping[str, Any]
    defaults: Mapping[str, Any]
    fragments: Mapping[str, FragmentDefinitionNode]
    list_size: int
    # A fragment's cost depends only on the page size it inherits: memoised, so fragments
    # spread many times in fragments spread many times cost linear time, not exponential.
    memo: dict[tuple[str, int | None], int] = field(default_factory=dict)
    expanding: set[str] = field(default_factory=set)
    # Whether any size came from a variable: if none did, the cost is the document's alone.
    read_variables: bool = False

    def selection_set(
        self, selections: SelectionSetNode | None, parent: GraphQLNamedType | None, page: int | None
    ) -> int:
        if selections is None:
            return 0
        total = 0
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, page)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selection_set(selection.selection_set, target, page)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.spread(selection.name.value, page)
        return total

    def spread(self, name: str, page: int | None) -> int:
        fragment = self.fragments.get(name)
        if fragment is None or name in self.expanding:
            return 0  # unknown or cyclic: validation reports it, execution never starts
        key = (name, page)
        if key not in self.memo:
            self.expanding.add(name)
            target = self.schema.get_type(fragment.type_condition.name.value)
            self.memo[key] = self.selection_set(fragment.selection_set, target, page)
            self.expanding.discard(name)
        return self.memo[key]

    def field(self, node: FieldNode, parent: GraphQLNamedType | None, page: int | None) -> int:
        name = node.name.value
        if name.startswith("__"):
            return 0
        definition: GraphQLField | None = getattr(parent, "fields", {}).get(name)
        if definition is None:
            return 1  # an unknown field: validation reports it
        own_page = self.page_size(node, definition)
        if is_list_type(get_nullable_type(definition.type)):  # type: ignore[arg-type]
            items = self.list_length(node, definition, own_page if own_page is not None else page)
            inner_page = None  # the page size is spent on this list
        else:
            items = 1
            inner_page = own_page  # sizes the lists just below (`nodes`, `edges`, `issues`)
        target = get_named_type(definition.type)
        selected = self.selection_set(node.selection_set, target, inner_page)
        own = 0 if is_leaf_type(target) or _is_value_type(target) else 1
        return items * (own + selected)

    def page_size(self, node: FieldNode, definition: GraphQLField) -> int | None:
        for argument_name in PAGE_ARGUMENTS:
            argument = definition.args.get(argument_name)
            if argument is None:
                continue
            given = _as_int(self.argument_value(node, argument_name))
            # A value that is not an integer fails coercion before execution: count the default.
            value = given if given is not None else _as_int(_default(argument))
            return max(0, value) if value is not None else None
        return None

    def list_length(self, node: FieldNode, definition: GraphQLField, page: int | None) -> int:
        if page is not None:
            return page
        if node.name.value == ENTITIES_FIELD:
            representations = self.argument_value(node, "representations", raw=True)
            if isinstance(representations, list):
                return len(representations)
        declared = _declared_length(definition)
        return declared if declared is not None else self.list_size

    def argument_value(self, node: FieldNode, name: str, *, raw: bool = False) -> Any:
        for argument in node.arguments or ():
            if argument.name.value == name:
                return self.value(argument.value, raw=raw)
        return None

    def value(self, value: ValueNode, *, raw: bool) -> Any:
        if isinstance(value, VariableNode):
            self.read_variables = True
            variable = value.name.value
            given = self.variables.get(variable, self.defaults.get(variable))
            if isinstance(given, bool):
                return None
            return given
        if isinstance(value, IntValueNode):
            return int(value.value)
        if raw and isinstance(value, ListValueNode):
            return list(value.values)
        return None


def operation_costs(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Mapping[str, Any] | None = None,
    *,
    list_size: int,
) -> Iterator[tuple[OperationDefinitionNode, int]]:
    """Each operation of `document` with its cost for these variables.

    A document whose sizes come from no variable costs the same on every request: its costs
    are kept with it (documents are reused from the document cache) for as long as it lives.
    """
    kept = _costs_of_documents.get(document)
    if kept is not None and kept[0] is schema and kept[1] == list_size:
        yield from kept[2]
        return
    costs = []
    read_variables = False
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        defaults = {
            variable.variable.name.value: _literal(variable.default_value)
            for variable in definition.variable_definitions or ()  # graphql-core leaves None
            if variable.default_value is not None
        }
        # Variables arrive as the client sent them: anything but an object is refused later.
        given = variables if isinstance(variables, Mapping) else {}
        walk = _Walk(schema, given, defaults, fragments, list_size)
        root = schema.get_root_type(definition.operation)
        costs.append((definition, walk.selection_set(definition.selection_set, root, None)))
        read_variables |= walk.read_variables
    if not read_variables:
        _costs_of_documents[document] = (schema, list_size, costs)
    yield from costs


_costs_of_documents: WeakKeyDictionary[
    DocumentNode, tuple[GraphQLSchema, int, list[tuple[OperationDefinitionNode, int]]]
] = WeakKeyDictionary()


def _is_value_type(target: GraphQLNamedType) -> bool:
    definition = target.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    return bool(getattr(getattr(definition, "origin", None), _VALUE_TYPE, False))


def _declared_length(definition: GraphQLField) -> int | None:
    field = definition.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    metadata = getattr(field, "metadata", None) or {}
    length = metadata.get(LIST_LENGTH)
    return length if isinstance(length, int) else None


def _as_int(value: Any) -> int | None:
    """The Int graphql-core would coerce `value` to, or None if it would refuse it.

    Variables arrive as JSON decoded them: 10000.0 and 1e4 are floats that graphql-core
    accepts for an Int, so they must be costed as the 10000 that will run.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return None


def _default(argument: GraphQLArgument) -> Any:
    if argument.default_value is not Undefined:  # strawberry sets the coerced default
        return argument.default_value
    # graphql-core 3.3 keeps a default read from SDL as a literal or an external value.
    default = getattr(argument, "default", None)
    literal = getattr(default, "literal", None)
    return _literal(literal) if isinstance(literal, ValueNode) else getattr(default, "value", None)


def _literal(value: ValueNode) -> Any:
    if isinstance(value, IntValueNode):
        return int(value.value)
    if isinstance(value, ListValueNode):
        return list(value.values)
    return None


def cost_errors(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Mapping[str, Any] | None,
    operation_name: str | None,
    *,
    max_cost: int,
    list_size: int,
) -> list[GraphQLError]:
    """An error for each operation to be run that costs more than `max_cost`."""
    errors = []
    for operation, cost in operation_costs(schema, document, variables, list_size=list_size):
        named = operation.name.value if operation.name else None
        if operation_name is not None and named != operation_name:
            continue
        if cost > max_cost:
            errors.append(
                GraphQLError(
                    f"This query would cost {cost}, over the limit of {max_cost}: each "
                    "object costs 1 (scalar fields nothing) and lists multiply what they "
                    "select by their page size. Ask for smaller pages (first) or fewer "
                    "nested lists.",
                    operation,
                    extensions={"code": CODE, "cost": cost, "maxCost": max_cost},
                )
            )
    return errors


def cost_rule(
    *,
    max_cost: int,
    list_size: int,
    variables: Mapping[str, Any] | None,
    operation_name: str | None,
) -> type[ValidationRule]:
    """A validation rule refusing the operation to be run when it costs more than `max_cost`.

    Its errors depend on the request's variables, not only on the document: the rule class
    carries them as `request_errors(schema, document)`, so a validation cache
    (document_cache.py) can check them per request and cache the rest.
    """

    def request_errors(schema: GraphQLSchema, document: DocumentNode) -> list[GraphQLError]:
        return cost_errors(
            schema,
            document,
            variables,
            operation_name,
            max_cost=max_cost,
            list_size=list_size,
        )

    return per_request_rule("QueryCostRule", request_errors)


class QueryCostLimiter(SchemaExtension):
    """Adds the cost rule, with this request's variables, to the validation rules."""

    def __init__(self, *, max_cost: int, list_size: int) -> None:
        self.max_cost = max_cost
        self.list_size = list_size

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        rule = cost_rule(
            max_cost=self.max_cost,
            list_size=self.list_size,
            variables=context.variables,
            operation_name=context.operation_name,
        )
        context.validation_rules = (*context.validation_rules, rule)
        yield
