"""Collections: one requester's ask of a set of councils for one return and period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Collection:
    id: str
    spec_id: str
    spec_version: str
    title: str
    period_start: dt.date
    period_end: dt.date
    owner_code: str
    opens_on: dt.date
    due_on: dt.date
    purpose: str
    legal_basis: str
    council_codes: tuple[str, ...]
    created_at: dt.datetime
    published_at: dt.datetime | None

    def is_open_on(self, day: dt.date) -> bool:
        """Councils may submit from the opening date on, late submissions included."""
        return day >= self.opens_on

    def targets(self, council_code: str | None) -> bool:
        return council_code is not None and council_code in self.council_codes
