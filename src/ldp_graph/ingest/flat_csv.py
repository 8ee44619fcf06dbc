"""One flat CSV with a row per placement, columns named `entity.field`, split into entities.

Case-management systems often export one wide row per placement that repeats the child's and
the episode's values. Each row is split into one record per entity named in the header:

- an entity's part of a row that is entirely empty (a child with no placement yet) is no record;
- a part whose key repeats an earlier row's is merged into it (the first line is kept); when
  its other values differ, that is an `IngestProblem` naming both lines, never a silent drop;
- a part with a blank key is kept as its own record (identical repeats merged), so the
  report says the key is missing;
- an entity without a column for its parent link (`episode.child_id`) takes it from the
  parent's key in the same row (`child.child_id`): the row is the link.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from ldp_graph.ingest.csv_files import blank, read_table
from ldp_graph.ingest.parsed import IngestError, IngestProblem, Limits, Lines, Row
from ldp_graph.ingest.sources import Source, text_of
from ldp_graph.specs.model import ReturnSpec
from ldp_graph.validation.frames import TextFrame

Parsed = tuple[dict[str, Sequence[Row]], dict[str, Sequence[int]], list[IngestProblem]]


def parse_flat(spec: ReturnSpec, name: str, data: Source, limits: Limits) -> Parsed:
    with text_of(data, name) as text:
        return _parse_flat(spec, name, text, limits)


def _parse_flat(spec: ReturnSpec, name: str, text: TextIO, limits: Limits) -> Parsed:
    header, rows = read_table(text, name, limits)
    columns = _columns(spec, name, header)
    entities = list(dict.fromkeys(entity for entity, _ in columns))
    links = _inferred_links(spec, columns)
    records: dict[str, list[Row]] = {e: [] for e in entities}
    lines: dict[str, list[int]] = {e: [] for e in entities}
    seen: dict[tuple[str, tuple[object, ...]], tuple[int, Row]] = {}
    problems: list[IngestProblem] = []
    count = 0
    for line, row in rows:
        parts: dict[str, Row] = {e: {} for e in entities}
        for (entity, field), value in zip(columns, row, strict=True):
            parts[entity][field] = None if blank(value) else value
        present = {e for e, part in parts.items() if any(v is not None for v in part.values())}
        for entity, (field, parent, parent_key) in links.items():
            if entity in present:
                parts[entity][field] = parts[parent][parent_key]
        for entity in entities:
            if entity not in present:
                continue  # e.g. a child with no placement yet
            part = parts[entity]
            key = tuple(part[f] for f in spec.entities[entity].key)
            # A blank key cannot say which record a part repeats: only identical parts merge.
            identity = key if None not in key else tuple(sorted(part.items(), key=_by_field))
            earlier = seen.get((entity, identity))
            if earlier is None:
                seen[(entity, identity)] = (line, part)
                records[entity].append(part)
                lines[entity].append(line)
                count += 1
                if count > limits.max_rows:
                    raise IngestError(f"more than {limits.max_rows} records", name, line)
            elif earlier[1] != part:
                problems.append(_conflict(entity, key, line, earlier, part))
    kept = [e for e in entities if records[e]]
    # Held as columns from here on: the dicts go when this returns.
    frames = {e: TextFrame.of_rows(records.pop(e)) for e in kept}
    return frames, {e: Lines(lines[e]) for e in kept}, problems


def _columns(spec: ReturnSpec, name: str, header: list[str]) -> list[tuple[str, str]]:
    """(entity, field) of every column, refusing names that are not fields of the spec."""
    columns: list[tuple[str, str]] = []
    for column in header:
        entity, dot, field = column.partition(".")
        if not dot:
            raise IngestError(
                f"column {column!r} must be named entity.field, e.g. child.child_id", name, 1
            )
        if entity not in spec.entities or field not in spec.entities[entity].fields:
            raise IngestError(
                f"column {column!r} is not a field of {spec.id} {spec.version}; the entities "
                f"are {', '.join(spec.entities)}",
                name,
                1,
            )
        columns.append((entity, field))
    named = set(columns)
    for entity in dict.fromkeys(e for e, _ in columns):
        missing = [f"{entity}.{f}" for f in spec.entities[entity].key if (entity, f) not in named]
        if missing:
            raise IngestError(
                f"the columns name {entity} but not its key {', '.join(missing)}; add it so "
                f"rows of one {entity} can be told from another's",
                name,
                1,
            )
    return columns


def _inferred_links(
    spec: ReturnSpec, columns: list[tuple[str, str]]
) -> dict[str, tuple[str, str, str]]:
    """entity -> (its parent-link field, parent entity, parent key field) to fill from the row."""
    named = set(columns)
    links = {}
    for entity in dict.fromkeys(e for e, _ in columns):
        link = spec.entities[entity].parent
        if link is None or (entity, link.field) in named:
            continue
        parent_key = spec.entities[link.entity].key
        if len(parent_key) == 1 and (link.entity, parent_key[0]) in named:
            links[entity] = (link.field, link.entity, parent_key[0])
    return links


def _by_field(item: tuple[str, object]) -> str:
    return item[0]


def _conflict(
    entity: str, key: tuple[object, ...], line: int, earlier: tuple[int, Row], part: Row
) -> IngestProblem:
    first_line, first = earlier
    shown = "/".join(str(k) for k in key)
    differ = [f for f in first.keys() | part.keys() if first.get(f) != part.get(f)]
    return IngestProblem(
        entity=entity,
        key=shown,
        line=line,
        first_line=first_line,
        message=(
            f"This row repeats {entity} {shown} from line {first_line} with different "
            f"{', '.join(sorted(differ))}; line {first_line} was kept. Make the repeated "
            "values agree."
        ),
    )
