"""Typed record types generated from the return specifications: `ClasChild`, `ClasEpisode`...

Each spec id gets a record-set type (`ClasRecords`) with one connection per entity; each
entity gets a type whose fields are the spec's fields, typed: dates as Date, code-list fields
as `CodeValue` (code and label), yes/no as Boolean. Stored values are what the council sent,
so a value that does not parse resolves to null, and `meta.raw` keeps the submitted text.
Several versions of one spec share one type per entity, with the union of their fields.
"""

from __future__ import annotations

import datetime as dt
import enum
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Optional

import strawberry
from strawberry.scalars import JSON

from ldp_graph.db.repositories.records import FieldFilter
from ldp_graph.domain.submissions import StoredRecord
from ldp_graph.graphql.context import Info
from ldp_graph.graphql.organisations import Organisation
from ldp_graph.graphql.pagination import PageInfo, cursor, offset_after
from ldp_graph.services import records as service
from ldp_graph.services.records import RecordScope, VersionRef
from ldp_graph.specs.model import FieldSpec, FieldType, ReturnSpec
from ldp_graph.specs.registry import SpecRegistry
from ldp_graph.validation.coercion import as_text, coerce

META_FIELD = "meta"


def pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[_\-\s]+", name) if part)


@strawberry.type(description="A code-list value: the code as submitted, and its label.")
class CodeValue:
    code: str = strawberry.field(description="The code as submitted.")
    label: str | None = strawberry.field(
        description="Its label in the specification; null for a code outside the list."
    )


@strawberry.enum(description="Sort direction.")
class SortDirection(enum.Enum):
    ASC = strawberry.enum_value("asc", description="Smallest first; missing values last.")
    DESC = strawberry.enum_value("desc", description="Largest first; missing values last.")


@strawberry.input(description="Conditions on a text or number field, compared as submitted text.")
class TextFilter:
    eq: str | None = strawberry.field(default=None, description="Equal to.")
    in_: list[str] | None = strawberry.field(default=None, name="in", description="One of.")
    is_null: bool | None = strawberry.field(default=None, description="Missing (or present).")


@strawberry.input(description="Conditions on a date field (ISO dates, YYYY-MM-DD).")
class DateFilter:
    eq: str | None = strawberry.field(default=None, description="On this day.")
    gte: str | None = strawberry.field(default=None, description="On or after.")
    lte: str | None = strawberry.field(default=None, description="On or before.")
    is_null: bool | None = strawberry.field(default=None, description="Missing (or present).")


@strawberry.input(description="Conditions on a code-list field, by code or by label.")
class CodeFilter:
    eq: str | None = strawberry.field(default=None, description="This code.")
    in_: list[str] | None = strawberry.field(default=None, name="in", description="One of these.")
    label: str | None = strawberry.field(
        default=None, description="The code whose label is this (any letter case)."
    )
    label_in: list[str] | None = strawberry.field(
        default=None, description="The codes whose labels are these."
    )
    is_null: bool | None = strawberry.field(default=None, description="Missing (or present).")


@strawberry.input(description="Conditions on a yes/no field.")
class BooleanFilter:
    eq: bool | None = strawberry.field(default=None, description="Yes (true) or no (false).")
    is_null: bool | None = strawberry.field(default=None, description="Missing (or present).")


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
    raw: JSON = strawberry.field(description="The values as submitted (the fields you may read).")
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


def _converter(entity: str, name: str, field: FieldSpec, labels: dict[str, str]) -> Converter:
    def resolve(node: RecordNode) -> Any:
        if not node.scope.allows_field(entity, name):
            return None
        text = as_text(node.record.data.get(name))
        if text is None:
            return None
        if field.type == FieldType.CODE:
            return CodeValue(code=text, label=labels.get(text))
        value = coerce(text, field.type)
        if field.type != FieldType.STRING and isinstance(value, str):
            return None  # did not parse: the report has flagged it; meta.raw keeps it
        return value

    return resolve


def _merged_fields(
    specs: list[ReturnSpec], entity: str
) -> dict[str, tuple[FieldSpec, dict[str, str]]]:
    """Each field of `entity` across versions (the newest definition wins), with its labels."""
    merged: dict[str, tuple[FieldSpec, dict[str, str]]] = {}
    for spec in sorted(specs, key=lambda s: s.version):
        if entity not in spec.entities:
            continue
        for name, field in spec.entities[entity].fields.items():
            labels: dict[str, str] = {}
            if field.code_list is not None:
                labels = {c.code: c.label for c in spec.code_lists[field.code_list].codes}
            merged[name] = (field, labels)
    return merged


