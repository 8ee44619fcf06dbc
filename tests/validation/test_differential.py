"""The fast engine and cerberus find exactly the same per-field problems on random records."""

from __future__ import annotations

import string
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ldp_graph.specs.model import FieldRule
from ldp_graph.specs.registry import load_registry
from ldp_graph.validation.cerberus_oracle import Finding, field_findings
from ldp_graph.validation.engine import validate
from tests.validation.clas_records import TODAY

SPEC = load_registry().get("clas")
assert SPEC is not None
PER_FIELD_RULES = {r.id for r in SPEC.rules if isinstance(r, FieldRule)} | {
    SPEC.implied_checks.required.id,
    SPEC.implied_checks.type.id,
    SPEC.implied_checks.code.id,
}

tricky_text = st.sampled_from(
    [
        "",
        " ",
        "Y",
        "n",
        "yes",
        "TRUE",
        "0",
        "2",
        "2025-02-28",
        "2025-02-30",
        "2024-02-29",
        " 2025-09-01 ",
        "0000-01-01",
        "2025-9-1",
        "20250901",
        "\uff11\uff12\uff13",  # full-width digits: not ASCII digits
        "123456789",
        "12345678",
        "S12000033",
        "S1200003",
        "M",
        "F",
        "U",
        "WS",
        "KIN",
        "FOSTER_LA",
        "HOME",
        "C1",
        "\t",
        "1985-01-01",
        "2030-01-01",
        "1989-12-31",
        "1990-01-01",
        "x" * 25,
    ]
)
any_value: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    tricky_text,
    st.text(alphabet=string.printable, max_size=12),
    st.text(max_size=6),
    st.integers(min_value=-10, max_value=10**12),
    st.booleans(),
)


def _rows(entity: str) -> st.SearchStrategy[list[dict[str, Any]]]:
    fields = list(SPEC.entities[entity].fields)
    return st.lists(st.fixed_dictionaries(dict.fromkeys(fields, any_value)), max_size=6)


def _engine_findings(records: dict[str, list[dict[str, Any]]]) -> set[Finding]:
    report = validate(SPEC, records, today=TODAY, max_issues=100_000)
    return {
        Finding(i.entity, (i.line or 0) - 1, i.fields[0], i.rule_id)
        for i in report.issues
        if i.rule_id in PER_FIELD_RULES
    }


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(children=_rows("child"), episodes=_rows("episode"), placements=_rows("placement"))
def test_engine_and_cerberus_report_the_same_per_field_findings(
    children: list[dict[str, Any]],
    episodes: list[dict[str, Any]],
    placements: list[dict[str, Any]],
) -> None:
    records = {"child": children, "episode": episodes, "placement": placements}

    oracle = set(field_findings(SPEC, records, today=TODAY))

    assert _engine_findings(records) == oracle
