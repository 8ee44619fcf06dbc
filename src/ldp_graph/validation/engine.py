"""The validation engine: every rule of a spec over every submitted record, in one report.

Rules are compiled into vectorised polars checks (field_checks.py, cross_record.py); cerberus
remains the language of per-field rules and the oracle the engine is tested against
(cerberus_oracle.py), but it never runs per record on this path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from ldp_graph.specs.model import Period, ReturnSpec, Severity
from ldp_graph.validation import cross_record, field_checks
from ldp_graph.validation.context import CheckContext
from ldp_graph.validation.formulas import FORMULA_MESSAGE, FORMULA_RULE
from ldp_graph.validation.frames import build_frame
from ldp_graph.validation.problems import Problem
from ldp_graph.validation.report import Issue, ReportBuilder, ValidationReport, problem_id

DEFAULT_MAX_ISSUES = 1000

Records = Mapping[str, Sequence[Mapping[str, Any]]]

_RULE_CHECKS: dict[str, Callable[[CheckContext, Any], Iterator[Problem]]] = {
    "field": field_checks.field_rule,
    "unique": cross_record.unique,
    "reference": cross_record.reference,
    "has_children": cross_record.has_children,
    "has_child_when": cross_record.has_child_when,
    "date_order": cross_record.date_order,
    "within_parent": cross_record.within_parent,
    "no_overlap": cross_record.no_overlap,
    "overlaps_period": cross_record.overlaps_period,
    "required_when": cross_record.required_when,
    "empty_when": cross_record.empty_when,
    "age_limit": cross_record.age_limit,
}


class UnknownEntities(ValueError):
    """The records name entities the spec does not have."""


def validate(
    spec: ReturnSpec,
    records: Records,
    *,
    period: Period | None = None,
    lines: Mapping[str, Sequence[int]] | None = None,
    max_issues: int = DEFAULT_MAX_ISSUES,
    today: dt.date | None = None,
) -> ValidationReport:
    """Check `records` (entity name -> rows of submitted values) against `spec`.

    `period` defaults to the spec's; `lines` gives each row's source line (default: its
    1-based position). The report lists at most `max_issues` issues; its counts are exact.
    """
    check_entities(spec, records)
    period = period or spec.period
    frames = {
        name: build_frame(name, entity, records.get(name, ()), (lines or {}).get(name))
        for name, entity in spec.entities.items()
    }
    ctx = CheckContext(spec, frames, period.start, period.end, today or dt.date.today())
    builder = ReportBuilder(spec.id, spec.version, max_issues)
    builder.records_checked.update({name: len(frame) for name, frame in frames.items()})
    renderer = _Renderer(ctx)

    implied = spec.implied_checks
    severities = {c.id: Severity.ERROR for c in (implied.required, implied.type, implied.code)}
    templates = {c.id: c.message for c in (implied.required, implied.type, implied.code)}
    for entity in spec.entities:
        for problem in field_checks.implied_checks(ctx, entity):
            builder.add_problem(
                problem.rule_id,
                Severity.ERROR,
                renderer.issues(problem, severities[problem.rule_id], templates[problem.rule_id]),
            )
        for problem in field_checks.formula_values(ctx, entity):
            builder.add_problem(
                FORMULA_RULE,
                Severity.QUERY,
                renderer.issues(problem, Severity.QUERY, FORMULA_MESSAGE),
            )
    for rule in spec.rules:
        for problem in _RULE_CHECKS[rule.kind](ctx, rule):  # type: ignore[attr-defined]
            builder.add_problem(
                rule.id, rule.severity, renderer.issues(problem, rule.severity, rule.message)
            )
    return builder.build()


def check_entities(spec: ReturnSpec, records: Records) -> None:
    """Raise UnknownEntities if the records name entities the spec does not have."""
    unknown = sorted(set(records) - set(spec.entities))
    if unknown:
        raise UnknownEntities(
            f"{spec.id} {spec.version} has no entit{'y' if len(unknown) == 1 else 'ies'} "
            f"{', '.join(unknown)}; it has {', '.join(spec.entities)}"
        )


class _Placeholders(dict[str, str]):
    """A message's values, looked up only for the names its template uses."""

    def __init__(self, ctx: CheckContext, entity: str, row: int, field: str) -> None:
        super().__init__()
        self.ctx, self.entity, self.row, self.field = ctx, entity, row, field

    def __missing__(self, key: str) -> str:
        frame = self.ctx.frames[self.entity]
        if key == "value":
            return frame.text_of(self.row, self.field) or "(blank)"
        if key == "key":
            return frame.key_of(self.row) or "(no key)"
        if key == "field":
            return self.field
        if key == "label":
            definition = frame.spec.fields.get(self.field)
            return (definition.label or self.field) if definition else self.field
        if key == "entity":
            return self.entity
        if key == "period_start":
            return self.ctx.period_start.isoformat()
        if key == "period_end":
            return self.ctx.period_end.isoformat()
        if key in frame.spec.fields:
            return frame.text_of(self.row, key) or "(blank)"
        return "{" + key + "}"


class _Renderer:
    """Turns a problem into one issue per touched row, with a message staff can act on."""

    def __init__(self, ctx: CheckContext) -> None:
        self.ctx = ctx

    def issues(self, problem: Problem, severity: Severity, template: str) -> list[Issue]:
        entity, row, fields = problem.touches[0]
        frame = self.ctx.frames[entity]
        message = self._message(template, entity, row, fields)
        keys = tuple(self.ctx.frames[e].key_of(r) for e, r, _ in problem.touches)
        shared_id = problem_id(problem.rule_id, entity, keys, fields)
        value = frame.text_of(row, fields[0]) if len(fields) == 1 else None
        issues = []
        for (touched_entity, touched_row, touched_fields), key in zip(
            problem.touches, keys, strict=True
        ):
            touched = self.ctx.frames[touched_entity]
            issues.append(
                Issue(
                    problem_id=shared_id,
                    rule_id=problem.rule_id,
                    severity=severity,
                    entity=touched_entity,
                    line=touched.lines[touched_row],
                    key=key,
                    fields=touched_fields,
                    value=value if touched_row == row and touched_entity == entity else None,
                    message=message,
                )
            )
        return issues

    def _message(self, template: str, entity: str, row: int, fields: tuple[str, ...]) -> str:
        return template.format_map(_Placeholders(self.ctx, entity, row, fields[0])).strip()
