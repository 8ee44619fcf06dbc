"""Per-field rules run through cerberus itself: the oracle the fast engine is tested against,
and the baseline its speed is measured against.

Each entity's field definitions and `field` rules become one cerberus schema; values are
coerced first (coercion.py), so cerberus's own types (date, integer, boolean, ...) apply.
Findings are built from cerberus's structured errors, never from its message strings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cerberus import Validator

from ldp_graph.specs.model import FieldRule, FieldType, ReturnSpec
from ldp_graph.validation.coercion import as_text, coerce

_CERBERUS_TYPES = {
    FieldType.STRING: "string",
    FieldType.CODE: "string",
    FieldType.INTEGER: "integer",
    FieldType.NUMBER: "number",
    FieldType.BOOLEAN: "boolean",
    FieldType.DATE: "date",
}
_CONSTRAINTS = ("regex", "min", "max", "minlength", "maxlength", "allowed", "forbidden")


@dataclass(frozen=True, slots=True)
class Finding:
    entity: str
    row: int
    field: str
    rule_id: str


@dataclass(frozen=True)
class EntitySchema:
    """A cerberus schema plus which spec rule each (field, cerberus rule) stands for."""

    schema: dict[str, dict[str, Any]]
    rule_ids: dict[tuple[str, str], str]


def _bound(value: Any, period_start: dt.date, period_end: dt.date, today: dt.date) -> Any:
    return {"period_start": period_start, "period_end": period_end, "today": today}.get(
        value, value
    )


def entity_schema(
    spec: ReturnSpec, entity: str, period_start: dt.date, period_end: dt.date, today: dt.date
) -> EntitySchema:
    implied = spec.implied_checks
    schema: dict[str, dict[str, Any]] = {}
    rule_ids: dict[tuple[str, str], str] = {}
    for name, field in spec.entities[entity].fields.items():
        schema[name] = {"type": _CERBERUS_TYPES[field.type], "required": field.required}
        rule_ids[(name, "required")] = implied.required.id
        rule_ids[(name, "type")] = implied.type.id
        if field.code_list is not None:
            schema[name]["allowed"] = [c.code for c in spec.code_lists[field.code_list].codes]
            rule_ids[(name, "allowed")] = implied.code.id
    for rule in spec.rules:
        if not isinstance(rule, FieldRule) or rule.entity != entity:
            continue
        for constraint in _CONSTRAINTS:
            value = getattr(rule.check, constraint)
            if value is None:
                continue
            if constraint in schema[rule.field]:
                raise ValueError(
                    f"{rule.id}: {constraint} on {entity}.{rule.field} is declared twice; "
                    "cerberus can hold one per field"
                )
            if constraint in ("min", "max"):
                value = _bound(value, period_start, period_end, today)
                if spec.entities[entity].fields[rule.field].type == FieldType.INTEGER:
                    value = int(value) if float(value).is_integer() else value
            schema[rule.field][constraint] = value
            rule_ids[(rule.field, constraint)] = rule.id
    return EntitySchema(schema, rule_ids)


def coerce_row(spec: ReturnSpec, entity: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """The document cerberus sees: blank values left out, others coerced to their type."""
    document = {}
    for name, field in spec.entities[entity].fields.items():
        text = as_text(row.get(name))
        if text is not None:
            document[name] = coerce(text, field.type)
    return document


def field_findings(
    spec: ReturnSpec,
    records: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    today: dt.date | None = None,
) -> Iterator[Finding]:
    """Every per-field finding, as cerberus reports it, mapped to spec rule ids."""
    start = period_start or spec.period.start
    end = period_end or spec.period.end
    day = today or dt.date.today()
    for entity, rows in records.items():
        compiled = entity_schema(spec, entity, start, end, day)
        # One validator per call and entity, never shared between concurrent callers.
        validator = Validator(compiled.schema, allow_unknown=True)
        for index, row in enumerate(rows):
            if validator.validate(coerce_row(spec, entity, row), normalize=False):
                continue
            for error in validator._errors:
                field = error.document_path[0]
                yield Finding(entity, index, field, compiled.rule_ids[(field, error.rule)])
