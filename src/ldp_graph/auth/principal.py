"""The Principal: the caller of one request, as established by authentication."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.authentication import BaseUser

from ldp_graph.domain.organisations import Organisation
from ldp_graph.domain.roles import Role


@dataclass(frozen=True, slots=True)
class Principal(BaseUser):
    """A token holder, an anonymous caller, or the local operator using the CLI."""

    organisation: Organisation | None = None
    role: Role | None = None
    token_id: str | None = None
    is_operator: bool = False

    @property
    def is_authenticated(self) -> bool:
        return self.role is not None or self.is_operator

    @property
    def display_name(self) -> str:
        if self.is_operator:
            return "operator"
        if self.organisation is None or self.role is None:
            return "anonymous"
        return f"{self.role.value}@{self.organisation.code}"

    @property
    def identity(self) -> str:
        return self.token_id or self.display_name

    @property
    def organisation_code(self) -> str | None:
        return self.organisation.code if self.organisation else None

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles


ANONYMOUS = Principal()
# Someone with a shell on the server (the `ldp-graph` CLI): trusted to administer,
# recorded as such in the audit log.
OPERATOR = Principal(is_operator=True)
