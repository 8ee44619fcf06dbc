"""One CSV per entity, as case-management systems export them: `child.csv`, `episode.csv`..."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from itertools import chain
from typing import TextIO

from ldp_graph.ingest.parsed import IngestError, Limits, Lines
from ldp_graph.ingest.sources import UTF16_BOMS, Source, text_of
from ldp_graph.validation.coercion import WHITESPACE
from ldp_graph.validation.frames import TextFrame, TextFrameBuilder

_BOM = "\ufeff"


def decode(data: bytes, name: str) -> str:
    """The text of a UTF-8 file, with or without a byte-order mark."""
    if data.startswith(UTF16_BOMS):
        raise IngestError("the file is UTF-16 (it holds NUL bytes); save it as CSV UTF-8", name)
    if b"\x00" in data:
        raise IngestError("the file holds NUL bytes; is it a spreadsheet, not a CSV?", name)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise IngestError(
            f"the file is not UTF-8 (byte {exc.start} cannot be read); save it as CSV UTF-8",
            name,
        ) from None
    return text.removeprefix(_BOM)


def blank(value: str) -> bool:
    """An empty or white-space cell: a missing value (the engine trims the same characters)."""
    return not value.strip(WHITESPACE)


# Delimiters spreadsheets offer besides the comma, as the refusal names them.
_OTHER_DELIMITERS = {";": "';' (semicolons)", "\t": "tabs"}


def _refuse_other_delimiter(first_line: str, name: str) -> None:
    """A first line with no comma that another delimiter splits into names: the file was
    saved with that delimiter. Refused, not guessed at: field names never hold ';' or a tab,
    and a file saved so often writes decimal commas and local dates too, better fixed at
    source. Read from the line as sent, as a quoted `"a";"b"` is not even one CSV cell."""
    if "," in first_line:
        return
    parts = {
        d: [p for p in first_line.split(d) if p.strip(WHITESPACE + '"')] for d in _OTHER_DELIMITERS
    }
    delimiter = max(parts, key=lambda d: len(parts[d]))
    if len(parts[delimiter]) > 1:
        raise IngestError(
            f"the file seems to use {_OTHER_DELIMITERS[delimiter]} as its delimiter, as its "
            "header has no commas; it must be comma-separated: save it as "
            "CSV UTF-8 (Comma delimited)",
            name,
            1,
        )


def read_table(
    text: TextIO, name: str, limits: Limits
) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header, and each data row with its physical line number; blank lines skipped.

    `text` is read as the rows are (opened with newline="", as csv wants).
    """
    csv.field_size_limit(limits.max_field_bytes)
    first_line = text.readline()
    _refuse_other_delimiter(first_line, name)
    reader = csv.reader(chain([first_line] if first_line else [], text), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise IngestError("the file is empty; it needs a header row", name) from None
    except csv.Error as exc:
        raise IngestError(f"the header cannot be read: {exc}", name, 1) from None
    header = [h.strip(WHITESPACE) for h in header]
    if not any(header):
        raise IngestError("the first row must name the columns", name, 1)
    if "" in header:
        raise IngestError(
            f"column {header.index('') + 1} of the header has no name; name it or delete it",
            name,
            1,
        )
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        raise IngestError(f"columns appear twice: {', '.join(repeated)}; keep one of each", name, 1)

    def rows() -> Iterator[tuple[int, list[str]]]:
        line = reader.line_num
        try:
            for row in reader:
                start = line + 1  # a quoted value may span lines: a row starts after the last
                line = reader.line_num
                if not "".join(row).strip(WHITESPACE):
                    continue  # every cell blank
                if len(row) != len(header):
                    raise IngestError(f"{len(row)} values for {len(header)} columns", name, start)
                yield start, row
        except csv.Error as exc:
            raise IngestError(f"cannot be read as CSV: {exc}", name, line + 1) from None

    return header, rows()


def parse_entity_file(
    name: str, data: Source, fields: set[str], limits: Limits
) -> tuple[TextFrame, Lines]:
    """Rows of one entity's file: every value as text, an empty cell as missing (None).

    The file is read as it is parsed, and the rows are held as columns (a `TextFrame`), not
    as a dict per row.
    """
    with text_of(data, name) as text:
        return _entity_rows(name, text, fields, limits)


def _entity_rows(
    name: str, text: TextIO, fields: set[str], limits: Limits
) -> tuple[TextFrame, Lines]:
    header, rows = read_table(text, name, limits)
    unknown = [h for h in header if h not in fields]
    if unknown:
        raise IngestError(
            f"unknown columns {', '.join(unknown)}; expected some of {', '.join(sorted(fields))}",
            name,
            1,
        )
    records = TextFrameBuilder(header)
    lines = Lines()
    for line, row in rows:
        records.append(row)
        lines.append(line)
        if len(records) > limits.max_rows:
            raise IngestError(f"more than {limits.max_rows} rows", name, line)
    return records.build(), lines
