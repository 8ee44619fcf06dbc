"""The has_child_when kind on a small made-up return: descendants two levels down, the latest
child only, ties, unreadable values, and conditions on an ancestor's field."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from ldp_graph.specs.registry import parse_spec
from ldp_graph.validation.engine import validate

Records = dict[str, list[dict[str, Any]]]

_SPEC: dict[str, Any] = {
    "id": "visits",
    "version": "2026",
    "title": "Visits",
    "description": "Households, their members and the visits made to them.",
    "period": {"start": "2026-01-01", "end": "2026-12-31"},
    "implied_checks": {
        "required": {"id": "V-100", "message": "{label} is missing."},
        "type": {"id": "V-101", "message": "'{value}' is not valid."},
        "code": {"id": "V-102", "message": "'{value}' is not a code."},
    },
    "code_lists": {
        "priority": {"codes": [{"code": "HIGH", "label": "High"}, {"code": "LOW", "label": "Low"}]},
        "outcome": {
            "codes": [
                {"code": "SEEN", "label": "Seen"},
                {"code": "NO_ACCESS", "label": "No access"},
                {"code": "REFUSED", "label": "Refused"},
            ]
        },
    },
    "entities": {
        "household": {
            "description": "A household.",
            "key": ["household_id"],
            "fields": {
                "household_id": {"type": "string", "required": True, "description": "Key."},
                "priority": {"type": "code", "code_list": "priority", "description": "Priority."},
            },
        },
        "person": {
            "description": "A member of a household.",
            "key": ["person_id"],
            "parent": {"entity": "household", "field": "household_id"},
            "fields": {
                "person_id": {"type": "string", "required": True, "description": "Key."},
                "household_id": {"type": "string", "required": True, "description": "Parent."},
                "needs_visit": {"type": "boolean", "description": "Must be seen."},
            },
        },
        "visit": {
            "description": "A visit to a person.",
            "key": ["visit_id"],
            "parent": {"entity": "person", "field": "person_id"},
            "fields": {
                "visit_id": {"type": "string", "required": True, "description": "Key."},
                "person_id": {"type": "string", "required": True, "description": "Parent."},
                "number": {"type": "integer", "required": True, "description": "1, 2, ..."},
                "outcome": {"type": "code", "code_list": "outcome", "description": "Outcome."},
            },
        },
    },
    "rules": [
        {
            "id": "V-001",
            "kind": "has_child_when",
            "entity": "household",
            "when": {"field": "priority", "in": ["HIGH"]},
            "child_entity": "visit",  # a grandchild, through person
            "child_when": {"field": "outcome", "in": ["SEEN"]},
            "severity": "query",
            "message": "Household {household_id} is high priority but nobody in it was seen.",
        },
        {
            "id": "V-002",
            "kind": "has_child_when",
            "entity": "person",
            "when": {"field": "household.priority", "in": ["HIGH"]},  # an ancestor's field
            "child_entity": "visit",
            "child_latest_by": "number",
            "child_when": {"field": "outcome", "not_in": ["REFUSED"]},
            "severity": "error",
            "message": "The last visit to {person_id} was refused.",
        },
    ],
}
SPEC = parse_spec(yaml.safe_dump(_SPEC), "visits.yaml")

CLEAN: Records = {
    "household": [
        {"household_id": "H1", "priority": "HIGH"},
        {"household_id": "H2", "priority": "LOW"},
    ],
    "person": [
        {"person_id": "A", "household_id": "H1"},
        {"person_id": "B", "household_id": "H1"},
        {"person_id": "C", "household_id": "H2"},
    ],
    "visit": [
        {"visit_id": "V1", "person_id": "A", "number": "1", "outcome": "REFUSED"},
        {"visit_id": "V2", "person_id": "A", "number": "2", "outcome": "NO_ACCESS"},
        {"visit_id": "V3", "person_id": "B", "number": "1", "outcome": "SEEN"},
        {"visit_id": "V4", "person_id": "C", "number": "1", "outcome": "REFUSED"},
    ],
}


def _found(records: Records) -> set[tuple[str, str, str | None]]:
    report = validate(SPEC, records)
    return {(i.rule_id, i.entity, i.key) for i in report.issues}


def _visit(records: Records, visit_id: str) -> dict[str, Any]:
    return next(v for v in records["visit"] if v["visit_id"] == visit_id)


def test_clean_visits_raise_nothing() -> None:
    assert _found(copy.deepcopy(CLEAN)) == set()


def test_a_grandchild_meeting_the_condition_anywhere_below_is_enough() -> None:
    records = copy.deepcopy(CLEAN)
    _visit(records, "V3")["outcome"] = "NO_ACCESS"

    assert _found(records) == {("V-001", "household", "H1")}


def test_a_household_whose_members_have_no_visits_fails_and_a_low_priority_one_never() -> None:
    records = copy.deepcopy(CLEAN)
    records["visit"] = [v for v in records["visit"] if v["person_id"] == "C"]

    assert _found(records) == {
        ("V-001", "household", "H1"),
        ("V-002", "person", "A"),
        ("V-002", "person", "B"),
    }


def test_only_the_latest_child_counts() -> None:
    records = copy.deepcopy(CLEAN)
    _visit(records, "V1")["number"] = "3"  # the refusal is now the last visit to A

    assert _found(records) == {("V-002", "person", "A")}


def test_the_latest_is_compared_as_a_number_not_as_text() -> None:
    records = copy.deepcopy(CLEAN)
    _visit(records, "V1")["number"] = "10"  # after 2, though "10" < "2" as text

    assert _found(records) == {("V-002", "person", "A")}


def test_children_tied_for_latest_all_count() -> None:
    records = copy.deepcopy(CLEAN)
    _visit(records, "V1")["number"] = "2"

    assert _found(records) == set()


@pytest.mark.parametrize(
    ("field", "value", "own_rule"),
    [
        ("number", None, "V-100"),  # might be the latest
        ("number", "third", "V-101"),
        ("outcome", None, None),  # might not be a refusal
        ("outcome", "REFUSE", "V-102"),
    ],
)
def test_an_unreadable_child_gets_the_benefit_of_the_doubt(
    field: str, value: str | None, own_rule: str | None
) -> None:
    records = copy.deepcopy(CLEAN)
    _visit(records, "V1")["number"] = "3"
    _visit(records, "V1")[field] = value

    found = _found(records)

    assert ("V-002", "person", "A") not in found
    assert {rule for rule, _, _ in found} == ({own_rule} if own_rule else set())


def test_a_condition_on_an_ancestor_field_follows_the_parent_link() -> None:
    records = copy.deepcopy(CLEAN)
    _visit(records, "V1")["number"] = "3"
    records["household"][0]["priority"] = "LOW"

    assert _found(records) == set()


def test_a_child_pointing_at_no_record_counts_for_nobody() -> None:
    records = copy.deepcopy(CLEAN)
    _visit(records, "V3")["person_id"] = "Z"  # (a reference rule would report Z)

    assert _found(records) == {("V-001", "household", "H1"), ("V-002", "person", "B")}
