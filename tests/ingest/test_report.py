"""Problems found while reading join the validation report as errors, like any rule's."""

from __future__ import annotations

from ldp_graph.ingest import parse_files
from ldp_graph.ingest.report import INGEST_RULE, with_ingest_problems
from ldp_graph.specs.model import ReturnSpec, Severity
from ldp_graph.validation.engine import validate


def test_report_without_ingest_problems_is_unchanged(spec: ReturnSpec) -> None:
    report = validate(spec, {"child": []})

    assert with_ingest_problems(report, []) is report


def test_report_with_a_conflicting_flat_repeat_is_not_valid(spec: ReturnSpec) -> None:
    parsed = parse_files(
        spec, [("export.csv", b"child.child_id,child.sex\nC1,F\nC1,M\n")], flat=True
    )
    report = validate(spec, parsed.records, lines=parsed.lines)

    combined = with_ingest_problems(report, parsed.problems)

    assert combined.error_count == report.error_count + 1
    assert not combined.valid
    assert combined.counts[-1].rule_id == INGEST_RULE
    issue = combined.issues[-1]
    assert (issue.rule_id, issue.severity, issue.entity, issue.line, issue.key) == (
        INGEST_RULE,
        Severity.ERROR,
        "child",
        3,
        "C1",
    )
