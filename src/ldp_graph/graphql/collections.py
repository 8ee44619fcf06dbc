"""Collection (a federation entity keyed by `id`), createCollection and the calendar."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any, Optional, Self

import strawberry

from ldp_graph import errors
from ldp_graph.domain.collections import Collection as DomainCollection
from ldp_graph.graphql.context import Info
from ldp_graph.graphql.enums import SubmissionState
from ldp_graph.graphql.errors import UserError, to_user_error
from ldp_graph.graphql.organisations import Organisation
from ldp_graph.graphql.records import records_mixin
from ldp_graph.services import collections as service
from ldp_graph.services import records as records_service
from ldp_graph.services import submissions as submissions_service
from ldp_graph.services.records import RecordScope
from ldp_graph.specs.registry import load_registry

if TYPE_CHECKING:
    from ldp_graph.graphql.aggregates import AggregateTable
    from ldp_graph.graphql.grants import Grant
    from ldp_graph.graphql.submissions import Submission


async def _collection_scope(
    root: Any,
    info: Info,
    spec_id: str,
    councils: list[str] | None = None,
    states: list[SubmissionState] | None = None,
) -> RecordScope | None:
    return await records_service.collection_scope(
        info.context.database,
        info.context.specs,
        info.context.principal,
        root.domain,
        spec_id=spec_id,
        council_codes=councils,
        states=[s.to_domain() for s in states] if states is not None else None,
    )


CollectionRecords = records_mixin(
    "CollectionRecords",
    load_registry(),
    _collection_scope,
    lambda spec_id: (
        f"Records of every council's submission you may read, typed by the {spec_id} "
        "specification: the owner reads each council's current version from the moment it "
        "arrives; a council reads its own; grantees the validated version, granted fields only. "
        f"Null unless the collection asks for {spec_id}."
    ),
    {
        "councils": Annotated[
            Optional[list[str]],  # noqa: UP045
            strawberry.argument(description="Only these councils' codes."),
        ],
        "states": Annotated[
            Optional[list[SubmissionState]],  # noqa: UP045
            strawberry.argument(description="Only submissions in these states."),
        ],
    },
)


@strawberry.federation.type(
    keys=["id"],
    name="Collection",
    description=(
        "One ask: a return specification version for a period, sent by a requester to a set "
        "of councils, with its dates, purpose and legal basis."
    ),
)
class Collection(CollectionRecords):  # type: ignore[misc,valid-type]
    id: strawberry.ID = strawberry.field(description="The collection's id.")
    spec_id: str = strawberry.field(description="The return asked for, e.g. clas.")
    spec_version: str = strawberry.field(description="The specification version, e.g. 2025-26.")
    title: str = strawberry.field(description="A short title for calendars.")
    period_start: dt.date = strawberry.field(description="First day the return covers.")
    period_end: dt.date = strawberry.field(description="Last day the return covers.")
    opens_on: dt.date = strawberry.field(description="First day councils may submit.")
    due_on: dt.date = strawberry.field(description="The day the return is due.")
    purpose: str = strawberry.field(description="Why the data is asked for.")
    legal_basis: str = strawberry.field(description="The law or agreement that allows the ask.")
    published_at: dt.datetime | None = strawberry.field(
        description="When validated data was first published for end users; null until then."
    )
    owner_code: strawberry.Private[str]
    council_codes: strawberry.Private[tuple[str, ...]]
    domain: strawberry.Private[DomainCollection]

    @classmethod
    def from_domain(cls, collection: DomainCollection) -> Self:
        return cls(
            id=strawberry.ID(collection.id),
            spec_id=collection.spec_id,
            spec_version=collection.spec_version,
            title=collection.title,
            period_start=collection.period_start,
            period_end=collection.period_end,
            opens_on=collection.opens_on,
            due_on=collection.due_on,
            purpose=collection.purpose,
            legal_basis=collection.legal_basis,
            published_at=collection.published_at,
            owner_code=collection.owner_code,
            council_codes=collection.council_codes,
            domain=collection,
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Self | None:
        found = await info.context.loaders.collection_by_id.load(id)
        return cls.from_domain(found) if found else None

    @strawberry.field(
        description=(
            "Counts of one entity's records by council and/or a code-list field (0-2 "
            "dimensions), with cells below the spec's threshold suppressed and totals that do "
            "not give them away. Anyone may read a published collection's; the owner and "
            "aggregate grantees earlier."
        )
    )
    async def aggregate(
        self,
        info: Info,
        entity: Annotated[str, strawberry.argument(description="The entity, e.g. child.")],
        by: Annotated[
            list[str], strawberry.argument(description="council and/or code-list fields.")
        ],
        councils: Annotated[
            list[str] | None, strawberry.argument(description="Only these councils.")
        ] = None,
    ) -> Annotated[AggregateTable, strawberry.lazy("ldp_graph.graphql.aggregates")]:
        from ldp_graph.graphql.aggregates import resolve_aggregate

        return await resolve_aggregate(self, info, entity, by, councils)

    @strawberry.field(
        description="Grants on this collection: all for the owner, own for a grantee."
    )
    async def grants(
        self, info: Info
    ) -> list[Annotated[Grant, strawberry.lazy("ldp_graph.graphql.grants")]]:
        from ldp_graph.graphql.grants import Grant

        found = await info.context.loaders.grants_by_collection.of(self.domain)
        return [Grant.from_domain(g) for g in found]

    @strawberry.field(description="The requester body that asks.")
    async def owner(self, info: Info) -> Organisation:
        found = await info.context.loaders.organisation_by_code.load(self.owner_code)
        assert found is not None  # a foreign key guarantees it
        return Organisation.from_domain(found)

    @strawberry.field(description="The councils asked, by code.")
    async def councils(self, info: Info) -> list[Organisation]:
        found = await info.context.loaders.organisation_by_code.load_many(self.council_codes)
        return [Organisation.from_domain(o) for o in found if o is not None]

    @strawberry.field(
        description=(
            "The submissions to this collection whose records you may read: the owner sees "
            "every council's from the moment it arrives, a council sees its own."
        )
    )
    async def submissions(
        self,
        info: Info,
        councils: Annotated[
            list[str] | None, strawberry.argument(description="Only these councils' codes.")
        ] = None,
        states: Annotated[
            list[SubmissionState] | None, strawberry.argument(description="Only these states.")
        ] = None,
    ) -> list[Annotated[Submission, strawberry.lazy("ldp_graph.graphql.submissions")]]:
        from ldp_graph.graphql.submissions import Submission

        asked = submissions_service.SubmissionsOf(
            self.domain,
            self.domain.id,
            tuple(councils) if councils is not None else None,
            tuple(s.to_domain() for s in states) if states is not None else None,
        )
        found = await info.context.loaders.visible_submissions.load(asked)
        return [Submission.from_domain(s) for s in found]


@strawberry.type(description="One ask as one council faces it.")
class CalendarEntry:
    collection: Collection = strawberry.field(description="The ask.")
    council: Organisation | None = strawberry.field(
        description="The council this entry is for; null for the ask as a whole."
    )
    submission_state: SubmissionState | None = strawberry.field(
        description=(
            "Where the council's submission stands; null when nothing is submitted yet or "
            "when you may not see it (see statusVisible)."
        )
    )
    submitted_at: dt.datetime | None = strawberry.field(
        description="When the council last submitted; null when not yet or not visible."
    )
    status_visible: bool = strawberry.field(
        description="Whether you may see this council's submission status."
    )
    days_until_due: int = strawberry.field(description="Days from today to the due date.")


@strawberry.input(description="A new collection: what is asked of which councils, when, and why.")
class CreateCollectionInput:
    spec_id: str = strawberry.field(description="The return asked for, e.g. clas.")
    spec_version: str | None = strawberry.field(
        default=None, description="The specification version; the latest if omitted."
    )
    title: str = strawberry.field(description="A short title for calendars.")
    council_codes: list[str] = strawberry.field(description="The councils asked (GSS codes).")
    opens_on: dt.date = strawberry.field(description="First day councils may submit.")
    due_on: dt.date = strawberry.field(description="The day the return is due.")
    purpose: str = strawberry.field(description="Why the data is asked for.")
    legal_basis: str = strawberry.field(description="The law or agreement that allows the ask.")
    period_start: dt.date | None = strawberry.field(
        default=None, description="First day covered; the specification's period if omitted."
    )
    period_end: dt.date | None = strawberry.field(
        default=None, description="Last day covered; the specification's period if omitted."
    )


@strawberry.type(description="The result of createCollection.")
class CreateCollectionPayload:
    collection: Collection | None = strawberry.field(description="The new collection.")
    errors: list[UserError] = strawberry.field(description="Why it was not created.")


@strawberry.type
class CollectionQueries:
    @strawberry.field(description="One collection by id (collections are public, as asks).")
    async def collection(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="Its id.")]
    ) -> Collection | None:
        found = await info.context.loaders.collection_by_id.load(id)
        return Collection.from_domain(found) if found else None

    @strawberry.field(
        description=(
            "Every ask whose open-to-due window meets the dates given, by due date. A council "
            "user sees its own council's asks unless another council is named."
        )
    )
    async def calendar(
        self,
        info: Info,
        from_: Annotated[
            dt.date | None, strawberry.argument(name="from", description="From this day.")
        ] = None,
        to: Annotated[dt.date | None, strawberry.argument(description="To this day.")] = None,
        council: Annotated[
            str | None, strawberry.argument(description="Only asks sent to this council.")
        ] = None,
    ) -> list[CalendarEntry]:
        entries = await service.calendar(
            info.context.database, info.context.principal, start=from_, end=to, council_code=council
        )
        today = dt.date.today()
        result = []
        for entry in entries:
            organisation = (
                await info.context.loaders.organisation_by_code.load(entry.council_code)
                if entry.council_code
                else None
            )
            submission = entry.submission
            result.append(
                CalendarEntry(
                    collection=Collection.from_domain(entry.collection),
                    council=Organisation.from_domain(organisation) if organisation else None,
                    submission_state=(
                        SubmissionState.from_domain(submission.state) if submission else None
                    ),
                    submitted_at=submission.updated_at if submission else None,
                    status_visible=entry.status_visible,
                    days_until_due=(entry.collection.due_on - today).days,
                )
            )
        return result


@strawberry.type
class CollectionMutations:
    @strawberry.mutation(description="Ask a set of councils for a return (requesters only).")
    async def create_collection(
        self,
        info: Info,
        input: Annotated[CreateCollectionInput, strawberry.argument(description="The ask.")],
    ) -> CreateCollectionPayload:
        draft = service.CollectionDraft(
            spec_id=input.spec_id,
            spec_version=input.spec_version,
            title=input.title,
            council_codes=input.council_codes,
            opens_on=input.opens_on,
            due_on=input.due_on,
            purpose=input.purpose,
            legal_basis=input.legal_basis,
            period_start=input.period_start,
            period_end=input.period_end,
        )
        try:
            created = await service.create_collection(
                info.context.database, info.context.specs, info.context.principal, draft
            )
        except errors.DomainError as exc:
            return CreateCollectionPayload(collection=None, errors=[to_user_error(exc)])
        return CreateCollectionPayload(collection=Collection.from_domain(created), errors=[])
