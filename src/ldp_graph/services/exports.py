"""Exports: the same record selection as a query, delivered as a file through a short link.

`create_export` checks the request and returns a one-purpose link valid for a few minutes;
the download acts for the token that asked (re-checked when it starts, so a revoked token's
link dies with it) and reads page by page, each page audited like any record read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from ldp_graph.auth.principal import Principal
from ldp_graph.db.engine import Database
from ldp_graph.db.repositories import exports as repository
from ldp_graph.db.repositories.records import FieldFilter
from ldp_graph.domain.ids import new_id
from ldp_graph.errors import InvalidInput, NotAuthenticated, NotFound, NotPermitted
from ldp_graph.exports.formats import ExportFormat, Row
from ldp_graph.services import audit, collections, records, tokens
from ldp_graph.services.submissions import spec_of
from ldp_graph.specs.registry import SpecRegistry

LINK_MINUTES = 10
PAGE = 5000


@dataclass(frozen=True, slots=True)
class ExportLink:
    path: str
    expires_at: dt.datetime


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def create_export(
    database: Database,
    registry: SpecRegistry,
    principal: Principal,
    *,
    collection_id: str,
    entity: str,
    fields: Sequence[str] | None,
    filters: Sequence[FieldFilter],
    council_codes: Sequence[str] | None,
    export_format: ExportFormat,
) -> ExportLink:
    if principal.token_id is None:
        raise NotPermitted("Sign in with a token to export records.")
    collection = await collections.get_collection(database, collection_id)
    spec = spec_of(registry, collection)
    if entity not in spec.entities:
        raise InvalidInput(f"{spec.id} has no entity {entity}.", field="entity")
    known = spec.entities[entity].fields
    columns = list(fields) if fields else list(known)
    unknown = [f for f in columns + [f.field for f in filters] if f not in known]
    if unknown:
        raise InvalidInput(f"{entity} has no fields {', '.join(unknown)}.", field="fields")
    scope = await records.collection_scope(
        database, registry, principal, collection, spec_id=spec.id, council_codes=council_codes
    )
    assert scope is not None
    refused = [c for c in columns if not scope.allows_field(entity, c)]
    if refused:
        raise NotPermitted(f"You may not read {', '.join(refused)}.")
    secret = secrets.token_urlsafe(32)
    now = dt.datetime.now(dt.UTC)
    expires_at = now + dt.timedelta(minutes=LINK_MINUTES)
    params = {
        "collection_id": collection.id,
        "entity": entity,
        "columns": columns,
        "filters": [_filter_dict(f) for f in filters],
        "councils": list(council_codes) if council_codes is not None else None,
        "format": export_format.value,
    }
    async with database.transaction() as session:
        await repository.purge_expired(session, now=now)
        await repository.insert(
            session,
            link_id=new_id("exp"),
            token_hash=_hash(secret),
            organisation_code=principal.organisation_code,
            role=str(principal.role),
            token_id=principal.token_id,
            params=params,
            created_at=now,
            expires_at=expires_at,
        )
        await audit.record(
            session,
            principal,
            "export.create",
            collection_id=collection.id,
            entity=entity,
            format=export_format.value,
        )
    return ExportLink(f"/exports/{secret}", expires_at)


def _filter_dict(f: FieldFilter) -> dict[str, Any]:
    return {
        "field": f.field,
        "eq": f.eq,
        "in_": list(f.in_) if f.in_ is not None else None,
        "gte": f.gte,
        "lte": f.lte,
        "is_null": f.is_null,
    }


@dataclass(frozen=True, slots=True)
class OpenedExport:
    format: ExportFormat
    filename: str
    pages: AsyncIterator[list[Row]]
    columns: list[str]


async def open_export(database: Database, registry: SpecRegistry, secret: str) -> OpenedExport:
    """The export behind a link, for the token that made it; NotFound for a dead link."""
    async with database.read() as session:
        link = await repository.find(session, _hash(secret))
    if link is None or link.expires_at <= dt.datetime.now(dt.UTC) or link.token_id is None:
        raise NotFound("This export link is unknown or has expired; ask for a new one.")
    try:
        principal = await tokens.principal_of_token_id(database, link.token_id)
    except NotAuthenticated:
        raise NotFound("The token that made this export link is no longer valid.") from None
    params = link.params
    collection = await collections.get_collection(database, params["collection_id"])
    spec = spec_of(registry, collection)
    scope = await records.collection_scope(
        database,
        registry,
        principal,
        collection,
        spec_id=spec.id,
        council_codes=params["councils"],
    )
    assert scope is not None
    filters = [
        FieldFilter(
            f["field"],
            eq=f["eq"],
            in_=tuple(f["in_"]) if f["in_"] is not None else None,
            gte=f["gte"],
            lte=f["lte"],
            is_null=f["is_null"],
        )
        for f in params["filters"]
    ]
    entity = params["entity"]
    columns = [c for c in params["columns"] if scope.allows_field(entity, c)]

    async def pages() -> AsyncIterator[list[Row]]:
        offset = 0
        while True:
            page = await records.read_page(
                database, principal, scope, entity, filters=filters, offset=offset, limit=PAGE
            )
            if not page.records:
                return
            yield [r.data for r in page.records]
            offset += len(page.records)
            if offset >= page.total:
                return

    export_format = ExportFormat(params["format"])
    filename = f"{spec.id}-{entity}-{collection.id}.{export_format.value}"
    return OpenedExport(export_format, filename, pages(), columns)
