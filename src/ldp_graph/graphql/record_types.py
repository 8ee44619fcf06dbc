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

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Optional

import strawberry
from strawberry.scalars import JSON

from ldp_graph.domain.submissions import StoredRecord
from ldp_graph.graphql.cost import value_type
from ldp_graph.graphql.organisations import Organisation
from ldp_graph.graphql.record_values import CodeValue, Converter, converter
from ldp_graph.services.records import RecordScope, VersionRef
from ldp_graph.specs.model import FieldSpec, FieldType, ReturnSpec

META_FIELD = "meta"


def pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[_\-\s]+", name) if part)


class RecordNode:
    """The root value behind a typed record: the stored row, its version, the caller's scope.

    Each entity and set of readable fields gets a subclass (`record_class`) with one property
    per field, computed from the stored row on access, so only the fields a query selects are
    computed, and strawberry (or the fast completion in execution.py) reads them as plain
    attributes. A field outside the caller's grant is a class attribute None.
    """

    # Underscored: a spec's field names are identifiers starting with a letter, so no field's
    # property can shadow them.
    __slots__ = ("_council", "_data", "_record", "_scope", "_version")

    def __init__(
        self,
        record: StoredRecord,
        version: VersionRef,
        scope: RecordScope,
        council: Organisation | None,
    ) -> None:
        self._record = record
        self._data = record.data
        self._version = version
        self._scope = scope
        self._council = council


def record_class(
    name: str, converters: dict[str, Converter], readable: frozenset[str] | None
) -> type[RecordNode]:
    """The RecordNode subclass for an entity whose `readable` fields (None: all) may be read."""
    namespace: dict[str, Any] = {"__slots__": ()}
    for field, convert in converters.items():
        if readable is None or field in readable:
            namespace[field] = property(convert)
        else:
            namespace[field] = None
    namespace[META_FIELD] = property(_MetaView)
    return type(name, (RecordNode,), namespace)


@value_type
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
    council: Organisation = strawberry.field(description="The council whose return it is.")


class _MetaView:
    """A record's RecordMeta, its values read from the record when asked for rather than
    copied into a new object for every record of a page."""

    __slots__ = ("_node",)

    def __init__(self, node: RecordNode) -> None:
        self._node = node

    @property
    def key(self) -> str | None:
        # The key is the values of the entity's key fields: hidden unless they are all granted.
        node = self._node
        record = node._record
        version = node._version
        if version.fields is not None:
            spec = node._scope.spec.entities.get(record.entity)
            keys = spec.key if spec is not None else ()
            if not keys or not all(version.allows_field(record.entity, k) for k in keys):
                return None
        return record.key

    @property
    def line(self) -> int | None:
        return self._node._record.line

    @property
    def entity(self) -> str:
        return self._node._record.entity

    @property
    def version_number(self) -> int:
        return self._node._version.number

    @property
    def submission_id(self) -> str:
        return self._node._version.submission_id

    @property
    def council(self) -> Organisation | None:
        return self._node._council  # None only for a council not found: an error

    @property
    def raw(self) -> dict[str, Any]:
        node = self._node
        record = node._record
        version = node._version
        if version.fields is None:
            return record.data
        return {k: v for k, v in record.data.items() if version.allows_field(record.entity, k)}


_SCALARS: dict[FieldType, type] = {
    FieldType.STRING: str,
    FieldType.INTEGER: int,
    FieldType.NUMBER: float,
    FieldType.BOOLEAN: bool,
    FieldType.DATE: dt.date,
    FieldType.CODE: CodeValue,
}


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
    entity: str
    type: type
    converters: dict[str, Converter]
    fields: Fields
    _classes: dict[frozenset[str] | None, type[RecordNode]] = dataclasses.field(
        default_factory=dict
    )

    def nodes(
        self,
        records: list[StoredRecord],
        versions: dict[str, VersionRef],
        scope: RecordScope,
        councils: dict[str, Organisation | None],
    ) -> list[RecordNode]:
        """The root values of `records` as `scope` may read them: each record with the fields
        the caller may see in its own version, and its council (`councils`, by code, holds
        every council of `versions`: loaded once a page rather than once a record)."""
        made = {
            v: (self.node_class(ref.fields), ref, councils[ref.council_code])
            for v, ref in versions.items()
        }
        nodes: list[RecordNode] = []
        append = nodes.append
        for record in records:
            node_class, ref, council = made[record.version_id]
            append(node_class(record, ref, scope, council))
        return nodes

    def node_class(self, fields: frozenset[str] | None) -> type[RecordNode]:
        """The RecordNode subclass showing `fields` ("entity.field"; None: every field)."""
        readable = None
        if fields is not None:
            prefix = f"{self.entity}."
            readable = frozenset(f[len(prefix) :] for f in fields if f.startswith(prefix))
        node_class = self._classes.get(readable)
        if node_class is None:
            node_class = record_class(self.name, self.converters, readable)
            self._classes[readable] = node_class
        return node_class


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
    converters = {
        field_name: converter(field_name, spec, labels)
        for field_name, (spec, labels) in fields.items()
    }
    return EntityNode(name, entity, node, converters, fields)
