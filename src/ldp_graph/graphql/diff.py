"""versionDiff in GraphQL: records added, removed and changed between two versions."""

from __future__ import annotations

from typing import Annotated, Self

import strawberry

from ldp_graph.graphql.context import Info
from ldp_graph.graphql.cost import LIST_LENGTH
from ldp_graph.services import diff


@strawberry.type(description="One field's value before and after.")
class FieldChange:
    field: str = strawberry.field(description="The field.")
    old: str | None = strawberry.field(description="The earlier value (null when missing).")
    new: str | None = strawberry.field(description="The later value (null when missing).")


@strawberry.type(description="A record added, removed or changed between two versions.")
class RecordChange:
    entity: str = strawberry.field(description="The entity.")
    key: str | None = strawberry.field(description="The record's key.")
    line: int | None = strawberry.field(description="Its line in its version's source.")
    changes: list[FieldChange] = strawberry.field(description="Changed fields (changes only).")


@strawberry.type(description="What changed between two versions; lists capped at 1000 each.")
class VersionDiff:
    from_number: int = strawberry.field(description="The earlier version.")
    to_number: int = strawberry.field(description="The later version.")
    added_count: int = strawberry.field(description="Records only in the later version.")
    removed_count: int = strawberry.field(description="Records only in the earlier version.")
    changed_count: int = strawberry.field(description="Records whose values changed.")
    added: list[RecordChange] = strawberry.field(
        description="Added records.", metadata={LIST_LENGTH: diff.MAX_LISTED}
    )
    removed: list[RecordChange] = strawberry.field(
        description="Removed records.", metadata={LIST_LENGTH: diff.MAX_LISTED}
    )
    changed: list[RecordChange] = strawberry.field(
        description="Changed records and fields.", metadata={LIST_LENGTH: diff.MAX_LISTED}
    )
    truncated: bool = strawberry.field(description="True when a list was capped.")

    @classmethod
    def from_domain(cls, found: diff.VersionDiff) -> Self:
        def convert(change: diff.RecordChange) -> RecordChange:
            return RecordChange(
                entity=change.entity,
                key=change.key,
                line=change.line,
                changes=[FieldChange(field=c.field, old=c.old, new=c.new) for c in change.changes],
            )

        return cls(
            from_number=found.from_number,
            to_number=found.to_number,
            added_count=found.added_count,
            removed_count=found.removed_count,
            changed_count=found.changed_count,
            added=[convert(c) for c in found.added],
            removed=[convert(c) for c in found.removed],
            changed=[convert(c) for c in found.changed],
            truncated=found.truncated,
        )


@strawberry.type
class DiffQueries:
    @strawberry.field(description="Records added, removed and changed between two versions.")
    async def version_diff(
        self,
        info: Info,
        submission_id: Annotated[strawberry.ID, strawberry.argument(description="Submission.")],
        from_: Annotated[int, strawberry.argument(name="from", description="Earlier version.")],
        to: Annotated[int, strawberry.argument(description="Later version.")],
    ) -> VersionDiff:
        found = await diff.version_diff(
            info.context.database,
            info.context.principal,
            submission_id=submission_id,
            from_number=from_,
            to_number=to,
        )
        return VersionDiff.from_domain(found)
