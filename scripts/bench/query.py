#!/usr/bin/env python3
"""Query: 10,000 typed records of 20 fields through HTTP GraphQL, against raw SQL + orjson.

ldp-graph: a requester's query of one council's CLAS children (every field, code labels,
record metadata with the council) through a live server, audited. Baseline: the same rows
with their version, submission and council read with Python's sqlite3 (one JOIN) and
serialised with orjson into the same response; the benchmark stops unless both answers are
identical. Also a 5-field selection, which must
cost proportionally less. Prints the ratio (target <= 3, stretch 2) on the last line.

    .venv/bin/python scripts/bench/query.py [--children 10000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import httpx
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import (
    BASELINE_SQL,
    COUNCIL,
    FIVE,
    FULL_LEAVES,
    baseline_node,
    child_code_labels,
    page,
    prepare,
    same_shape,
    serving,
    sqlite_url,
    timed,
)

from ldp_graph.auth.principal import Principal
from ldp_graph.db.engine import Database
from ldp_graph.domain.organisations import Organisation, OrganisationKind
from ldp_graph.domain.roles import Role
from ldp_graph.services import submissions
from ldp_graph.specs.registry import load_registry
from ldp_graph.synthetic import generate


async def load(url: str, children: int) -> str:
    platform = await prepare(url)
    spec = load_registry().get("clas")
    assert spec is not None
    (generated,) = generate(
        spec, councils=[COUNCIL], children_per_council=children, error_rate=0.0, seed=9
    )
    database = Database(url)
    try:
        council = Principal(
            organisation=Organisation(COUNCIL, "Council", OrganisationKind.COUNCIL),
            role=Role.COUNCIL_SUBMITTER,
        )
        await submissions.submit_return(
            database,
            load_registry(),
            council,
            collection_id=platform.collection_id,
            records=generated.records,
        )
    finally:
        await database.dispose()
    return json.dumps([platform.collection_id, platform.requester_token])


def baseline(
    path: Path, collection: str, labels: dict[str, dict[str, str]]
) -> tuple[float, list[dict[str, object]]]:
    """Seconds to read the page's rows with sqlite3 and write FULL's response; its nodes."""
    connection = sqlite3.connect(path)
    started = time.perf_counter()
    rows = connection.execute(BASELINE_SQL, (collection,)).fetchall()
    nodes = [baseline_node(row, labels) for row in rows]
    orjson.dumps({"data": {"collection": {"clas": {"child": {"nodes": nodes}}}}})
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed, nodes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each; the fastest counts")
    args = parser.parse_args()
    labels = child_code_labels()
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        url = sqlite_url(directory, "ldp.sqlite3")
        collection, token = json.loads(asyncio.run(load(url, args.children)))
        base_seconds = full = five = float("inf")
        with serving(url) as base_url, httpx.Client(base_url=base_url, timeout=120) as client:
            # Warm the server up, and hold both sides to the same answer.
            _seconds, nodes = page(client, token, collection, args.children)
            same_shape(nodes, baseline(directory / "ldp.sqlite3", collection, labels)[1])
            # Interleaved, the best of each: a busy machine slows neither side alone.
            for _ in range(args.repeat):
                base_seconds = min(
                    base_seconds, baseline(directory / "ldp.sqlite3", collection, labels)[0]
                )
                full = min(full, timed(client, token, collection, args.children))
                five = min(five, timed(client, token, collection, args.children, FIVE))
    n = args.children
    print(f"records: {n:,} CLAS children; {FULL_LEAVES} values each: fields, labels, metadata")
    print(f"baseline sqlite3 + orjson: {base_seconds:.3f} s, {n / base_seconds:,.0f} records/s")
    print(f"ldp-graph HTTP GraphQL, every field: {full:.3f} s, {n / full:,.0f} records/s")
    print(f"ldp-graph HTTP GraphQL, 5 fields: {five:.3f} s ({five / full:.0%} of every field)")
    print(f"ratio ldp-graph/baseline time: {full / base_seconds:.1f}x (target <= 3, stretch 2)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
