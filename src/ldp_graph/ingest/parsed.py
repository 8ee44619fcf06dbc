"""What parsing a submission yields, the limits it obeys, and the one error it raises."""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ldp_graph.domain.submissions import SourceFormat

Row = dict[str, Any]


class Lines(array):  # type: ignore[type-arg]
    """Source line numbers, one per row, as 8-byte integers: a list would hold a Python int
    object per row. Equal to any sequence of the same numbers, as the list it stands for."""

    def __new__(cls, numbers: Iterable[int] = ()) -> Lines:
        return super().__new__(cls, "q", numbers)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence | array) and not isinstance(other, str | bytes):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Lines({list(self)!r})"


class IngestError(ValueError):
    """The files cannot be read as a return at all (as opposed to values the report flags).

    `message` is the whole line to show council staff, starting with where the problem is
    (`child.csv line 3: ...`); `file` and `line` say the same for callers that point at it.
    """

    def __init__(self, message: str, file: str | None = None, line: int | None = None) -> None:
        where = " ".join(p for p in (file, f"line {line}" if line else None) if p)
        super().__init__(f"{where}: {message}" if where else message)
        self.message = str(self)
        self.file = file
        self.line = line


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on what one submission may hold, so hostile files cannot exhaust the server."""

    max_files: int = 50  # files uploaded, or members of the one zip
    max_total_bytes: int = 256 * 1024 * 1024  # after decompression, as the upload limit
    max_field_bytes: int = 64 * 1024
    max_rows: int = 2_000_000


@dataclass(frozen=True, slots=True)
class IngestProblem:
    """A row the parser could take only in part (a flat export's conflicting repeat, say).

    It joins the validation report as an error (see report.py) instead of refusing the file.
    """

    entity: str
    key: str
    line: int
    message: str
    first_line: int | None = None  # the earlier line the row conflicts with, if any


@dataclass(frozen=True, slots=True)
class ParsedReturn:
    """Records per entity as submitted, each row's source line, and where they came from.

    `records` and `lines` are what `validation.engine.validate` takes; `content_hash` is the
    SHA-256 of what was sent (see `parse_files` for several files, and canonical JSON).
    CSV records are `TextFrame`s (columns of text), JSON records lists of dicts.
    """

    records: dict[str, Sequence[Row]]
    lines: dict[str, Sequence[int]]
    source_format: SourceFormat
    content_hash: str
    problems: list[IngestProblem] = field(default_factory=list)

    @property
    def record_count(self) -> int:
        return sum(len(rows) for rows in self.records.values())
