"""GraphQL enums mirroring the domain enums, each value described for schema readers."""

from __future__ import annotations

from enum import Enum

import strawberry

from ldp_graph.domain.organisations import OrganisationKind as DomainOrganisationKind
from ldp_graph.domain.roles import Role as DomainRole
from ldp_graph.domain.submissions import SubmissionState as DomainSubmissionState


@strawberry.enum(name="OrganisationKind", description="What sort of body an organisation is.")
class OrganisationKind(Enum):
    COUNCIL = strawberry.enum_value(
        DomainOrganisationKind.COUNCIL.value, description="A local authority that submits returns."
    )
    REQUESTER = strawberry.enum_value(
        DomainOrganisationKind.REQUESTER.value,
        description="A body that asks councils for returns (a national statistics team, say).",
    )
    OTHER = strawberry.enum_value(
        DomainOrganisationKind.OTHER.value,
        description="Another body whose users read published data.",
    )
    PLATFORM = strawberry.enum_value(
        DomainOrganisationKind.PLATFORM.value, description="The platform's own operators."
    )

    def to_domain(self) -> DomainOrganisationKind:
        return DomainOrganisationKind(self.value)


@strawberry.enum(name="Role", description="What a token holder may do.")
class Role(Enum):
    COUNCIL_SUBMITTER = strawberry.enum_value(
        DomainRole.COUNCIL_SUBMITTER.value,
        description="Submits its council's returns and reads its council's data.",
    )
    REQUESTER = strawberry.enum_value(
        DomainRole.REQUESTER.value,
        description="Runs collections, reads what councils submit to them, reviews and publishes.",
    )
    END_USER = strawberry.enum_value(
        DomainRole.END_USER.value, description="Reads published, validated data."
    )
    ADMIN = strawberry.enum_value(
        DomainRole.ADMIN.value, description="Manages organisations, tokens and specifications."
    )


@strawberry.enum(name="SubmissionState", description="Where a council's submission stands.")
class SubmissionState(Enum):
    RECEIVED = strawberry.enum_value(
        DomainSubmissionState.RECEIVED.value, description="Arrived; pre-validation not finished."
    )
    PREVALIDATED = strawberry.enum_value(
        DomainSubmissionState.PREVALIDATED.value,
        description="Passed automatic pre-validation (no errors; queries may remain).",
    )
    PREVALIDATION_FAILED = strawberry.enum_value(
        DomainSubmissionState.PREVALIDATION_FAILED.value,
        description="Stored with its report, but has errors the council must fix.",
    )
    IN_REVIEW = strawberry.enum_value(
        DomainSubmissionState.IN_REVIEW.value,
        description="The requester is reviewing it; data queries may be open.",
    )
    CHANGES_REQUESTED = strawberry.enum_value(
        DomainSubmissionState.CHANGES_REQUESTED.value,
        description="The requester asked the council for changes or answers.",
    )
    VALIDATED = strawberry.enum_value(
        DomainSubmissionState.VALIDATED.value,
        description="The requester accepted a version as the final validated state.",
    )
    PUBLISHED = strawberry.enum_value(
        DomainSubmissionState.PUBLISHED.value,
        description="Its validated version is published for end users.",
    )

    def to_domain(self) -> DomainSubmissionState:
        return DomainSubmissionState(self.value)

    @classmethod
    def from_domain(cls, state: DomainSubmissionState) -> SubmissionState:
        return cls(state.value)


@strawberry.enum(name="SourceFormat", description="How a version's records reached the platform.")
class SourceFormat(Enum):
    JSON = strawberry.enum_value("json", description="Records as JSON through the API.")
    CSV = strawberry.enum_value("csv", description="One CSV file per entity.")
    ZIP = strawberry.enum_value("zip", description="A zip of one CSV file per entity.")
    FLAT_CSV = strawberry.enum_value(
        "flat_csv", description="One CSV with a row per placement, columns named entity.field."
    )
    WRITE_BACK = strawberry.enum_value(
        "write_back", description="The requester's validated final state, written back."
    )


@strawberry.enum(name="DataQueryState", description="Where a requester's data query stands.")
class DataQueryState(Enum):
    OPEN = strawberry.enum_value("open", description="Waiting for the council.")
    ANSWERED = strawberry.enum_value(
        "answered", description="The council replied; the requester resolves or follows up."
    )
    RESOLVED = strawberry.enum_value("resolved", description="Closed by the requester.")


@strawberry.enum(name="ExplanationState", description="The requester's view of an explanation.")
class ExplanationState(Enum):
    PROPOSED = strawberry.enum_value("proposed", description="Waiting for the requester.")
    ACCEPTED = strawberry.enum_value(
        "accepted", description="Accepted: the flagged value stands, in later versions too."
    )
    REJECTED = strawberry.enum_value("rejected", description="Not accepted: amend the value.")
