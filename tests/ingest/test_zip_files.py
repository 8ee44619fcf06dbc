"""A zip of entity CSVs: read in memory, and refused when hostile (bombs, path tricks, damage)."""

from __future__ import annotations

import re
import struct
import zipfile

import pytest

from ldp_graph.domain.submissions import SourceFormat
from ldp_graph.ingest import IngestError, Limits, parse_files
from ldp_graph.specs.model import ReturnSpec
from tests.ingest.files import CHILD, zip_of

EPISODE = b"episode_id,child_id\nE1,C1\n"


@pytest.mark.parametrize("method", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
def test_zip_csvs_in_one_folder_read_like_the_files_and_clutter_is_skipped(
    spec: ReturnSpec, method: int
) -> None:
    members = {
        "export/": b"",
        "export/child.csv": CHILD,
        "export/episode.csv": EPISODE,
        "__MACOSX/export/._child.csv": b"\x00\x05",
        "export/.DS_Store": b"\x00",
    }

    parsed = parse_files(spec, [("return.zip", zip_of(members, method))])

    assert parsed.source_format == SourceFormat.ZIP
    files = parse_files(spec, [("child.csv", CHILD), ("episode.csv", EPISODE)])
    assert (parsed.records, parsed.lines) == (files.records, files.lines)


def test_zip_a_flat_export_inside_reads_as_flat(spec: ReturnSpec) -> None:
    archive = zip_of({"export.csv": b"child.child_id,child.sex\nC1,F\n"})

    parsed = parse_files(spec, [("export.zip", archive)], flat=True)

    assert parsed.source_format == SourceFormat.FLAT_CSV
    assert parsed.records == {"child": [{"child_id": "C1", "sex": "F"}]}


def test_zip_error_in_a_member_names_its_path_in_the_archive(spec: ReturnSpec) -> None:
    archive = zip_of({"export/child.csv": b"child_id,shoe\nC1,9\n"})

    with pytest.raises(
        IngestError, match=re.escape("export/child.csv line 1: unknown columns shoe")
    ):
        parse_files(spec, [("return.zip", archive)])


def test_zip_member_with_parent_folder_path_is_refused(spec: ReturnSpec) -> None:
    archive = zip_of({"../child.csv": CHILD})

    with pytest.raises(
        IngestError, match=re.escape("return.zip: member '../child.csv' has an unsafe path")
    ):
        parse_files(spec, [("return.zip", archive)])


@pytest.mark.parametrize("path", ["/etc/child.csv", "C:/child.csv", "a\\..\\..\\child.csv"])
def test_zip_member_with_absolute_or_drive_path_is_refused(spec: ReturnSpec, path: str) -> None:
    # zipfile cleans the names it writes; a hostile archive's names are patched in after.
    archive = _renamed(zip_of({"x" * len(path): CHILD}), "x" * len(path), path)

    with pytest.raises(IngestError, match="unsafe path"):
        parse_files(spec, [("return.zip", archive)])


def test_zip_bomb_is_refused_by_its_declared_size_before_unpacking(spec: ReturnSpec) -> None:
    archive = zip_of({"child.csv": b"child_id\n" + b"C" * 5_000_000})

    assert len(archive) < 100_000
    with pytest.raises(IngestError, match="unpacks to more than the allowed size, 1 MB"):
        parse_files(spec, [("return.zip", archive)], limits=Limits(max_total_bytes=1024 * 1024))


def test_zip_whose_declared_sizes_lie_is_refused_not_unpacked(spec: ReturnSpec) -> None:
    archive = bytearray(zip_of({"child.csv": b"child_id\n" + b"C" * 5_000_000}))
    # Declare 10 bytes in the local header and the central directory: the size check passes,
    # the reader stops at the declared size, and the checksum no longer matches.
    struct.pack_into("<I", archive, 22, 10)
    struct.pack_into("<I", archive, archive.find(b"PK\x01\x02") + 24, 10)

    with pytest.raises(IngestError, match=re.escape("member 'child.csv' cannot be unpacked")):
        parse_files(spec, [("return.zip", bytes(archive))], limits=Limits(max_total_bytes=1000))


def test_zip_with_a_damaged_member_is_refused(spec: ReturnSpec) -> None:
    archive = bytearray(zip_of({"child.csv": CHILD}, zipfile.ZIP_STORED))
    archive[archive.find(b"C1,F")] = ord("X")

    with pytest.raises(IngestError, match=r"cannot be unpacked \(.*\); zip the files again"):
        parse_files(spec, [("return.zip", bytes(archive))])


def test_zip_with_an_unknown_compression_method_is_refused(spec: ReturnSpec) -> None:
    archive = bytearray(zip_of({"child.csv": CHILD}, zipfile.ZIP_STORED))
    struct.pack_into("<H", archive, 8, 99)
    struct.pack_into("<H", archive, archive.find(b"PK\x01\x02") + 10, 99)

    with pytest.raises(IngestError, match="cannot be unpacked"):
        parse_files(spec, [("return.zip", bytes(archive))])


def test_zip_with_an_encrypted_member_is_refused(spec: ReturnSpec) -> None:
    archive = bytearray(zip_of({"child.csv": CHILD}, zipfile.ZIP_STORED))
    central = archive.find(b"PK\x01\x02")
    struct.pack_into("<H", archive, 6, 1)
    struct.pack_into("<H", archive, central + 8, 1)

    with pytest.raises(IngestError, match="is encrypted"):
        parse_files(spec, [("return.zip", bytes(archive))])


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("return.zip", b"PK\x03\x04broken", "is not a readable zip archive"),
        ("return.zip", b"child_id\nC1\n", "is not a readable zip archive"),
        ("return.zip", zip_of({}), "holds no files"),
        ("return.zip", zip_of({"__MACOSX/._child.csv": b"x"}), "holds no files"),
        ("return.zip", zip_of({f"f{i}.csv": b"x" for i in range(4)}), "holds 4 files; at most 3"),
        ("return.zip", zip_of({"inner.zip": zip_of({"child.csv": CHILD})}), "upload .csv files"),
        ("return.zip", zip_of({"a/child.csv": CHILD, "b/child.csv": CHILD}), "a second file"),
        ("child.csv", zip_of({"xl/workbook.xml": b"<x/>"}), "is an Excel workbook"),
    ],
)
def test_zip_unusable_archive_raises_ingest_error(
    spec: ReturnSpec, name: str, data: bytes, says: str
) -> None:
    with pytest.raises(IngestError, match=says):
        parse_files(spec, [(name, data)], limits=Limits(max_files=3))


def _renamed(archive: bytes, old: str, new: str) -> bytes:
    """The archive with a member's name replaced (same length) in both of its headers."""
    assert len(old) == len(new)
    return archive.replace(old.encode(), new.encode())
