#!/usr/bin/env python3
"""PostgreSQL: ingest.py's CSV upload and query.py's record page, each against raw asyncpg.

Ingest: a CLAS upload (CSV files, about 100,000 records) through the HTTP API of a live server
on PostgreSQL: parse, validate every rule, store version, records (COPY) and issues in one
transaction, report. Baseline: asyncpg `copy_records_to_table` of the same rows as JSON into a
table of the same shape, in one transaction (executemany of the same rows is timed too, for
reference). Query: a requester's page of 10,000 children (every field, code labels, record
metadata) through HTTP GraphQL; baseline: the same rows read with asyncpg and serialised with
orjson into the same shape. Both sides of each run interleaved, the fastest of several
counting. The script creates private databases (ldp_bench_<pid>_*) on the server named by
--database-url (default: LDP_TEST_POSTGRES_URL, else postgres@127.0.0.1:5432) and drops
them at the end, touching nothing else there. When PostgreSQL cannot be reached it says so and
exits 0 ("skipped"). Prints both ratios, the last line holding both with their targets
(<= 3 each).

    .venv/bin/python scripts/bench/postgres.py [--database-url URL] [--children 16700]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import httpx
import orjson
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import (
    BASELINE_SQL,
    COUNCIL,
    baseline_node,
    child_code_labels,
    page,
    prepare,
    same_shape,
    serving,
    submit_as,
    timed,
    timed_upload,
)

from ldp_graph.db.engine import Database
from ldp_graph.db.notifications import asyncpg_dsn
from ldp_graph.specs.registry import load_registry
from ldp_graph.synthetic import generate
from ldp_graph.synthetic.writer import write_csv

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
BASELINE_TABLE = """
CREATE TABLE bench_records (id BIGSERIAL PRIMARY KEY, version_id TEXT, entity TEXT,
                            key TEXT, line INTEGER, data JSON)
