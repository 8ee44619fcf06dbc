"""The review loop: a requester's data queries and a council's explanations of issues."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass


class DataQueryState(enum.StrEnum):
    OPEN = "open"  # waiting for the council
    ANSWERED = "answered"  # the council replied; the requester resolves or follows up
    RESOLVED = "resolved"


class ExplanationState(enum.StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class DataQueryMessage:
    kind: str  # question, answer, follow_up, resolution
    author_code: str
    author_role: str
    body: str
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class DataQuery:
    id: str
    submission_id: str
    version_number: int
    entity: str | None
    record_key: str | None
    field: str | None
    rule_id: str | None
    question: str
    state: DataQueryState
    raised_by_code: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @property
    def unresolved(self) -> bool:
        return self.state != DataQueryState.RESOLVED


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a value flagged by a query-severity rule is right; matched across versions by problem."""

    id: str
    submission_id: str
    problem_id: str
    rule_id: str
    version_number: int
    explanation: str
    state: ExplanationState
    author_code: str
    created_at: dt.datetime
    reviewed_by_code: str | None
    reviewed_at: dt.datetime | None
