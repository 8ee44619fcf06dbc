#!/usr/bin/env python3
"""Validation throughput: the vectorised engine against cerberus, in the same run.

Generates a synthetic CLAS return (100,000 children by default, with seeded errors), writes it
as the entity CSV files a council uploads and parses them as an upload is parsed (untimed:
scripts/bench/ingest.py measures uploads end to end). Then validates every record with the
engine, runs cerberus (`validate(normalize=False)`, per-field rules only) on a sample of rows
of every entity, and prints records/s for both, the ratio, and whether the engine found
exactly the seeded errors (no misses, no false positives).

    .venv/bin/python scripts/bench_validate.py [--children 100000] [--sample 5000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

from ldp_graph.ingest import parse_files
from ldp_graph.specs.registry import load_registry
from ldp_graph.synthetic import generate
from ldp_graph.synthetic.writer import write_csv
from ldp_graph.validation.cerberus_oracle import field_findings
from ldp_graph.validation.engine import validate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=5_000, help="rows per entity for cerberus")
    parser.add_argument("--error-rate", type=float, default=0.05)
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each, interleaved; the fastest counts"
    )
    args = parser.parse_args()

    spec = load_registry().get("clas")
    assert spec is not None
    [council_return] = generate(
        spec,
        councils=["S12000049"],
        children_per_council=args.children,
        error_rate=args.error_rate,
        seed=7,
    )
    with tempfile.TemporaryDirectory() as directory:
        paths = write_csv(council_return, spec, Path(directory))
        parsed = parse_files(spec, [(path.name, path.read_bytes()) for path in paths])
    records, lines = parsed.records, parsed.lines
    total = sum(len(rows) for rows in records.values())
    # After the coverage year, as a real return is validated: dates of birth up to its end.
    today = spec.period.end + dt.timedelta(days=1)

    sample = {entity: rows[: args.sample] for entity, rows in records.items()}
    sampled = sum(len(rows) for rows in sample.values())
    # Interleaved and best-of-N for both, so a busy machine slows neither side alone.
    engine_seconds = cerberus_seconds = float("inf")
    for _ in range(args.repeat):
        started = time.perf_counter()
        report = validate(spec, records, lines=lines, today=today, max_issues=10**9)
        engine_seconds = min(engine_seconds, time.perf_counter() - started)
        started = time.perf_counter()
        for _ in field_findings(spec, sample, today=today):
            pass
        cerberus_seconds = min(cerberus_seconds, time.perf_counter() - started)
    engine_rate = total / engine_seconds
    cerberus_rate = sampled / cerberus_seconds

    found = {(i.entity, i.key, i.rule_id) for i in report.issues}
    seeded = {(s.entity, s.key, s.rule_id) for s in council_return.seeded}
    missed, extra = seeded - found, found - seeded

    print(f"records: {total:,} ({args.children:,} children; {council_return.injected:,} seeded)")
    rules = len(spec.rules) + 3  # the spec's rules and the three implied checks
    print(f"engine ({rules} rules): {engine_seconds:.2f} s, {engine_rate:,.0f} records/s")
    print(
        f"cerberus (per-field rules only, {sampled:,} sampled rows): {cerberus_rate:,.0f} records/s"
    )
    exact = not missed and not extra
    print(f"seeded errors found exactly: {exact} (missed {len(missed)}, extra {len(extra)})")
    print(f"ratio engine/cerberus: {engine_rate / cerberus_rate:.1f}x (target >= 20x)")
    return 0 if exact else 1


if __name__ == "__main__":
    raise SystemExit(main())
