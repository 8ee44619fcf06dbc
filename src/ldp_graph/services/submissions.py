"""Submitting a return and reading submissions: the council's side of the flow.

A submission is atomic: its version, every record, the validation report and the audit event
are written in one transaction, or nothing is. Pre-validation runs before that transaction (it
is CPU work, done off the event loop), so a failing return is still stored with its report.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ldp_graph.auth import policy
from ldp_graph.auth.principal import Principal
from ldp_graph.db.engine import Database
from ldp_graph.db.repositories import collections as collections_repository
from ldp_graph.db.repositories import grants as grants_repository
from ldp_graph.db.repositories import idempotency as idempotency_repository
from ldp_graph.db.repositories import records as records_repository
from ldp_graph.db.repositories import submissions as repository
from ldp_graph.domain.collections import Collection
from ldp_graph.domain.ids import new_id
from ldp_graph.domain.submissions import (
    RESUBMITTABLE,
    SourceFormat,
    Submission,
    SubmissionState,
    SubmissionVersion,
    after_prevalidation,
)
from ldp_graph.errors import Conflict, InvalidInput, InvalidTransition, NotFound
from ldp_graph.ingest import EntityCsv, IngestError, Source, parse_files
from ldp_graph.ingest.parsed import IngestProblem
from ldp_graph.ingest.report import with_ingest_problems
from ldp_graph.metrics import SUBMISSIONS, VALIDATION
from ldp_graph.services import audit
from ldp_graph.specs.model import Period, ReturnSpec, Severity
from ldp_graph.specs.registry import SpecRegistry
from ldp_graph.validation.chunked import RowChunks, validate_in_chunks
from ldp_graph.validation.engine import UnknownEntities, validate
from ldp_graph.validation.frames import TextFrame
from ldp_graph.validation.report import Issue, RuleCount, ValidationReport

MAX_SUBMITTED_RECORDS = 2_000_000
# Every issue is kept with its version (up to this many) so issues can be followed across
# versions; the report's counts are exact whatever this cap.
MAX_STORED_ISSUES = 100_000
# DESIGN: idempotency keys are kept at least 24 hours. After that a key has lapsed: a retry
# with it stores a new version, and the key is purged when the next key is stored.
IDEMPOTENCY_KEY_LIFETIME = dt.timedelta(hours=24)

Records = Mapping[str, Sequence[Mapping[str, Any]]]


@dataclass(frozen=True, slots=True)
class Submitted:
    """What a council gets back at once: the stored version and its validation report."""

    submission: Submission
    version: SubmissionVersion
    report: ValidationReport
    replayed: bool  # True when an idempotency key returned an earlier result


def content_hash_of_json(records: Records) -> str:
    canonical = json.dumps(records, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def report_summary(report: ValidationReport) -> dict[str, Any]:
    """The report as stored with its version; the issues themselves go to their own table."""
    return {
        "spec_id": report.spec_id,
        "spec_version": report.spec_version,
        "valid": report.valid,
        "error_count": report.error_count,
        "query_count": report.query_count,
        "records_checked": report.records_checked,
        "counts": [
            {
                "rule_id": c.rule_id,
                "severity": c.severity.value,
                "problems": c.problems,
                "rows": c.rows,
            }
            for c in report.counts
        ],
        "issues_truncated": report.issues_truncated,
    }


def check_records(records: Any, limit: int = MAX_SUBMITTED_RECORDS) -> Records:
    """JSON records as the engine takes them, or InvalidInput saying what is wrong."""
    if not isinstance(records, dict):
        raise InvalidInput(
            "records must be an object of entity name to a list of rows.", field="records"
        )
    total = 0
    unread = False
    for entity, rows in records.items():
        if isinstance(rows, RowChunks):  # uploaded files, counted as validation reads them
            if rows.rows_read is None:
                unread = True
            else:
                total += len(rows)
            continue
        if isinstance(rows, TextFrame):  # parsed files: rows of text by construction
            total += len(rows)
            continue
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise InvalidInput(f"records.{entity} must be a list of objects.", field="records")
        total += len(rows)
    if total == 0 and not unread:
        raise InvalidInput("The return holds no records.", field="records")
    if total > limit:
        raise InvalidInput(
            f"At most {limit} records go in one request; upload files instead.", field="records"
        )
    return records


async def prevalidate(
    spec: ReturnSpec,
    collection: Collection,
    records: Records,
    lines: Mapping[str, Sequence[int]] | None,
    ingest_problems: Sequence[IngestProblem] = (),
) -> ValidationReport:
    period = Period(start=collection.period_start, end=collection.period_end)
    # Uploaded files are read here a chunk at a time (and again when stored), never whole.
    streamed = any(isinstance(rows, RowChunks) for rows in records.values())
    check = validate_in_chunks if streamed else validate
    try:
        with VALIDATION.time():
            report = await asyncio.to_thread(
                check, spec, records, period=period, lines=lines, max_issues=MAX_STORED_ISSUES
            )
    except UnknownEntities as exc:
        raise InvalidInput(str(exc), field="records") from None
    except IngestError as exc:  # a streamed file that cannot be read after all
        raise InvalidInput(exc.message, field="files") from None
    return with_ingest_problems(report, ingest_problems)


async def submit_files(
    database: Database,
    registry: SpecRegistry,
    principal: Principal,
    *,
    collection_id: str,
    files: Sequence[tuple[str, Source]],
    flat: bool = False,
    idempotency_key: str | None = None,
    today: dt.date | None = None,
) -> Submitted:
    """Submit the files a case-management system exports: entity CSVs, a zip, or a flat CSV."""
    collection, _council = await _open_for_submitter(database, principal, collection_id, today)
    spec = spec_of(registry, collection)
    try:
        parsed = await asyncio.to_thread(parse_files, spec, files, flat=flat, stream=True)
    except IngestError as exc:
        raise InvalidInput(exc.message, field="files") from None
    try:
        return await submit_return(
            database,
            registry,
            principal,
            collection_id=collection_id,
            records=parsed.records,
            lines=parsed.lines,
            source_format=parsed.source_format,
            content_hash=parsed.content_hash,
            idempotency_key=idempotency_key,
            ingest_problems=parsed.problems,
            today=today,
        )
    finally:
        for rows in parsed.records.values():
            if isinstance(rows, EntityCsv):
                rows.close()  # its spooled chunks, at once rather than when collected


async def _open_for_submitter(
    database: Database, principal: Principal, collection_id: str, today: dt.date | None
) -> tuple[Collection, str]:
    """The collection, if it is open and the principal submits for a council it asks."""
    async with database.read() as session:
        collection = await collections_repository.get(session, collection_id)
    if collection is None:
        raise NotFound(f"No collection {collection_id}.", field="collectionId")
    council_code = principal.organisation_code or ""
    policy.require_submitter(principal, collection, council_code, "submit a return")
    if not collection.is_open_on(today or dt.date.today()):
        raise InvalidTransition(
            f"Collection {collection.id} opens on {collection.opens_on.isoformat()}.",
            field="collectionId",
        )
    return collection, council_code


def spec_of(registry: SpecRegistry, collection: Collection) -> ReturnSpec:
    spec = registry.get(collection.spec_id, collection.spec_version)
    if spec is None:  # a deployed spec was removed: an operator error, not the caller's
        raise NotFound(f"The specification {collection.spec_id} {collection.spec_version} is gone.")
    return spec


async def submit_return(
    database: Database,
    registry: SpecRegistry,
    principal: Principal,
    *,
    collection_id: str,
    records: Any,
    lines: Mapping[str, Sequence[int]] | None = None,
    source_format: SourceFormat = SourceFormat.JSON,
    content_hash: str | None = None,
    idempotency_key: str | None = None,
    ingest_problems: Sequence[IngestProblem] = (),
    today: dt.date | None = None,
) -> Submitted:
    """Store a council's return as a new version with its pre-validation report."""
    collection, council_code = await _open_for_submitter(database, principal, collection_id, today)
    checked = check_records(records)
    content_hash = content_hash or content_hash_of_json(checked)
    request_hash = hashlib.sha256(f"{collection.id}|{content_hash}".encode()).hexdigest()
    if idempotency_key is not None:
        replay = await _replay(database, principal, idempotency_key, request_hash)
        if replay is not None:
            return replay
    spec = spec_of(registry, collection)
    report = await prevalidate(spec, collection, checked, lines, ingest_problems)
    if any(isinstance(rows, RowChunks) for rows in checked.values()):
        check_records(checked)  # streamed files have been counted now
    try:
        return await _store(
            database,
            spec,
            principal,
            collection,
            council_code,
            checked,
            lines,
            report,
            source_format=source_format,
            content_hash=content_hash,
            idempotency=(idempotency_key, request_hash) if idempotency_key else None,
        )
    except IntegrityError:
        # Another request stored a version (or used this idempotency key) at the same moment.
        raise Conflict(
            "Another submission for this council and collection was being stored at the same "
            "time; fetch the submission and retry if needed.",
            field="idempotencyKey" if idempotency_key else "collectionId",
        ) from None


