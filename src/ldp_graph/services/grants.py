"""Grants: the owner of a collection shares its data with another body, field by field."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from ldp_graph.auth import policy
from ldp_graph.auth.principal import Principal
from ldp_graph.db.engine import Database
from ldp_graph.db.repositories import collections as collections_repository
from ldp_graph.db.repositories import grants as repository
from ldp_graph.db.repositories import organisations as organisations_repository
from ldp_graph.domain.collections import Collection
from ldp_graph.domain.grants import AccessLevel, Grant
from ldp_graph.domain.ids import new_id
from ldp_graph.domain.submissions import SubmissionState
from ldp_graph.errors import InvalidInput, InvalidTransition, NotFound
from ldp_graph.services import audit
from ldp_graph.services.submissions import spec_of
from ldp_graph.specs.registry import SpecRegistry

# A grant never reaches data before the owner has validated it.
GRANTABLE_STATES = (SubmissionState.VALIDATED, SubmissionState.PUBLISHED)


async def create_grant(
    database: Database,
    registry: SpecRegistry,
    principal: Principal,
    *,
    collection_id: str,
    grantee_code: str,
    level: AccessLevel,
    fields: Sequence[str] | None,
    min_state: SubmissionState,
) -> Grant:
    if level == AccessLevel.NONE:
        raise InvalidInput("A grant gives RECORDS or AGGREGATES.", field="level")
    if min_state not in GRANTABLE_STATES:
        raise InvalidInput(
            "A grant starts at VALIDATED or PUBLISHED: others never see unreviewed data.",
            field="minState",
        )
    now = dt.datetime.now(dt.UTC)
    async with database.transaction() as session:
        collection = await collections_repository.get(session, collection_id)
        if collection is None:
            raise NotFound(f"No collection {collection_id}.", field="collectionId")
        policy.require_owner(principal, collection, "grant access to its data")
        spec = spec_of(registry, collection)
        if fields is not None:
            unknown = [
                f
                for f in fields
                if (entity := f.partition(".")[0]) not in spec.entities
                or f.partition(".")[2] not in spec.entities[entity].fields
            ]
            if unknown or not fields:
                raise InvalidInput(
                    f"Not fields of {spec.id}: {', '.join(unknown) or '(none given)'}; "
                    "name them entity.field, e.g. child.sex.",
                    field="fields",
                )
        (grantee,) = await organisations_repository.get_many(session, [grantee_code])
        if grantee is None:
            raise NotFound(f"No organisation {grantee_code}.", field="grantee")
        if grantee.code == collection.owner_code:
            raise InvalidInput("The owner needs no grant.", field="grantee")
        grant = Grant(
            id=new_id("gr"),
            collection_id=collection.id,
            grantee_code=grantee.code,
            level=level,
            fields=frozenset(fields) if fields is not None else None,
            min_state=min_state,
            created_by_code=principal.organisation_code or "",
            created_at=now,
            revoked_at=None,
        )
        await repository.insert(session, grant)
        await audit.record(
            session,
            principal,
            "grant.create",
            subject_organisation_code=grantee.code,
            collection_id=collection.id,
            grant_id=grant.id,
            level=level.name.lower(),
            fields=sorted(grant.fields) if grant.fields is not None else None,
            min_state=min_state.value,
        )
    return grant


async def revoke_grant(database: Database, principal: Principal, *, grant_id: str) -> Grant:
    now = dt.datetime.now(dt.UTC)
    async with database.transaction() as session:
        grant = await repository.get(session, grant_id)
        collection = (
            await collections_repository.get(session, grant.collection_id) if grant else None
        )
        if grant is None or collection is None or not policy.owns_collection(principal, collection):
            raise NotFound(f"No grant {grant_id} of yours.", field="grantId")
        if not grant.active:
            raise InvalidTransition("The grant is already revoked.", field="grantId")
        await repository.revoke(session, grant.id, now)
        await audit.record(
            session,
            principal,
            "grant.revoke",
            subject_organisation_code=grant.grantee_code,
            collection_id=collection.id,
            grant_id=grant.id,
        )
    return dataclasses.replace(grant, revoked_at=now)


async def visible_grants(
    database: Database, principal: Principal, collections: Sequence[Collection]
) -> list[list[Grant]]:
    """For each collection: the owner sees every grant on it; a grantee sees its own."""
    async with database.read() as session:
        found = await repository.list_for_collections(session, [c.id for c in collections])
    return [
        found[c.id]
        if policy.owns_collection(principal, c)
        else [g for g in found[c.id] if g.grantee_code == principal.organisation_code]
        for c in collections
    ]
