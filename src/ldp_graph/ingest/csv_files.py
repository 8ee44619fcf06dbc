"""One CSV per entity, as case-management systems export them: `child.csv`, `episode.csv`..."""

from __future__ import annotations

import csv
import io
import tempfile
import weakref
from collections.abc import Iterator
from itertools import chain
from typing import BinaryIO, TextIO

import polars as pl

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


def _entity_table(
    name: str, text: TextIO, fields: set[str], limits: Limits
) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    header, rows = read_table(text, name, limits)
    unknown = [h for h in header if h not in fields]
    if unknown:
        raise IngestError(
            f"unknown columns {', '.join(unknown)}; expected some of {', '.join(sorted(fields))}",
            name,
            1,
        )
    return header, rows


def _entity_rows(
    name: str, text: TextIO, fields: set[str], limits: Limits
) -> tuple[TextFrame, Lines]:
    header, rows = _entity_table(name, text, fields, limits)
    records = TextFrameBuilder(header)
    lines = Lines()
    for line, row in rows:
        records.append(row)
        lines.append(line)
        if len(records) > limits.max_rows:
            raise IngestError(f"more than {limits.max_rows} rows", name, line)
    return records.build(), lines


class EntityCsv:
    """One entity's uploaded CSV, read a chunk of rows at a time each time it is asked for.

    What a large upload is held as: its spooled file, not its rows. Validation reads it once
    (keeping only the columns cross-record rules need) and storing reads it again, so at
    most one chunk of its rows is in memory at a time. The first read parses the CSV and
    keeps each chunk's columns in a temporary file (Arrow IPC, about the CSV's size on disk),
    so later reads skip the CSV parser, the slow part. The number of rows is known once it
    has been read through; `tally`, shared by the files of one upload, bounds the total.
    """

    def __init__(
        self, name: str, data: Source, fields: set[str], limits: Limits, tally: dict[str, int]
    ) -> None:
        self.name, self.data, self.fields, self.limits = name, data, fields, limits
        self._tally = tally
        self.rows_read: int | None = None  # once read through
        self._spool: BinaryIO | None = None  # each chunk's columns and lines, once read through
        self._chunk_size = 0
        self._places: list[tuple[int, int, int]] = []  # each chunk's start, IPC bytes, rows

    def __len__(self) -> int:
        if self.rows_read is None:
            raise RuntimeError(f"{self.name} has not been read yet")
        return self.rows_read

    def chunks(self, size: int) -> Iterator[tuple[TextFrame, Lines]]:
        """The rows as text frames of at most `size` rows, each with its source lines; raises
        `IngestError` as `parse_entity_file` would."""
        if self._spool is not None and size == self._chunk_size:
            yield from self._unspooled(self._spool)
            return
        spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close(), or with this object
        weakref.finalize(self, spool.close)
        places: list[tuple[int, int, int]] = []
        for frame, lines in self._parsed(size):
            start = spool.tell()
            frame.frame.write_ipc(spool, compression="uncompressed")
            places.append((start, spool.tell() - start, len(lines)))
            spool.write(lines.tobytes())
            yield frame, lines
        self.close()
        self._spool, self._chunk_size, self._places = spool, size, places

    def close(self) -> None:
        """Delete the spooled chunks (the upload itself is its owner's to close)."""
        if self._spool is not None:
            self._spool.close()
            self._spool = None

    def _unspooled(self, spool: BinaryIO) -> Iterator[tuple[TextFrame, Lines]]:
        for start, size, rows in self._places:
            spool.seek(start)
            frame = pl.read_ipc(io.BytesIO(spool.read(size)))
            lines = Lines()
            lines.frombytes(spool.read(rows * lines.itemsize))
            yield TextFrame(frame), lines

    def _parsed(self, size: int) -> Iterator[tuple[TextFrame, Lines]]:
        with text_of(self.data, self.name) as text:
            header, rows = _entity_table(self.name, text, self.fields, self.limits)
            self._tally[self.name] = count = 0
            budget = self.limits.max_rows - sum(self._tally.values())  # the other files' rows
            records, lines = TextFrameBuilder(header), Lines()
            for line, row in rows:
                records.append(row)
                lines.append(line)
                count += 1
                if count > budget:
                    in_all = count <= self.limits.max_rows
                    raise IngestError(
                        f"more than {self.limits.max_rows} rows{' in all' if in_all else ''}",
                        None if in_all else self.name,
                        None if in_all else line,
                    )
                if len(records) >= size:
                    yield records.build(), lines
                    records, lines = TextFrameBuilder(header), Lines()
            if len(records) or not count:
                yield records.build(), lines
        self._tally[self.name] = self.rows_read = count
