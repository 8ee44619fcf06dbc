"""Problems found while reading files join the validation report as errors, like any rule's."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from ldp_graph.ingest.parsed import IngestProblem
from ldp_graph.specs.model import Severity
from ldp_graph.validation.report import Issue, RuleCount, ValidationReport, problem_id

# The rule id of problems found while reading files, before any rule of the spec ran.
INGEST_RULE = "INGEST-001"


def with_ingest_problems(
    report: ValidationReport, problems: Sequence[IngestProblem]
) -> ValidationReport:
    """Rows the parser could take only in part are errors in the report, like any rule's."""
    if not problems:
        return report
    issues = [
        Issue(
            problem_id=problem_id(INGEST_RULE, p.entity, (p.key,), ()),
            rule_id=INGEST_RULE,
            severity=Severity.ERROR,
            entity=p.entity,
            line=p.line,
            key=p.key,
            fields=(),
            value=None,
            message=p.message,
        )
        for p in problems
    ]
    count = RuleCount(INGEST_RULE, Severity.ERROR, len(issues), len(issues))
    return dataclasses.replace(
        report,
        valid=False,
        error_count=report.error_count + len(issues),
        counts=[*report.counts, count],
        issues=[*report.issues, *issues],
    )
