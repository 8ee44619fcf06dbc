"""Every permission decision of ldp-graph, in one place (DESIGN.md §5).

Services gather the facts (the collection, its grants, a submission's state) and ask this
module; resolvers never decide a permission themselves. Tests enumerate the matrix.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from ldp_graph.auth.principal import Principal
from ldp_graph.domain.collections import Collection
from ldp_graph.domain.grants import AccessLevel, Grant
from ldp_graph.domain.organisations import Organisation
from ldp_graph.domain.roles import ROLE_ORGANISATION_KINDS, Role
from ldp_graph.domain.submissions import SubmissionState, reached
from ldp_graph.errors import InvalidInput, NotPermitted


class Action(enum.StrEnum):
    READ_ORGANISATIONS = "read_organisations"
    MANAGE_ORGANISATIONS = "manage_organisations"
    MANAGE_TOKENS = "manage_tokens"
    CREATE_COLLECTION = "create_collection"
    READ_AUDIT = "read_audit"


# Who may do what, independent of any particular piece of data.
_ROLE_ACTIONS: dict[Action, frozenset[Role]] = {
    Action.READ_ORGANISATIONS: frozenset(Role),
    Action.MANAGE_ORGANISATIONS: frozenset({Role.ADMIN}),
    Action.MANAGE_TOKENS: frozenset({Role.ADMIN}),
    Action.CREATE_COLLECTION: frozenset({Role.REQUESTER}),
    Action.READ_AUDIT: frozenset({Role.ADMIN, Role.COUNCIL_SUBMITTER, Role.REQUESTER}),
}
# The directory of organisations is public: councils' names and codes are published facts.
_ANONYMOUS_ACTIONS: frozenset[Action] = frozenset({Action.READ_ORGANISATIONS})


def is_allowed(principal: Principal, action: Action) -> bool:
    if principal.is_operator:
        return True
    if principal.role is None:
        return action in _ANONYMOUS_ACTIONS
    return principal.role in _ROLE_ACTIONS[action]


def require(principal: Principal, action: Action) -> None:
    if not is_allowed(principal, action):
        raise NotPermitted(f"You are not permitted to {action.value.replace('_', ' ')}.")


def check_role_fits_organisation(role: Role, organisation: Organisation) -> None:
    """A token's role must suit its organisation (a council submitter belongs to a council)."""
    kinds = ROLE_ORGANISATION_KINDS[role]
    if organisation.kind not in kinds:
        allowed = ", ".join(sorted(k.value for k in kinds))
        raise InvalidInput(
            f"Role {role.value} needs an organisation of kind {allowed}; "
            f"{organisation.code} is a {organisation.kind.value}.",
            field="role",
        )


# --- collections and submissions -------------------------------------------------------


def owns_collection(principal: Principal, collection: Collection) -> bool:
    """The requester body that asked manages the ask: review, write-back, publish, grants."""
    return (
        principal.has_role(Role.REQUESTER) and principal.organisation_code == collection.owner_code
    )


def is_submitter_for(principal: Principal, collection: Collection, council_code: str) -> bool:
    """A council submitter speaks for its own council, in the collections sent to it."""
    return (
        principal.has_role(Role.COUNCIL_SUBMITTER)
        and principal.organisation_code == council_code
        and collection.targets(council_code)
    )


def require_owner(principal: Principal, collection: Collection, doing: str) -> None:
    if not owns_collection(principal, collection):
        raise NotPermitted(f"Only the requester that owns collection {collection.id} may {doing}.")


def require_submitter(
    principal: Principal, collection: Collection, council_code: str, doing: str
) -> None:
    if not is_submitter_for(principal, collection, council_code):
        raise NotPermitted(
            f"Only a council submitter of {council_code}, in a collection sent to it, may {doing}."
        )


def may_see_review(principal: Principal, collection: Collection, council_code: str) -> bool:
    """Review material is between the owner and the council, nobody else.

    That is data queries and explanations, and also a submission's history: its earlier
    versions and diffs between versions. A grantee reads the version its grant reaches.
    """
    return owns_collection(principal, collection) or is_submitter_for(
        principal, collection, council_code
    )


def may_dry_run_against(principal: Principal, collection: Collection) -> bool:
    """Dry-running records against a collection (its spec version and period) reads and
    stores no data, but it is a service to the parties to the ask: a council it asks (to
    check a return before submitting), the requester that owns it (to check what it will
    receive, or a write-back), and admins and the operator (to support either). Anyone may
    dry-run against a spec version instead."""
    if principal.is_operator or principal.has_role(Role.ADMIN):
        return True
    return owns_collection(principal, collection) or (
        principal.organisation_code is not None
        and is_submitter_for(principal, collection, principal.organisation_code)
    )


