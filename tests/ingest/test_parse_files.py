"""Parsing councils' exports: entity CSVs, a zip of them, a flat CSV; unreadable input refused."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from ldp_graph.domain.submissions import SourceFormat
from ldp_graph.ingest import IngestError, Limits, parse_files
from ldp_graph.specs.model import ReturnSpec
from ldp_graph.specs.registry import load_registry
from ldp_graph.synthetic import generate
from ldp_graph.synthetic.writer import write_csv
from ldp_graph.validation.engine import validate


@pytest.fixture(scope="module")
def spec() -> ReturnSpec:
    found = load_registry().get("clas", "2025-26")
    assert found is not None
    return found


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def synthetic_files(
    spec: ReturnSpec, tmp_path: Path, children: int = 30
) -> list[tuple[str, bytes]]:
    (generated,) = generate(
        spec, councils=["S12000036"], children_per_council=children, error_rate=0.3, seed=7
    )
    return [(p.name, p.read_bytes()) for p in write_csv(generated, spec, tmp_path)]


def test_entity_csvs_written_by_the_generator_validate_as_the_generated_records(
    spec: ReturnSpec, tmp_path: Path
) -> None:
    (generated,) = generate(
        spec, councils=["S12000036"], children_per_council=30, error_rate=0.3, seed=7
    )
    files = [(p.name, p.read_bytes()) for p in write_csv(generated, spec, tmp_path)]

    parsed = parse_files(spec, files)

    assert parsed.source_format == SourceFormat.CSV
    direct = validate(spec, generated.records)
    from_files = validate(spec, parsed.records, lines=parsed.lines)
    assert (from_files.error_count, from_files.counts) == (direct.error_count, direct.counts)
    assert {(i.entity, i.key, i.rule_id) for i in from_files.issues} == {
        (i.entity, i.key, i.rule_id) for i in direct.issues
    }
    assert parsed.lines["child"][0] == 2  # line 1 is the header


def test_lines_count_physical_lines_and_blank_lines_are_skipped(spec: ReturnSpec) -> None:
    data = b'\xef\xbb\xbfchild_id,sex\r\nC1,F\r\n\r\n"C2",\r\n'

    parsed = parse_files(spec, [("child.csv", data)])

    assert parsed.records["child"] == [
        {"child_id": "C1", "sex": "F"},
        {"child_id": "C2", "sex": None},
    ]
    assert parsed.lines["child"] == [2, 4]


def test_a_zip_of_entity_csvs_in_a_folder_reads_like_the_files(
    spec: ReturnSpec, tmp_path: Path
) -> None:
    files = synthetic_files(spec, tmp_path)
    archive = _zip({f"export/{name}": data for name, data in files} | {"__MACOSX/._x": b"x"})

    parsed = parse_files(spec, [("return.zip", archive)])

    assert parsed.source_format == SourceFormat.ZIP
    assert parsed.records == parse_files(spec, files).records


def test_a_flat_csv_is_split_into_entities_with_repeats_merged(spec: ReturnSpec) -> None:
    data = (
        b"child.child_id,child.sex,episode.episode_id,episode.child_id,placement.placement_id\n"
        b"C1,F,E1,C1,P1\n"
        b"C1,F,E1,C1,P2\n"
        b"C2,M,,,\n"
    )

    parsed = parse_files(spec, [("export.csv", data)], flat=True)

    assert parsed.source_format == SourceFormat.FLAT_CSV
    assert [r["child_id"] for r in parsed.records["child"]] == ["C1", "C2"]
    assert parsed.lines["child"] == [2, 4]
    assert [r["episode_id"] for r in parsed.records["episode"]] == ["E1"]
    assert [r["placement_id"] for r in parsed.records["placement"]] == ["P1", "P2"]
    assert parsed.problems == []


def test_a_flat_csv_repeat_with_other_values_is_reported_not_dropped(spec: ReturnSpec) -> None:
    data = b"child.child_id,child.sex\nC1,F\nC1,M\n"

    parsed = parse_files(spec, [("export.csv", data)], flat=True)

    assert parsed.records["child"] == [{"child_id": "C1", "sex": "F"}]
    (problem,) = parsed.problems
    assert (problem.entity, problem.key, problem.line) == ("child", "C1", 3)
    assert "line 2" in problem.message


@pytest.mark.parametrize(
    ("files", "flat", "says"),
    [
        ([], False, "no files"),
        ([("child.csv", b"")], False, "empty"),
        ([("pupil.csv", b"id\n1\n")], False, "entity of clas"),
        ([("child.xlsx", b"PK..")], False, ".csv"),
        ([("child.csv", b"child_id,shoe_size\nC1,9\n")], False, "unknown columns shoe_size"),
        ([("child.csv", b"child_id,child_id\nC1,C1\n")], False, "twice"),
        ([("child.csv", "child_id\nC\xe9\n".encode("latin-1"))], False, "not UTF-8"),
        ([("child.csv", b"child_id\nC1\x00\n")], False, "NUL"),
        ([("child.csv", b"child_id,sex\nC1,F,extra\n")], False, "line 2"),
        ([("child.csv", b"child_id\nC1\n"), ("child.csv", b"child_id\nC2\n")], False, "second"),
        ([("export.csv", b"child_id\nC1\n")], True, "entity.field"),
        ([("export.csv", b"child.shoe\nC1\n")], True, "not a field"),
        ([("return.zip", b"PK\x03\x04broken")], False, "zip"),
    ],
)
def test_unreadable_input_is_refused_with_a_clear_message(
    spec: ReturnSpec, files: list[tuple[str, bytes]], flat: bool, says: str
) -> None:
    with pytest.raises(IngestError, match=says):
        parse_files(spec, files, flat=flat)


def test_a_zip_member_with_a_path_trick_is_refused(spec: ReturnSpec) -> None:
    archive = _zip({"../child.csv": b"child_id\nC1\n"})

    with pytest.raises(IngestError, match="unsafe path"):
        parse_files(spec, [("return.zip", archive)])


def test_a_zip_bomb_is_refused_before_it_is_unpacked_in_full(spec: ReturnSpec) -> None:
    archive = _zip({"child.csv": b"child_id\n" + b"C" * 5_000_000})
    limits = Limits(max_total_bytes=1_000_000)

    assert len(archive) < 100_000
    with pytest.raises(IngestError, match="allowed size"):
        parse_files(spec, [("return.zip", archive)], limits=limits)


def test_a_huge_field_is_refused(spec: ReturnSpec) -> None:
    data = b"child_id\n" + b"C" * 2000 + b"\n"

    with pytest.raises(IngestError, match="cannot be read"):
        parse_files(spec, [("child.csv", data)], limits=Limits(max_field_bytes=1000))