async def _replay(
    database: Database, principal: Principal, key: str, request_hash: str
) -> Submitted | None:
    if not 1 <= len(key) <= 200:
        raise InvalidInput("An idempotency key is 1 to 200 characters.", field="idempotencyKey")
    async with database.read() as session:
        found = await idempotency_repository.find(
            session,
            principal.identity,
            key,
            created_since=dt.datetime.now(dt.UTC) - IDEMPOTENCY_KEY_LIFETIME,
        )
        if found is None:
            return None
        if found.request_hash != request_hash:
            raise InvalidInput(
                "This idempotency key was used for a different request; use a new key.",
                field="idempotencyKey",
            )
        (version,) = await repository.get_versions_by_id(session, [found.result_version_id])
        assert version is not None
        submission = await repository.get(session, version.submission_id)
        assert submission is not None
        issues = await records_repository.list_issues(session, [version.id])
    return Submitted(submission, version, stored_report(version, issues[version.id]), True)


async def _store(
    database: Database,
    spec: ReturnSpec,
    principal: Principal,
    collection: Collection,
    council_code: str,
    records: Records,
    lines: Mapping[str, Sequence[int]] | None,
    report: ValidationReport,
    *,
    source_format: SourceFormat,
    content_hash: str,
    idempotency: tuple[str, str] | None,
) -> Submitted:
    now = dt.datetime.now(dt.UTC)
    state = after_prevalidation(report.valid)
    async with database.transaction() as session:
        existing = await repository.find(session, collection.id, council_code, for_update=True)
        if existing is None:
            number = 1
            submission = Submission(
                id=new_id("sub"),
                collection_id=collection.id,
                council_code=council_code,
                state=state,
                current_version=number,
                validated_version=None,
                created_at=now,
                updated_at=now,
            )
            await repository.insert(session, submission)
        else:
            if existing.state not in RESUBMITTABLE:
                raise InvalidTransition(
                    f"The submission is {existing.state.value}; it can no longer be replaced. "
                    "Ask the requester to reopen it.",
                    field="collectionId",
                )
            number = existing.current_version + 1
            submission = dataclasses.replace(
                existing, state=state, current_version=number, updated_at=now
            )
            await repository.update(
                session, submission.id, state=state, when=now, current_version=number
            )
        version = await store_version(
            session,
            spec,
            principal,
            submission.id,
            number,
            records,
            lines,
            report,
            source_format=source_format,
            content_hash=content_hash,
            now=now,
        )
        if idempotency is not None:
            await idempotency_repository.purge(
                session, created_before=now - IDEMPOTENCY_KEY_LIFETIME
            )
            await idempotency_repository.insert(
                session,
                principal=principal.identity,
                key=idempotency[0],
                request_hash=idempotency[1],
                result_version_id=version.id,
                when=now,
            )
        await audit.record(
            session,
            principal,
            "submission.submit",
            subject_organisation_code=council_code,
            collection_id=collection.id,
            record_count=version.record_count,
            submission_id=submission.id,
            version=number,
            state=state.value,
            source_format=source_format.value,
        )
    SUBMISSIONS.labels(source_format.value, state.value).inc()
    return Submitted(submission, version, report, False)


