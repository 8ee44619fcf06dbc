"""`where` and `orderBy` inputs generated per entity, and their translation for the service.

Conditions apply to typed values read as validation reads them: numbers compare as numbers,
dates as dates, yes/no as booleans, codes by code or by label; a submitted value that does
not parse counts as missing. `isNull` asks whether anything was submitted at all.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any, Optional

import strawberry

from ldp_graph.db.repositories.records import FieldFilter, SortKey
from ldp_graph.graphql.record_types import Fields
from ldp_graph.specs.model import FieldType


@strawberry.enum(description="Sort direction.")
class SortDirection(enum.Enum):
    ASC = strawberry.enum_value("asc", description="Smallest first; missing values last.")
    DESC = strawberry.enum_value("desc", description="Largest first; missing values last.")


_IS_NULL = "True for records where nothing was submitted; false for those with a value."


@strawberry.input(description="Conditions on a text field (exact, after trimming spaces).")
class TextFilter:
    eq: str | None = strawberry.field(default=None, description="Equal to.")
    in_: list[str] | None = strawberry.field(default=None, name="in", description="One of.")
    is_null: bool | None = strawberry.field(default=None, description=_IS_NULL)


@strawberry.input(description="Conditions on a number field, compared as numbers.")
class NumberFilter:
    eq: float | None = strawberry.field(default=None, description="Equal to.")
    in_: list[float] | None = strawberry.field(default=None, name="in", description="One of.")
    gte: float | None = strawberry.field(default=None, description="At least.")
    lte: float | None = strawberry.field(default=None, description="At most.")
    is_null: bool | None = strawberry.field(default=None, description=_IS_NULL)


@strawberry.input(description="Conditions on a date field.")
class DateFilter:
    eq: dt.date | None = strawberry.field(default=None, description="On this day.")
    in_: list[dt.date] | None = strawberry.field(
        default=None, name="in", description="On one of these days."
    )
    gte: dt.date | None = strawberry.field(default=None, description="On or after.")
    lte: dt.date | None = strawberry.field(default=None, description="On or before.")
    is_null: bool | None = strawberry.field(default=None, description=_IS_NULL)


@strawberry.input(description="Conditions on a code-list field, by code or by label.")
class CodeFilter:
    eq: str | None = strawberry.field(default=None, description="This code.")
    in_: list[str] | None = strawberry.field(default=None, name="in", description="One of these.")
    label: str | None = strawberry.field(
        default=None, description="The code whose label is this (any letter case)."
    )
    label_in: list[str] | None = strawberry.field(
        default=None, description="The codes whose labels are these (any letter case)."
    )
    is_null: bool | None = strawberry.field(default=None, description=_IS_NULL)


@strawberry.input(description="Conditions on a yes/no field (Y/N, yes/no, true/false, 1/0).")
class BooleanFilter:
    eq: bool | None = strawberry.field(default=None, description="Yes (true) or no (false).")
    is_null: bool | None = strawberry.field(default=None, description=_IS_NULL)


_FILTERS: dict[FieldType, type] = {
    FieldType.STRING: TextFilter,
    FieldType.INTEGER: NumberFilter,
    FieldType.NUMBER: NumberFilter,
    FieldType.DATE: DateFilter,
    FieldType.CODE: CodeFilter,
    FieldType.BOOLEAN: BooleanFilter,
}


def where_input(name: str, entity: str, fields: Fields) -> type:
    """`<Name>Where`: one optional condition per field, all of them to hold."""
    namespace: dict[str, Any] = {"__annotations__": {}}
    for field_name, (spec, _labels) in fields.items():
        namespace["__annotations__"][field_name] = Optional[_FILTERS[spec.type]]  # noqa: UP045
        namespace[field_name] = strawberry.field(
            default=None, description=f"Conditions on {spec.label or field_name}."
        )
    return strawberry.input(
        type(f"{name}Where", (), namespace),
        name=f"{name}Where",
        description=f"Conditions on {entity} records; all given must hold.",
    )


def order_input(name: str, entity: str, fields: Fields) -> type:
    """`<Name>Order`: one sort key, a field of the entity and a direction."""
    field_enum = strawberry.enum(
        enum.Enum(  # type: ignore[misc]
            f"{name}Field",
            {
                f.upper(): strawberry.enum_value(f, description=spec.label or spec.description)
                for f, (spec, _labels) in fields.items()
            },
        ),
        name=f"{name}Field",
        description=f"A field of {entity} records to sort by.",
    )
    namespace = {
        "__annotations__": {"field": field_enum, "direction": SortDirection},
        "field": strawberry.field(description="The field."),
        "direction": strawberry.field(default=SortDirection.ASC, description="The direction."),
    }
    return strawberry.input(
        type(f"{name}Order", (), namespace),
        name=f"{name}Order",
        description=(
            "One sort key, by typed value (numbers as numbers); records with no usable value "
            "come last, and the record's version and position break ties."
        ),
    )


def _codes_labelled(condition: Any, labels: dict[str, str]) -> tuple[str, ...] | None:
    asked = ([condition.label] if condition.label is not None else []) + (condition.label_in or [])
    if condition.label is None and condition.label_in is None:
        return None
    wanted = {text.casefold() for text in asked}
    return tuple(code for code, label in labels.items() if label.casefold() in wanted)


def field_filters(where: Any, fields: Fields) -> list[FieldFilter]:
    """The service's filters for a generated `...Where` input."""
    found: list[FieldFilter] = []
    if where is None:
        return found
    for name, (spec, labels) in fields.items():
        condition = getattr(where, name, None)
        if condition is None:
            continue
        in_ = getattr(condition, "in_", None)
        in_ = tuple(in_) if in_ is not None else None
        if spec.type == FieldType.CODE:
            labelled = _codes_labelled(condition, labels)
            if labelled is not None:  # by label: the codes so labelled (and in `in`, if given)
                in_ = labelled if in_ is None else tuple(c for c in in_ if c in labelled)
        found.append(
            FieldFilter(
                name,
                eq=condition.eq,
                in_=in_,
                gte=getattr(condition, "gte", None),
                lte=getattr(condition, "lte", None),
                is_null=condition.is_null,
                type=spec.type,
            )
        )
    return found


def sort_keys(order_by: Any, fields: Fields) -> list[SortKey]:
    """The service's sort keys for a list of generated `...Order` inputs."""
    return [
        SortKey(o.field.value, fields[o.field.value][0].type, o.direction == SortDirection.DESC)
        for o in order_by or []
    ]
