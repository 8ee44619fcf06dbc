#!/usr/bin/env python3
"""Ingest: a CLAS upload (CSV files) through the HTTP API, end to end, against raw sqlite3.

ldp-graph: multipart upload -> parse -> validate every rule -> store version, records and issues
in one transaction -> report, through a live server on an SQLite file (WAL, synchronous=FULL).
Baseline: Python's sqlite3 `executemany` of the same rows as JSON, one transaction, the same
pragmas. The two alternate `--repeat` times (each upload is a new version of the council's
return; each baseline a fresh file) and the fastest of each counts, so a busy machine slows
neither side alone. Prints both rates and the ratio (target <= 3) on the last line.

    .venv/bin/python scripts/bench/ingest.py [--children 16700] [--repeat 3]
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

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import COUNCIL, prepare, serving, sqlite_url, timed_upload

from ldp_graph.specs.registry import load_registry
from ldp_graph.synthetic import generate
from ldp_graph.synthetic.writer import write_csv


def baseline(path: Path, records: dict[str, list[dict[str, str | None]]]) -> float:
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute(
        "CREATE TABLE records (id INTEGER PRIMARY KEY, version_id TEXT, entity TEXT, "
        "key TEXT, line INTEGER, data TEXT)"
    )
    started = time.perf_counter()
    with connection:
        connection.executemany(
            "INSERT INTO records (version_id, entity, key, line, data) VALUES (?, ?, ?, ?, ?)",
            (
                ("v1", entity, None, line, json.dumps(row))
                for entity, rows in records.items()
                for line, row in enumerate(rows, 2)
            ),
        )
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=16_700, help="about 6 records each")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side; best counts")
    args = parser.parse_args()
    spec = load_registry().get("clas")
    assert spec is not None
    (generated,) = generate(
        spec, councils=[COUNCIL], children_per_council=args.children, error_rate=0.02, seed=5
    )
    total = sum(len(rows) for rows in generated.records.values())
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        files = write_csv(generated, spec, directory / "export")
        url = sqlite_url(directory, "ldp.sqlite3")
        platform = asyncio.run(prepare(url))
        base_runs, ldp_runs = [], []
        with serving(url) as base_url:

            def upload() -> float:
                count, seconds = asyncio.run(timed_upload(base_url, platform, files))
                assert count == total, (count, total)
                return seconds

            for run in range(args.repeat):
                base_runs.append(baseline(directory / f"baseline-{run}.sqlite3", generated.records))
                ldp_runs.append(upload())
        base_seconds, ldp_seconds = min(base_runs), min(ldp_runs)
    print(f"records: {total:,} ({args.children:,} children, CSV files), best of {args.repeat}")
    for name, seconds in (
        ("baseline sqlite3 executemany as JSON", base_seconds),
        ("ldp-graph upload, validate, store, report", ldp_seconds),
    ):
        print(f"{name}: {seconds:.2f} s, {total / seconds:,.0f} records/s")
    print(f"ratio ldp-graph/baseline time: {ldp_seconds / base_seconds:.1f}x (target <= 3)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
