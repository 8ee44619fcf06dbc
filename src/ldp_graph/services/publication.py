"""Publishing a collection: its validated submissions become readable by end users."""

from __future__ import annotations

import datetime as dt

from ldp_graph.auth import policy
from ldp_graph.auth.principal import Principal
from ldp_graph.db.engine import Database
from ldp_graph.db.repositories import collections as collections_repository
from ldp_graph.db.repositories import submissions as submissions_repository
from ldp_graph.domain.collections import Collection
from ldp_graph.domain.submissions import SubmissionState
from ldp_graph.errors import InvalidTransition, NotFound
from ldp_graph.services import audit


async def publish_collection(
    database: Database, principal: Principal, *, collection_id: str
) -> tuple[Collection, int]:
    """Publish every validated submission; returns the collection and how many were published."""
    now = dt.datetime.now(dt.UTC)
    async with database.transaction() as session:
        collection = await collections_repository.get(session, collection_id)
        if collection is None:
            raise NotFound(f"No collection {collection_id}.", field="collectionId")
        policy.require_owner(principal, collection, "publish it")
        validated = await submissions_repository.list_for_collections(
            session, [collection.id], states=[SubmissionState.VALIDATED]
        )
        if not validated:
            raise InvalidTransition(
                "No submission is validated yet; validate at least one before publishing.",
                field="collectionId",
            )
        for submission in validated:
            await submissions_repository.update(
                session, submission.id, state=SubmissionState.PUBLISHED, when=now
            )
            await audit.record(
                session,
                principal,
                "submission.publish",
                subject_organisation_code=submission.council_code,
                collection_id=collection.id,
                submission_id=submission.id,
                version=submission.validated_version,
            )
        if collection.published_at is None:
            await collections_repository.mark_published(session, collection.id, now)
        await audit.record(
            session,
            principal,
            "collection.publish",
            collection_id=collection.id,
            submissions=len(validated),
        )
        published = await collections_repository.get(session, collection.id)
    assert published is not None
    return published, len(validated)
