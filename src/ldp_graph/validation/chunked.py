"""Validation of a return read a chunk of rows at a time, giving the report `validate` gives.

A large upload is never held whole. Each chunk of an entity's rows gets the checks that read
one row only (the implied required/type/code checks, `field` rules, dates and conditions on
the row's own fields); of each chunk only the columns the cross-record rules read are kept
(keys, parent links, the fields those rules compare or their messages name), and those rules
run once, at the end, over the kept columns of every row. So what grows with the file is
those few columns, not every column, and polars' working memory is a chunk's, not the file's.

The report is `engine.validate`'s, issue for issue: problems reach the report builder in the
order it finds them (implied checks by entity and field, then the rules in spec order, rows in
order), so the issue cap keeps the same issues.
"""

from __future__ import annotations

import datetime as dt
import string
from array import array
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import polars as pl

from ldp_graph.specs.model import EntitySpec, FieldType, Period, ReturnSpec, Rule, Severity
from ldp_graph.validation import field_checks
from ldp_graph.validation.conditions import ancestor_fields
from ldp_graph.validation.context import CheckContext
from ldp_graph.validation.engine import (
    _RULE_CHECKS,
    DEFAULT_MAX_ISSUES,
    Records,
    _Renderer,
    check_entities,
)
from ldp_graph.validation.formulas import FORMULA_MESSAGE, FORMULA_RULE
from ldp_graph.validation.frames import ROW, EntityFrame, TextFrame, TextRows, build_frame
from ldp_graph.validation.report import Issue, ReportBuilder, ValidationReport

# Rows per chunk: large enough that polars' per-call overhead stays small against the work,
# small enough that a chunk's frames are a small part of the peak.
DEFAULT_CHUNK_ROWS = 50_000
_TEXT_TYPES = (FieldType.STRING, FieldType.CODE)  # the typed value is the text itself


@runtime_checkable
class RowChunks(Protocol):
    """Rows read a chunk at a time (an uploaded file), each chunk with its source lines.
    Its length is known once it has been read through."""

    rows_read: int | None  # None until read through

    def chunks(self, size: int) -> Iterator[tuple[Sequence[Mapping[str, Any]], Sequence[int]]]: ...

    def __len__(self) -> int: ...


def row_local(spec: ReturnSpec, rule: Rule) -> bool:
    """Whether the rule reads only the row it reports, and perhaps its ancestors' fields when
    those entities come first in the spec (so their kept columns are complete by then)."""
    if rule.kind in ("field", "date_order", "overlaps_period"):
        return True
    if rule.kind in ("required_when", "empty_when"):
        named = ancestor_fields(rule.when)  # type: ignore[union-attr]
    elif rule.kind == "age_limit":
        named = [f for f in (rule.birth, rule.at) if "." in f]  # type: ignore[union-attr]
    else:
        return False
    order = list(spec.entities)
    return all(order.index(name.rpartition(".")[0]) < order.index(rule.entity) for name in named)


def kept_fields(spec: ReturnSpec) -> dict[str, set[str]]:
    """Per entity, the fields the cross-record rules read or name in their messages, with
    every key and parent link (joins and issue keys need them), and the ancestors' fields
    row-local rules read. A name is attributed to every entity the rule concerns that has
    such a field: keeping one too many is harmless."""
    kept = {
        name: set(entity.key) | ({entity.parent.field} if entity.parent else set())
        for name, entity in spec.entities.items()
    }
    for rule in spec.rules:
        local = row_local(spec, rule)
        concerned = [rule.entity, getattr(rule, "child_entity", None)]
        parent = spec.entities[rule.entity].parent
        concerned.append(parent.entity if parent else None)
        placeholders = [p for _, p, _, _ in string.Formatter().parse(rule.message) if p]
        for name in [*_strings(rule.model_dump()), *placeholders]:
            owner, _, field_name = name.rpartition(".")
            if local and not owner:
                continue  # read in the row's own chunk
            for entity in [owner] if owner else concerned:
                if entity in spec.entities and field_name in spec.entities[entity].fields:
                    kept[entity].add(field_name)
    return kept


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


@dataclass
class _Found:
    """Problems of one check found chunk by chunk, rendered, in the order found."""

    rule_id: str
    severity: Severity
    problems: list[list[Issue]] = field(default_factory=list)
    listed: int = 0
    unlisted: int = 0  # one-row problems past the cap: the report counts them, lists none

    def add(self, issues: list[Issue], max_issues: int) -> None:
        # A one-row problem after max_issues listed ones of the same check can never be
        # listed (the report lists problems in order while they fit), so it is only counted.
        if len(issues) == 1 and self.listed >= max_issues:
            self.unlisted += 1
            return
        self.problems.append(issues)
        self.listed += len(issues)

    def report_to(self, builder: ReportBuilder) -> None:
        for issues in self.problems:
            builder.add_problem(self.rule_id, self.severity, issues)
        builder.add_unlisted(self.rule_id, self.severity, self.unlisted)


