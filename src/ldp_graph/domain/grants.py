"""Grants: data-sharing permissions beyond a collection's owner and its councils."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from ldp_graph.domain.submissions import SubmissionState


class AccessLevel(enum.IntEnum):
    """How much of a return a principal may read; higher includes lower."""

    NONE = 0
    AGGREGATES = 1  # counts with small cells suppressed, never rows
    RECORDS = 2  # record-level rows (of the granted fields)


@dataclass(frozen=True, slots=True)
class Grant:
    id: str
    collection_id: str
    grantee_code: str
    level: AccessLevel
    # "entity.field" names the grantee may read; None grants every field.
    fields: frozenset[str] | None
    min_state: SubmissionState
    created_by_code: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None
