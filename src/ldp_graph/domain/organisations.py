"""Organisations: councils, requester bodies, other readers and the platform itself."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class OrganisationKind(enum.StrEnum):
    COUNCIL = "council"
    REQUESTER = "requester"
    OTHER = "other"
    PLATFORM = "platform"


@dataclass(frozen=True, slots=True)
class Organisation:
    code: str
    name: str
    kind: OrganisationKind
