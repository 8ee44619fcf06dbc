#!/usr/bin/env python3
"""Memory: the server's peak RSS while it ingests a CLAS upload of ~100k and of ~1M records.

Each size gets a fresh SQLite file and its own server process (`ldp-graph serve`, settings from
LDP_*), so the peak resident set (VmHWM in /proc/<pid>/status, Linux) is that upload's alone.
The server first takes a small warm-up upload, so the libraries an upload loads (polars and its
thread pool, the CSV and JSON code) count as idle; growth is the peak after the big upload less
the peak before it. The last line compares how much more the peak grows for the large file with
how much larger the file is: streaming keeps the first well below the second.

The default limits take a 1M-record export (2,000,000 rows, 256 MB per upload); if the files
are larger than the upload limit, LDP_MAX_UPLOAD_BYTES is raised for the run and it says so.

    .venv/bin/python scripts/bench/memory.py [--small 16700] [--large 167000]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import COUNCIL, prepare, served_process, sqlite_url, timed_upload

from ldp_graph.config import Settings
from ldp_graph.specs.registry import load_registry
from ldp_graph.synthetic import generate
from ldp_graph.synthetic.writer import write_csv

MB = 1024 * 1024
WARM_UP_CHILDREN = 200


def export(directory: Path, children: int, seed: int) -> tuple[list[Path], int]:
    """A council's CSV files of about 6 records per child, and how many records they hold."""
    spec = load_registry().get("clas")
    assert spec is not None
    (generated,) = generate(
        spec, councils=[COUNCIL], children_per_council=children, error_rate=0.02, seed=seed
    )
    total = sum(len(rows) for rows in generated.records.values())
    return write_csv(generated, spec, directory), total


def peak_rss(pid: int) -> int:
    """The process's peak resident set so far, in bytes (VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/<pid>/status: this benchmark needs Linux")


def measure(
    directory: Path,
    name: str,
    files: list[Path],
    total: int,
    warm_up: list[Path],
    limits: dict[str, int],
) -> tuple[int, int, int, float]:
    """(peak RSS at start, before the upload, after it; upload seconds) of a fresh server."""
    url = sqlite_url(directory, f"{name}.sqlite3")
    platform = asyncio.run(prepare(url))
    with served_process(url, directory / f"{name}.log", **limits) as (base_url, pid):
        started_peak = peak_rss(pid)
        asyncio.run(timed_upload(base_url, platform, warm_up))
        before = peak_rss(pid)
        count, seconds = asyncio.run(timed_upload(base_url, platform, files))
        after = peak_rss(pid)
    assert count == total, (count, total)
    return started_peak, before, after, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", type=int, default=16_700, help="children, ~6 records each")
    parser.add_argument("--large", type=int, default=167_000, help="children, ~6 records each")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        warm_up, _ = export(directory / "warm-up", WARM_UP_CHILDREN, seed=1)
        sizes = {}
        for name, children in (("small", args.small), ("large", args.large)):
            files, total = export(directory / name, children, seed=5)
            sizes[name] = (files, total, sum(p.stat().st_size for p in files))
        limits: dict[str, int] = {}
        largest = max(size for _, _, size in sizes.values())
        if largest > Settings.model_fields["max_upload_bytes"].default:
            limits["max_upload_bytes"] = 2 * largest
            print(f"raised for this run: LDP_MAX_UPLOAD_BYTES={2 * largest}")
        growth = {}
        for name, (files, total, size) in sizes.items():
            started, before, after, seconds = measure(
                directory, name, files, total, warm_up, limits
            )
            growth[name] = after - before
            print(
                f"{name}: {total:,} records, {len(files)} CSV files of {size / MB:.1f} MB; "
                f"server peak RSS {started / MB:.0f} MB at start, {before / MB:.0f} MB after a "
                f"warm-up upload, {after / MB:.0f} MB after this upload ({seconds:.1f} s): "
                f"growth {growth[name] / MB:.0f} MB ({growth[name] / size:.1f}x the file)"
            )
    file_ratio = sizes["large"][2] / sizes["small"][2]
    growth_ratio = growth["large"] / max(growth["small"], 1)
    print(
        f"ratio large/small: peak RSS growth {growth_ratio:.1f}x for files {file_ratio:.1f}x "
        f"larger ({growth_ratio / file_ratio:.2f} of the file ratio)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
