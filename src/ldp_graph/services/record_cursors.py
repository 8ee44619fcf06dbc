"""Opaque keyset cursors for record pages: where the last record sat in its ordering.

A cursor carries the ordering it was made for and the record's sort values, version and id,
so the next page starts strictly after that record however many records arrive meanwhile
(an offset would repeat or skip records when another council's version lands between two
requests). A cursor is client input: its shape and the types of its values are checked.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Any

from ldp_graph.db.repositories.records import RecordPosition, SortKey
from ldp_graph.errors import InvalidInput
from ldp_graph.specs.model import FieldType

_VERSION = 1


def _ordering(order: Sequence[SortKey]) -> list[list[Any]]:
    return [[k.field, k.descending] for k in order]


def encode(order: Sequence[SortKey], position: RecordPosition) -> str:
    body = {
        "v": _VERSION,
        "o": _ordering(order),
        "p": [*position.values, position.version_id, position.record_id],
    }
    return base64.urlsafe_b64encode(json.dumps(body, separators=(",", ":")).encode()).decode()


def _value_fits(value: Any, field_type: FieldType) -> bool:
    if value is None:
        return True
    if field_type in (FieldType.INTEGER, FieldType.NUMBER):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if field_type == FieldType.BOOLEAN:
        return value in (0, 1) and not isinstance(value, bool)
    return isinstance(value, str)


def decode(after: str | None, order: Sequence[SortKey]) -> RecordPosition | None:
    """The position `after` points at; InvalidInput unless it was made for this ordering."""
    if after is None:
        return None
    wrong = InvalidInput("after is not a cursor of this connection.", field="after")
    try:
        body = json.loads(base64.urlsafe_b64decode(after.encode()))
    except (ValueError, binascii.Error, UnicodeError):
        raise wrong from None
    if not isinstance(body, dict) or body.get("v") != _VERSION:
        raise wrong
    if body.get("o") != _ordering(order):
        raise InvalidInput(
            "after was made for another orderBy: page with the order that made it.", field="after"
        )
    values = body.get("p")
    if not isinstance(values, list) or len(values) != len(order) + 2:
        raise wrong
    *sort_values, version_id, record_id = values
    fits = all(_value_fits(v, k.type) for v, k in zip(sort_values, order, strict=True))
    if not fits or not isinstance(version_id, str) or type(record_id) is not int:
        raise wrong
    return RecordPosition(tuple(sort_values), version_id, record_id)
