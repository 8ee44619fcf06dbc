"""Every permission decision of ldp-graph, in one place.

Services call `require(principal, action)` (or `is_allowed`) before they act; resolvers
never decide a permission themselves. Tests enumerate this module's matrix.
"""

from __future__ import annotations

import enum

from ldp_graph.auth.principal import Principal
from ldp_graph.domain.organisations import Organisation
from ldp_graph.domain.roles import ROLE_ORGANISATION_KINDS, Role
from ldp_graph.errors import InvalidInput, NotPermitted


class Action(enum.StrEnum):
    READ_ORGANISATIONS = "read_organisations"
    MANAGE_ORGANISATIONS = "manage_organisations"
    MANAGE_TOKENS = "manage_tokens"


# Who may do what, independent of any particular piece of data.
_ROLE_ACTIONS: dict[Action, frozenset[Role]] = {
    Action.READ_ORGANISATIONS: frozenset(Role),
    Action.MANAGE_ORGANISATIONS: frozenset({Role.ADMIN}),
    Action.MANAGE_TOKENS: frozenset({Role.ADMIN}),
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
