"""A report as JSON with the field names and values of the GraphQL `ValidationReport` type."""

from __future__ import annotations

from typing import Any

from ldp_graph.validation.report import ValidationReport


def report_json(report: ValidationReport) -> dict[str, Any]:
    return {
        "specId": report.spec_id,
        "specVersion": report.spec_version,
        "valid": report.valid,
        "errorCount": report.error_count,
        "queryCount": report.query_count,
        "recordsChecked": [
            {"entity": entity, "records": n} for entity, n in report.records_checked.items()
        ],
        "counts": [
            {
                "ruleId": c.rule_id,
                "severity": c.severity.value,
                "problems": c.problems,
                "rows": c.rows,
            }
            for c in report.counts
        ],
        "issues": [
            {
                "problemId": i.problem_id,
                "ruleId": i.rule_id,
                "severity": i.severity.value,
                "entity": i.entity,
                "line": i.line,
                "key": i.key,
                "fields": list(i.fields),
                "value": i.value,
                "message": i.message,
            }
            for i in report.issues
        ],
        "issuesTruncated": report.issues_truncated,
    }
