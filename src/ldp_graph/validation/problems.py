"""A problem found by a check, before it is rendered into report issues."""

from __future__ import annotations

from dataclasses import dataclass

Touch = tuple[str, int, tuple[str, ...]]  # (entity, row index, fields concerned on that row)


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem: the first touch is the row the rule is about; others share its id."""

    rule_id: str
    touches: tuple[Touch, ...]
