"""Parse submitted files into records with their source lines: CSV per entity, zip, flat CSV, JSON.

`ingest/` imports neither `db/` nor `graphql/`: the upload mutation and the offline
`ldp-graph validate` command both call `parse_files` and get the same `ParsedReturn`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePosixPath

from ldp_graph.domain.submissions import SourceFormat
from ldp_graph.ingest.csv_files import EntityCsv, parse_entity_file
from ldp_graph.ingest.flat_csv import parse_flat
from ldp_graph.ingest.json_records import content_hash_of_records, parse_json, parse_records
from ldp_graph.ingest.parsed import IngestError, IngestProblem, Limits, ParsedReturn, Row
from ldp_graph.ingest.sources import Source, head, is_blank, read_all, sha256
from ldp_graph.ingest.zip_files import is_zip, members
from ldp_graph.specs.model import ReturnSpec

__all__ = [
    "EntityCsv",
    "IngestError",
    "IngestProblem",
    "Limits",
    "ParsedReturn",
    "Row",
    "Source",
    "content_hash_of_records",
    "parse_files",
    "parse_records",
]

_CSV_SUFFIXES = (".csv", ".txt")


def parse_files(
    spec: ReturnSpec,
    files: Sequence[tuple[str, Source]],
    *,
    flat: bool = False,
    limits: Limits = Limits(),
    stream: bool = False,
) -> ParsedReturn:
    """Records of `spec` from uploaded (name, bytes or binary file): entity CSVs, one zip of
    them, one flat CSV (`flat`, possibly zipped), or one `.json` file of records.

    CSV files are read as they are parsed, a chunk at a time: an upload spooled to disk is
    never held whole in memory (a zip or a `.json` file is). With `stream`, entity CSVs are
    not read here at all: each record list is an `EntityCsv` that reads its file a chunk at
    a time whenever it is asked (validation, then storing), and `lines` comes with the chunks.

    `content_hash` is the SHA-256 of the one file's bytes; for several files, of their names
    and SHA-256s in name order. Raises `IngestError` for input that cannot be read at all.
    """
    if not files:
        raise IngestError("no files were uploaded; send entity CSVs, one zip, or one .json")
    if len(files) > limits.max_files:
        raise IngestError(f"{len(files)} files uploaded; at most {limits.max_files}")
    for name, data in files:
        if is_blank(data):
            raise IngestError("the file is empty", name)
    content_hash = _content_hash(files)
    source = SourceFormat.CSV
    if any(is_zip(name, head(data, 4)) for name, data in files):
        if len(files) != 1:
            raise IngestError("upload one .zip on its own, or the CSV files without a zip")
        name, data = files[0]
        files = members(name, read_all(data), limits)
        source = SourceFormat.ZIP
    if any(PurePosixPath(name).suffix.lower() == ".json" for name, _ in files):
        if len(files) != 1 or flat or source == SourceFormat.ZIP:
            raise IngestError("upload one .json file of records on its own")
        name, data = files[0]
        return parse_json(spec, name, read_all(data), limits)
    for name, _ in files:
        if PurePosixPath(name).suffix.lower() not in _CSV_SUFFIXES:
            raise IngestError("upload .csv files, or one .zip of them", name)
    if flat:
        if len(files) != 1:
            raise IngestError("a flat export is one CSV file; upload it on its own")
        records, lines, problems = parse_flat(spec, *files[0], limits)
        return ParsedReturn(records, lines, SourceFormat.FLAT_CSV, content_hash, problems)
    records: dict[str, Sequence[Row]] = {}
    lines: dict[str, Sequence[int]] = {}
    paths: dict[str, str] = {}
    tally: dict[str, int] = {}  # rows read per file, when streamed
    for name, data in files:
        entity = PurePosixPath(name).stem.lower()
        if entity not in spec.entities:
            raise IngestError(
                f"the file name must be an entity of {spec.id} {spec.version}: "
                f"{', '.join(f'{e}.csv' for e in spec.entities)}",
                name,
            )
        if entity in paths:
            raise IngestError(f"a second file for {entity}, after {paths[entity]}", name)
        paths[entity] = name
        fields = set(spec.entities[entity].fields)
        if stream:
            records[entity] = EntityCsv(name, data, fields, limits, tally)  # type: ignore[assignment]
            continue
        records[entity], lines[entity] = parse_entity_file(name, data, fields, limits)
    if not stream and sum(len(rows) for rows in records.values()) > limits.max_rows:
        raise IngestError(f"more than {limits.max_rows} rows in all")
    return ParsedReturn(records, lines, source, content_hash)


def _content_hash(files: Sequence[tuple[str, Source]]) -> str:
    if len(files) == 1:
        return sha256(files[0][1]).hexdigest()
    digest = sha256(b"")
    for name, data in sorted(files, key=lambda f: f[0]):
        digest.update(name.encode("utf-8") + b"\0" + sha256(data).digest())
    return digest.hexdigest()