"""
COLUMNS = ("version_id", "entity", "key", "line", "data")

Rows = list[tuple[str, str, str | None, int, str]]


@contextmanager
def private_database(url: str, purpose: str) -> Iterator[str | None]:
    """A fresh database on the server of `url`, dropped on the way out; None if unreachable."""
    server = sa.make_url(url)
    name = f"ldp_bench_{os.getpid()}_{purpose}"
    admin = asyncpg_dsn(server.set(database="postgres"))

    async def command(sql: str) -> None:
        connection = await asyncpg.connect(admin, timeout=10)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    try:
        asyncio.run(command(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        print(f"PostgreSQL at {server.render_as_string()} cannot be used: {error}")
        yield None
        return
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(command(f'DROP DATABASE "{name}" WITH (FORCE)'))


def rows_of(records: dict[str, list[dict[str, str | None]]]) -> Rows:
    return [
        ("v1", entity, None, line, orjson.dumps(row).decode())
        for entity, entity_rows in records.items()
        for line, row in enumerate(entity_rows, 2)
    ]


async def baseline_ingest(dsn: str, rows: Rows, *, copy: bool) -> float:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("DROP TABLE IF EXISTS bench_records")
        await connection.execute(BASELINE_TABLE)
        started = time.perf_counter()
        async with connection.transaction():
            if copy:
                await connection.copy_records_to_table(
                    "bench_records", records=rows, columns=COLUMNS
                )
            else:
                await connection.executemany(
                    "INSERT INTO bench_records (version_id, entity, key, line, data) "
                    "VALUES ($1, $2, $3, $4, $5)",
                    rows,
                )
        return time.perf_counter() - started
    finally:
        await connection.close()


def ingest(url: str, children: int, repeat: int) -> tuple[int, float, float, float]:
    """Records, then the best seconds of: ldp-graph upload, COPY, executemany."""
    spec = load_registry().get("clas")
    assert spec is not None
    (generated,) = generate(
        spec, councils=[COUNCIL], children_per_council=children, error_rate=0.02, seed=5
    )
    total = sum(len(rows) for rows in generated.records.values())
    rows = rows_of(generated.records)
    dsn = asyncpg_dsn(sa.make_url(url))
    platform = asyncio.run(prepare(url))
    best = {"ldp": float("inf"), "copy": float("inf"), "executemany": float("inf")}
    with tempfile.TemporaryDirectory() as scratch:
        files = write_csv(generated, spec, Path(scratch) / "export")
        with serving(url) as base_url:

            def upload() -> float:
                count, seconds = asyncio.run(timed_upload(base_url, platform, files))
                assert count == total, (count, total)
                return seconds

            for _ in range(repeat):  # each upload is the council's next version
                best["copy"] = min(best["copy"], asyncio.run(baseline_ingest(dsn, rows, copy=True)))
                best["ldp"] = min(best["ldp"], upload())
                best["executemany"] = min(
                    best["executemany"], asyncio.run(baseline_ingest(dsn, rows, copy=False))
                )
    return total, best["ldp"], best["copy"], best["executemany"]


async def load_children(url: str, children: int) -> tuple[str, str]:
    """A requester's collection with one council's children; (collection, token)."""
    platform = await prepare(url)
    spec = load_registry().get("clas")
    assert spec is not None
    (generated,) = generate(
        spec, councils=[COUNCIL], children_per_council=children, error_rate=0.0, seed=9
    )
    database = Database(url)
    try:
        await submit_as(database, COUNCIL, platform.collection_id, generated.records)
    finally:
        await database.dispose()
    return platform.collection_id, platform.requester_token


# BASELINE_SQL for asyncpg, with the JSON read as text as ldp-graph reads it.
_BASELINE_PG = BASELINE_SQL.replace("r.data,", "r.data::text,").replace("= ?", "= $1")


async def baseline_query(
    dsn: str, collection: str, labels: dict[str, dict[str, str]]
) -> tuple[float, list[dict[str, object]]]:
    """Seconds to read the page's rows with asyncpg and write FULL's response; its nodes."""
    connection = await asyncpg.connect(dsn)
    try:
        started = time.perf_counter()
        rows = await connection.fetch(_BASELINE_PG, collection)
        nodes = [baseline_node(row, labels) for row in rows]
        orjson.dumps({"data": {"collection": {"clas": {"child": {"nodes": nodes}}}}})
        return time.perf_counter() - started, nodes
    finally:
        await connection.close()


def query(url: str, children: int, repeat: int) -> tuple[float, float]:
    """The best seconds of the ldp-graph page and of the baseline."""
    labels = child_code_labels()
    collection, token = asyncio.run(load_children(url, children))
    dsn = asyncpg_dsn(sa.make_url(url))
    base_seconds = ldp_seconds = float("inf")
    with serving(url) as base_url, httpx.Client(base_url=base_url, timeout=120) as client:
        # Warm the server up, and hold both sides to the same answer.
        _seconds, nodes = page(client, token, collection, children)
        same_shape(nodes, asyncio.run(baseline_query(dsn, collection, labels))[1])
        for _ in range(repeat):
            base_seconds = min(
                base_seconds, asyncio.run(baseline_query(dsn, collection, labels))[0]
            )
            ldp_seconds = min(ldp_seconds, timed(client, token, collection, children))
    return ldp_seconds, base_seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("LDP_TEST_POSTGRES_URL") or DEFAULT_URL,
        help="a PostgreSQL server (its database is left alone: a private one is used)",
    )
    parser.add_argument("--children", type=int, default=16_700, help="ingest: ~6 records each")
    parser.add_argument("--query-children", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the fastest counts")
    args = parser.parse_args()
    with private_database(args.database_url, "ingest") as url:
        if url is None:
            print("skipped: no PostgreSQL to benchmark")
            return 0
        total, ldp_ingest, copy, executemany = ingest(url, args.children, args.repeat)
    with private_database(args.database_url, "query") as url:
        assert url is not None
        ldp_query, base_query = query(url, args.query_children, max(args.repeat, 5))
    n = args.query_children
    print(f"PostgreSQL ingest: {total:,} records ({args.children:,} children, CSV files)")
    for name, seconds in (
        ("baseline asyncpg COPY as JSON", copy),
        ("(asyncpg executemany as JSON)", executemany),
        ("ldp-graph upload, validate, store, report", ldp_ingest),
    ):
        print(f"  {name}: {seconds:.2f} s, {total / seconds:,.0f} records/s")
    print(f"PostgreSQL query: {n:,} CLAS children, 20 values each: fields, labels, metadata")
    print(f"  baseline asyncpg + orjson: {base_query:.3f} s, {n / base_query:,.0f} records/s")
    print(f"  ldp-graph HTTP GraphQL: {ldp_query:.3f} s, {n / ldp_query:,.0f} records/s")
    print(f"  (ingest against executemany instead of COPY: {ldp_ingest / executemany:.1f}x)")
    print(
        f"ratio ldp-graph/baseline time on PostgreSQL: ingest {ldp_ingest / copy:.1f}x "
        f"against COPY (target <= 3), query {ldp_query / base_query:.1f}x (target <= 3)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
