"""What a check sees: the frames of every entity, the period, and today's date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from ldp_graph.specs.model import ReturnSpec
from ldp_graph.validation.frames import EntityFrame

OPEN_END = dt.date(9999, 12, 31)


@dataclass(frozen=True)
class CheckContext:
    spec: ReturnSpec
    frames: dict[str, EntityFrame]
    period_start: dt.date
    period_end: dt.date
    today: dt.date
    # Each entity's table, widened by every ancestor field joined in so far: a join is done
    # once however many rules read the field.
    _tables: dict[str, pl.DataFrame] = field(default_factory=dict, repr=False)
    # Each ancestor field's lookup (parent key -> value), made once: contexts of the chunks of
    # one upload share it, as the ancestor's rows do not change from chunk to chunk.
    lookups: dict[tuple[str, ...], pl.DataFrame] = field(default_factory=dict, repr=False)

    def date_value(self, reference: object) -> object:
        """A bound as written in a spec: period_start, period_end, today, or a literal."""
        if reference == "period_start":
            return self.period_start
        if reference == "period_end":
            return self.period_end
        if reference == "today":
            return self.today
        return reference

    def known(self, entity: str, field: str) -> pl.Expr:
        """True where `field` is blank or parses as its type (so a type error is not repeated)."""
        frame = self.frames[entity]
        if field not in frame.spec.fields:  # an ancestor's field, already joined in
            return pl.lit(True)
        return pl.col(field).is_not_null() | pl.col(f"text:{field}").is_null()

    def table(self, entity: str, ancestor_fields: list[str] | tuple[str, ...] = ()) -> pl.DataFrame:
        """The typed frame, with each field's text as `text:<field>` and any `ancestor.field`
        columns (typed, and text as `text:ancestor.field`) joined in along the parent chain
        (first parent row wins on duplicate keys)."""
        table = self._tables.get(entity, self.frames[entity].table)
        for wanted in dict.fromkeys(ancestor_fields):
            if wanted not in table.columns:
                table = self._join_ancestor_field(entity, table, wanted)
                self._tables[entity] = table
        return table

    def _join_ancestor_field(self, entity: str, table: pl.DataFrame, wanted: str) -> pl.DataFrame:
        owner, _, field = wanted.rpartition(".")
        link_column = None
        current = entity
        # Walk up the chain, carrying the parent's key as a column named "<parent>.key".
        while True:
            link = self.spec.entities[current].parent
            assert link is not None, f"{owner} is not an ancestor of {entity}"
            parent = link.entity
            parent_key = self.spec.entities[parent].key[0]
            from_column = link.field if link_column is None else link_column
            parent_frame = self.frames[parent].table
            if parent == owner:
                lookup = self.lookups.get((parent, wanted))
                if lookup is None:
                    lookup = self.lookups[(parent, wanted)] = (
                        self.table(parent)
                        .select(
                            pl.col(parent_key).alias("__join"),
                            pl.col(field).alias(wanted),
                            pl.col(f"text:{field}").alias(f"text:{wanted}"),
                        )
                        .unique(subset="__join", keep="first")
                    )
                return _widened(table, lookup, from_column)
            next_link = self.spec.entities[parent].parent
            assert next_link is not None
            carry = f"{parent}.__up"
            lookup = self.lookups.get((parent, carry))
            if lookup is None:
                lookup = self.lookups[(parent, carry)] = parent_frame.select(
                    pl.col(parent_key).alias("__join"), pl.col(next_link.field).alias(carry)
                ).unique(subset="__join", keep="first")
            if carry not in table.columns:
                table = _widened(table, lookup, from_column)
            link_column, current = carry, parent


def _widened(table: pl.DataFrame, lookup: pl.DataFrame, column: str) -> pl.DataFrame:
    """`table` left-joined on `column` to `lookup` (unique on `__join`), rows in order. Only the
    looked-up columns are made: the table's own are shared with it, not copied by the join."""
    found = (
        table.select(column)
        .join(lookup, left_on=column, right_on="__join", how="left", maintain_order="left")
        .drop(column)
    )
    return table.hstack(found)


def age_in_years(birth: pl.Expr, at: pl.Expr) -> pl.Expr:
    """Whole years between two dates (the birthday not yet reached that year does not count)."""
    before_birthday = (at.dt.month().cast(pl.Int32) * 100 + at.dt.day().cast(pl.Int32)) < (
        birth.dt.month().cast(pl.Int32) * 100 + birth.dt.day().cast(pl.Int32)
    )
    return (
        at.dt.year().cast(pl.Int32)
        - birth.dt.year().cast(pl.Int32)
        - before_birthday.cast(pl.Int32)
    )
