"""Published aggregates in GraphQL: counts with small cells suppressed, each saying why."""

from __future__ import annotations

import strawberry

from ldp_graph.graphql.collections import Collection
from ldp_graph.graphql.context import Info
from ldp_graph.services import aggregates


@strawberry.type(description="One dimension's value of a cell; null code marks a total.")
class DimensionValue:
    dimension: str = strawberry.field(description="council, or a code-list field.")
    code: str | None = strawberry.field(description="The value; null in a total over it.")
    label: str | None = strawberry.field(description="The council's name or the code's label.")


@strawberry.type(description="One count of an aggregate table.")
class AggregateCell:
    values: list[DimensionValue] = strawberry.field(description="Its place in the table.")
    is_total: bool = strawberry.field(description="True for a total over a dimension.")
    count: int | None = strawberry.field(description="The count; null when suppressed.")
    suppressed: bool = strawberry.field(description="True when the count is hidden.")
    reason: str | None = strawberry.field(description="Why it is hidden, when it is.")


@strawberry.type(description="Counts by council and code-list fields, small cells suppressed.")
class AggregateTable:
    entity: str = strawberry.field(description="The entity counted.")
    dimensions: list[str] = strawberry.field(description="What it counts by.")
    threshold: int = strawberry.field(description="Counts below this (and above 0) are hidden.")
    submissions_counted: int = strawberry.field(description="Councils' versions counted.")
    cells: list[AggregateCell] = strawberry.field(
        description="Cells, then totals over each dimension, then the grand total."
    )


async def resolve_aggregate(
    collection: Collection,
    info: Info,
    entity: str,
    by: list[str],
    councils: list[str] | None,
) -> AggregateTable:
    found = await aggregates.aggregate(
        info.context.database,
        info.context.specs,
        info.context.principal,
        collection.domain,
        entity=entity,
        by=by,
        council_codes=councils,
    )
    names: dict[str, str] = {}
    if aggregates.COUNCIL in by:
        codes = sorted({c.key[by.index(aggregates.COUNCIL)] for c in found.table.cells} - {None})
        for org in await info.context.loaders.organisation_by_code.load_many(codes):
            if org is not None:
                names[org.code] = org.name

    def label(dimension: str, code: str | None) -> str | None:
        if code is None:
            return None
        if dimension == aggregates.COUNCIL:
            return names.get(code)
        return found.labels[dimension].get(code)

    cells = [
        AggregateCell(
            values=[
                DimensionValue(dimension=d, code=cell.key[i], label=label(d, cell.key[i]))
                for i, d in enumerate(by)
            ],
            is_total=cell.is_total or not by,
            count=cell.count,
            suppressed=cell.suppressed,
            reason=cell.reason,
        )
        for cell in found.table.cells
    ]
    return AggregateTable(
        entity=entity,
        dimensions=list(by),
        threshold=found.table.threshold,
        submissions_counted=found.submissions_counted,
        cells=cells,
    )
