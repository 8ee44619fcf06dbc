"""The report: exact counts, capped issue lists, one id per problem, sources as given."""

from __future__ import annotations

import pytest

from ldp_graph.specs.registry import load_registry
from ldp_graph.validation.engine import UnknownEntities, validate
from tests.validation.clas_records import TODAY, clean_return

SPEC = load_registry().get("clas")
assert SPEC is not None


def test_a_problem_spanning_two_rows_carries_one_id_on_both() -> None:
    records = clean_return()
    records["placement"][0]["start_date"] = "2025-08-20"  # outside its episode

    report = validate(SPEC, records, today=TODAY)

    touched = [i for i in report.issues if i.rule_id == "CLAS-006"]
    assert {(i.entity, i.key) for i in touched} == {("placement", "P1"), ("episode", "E1")}
    assert len({i.problem_id for i in touched}) == 1
    assert [c.problems for c in report.counts if c.rule_id == "CLAS-006"] == [1]


def test_issue_names_line_key_field_value_and_a_message_for_staff() -> None:
    records = clean_return()
    records["child"][0]["sex"] = "Q"

    [issue] = validate(SPEC, records, today=TODAY, lines={"child": [7]}).issues

    assert (issue.entity, issue.line, issue.key, issue.fields, issue.value) == (
        "child",
        7,
        "C1",
        ("sex",),
        "Q",
    )
    assert issue.message.startswith("'Q' is not one of the codes allowed for Sex")
    assert issue.severity == "error"


def test_large_reports_cap_the_listed_issues_but_keep_exact_counts() -> None:
    records = clean_return()
    template = records["child"][0]
    records["child"] = [dict(template, child_id=f"C{i}", sex="Q") for i in range(50)]

    report = validate(SPEC, records, today=TODAY, max_issues=10)

    code_count = next(c for c in report.counts if c.rule_id == "CLAS-102")
    assert code_count.problems == 50
    assert len(report.issues) <= 10
    assert report.issues_truncated


def test_query_severity_alone_leaves_the_return_valid() -> None:
    records = clean_return()
    records["child"][0]["scn"] = None

    report = validate(SPEC, records, today=TODAY)

    assert report.valid
    assert (report.error_count, report.query_count) == (0, 1)


def test_json_native_values_validate_like_their_csv_text() -> None:
    as_text = clean_return()
    as_json = clean_return()
    as_json["episode"][0]["care_plan"] = True
    as_text["episode"][0]["care_plan"] = "Y"
    as_json["child"][0]["scn"] = 123456789

    assert validate(SPEC, as_json, today=TODAY) == validate(SPEC, as_text, today=TODAY)


def test_records_for_an_entity_the_spec_lacks_are_refused() -> None:
    records = clean_return()
    records["pets"] = [{"name": "Rex"}]

    with pytest.raises(UnknownEntities, match="has no entity pets"):
        validate(SPEC, records, today=TODAY)


def test_frames_read_text_rows_and_json_values_alike() -> None:
    from ldp_graph.specs.registry import load_registry
    from ldp_graph.validation.frames import build_frame

    spec = load_registry().get("clas")
    assert spec is not None
    entity = spec.entities["episode"]
    text_rows = [{"episode_id": "E1", "care_plan": "true", "extra": "x"}, {"episode_id": " E2 "}]
    json_rows = [{"episode_id": "E1", "care_plan": True, "extra": 1e20}, {"episode_id": " E2 "}]

    from_text = build_frame("episode", entity, text_rows)
    from_json = build_frame("episode", entity, json_rows)

    assert from_text.table.equals(from_json.table)
    assert from_text.table["text:episode_id"].to_list() == ["E1", "E2"]
