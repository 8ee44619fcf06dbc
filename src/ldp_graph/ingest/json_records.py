"""JSON records, the `validateSubmission` shape: an object of entity name to a list of rows.

A file written by the synthetic generator (`{"council": ..., "records": {...}}`) is read too.
Values stay as sent (the engine turns numbers and booleans into text); a row's line is its
1-based position in its entity's list, as the engine numbers rows given no lines.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from ldp_graph.domain.submissions import SourceFormat
from ldp_graph.ingest.csv_files import decode
from ldp_graph.ingest.parsed import IngestError, Limits, ParsedReturn
from ldp_graph.specs.model import ReturnSpec


def content_hash_of_records(records: Mapping[str, Any]) -> str:
    """SHA-256 of the records as canonical JSON (sorted keys, no spaces, UTF-8)."""
    canonical = json.dumps(records, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def parse_json(spec: ReturnSpec, name: str, data: bytes, limits: Limits) -> ParsedReturn:
    """The records of a `.json` file."""
    try:
        document = json.loads(decode(data, name))
    except json.JSONDecodeError as exc:
        raise IngestError(f"is not valid JSON: {exc.msg}", name, exc.lineno) from None
    if (
        isinstance(document, dict)
        and isinstance(document.get("records"), dict)
        and "records" not in spec.entities
    ):
        document = document["records"]
    return parse_records(spec, document, limits, file=name)


def parse_records(
    spec: ReturnSpec, records: Any, limits: Limits = Limits(), *, file: str | None = None
) -> ParsedReturn:
    """JSON records already decoded, checked for shape and entities."""
    if not isinstance(records, dict):
        raise IngestError(
            'the records must be an object of entity name to a list of rows, e.g. {"child": [...]}',
            file,
        )
    unknown = [e for e in records if e not in spec.entities]
    if unknown:
        raise IngestError(
            f"{', '.join(map(str, unknown))} is not an entity of {spec.id} {spec.version}; "
            f"it has {', '.join(spec.entities)}",
            file,
        )
    for entity, rows in records.items():
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise IngestError(f"{entity} must be a list of objects, one per row", file)
    total = sum(len(rows) for rows in records.values())
    if total == 0:
        raise IngestError("the return holds no records", file)
    if total > limits.max_rows:
        raise IngestError(f"more than {limits.max_rows} records", file)
    return ParsedReturn(
        records={e: list(rows) for e, rows in records.items()},
        lines={e: list(range(1, len(rows) + 1)) for e, rows in records.items()},
        source_format=SourceFormat.JSON,
        content_hash=content_hash_of_records(records),
    )
