"""Building the files councils upload: zips, a flat export, synthetic returns written as CSV."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ldp_graph.specs.model import ReturnSpec
from ldp_graph.synthetic import generate
from ldp_graph.synthetic.records import CouncilReturn
from ldp_graph.synthetic.writer import write_csv

CHILD = b"child_id,sex\nC1,F\nC2,M\n"


def zip_of(members: Mapping[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def synthetic(spec: ReturnSpec, *, error_rate: float = 0.3, children: int = 30) -> CouncilReturn:
    (generated,) = generate(
        spec, councils=["S12000036"], children_per_council=children, error_rate=error_rate, seed=7
    )
    return generated


def written(generated: CouncilReturn, spec: ReturnSpec, tmp_path: Path) -> list[tuple[str, bytes]]:
    """The return as synthetic/writer.py writes it: one `<entity>.csv` per entity."""
    return [(p.name, p.read_bytes()) for p in write_csv(generated, spec, tmp_path)]


def flat_export(spec: ReturnSpec, records: Mapping[str, Sequence[Mapping[str, Any]]]) -> bytes:
    """One row per placement with its episode and child, as case-management systems export:
    children without episodes and episodes without placements get a row of their own."""
    names = ("child", "episode", "placement")
    header = [f"{e}.{f}" for e in names for f in spec.entities[e].fields]
    episodes: dict[str, list[Mapping[str, Any]]] = {}
    placements: dict[str, list[Mapping[str, Any]]] = {}
    for episode in records["episode"]:
        episodes.setdefault(episode["child_id"], []).append(episode)
    for placement in records["placement"]:
        placements.setdefault(placement["episode_id"], []).append(placement)

    def cells(entity: str, row: Mapping[str, Any] | None) -> list[Any]:
        return [row.get(f) if row else None for f in spec.entities[entity].fields]

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for child in records["child"]:
        for episode in episodes.get(child["child_id"], [None]):  # type: ignore[list-item]
            own = placements.get(episode["episode_id"], [None]) if episode else [None]
            for placement in own:
                writer.writerow(
                    cells("child", child)
                    + cells("episode", episode)
                    + cells("placement", placement)
                )
    return buffer.getvalue().encode("utf-8")