def validate_in_chunks(
    spec: ReturnSpec,
    records: Records,
    *,
    period: Period | None = None,
    lines: Mapping[str, Sequence[int]] | None = None,
    max_issues: int = DEFAULT_MAX_ISSUES,
    today: dt.date | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> ValidationReport:
    """As `engine.validate`, reading each entity's rows `chunk_rows` at a time; a `RowChunks`
    (an uploaded file) is read once, here."""
    check_entities(spec, records)
    period = period or spec.period
    today = today or dt.date.today()
    kept = kept_fields(spec)
    implied = spec.implied_checks
    # In the order their fields are declared, as field_checks.implied_checks runs them.
    implied_checks = [getattr(implied, name) for name in type(implied).model_fields]
    implied_ids = [check.id for check in implied_checks]
    templates = {check.id: check.message for check in implied_checks}
    local_rules = [rule for rule in spec.rules if row_local(spec, rule)]
    found_implied: dict[str, dict[tuple[int, int], _Found]] = {}
    found_formulas: dict[str, dict[int, _Found]] = {}  # by the field's position, as the engine
    found_local = {rule.id: _Found(rule.id, rule.severity) for rule in local_rules}
    frames: dict[str, EntityFrame] = {}
    lookups: dict[tuple[str, ...], pl.DataFrame] = {}  # ancestors' fields, shared by chunks
    for name, entity in spec.entities.items():
        fields = list(entity.fields)
        found = found_implied[name] = {}
        formulas = found_formulas[name] = {}
        parts: list[pl.DataFrame] = []
        all_lines = array("q")
        rows = records.get(name, ())
        for chunk, chunk_lines in _chunks(rows, (lines or {}).get(name), chunk_rows):
            offset = len(all_lines)
            if chunk_lines is None:
                chunk_lines = range(offset + 1, offset + 1 + len(chunk))
            frame = build_frame(name, entity, chunk, chunk_lines)
            # Earlier entities' kept columns are there for rules that read an ancestor's field.
            ctx = CheckContext(
                spec, {**frames, name: frame}, period.start, period.end, today, lookups=lookups
            )
            renderer = _Renderer(ctx)
            for problem in field_checks.implied_checks(ctx, name):
                touched_field = problem.touches[0][2][0]
                order = (fields.index(touched_field), _rank(implied_ids, problem.rule_id))
                check = found.setdefault(order, _Found(problem.rule_id, Severity.ERROR))
                issues = renderer.issues(problem, Severity.ERROR, templates[problem.rule_id])
                check.add(issues, max_issues)
            for problem in field_checks.formula_values(ctx, name):
                touched_field = problem.touches[0][2][0]
                check = formulas.setdefault(
                    fields.index(touched_field), _Found(FORMULA_RULE, Severity.QUERY)
                )
                check.add(renderer.issues(problem, Severity.QUERY, FORMULA_MESSAGE), max_issues)
            for rule in local_rules:
                if rule.entity == name:
                    for problem in _RULE_CHECKS[rule.kind](ctx, rule):
                        issues = renderer.issues(problem, rule.severity, rule.message)
                        found_local[rule.id].add(issues, max_issues)
            parts.append(_kept_columns(frame, kept[name], offset))
            all_lines.extend(chunk_lines)
        frames[name] = EntityFrame(name, entity, all_lines, _joined(parts, entity, kept[name]))

    ctx = CheckContext(spec, frames, period.start, period.end, today)
    builder = ReportBuilder(spec.id, spec.version, max_issues)
    builder.records_checked.update({name: len(frame) for name, frame in frames.items()})
    for name in spec.entities:
        for _, check in sorted(found_implied[name].items()):
            check.report_to(builder)
        for _, formula_check in sorted(found_formulas[name].items()):
            formula_check.report_to(builder)
    renderer = _Renderer(ctx)
    for rule in spec.rules:
        if rule.id in found_local:
            found_local[rule.id].report_to(builder)
            continue
        for problem in _RULE_CHECKS[rule.kind](ctx, rule):
            builder.add_problem(
                rule.id, rule.severity, renderer.issues(problem, rule.severity, rule.message)
            )
    return builder.build()


def _rank(ids: list[str], rule_id: str) -> int:
    return ids.index(rule_id) if rule_id in ids else len(ids)


def _chunks(
    rows: Any, lines: Sequence[int] | None, size: int
) -> Iterator[tuple[Sequence[Mapping[str, Any]], Sequence[int] | None]]:
    """The rows `size` at a time with their lines (None: numbered by position)."""
    if isinstance(rows, RowChunks):
        yield from rows.chunks(size)
        return
    if not rows:
        yield rows, lines
        return
    for start in range(0, len(rows), size):
        if isinstance(rows, TextFrame):
            chunk: Sequence[Mapping[str, Any]] = TextFrame(rows.frame.slice(start, size))
        elif isinstance(rows, TextRows):
            chunk = TextRows(rows[start : start + size])
        else:
            chunk = rows[start : start + size]
        yield chunk, (lines[start : start + size] if lines is not None else None)


def _kept_columns(frame: EntityFrame, kept: set[str], offset: int) -> pl.DataFrame:
    """ROW (numbered across chunks), and the typed value and text of each kept field. A text
    or code field's typed value is its text: it is added back once, after the chunks are
    joined, so the joined text is not held twice."""
    fields = frame.spec.fields
    typed = [f for f in fields if f in kept and fields[f].type not in _TEXT_TYPES]
    links = set(frame.spec.key) | ({frame.spec.parent.field} if frame.spec.parent else set())
    texts = [
        # Dates and codes repeat a few thousand values: as categoricals they take 4 bytes a
        # row instead of a 16-byte string view. Keys and links stay text: joins read them.
        pl.col(f"text:{f}").cast(pl.Categorical)
        if fields[f].type in (FieldType.DATE, FieldType.CODE) and f not in links
        else pl.col(f"text:{f}")
        for f in fields
        if f in kept
    ]
    return frame.table.select(pl.col(ROW) + offset, *typed, *texts)


def _joined(parts: list[pl.DataFrame], entity: EntitySpec, kept: set[str]) -> pl.DataFrame:
    table = pl.concat(parts, rechunk=True) if len(parts) > 1 else parts[0]
    return table.with_columns(
        pl.col(f"text:{name}").alias(name)
        for name, definition in entity.fields.items()
        if name in kept and definition.type in _TEXT_TYPES
    )
