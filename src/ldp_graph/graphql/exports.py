"""exportRecords: the same selection as a record query, as a CSV, NDJSON or Parquet file."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated

import strawberry

from ldp_graph import errors
from ldp_graph.db.repositories.records import FieldFilter
from ldp_graph.exports.formats import ExportFormat as DomainFormat
from ldp_graph.graphql.context import Info
from ldp_graph.graphql.errors import UserError, to_user_error
from ldp_graph.services import exports


@strawberry.enum(name="ExportFormat", description="File formats of an export.")
class ExportFormat(enum.Enum):
    CSV = strawberry.enum_value("csv", description="CSV, UTF-8, formula-safe for spreadsheets.")
    NDJSON = strawberry.enum_value("ndjson", description="One JSON object per line.")
    PARQUET = strawberry.enum_value("parquet", description="Apache Parquet, all text columns.")


@strawberry.input(description="A condition on one field, compared as submitted text.")
class ExportFilter:
    field: str = strawberry.field(description="The field, e.g. sex.")
    eq: str | None = strawberry.field(default=None, description="Equal to.")
    in_: list[str] | None = strawberry.field(default=None, name="in", description="One of.")
    gte: str | None = strawberry.field(default=None, description="At least (dates: on or after).")
    lte: str | None = strawberry.field(default=None, description="At most (dates: on or before).")
    is_null: bool | None = strawberry.field(default=None, description="Missing (or present).")


@strawberry.input(description="What to export: one entity of a collection's readable versions.")
class ExportRecordsInput:
    collection_id: strawberry.ID = strawberry.field(description="The collection.")
    entity: str = strawberry.field(description="The entity, e.g. child.")
    fields: list[str] | None = strawberry.field(
        default=None, description="The columns, in order; every field you may read if omitted."
    )
    filters: list[ExportFilter] = strawberry.field(
        default_factory=list, description="Conditions the records must meet."
    )
    councils: list[str] | None = strawberry.field(default=None, description="Only these councils.")
    format: ExportFormat = strawberry.field(default=ExportFormat.CSV, description="File format.")


@strawberry.type(description="The result of exportRecords: a short-lived download link.")
class ExportRecordsPayload:
    url: str | None = strawberry.field(description="GET it (no token needed) before it expires.")
    expires_at: dt.datetime | None = strawberry.field(description="When the link stops working.")
    errors: list[UserError] = strawberry.field(description="Why no link was made.")


@strawberry.type
class ExportMutations:
    @strawberry.mutation(
        description=(
            "Export records you may read as a file. The link acts for your token, is valid for "
            "10 minutes, and every page it reads is audited."
        )
    )
    async def export_records(
        self,
        info: Info,
        input: Annotated[ExportRecordsInput, strawberry.argument(description="The selection.")],
    ) -> ExportRecordsPayload:
        try:
            link = await exports.create_export(
                info.context.database,
                info.context.specs,
                info.context.principal,
                collection_id=input.collection_id,
                entity=input.entity,
                fields=input.fields,
                filters=[
                    FieldFilter(
                        f.field,
                        eq=f.eq,
                        in_=tuple(f.in_) if f.in_ is not None else None,
                        gte=f.gte,
                        lte=f.lte,
                        is_null=f.is_null,
                    )
                    for f in input.filters
                ],
                council_codes=input.councils,
                export_format=DomainFormat(input.format.value),
            )
        except errors.DomainError as exc:
            return ExportRecordsPayload(url=None, expires_at=None, errors=[to_user_error(exc)])
        base = str(info.context.request.base_url).rstrip("/")
        return ExportRecordsPayload(url=base + link.path, expires_at=link.expires_at, errors=[])
