"""Cross-record and conditional rules, vectorised with polars joins and group-bys."""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl

from ldp_graph.specs.model import (
    AgeLimitRule,
    Condition,
    DateOrderRule,
    EmptyWhenRule,
    HasChildrenRule,
    HasChildWhenRule,
    NoOverlapRule,
    OverlapsPeriodRule,
    ReferenceRule,
    RequiredWhenRule,
    UniqueRule,
    WithinParentRule,
)
from ldp_graph.validation.context import OPEN_END, CheckContext, age_in_years
from ldp_graph.validation.frames import ROW
from ldp_graph.validation.problems import Problem


def _end(name: str) -> pl.Expr:
    """An end date where blank means still open."""
    return pl.col(name).fill_null(pl.lit(OPEN_END))


def _single(
    rule_id: str, entity: str, rows: list[int], fields: tuple[str, ...]
) -> Iterator[Problem]:
    for row in rows:
        yield Problem(rule_id, ((entity, row, fields),))


def unique(ctx: CheckContext, rule: UniqueRule) -> Iterator[Problem]:
    texts = [f"text:{f}" for f in rule.fields]
    table = ctx.table(rule.entity).filter(pl.all_horizontal(pl.col(t).is_not_null() for t in texts))
    duplicates = (
        table.group_by(texts, maintain_order=True)
        .agg(pl.col(ROW).sort())
        .filter(pl.col(ROW).list.len() > 1)
    )
    fields = tuple(rule.fields)
    for rows in duplicates.get_column(ROW).to_list():
        yield Problem(rule.id, tuple((rule.entity, row, fields) for row in rows))


def reference(ctx: CheckContext, rule: ReferenceRule) -> Iterator[Problem]:
    link = ctx.spec.entities[rule.entity].parent
    assert link is not None
    parent_keys = ctx.table(link.entity).get_column(f"text:{ctx.spec.entities[link.entity].key[0]}")
    ref = pl.col(f"text:{link.field}")
    table = ctx.table(rule.entity)
    rows = table.filter(
        ref.is_not_null() & ~ref.is_in(parent_keys.drop_nulls().implode())
    ).get_column(ROW)
    yield from _single(rule.id, rule.entity, rows.to_list(), (link.field,))


def has_children(ctx: CheckContext, rule: HasChildrenRule) -> Iterator[Problem]:
    link = ctx.spec.entities[rule.child_entity].parent
    assert link is not None
    key = ctx.spec.entities[rule.entity].key[0]
    referenced = ctx.table(rule.child_entity).get_column(f"text:{link.field}").drop_nulls()
    own = pl.col(f"text:{key}")
    rows = ctx.table(rule.entity).filter(own.is_not_null() & ~own.is_in(referenced.implode()))
    yield from _single(rule.id, rule.entity, rows.get_column(ROW).to_list(), (key,))


def has_child_when(ctx: CheckContext, rule: HasChildWhenRule) -> Iterator[Problem]:
    link = ctx.spec.entities[rule.child_entity].parent
    assert link is not None
    key = ctx.spec.entities[rule.entity].key[0]
    children = ctx.table(rule.child_entity, _ancestor_fields(rule.child_when))
    # A child whose tested field is blank might meet the condition: its own check reports
    # the blank, and this rule gives it the benefit of the doubt, as conditions do.
    unknown = (
        pl.col(f"text:{rule.child_when.field}").is_null()
        if rule.child_when.field is not None
        else pl.lit(False)
    )
    meeting = (
        children.filter(condition_holds(ctx, rule.child_entity, rule.child_when) | unknown)
        .get_column(f"text:{link.field}")
        .drop_nulls()
    )
    table = ctx.table(rule.entity, _ancestor_fields(rule.when))
    own = pl.col(f"text:{key}")
    failing = (
        condition_holds(ctx, rule.entity, rule.when)
        & own.is_not_null()
        & ~own.is_in(meeting.implode())
    )
    fields = (rule.when.field,) if rule.when.field is not None else (key,)
    yield from _single(
        rule.id, rule.entity, table.filter(failing).get_column(ROW).to_list(), fields
    )


def date_order(ctx: CheckContext, rule: DateOrderRule) -> Iterator[Problem]:
    table = ctx.table(rule.entity)
    rows = table.filter(pl.col(rule.end) < pl.col(rule.start)).get_column(ROW)
    yield from _single(rule.id, rule.entity, rows.to_list(), (rule.start, rule.end))


def overlaps_period(ctx: CheckContext, rule: OverlapsPeriodRule) -> Iterator[Problem]:
    table = ctx.table(rule.entity)
    outside = (pl.col(rule.start) > pl.lit(ctx.period_end)) | (
        _end(rule.end) < pl.lit(ctx.period_start)
    )
    usable = pl.col(rule.start).is_not_null() & ctx.known(rule.entity, rule.end)
    rows = table.filter(usable & outside).get_column(ROW)
    yield from _single(rule.id, rule.entity, rows.to_list(), (rule.start, rule.end))