_FILTERS: dict[FieldType, type] = {
    FieldType.STRING: TextFilter,
    FieldType.INTEGER: TextFilter,
    FieldType.NUMBER: TextFilter,
    FieldType.DATE: DateFilter,
    FieldType.CODE: CodeFilter,
    FieldType.BOOLEAN: BooleanFilter,
}


@dataclass
class EntityTypes:
    node: type
    converters: dict[str, Converter]
    where: type
    order: type
    fields: dict[str, tuple[FieldSpec, dict[str, str]]]
    edge: type
    connection: type


def _entity_types(prefix: str, entity: str, specs: list[ReturnSpec]) -> EntityTypes:
    name = f"{prefix}{pascal(entity)}"
    description = next(
        s.entities[entity].description for s in reversed(specs) if entity in s.entities
    )
    fields = _merged_fields(specs, entity)
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
            description="Where the record comes from: key, line, council."
        ),
    }
    node = strawberry.type(type(name, (), namespace), name=name, description=description)
    converters: dict[str, Converter] = {
        field_name: _converter(entity, field_name, spec, labels)
        for field_name, (spec, labels) in fields.items()
    }
    converters[META_FIELD] = _meta

    where_namespace: dict[str, Any] = {"__annotations__": {}}
    for field_name, (spec, _labels) in fields.items():
        where_namespace["__annotations__"][field_name] = Optional[_FILTERS[spec.type]]  # noqa: UP045
        where_namespace[field_name] = strawberry.field(
            default=None, description=f"Conditions on {spec.label or field_name}."
        )
    where = strawberry.input(
        type(f"{name}Where", (), where_namespace),
        name=f"{name}Where",
        description=f"Conditions on {entity} records; all given must hold.",
    )
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
    order = strawberry.input(
        type(
            f"{name}Order",
            (),
            {
                "__annotations__": {"field": field_enum, "direction": SortDirection},
                "field": strawberry.field(description="The field."),
                "direction": strawberry.field(
                    default=SortDirection.ASC, description="The direction."
                ),
            },
        ),
        name=f"{name}Order",
        description="One sort key; the record's version and position break ties.",
    )
    edge = strawberry.type(
        type(
            f"{name}Edge",
            (),
            {
                "__annotations__": {"cursor": str, "node": node},
                "cursor": strawberry.field(description="This record's cursor."),
                "node": strawberry.field(description="The record."),
            },
        ),
        name=f"{name}Edge",
        description=f"A {entity} record and its cursor.",
    )
    connection = strawberry.type(
        type(
            f"{name}Connection",
            (),
            {
                "__annotations__": {
                    "edges": list[edge],  # type: ignore[valid-type]
                    "nodes": list[node],  # type: ignore[valid-type]
                    "page_info": PageInfo,
                    "total_count": int,
                },
                "edges": strawberry.field(description="The records with their cursors."),
                "nodes": strawberry.field(description="The records."),
                "page_info": strawberry.field(description="Where this page sits."),
                "total_count": strawberry.field(description="Records matching, over all pages."),
            },
        ),
        name=f"{name}Connection",
        description=f"A page of {entity} records.",
    )
    return EntityTypes(node, converters, where, order, fields, edge, connection)


def field_filters(
    where: Any, fields: dict[str, tuple[FieldSpec, dict[str, str]]]
) -> list[FieldFilter]:
    """The repository's filters for a generated `...Where` input."""
    found: list[FieldFilter] = []
    if where is None:
        return found
    for name, (spec, labels) in fields.items():
        condition = getattr(where, name, None)
        if condition is None:
            continue
        if spec.type == FieldType.BOOLEAN:
            eq = None if condition.eq is None else ("Y" if condition.eq else "N")
            found.append(FieldFilter(name, eq=eq, is_null=condition.is_null))
            continue
        in_ = tuple(condition.in_) if getattr(condition, "in_", None) is not None else None
        if spec.type == FieldType.CODE and (condition.label or condition.label_in):
            asked = ([condition.label] if condition.label else []) + (condition.label_in or [])
            wanted = {text.casefold() for text in asked}
            codes = tuple(code for code, label in labels.items() if label.casefold() in wanted)
            in_ = tuple(set(in_) & set(codes)) if in_ is not None else codes
        found.append(
            FieldFilter(
                name,
                eq=condition.eq,
                in_=in_,
                gte=getattr(condition, "gte", None),
                lte=getattr(condition, "lte", None),
                is_null=condition.is_null,
            )
        )
    return found


