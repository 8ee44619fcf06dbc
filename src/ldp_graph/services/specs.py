"""Return specifications and dry-run validation: reading specs is public, as the calendar is;
a dry run against a collection is for the parties to it (policy.may_dry_run_against)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from typing import Any

from ldp_graph.auth import policy
from ldp_graph.auth.principal import Principal
from ldp_graph.db.engine import Database
from ldp_graph.domain.collections import Collection
from ldp_graph.errors import InvalidInput, InvalidTransition, NotFound
from ldp_graph.ingest import IngestError, Source, parse_files
from ldp_graph.ingest.report import with_ingest_problems
from ldp_graph.services.collections import get_collection
from ldp_graph.services.submissions import check_records, spec_of
from ldp_graph.specs.model import Period, ReturnSpec
from ldp_graph.specs.registry import SpecRegistry
from ldp_graph.validation.engine import UnknownEntities, validate
from ldp_graph.validation.report import ValidationReport

MAX_DRY_RUN_RECORDS = 200_000
MAX_LISTED_ISSUES = 10_000


def list_specs(registry: SpecRegistry) -> list[ReturnSpec]:
    return registry.all()


def find_spec(registry: SpecRegistry, spec_id: str, version: str | None) -> ReturnSpec | None:
    return registry.get(spec_id, version)


def get_spec(registry: SpecRegistry, spec_id: str, version: str | None) -> ReturnSpec:
    spec = registry.get(spec_id, version)
    if spec is None:
        wanted = f"{spec_id} {version}" if version else spec_id
        raise NotFound(f"No return specification {wanted}.", field="specId")
    return spec


async def dry_run(
    database: Database,
    registry: SpecRegistry,
    principal: Principal,
    *,
    spec_id: str | None,
    version: str | None,
    collection_id: str | None = None,
    records: Any,
    period_start: dt.date | None,
    period_end: dt.date | None,
    max_issues: int,
    today: dt.date | None = None,
) -> ValidationReport:
    """Validate records without storing anything; the report is what a submission would get.

    Against a spec version (anyone may: it reads and stores no data), over the spec's period
    or the one given; or against an open collection, as a submission to it would be checked:
    its pinned spec version over its own period.
    """
    if collection_id is not None:
        if spec_id is not None or version is not None:
            raise InvalidInput(
                "Give specId (and specVersion) or collectionId, not both.",
                field="collectionId",
            )
        if period_start is not None or period_end is not None:
            raise InvalidInput(
                "A collection is checked over its own period: leave periodStart and periodEnd "
                "out, or dry-run against its specification instead.",
                field="periodStart" if period_start is not None else "periodEnd",
            )
        _checked_run(max_issues, None, None)
        collection = await _open_for_dry_run(database, principal, collection_id, today)
        spec = spec_of(registry, collection)
        period: Period | None = Period(start=collection.period_start, end=collection.period_end)
    elif spec_id is None:
        raise InvalidInput(
            "Say what to validate against: specId (and specVersion), or collectionId.",
            field="specId",
        )
    else:
        period = _checked_run(max_issues, period_start, period_end)
        spec = get_spec(registry, spec_id, version)
    checked = check_records(records, MAX_DRY_RUN_RECORDS)
    try:
        # Validation is CPU work: keep it off the event loop so other requests carry on.
        return await asyncio.to_thread(
            validate, spec, checked, period=period, max_issues=max_issues
        )
    except UnknownEntities as exc:
        raise InvalidInput(str(exc), field="records") from None


async def _open_for_dry_run(
    database: Database, principal: Principal, collection_id: str, today: dt.date | None
) -> Collection:
    """The collection, if the principal may dry-run against it and it is open.

    Open as `submitReturn` has it: from its opening date on, after publication too, since a
    late council's return is published when it is validated (publishing again).
    """
    collection = await get_collection(database, collection_id)
    policy.require_dry_run(principal, collection)
    if not collection.is_open_on(today or dt.date.today()):
        raise InvalidTransition(
            f"Collection {collection.id} opens on {collection.opens_on.isoformat()}; until "
            f"then, dry-run against its specification (specId {collection.spec_id}, "
            f"specVersion {collection.spec_version}).",
            field="collectionId",
        )
    return collection


def _checked_run(
    max_issues: int, period_start: dt.date | None, period_end: dt.date | None
) -> Period | None:
    if not 1 <= max_issues <= MAX_LISTED_ISSUES:
        raise InvalidInput(f"maxIssues must be 1 to {MAX_LISTED_ISSUES}.", field="maxIssues")
    return _period(period_start, period_end)


def _period(start: dt.date | None, end: dt.date | None) -> Period | None:
    if start is None and end is None:
        return None
    if start is None or end is None:
        raise InvalidInput("Give both periodStart and periodEnd, or neither.", field="periodEnd")
    if end < start:
        raise InvalidInput("periodEnd is before periodStart.", field="periodEnd")
    return Period(start=start, end=end)


async def validate_files(
    registry: SpecRegistry,
    *,
    spec_id: str,
    version: str | None,
    files: Sequence[tuple[str, Source]],
    flat: bool,
    period_start: dt.date | None,
    period_end: dt.date | None,
    max_issues: int,
) -> ValidationReport:
    """Validate exported files offline, exactly as an upload would be pre-validated."""
    period = _checked_run(max_issues, period_start, period_end)
    spec = get_spec(registry, spec_id, version)
    try:
        parsed = await asyncio.to_thread(parse_files, spec, files, flat=flat)
    except IngestError as exc:
        raise InvalidInput(exc.message, field="files") from None
    report = await asyncio.to_thread(
        validate, spec, parsed.records, period=period, lines=parsed.lines, max_issues=max_issues
    )
    return with_ingest_problems(report, parsed.problems)
