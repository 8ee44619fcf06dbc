"""One flat CSV with a row per placement, columns named `entity.field`, split into entities.

Case-management systems often export one wide row per placement that repeats the child's and
the episode's values. Each row is split into one record per entity named in the header; an
entity's records whose key repeats are merged (the first line is kept), and a repeat whose
other values differ is reported rather than silently dropped.
"""

from __future__ import annotations

from ldp_graph.ingest.csv_files import decode, read_table
from ldp_graph.ingest.parsed import IngestError, IngestProblem, Limits, Row
from ldp_graph.specs.model import ReturnSpec


def parse_flat(
    spec: ReturnSpec, name: str, data: bytes, limits: Limits
) -> tuple[dict[str, list[Row]], dict[str, list[int]], list[IngestProblem]]:
    header, rows = read_table(decode(data, name), name, limits)
    columns: list[tuple[str, str]] = []
    for column in header:
        entity, dot, field = column.partition(".")
        if not dot:
            raise IngestError(
                f"column {column!r} must be named entity.field, e.g. child.child_id",
                file=name,
                line=1,
            )
        if entity not in spec.entities or field not in spec.entities[entity].fields:
            raise IngestError(f"column {column!r} is not a field of {spec.id}", file=name, line=1)
        columns.append((entity, field))
    entities = list(dict.fromkeys(entity for entity, _ in columns))
    records: dict[str, list[Row]] = {e: [] for e in entities}
    lines: dict[str, list[int]] = {e: [] for e in entities}
    seen: dict[tuple[str, tuple[str | None, ...]], tuple[int, Row]] = {}
    problems: list[IngestProblem] = []
    for line, row in rows:
        parts: dict[str, Row] = {e: {} for e in entities}
        for (entity, field), value in zip(columns, row, strict=True):
            parts[entity][field] = value if value.strip() else None
        for entity, part in parts.items():
            if all(v is None for v in part.values()):
                continue  # e.g. a child with no placement yet
            key = tuple(part.get(f) for f in spec.entities[entity].key)
            earlier = seen.get((entity, key))
            if earlier is None:
                seen[(entity, key)] = (line, part)
                records[entity].append(part)
                lines[entity].append(line)
            elif earlier[1] != part:
                problems.append(
                    IngestProblem(
                        entity=entity,
                        key="|".join(k or "" for k in key),
                        line=line,
                        message=(
                            f"This row repeats {entity} {'|'.join(k or '' for k in key)} with "
                            f"different values from line {earlier[0]}; line {earlier[0]} was "
                            "kept. Make the repeated values agree."
                        ),
                    )
                )
    return {e: r for e, r in records.items() if r}, lines, problems
