"""Every CLAS rule, each with a record that breaks it and the clean return that passes it."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from ldp_graph.specs.registry import load_registry
from ldp_graph.validation.engine import validate
from tests.validation.clas_records import TODAY, clean_return

Records = dict[str, list[dict[str, Any]]]
SPEC = load_registry().get("clas")
assert SPEC is not None


def _set(entity: str, index: int, **values: Any) -> Callable[[Records], None]:
    return lambda r: r[entity][index].update(values)


def _duplicate(entity: str) -> Callable[[Records], None]:
    return lambda r: r[entity].append(copy.deepcopy(r[entity][0]))


def _second_open_episode(r: Records) -> None:
    r["episode"].append(
        {"episode_id": "E2", "child_id": "C1", "start_date": "2026-02-01", "care_plan": "Y"}
    )
    r["placement"].append(
        {
            "placement_id": "P3",
            "episode_id": "E2",
            "start_date": "2026-02-01",
            "placement_type": "KIN",
        }
    )


def _continuing_care(
    placement_types: tuple[str, str], birth: str = "2009-06-01"
) -> Callable[[Records], None]:
    """A young person leaving care for continuing care, from placements of the given types."""

    def change(r: Records) -> None:
        r["child"][0]["date_of_birth"] = birth
        r["episode"][0].update(destination="CONT_CARE", pathway_plan="Y", pathway_coordinator="Y")
        for placement, kind in zip(r["placement"], placement_types, strict=True):
            placement.update(placement_type=kind, foster_type=None)

    return change


BREAKERS: dict[str, Callable[[Records], None]] = {
    "CLAS-001": _duplicate("child"),
    "CLAS-002": _set("child", 0, date_of_birth="2027-01-01"),
    "CLAS-003": _set("episode", 0, end_date="2025-08-15"),
    "CLAS-004": _set("episode", 0, start_date="2024-01-01", end_date="2024-06-01"),
    "CLAS-005": _second_open_episode,
    "CLAS-006": _set("placement", 0, start_date="2025-08-20"),
    "CLAS-007": _set("placement", 1, start_date="2026-01-01"),
    "CLAS-008": lambda r: r["placement"].clear(),
    "CLAS-009": _set("episode", 0, destination=None),
    "CLAS-009B": _set("episode", 0, end_date=None),
    "CLAS-010": _set("placement", 0, foster_type=""),
    "CLAS-010B": _set("placement", 1, foster_type="LONG"),
    "CLAS-011": _set("child", 0, date_of_birth="2009-06-01"),
    "CLAS-011B": _set("child", 0, date_of_birth="2009-06-01"),
    "CLAS-012": _set("legal_reason", 0, start_date="2025-08-01"),
    "CLAS-013": _set("child", 0, scn="12AB"),
    "CLAS-013Q": _set("child", 0, scn=None),
    "CLAS-014": _set("child", 0, date_of_birth="2007-01-01"),
    "CLAS-015": _continuing_care(("HOME", "COMMUNITY")),
    "CLAS-016": _duplicate("episode"),
    "CLAS-017": _duplicate("placement"),
    "CLAS-018": _duplicate("legal_reason"),
    "CLAS-019": _set("episode", 0, child_id="C9"),
    "CLAS-020": _set("placement", 0, episode_id="E9"),
    "CLAS-021": _set("legal_reason", 0, episode_id="E9"),
    "CLAS-022": _set("permanence", 0, child_id="C9"),
    "CLAS-023": _set("placement", 0, end_date="2025-08-20"),
    "CLAS-024": _set("legal_reason", 0, end_date="2025-08-20"),
    "CLAS-025": _set("child", 0, council="X"),
    "CLAS-026": _set("child", 0, child_id="C" * 21),
    "CLAS-027": _set("permanence", 0, decision_date="2026-09-01"),
    "CLAS-028": _duplicate("permanence"),
    "CLAS-029": _set("child", 0, date_of_birth="1985-01-01"),
    "CLAS-100": _set("child", 0, sex=None),
    "CLAS-101": _set("episode", 0, care_plan="maybe"),
    "CLAS-102": _set("child", 0, sex="Q"),
}


def _rules_found(records: Records) -> set[str]:
    report = validate(SPEC, records, today=TODAY, max_issues=10_000)
    return {issue.rule_id for issue in report.issues}


def test_every_rule_of_the_spec_has_a_breaking_case() -> None:
    implied = SPEC.implied_checks
    all_ids = {r.id for r in SPEC.rules} | {implied.required.id, implied.type.id, implied.code.id}

    assert set(BREAKERS) == all_ids


def test_clean_return_passes_every_rule() -> None:
    report = validate(SPEC, clean_return(), today=TODAY)

    assert report.valid
    assert (report.error_count, report.query_count, report.issues) == (0, 0, [])


@pytest.mark.parametrize("rule_id", sorted(BREAKERS))
def test_breaking_record_raises_its_rule(rule_id: str) -> None:
    records = clean_return()
    BREAKERS[rule_id](records)

    assert rule_id in _rules_found(records)


def _supported_accommodation_from_home(records: Records) -> None:
    _continuing_care(("HOME", "COMMUNITY"))(records)
    records["episode"][0]["destination"] = "SUPPORTED"


def _continuing_care_issues(records: Records) -> list[tuple[str, str | None, tuple[str, ...]]]:
    report = validate(SPEC, records, today=TODAY, max_issues=10_000)
    return [(i.entity, i.key, i.fields) for i in report.issues if i.rule_id == "CLAS-015"]


def test_continuing_care_rule_flags_only_the_episode_with_its_destination() -> None:
    records = clean_return()
    _continuing_care(("KIN", "HOME"))(records)  # eligible once, but not when leaving

    report = validate(SPEC, records, today=TODAY)

    assert _continuing_care_issues(records) == [("episode", "E1", ("destination",))]
    assert (report.valid, report.error_count, report.query_count) == (True, 0, 1)
    (issue,) = report.issues
    assert issue.severity == "query"
    assert issue.message.startswith("Episode E1 ended in continuing care, but its last placement")


@pytest.mark.parametrize(
    "change",
    [
        _continuing_care(("HOME", "KIN")),  # left from a kinship placement
        _continuing_care(("HOME", "RES_LA")),  # or a residential one
        _continuing_care(("HOME", "COMMUNITY"), birth="2011-06-01"),  # under 16 at the end
        _supported_accommodation_from_home,
    ],
    ids=["kinship-last", "residential-last", "under-16", "other-destination"],
)
def test_continuing_care_rule_is_quiet_when_eligible_younger_or_elsewhere(
    change: Callable[[Records], None],
) -> None:
    records = clean_return()
    change(records)

    assert _continuing_care_issues(records) == []


@pytest.mark.parametrize(
    ("field", "value", "own_rule"),
    [
        ("placement_type", None, "CLAS-100"),  # blank: might have been eligible
        ("placement_type", "KINSHIP", "CLAS-102"),  # not a code: might have meant KIN
        ("start_date", None, "CLAS-100"),  # no start: might not be the last placement
        ("start_date", "2026-02-30", "CLAS-101"),
    ],
)
def test_continuing_care_rule_gives_an_unreadable_placement_the_benefit_of_the_doubt(
    field: str, value: str | None, own_rule: str
) -> None:
    records = clean_return()
    _continuing_care(("KIN", "HOME"))(records)
    records["placement"][1][field] = value

    assert _continuing_care_issues(records) == []
    assert own_rule in _rules_found(records)


def test_continuing_care_rule_fires_for_an_episode_without_placements() -> None:
    records = clean_return()
    _continuing_care(("KIN", "KIN"))(records)
    records["placement"].clear()

    assert _continuing_care_issues(records) == [("episode", "E1", ("destination",))]
    assert "CLAS-008" in _rules_found(records)


def test_continuing_care_rule_picks_out_the_one_young_person_among_several() -> None:
    records = clean_return()
    _continuing_care(("HOME", "KIN"))(records)  # C1 leaves from kinship care: fine
    for n, last_type in ((2, "HOME"), (3, "FOSTER_PURCH"), (4, "COMMUNITY")):
        records["child"].append({**records["child"][0], "child_id": f"C{n}"})
        records["episode"].append(
            {**records["episode"][0], "episode_id": f"E{n}", "child_id": f"C{n}"}
        )
        for k, placement in enumerate(records["placement"][:2], 1):
            records["placement"].append(
                {**placement, "placement_id": f"P{n}{k}", "episode_id": f"E{n}"}
            )
        records["placement"][-1].update(
            placement_type=last_type, foster_type="LONG" if last_type.startswith("FOSTER") else None
        )
    records["episode"][3]["destination"] = "SUPPORTED"  # C4 did not go to continuing care

    assert _continuing_care_issues(records) == [("episode", "E2", ("destination",))]


def test_a_condition_on_a_value_that_is_not_a_code_does_not_hold() -> None:
    records = clean_return()
    records["placement"][0]["placement_type"] = "FOSTER"  # not a code: maybe a foster placement

    found = _rules_found(records)

    assert "CLAS-102" in found
    assert "CLAS-010B" not in found  # its foster type is not reported as misplaced
