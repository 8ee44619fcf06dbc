"""Record sets (`ClasRecords`): one connection per entity, on versions and on collections.

Each spec id gets one field on `SubmissionVersion` and on `Collection` (`clas`, `cswq`, ...)
rather than one field returning a union: a query then reads
`currentVersion { clas { child(where: ...) { nodes { sex { label } } } } }` with no inline
fragment, and a field of the wrong spec is simply null. A union would force `... on
ClasRecords` into every query for no information the parent does not already give.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Optional

import strawberry
from strawberry.types.nodes import SelectedField, Selection

from ldp_graph.graphql.context import Info
from ldp_graph.graphql.organisations import Organisation, shared_organisation
from ldp_graph.graphql.pagination import PageInfo
from ldp_graph.graphql.record_filters import field_filters, order_input, sort_keys, where_input
from ldp_graph.graphql.record_types import EntityNode, entity_node, pascal
from ldp_graph.services import records as service
from ldp_graph.services.records import RecordPage, RecordScope
from ldp_graph.specs.model import ReturnSpec
from ldp_graph.specs.registry import SpecRegistry


def _connection_types(node: EntityNode, entity: str) -> tuple[type, type]:
    edge = strawberry.type(
        type(
            f"{node.name}Edge",
            (),
            {
                "__annotations__": {"cursor": str, "node": node.type},
                "cursor": strawberry.field(description="Pass as `after` to continue after it."),
                "node": strawberry.field(description="The record."),
            },
        ),
        name=f"{node.name}Edge",
        description=f"One {entity} record and its cursor.",
    )

    def edges(root: Any) -> Any:
        # Cursors are made only when edges are asked for: most readers page by endCursor.
        return [edge(cursor=root.page.cursor(i), node=n) for i, n in enumerate(root.nodes)]

    edges.__annotations__ = {"root": strawberry.Parent[Any], "return": list[edge]}  # type: ignore[valid-type]

    connection = strawberry.type(
        type(
            f"{node.name}Connection",
            (),
            {
                "__annotations__": {
                    "nodes": list[node.type],  # type: ignore[name-defined]
                    "page_info": PageInfo,
                    "total_count": int,
                    "page": strawberry.Private[RecordPage],
                },
                "edges": strawberry.field(
                    resolver=edges, description="The records with their cursors."
                ),
                "nodes": strawberry.field(description="The records."),
                "page_info": strawberry.field(description="Where this page sits."),
                "total_count": strawberry.field(description="Records matching, over all pages."),
            },
        ),
        name=f"{node.name}Connection",
        description=f"A page of {entity} records.",
    )
    return edge, connection


async def _councils(info: Info, page: RecordPage) -> dict[str, Organisation | None]:
    """The councils of a page's versions, by code: one batch of the loader for the page
    (cached per database handle), so `meta.council` is a plain value of every record. A
    council that could not be found (never: submissions name organisations by foreign key)
    is None, an error where `meta.council` is selected, as when it was loaded per record."""
    codes = sorted({v.council_code for v in page.versions.values()})
    found = await info.context.loaders.organisation_by_code.load_many(codes)
    return {
        code: shared_organisation(organisation) if organisation is not None else None
        for code, organisation in zip(codes, found, strict=True)
    }


def _selects(selections: list[Selection], name: str) -> bool:
    """Whether `selections` name the field `name`, directly or in a fragment, whatever its
    directives: a field that @skip or @include leaves out may be counted for nothing, but a
    field selected is never left without its value."""
    for selection in selections:
        if isinstance(selection, SelectedField):
            if selection.name == name:
                return True
        elif _selects(selection.selections, name):
            return True
    return False


def _connection_field(entity: str, node: EntityNode) -> Any:
    _edge, connection = _connection_types(node, entity)
    where = where_input(node.name, entity, node.fields)
    order = order_input(node.name, entity, node.fields)

    async def resolve(
        root: Any,
        info: Info,
        where: Any = None,
        order_by: Any = None,
        first: int = 100,
        after: str | None = None,
    ) -> Any:
        scope: RecordScope = root
        page = await service.read_page(
            info.context.database,
            info.context.principal,
            scope,
            entity,
            filters=field_filters(where, node.fields),
            order=sort_keys(order_by, node.fields),
            after=after,
            limit=first,
            max_page=info.context.settings.max_record_page_size,
            count=any(_selects(f.selections, "totalCount") for f in info.selected_fields),
        )
        nodes = node.nodes(page.records, page.versions, scope, await _councils(info, page))
        return connection(
            nodes=nodes,
            page_info=PageInfo(has_next_page=page.has_next, end_cursor=page.end_cursor),
            total_count=page.total,
            page=page,
        )

    resolve.__annotations__ = {
        "root": strawberry.Parent[Any],
        "info": Info,
        "where": Annotated[
            Optional[where],  # noqa: UP045
            strawberry.argument(description="Conditions the records must meet."),
        ],
        "order_by": Annotated[
            Optional[list[order]],  # type: ignore[valid-type]  # noqa: UP045
            strawberry.argument(description="Sort keys, in order of importance."),
        ],
        "first": Annotated[
            int,
            strawberry.argument(
                description=f"Page size, 1 to the server's maximum ({service.MAX_PAGE:,} unless "
                "set)."
            ),
        ],
        "after": Annotated[
            Optional[str],  # noqa: UP045
            strawberry.argument(
                description="The endCursor of the previous page, with the same orderBy."
            ),
        ],
        "return": connection,
    }
    return strawberry.field(
        resolver=resolve,
        description=f"{pascal(entity)} records: filter, sort and page through them.",
    )


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
        namespace = {e: _connection_field(e, entity_node(prefix, e, specs)) for e in entities}
        sets[spec_id] = strawberry.type(
            type(f"{prefix}Records", (), namespace),
            name=f"{prefix}Records",
            description=(
                f"Records of {latest.title} returns, typed by the {spec_id} specification. "
                "A field outside your grant resolves to null and may not be filtered or "
                "sorted on; every page read is audited."
            ),
        )
    return sets


def scope_field_name(spec_id: str) -> str:
    """The GraphQL field giving a spec's records, e.g. `clas`."""
    camel = pascal(spec_id)
    return camel[:1].lower() + camel[1:]


ScopeOf = Callable[..., Awaitable[RecordScope | None]]


def records_mixin(
    name: str,
    registry: SpecRegistry,
    scope_of: ScopeOf,
    description: Callable[[str], str],
    arguments: dict[str, Any] | None = None,
) -> type:
    """A strawberry base type with one field per spec id, resolved to that spec's record set.

    `scope_of(parent, info, spec_id, **arguments)` returns the RecordScope, or None when the
    parent is not a return of that spec.
    """
    namespace: dict[str, Any] = {}
    for spec_id, record_set in record_set_types(registry).items():

        def make(spec_id: str, record_set: type) -> Callable[..., Any]:
            async def resolve(root: Any, info: Info, **kwargs: Any) -> Any:
                return await scope_of(root, info, spec_id, **kwargs)

            # strawberry reads the arguments from the signature: spell them out.
            kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
            resolve.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
                [
                    inspect.Parameter("root", kind, annotation=strawberry.Parent[Any]),
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
            resolve.__annotations__ = {
                "root": strawberry.Parent[Any],
                "info": Info,
                **(arguments or {}),
                "return": Optional[record_set],  # noqa: UP045
            }
            return resolve

        namespace[scope_field_name(spec_id)] = strawberry.field(
            resolver=make(spec_id, record_set), description=description(spec_id)
        )
    return strawberry.type(type(name, (), namespace), name=name)
