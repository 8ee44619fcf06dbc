"""`parse_files`: which parser reads an upload, the content hash, and the round trip through
synthetic/writer.py files to the same report as the generator's records."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import polars as pl
import pytest

from ldp_graph.domain.submissions import SourceFormat
from ldp_graph.ingest import IngestError, Limits, parse_files
from ldp_graph.specs.model import ReturnSpec
from ldp_graph.validation.engine import validate
from ldp_graph.validation.frames import TextFrame, TextRows
from tests.ingest.files import CHILD, flat_export, synthetic, written, zip_of


def test_parse_files_synthetic_csvs_same_records_and_report_as_the_generator(
    spec: ReturnSpec, tmp_path: Path
) -> None:
    generated = synthetic(spec, error_rate=0.3)

    parsed = parse_files(spec, written(generated, spec, tmp_path))

    assert parsed.source_format == SourceFormat.CSV
    assert parsed.records == generated.records
    direct = validate(spec, generated.records)
    from_files = validate(spec, parsed.records, lines=parsed.lines)
    assert not direct.valid
    # Every row sits one line lower in its file (line 1 is the header); nothing else differs.
    moved = [dataclasses.replace(i, line=i.line + 1) for i in direct.issues]
    assert from_files == dataclasses.replace(direct, issues=moved)


def test_parse_files_synthetic_zip_same_report_as_the_csvs(
    spec: ReturnSpec, tmp_path: Path
) -> None:
    files = written(synthetic(spec), spec, tmp_path)

    parsed = parse_files(spec, [("S12000036.zip", zip_of(dict(files)))])

    assert parsed.source_format == SourceFormat.ZIP
    from_csv = parse_files(spec, files)
    assert (parsed.records, parsed.lines) == (from_csv.records, from_csv.lines)


def test_parse_files_one_file_hash_is_sha256_of_its_bytes(spec: ReturnSpec) -> None:
    archive = zip_of({"child.csv": CHILD})

    assert parse_files(spec, [("child.csv", CHILD)]).content_hash == (
        hashlib.sha256(CHILD).hexdigest()
    )
    assert parse_files(spec, [("r.zip", archive)]).content_hash == (
        hashlib.sha256(archive).hexdigest()
    )


def test_parse_files_several_files_hash_ignores_order_but_not_names_or_bytes(
    spec: ReturnSpec,
) -> None:
    child = ("child.csv", CHILD)
    episode = ("episode.csv", b"episode_id,child_id\nE1,C1\n")

    first = parse_files(spec, [child, episode]).content_hash

    assert parse_files(spec, [episode, child]).content_hash == first
    changed = ("episode.csv", b"episode_id,child_id\nE1,C2\n")
    assert parse_files(spec, [child, changed]).content_hash != first


def test_parse_files_header_only_file_gives_no_rows(spec: ReturnSpec) -> None:
    parsed = parse_files(spec, [("child.csv", b"child_id,sex\n")])

    assert (parsed.records, parsed.lines, parsed.record_count) == ({"child": []}, {"child": []}, 0)


@pytest.mark.parametrize(
    ("files", "says"),
    [
        ([], "no files were uploaded"),
        ([("child.csv", CHILD), ("episode.csv", b"")], "episode.csv: the file is empty"),
        ([("child.csv", b" \r\n\n")], "empty"),
        ([("r.zip", zip_of({"child.csv": CHILD})), ("episode.csv", b"x\n")], "on its own"),
        ([("r.zip", zip_of({"a.csv": b"x"})), ("s.zip", zip_of({"b.csv": b"x"}))], "on its own"),
        ([("child.csv", CHILD), ("return.json", b"{}")], "one .json file"),
        ([("child.ods", b"x")], "upload .csv files, or one .zip"),
    ],
)
def test_parse_files_unusable_upload_raises_ingest_error(
    spec: ReturnSpec, files: list[tuple[str, bytes]], says: str
) -> None:
    with pytest.raises(IngestError, match=says):
        parse_files(spec, files)


def test_parse_files_more_files_than_the_limit_raises_ingest_error(spec: ReturnSpec) -> None:
    files = [(f"f{i}.csv", b"x\n") for i in range(4)]

    with pytest.raises(IngestError, match="4 files uploaded; at most 3"):
        parse_files(spec, files, limits=Limits(max_files=3))


def test_parse_files_more_rows_than_the_limit_raises_ingest_error(spec: ReturnSpec) -> None:
    data = b"child_id\n" + b"".join(b"C%d\n" % i for i in range(5))

    with pytest.raises(IngestError, match="more than 4 rows") as raised:
        parse_files(spec, [("child.csv", data)], limits=Limits(max_rows=4))

    assert (raised.value.file, raised.value.line) == ("child.csv", 6)


def test_csv_parsers_hand_the_engine_rows_vouched_to_be_text(
    spec: ReturnSpec, tmp_path: Path
) -> None:
    generated = synthetic(spec)
    files = written(generated, spec, tmp_path)
    uploads = {
        "entity csvs": parse_files(spec, files),
        "zip": parse_files(spec, [("export.zip", zip_of(dict(files)))]),
        "flat csv": parse_files(
            spec, [("export.csv", flat_export(spec, generated.records))], flat=True
        ),
    }

    for upload, parsed in uploads.items():
        for entity, rows in parsed.records.items():
            # Columns of text (a TextFrame) let the engine skip looking at every value's type
            # and hold a large upload in far less memory than dicts: the vouch must hold.
            assert isinstance(rows, TextFrame), (upload, entity)
            assert rows.frame.dtypes == [pl.Utf8] * rows.frame.width
            assert all(isinstance(v, str | None) for row in rows for v in row.values())


def test_json_records_are_not_vouched_for_so_the_engine_checks_their_types(
    spec: ReturnSpec,
) -> None:
    parsed = parse_files(spec, [("return.json", b'{"records": {"child": [{"child_id": 1}]}}')])

    assert not isinstance(parsed.records["child"], TextRows | TextFrame)
    assert validate(spec, parsed.records).records_checked["child"] == 1
