"""Return specifications and dry-run validation: reading specs is public, as the calendar is."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from typing import Any

from ldp_graph.errors import InvalidInput, NotFound
from ldp_graph.ingest import IngestError, Source, parse_files
from ldp_graph.ingest.report import with_ingest_problems
from ldp_graph.services.submissions import check_records
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
    registry: SpecRegistry,
    *,
    spec_id: str,
    version: str | None,
    records: Any,
    period_start: dt.date | None,
    period_end: dt.date | None,
    max_issues: int,
) -> ValidationReport:
    """Validate records without storing anything; the report is what a submission would get."""
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