def require_dry_run(principal: Principal, collection: Collection) -> None:
    if not may_dry_run_against(principal, collection):
        raise NotPermitted(
            f"Only a council asked by collection {collection.id}, the requester that owns it "
            "or an admin may dry-run a return against it; anyone may dry-run against its "
            "specification (specId and specVersion).",
            field="collectionId",
        )


def may_subscribe(principal: Principal, collection: Collection) -> bool:
    """The owner follows its whole collection; a council asked by it follows its own part."""
    return owns_collection(principal, collection) or (
        principal.organisation_code is not None
        and is_submitter_for(principal, collection, principal.organisation_code)
    )


def may_see_event(principal: Principal, collection: Collection, council_code: str | None) -> bool:
    if owns_collection(principal, collection):
        return True
    return council_code is not None and is_submitter_for(principal, collection, council_code)


def may_see_submission_status(
    principal: Principal, collection: Collection, council_code: str, grants: Iterable[Grant]
) -> bool:
    """Whether a council has submitted is shared with the parties to the ask, and admins."""
    if principal.is_operator or principal.has_role(Role.ADMIN):
        return True
    if owns_collection(principal, collection) or is_submitter_for(
        principal, collection, council_code
    ):
        return True
    return any(_grant_applies(principal, collection, g) for g in grants)


def may_see_issues(
    principal: Principal, collection: Collection, council_code: str, access: DataAccess
) -> bool:
    """A report's issue list names record keys and offending values of any field.

    The parties see it; a reader with every field of the version does too (it reveals nothing
    more); a field-level grant sees the exact counts only, or the issues would leak the
    fields it does not grant.
    """
    return may_see_review(principal, collection, council_code) or access.fields is None


# --- reading data -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DataAccess:
    """What a principal may read of one council's submission to one collection."""

    level: AccessLevel
    # "entity.field" names; None means every field of the spec.
    fields: frozenset[str] | None = None
    # The submission must have reached this state; None means any state, from arrival.
    min_state: SubmissionState | None = None

    def allows(self, state: SubmissionState, level: AccessLevel = AccessLevel.RECORDS) -> bool:
        if self.level < level:
            return False
        return self.min_state is None or reached(state, self.min_state)

    def allows_field(self, entity: str, field: str) -> bool:
        return self.fields is None or f"{entity}.{field}" in self.fields


NO_ACCESS = DataAccess(AccessLevel.NONE)
_PUBLISHED_AGGREGATES = DataAccess(AccessLevel.AGGREGATES, None, SubmissionState.PUBLISHED)


def data_access(
    principal: Principal,
    collection: Collection,
    council_code: str | None,
    grants: Iterable[Grant],
) -> DataAccess:
    """The widest access `principal` has to `council_code`'s data in `collection`.

    `council_code=None` asks about the collection as a whole (every council's data).
    Admins and the operator read records only through an explicit grant, like anyone else.
    """
    if owns_collection(principal, collection):
        return DataAccess(AccessLevel.RECORDS)
    if council_code is not None and is_submitter_for(principal, collection, council_code):
        return DataAccess(AccessLevel.RECORDS)
    best = _PUBLISHED_AGGREGATES if collection.published_at is not None else NO_ACCESS
    for grant in grants:
        if not _grant_applies(principal, collection, grant):
            continue
        candidate = DataAccess(grant.level, grant.fields, _grant_min_state(principal, grant))
        if candidate.level > best.level or (
            candidate.level == best.level and _earlier(candidate.min_state, best.min_state)
        ):
            best = candidate
    return best


def _grant_applies(principal: Principal, collection: Collection, grant: Grant) -> bool:
    return (
        grant.active
        and grant.collection_id == collection.id
        and principal.organisation_code == grant.grantee_code
        and principal.role is not None
    )


def _grant_min_state(principal: Principal, grant: Grant) -> SubmissionState:
    # End users see validated data only once it is published, whatever the grant says.
    if principal.has_role(Role.END_USER) and not reached(
        grant.min_state, SubmissionState.PUBLISHED
    ):
        return SubmissionState.PUBLISHED
    return grant.min_state


def _earlier(a: SubmissionState | None, b: SubmissionState | None) -> bool:
    if a is None:
        return b is not None
    return b is not None and not reached(a, b) and a != b


def require_records(access: DataAccess, state: SubmissionState, what: str) -> None:
    if not access.allows(state):
        raise NotPermitted(f"You are not permitted to read the records of {what}.")


# --- audit ---------------------------------------------------------------------------------


def audit_scope(principal: Principal) -> str | None:
    """The organisation whose events `principal` may read; None means every event (admins).

    Councils see who read or changed their data (and their own actions); requesters see
    their own actions and every event of the collections they own.
    """
    require(principal, Action.READ_AUDIT)
    if principal.is_operator or principal.has_role(Role.ADMIN):
        return None
    assert principal.organisation_code is not None  # every role belongs to an organisation
    return principal.organisation_code
