"""The generated records: one council's return, the errors seeded into it, one child's rows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from random import Random

from ldp_graph.synthetic.rulebook import Rulebook

# A row as a council's CSV holds it: every value is text, a missing value is None.
Row = dict[str, str | None]

# The key field of each entity, to name a row in the manifest as the validator names it.
KEYS: dict[str, str] = {
    "child": "child_id",
    "episode": "episode_id",
    "placement": "placement_id",
    "legal_reason": "legal_reason_id",
    "permanence": "permanence_id",
}


@dataclass(frozen=True, slots=True)
class SeededError:
    """One row the validator must flag with `rule_id` because of a seeded error.

    An injected error that a rule reports on several rows (an overlap names both episodes, a
    placement outside its episode names the episode too) gives one entry per row, so the
    manifest equals the set of (entity, key, rule_id) a correct validator reports.
    """

    entity: str
    key: str
    field: str | None
    rule_id: str
    kind: str = ""  # the injected error's name, shared by all rows one injection touches
    child_id: str = ""  # the child whose records received the injection


@dataclass(frozen=True, slots=True)
class CouncilReturn:
    """One council's return: rows per entity (in spec order) and the manifest of seeded errors."""

    council: str
    records: dict[str, list[Row]]
    seeded: list[SeededError]

    @property
    def injected(self) -> int:
        """How many errors were injected (one per affected child)."""
        return len({s.child_id for s in self.seeded})


@dataclass(slots=True)
class ChildRecords:
    """Every row of one child while it is built and, perhaps, broken on purpose."""

    child: Row
    episodes: list[Row]
    placements: list[list[Row]]  # per episode, same order as `episodes`
    legal_reasons: list[list[Row]]  # per episode, same order as `episodes`
    permanence: list[Row] = field(default_factory=list)

    @property
    def child_id(self) -> str:
        return self.child["child_id"] or ""

    def ended_episodes(self) -> list[tuple[int, Row]]:
        """(position, episode) of each episode with an end date."""
        return [(i, e) for i, e in enumerate(self.episodes) if e["end_date"] is not None]

    def open_episodes(self) -> list[tuple[int, Row]]:
        return [(i, e) for i, e in enumerate(self.episodes) if e["end_date"] is None]

    def rows(self) -> Iterator[tuple[str, Row]]:
        """(entity, row) for every row of the child."""
        yield "child", self.child
        for episode in self.episodes:
            yield "episode", episode
        for placements in self.placements:
            for placement in placements:
                yield "placement", placement
        for legal_reasons in self.legal_reasons:
            for legal_reason in legal_reasons:
                yield "legal_reason", legal_reason
        for decision in self.permanence:
            yield "permanence", decision


# (entity, key, field, rule_id): one row a correct validator flags because of a fault.
Touch = tuple[str, str, str | None, str]
# A fault's result; None when the child has no row it could break (no ended episode to strip
# of its destination, say) and nothing was touched, so another kind can be tried.
Outcome = list[Touch] | None
Fault = Callable[[ChildRecords, Random, Rulebook], Outcome]


def touch(entity: str, row: Row, field: str | None, rule_id: str) -> Touch:
    return (entity, row[KEYS[entity]] or "", field, rule_id)
