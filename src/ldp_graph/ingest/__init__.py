"""Parse submitted files into records with their source lines: CSV per entity, zip, flat CSV.

`ingest/` imports neither `db/` nor `graphql/`: the upload mutation and the offline
`ldp-graph validate` command both call `parse_files` and get the same `ParsedReturn`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import PurePosixPath

from ldp_graph.domain.submissions import SourceFormat
from ldp_graph.ingest.csv_files import parse_entity_file
from ldp_graph.ingest.flat_csv import parse_flat
from ldp_graph.ingest.parsed import IngestError, Limits, ParsedReturn, Row
from ldp_graph.ingest.zip_files import ZIP_MAGIC, members
from ldp_graph.specs.model import ReturnSpec

__all__ = ["IngestError", "Limits", "ParsedReturn", "parse_files"]


def parse_files(
    spec: ReturnSpec,
    files: Sequence[tuple[str, bytes]],
    *,
    flat: bool = False,
    limits: Limits = Limits(),
) -> ParsedReturn:
    """Records of `spec` from uploaded files: entity CSVs, one zip of them, or one flat CSV."""
    if not files:
        raise IngestError("no files were uploaded")
    if len(files) > limits.max_files:
        raise IngestError(f"{len(files)} files uploaded; at most {limits.max_files}")
    digest = hashlib.sha256()
    for name, data in sorted(files):
        digest.update(name.encode("utf-8") + b"\0" + hashlib.sha256(data).digest())
    content_hash = digest.hexdigest()
    if any(not data.strip() for _, data in files):
        empty = next(name for name, data in files if not data.strip())
        raise IngestError("the file is empty", file=empty)
    source = SourceFormat.CSV
    if len(files) == 1 and files[0][1].startswith(ZIP_MAGIC):
        files = members(files[0][0], files[0][1], limits)
        source = SourceFormat.ZIP
    if flat:
        if len(files) != 1:
            raise IngestError("a flat export is one CSV file")
        name, data = files[0]
        records, lines, problems = parse_flat(spec, name, data, limits)
        return ParsedReturn(records, lines, SourceFormat.FLAT_CSV, content_hash, problems)
    records: dict[str, list[Row]] = {}
    lines: dict[str, list[int]] = {}
    for name, data in files:
        entity = PurePosixPath(name).stem.lower()
        if PurePosixPath(name).suffix.lower() not in (".csv", ".txt"):
            raise IngestError("upload .csv files, or one .zip of them", file=name)
        if entity not in spec.entities:
            raise IngestError(
                f"the file name must be an entity of {spec.id}: "
                f"{', '.join(f'{e}.csv' for e in spec.entities)}",
                file=name,
            )
        if entity in records:
            raise IngestError(f"a second file for {entity}", file=name)
        fields = set(spec.entities[entity].fields)
        records[entity], lines[entity] = parse_entity_file(name, data, fields, limits)
    if sum(len(r) for r in records.values()) > limits.max_rows:
        raise IngestError(f"more than {limits.max_rows} rows in all")
    return ParsedReturn(records, lines, source, content_hash)
