"""Collections and the calendar: who asks which councils for what, when, and why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from ldp_graph.auth import policy
from ldp_graph.auth.policy import Action
from ldp_graph.auth.principal import Principal
from ldp_graph.db.engine import Database
from ldp_graph.db.repositories import collections as repository
from ldp_graph.db.repositories import grants as grants_repository
from ldp_graph.db.repositories import organisations as organisations_repository
from ldp_graph.db.repositories import submissions as submissions_repository
from ldp_graph.domain.collections import Collection
from ldp_graph.domain.ids import new_id
from ldp_graph.domain.organisations import OrganisationKind
from ldp_graph.domain.submissions import Submission
from ldp_graph.errors import InvalidInput, NotFound
from ldp_graph.services import audit
from ldp_graph.specs.registry import SpecRegistry

MAX_CALENDAR_DAYS = 3 * 366


@dataclass(frozen=True, slots=True)
class CollectionDraft:
    spec_id: str
    spec_version: str | None
    title: str
    council_codes: Sequence[str]
    opens_on: dt.date
    due_on: dt.date
    purpose: str
    legal_basis: str
    period_start: dt.date | None = None
    period_end: dt.date | None = None


async def create_collection(
    database: Database, registry: SpecRegistry, principal: Principal, draft: CollectionDraft
) -> Collection:
    """A requester asks a set of councils for one return over one period."""
    policy.require(principal, Action.CREATE_COLLECTION)
    spec = registry.get(draft.spec_id, draft.spec_version)
    if spec is None:
        wanted = f"{draft.spec_id} {draft.spec_version or ''}".strip()
        raise InvalidInput(f"No return specification {wanted}.", field="specId")
    period_start = draft.period_start or spec.period.start
    period_end = draft.period_end or spec.period.end
    _check_text(draft.title, "title", 200)
    _check_text(draft.purpose, "purpose", 5000)
    _check_text(draft.legal_basis, "legalBasis", 5000)
    if period_end < period_start:
        raise InvalidInput("periodEnd is before periodStart.", field="periodEnd")
    if draft.due_on < draft.opens_on:
        raise InvalidInput("dueOn is before opensOn.", field="dueOn")
    councils = tuple(sorted({c.strip().upper() for c in draft.council_codes}))
    if not councils:
        raise InvalidInput("Name at least one council to ask.", field="councilCodes")
    assert principal.organisation_code is not None  # requesters belong to an organisation
    collection = Collection(
        id=new_id("col"),
        spec_id=spec.id,
        spec_version=spec.version,
        title=draft.title.strip(),
        period_start=period_start,
        period_end=period_end,
        owner_code=principal.organisation_code,
        opens_on=draft.opens_on,
        due_on=draft.due_on,
        purpose=draft.purpose.strip(),
        legal_basis=draft.legal_basis.strip(),
        council_codes=councils,
        created_at=dt.datetime.now(dt.UTC),
        published_at=None,
    )
    async with database.transaction() as session:
        found = await organisations_repository.get_many(session, councils)
        not_councils = [
            code
            for code, org in zip(councils, found, strict=True)
            if org is None or org.kind != OrganisationKind.COUNCIL
        ]
        if not_councils:
            raise InvalidInput(
                f"Not councils: {', '.join(not_councils)}. Use GSS codes such as S12000036.",
                field="councilCodes",
            )
        await repository.insert(session, collection)
        await audit.record(
            session,
            principal,
            "collection.create",
            collection_id=collection.id,
            spec=f"{spec.id} {spec.version}",
            councils=len(councils),
        )
    return collection


def _check_text(value: str, field: str, limit: int) -> None:
    if not value.strip():
        raise InvalidInput(f"{field} must not be empty.", field=field)
    if len(value) > limit:
        raise InvalidInput(f"{field} is longer than {limit} characters.", field=field)


async def get_many(database: Database, ids: Sequence[str]) -> list[Collection | None]:
    """Collections are public facts, like the calendar: who asks what, when and why."""
    async with database.shared_read() as session:
        return await repository.get_many(session, ids)


async def get_collection(database: Database, collection_id: str) -> Collection:
    found = (await get_many(database, [collection_id]))[0]
    if found is None:
        raise NotFound(f"No collection {collection_id}.", field="collectionId")
    return found


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """One ask as one council faces it (or the ask as a whole when council is None)."""

    collection: Collection
    council_code: str | None
    # None when not submitted yet, or when the caller may not see this council's status.
    submission: Submission | None
    status_visible: bool


async def calendar(
    database: Database,
    principal: Principal,
    *,
    start: dt.date | None,
    end: dt.date | None,
    council_code: str | None,
) -> list[CalendarEntry]:
    """Every ask whose open..due window meets start..end, by due date."""
    if start and end and end < start:
        raise InvalidInput("`to` is before `from`.", field="to")
    if start and end and (end - start).days > MAX_CALENDAR_DAYS:
        raise InvalidInput("A calendar spans at most three years.", field="to")
    own = principal.organisation
    if council_code is None and own is not None and own.kind == OrganisationKind.COUNCIL:
        council_code = own.code
    async with database.read() as session:
        found = await repository.list_between(
            session, start=start, end=end, council_code=council_code
        )
        if council_code is None:
            return [CalendarEntry(c, None, None, False) for c in found]
        ids = [c.id for c in found]
        submitted = {
            s.collection_id: s
            for s in await submissions_repository.list_for_collections(
                session, ids, council_codes=[council_code]
            )
        }
        grants = await grants_repository.active_for(session, ids, principal.organisation_code)
    entries = []
    for collection in found:
        visible = policy.may_see_submission_status(
            principal, collection, council_code, grants.get(collection.id, [])
        )
        submission = submitted.get(collection.id) if visible else None
        entries.append(CalendarEntry(collection, council_code, submission, visible))
    return entries
