"""Validation a chunk of rows at a time gives exactly the report of validation of the whole."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from ldp_graph.ingest import IngestError, parse_files
from ldp_graph.specs.registry import load_registry
from ldp_graph.synthetic import generate
from ldp_graph.validation.chunked import kept_fields, row_local, validate_in_chunks
from ldp_graph.validation.engine import validate
from tests.validation.clas_records import TODAY, clean_return

SPEC = load_registry().get("clas")
assert SPEC is not None


def _synthetic(spec: Any, children: int, seed: int) -> dict[str, list[dict[str, Any]]]:
    (generated,) = generate(
        spec, councils=["S12000036"], children_per_council=children, error_rate=0.2, seed=seed
    )
    return generated.records


@pytest.mark.parametrize("max_issues", [1000, 40, 7, 1])
def test_chunked_report_is_the_whole_report(max_issues: int) -> None:
    spec = SPEC
    records = _synthetic(spec, 100, seed=11)
    whole = validate(spec, records, max_issues=max_issues, today=TODAY)
    assert whole.error_count >= 20  # enough problems that the cap and the chunks matter
    for chunk_rows in (1, 7, 50, 100_000):
        chunked = validate_in_chunks(
            spec, records, max_issues=max_issues, today=TODAY, chunk_rows=chunk_rows
        )
        assert chunked == whole, chunk_rows


def test_cross_record_problems_spanning_chunks_keep_their_ids_and_lines() -> None:
    records = clean_return()
    child = records["child"][0]
    # Rows 0 and 4 share a child id: with chunks of 3 rows the duplicate spans two chunks.
    records["child"] = (
        [child] + [{**child, "child_id": f"C{n}"} for n in range(2, 5)] + [dict(child)]
    )
    lines = {entity: [10 + i for i in range(len(rows))] for entity, rows in records.items()}
    whole = validate(SPEC, records, lines=lines, today=TODAY)
    chunked = validate_in_chunks(SPEC, records, lines=lines, today=TODAY, chunk_rows=3)
    assert chunked == whole
    duplicate = [i for i in chunked.issues if i.rule_id == "CLAS-001"]
    assert [(i.line, i.key) for i in duplicate] == [(10, "C1"), (14, "C1")]
    assert len({i.problem_id for i in duplicate}) == 1


def test_a_streamed_upload_gets_the_report_of_the_parsed_one(tmp_path: Any) -> None:
    records = _synthetic(SPEC, 60, seed=3)
    files = {}
    for entity, rows in records.items():
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=list(SPEC.entities[entity].fields))
        writer.writeheader()
        writer.writerow(dict.fromkeys(SPEC.entities[entity].fields, ""))  # a blank row
        writer.writerows(rows)
        files[f"{entity}.csv"] = text.getvalue().encode()
    parsed = parse_files(SPEC, list(files.items()))
    whole = validate(SPEC, parsed.records, lines=parsed.lines, max_issues=25, today=TODAY)
    streamed = parse_files(SPEC, list(files.items()), stream=True)
    chunked = validate_in_chunks(SPEC, streamed.records, max_issues=25, today=TODAY, chunk_rows=16)
    assert chunked == whole
    for entity, rows in streamed.records.items():  # read again to store: the same rows
        assert len(rows) == len(parsed.records[entity])
        again = [row for chunk, _ in rows.chunks(16) for row in chunk]
        assert again == list(parsed.records[entity])
        lines = [line for _, chunk_lines in rows.chunks(16) for line in chunk_lines]
        assert lines == list(parsed.lines[entity])


def test_a_streamed_file_that_cannot_be_read_raises_as_the_parser_does() -> None:
    files = [("child.csv", b"child_id,sex\nC1,F\nC2,F,extra\n")]
    with pytest.raises(IngestError) as parsed:
        parse_files(SPEC, files)
    streamed = parse_files(SPEC, files, stream=True)
    with pytest.raises(IngestError) as chunked:
        validate_in_chunks(SPEC, streamed.records, today=TODAY)
    assert chunked.value.message == parsed.value.message


def test_only_the_columns_cross_record_rules_read_are_kept() -> None:
    kept = kept_fields(SPEC)
    assert kept["child"] == {"child_id", "date_of_birth"}
    assert "care_plan" not in kept["episode"]  # read by no cross-record rule
    assert all(row_local(SPEC, r) for r in SPEC.rules if r.kind == "field")
    assert not any(row_local(SPEC, r) for r in SPEC.rules if r.kind == "unique")


@pytest.mark.parametrize("max_issues", [1000, 2])
def test_formula_values_found_chunk_by_chunk_give_the_whole_report(max_issues: int) -> None:
    records = _synthetic(SPEC, 30, seed=5)
    for n, child in enumerate(records["child"]):
        if n % 4 == 1:
            child["scn"] = f"=HYPERLINK({n})"
        if n % 5 == 2:
            child["council"] = "@SUM(A1)"
    records["episode"][3]["episode_id"] = "+cmd|' /C calc'!A0"
    whole = validate(SPEC, records, max_issues=max_issues, today=TODAY)
    assert sum(c.problems for c in whole.counts if c.rule_id == "FORMULA-001") >= 10
    for chunk_rows in (1, 7, 100_000):
        chunked = validate_in_chunks(
            SPEC, records, max_issues=max_issues, today=TODAY, chunk_rows=chunk_rows
        )
        assert chunked == whole, chunk_rows