def within_parent(ctx: CheckContext, rule: WithinParentRule) -> Iterator[Problem]:
    link = ctx.spec.entities[rule.entity].parent
    assert link is not None
    parent_key = ctx.spec.entities[link.entity].key[0]
    parent = (
        ctx.table(link.entity)
        .filter(pl.col(rule.parent_start).is_not_null() & ctx.known(link.entity, rule.parent_end))
        .select(
            pl.col(parent_key).alias("__parent_key"),
            pl.col(ROW).alias("__parent_row"),
            pl.col(rule.parent_start).alias("__parent_start"),
            _end(rule.parent_end).alias("__parent_end"),
        )
        .unique(subset="__parent_key", keep="first", maintain_order=True)
    )
    table = ctx.table(rule.entity).filter(
        pl.col(rule.start).is_not_null() & ctx.known(rule.entity, rule.end)
    )
    joined = table.join(parent, left_on=link.field, right_on="__parent_key", how="inner")
    start, end = pl.col(rule.start), _end(rule.end)
    outside = (
        (start < pl.col("__parent_start"))
        | (start > pl.col("__parent_end"))
        | (end > pl.col("__parent_end"))
    )
    pairs = joined.filter(outside).select(ROW, "__parent_row").rows()
    for row, parent_row in pairs:
        yield Problem(
            rule.id,
            (
                (rule.entity, row, (rule.start, rule.end)),
                (link.entity, parent_row, (rule.parent_start, rule.parent_end)),
            ),
        )


def no_overlap(ctx: CheckContext, rule: NoOverlapRule) -> Iterator[Problem]:
    groups = [f"text:{g}" for g in rule.group_by]
    table = (
        ctx.table(rule.entity)
        .filter(
            pl.col(rule.start).is_not_null()
            & ctx.known(rule.entity, rule.end)
            & pl.all_horizontal(pl.col(g).is_not_null() for g in groups)
        )
        .select(*groups, ROW, pl.col(rule.start).alias("__start"), _end(rule.end).alias("__end"))
    )
    # Only groups with more than one record can overlap: join just those with themselves.
    table = table.filter(pl.len().over(groups) > 1)
    pairs = table.join(table, on=groups, suffix="_b").filter(
        (
            (pl.col("__start") < pl.col("__start_b"))
            | ((pl.col("__start") == pl.col("__start_b")) & (pl.col(ROW) < pl.col(f"{ROW}_b")))
        )
        & (pl.col("__start_b") < pl.col("__end"))
    )
    fields = (rule.start, rule.end)
    for first, second in pairs.select(ROW, f"{ROW}_b").sort(ROW, f"{ROW}_b").rows():
        yield Problem(rule.id, ((rule.entity, first, fields), (rule.entity, second, fields)))


def _ancestor_fields(condition: Condition) -> list[str]:
    return [f for f in (condition.age_from, condition.age_at) if f and "." in f]


def condition_holds(ctx: CheckContext, entity: str, condition: Condition) -> pl.Expr:
    """True where the condition holds; an unknown (blank or invalid) input means it does not."""
    parts: list[pl.Expr] = []
    if condition.field is not None:
        text = pl.col(f"text:{condition.field}")
        if condition.present is not None:
            parts.append(text.is_not_null() if condition.present else text.is_null())
        if condition.in_ is not None:
            parts.append(text.is_not_null() & text.is_in(condition.in_))
        if condition.not_in is not None:
            parts.append(text.is_not_null() & ~text.is_in(condition.not_in))
    if condition.age_from is not None and condition.age_at is not None:
        at = (
            pl.lit(ctx.date_value(condition.age_at))
            if condition.age_at in ("period_start", "period_end")
            else pl.col(condition.age_at)
        )
        age = age_in_years(pl.col(condition.age_from), at)
        parts.append(pl.col(condition.age_from).is_not_null() & at.is_not_null())
        if condition.age_min is not None:
            parts.append(age >= condition.age_min)
        if condition.age_below is not None:
            parts.append(age < condition.age_below)
    return pl.all_horizontal(parts).fill_null(False)


def required_when(ctx: CheckContext, rule: RequiredWhenRule) -> Iterator[Problem]:
    table = ctx.table(rule.entity, _ancestor_fields(rule.when))
    failing = condition_holds(ctx, rule.entity, rule.when) & pl.col(f"text:{rule.field}").is_null()
    yield from _single(
        rule.id, rule.entity, table.filter(failing).get_column(ROW).to_list(), (rule.field,)
    )


def empty_when(ctx: CheckContext, rule: EmptyWhenRule) -> Iterator[Problem]:
    table = ctx.table(rule.entity, _ancestor_fields(rule.when))
    failing = (
        condition_holds(ctx, rule.entity, rule.when) & pl.col(f"text:{rule.field}").is_not_null()
    )
    yield from _single(
        rule.id, rule.entity, table.filter(failing).get_column(ROW).to_list(), (rule.field,)
    )


def age_limit(ctx: CheckContext, rule: AgeLimitRule) -> Iterator[Problem]:
    table = ctx.table(rule.entity, [f for f in (rule.birth, rule.at) if "." in f])
    birth, at = pl.col(rule.birth), pl.col(rule.at)
    failing = (age_in_years(birth, at) >= rule.below).fill_null(False)
    yield from _single(
        rule.id, rule.entity, table.filter(failing).get_column(ROW).to_list(), (rule.at,)
    )
