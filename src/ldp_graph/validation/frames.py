"""Submitted rows of one entity as polars frames: the text as given, and typed columns.

Typed columns follow exactly the lexical rules of coercion.py, vectorised: a value that
does not parse becomes null in the typed frame while its text stays, which is how the
engine tells "missing" (text null) from "wrong type" (text present, typed null).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, overload

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


class TextFrame(Sequence[dict[str, str | None]]):
    """Rows of text held as columns: a polars frame of text columns, in the file's order.

    What a CSV parser gives for a large upload. Every value is text or None, as in
    `TextRows`, but a row becomes a dict only when it is asked for: a million records as
    dicts of Python strings take many times the memory of the same text in columns. Equal
    to any sequence of the same rows, so it reads as the list of dicts it stands for.
    """

    __slots__ = ("frame",)
    _SLICE = 2000  # rows made into dicts at a time when iterating

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame

    @classmethod
    def of_rows(cls, rows: Sequence[Mapping[str, str | None]]) -> TextFrame:
        """The frame of rows of text that all have the same keys, in the same order."""
        schema = dict.fromkeys(rows[0] if rows else (), pl.Utf8)
        return cls(pl.DataFrame(rows, schema=schema, strict=True))

    def __len__(self) -> int:
        return self.frame.height

    @overload
    def __getitem__(self, index: int) -> dict[str, str | None]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, str | None]]: ...

    def __getitem__(
        self, index: int | slice
    ) -> dict[str, str | None] | list[dict[str, str | None]]:
        if isinstance(index, slice):
            return list(self)[index]
        if not -len(self) <= index < len(self):
            raise IndexError("row index out of range")
        return self.frame.row(index, named=True)

    def __iter__(self) -> Iterator[dict[str, str | None]]:
        for part in self.frame.iter_slices(self._SLICE):
            yield from part.to_dicts()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, TextFrame):
            return self.frame.equals(other.frame)
        if isinstance(other, Sequence) and not isinstance(other, str):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"TextFrame({self.frame.height} rows of {', '.join(self.frame.columns)})"


class TextFrameBuilder:
    """Collects rows of cells (lists of text in `columns` order) into a `TextFrame`; an empty
    or white-space cell becomes missing (None), as `coercion.as_text` reads it.

    Rows wait as Python lists only until a chunk is full; then they become polars columns
    (blank cells found there, vectorised), so the Python objects of at most one chunk are
    alive at a time.
    """

    def __init__(self, columns: Sequence[str], chunk_rows: int = 16_384) -> None:
        self._schema = dict.fromkeys(columns, pl.Utf8)
        self._chunk_rows = chunk_rows
        self._pending: list[list[str]] = []
        self._chunks: list[pl.DataFrame] = []
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def append(self, cells: list[str]) -> None:
        self._pending.append(cells)
        self._count += 1
        if len(self._pending) >= self._chunk_rows:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        chunk = pl.DataFrame(self._pending, schema=self._schema, orient="row", strict=True)
        self._pending = []
        self._chunks.append(
            chunk.select(
                pl.when(pl.col(c).str.strip_chars(WHITESPACE).str.len_bytes() > 0)
                .then(pl.col(c))
                .alias(c)
                for c in self._schema
            )
        )

    def build(self) -> TextFrame:
        self._flush()
        chunks, self._chunks = self._chunks, []
        if not chunks:
            return TextFrame(pl.DataFrame(schema=self._schema))
        # Made contiguous once, here, while one entity's text is held: polars would otherwise
        # copy the chunks together inside the engine, with every entity's text held.
        return TextFrame(pl.concat(chunks, rechunk=True))


def text_column(field: str) -> str:
    """The name of the column holding `field`'s submitted text (the typed value is `field`)."""
    return f"text:{field}"


@dataclass(frozen=True)
class EntityFrame:
    name: str
    spec: EntitySpec
    lines: Sequence[int]
    # ROW, then per field its typed value (named as the field) and its trimmed text
    # (`text:<field>`, null when blank).
    table: pl.DataFrame
    _texts: dict[str, pl.Series] = field(default_factory=dict, compare=False, repr=False)

    def __len__(self) -> int:
        return self.table.height

    def key_of(self, row: int) -> str | None:
        parts = [self.text_of(row, f) for f in self.spec.key]
        return None if any(p is None for p in parts) else "/".join(parts)  # type: ignore[arg-type]

    def text_of(self, row: int, field: str) -> str | None:
        """The field's submitted value as trimmed text (coercion.as_text), read from the table."""
        texts = self._texts.get(field)
        if texts is None:
            if field not in self.spec.fields:
                return None  # rules name only the spec's fields; nothing else is read
            texts = self._texts[field] = self.table.get_column(text_column(field))
        value: str | None = texts[row]
        return value


def _raw_column(name: str, rows: Sequence[Mapping[str, Any]]) -> pl.Series:
    values = [row.get(name) for row in rows]
    try:
        return pl.Series(name, values, dtype=pl.Utf8, strict=True)
    except (TypeError, pl.exceptions.PolarsError):
        # JSON gives numbers and booleans too: render them as text one by one.
        return pl.Series(name, [as_text(v) for v in values], dtype=pl.Utf8)


def _raw_frame(spec: EntitySpec, rows: Sequence[Mapping[str, Any]]) -> pl.DataFrame:
    schema = dict.fromkeys(spec.fields, pl.Utf8)
    if isinstance(rows, TextFrame):
        # Columns outside the spec are left out, missing ones are null, as below.
        present = set(rows.frame.columns)
        return rows.frame.select(
            pl.col(f) if f in present else pl.lit(None, pl.Utf8).alias(f) for f in spec.fields
        )
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


# A value that starts or ends with white space the engine trims (WHITESPACE).
_TRIMMABLE = r"^[ \t\n\r\f\v]|[ \t\n\r\f\v]$"


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
    raw = _raw_frame(spec, rows)
    # A column with no value to trim or blank is its own text: taken as it is, it shares
    # the submitted column's memory instead of copying it (most columns of most uploads).
    untrimmed = raw.select(
        (pl.col(field).str.contains(_TRIMMABLE) | (pl.col(field).str.len_bytes() == 0)).any()
        for field in spec.fields
    ).row(0)
    # One lazy query, so polars computes every column in parallel in a single pass.
    texts = [
        (_normalised(field) if trim is not False else pl.col(field)).alias(text_column(field))
        for field, trim in zip(spec.fields, untrimmed, strict=True)
    ]
    typed = [
        _typed(pl.col(text_column(field)), definition.type).alias(field)
        for field, definition in spec.fields.items()
    ]
    table = (
        raw.lazy()
        .select(pl.int_range(pl.len(), dtype=pl.Int64).alias(ROW), *texts)
        .select(ROW, *typed, *(text_column(field) for field in spec.fields))
        .collect()
    )
    return EntityFrame(name, spec, lines, table)
