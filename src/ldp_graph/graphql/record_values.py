"""The values of typed record fields, read from a stored record's submitted values.

A converter per field of an entity reads one value of a record (a `RecordNode`, see
record_types.py) as its GraphQL type: text trimmed, dates and numbers parsed, a code as its
`CodeValue`; anything missing or that does not parse is None.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import strawberry

from ldp_graph.graphql.completion_plans import shared
from ldp_graph.graphql.cost import value_type
from ldp_graph.specs.model import FieldSpec, FieldType
from ldp_graph.validation.coercion import WHITESPACE, as_text, coerce

if TYPE_CHECKING:
    from ldp_graph.graphql.record_types import RecordNode

# GraphQL's Int is 32-bit: a larger submitted integer would fail the whole field with an
# error, so it resolves to null like any other value that cannot be given its type.
_INT_RANGE = range(-(2**31), 2**31)


@value_type
@strawberry.type(description="A code-list value: the code as submitted, and its label.")
class CodeValue:
    code: str = strawberry.field(description="The code as submitted.")
    label: str | None = strawberry.field(
        description="Its label in the specification; null for a code outside the list."
    )


Converter = Callable[["RecordNode"], Any]  # a record -> one field's value


def typed_value(text: str | None, field: FieldSpec, labels: dict[str, str]) -> Any:
    """A submitted value as its GraphQL type; None when missing or when it does not parse."""
    if text is None:
        return None
    if field.type == FieldType.CODE:
        return CodeValue(code=text, label=labels.get(text))
    value = coerce(text, field.type)
    if field.type != FieldType.STRING and isinstance(value, str):
        return None  # did not parse: the report has flagged it; meta.raw keeps it
    if field.type == FieldType.INTEGER and value not in _INT_RANGE:
        return None
    if field.type == FieldType.NUMBER and not math.isfinite(value):
        return None  # 1e999 parses as infinity, which GraphQL's Float cannot carry
    return value


def _text(value: Any) -> str | None:
    # as_text, with the common case (text) first: this runs once per field of every record.
    if type(value) is str:
        return value.strip(WHITESPACE) or None
    return as_text(value)


def converter(name: str, field: FieldSpec, labels: dict[str, str]) -> Converter:
    if field.type == FieldType.STRING:
        return lambda node: _text(node._data.get(name))
    if field.type == FieldType.CODE:
        # One value object per listed code, shared by every record that carries it.
        listed = {code: shared(CodeValue(code=code, label=label)) for code, label in labels.items()}

        def code_value(node: RecordNode) -> CodeValue | None:
            code = _text(node._data.get(name))
            if code is None:
                return None
            return listed.get(code) or CodeValue(code=code, label=None)

        return code_value
    if field.type == FieldType.DATE:
        return lambda node: date_value(_text(node._data.get(name)))
    return lambda node: typed_value(_text(node._data.get(name)), field, labels)


def date_value(text: str | None) -> dt.date | None:
    """typed_value for a date, faster (dates are in most records): YYYY-MM-DD in ASCII digits
    read by the C parser, anything else null."""
    if text is None or len(text) != 10 or text[4] != "-" or text[7] != "-" or not text.isascii():
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:  # 2025-02-30, month 13, year 0, a letter among the digits
        return None
