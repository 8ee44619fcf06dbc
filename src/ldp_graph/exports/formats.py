"""Serialise pages of records: CSV (formula-safe), NDJSON, Parquet.

Values are written as submitted text. In CSV, a value a spreadsheet would run as a formula
(starting with =, +, -, @, tab, carriage return or line feed, after any leading spaces, or
with the full-width forms of those signs, which some spreadsheets read as formulas too) is
prefixed with a quote, the OWASP advice against CSV injection; NDJSON and Parquet carry the
values unchanged.
"""

from __future__ import annotations

import csv
import enum
import io
import json
from collections.abc import AsyncIterator, Sequence
from typing import Any

import polars as pl

from ldp_graph.validation.coercion import as_text
from ldp_graph.validation.formulas import starts_like_formula


class ExportFormat(enum.StrEnum):
    CSV = "csv"
    NDJSON = "ndjson"
    PARQUET = "parquet"

    @property
    def media_type(self) -> str:
        return {
            ExportFormat.CSV: "text/csv; charset=utf-8",
            ExportFormat.NDJSON: "application/x-ndjson",
            ExportFormat.PARQUET: "application/vnd.apache.parquet",
        }[self]


Row = dict[str, Any]


def neutralise(value: str | None) -> str:
    """The CSV cell for `value`: quoted with a leading ' when a spreadsheet could run it."""
    if value is None:
        return ""
    return "'" + value if starts_like_formula(value) else value


def _csv_line(values: Sequence[str]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(values)
    return buffer.getvalue().encode("utf-8")


async def serialise(
    export_format: ExportFormat, columns: Sequence[str], pages: AsyncIterator[list[Row]]
) -> AsyncIterator[bytes]:
    """The bytes of the export, page by page (Parquet, a columnar file, comes at the end)."""
    if export_format == ExportFormat.CSV:
        yield _csv_line(columns)
        async for page in pages:
            yield b"".join(
                _csv_line([neutralise(as_text(row.get(c))) for c in columns]) for row in page
            )
    elif export_format == ExportFormat.NDJSON:
        async for page in pages:
            yield b"".join(
                json.dumps({c: as_text(row.get(c)) for c in columns}).encode() + b"\n"
                for row in page
            )
    else:
        data: dict[str, list[str | None]] = {c: [] for c in columns}
        async for page in pages:
            for row in page:
                for c in columns:
                    data[c].append(as_text(row.get(c)))
        buffer = io.BytesIO()
        pl.DataFrame(data, schema=dict.fromkeys(columns, pl.String)).write_parquet(buffer)
        yield buffer.getvalue()
