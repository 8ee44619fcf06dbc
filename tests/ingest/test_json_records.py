"""JSON records, validateSubmission's shape, through the same result type as the files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ldp_graph.domain.submissions import SourceFormat
from ldp_graph.ingest import IngestError, parse_files, parse_records
from ldp_graph.services.submissions import content_hash_of_json
from ldp_graph.specs.model import ReturnSpec
from ldp_graph.synthetic.writer import write_json
from ldp_graph.validation.engine import validate
from tests.ingest.files import synthetic


def test_json_file_gives_the_report_of_the_records_themselves(spec: ReturnSpec) -> None:
    records = synthetic(spec).records

    parsed = parse_files(spec, [("return.json", json.dumps(records, indent=1).encode())])

    assert parsed.source_format == SourceFormat.JSON
    assert parsed.records == records
    assert validate(spec, parsed.records, lines=parsed.lines) == validate(spec, records)


def test_json_content_hash_is_the_canonical_hash_the_api_stores(spec: ReturnSpec) -> None:
    records = {"child": [{"sex": "F", "child_id": "C1"}]}
    reordered = b'{ "child": [ {"child_id": "C1", "sex": "F"} ] }'

    parsed = parse_files(spec, [("r.json", reordered)])

    assert parsed.content_hash == content_hash_of_json(records)
    assert parse_records(spec, records).content_hash == parsed.content_hash


def test_json_file_written_by_the_generator_is_read_from_its_records(
    spec: ReturnSpec, tmp_path: Path
) -> None:
    generated = synthetic(spec)
    path = write_json(generated, tmp_path)

    parsed = parse_files(spec, [(path.name, path.read_bytes())])

    assert parsed.records == generated.records


def test_json_values_stay_as_sent_for_the_engine_to_read(spec: ReturnSpec) -> None:
    parsed = parse_records(spec, {"child": [{"child_id": 7, "disability": True}]})

    assert parsed.records == {"child": [{"child_id": 7, "disability": True}]}
    assert parsed.lines == {"child": [1]}


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b'{"child": [}', "r.json line 1: is not valid JSON"),
        (b"[1, 2]", "must be an object of entity name to a list of rows"),
        (b'{"pupil": [{}]}', "pupil is not an entity of clas 2025-26"),
        (b'{"child": {"child_id": "C1"}}', "child must be a list of objects"),
        (b'{"child": ["C1"]}', "child must be a list of objects"),
        (b'{"child": []}', "holds no records"),
        ('{"child": [{"child_id": "\xe9"}]}'.encode("latin-1"), "not UTF-8"),
    ],
)
def test_json_unusable_records_raise_ingest_error(spec: ReturnSpec, data: bytes, says: str) -> None:
    with pytest.raises(IngestError, match=says):
        parse_files(spec, [("r.json", data)])


def test_json_file_with_flat_raises_ingest_error(spec: ReturnSpec) -> None:
    with pytest.raises(IngestError, match=re.escape("one .json file of records on its own")):
        parse_files(spec, [("r.json", b'{"child": [{}]}')], flat=True)
