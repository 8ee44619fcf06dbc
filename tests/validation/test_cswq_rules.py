"""A second, quarterly return with numeric measures, added as data only: every rule works."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from ldp_graph.specs.registry import load_registry
from ldp_graph.validation.engine import validate

SPEC = load_registry().get("cswq")
assert SPEC is not None

Records = dict[str, list[dict[str, Any]]]

CLEAN: Records = {
    "quarter": [
        {"council": "S12000036", "quarter_start": "2026-07-01", "contact_email": "a@b.scot"}
    ],
    "team": [
        {
            "team_id": "T1",
            "council": "S12000036",
            "team_type": "DUTY",
            "staff_fte": "12.5",
            "vacancies_fte": "1.5",
            "open_cases": "180",
            "unallocated_cases": "7",
        },
        {
            "team_id": "T2",
            "council": "S12000036",
            "team_type": "FAMILY_PLACEMENT",
            "staff_fte": "6",
            "open_cases": "40",
        },
    ],
}


def clean() -> Records:
    return copy.deepcopy(CLEAN)


def _set(entity: str, index: int, **values: Any) -> Callable[[Records], None]:
    return lambda r: r[entity][index].update(values)


BREAKERS: dict[str, Callable[[Records], None]] = {
    "CSWQ-001": lambda r: r["quarter"].append(copy.deepcopy(r["quarter"][0])),
    "CSWQ-002": lambda r: [row.update(council="Edinburgh") for row in r["quarter"] + r["team"]],
    "CSWQ-003": _set("quarter", 0, quarter_start="2026-04-01"),
    "CSWQ-004": lambda r: r["quarter"].append(
        {"council": "S12000033", "quarter_start": "2026-07-01"}
    ),
    "CSWQ-005": lambda r: r["team"].append(copy.deepcopy(r["team"][0])),
    "CSWQ-006": _set("team", 1, council="S12000033"),
    "CSWQ-007": _set("team", 0, staff_fte="-2"),
    "CSWQ-008": _set("team", 0, vacancies_fte="900"),
    "CSWQ-009": _set("team", 1, open_cases="-1"),
    "CSWQ-010": _set("team", 0, unallocated_cases=None),
    "CSWQ-011": _set("team", 0, unallocated_cases="-4"),
    "CSWQ-100": _set("team", 0, open_cases=None),
    "CSWQ-101": _set("team", 0, staff_fte="twelve"),
    "CSWQ-102": _set("team", 0, team_type="SOCIAL"),
}


def _found(records: Records) -> set[str]:
    return {i.rule_id for i in validate(SPEC, records, max_issues=10_000).issues}


def test_the_quarterly_clean_example_passes_every_rule() -> None:
    report = validate(SPEC, clean())

    assert (report.valid, report.error_count, report.query_count) == (True, 0, 0)


def test_every_quarterly_rule_has_a_breaking_case() -> None:
    implied = SPEC.implied_checks
    ids = {r.id for r in SPEC.rules} | {implied.required.id, implied.type.id, implied.code.id}

    assert set(BREAKERS) == ids


@pytest.mark.parametrize("rule_id", sorted(BREAKERS))
def test_each_quarterly_breaker_raises_its_rule_and_no_other(rule_id: str) -> None:
    records = clean()
    BREAKERS[rule_id](records)

    assert _found(records) == {rule_id}


def test_numbers_are_checked_as_numbers_not_text() -> None:
    records = clean()
    records["team"][0].update(staff_fte="9.75", open_cases="1e2")

    found = _found(records)

    assert "CSWQ-007" not in found
    assert "CSWQ-101" in found  # an integer count written as 1e2 is not an integer
