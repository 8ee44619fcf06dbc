"""One CSV per entity, as case-management systems export them: `child.csv`, `episode.csv`..."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from ldp_graph.ingest.parsed import IngestError, Limits, Row

_BOM = "\ufeff"


def decode(data: bytes, name: str) -> str:
    if b"\x00" in data:
        raise IngestError("the file holds NUL bytes; is it a spreadsheet, not a CSV?", file=name)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise IngestError(
            f"the file is not UTF-8 (byte {exc.start} cannot be read); save it as CSV UTF-8",
            file=name,
        ) from None
    return text.removeprefix(_BOM)


def read_table(
    text: str, name: str, limits: Limits
) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header, and each data row with its physical line number; blank lines skipped."""
    csv.field_size_limit(limits.max_field_bytes)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise IngestError("the file is empty; it needs a header row", file=name) from None
    except csv.Error as exc:
        raise IngestError(f"the header cannot be read: {exc}", file=name, line=1) from None
    header = [h.strip() for h in header]
    if not any(header):
        raise IngestError("the first row must name the columns", file=name, line=1)
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        raise IngestError(f"columns appear twice: {', '.join(repeated)}", file=name, line=1)

    def rows() -> Iterator[tuple[int, list[str]]]:
        line = reader.line_num
        try:
            for row in reader:
                start = line + 1
                line = reader.line_num
                if not row or all(not cell.strip() for cell in row):
                    continue
                if len(row) != len(header):
                    raise IngestError(
                        f"{len(row)} values for {len(header)} columns", file=name, line=start
                    )
                yield start, row
        except csv.Error as exc:
            raise IngestError(f"cannot be read as CSV: {exc}", file=name, line=line + 1) from None

    return header, rows()


def parse_entity_file(
    name: str, data: bytes, fields: set[str], limits: Limits
) -> tuple[list[Row], list[int]]:
    """Rows of one entity's file: every value as text, an empty cell as missing (None)."""
    header, rows = read_table(decode(data, name), name, limits)
    unknown = [h for h in header if h not in fields]
    if unknown:
        raise IngestError(
            f"unknown columns {', '.join(unknown)}; expected some of {', '.join(sorted(fields))}",
            file=name,
            line=1,
        )
    records: list[Row] = []
    lines: list[int] = []
    for line, row in rows:
        records.append({h: (v if v.strip() else None) for h, v in zip(header, row, strict=True)})
        lines.append(line)
        if len(records) > limits.max_rows:
            raise IngestError(f"more than {limits.max_rows} rows", file=name, line=line)
    return records, lines