async def store_version(
    session: AsyncSession,
    spec: ReturnSpec,
    author: Principal,
    submission_id: str,
    number: int,
    records: Records,
    lines: Mapping[str, Sequence[int]] | None,
    report: ValidationReport,
    *,
    source_format: SourceFormat,
    content_hash: str,
    now: dt.datetime,
    based_on_version: int | None = None,
    note: str = "",
) -> SubmissionVersion:
    """Write one immutable version: its row, every record, and every issue of its report."""
    assert author.organisation_code is not None  # only organisations' members store versions
    version = SubmissionVersion(
        id=new_id("ver"),
        submission_id=submission_id,
        number=number,
        author_code=author.organisation_code,
        author_role=str(author.role),
        source_format=source_format,
        content_hash=content_hash,
        record_count=sum(len(rows) for rows in records.values()),
        based_on_version=based_on_version,
        note=note,
        valid=report.valid,
        error_count=report.error_count,
        query_count=report.query_count,
        report=report_summary(report),
        created_at=now,
    )
    await repository.insert_version(session, version)
    entity_keys = {name: entity.key for name, entity in spec.entities.items()}
    await records_repository.insert_records(session, version.id, entity_keys, records, lines)
    await records_repository.insert_issues(session, version.id, report.issues)
    return version


def stored_report(version: SubmissionVersion, issues: Sequence[Issue]) -> ValidationReport:
    """Rebuild a version's report from its stored summary and issues."""
    summary = version.report
    return ValidationReport(
        spec_id=summary["spec_id"],
        spec_version=summary["spec_version"],
        valid=summary["valid"],
        error_count=summary["error_count"],
        query_count=summary["query_count"],
        records_checked=dict(summary["records_checked"]),
        counts=[
            RuleCount(c["rule_id"], Severity(c["severity"]), c["problems"], c["rows"])
            for c in summary["counts"]
        ],
        issues=list(issues),
        issues_truncated=summary["issues_truncated"],
    )


