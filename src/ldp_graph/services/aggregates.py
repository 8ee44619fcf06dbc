"""Counts of records by council and code-list fields, with small cells suppressed.

End users and anonymous callers read published collections this way only; owners and
aggregate grantees read them from the state their access allows. Counting happens in SQL:
no record leaves the database on this path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ldp_graph.auth import policy
from ldp_graph.auth.principal import Principal
from ldp_graph.db.engine import Database
from ldp_graph.db.repositories import aggregates as repository
from ldp_graph.db.repositories import grants as grants_repository
from ldp_graph.db.repositories import submissions as submissions_repository
from ldp_graph.domain.collections import Collection
from ldp_graph.domain.grants import AccessLevel
from ldp_graph.errors import InvalidInput, NotPermitted
from ldp_graph.services.submissions import spec_of
from ldp_graph.services.suppression import Table, tabulate_counts
from ldp_graph.specs.model import FieldType
from ldp_graph.specs.registry import SpecRegistry

COUNCIL = "council"
MISSING = "(not recorded)"


@dataclass(frozen=True, slots=True)
class Aggregate:
    table: Table
    labels: dict[str, dict[str, str]]  # dimension -> code -> label
    submissions_counted: int


async def aggregate(
    database: Database,
    registry: SpecRegistry,
    principal: Principal,
    collection: Collection,
    *,
    entity: str,
    by: Sequence[str],
    council_codes: Sequence[str] | None = None,
) -> Aggregate:
    spec = spec_of(registry, collection)
    if entity not in spec.entities:
        raise InvalidInput(f"{spec.id} has no entity {entity}.", field="entity")
    if len(by) > 2 or len(set(by)) != len(by):
        raise InvalidInput("Count by at most two different dimensions.", field="by")
    fields = spec.entities[entity].fields
    labels: dict[str, dict[str, str]] = {}
    for dimension in by:
        if dimension == COUNCIL:
            continue
        field = fields.get(dimension)
        if field is None or field.type != FieldType.CODE or field.code_list is None:
            coded = sorted(n for n, f in fields.items() if f.type == FieldType.CODE)
            raise InvalidInput(
                f"Count by council or a code-list field of {entity}: {', '.join(coded)}.",
                field="by",
            )
        labels[dimension] = {c.code: c.label for c in spec.code_lists[field.code_list].codes}
    async with database.read() as session:
        grants = await grants_repository.active_for(
            session, [collection.id], principal.organisation_code
        )
        submissions = await submissions_repository.list_for_collections(
            session, [collection.id], council_codes=council_codes
        )
        versions = await submissions_repository.versions_of(session, [s.id for s in submissions])
        chosen: dict[str, str] = {}  # version id -> council
        for submission in submissions:
            access = policy.data_access(
                principal, collection, submission.council_code, grants[collection.id]
            )
            for dimension in by:
                if dimension != COUNCIL and not access.allows_field(entity, dimension):
                    raise NotPermitted(f"You may not count by {entity}.{dimension}.")
            if not access.allows(submission.state, AccessLevel.AGGREGATES):
                continue
            party = policy.may_see_review(principal, collection, submission.council_code)
            number = submission.current_version if party else submission.validated_version
            for version in versions[submission.id]:
                if version.number == number:
                    chosen[version.id] = submission.council_code
        unpublished = collection.published_at is None
        if not chosen and unpublished and not policy.owns_collection(principal, collection):
            raise NotPermitted("This collection is not published yet.")
        field_dims = [d for d in by if d != COUNCIL]
        rows = await repository.count_by(session, list(chosen), entity, field_dims)
    counts: dict[tuple[str, ...], int] = {}
    for version_id, values, n in rows:
        by_field = dict(zip(field_dims, values, strict=True))
        key = tuple(chosen[version_id] if d == COUNCIL else (by_field[d] or MISSING) for d in by)
        counts[key] = counts.get(key, 0) + n
    categories = [sorted(set(chosen.values())) if d == COUNCIL else list(labels[d]) for d in by]
    table = tabulate_counts(counts, by, threshold=spec.suppression_threshold, categories=categories)
    return Aggregate(table, labels, len(chosen))
