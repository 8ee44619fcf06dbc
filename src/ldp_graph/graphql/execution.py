"""Completing plain objects in one call each: the fast path that serves long record lists.

graphql-core completes every field of every object on its own: resolve info, resolver call,
awaitable checks, null checks, serialisation; about 8 microseconds a field, so a page of
10,000 records of 20 fields spent over a second there. Most of that work is the same for
every object of a list. `FastCompletion` plans it once per selection, compiled to a function
(completion_plans.py), and then completes an object in one call, when the selection allows
it:

- every selected field is a *basic* strawberry field (no resolver, no permission classes, no
  field extensions: strawberry itself calls nothing but `getattr` for those) of a scalar,
  enum or object type (no lists, no interfaces or unions, no `is_type_of` to honour);
- the selection uses no `@defer` or fragment arguments. Aliases, fragments, merged repeats of
  a field and `@include`/`@skip` need nothing special: graphql-core's own `collect_subfields`
  resolves them, exactly as for its own path;
- no middleware wraps resolvers.

Whatever is not plain in that sense takes graphql-core's path, and so does any object the
plan cannot complete cleanly (a null in a non-null field, a value a scalar refuses, an
exception, an awaitable): that object is completed again by graphql-core, which raises the
error it always would, with its path. Values come from attribute reads of plain objects, so
reading twice has no effect beyond time. `tests/api/test_fast_completion.py` runs the same
operations through both executors and requires identical responses.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    is_leaf_type,
    is_object_type,
)
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from ldp_graph.graphql.completion_plans import AS_IS, Entry, NotPlain, Plan

TYPENAME = "__typename"


def _null(non_null: bool) -> None:
    if non_null:
        raise NotPlain


def _streamed(field_details_list: Any) -> bool:
    return any(
        directive.name.value == "stream"
        for details in field_details_list
        for directive in details.node.directives or ()
    )


def _basic_field(object_type: GraphQLObjectType, name: str) -> StrawberryField | None:
    field = object_type.fields.get(name)
    if field is None:
        return None
    definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField) or not definition.is_basic_field:
        return None
    if definition.permission_classes or definition.default_resolver is not getattr:
        return None
    return definition


class FastCompletion(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor, completing plain objects by a plan made once per selection."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Keyed like collect_subfields' memo: the type and the identity of the field list,
        # which the value keeps alive so the id cannot be reused during this execution.
        self._plans: dict[tuple[GraphQLObjectType, int], tuple[Any, Plan | None]] = {}

    def complete_object_value(
        self,
        return_type: GraphQLObjectType,
        field_details_list: Any,
        info: GraphQLResolveInfo,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        plan = self._plan(return_type, field_details_list)
        if plan is not None:
            try:
                return plan.complete(result)
            except Exception:  # noqa: S110  graphql-core completes it and reports the error
                pass
        return super().complete_object_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def complete_list_value(
        self,
        return_type: GraphQLList[Any],
        field_details_list: Any,
        info: GraphQLResolveInfo,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        # A list of plain objects (a page of records) is completed in one comprehension,
        # without graphql-core's per-item bookkeeping.
        item_type = return_type.of_type
        non_null = isinstance(item_type, GraphQLNonNull)
        named = item_type.of_type if non_null else item_type
        if type(result) is list and is_object_type(named) and not _streamed(field_details_list):
            plan = self._plan(named, field_details_list)
            if plan is not None:
                complete = plan.complete
                try:
                    return [
                        complete(item) if item is not None else _null(non_null) for item in result
                    ]
                except Exception:  # noqa: S110  graphql-core completes it and reports the error
                    pass
        return super().complete_list_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _plan(self, object_type: GraphQLObjectType, field_details_list: Any) -> Plan | None:
        key = (object_type, id(field_details_list))
        cached = self._plans.get(key)
        if cached is not None:
            return cached[1]
        plan = self._make_plan(object_type, field_details_list)
        self._plans[key] = (field_details_list, plan)
        return plan

    def _make_plan(self, object_type: GraphQLObjectType, field_details_list: Any) -> Plan | None:
        wrapped = self.middleware_manager is not None and self.middleware_manager.middlewares
        if wrapped or object_type.is_type_of is not None:
            return None
        if any(d.defer_usage is not None or d.fragment_variable_values for d in field_details_list):
            return None
        grouped, new_defer_usages, forbidden = self.collect_subfields(
            object_type, field_details_list
        )
        if new_defer_usages or forbidden:
            return None
        entries: list[Entry] = []
        for response_key, details in grouped.items():
            name = details[0].node.name.value
            if name == TYPENAME:
                entries.append((response_key, None, True, object_type.name, None))
                continue
            definition = _basic_field(object_type, name)
            if definition is None:
                return None
            field_type = object_type.fields[name].type
            non_null = isinstance(field_type, GraphQLNonNull)
            named = field_type.of_type if non_null else field_type
            if is_leaf_type(named):
                leaf: GraphQLLeafType = named  # type: ignore[assignment]
                as_is = AS_IS.get(leaf)  # type: ignore[call-overload]
                entries.append((response_key, definition.python_name, non_null, leaf, as_is))
            elif is_object_type(named):
                if any(d.defer_usage is not None or d.fragment_variable_values for d in details):
                    return None
                inner = self._plan(named, details)  # type: ignore[arg-type]
                if inner is None:
                    return None
                entries.append((response_key, definition.python_name, non_null, inner, None))
            else:  # lists, interfaces, unions
                return None
        return Plan(entries)
