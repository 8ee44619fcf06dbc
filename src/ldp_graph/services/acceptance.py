"""The requester's verdict: mark a version validated, or write back the validated final state.

A write-back is a new version authored by the requester and linked to the version it corrects;
nothing is overwritten, so the council sees both its own version and the final one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ldp_graph.auth import policy
from ldp_graph.auth.principal import Principal
from ldp_graph.db.engine import Database
from ldp_graph.db.repositories import collections as collections_repository
from ldp_graph.db.repositories import review as review_repository
from ldp_graph.db.repositories import submissions as submissions_repository
from ldp_graph.domain.submissions import (
    REVIEWABLE,
    VALIDATABLE,
    SourceFormat,
    Submission,
    SubmissionState,
)
from ldp_graph.errors import Conflict, InvalidInput, InvalidTransition, NotFound, ValidationFailed
from ldp_graph.services import audit
from ldp_graph.services.review import load_for_change
from ldp_graph.services.submissions import (
    Submitted,
    check_records,
    content_hash_of_json,
    prevalidate,
    spec_of,
    store_version,
)
from ldp_graph.specs.registry import SpecRegistry


async def mark_validated(
    database: Database, principal: Principal, *, submission_id: str, version: int
) -> Submission:
    """Accept `version`, which must still be current, as the final validated state."""
    now = dt.datetime.now(dt.UTC)
    async with database.transaction() as session:
        submission, collection = await load_for_change(session, submission_id)
        if not policy.may_see_review(principal, collection, submission.council_code):
            raise NotFound(f"No submission {submission_id}.", field="submissionId")
        policy.require_owner(principal, collection, "validate submissions")
        if version != submission.current_version:
            # Optimistic concurrency: the council sent a version the requester has not seen.
            raise Conflict(
                f"Version {submission.current_version} is now current; review it before "
                "validating.",
                field="version",
            )
        if submission.state not in VALIDATABLE | {SubmissionState.PREVALIDATION_FAILED}:
            raise InvalidTransition(
                f"A {submission.state.value.replace('_', ' ')} submission cannot be validated.",
                field="submissionId",
            )
        current = await submissions_repository.get_version(session, submission.id, version)
        assert current is not None
        if not current.valid:
            raise InvalidTransition(
                f"Version {current.number} has {current.error_count} errors; the council must "
                "fix them, or you can write back a corrected version.",
                field="submissionId",
            )
        queries = (await review_repository.queries_of(session, [submission.id]))[submission.id]
        unresolved = [q for q in queries if q.unresolved]
        if unresolved:
            raise InvalidTransition(
                f"{len(unresolved)} data queries are not resolved yet.", field="submissionId"
            )
        await submissions_repository.update(
            session,
            submission.id,
            state=SubmissionState.VALIDATED,
            when=now,
            validated_version=current.number,
        )
        await audit.record(
            session,
            principal,
            "submission.validate",
            subject_organisation_code=submission.council_code,
            collection_id=collection.id,
            submission_id=submission.id,
            version=current.number,
        )
        updated = await submissions_repository.get(session, submission.id)
    assert updated is not None
    return updated


async def write_back(
    database: Database,
    registry: SpecRegistry,
    principal: Principal,
    *,
    submission_id: str,
    records: Any,
    note: str,
    based_on_version: int,
) -> Submitted:
    """Store the requester's corrected records as the validated final version."""
    note = note.strip()
    if not note:
        raise InvalidInput("Say what the write-back corrects, in a note.", field="note")
    checked = check_records(records)
    async with database.read() as session:
        submission = await submissions_repository.get(session, submission_id)
        collection = (
            await collections_repository.get(session, submission.collection_id)
            if submission
            else None
        )
    if (
        submission is None
        or collection is None
        or not policy.may_see_review(principal, collection, submission.council_code)
    ):
        raise NotFound(f"No submission {submission_id}.", field="submissionId")
    policy.require_owner(principal, collection, "write back validated data")
    spec = spec_of(registry, collection)
    report = await prevalidate(spec, collection, checked, None)
    if not report.valid:
        raise ValidationFailed(
            f"The corrected records still have {report.error_count} errors; nothing was stored.",
            field="records",
            error_count=report.error_count,
        )
    now = dt.datetime.now(dt.UTC)
    async with database.transaction() as session:
        submission, collection = await load_for_change(session, submission_id)
        if based_on_version != submission.current_version:
            # Optimistic concurrency: the council (or another reviewer) moved on meanwhile.
            raise Conflict(
                f"Version {submission.current_version} is now current; review it and write back "
                "against it.",
                field="basedOnVersion",
            )
        if submission.state not in REVIEWABLE:
            raise InvalidTransition(
                f"A {submission.state.value.replace('_', ' ')} submission takes no write-back.",
                field="submissionId",
            )
        number = submission.current_version + 1
        version = await store_version(
            session,
            spec,
            principal,
            submission.id,
            number,
            checked,
            None,
            report,
            source_format=SourceFormat.WRITE_BACK,
            content_hash=content_hash_of_json(checked),
            now=now,
            based_on_version=based_on_version,
            note=note,
        )
        await submissions_repository.update(
            session,
            submission.id,
            state=SubmissionState.VALIDATED,
            when=now,
            current_version=number,
            validated_version=number,
        )
        await audit.record(
            session,
            principal,
            "submission.write_back",
            subject_organisation_code=submission.council_code,
            collection_id=collection.id,
            record_count=version.record_count,
            submission_id=submission.id,
            version=number,
            based_on_version=based_on_version,
        )
        updated = await submissions_repository.get(session, submission.id)
    assert updated is not None
    return Submitted(updated, version, report, False)
