#!/usr/bin/env python3
"""Scale: one council's records queried with 1x and 10x as much other data in the database.

Two SQLite files hold the same target return (one council's CLAS children in the requester's
collection). File A also holds other councils' returns over a few other collections; file B
holds ten times as many (more councils, more collections, two versions each). The query is
query.py's every-field page of the target council's children, through a live server on each
file, interleaved, the fastest of several runs counting. A platform at national scale must
answer it in about the same time however much else is stored: prints both times and the
ratio B/A (target <= 1.25) on the last line.

    .venv/bin/python scripts/bench/scale.py [--children 2000] [--other-children 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import COUNCIL, open_collection, prepare, serving, sqlite_url, submit_as, timed

from ldp_graph.auth.principal import OPERATOR
from ldp_graph.db.engine import Database
from ldp_graph.domain.organisations import OrganisationKind
from ldp_graph.services import organisations
from ldp_graph.specs.registry import load_registry
from ldp_graph.synthetic import generate


@dataclass(frozen=True)
class Other:
    """The other data: `collections` collections of `councils` councils, `versions` each."""

    collections: int
    councils: int
    versions: int

    @property
    def returns(self) -> int:
        return self.collections * self.councils * self.versions


SMALL = Other(collections=2, councils=4, versions=1)  # 8 returns
LARGE = Other(collections=5, councils=8, versions=2)  # 80 returns: ten times as many


async def build(url: str, children: int, other: Other, other_children: int) -> tuple[str, str]:
    """The database with the target return and the other returns; (collection id, token)."""
    platform = await prepare(url)
    spec = load_registry().get("clas")
    assert spec is not None
    database = Database(url)
    try:
        (target,) = generate(
            spec, councils=[COUNCIL], children_per_council=children, error_rate=0.0, seed=9
        )
        await submit_as(database, COUNCIL, platform.collection_id, target.records)
        councils = [
            o.code
            for o in await organisations.list_organisations(
                database, OPERATOR, OrganisationKind.COUNCIL
            )
            if o.code != COUNCIL
        ]
        assert len(councils) >= other.councils, councils
        for c in range(other.collections):
            # Each collection asks a different window of councils, so the councils vary too.
            asked = [councils[(c * 3 + i) % len(councils)] for i in range(other.councils)]
            collection_id = await open_collection(database, asked, title=f"other {c}")
            for v in range(other.versions):
                returns = generate(
                    spec,
                    councils=asked,
                    children_per_council=other_children,
                    error_rate=0.02,
                    seed=100 * c + v,
                )
                for council_return in returns:
                    await submit_as(
                        database, council_return.council, collection_id, council_return.records
                    )
    finally:
        await database.dispose()
    return platform.collection_id, platform.requester_token


def count_records(path: Path) -> int:
    import sqlite3

    connection = sqlite3.connect(path)
    try:
        return int(connection.execute("SELECT count(*) FROM records").fetchone()[0])
    finally:
        connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=2_000, help="the target council's")
    parser.add_argument(
        "--other-children", type=int, default=1_000, help="children in each other return"
    )
    parser.add_argument("--repeat", type=int, default=7, help="runs of each; the fastest counts")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        sides = {}
        for name, other in (("A", SMALL), ("B", LARGE)):
            url = sqlite_url(directory, f"{name}.sqlite3")
            started = time.perf_counter()
            ids = asyncio.run(build(url, args.children, other, args.other_children))
            stored = count_records(directory / f"{name}.sqlite3")
            print(
                f"database {name}: {other.returns} other returns ({other.collections} "
                f"collections x {other.councils} councils x {other.versions} versions), "
                f"{stored:,} records in all, built in {time.perf_counter() - started:.0f} s"
            )
            sides[name] = (url, *ids)
        best = {name: float("inf") for name in sides}
        (url_a, *a), (url_b, *b) = sides["A"], sides["B"]
        with (
            serving(url_a) as base_a,
            serving(url_b) as base_b,
            httpx.Client(base_url=base_a, timeout=120) as client_a,
            httpx.Client(base_url=base_b, timeout=120) as client_b,
        ):
            runs = {"A": (client_a, a), "B": (client_b, b)}
            for client, (collection, token) in runs.values():
                timed(client, token, collection, args.children)  # warm each server up
            # Interleaved, alternating which goes first, the best of each: a busy machine
            # slows neither side alone.
            for round_ in range(args.repeat):
                for name in ("A", "B") if round_ % 2 == 0 else ("B", "A"):
                    client, (collection, token) = runs[name]
                    best[name] = min(best[name], timed(client, token, collection, args.children))
    n = args.children
    print(f"query: one council's {n:,} CLAS children, every field, over HTTP GraphQL")
    for name in ("A", "B"):
        print(f"database {name}: {best[name]:.3f} s, {n / best[name]:,.0f} records/s")
    print(f"ratio B/A time (10x other data): {best['B'] / best['A']:.2f}x (target <= 1.25)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
