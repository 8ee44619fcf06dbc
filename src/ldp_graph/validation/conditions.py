"""Conditions of conditional rules (`when`, `child_when`), as polars expressions.

A test of a value (`in`, `not_in`, an age) holds only where the value is known: a blank or
invalid one (a date that does not parse, a code outside its list) is reported by its own
check, not by the rule. `present` asks only whether something was filled in."""

from __future__ import annotations

import polars as pl

from ldp_graph.specs.model import Condition, FieldSpec, FieldType
from ldp_graph.validation.context import CheckContext, age_in_years


def ancestor_fields(condition: Condition) -> list[str]:
    """The `ancestor.field` names a condition reads, to join into its entity's table."""
    named = (condition.field, condition.age_from, condition.age_at)
    return [f for f in named if f and "." in f]


def _definition(ctx: CheckContext, entity: str, name: str) -> FieldSpec:
    owner, _, field = name.rpartition(".")
    return ctx.spec.entities[owner or entity].fields[field]


def _valid(ctx: CheckContext, entity: str, name: str) -> pl.Expr:
    """True where the field holds a value that is valid for its type and code list."""
    definition = _definition(ctx, entity, name)
    text = pl.col(f"text:{name}")
    if definition.type == FieldType.CODE:
        codes = [c.code for c in ctx.spec.code_lists[definition.code_list].codes]  # type: ignore[index]
        return text.is_not_null() & text.is_in(codes)
    if definition.type == FieldType.STRING:
        return text.is_not_null()
    return pl.col(name).is_not_null()


def _date_at(ctx: CheckContext, at: str) -> pl.Expr:
    return pl.lit(ctx.date_value(at)) if at in ("period_start", "period_end") else pl.col(at)


def condition_holds(ctx: CheckContext, entity: str, condition: Condition) -> pl.Expr:
    """True where the condition holds; an unknown (blank or invalid) input means it does not."""
    parts: list[pl.Expr] = []
    if condition.field is not None:
        text = pl.col(f"text:{condition.field}")
        if condition.present is not None:
            parts.append(text.is_not_null() if condition.present else text.is_null())
        if condition.in_ is not None or condition.not_in is not None:
            parts.append(_valid(ctx, entity, condition.field))
        if condition.in_ is not None:
            parts.append(text.is_in(condition.in_))
        if condition.not_in is not None:
            parts.append(~text.is_in(condition.not_in))
    if condition.age_from is not None and condition.age_at is not None:
        at = _date_at(ctx, condition.age_at)
        age = age_in_years(pl.col(condition.age_from), at)
        parts.append(pl.col(condition.age_from).is_not_null() & at.is_not_null())
        if condition.age_min is not None:
            parts.append(age >= condition.age_min)
        if condition.age_below is not None:
            parts.append(age < condition.age_below)
    return pl.all_horizontal(parts).fill_null(False)


def condition_unknown(ctx: CheckContext, entity: str, condition: Condition) -> pl.Expr:
    """True where an input the condition tests is blank or invalid, so it cannot be decided
    (`present` always can: blank is its answer)."""
    parts: list[pl.Expr] = []
    if condition.field is not None and (condition.in_ is not None or condition.not_in is not None):
        parts.append(~_valid(ctx, entity, condition.field))
    if condition.age_from is not None and condition.age_at is not None:
        parts.append(
            pl.col(condition.age_from).is_null() | _date_at(ctx, condition.age_at).is_null()
        )
    return pl.any_horizontal(parts).fill_null(True) if parts else pl.lit(False)