def _connection_resolver(entity: str, types: EntityTypes) -> Callable[..., Any]:
    async def resolve(
        root: Any,
        info: Info,
        where: Any = None,
        order_by: Any = None,
        first: int = 100,
        after: str | None = None,
    ) -> Any:
        scope: RecordScope = root
        offset = offset_after(after)
        order = [(o.field.value, o.direction == SortDirection.DESC) for o in order_by or []]
        page = await service.read_page(
            info.context.database,
            info.context.principal,
            scope,
            entity,
            filters=field_filters(where, types.fields),
            order=order,
            offset=offset,
            limit=first,
        )
        converters = types.converters
        nodes = [
            RecordNode(r, page.versions[r.version_id], scope, converters) for r in page.records
        ]
        edges = [types.edge(cursor=cursor(offset + i), node=n) for i, n in enumerate(nodes)]
        return types.connection(
            edges=edges,
            nodes=nodes,
            page_info=PageInfo(
                has_next_page=offset + len(nodes) < page.total,
                end_cursor=cursor(offset + len(nodes) - 1) if nodes else None,
            ),
            total_count=page.total,
        )

    resolve.__annotations__ = {
        "root": strawberry.Parent[Any],
        "info": Info,
        "where": Annotated[
            Optional[types.where],  # noqa: UP045
            strawberry.argument(description="Conditions the records must meet."),
        ],
        "order_by": Annotated[
            Optional[list[types.order]],  # type: ignore[name-defined]  # noqa: UP045
            strawberry.argument(description="Sort keys, in order of importance."),
        ],
        "first": Annotated[
            int, strawberry.argument(description=f"Page size, 1 to {service.MAX_PAGE}.")
        ],
        "after": Annotated[
            Optional[str],  # noqa: UP045
            strawberry.argument(description="The endCursor of the previous page."),
        ],
        "return": types.connection,
    }
    return resolve


def _specs_by_id(registry: SpecRegistry) -> dict[str, list[ReturnSpec]]:
    found: dict[str, list[ReturnSpec]] = {}
    for spec in registry.all():
        found.setdefault(spec.id, []).append(spec)
    return found


def record_set_types(registry: SpecRegistry) -> dict[str, type]:
    """One record-set type per spec id (`ClasRecords`), with a connection per entity."""
    sets: dict[str, type] = {}
    for spec_id, specs in sorted(_specs_by_id(registry).items()):
        prefix = pascal(spec_id)
        latest = max(specs, key=lambda s: s.version)
        entities = list(dict.fromkeys(e for s in specs for e in s.entities))
        namespace: dict[str, Any] = {}
        for entity in entities:
            types = _entity_types(prefix, entity, specs)
            namespace[entity] = strawberry.field(
                resolver=_connection_resolver(entity, types),
                description=f"{pascal(entity)} records: filter, sort and page through them.",
            )
        sets[spec_id] = strawberry.type(
            type(f"{prefix}Records", (), namespace),
            name=f"{prefix}Records",
            description=f"Records of {latest.title} returns, typed by the {spec_id} specification.",
        )
    return sets


def scope_field_name(spec_id: str) -> str:
    """The GraphQL field giving a spec's records, e.g. `clas`."""
    camel = pascal(spec_id)
    return camel[:1].lower() + camel[1:]


def records_mixin(
    name: str,
    registry: SpecRegistry,
    scope_of: Callable[[Any, Info, str], Any],
    description: Callable[[str], str],
    arguments: dict[str, Any] | None = None,
) -> type:
    """A strawberry base type with one field per spec id, resolved to that spec's record set.

    `scope_of(parent, info, spec_id, **arguments)` returns the RecordScope, or None when the
    parent is not a return of that spec.
    """
    sets = record_set_types(registry)
    namespace: dict[str, Any] = {}
    for spec_id, record_set in sets.items():

        def make(spec_id: str, record_set: type) -> Callable[..., Any]:
            async def resolve(root: Any, info: Info, **kwargs: Any) -> Any:
                return await scope_of(root, info, spec_id, **kwargs)

            resolve.__annotations__ = {
                "root": strawberry.Parent[Any],
                "info": Info,
                **(arguments or {}),
                "return": Optional[record_set],  # noqa: UP045
            }
            # strawberry reads the arguments from the signature: spell them out.
            kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
            resolve.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
                [
                    inspect.Parameter("root", kind),
                    inspect.Parameter("info", kind, annotation=Info),
                    *(
                        inspect.Parameter(
                            n, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=a
                        )
                        for n, a in (arguments or {}).items()
                    ),
                ],
                return_annotation=Optional[record_set],  # noqa: UP045
            )
            return resolve

        namespace[scope_field_name(spec_id)] = strawberry.field(
            resolver=make(spec_id, record_set), description=description(spec_id)
        )
    return strawberry.type(type(name, (), namespace), name=name)
