"""What changed between two versions of a submission, record by record and field by field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ldp_graph.auth import policy
from ldp_graph.auth.principal import Principal
from ldp_graph.db.engine import Database
from ldp_graph.db.repositories import records as records_repository
from ldp_graph.db.repositories import submissions as submissions_repository
from ldp_graph.domain.submissions import StoredRecord
from ldp_graph.errors import NotFound
from ldp_graph.services import audit
from ldp_graph.services.submissions import readable_submission
from ldp_graph.validation.coercion import as_text

MAX_LISTED = 1000


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    old: str | None
    new: str | None


@dataclass(frozen=True, slots=True)
class RecordChange:
    entity: str
    key: str | None
    line: int | None  # the record's line in the later version
    changes: tuple[FieldChange, ...] = ()


@dataclass(frozen=True, slots=True)
class VersionDiff:
    from_number: int
    to_number: int
    added_count: int
    removed_count: int
    changed_count: int
    added: list[RecordChange]
    removed: list[RecordChange]
    changed: list[RecordChange]

    @property
    def truncated(self) -> bool:
        return max(self.added_count, self.removed_count, self.changed_count) > MAX_LISTED


def _by_key(records: list[StoredRecord]) -> dict[tuple[str, str | None], StoredRecord]:
    return {(r.entity, r.key): r for r in records}


def _field_changes(old: dict[str, Any], new: dict[str, Any]) -> tuple[FieldChange, ...]:
    # Compared as submitted text, so "" and a missing value are the same absence.
    changes = []
    for field in sorted(set(old) | set(new)):
        before, after = as_text(old.get(field)), as_text(new.get(field))
        if before != after:
            changes.append(FieldChange(field, before, after))
    return tuple(changes)


def compare(
    from_number: int, before: list[StoredRecord], to_number: int, after: list[StoredRecord]
) -> VersionDiff:
    old, new = _by_key(before), _by_key(after)
    added = [RecordChange(e, k, r.line) for (e, k), r in new.items() if (e, k) not in old]
    removed = [RecordChange(e, k, r.line) for (e, k), r in old.items() if (e, k) not in new]
    changed = []
    for (entity, key), record in new.items():
        if (entity, key) in old:
            changes = _field_changes(old[(entity, key)].data, record.data)
            if changes:
                changed.append(RecordChange(entity, key, record.line, changes))
    return VersionDiff(
        from_number=from_number,
        to_number=to_number,
        added_count=len(added),
        removed_count=len(removed),
        changed_count=len(changed),
        added=added[:MAX_LISTED],
        removed=removed[:MAX_LISTED],
        changed=changed[:MAX_LISTED],
    )


async def version_diff(
    database: Database,
    principal: Principal,
    *,
    submission_id: str,
    from_number: int,
    to_number: int,
) -> VersionDiff:
    found = await readable_submission(database, principal, submission_id)
    if found is None:
        raise NotFound(f"No submission {submission_id}.", field="submissionId")
    submission, collection = found
    if not policy.may_see_review(principal, collection, submission.council_code):
        # A grantee reads one version's granted fields; a diff is the history of every field.
        # The same answer as for a missing id, as for the other review operations.
        raise NotFound(f"No submission {submission_id}.", field="submissionId")
    async with database.transaction() as session:
        versions = []
        for number, field in ((from_number, "from"), (to_number, "to")):
            version = await submissions_repository.get_version(session, submission.id, number)
            if version is None:
                raise NotFound(f"No version {number} of this submission.", field=field)
            versions.append(version)
        before = await records_repository.list_records(session, versions[0].id)
        after = await records_repository.list_records(session, versions[1].id)
        # Reading records is always audited, diffs included.
        await audit.record(
            session,
            principal,
            "records.diff",
            subject_organisation_code=submission.council_code,
            collection_id=collection.id,
            record_count=len(before) + len(after),
            submission_id=submission.id,
            versions=[from_number, to_number],
        )
    return compare(from_number, before, to_number, after)