# --- reading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubmissionsOf:
    """Which submissions of a collection are asked for (equal when the same are asked)."""

    collection: Collection = field(compare=False)
    collection_id: str
    council_codes: tuple[str, ...] | None = None
    states: tuple[SubmissionState, ...] | None = None

    def wants(self, submission: Submission) -> bool:
        return (self.council_codes is None or submission.council_code in self.council_codes) and (
            self.states is None or submission.state in self.states
        )


async def visible_submissions(
    database: Database,
    principal: Principal,
    collection: Collection,
    *,
    council_codes: Sequence[str] | None = None,
    states: Sequence[SubmissionState] | None = None,
) -> list[Submission]:
    """The submissions to `collection` whose records the principal may read."""
    asked = SubmissionsOf(
        collection,
        collection.id,
        tuple(council_codes) if council_codes is not None else None,
        tuple(states) if states is not None else None,
    )
    return (await visible_submissions_of(database, principal, [asked]))[0]


async def visible_submissions_of(
    database: Database, principal: Principal, asked: Sequence[SubmissionsOf]
) -> list[list[Submission]]:
    """visible_submissions for several collections at once, in two statements at most.

    An owner reads every submission of its collection whatever grants say, so grants are read
    only for the collections the principal does not own (the grants statement is skipped when
    it owns them all).
    """
    ids = list(dict.fromkeys(a.collection_id for a in asked))
    owned = {a.collection_id for a in asked if policy.owns_collection(principal, a.collection)}
    others = [i for i in ids if i not in owned]
    async with database.shared_read() as session:
        grants = await grants_repository.active_for(session, others, principal.organisation_code)
        found = await repository.list_for_collections(session, ids)
    by_collection: dict[str, list[Submission]] = {i: [] for i in ids}
    for submission in found:
        by_collection[submission.collection_id].append(submission)
    return [
        [
            s
            for s in by_collection[a.collection_id]
            if a.wants(s)
            and policy.data_access(
                principal, a.collection, s.council_code, grants.get(a.collection_id, ())
            ).allows(s.state)
        ]
        for a in asked
    ]


async def readable_submission(
    database: Database, principal: Principal, submission_id: str
) -> tuple[Submission, Collection] | None:
    """The submission and its collection if the principal may read its records, else None."""
    (found,) = await _reader_access(database, principal, [submission_id])
    return (found[0], found[1]) if found else None


async def issue_lists_visible(
    database: Database, principal: Principal, submission_ids: Sequence[str]
) -> list[bool]:
    """For each submission: may the principal read the issue lists of its readable versions?

    In one read for them all (three statements however many), so a reader listing many
    submissions' reports costs what listing one does.
    """
    return [
        found is not None
        and policy.may_see_issues(principal, found[1], found[0].council_code, found[2])
        for found in await _reader_access(database, principal, submission_ids)
    ]


async def _reader_access(
    database: Database, principal: Principal, submission_ids: Sequence[str]
) -> list[tuple[Submission, Collection, policy.DataAccess] | None]:
    """For each submission: it, its collection and the principal's access to its records, or
    None when it does not exist or the principal may not read it (in three statements)."""
    async with database.read() as session:
        found = await repository.get_many(session, submission_ids)
        owning = await collections_repository.get_many(
            session, sorted({s.collection_id for s in found if s is not None})
        )
        by_id = {c.id: c for c in owning if c is not None}
        grants = await grants_repository.active_for(
            session, sorted(by_id), principal.organisation_code
        )
    readable: list[tuple[Submission, Collection, policy.DataAccess] | None] = []
    for submission in found:
        if submission is None:
            readable.append(None)
            continue
        collection = by_id[submission.collection_id]
        access = policy.data_access(
            principal, collection, submission.council_code, grants[collection.id]
        )
        readable.append(
            (submission, collection, access) if access.allows(submission.state) else None
        )
    return readable


async def versions_of(
    database: Database, submission_ids: Sequence[str]
) -> list[list[SubmissionVersion]]:
    """Versions of submissions the caller has already been allowed to read."""
    async with database.read() as session:
        found = await repository.versions_of(session, submission_ids)
    return [found[i] for i in submission_ids]


async def issues_of(database: Database, version_ids: Sequence[str]) -> list[list[Issue]]:
    async with database.read() as session:
        found = await records_repository.list_issues(session, version_ids)
    return [found[v] for v in version_ids]
