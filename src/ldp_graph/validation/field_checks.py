"""Per-field checks, vectorised: the checks every field definition implies (required, type,
code list) and `field` rules in cerberus's vocabulary (regex, min/max, lengths, allowed)."""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl

from ldp_graph.specs.model import FieldRule, FieldType
from ldp_graph.validation.coercion import NUMBER_PATTERN
from ldp_graph.validation.context import CheckContext
from ldp_graph.validation.formulas import FORMULA_RULE, starts_like_formula_expr
from ldp_graph.validation.frames import ROW
from ldp_graph.validation.problems import Problem

_TYPED = (FieldType.DATE, FieldType.INTEGER, FieldType.NUMBER, FieldType.BOOLEAN)


def _rows(table: pl.DataFrame, condition: pl.Expr) -> list[int]:
    return table.filter(condition).get_column(ROW).to_list()


def implied_checks(ctx: CheckContext, entity: str) -> Iterator[Problem]:
    checks = ctx.spec.implied_checks
    table = ctx.table(entity)
    for name, field in ctx.frames[entity].spec.fields.items():
        text = pl.col(f"text:{name}")
        if field.required:
            for row in _rows(table, text.is_null()):
                yield Problem(checks.required.id, ((entity, row, (name,)),))
        if field.type in _TYPED:
            for row in _rows(table, text.is_not_null() & pl.col(name).is_null()):
                yield Problem(checks.type.id, ((entity, row, (name,)),))
        if field.type == FieldType.CODE:
            codes = [c.code for c in ctx.spec.code_lists[field.code_list].codes]  # type: ignore[index]
            for row in _rows(table, text.is_not_null() & ~text.is_in(codes)):
                yield Problem(checks.code.id, ((entity, row, (name,)),))


def formula_values(ctx: CheckContext, entity: str) -> Iterator[Problem]:
    """Free text a spreadsheet could run as a formula: string fields only (a code is checked
    against its list, a date or number by its type), and never a plain number such as -5."""
    table = ctx.table(entity)
    fields = [n for n, f in ctx.frames[entity].spec.fields.items() if f.type == FieldType.STRING]
    if not fields:
        return
    # One pass over every text column at once (polars runs them in parallel) says which hold
    # any such value at all; most hold none, and are not looked at again.
    found = table.select(
        starts_like_formula_expr(pl.col(f"text:{name}")).any().alias(name) for name in fields
    ).row(0, named=True)
    for name in (n for n in fields if found[n]):
        text = pl.col(f"text:{name}")
        # The number test runs only on the few values that start like a formula.
        candidates = table.select(ROW, text).filter(starts_like_formula_expr(text))
        for row in _rows(candidates, ~text.str.contains(NUMBER_PATTERN)):
            yield Problem(FORMULA_RULE, ((entity, row, (name,)),))


def anchored(regex: str) -> str:
    """Cerberus matches `regex` from the start and appends `$` unless it ends with one."""
    return f"^(?:{regex if regex.endswith('$') else regex + '$'})"


def field_rule(ctx: CheckContext, rule: FieldRule) -> Iterator[Problem]:
    table = ctx.table(rule.entity)
    value = pl.col(rule.field)
    check = rule.check
    failures: list[pl.Expr] = []
    if check.regex is not None:
        failures.append(~value.str.contains(anchored(check.regex)))
    if check.min is not None:
        failures.append(value < pl.lit(ctx.date_value(check.min)))
    if check.max is not None:
        failures.append(value > pl.lit(ctx.date_value(check.max)))
    if check.minlength is not None:
        failures.append(value.str.len_chars() < check.minlength)
    if check.maxlength is not None:
        failures.append(value.str.len_chars() > check.maxlength)
    if check.allowed is not None:
        failures.append(~value.is_in(check.allowed))
    if check.forbidden is not None:
        failures.append(value.is_in(check.forbidden))
    # Like cerberus, a value of the wrong type is reported once, by the type check only.
    failing = pl.any_horizontal(failures) & value.is_not_null()
    for row in _rows(table, failing):
        yield Problem(rule.id, ((rule.entity, row, (rule.field,)),))
