"""The validation report: exact counts by rule and severity, and the issues a council acts on."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

from ldp_graph.specs.model import Severity


@dataclass(frozen=True, slots=True)
class Issue:
    """One row touched by one problem. Rows touched by the same problem share `problem_id`."""

    problem_id: str
    rule_id: str
    severity: Severity
    entity: str
    line: int | None
    key: str | None
    fields: tuple[str, ...]
    value: str | None
    message: str


@dataclass(frozen=True, slots=True)
class RuleCount:
    rule_id: str
    severity: Severity
    problems: int
    rows: int


@dataclass(frozen=True, slots=True)
class ValidationReport:
    spec_id: str
    spec_version: str
    valid: bool
    error_count: int
    query_count: int
    records_checked: dict[str, int]
    counts: list[RuleCount]
    issues: list[Issue]
    issues_truncated: bool

    def summary(self) -> str:
        verdict = "valid" if self.valid else "NOT valid"
        return f"{verdict}: {self.error_count} errors, {self.query_count} queries"


def problem_id(
    rule_id: str, entity: str, keys: tuple[str | None, ...], fields: tuple[str, ...]
) -> str:
    """Stable across runs and versions, so the same problem can be recognised in a resubmission."""
    text = "|".join((rule_id, entity, *(k or "" for k in keys), *fields))
    return hashlib.blake2s(text.encode("utf-8"), digest_size=6).hexdigest()


@dataclass
class ReportBuilder:
    spec_id: str
    spec_version: str
    max_issues: int
    records_checked: dict[str, int] = field(default_factory=dict)
    _issues: list[Issue] = field(default_factory=list)
    _problems: Counter[tuple[str, Severity]] = field(default_factory=Counter)
    _rows: Counter[tuple[str, Severity]] = field(default_factory=Counter)
    _truncated: bool = False

    def add_problem(self, rule_id: str, severity: Severity, issues: list[Issue]) -> None:
        self._problems[(rule_id, severity)] += 1
        self._rows[(rule_id, severity)] += len(issues)
        if len(self._issues) + len(issues) <= self.max_issues:
            self._issues.extend(issues)
        else:
            self._truncated = True

    def add_unlisted(self, rule_id: str, severity: Severity, problems: int) -> None:
        """Count one-row problems known not to fit in the list (see validation/chunked.py)."""
        if problems:
            self._problems[(rule_id, severity)] += problems
            self._rows[(rule_id, severity)] += problems
            self._truncated = True

    def build(self) -> ValidationReport:
        counts = [
            RuleCount(rule_id, severity, problems, self._rows[(rule_id, severity)])
            for (rule_id, severity), problems in sorted(self._problems.items())
        ]
        errors = sum(c.problems for c in counts if c.severity == Severity.ERROR)
        queries = sum(c.problems for c in counts if c.severity == Severity.QUERY)
        issues = sorted(self._issues, key=lambda i: (i.entity, i.line or 0, i.rule_id))
        return ValidationReport(
            spec_id=self.spec_id,
            spec_version=self.spec_version,
            valid=errors == 0,
            error_count=errors,
            query_count=queries,
            records_checked=dict(self.records_checked),
            counts=counts,
            issues=issues,
            issues_truncated=self._truncated,
        )
