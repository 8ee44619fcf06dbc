"""Writes generated returns as councils send them (CSV or JSON), with the seeded-error manifest."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from operator import itemgetter
from pathlib import Path
from typing import Literal

import orjson

from ldp_graph.specs.model import ReturnSpec
from ldp_graph.synthetic.records import CouncilReturn

Format = Literal["csv", "json"]
MANIFEST = "seeded-errors.csv"
MANIFEST_HEADER = ("council", "entity", "key", "field", "rule_id", "kind", "child_id")


def write_csv(result: CouncilReturn, spec: ReturnSpec, directory: Path) -> list[Path]:
    """`<directory>/<council>/<entity>.csv` for every entity of the spec, header in spec
    order; a missing value is an empty cell (csv writes None as "")."""
    folder = directory / result.council
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, entity in spec.entities.items():
        fields = list(entity.fields)
        path = folder / f"{name}.csv"
        # itemgetter of one field returns the value, not a 1-tuple
        values = itemgetter(*fields) if len(fields) > 1 else (lambda row, f=fields[0]: (row[f],))
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(fields)
            writer.writerows(values(row) for row in result.records.get(name, ()))
        paths.append(path)
    return paths


def write_json(result: CouncilReturn, directory: Path) -> Path:
    """`<directory>/<council>.json`: {"council": ..., "records": {entity: [rows]}}."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{result.council}.json"
    path.write_bytes(orjson.dumps({"council": result.council, "records": result.records}))
    return path


def write_manifest(results: Sequence[CouncilReturn], directory: Path) -> Path:
    """`<directory>/seeded-errors.csv`: one line per row a correct validator must flag."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / MANIFEST
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(MANIFEST_HEADER)
        for result in results:
            writer.writerows(
                (result.council, s.entity, s.key, s.field, s.rule_id, s.kind, s.child_id)
                for s in result.seeded
            )
    return path


def write_returns(
    results: Sequence[CouncilReturn], spec: ReturnSpec, directory: Path, format: Format = "csv"
) -> list[Path]:
    """Every return in `format`, then the manifest; the paths written, manifest last."""
    paths: list[Path] = []
    for result in results:
        if format == "csv":
            paths.extend(write_csv(result, spec, directory))
        elif format == "json":
            paths.append(write_json(result, directory))
        else:
            raise ValueError(f"unknown format {format!r}; use csv or json")
    paths.append(write_manifest(results, directory))
    return paths
