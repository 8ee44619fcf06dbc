"""One CSV per entity: lines, encodings, missing values, and every header it refuses."""

from __future__ import annotations

import re

import pytest

from ldp_graph.ingest import IngestError, Limits, parse_files
from ldp_graph.specs.model import ReturnSpec


def test_entity_csv_bom_crlf_and_blank_lines_give_physical_line_numbers(
    spec: ReturnSpec,
) -> None:
    data = b'\xef\xbb\xbfchild_id,sex\r\nC1,F\r\n\r\n,,\r\n"C2",\r\n'

    parsed = parse_files(spec, [("child.csv", data)])

    assert parsed.records["child"] == [
        {"child_id": "C1", "sex": "F"},
        {"child_id": "C2", "sex": None},
    ]
    assert parsed.lines["child"] == [2, 5]


def test_entity_csv_quoted_value_over_two_lines_keeps_the_line_its_row_starts_on(
    spec: ReturnSpec,
) -> None:
    data = b'child_id,scn\nC1,"12\n34"\nC2,5\n'

    parsed = parse_files(spec, [("child.csv", data)])

    assert parsed.records["child"][0]["scn"] == "12\n34"
    assert parsed.lines["child"] == [2, 4]


def test_entity_csv_blank_cells_are_missing_and_other_values_stay_as_sent(
    spec: ReturnSpec,
) -> None:
    data = b"sex,child_id,ethnicity\n , C1 ,\t\n"

    parsed = parse_files(spec, [("Child.CSV", data)])

    # The engine trims values itself; the raw value is what the council sent.
    assert parsed.records == {"child": [{"sex": None, "child_id": " C1 ", "ethnicity": None}]}


@pytest.mark.parametrize(
    ("name", "data", "says", "line"),
    [
        ("child.csv", "child_id\nC\xe9\n".encode("latin-1"), "not UTF-8", None),
        ("child.csv", "child_id\nC1\n".encode("utf-16"), "UTF-16", None),
        ("child.csv", b"child_id\nC1\x00\n", "NUL bytes", None),
        ("child.csv", b"\xef\xbb\xbf", "needs a header row", None),
        ("pupil.csv", b"id\n1\n", "must be an entity of clas 2025-26: child.csv", None),
        ("child.csv", b"child_id,shoe_size\nC1,9\n", "unknown columns shoe_size", 1),
        ("child.csv", b"child_id,sex,child_id\nC1,F,C1\n", "columns appear twice: child_id", 1),
        ("child.csv", b"child_id,sex,\nC1,F,\n", "column 3 of the header has no name", 1),
        ("child.csv", b",,\nC1,F,x\n", "must name the columns", 1),
        ("child.csv", b"child_id,sex\nC1,F\nC2\n", "1 values for 2 columns", 3),
        ("child.csv", b'child_id\n"C1\n', "cannot be read as CSV", 2),
    ],
)
def test_entity_csv_unreadable_file_raises_ingest_error_saying_where(
    spec: ReturnSpec, name: str, data: bytes, says: str, line: int | None
) -> None:
    with pytest.raises(IngestError, match=says) as raised:
        parse_files(spec, [(name, data)])

    assert (raised.value.file, raised.value.line) == (name, line)
    assert raised.value.message.startswith(name)


def test_entity_csv_two_files_for_one_entity_raises_ingest_error(spec: ReturnSpec) -> None:
    files = [("child.csv", b"child_id\nC1\n"), ("CHILD.csv", b"child_id\nC2\n")]

    with pytest.raises(
        IngestError, match=re.escape("CHILD.csv: a second file for child, after child.csv")
    ):
        parse_files(spec, files)


def test_entity_csv_field_over_the_limit_raises_ingest_error(spec: ReturnSpec) -> None:
    data = b"child_id\n" + b"C" * 2000 + b"\n"

    with pytest.raises(IngestError, match="cannot be read"):
        parse_files(spec, [("child.csv", data)], limits=Limits(max_field_bytes=1000))


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"child_id;sex\nC1;F\n", "seems to use ';' (semicolons) as its delimiter"),
        (b"child_id\tsex\nC1\tF\n", "seems to use tabs as its delimiter"),
        (b'"child_id";"sex"\r\n"C1";"F"\r\n', "seems to use ';' (semicolons)"),
        # Not even a known column: still the delimiter is what to fix first.
        (b"child_id;shoe_size\nC1;9\n", "seems to use ';' (semicolons)"),
    ],
    ids=["semicolon", "tab", "quoted semicolon", "semicolon, unknown column"],
)
def test_entity_csv_with_another_delimiter_is_refused_once_saying_so(
    spec: ReturnSpec, data: bytes, says: str
) -> None:
    with pytest.raises(IngestError, match=re.escape(says)) as raised:
        parse_files(spec, [("child.csv", data)])

    assert raised.value.line == 1
    assert "must be comma-separated" in raised.value.message
    assert "unknown columns" not in raised.value.message


@pytest.mark.parametrize(
    "data",
    [b"child_id\nC1;F\n", b"child_id,sex\nC1;x,F\n", b"child_id\nC1\tF\n"],
    ids=["one column, semicolon in a value", "comma header", "one column, tab in a value"],
)
def test_entity_csv_semicolons_or_tabs_in_values_are_not_taken_for_a_delimiter(
    spec: ReturnSpec, data: bytes
) -> None:
    parsed = parse_files(spec, [("child.csv", data)])

    assert len(parsed.records["child"]) == 1
