"""Reading submitted records: which versions a caller may read, and audited pages of them.

A council reads its own versions from the moment it submits; the collection's owner reads every
council's current version as soon as it arrives; grantees read the validated version of the
submissions their grant reaches, and only the granted fields. Every page read is audited.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from ldp_graph.auth import policy
from ldp_graph.auth.principal import Principal
from ldp_graph.db.engine import Database
from ldp_graph.db.repositories import grants as grants_repository
from ldp_graph.db.repositories import records as repository
from ldp_graph.db.repositories import submissions as submissions_repository
from ldp_graph.db.repositories.records import FieldFilter, RecordPosition, SortKey
from ldp_graph.domain.collections import Collection
from ldp_graph.domain.grants import AccessLevel
from ldp_graph.domain.submissions import StoredRecord, Submission, SubmissionState
from ldp_graph.errors import InvalidInput
from ldp_graph.services import audit, record_cursors
from ldp_graph.services.submissions import readable_submission, spec_of, visible_submissions
from ldp_graph.specs.model import FieldType, ReturnSpec
from ldp_graph.specs.registry import SpecRegistry

MAX_PAGE = 10_000  # the largest record page unless the settings say otherwise
MAX_IN = 1000  # values of one `in`: far below SQLite's and asyncpg's parameter limits


@dataclass(frozen=True, slots=True)
class VersionRef:
    id: str
    number: int
    submission_id: str
    council_code: str
    # What the caller may see of this version: "entity.field" names; None means every field.
    # Per version: a council that also holds a field-level grant sees all of its own return
    # and only the granted fields of the others'.
    fields: frozenset[str] | None

    def allows_field(self, entity: str, field: str) -> bool:
        return self.fields is None or f"{entity}.{field}" in self.fields


@dataclass(frozen=True, slots=True)
class RecordScope:
    """The versions a record query reads, and which fields the caller may see in them."""

    spec: ReturnSpec
    collection: Collection
    versions: tuple[VersionRef, ...]

    @property
    def fields(self) -> frozenset[str] | None:
        """The fields the caller may see in every version of the scope (None: every field).

        What a query may filter, sort or export by: a field hidden in one version must not
        select or order that version's records, or its values would show through.
        """
        limited = [v.fields for v in self.versions if v.fields is not None]
        return frozenset.intersection(*limited) if limited else None

    def allows_field(self, entity: str, field: str) -> bool:
        fields = self.fields
        return fields is None or f"{entity}.{field}" in fields


@dataclass(frozen=True, slots=True)
class RecordPage:
    records: list[StoredRecord]
    total: int | None  # None when not asked for (read_page's `count`)
    versions: dict[str, VersionRef]
    order: Sequence[SortKey] = ()
    positions: Sequence[RecordPosition] = ()
    has_next: bool = False

    def cursor(self, index: int) -> str:
        """The cursor to continue after the `index`th record (made only when asked for)."""
        return record_cursors.encode(self.order, self.positions[index])

    @property
    def end_cursor(self) -> str | None:
        return self.cursor(len(self.records) - 1) if self.records else None


async def scope_for_submissions(
    database: Database,
    principal: Principal,
    spec: ReturnSpec,
    collection: Collection,
    submissions: Sequence[Submission],
    *,
    version_number: int | None = None,
) -> RecordScope:
    """The version of each submission the caller reads: a given number, else the readable one.

    Parties to the ask read the current version; grantees the validated one (their grant
    starts at validated or later), so nobody outside the ask sees unreviewed data.
    """
    async with database.read() as session:
        grants = await grants_repository.active_for(
            session, [collection.id], principal.organisation_code
        )
        versions = await submissions_repository.versions_of(session, [s.id for s in submissions])
    refs = []
    for submission in submissions:
        access = policy.data_access(
            principal, collection, submission.council_code, grants[collection.id]
        )
        if not access.allows(submission.state, AccessLevel.RECORDS):
            continue
        party = policy.may_see_review(principal, collection, submission.council_code)
        wanted = version_number or (
            submission.current_version if party else submission.validated_version
        )
        if wanted is None or not (party or wanted == submission.validated_version):
            continue
        for version in versions[submission.id]:
            if version.number == wanted:
                refs.append(
                    VersionRef(
                        version.id,
                        version.number,
                        submission.id,
                        submission.council_code,
                        access.fields,
                    )
                )
    return RecordScope(spec, collection, tuple(refs))


def check_page(first: int, offset: int = 0, max_page: int = MAX_PAGE) -> None:
    if not 1 <= first <= max_page:
        raise InvalidInput(f"first must be 1 to {max_page}.", field="first")
    if offset < 0:
        raise InvalidInput("after is not a cursor of this connection.", field="after")


def _typed(f: FieldFilter) -> FieldFilter:
    """The filter with its values as the SQL compares them; long lists refused."""
    if f.in_ is not None and len(f.in_) > MAX_IN:
        raise InvalidInput(f"in takes at most {MAX_IN} values.", field=f.field)

    def typed(value: Any) -> Any:
        if value is None:
            return None
        if f.type in (FieldType.INTEGER, FieldType.NUMBER):
            return float(value)
        if f.type == FieldType.BOOLEAN:
            return int(bool(value))
        if isinstance(value, dt.date):
            return value.isoformat()
        return value

    in_ = tuple(typed(v) for v in f.in_) if f.in_ is not None else None
    return replace(f, eq=typed(f.eq), in_=in_, gte=typed(f.gte), lte=typed(f.lte))


async def read_page(
    database: Database,
    principal: Principal,
    scope: RecordScope,
    entity: str,
    *,
    filters: Sequence[FieldFilter] = (),
    order: Sequence[SortKey] = (),
    after: str | None = None,
    offset: int = 0,
    limit: int = 100,
    max_page: int = MAX_PAGE,
    count: bool = True,
) -> RecordPage:
    """A page of records, `after` a cursor of an earlier page (same order), audited.

    `offset` serves callers that read a whole selection in one go (exports); `max_page` is
    the deployment's largest page (settings.max_record_page_size); `count` False leaves
    out the count of matching records over all pages (its total is None).
    """
    check_page(limit, offset, max_page)
    for name in [f.field for f in filters] + [k.field for k in order]:
        if not scope.allows_field(entity, name):
            raise InvalidInput(f"You may not filter or sort on {entity}.{name}.", field=name)
    typed_filters = [_typed(f) for f in filters]
    position = record_cursors.decode(after, order)
    if not scope.versions:
        return RecordPage([], 0, {})
    versions = {v.id: v for v in scope.versions}
    async with database.transaction() as session:
        found = await repository.query_records(
            session,
            list(versions),
            entity,
            filters=typed_filters,
            order=order,
            after=position,
            offset=offset,
            limit=limit,
            count=count,
        )
        per_council = Counter(versions[r.version_id].council_code for r in found.records)
        # Record-level reads are always audited, in the read's own transaction (so before
        # any data is returned), one event per council read, so each council sees who read
        # its data.
        for council, count in sorted(per_council.items()) or [(None, 0)]:
            await audit.record(
                session,
                principal,
                "records.read",
                subject_organisation_code=council,
                collection_id=scope.collection.id,
                record_count=count,
                entity=entity,
            )
    return RecordPage(found.records, found.total, versions, order, found.positions, found.more)


async def version_scope(
    database: Database,
    registry: SpecRegistry,
    principal: Principal,
    *,
    submission_id: str,
    version_number: int,
    spec_id: str,
) -> RecordScope | None:
    """One version's records, if the caller may read them and it is a return of `spec_id`."""
    found = await readable_submission(database, principal, submission_id)
    if found is None or found[1].spec_id != spec_id:
        return None
    submission, collection = found
    spec = spec_of(registry, collection)
    return await scope_for_submissions(
        database, principal, spec, collection, [submission], version_number=version_number
    )


async def collection_scope(
    database: Database,
    registry: SpecRegistry,
    principal: Principal,
    collection: Collection,
    *,
    spec_id: str,
    council_codes: Sequence[str] | None = None,
    states: Sequence[SubmissionState] | None = None,
) -> RecordScope | None:
    """The readable version of every council's submission the caller may read."""
    if collection.spec_id != spec_id:
        return None
    submissions = await visible_submissions(
        database, principal, collection, council_codes=council_codes, states=states
    )
    spec = spec_of(registry, collection)
    return await scope_for_submissions(database, principal, spec, collection, submissions)
