"""Generates CLAS returns for councils: clean rows, and some children broken on purpose."""

from __future__ import annotations

import re
from collections.abc import Sequence
from random import Random

from ldp_graph.specs.model import ReturnSpec
from ldp_graph.synthetic import timeline_faults, value_faults
from ldp_graph.synthetic.frequencies import unknown_codes
from ldp_graph.synthetic.history import HistoryMaker
from ldp_graph.synthetic.records import ChildRecords, CouncilReturn, Fault, Row, SeededError
from ldp_graph.synthetic.rulebook import Rulebook, rulebook

GSS_COUNCIL = re.compile(r"S12[0-9]{6}")
FAULTS: dict[str, Fault] = {**value_faults.FAULTS, **timeline_faults.FAULTS}
SEEDED_KINDS: tuple[str, ...] = tuple(FAULTS)

# The fields each entity's rows carry; a spec that differs needs the generator updated.
FIELDS: dict[str, tuple[str, ...]] = {
    "child": ("child_id", "council", "scn", "date_of_birth", "sex", "ethnicity", "disability"),
    "episode": (
        "episode_id",
        "child_id",
        "start_date",
        "end_date",
        "care_plan",
        "destination",
        "pathway_plan",
        "pathway_coordinator",
    ),
    "placement": (
        "placement_id",
        "episode_id",
        "start_date",
        "end_date",
        "placement_type",
        "foster_type",
    ),
    "legal_reason": ("legal_reason_id", "episode_id", "legal_reason", "start_date", "end_date"),
    "permanence": ("permanence_id", "child_id", "decision", "decision_date"),
}


def generate(
    spec: ReturnSpec,
    *,
    councils: list[str],
    children_per_council: int,
    error_rate: float,
    seed: int,
    kinds: Sequence[str] = (),
) -> list[CouncilReturn]:
    """One return per council (GSS codes), each with `children_per_council` children.

    Each child receives exactly one seeded error with probability `error_rate`, of a kind
    drawn from `kinds` (default: every kind in `SEEDED_KINDS`) among those its rows allow;
    everything else raises no rule of `spec`. The same arguments always give the same
    returns, and a council's return does not depend on which other councils come with it.
    """
    _check(spec, councils, children_per_council, error_rate)
    unknown = sorted(set(kinds) - set(SEEDED_KINDS))
    if unknown:
        raise ValueError(f"unknown seeded error kinds {unknown}; known: {', '.join(SEEDED_KINDS)}")
    book = rulebook(spec)
    return [
        _council_return(spec, book, council, children_per_council, error_rate, seed, tuple(kinds))
        for council in councils
    ]


def _check(spec: ReturnSpec, councils: list[str], children: int, error_rate: float) -> None:
    expected = {name: set(fields) for name, fields in FIELDS.items()}
    actual = {name: set(entity.fields) for name, entity in spec.entities.items()}
    if actual != expected:
        raise ValueError(
            f"the generator writes CLAS rows; {spec.id} {spec.version} has other entities or fields"
        )
    missing = unknown_codes(spec)
    if missing:
        raise ValueError(
            f"{spec.id} {spec.version} lacks codes the generator uses: {', '.join(missing)}"
        )
    malformed = [c for c in councils if not GSS_COUNCIL.fullmatch(c)]
    if malformed:
        raise ValueError(
            f"not Scottish council GSS codes (S12 and six digits): {', '.join(malformed)}"
        )
    if len(set(councils)) != len(councils):
        raise ValueError("each council can have only one return")
    if children < 0 or not 0.0 <= error_rate <= 1.0:
        raise ValueError("children_per_council must be >= 0 and error_rate within 0..1")


def _council_return(
    spec: ReturnSpec,
    book: Rulebook,
    council: str,
    children: int,
    error_rate: float,
    seed: int,
    kinds: tuple[str, ...],
) -> CouncilReturn:
    # Streams per council, so a council gets the same children whichever others are asked
    # for; and one for errors apart, so any error rate breaks the same clean children.
    maker = HistoryMaker(book, council, Random(f"{seed}/{council}"))  # noqa: S311 - test data
    rng = Random(f"{seed}/{council}/errors")  # noqa: S311 - test data, not secrets
    child_rows: list[Row] = []
    episode_rows: list[Row] = []
    placement_rows: list[Row] = []
    legal_rows: list[Row] = []
    permanence_rows: list[Row] = []
    seeded: list[SeededError] = []
    for index in range(1, children + 1):
        records = maker.child(index)
        if error_rate and rng.random() < error_rate:
            seeded.extend(_inject(records, rng, book, kinds))
        child_rows.append(records.child)
        episode_rows.extend(records.episodes)
        for rows in records.placements:
            placement_rows.extend(rows)
        for rows in records.legal_reasons:
            legal_rows.extend(rows)
        permanence_rows.extend(records.permanence)
    by_entity = {
        "child": child_rows,
        "episode": episode_rows,
        "placement": placement_rows,
        "legal_reason": legal_rows,
        "permanence": permanence_rows,
    }
    return CouncilReturn(council, {name: by_entity[name] for name in spec.entities}, seeded)


def _inject(
    records: ChildRecords, rng: Random, book: Rulebook, kinds: tuple[str, ...]
) -> list[SeededError]:
    """Break `records` with one fault of `kinds` (default all) that applies; [] when none does."""
    names = list(kinds or FAULTS)
    rng.shuffle(names)
    for name in names:
        touches = FAULTS[name](records, rng, book)
        if touches:
            seen: set[tuple[str, str, str]] = set()
            seeded = []
            for entity, key, field, rule_id in touches:
                # One row per rule, however many problems share it (an episode with two
                # placements outside it is one episode to fix).
                if (entity, key, rule_id) not in seen:
                    seen.add((entity, key, rule_id))
                    seeded.append(SeededError(entity, key, field, rule_id, name, records.child_id))
            return seeded
    return []
