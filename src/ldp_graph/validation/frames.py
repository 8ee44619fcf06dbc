"""Submitted rows of one entity as polars frames: the text as given, and typed columns.

Typed columns follow exactly the lexical rules of coercion.py, vectorised: a value that
does not parse becomes null in the typed frame while its text stays, which is how the
engine tells "missing" (text null) from "wrong type" (text present, typed null).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

import polars as pl

from ldp_graph.specs.model import EntitySpec, FieldType
from ldp_graph.validation.coercion import (
    DATE_PATTERN,
    FALSE_WORDS,
    INTEGER_PATTERN,
    NUMBER_PATTERN,
    TRUE_WORDS,
    WHITESPACE,
    as_text,
)

_TEXT_TYPES = {str, type(None)}
ROW = "__row"


class TextRows(list[dict[str, str | None]]):
    """Rows whose every value is text or None, as a CSV parser makes them.

    Its maker vouches for the values, so the engine need not look at each one to learn that
    polars may read them as text (for other rows it must: JSON numbers render differently).
    """


def text_column(field: str) -> str:
    """The name of the column holding `field`'s submitted text (the typed value is `field`)."""
    return f"text:{field}"


@dataclass(frozen=True)
class EntityFrame:
    name: str
    spec: EntitySpec
    rows: Sequence[Mapping[str, Any]]
    lines: Sequence[int]
    # ROW, then per field its typed value (named as the field) and its trimmed text
    # (`text:<field>`, null when blank).
    table: pl.DataFrame

    def __len__(self) -> int:
        return len(self.rows)

    def key_of(self, row: int) -> str | None:
        parts = [as_text(self.rows[row].get(f)) for f in self.spec.key]
        return None if any(p is None for p in parts) else "/".join(parts)  # type: ignore[arg-type]

    def text_of(self, row: int, field: str) -> str | None:
        return as_text(self.rows[row].get(field))


def _raw_column(name: str, rows: Sequence[Mapping[str, Any]]) -> pl.Series:
    values = [row.get(name) for row in rows]
    try:
        return pl.Series(name, values, dtype=pl.Utf8, strict=True)
    except (TypeError, pl.exceptions.PolarsError):
        # JSON gives numbers and booleans too: render them as text one by one.
        return pl.Series(name, [as_text(v) for v in values], dtype=pl.Utf8)


def _raw_frame(spec: EntitySpec, rows: Sequence[Mapping[str, Any]]) -> pl.DataFrame:
    schema = dict.fromkeys(spec.fields, pl.Utf8)
    if not rows:
        return pl.DataFrame(schema=schema)
    if isinstance(rows, TextRows) or _all_text(rows):
        # Rows of text (CSV, most JSON): polars reads the dicts in Rust, faster than
        # column-by-column Python. Keys outside the spec are ignored, missing ones null.
        # Only for text: polars renders numbers differently from as_text (1e+20, -0.0).
        return pl.DataFrame(rows, schema=schema, strict=True)
    columns = [_raw_column(field, rows) for field in spec.fields]
    return pl.DataFrame(columns, schema=schema)


def _all_text(rows: Sequence[Mapping[str, Any]]) -> bool:
    try:
        return set(map(type, chain.from_iterable(map(dict.values, rows)))) <= _TEXT_TYPES  # type: ignore[arg-type]
    except TypeError:  # mappings that are not dicts: take the general path
        return False


def _normalised(name: str) -> pl.Expr:
    """As coercion.as_text: trimmed of ASCII white space, blank becomes null."""
    stripped = pl.col(name).str.strip_chars(WHITESPACE)
    return pl.when(stripped.str.len_bytes() > 0).then(stripped).otherwise(None)


def _typed(text: pl.Expr, field_type: FieldType) -> pl.Expr:
    if field_type in (FieldType.STRING, FieldType.CODE):
        return text
    if field_type == FieldType.DATE:
        parsed = text.str.to_date("%Y-%m-%d", strict=False)
        ok = text.str.contains(DATE_PATTERN) & (parsed.dt.year() >= 1)
        return pl.when(ok).then(parsed).otherwise(None)
    if field_type == FieldType.INTEGER:
        ok = text.str.contains(INTEGER_PATTERN)
        return pl.when(ok).then(text.str.to_integer(strict=False)).otherwise(None)
    if field_type == FieldType.NUMBER:
        ok = text.str.contains(NUMBER_PATTERN)
        return pl.when(ok).then(text.cast(pl.Float64, strict=False)).otherwise(None)
    lowered = text.str.to_lowercase()
    return (
        pl.when(lowered.is_in(list(TRUE_WORDS)))
        .then(True)
        .when(lowered.is_in(list(FALSE_WORDS)))
        .then(False)
        .otherwise(None)
    )


def build_frame(
    name: str,
    spec: EntitySpec,
    rows: Sequence[Mapping[str, Any]],
    lines: Sequence[int] | None = None,
) -> EntityFrame:
    lines = lines if lines is not None else range(1, len(rows) + 1)
    # One lazy query, so polars computes every column in parallel in a single pass.
    texts = [_normalised(field).alias(text_column(field)) for field in spec.fields]
    typed = [
        _typed(pl.col(text_column(field)), definition.type).alias(field)
        for field, definition in spec.fields.items()
    ]
    table = (
        _raw_frame(spec, rows)
        .lazy()
        .select(pl.int_range(pl.len(), dtype=pl.Int64).alias(ROW), *texts)
        .select(ROW, *typed, *(text_column(field) for field in spec.fields))
        .collect()
    )
    return EntityFrame(name, spec, rows, lines, table)
