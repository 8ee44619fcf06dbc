"""Cross-record and conditional rules, vectorised with polars joins and group-bys."""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl

from ldp_graph.specs.model import (
    AgeLimitRule,
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
from ldp_graph.validation.conditions import ancestor_fields, condition_holds, condition_unknown
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
    complete = pl.all_horizontal(pl.col(t).is_not_null() for t in texts)
    # Duplicates are rare: find them with one hash pass, then group only those rows.
    key = pl.struct(texts) if len(texts) > 1 else pl.col(texts[0])
    # One filter, so the table is not copied first: a complete key can only repeat another
    # complete key, so looking for repeats among all rows finds the same ones.
    duplicated = ctx.table(rule.entity).filter(complete & key.is_duplicated())
    groups = duplicated.group_by(texts).agg(pl.col(ROW).sort()).sort(pl.col(ROW).list.first())
    fields = tuple(rule.fields)
    for rows in groups.get_column(ROW).to_list():
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


OWNER = "__owner"  # the text key of the record a descendant belongs to


def has_child_when(ctx: CheckContext, rule: HasChildWhenRule) -> Iterator[Problem]:
    key = ctx.spec.entities[rule.entity].key[0]
    children = (
        ctx.table(rule.child_entity, ancestor_fields(rule.child_when))
        .lazy()
        .join(_owner_keys(ctx, rule.child_entity, rule.entity).lazy(), on=ROW, how="inner")
        .filter(pl.col(OWNER).is_not_null())
    )
    if rule.child_latest_by is not None:
        # Only the latest child counts; one whose date is blank or invalid might be it.
        order = pl.col(rule.child_latest_by)
        latest = order == order.max().over(OWNER)
        children = children.filter((order.is_null() | latest).fill_null(False))
    # A child whose tested value is blank or invalid might meet the condition: its own check
    # reports the value, and this rule gives it the benefit of the doubt, as conditions do.
    meeting = (
        children.filter(
            condition_holds(ctx, rule.child_entity, rule.child_when)
            | condition_unknown(ctx, rule.child_entity, rule.child_when)
        )
        .select(pl.col(OWNER).unique())
        .collect(engine="streaming")
        .get_column(OWNER)
    )
    table = ctx.table(rule.entity, ancestor_fields(rule.when))
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


def _owner_keys(ctx: CheckContext, entity: str, ancestor: str) -> pl.DataFrame:
    """ROW of each `entity` record and, as OWNER, the text key of its `ancestor` record,
    followed up the parent links (null where a link names no record)."""
    link = ctx.spec.entities[entity].parent
    assert link is not None
    owners = ctx.table(entity).select(ROW, pl.col(f"text:{link.field}").alias(OWNER))
    current = link.entity
    while current != ancestor:
        up = ctx.spec.entities[current].parent
        assert up is not None, f"{ancestor} is not an ancestor of {entity}"
        lookup = (
            ctx.table(current)
            .select(
                pl.col(f"text:{ctx.spec.entities[current].key[0]}").alias("__join"),
                pl.col(f"text:{up.field}").alias("__up"),
            )
            .drop_nulls("__join")
            .unique(subset="__join", keep="first")
        )
        owners = owners.join(lookup, left_on=OWNER, right_on="__join", how="left").select(
            ROW, pl.col("__up").alias(OWNER)
        )
        current = up.entity
    return owners


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
        .lazy()
        .filter(pl.col(rule.parent_start).is_not_null() & ctx.known(link.entity, rule.parent_end))
        .select(
            pl.col(parent_key).alias("__parent_key"),
            pl.col(ROW).alias("__parent_row"),
            pl.col(rule.parent_start).alias("__parent_start"),
            _end(rule.parent_end).alias("__parent_end"),
        )
        .unique(subset="__parent_key", keep="first")
    )
    # Only the columns the comparison needs go through the join.
    table = (
        ctx.table(rule.entity)
        .lazy()
        .filter(pl.col(rule.start).is_not_null() & ctx.known(rule.entity, rule.end))
        .select(ROW, link.field, pl.col(rule.start).alias("__start"), _end(rule.end).alias("__end"))
    )
    joined = table.join(parent, left_on=link.field, right_on="__parent_key", how="inner")
    start, end = pl.col("__start"), pl.col("__end")
    outside = (
        (start < pl.col("__parent_start"))
        | (start > pl.col("__parent_end"))
        | (end > pl.col("__parent_end"))
    )
    pairs = (
        joined.filter(outside)
        .select(ROW, "__parent_row")
        .sort(ROW)
        .collect(engine="streaming")
        .rows()
    )
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
        .lazy()
        .filter(
            pl.col(rule.start).is_not_null()
            & ctx.known(rule.entity, rule.end)
            & pl.all_horizontal(pl.col(g).is_not_null() for g in groups)
        )
        .select(*groups, ROW, pl.col(rule.start).alias("__start"), _end(rule.end).alias("__end"))
    )
    # Only groups with more than one record can overlap: join just those with themselves.
    table = table.filter(pl.len().over(groups) > 1).collect(engine="streaming").lazy()
    pairs = table.join(table, on=groups, suffix="_b").filter(
        (
            (pl.col("__start") < pl.col("__start_b"))
            | ((pl.col("__start") == pl.col("__start_b")) & (pl.col(ROW) < pl.col(f"{ROW}_b")))
        )
        & (pl.col("__start_b") < pl.col("__end"))
    )
    fields = (rule.start, rule.end)
    found = pairs.select(ROW, f"{ROW}_b").sort(ROW, f"{ROW}_b").collect(engine="streaming")
    for first, second in found.rows():
        yield Problem(rule.id, ((rule.entity, first, fields), (rule.entity, second, fields)))


def required_when(ctx: CheckContext, rule: RequiredWhenRule) -> Iterator[Problem]:
    table = ctx.table(rule.entity, ancestor_fields(rule.when))
    failing = condition_holds(ctx, rule.entity, rule.when) & pl.col(f"text:{rule.field}").is_null()
    yield from _single(
        rule.id, rule.entity, table.filter(failing).get_column(ROW).to_list(), (rule.field,)
    )


def empty_when(ctx: CheckContext, rule: EmptyWhenRule) -> Iterator[Problem]:
    table = ctx.table(rule.entity, ancestor_fields(rule.when))
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
