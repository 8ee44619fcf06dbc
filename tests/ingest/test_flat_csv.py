"""A flat export, one row per placement with `entity.field` columns, split into entities."""

from __future__ import annotations

import pytest

from ldp_graph.domain.submissions import SourceFormat
from ldp_graph.ingest import IngestError, ParsedReturn, parse_files
from ldp_graph.specs.model import ReturnSpec
from ldp_graph.validation.engine import validate
from tests.ingest.files import flat_export, synthetic

HEADER = b"child.child_id,child.sex,episode.episode_id,episode.child_id,placement.placement_id\n"


def _flat(spec: ReturnSpec, data: bytes) -> ParsedReturn:
    return parse_files(spec, [("export.csv", data)], flat=True)


def test_flat_rows_split_into_entities_with_repeats_merged_at_their_first_line(
    spec: ReturnSpec,
) -> None:
    data = HEADER + b"C1,F,E1,C1,P1\nC1,F,E1,C1,P2\nC2,M,,,\n"

    parsed = _flat(spec, data)

    assert parsed.source_format == SourceFormat.FLAT_CSV
    assert parsed.records == {
        "child": [{"child_id": "C1", "sex": "F"}, {"child_id": "C2", "sex": "M"}],
        "episode": [{"episode_id": "E1", "child_id": "C1"}],
        # placement.episode_id is not a column: each placement takes its row's episode.
        "placement": [
            {"placement_id": "P1", "episode_id": "E1"},
            {"placement_id": "P2", "episode_id": "E1"},
        ],
    }
    assert parsed.lines == {"child": [2, 4], "episode": [2], "placement": [2, 3]}
    assert parsed.problems == []


def test_flat_repeat_with_other_values_is_a_problem_naming_both_lines(spec: ReturnSpec) -> None:
    data = b"child.child_id,child.sex,child.ethnicity\nC1,F,WS\nC2,M,WS\nC1,M,WS\n"

    parsed = _flat(spec, data)

    assert parsed.records["child"][0] == {"child_id": "C1", "sex": "F", "ethnicity": "WS"}
    (problem,) = parsed.problems
    assert (problem.entity, problem.key, problem.line, problem.first_line) == ("child", "C1", 4, 2)
    assert "repeats child C1 from line 2 with different sex; line 2 was kept" in problem.message


def test_flat_entity_without_a_column_for_its_parent_takes_it_from_the_row(
    spec: ReturnSpec,
) -> None:
    data = (
        b"child.child_id,episode.episode_id,placement.placement_id,placement.placement_type\n"
        b"C1,E1,P1,KIN\nC1,E1,P2,HOME\nC2,,,\n"
    )

    parsed = _flat(spec, data)

    assert parsed.records["episode"] == [{"episode_id": "E1", "child_id": "C1"}]
    assert [(p["placement_id"], p["episode_id"]) for p in parsed.records["placement"]] == [
        ("P1", "E1"),
        ("P2", "E1"),
    ]


def test_flat_placement_under_two_episodes_is_a_problem_not_a_silent_move(
    spec: ReturnSpec,
) -> None:
    data = b"episode.episode_id,placement.placement_id\nE1,P1\nE2,P1\n"

    parsed = _flat(spec, data)

    assert parsed.records["placement"] == [{"placement_id": "P1", "episode_id": "E1"}]
    (problem,) = parsed.problems
    assert (problem.entity, problem.line, problem.first_line) == ("placement", 3, 2)
    assert "different episode_id" in problem.message


def test_flat_blank_keys_are_kept_apart_unless_identical(spec: ReturnSpec) -> None:
    data = b"child.child_id,child.sex\n,F\n,M\n,F\n"

    parsed = _flat(spec, data)

    assert parsed.records["child"] == [
        {"child_id": None, "sex": "F"},
        {"child_id": None, "sex": "M"},
    ]
    assert (parsed.lines["child"], parsed.problems) == ([2, 3], [])


def test_flat_entity_empty_in_every_row_has_no_records_or_lines(spec: ReturnSpec) -> None:
    parsed = _flat(spec, b"child.child_id,placement.placement_id\nC1,\nC2,\n")

    assert list(parsed.records) == list(parsed.lines) == ["child"]


def test_flat_synthetic_export_reads_back_the_generated_records_and_report(
    spec: ReturnSpec,
) -> None:
    generated = synthetic(spec, error_rate=0)
    wanted = {e: generated.records[e] for e in ("child", "episode", "placement")}

    parsed = _flat(spec, flat_export(spec, generated.records))

    assert parsed.problems == []
    assert parsed.records == wanted
    direct = validate(spec, wanted)
    from_flat = validate(spec, parsed.records, lines=parsed.lines)
    assert (from_flat.valid, from_flat.counts) == (direct.valid, direct.counts)
    assert {(i.entity, i.key, i.rule_id) for i in from_flat.issues} == {
        (i.entity, i.key, i.rule_id) for i in direct.issues
    }


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"child_id,sex\nC1,F\n", "column 'child_id' must be named entity.field"),
        (b"pupil.id\n1\n", "column 'pupil.id' is not a field of clas 2025-26"),
        (b"child.child_id,child.shoe\nC1,9\n", "column 'child.shoe' is not a field"),
        (b"child.sex\nF\n", "name child but not its key child.child_id"),
        (b"child.child_id,child.child_id\nC1,C1\n", "columns appear twice: child.child_id"),
        (b"child.child_id,\nC1,\n", "column 2 of the header has no name"),
        (b"child.child_id;child.sex\nC1;F\n", "seems to use ';' \\(semicolons\\) as its"),
        (b"child.child_id\tchild.sex\nC1\tF\n", "seems to use tabs as its delimiter"),
    ],
)
def test_flat_header_not_entity_fields_raises_ingest_error(
    spec: ReturnSpec, data: bytes, says: str
) -> None:
    with pytest.raises(IngestError, match=says) as raised:
        _flat(spec, data)

    assert (raised.value.file, raised.value.line) == ("export.csv", 1)


def test_flat_export_of_two_files_raises_ingest_error(spec: ReturnSpec) -> None:
    files = [("a.csv", b"child.child_id\nC1\n"), ("b.csv", b"child.child_id\nC2\n")]

    with pytest.raises(IngestError, match="a flat export is one CSV file"):
        parse_files(spec, files, flat=True)
