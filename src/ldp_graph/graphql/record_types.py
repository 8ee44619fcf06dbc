"""Typed record types generated from the return specifications: `ClasChild`, `ClasEpisode`...

Each entity of a spec becomes a type whose fields are the spec's fields, typed: dates as
Date, code-list fields as `CodeValue` (code and label), yes/no as Boolean. Several versions of
one spec (clas 2024-25 and 2025-26) share one type per entity, with the union of their fields.

Stored values are what the council sent (submissions are lenient), so a value that does not
parse resolves to null rather than failing the query, and `meta.raw` keeps the submitted
values: one JSON object rather than a twin `...Raw` field per field, which would double every
type for the rare reader who needs the text of a value that did not parse.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Optional

import strawberry
from strawberry.scalars import JSON

from ldp_graph.domain.submissions import StoredRecord
from ldp_graph.graphql.context import Info
from ldp_graph.graphql.organisations import Organisation
from ldp_graph.services.records import RecordScope, VersionRef
from ldp_graph.specs.model import FieldSpec, FieldType, ReturnSpec
from ldp_graph.validation.coercion import as_text, coerce

META_FIELD = "meta"
# GraphQL's Int is 32-bit: a larger submitted integer would fail the whole field with an
# error, so it resolves to null like any other value that cannot be given its type.
_INT_RANGE = range(-(2**31), 2**31)


def pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[_\-\s]+", name) if part)


@strawberry.type(description="A code-list value: the code as submitted, and its label.")
class CodeValue:
    code: str = strawberry.field(description="The code as submitted.")
    label: str | None = strawberry.field(
        description="Its label in the specification; null for a code outside the list."
    )


Converter = Callable[["RecordNode"], Any]


class RecordNode:
    """The root value behind a typed record: the stored row, its version, the caller's scope.

    Its fields are plain attributes to GraphQL, computed on access from the stored row, so
    strawberry's cheap attribute path serves them rather than one resolver call per field,
    and only the fields a query selects are ever computed.
    """

    __slots__ = ("_converters", "record", "scope", "version")

    def __init__(
        self,
        record: StoredRecord,
        version: VersionRef,
        scope: RecordScope,
        converters: dict[str, Converter],
    ) -> None:
        self.record = record
        self.version = version
        self.scope = scope
        self._converters = converters

    def __getattr__(self, name: str) -> Any:
        try:
            convert = self._converters[name]
        except KeyError:
            raise AttributeError(name) from None
        return convert(self)


@strawberry.type(description="Where a record comes from.")
class RecordMeta:
    key: str | None = strawberry.field(description="The record's key, e.g. the child id.")
    line: int | None = strawberry.field(description="Its line in the submitted source.")
    entity: str = strawberry.field(description="Its entity in the specification.")
    version_number: int = strawberry.field(description="The version it belongs to.")
    submission_id: strawberry.ID = strawberry.field(description="The submission it belongs to.")
    raw: JSON = strawberry.field(
        description=(
            "The values exactly as submitted, by field name (only the fields you may read): "
            "the text behind a typed field that resolved to null because it did not parse."
        )
    )
    council_code: strawberry.Private[str]

    @strawberry.field(description="The council whose return it is.")
    async def council(self, info: Info) -> Organisation:
        found = await info.context.loaders.organisation_by_code.load(self.council_code)
        assert found is not None
        return Organisation.from_domain(found)


def _meta(root: RecordNode) -> RecordMeta:
    record = root.record
    raw = {k: v for k, v in record.data.items() if root.scope.allows_field(record.entity, k)}
    return RecordMeta(
        key=record.key,
        line=record.line,
        entity=record.entity,
        version_number=root.version.number,
        submission_id=strawberry.ID(root.version.submission_id),
        raw=raw,
        council_code=root.version.council_code,
    )


_SCALARS: dict[FieldType, type] = {
    FieldType.STRING: str,
    FieldType.INTEGER: int,
    FieldType.NUMBER: float,
    FieldType.BOOLEAN: bool,
    FieldType.DATE: dt.date,
    FieldType.CODE: CodeValue,
}


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


def _converter(entity: str, name: str, field: FieldSpec, labels: dict[str, str]) -> Converter:
    def resolve(node: RecordNode) -> Any:
        if not node.scope.allows_field(entity, name):
            return None  # outside the caller's grant
        return typed_value(as_text(node.record.data.get(name)), field, labels)

    return resolve


Fields = dict[str, tuple[FieldSpec, dict[str, str]]]


def merged_fields(specs: list[ReturnSpec], entity: str) -> Fields:
    """Each field of `entity` across versions (the newest definition wins), with its labels."""
    merged: Fields = {}
    for spec in sorted(specs, key=lambda s: s.version):
        if entity not in spec.entities:
            continue
        for name, field in spec.entities[entity].fields.items():
            labels: dict[str, str] = {}
            if field.code_list is not None:
                labels = {c.code: c.label for c in spec.code_lists[field.code_list].codes}
            merged[name] = (field, labels)
    return merged


@dataclass
class EntityNode:
    name: str  # e.g. ClasChild
    type: type
    converters: dict[str, Converter]
    fields: Fields


def entity_node(prefix: str, entity: str, specs: list[ReturnSpec]) -> EntityNode:
    """The typed record type of one entity across every version of one spec."""
    name = f"{prefix}{pascal(entity)}"
    description = next(
        s.entities[entity].description for s in reversed(specs) if entity in s.entities
    )
    fields = merged_fields(specs, entity)
    if META_FIELD in fields:
        raise ValueError(f"{prefix}: field name {META_FIELD!r} is reserved for record metadata")
    namespace: dict[str, Any] = {
        "__annotations__": {
            **{
                field_name: Optional[_SCALARS[spec.type]]  # noqa: UP045
                for field_name, (spec, _labels) in fields.items()
            },
            META_FIELD: RecordMeta,
        },
        **{
            field_name: strawberry.field(description=spec.description or spec.label or field_name)
            for field_name, (spec, _labels) in fields.items()
        },
        META_FIELD: strawberry.field(
            description="Where the record comes from: key, line, council, submitted values."
        ),
    }
    node = strawberry.type(type(name, (), namespace), name=name, description=description)
    converters: dict[str, Converter] = {
        field_name: _converter(entity, field_name, spec, labels)
        for field_name, (spec, labels) in fields.items()
    }
    converters[META_FIELD] = _meta
    return EntityNode(name, node, converters, fields)
