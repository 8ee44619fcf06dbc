"""Shared set-up for the benchmarks: a migrated database, collections, returns, a live server.

`serving` runs the server in a thread of this process; `serving_process` runs `ldp-graph serve`
in a process of its own, for benchmarks whose clients must not share the server's GIL.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
import uvicorn

from ldp_graph.app import create_app
from ldp_graph.auth.principal import OPERATOR, Principal
from ldp_graph.client import LdpClient
from ldp_graph.config import load_settings
from ldp_graph.db import migrate
from ldp_graph.db.engine import Database
from ldp_graph.domain.organisations import Organisation, OrganisationKind
from ldp_graph.domain.roles import Role
from ldp_graph.services import collections, organisations, submissions, tokens
from ldp_graph.specs.registry import load_registry

COUNCIL = "S12000036"
REQUESTER = Organisation("SG-CSWS", "Requester", OrganisationKind.REQUESTER)


@dataclass(frozen=True)
class Platform:
    url: str
    collection_id: str
    council_token: str
    requester_token: str


async def open_collection(
    database: Database, council_codes: Sequence[str], title: str = "bench"
) -> str:
    """A CLAS collection of the requester's, open today, asking `council_codes`; its id."""
    today = dt.date.today()
    collection = await collections.create_collection(
        database,
        load_registry(),
        Principal(organisation=REQUESTER, role=Role.REQUESTER),
        collections.CollectionDraft(
            spec_id="clas",
            spec_version=None,
            title=title,
            council_codes=list(council_codes),
            opens_on=today - dt.timedelta(days=1),
            due_on=today + dt.timedelta(days=30),
            purpose="benchmark",
            legal_basis="benchmark",
        ),
    )
    return collection.id


async def submit_as(
    database: Database,
    council_code: str,
    collection_id: str,
    records: Mapping[str, list[dict[str, Any]]],
) -> None:
    """A council's return stored as its next version, through the submission service."""
    council = Principal(
        organisation=Organisation(council_code, "Council", OrganisationKind.COUNCIL),
        role=Role.COUNCIL_SUBMITTER,
    )
    await submissions.submit_return(
        database, load_registry(), council, collection_id=collection_id, records=records
    )


async def prepare(database_url: str) -> Platform:
    database = Database(database_url)
    try:
        await migrate.upgrade(database)
        await organisations.ensure_reference_organisations(database)
        await organisations.create_organisation(
            database, OPERATOR, code=REQUESTER.code, name=REQUESTER.name, kind=REQUESTER.kind
        )
        collection_id = await open_collection(database, [COUNCIL])
        council = await tokens.create_token(
            database,
            OPERATOR,
            organisation_code=COUNCIL,
            role=Role.COUNCIL_SUBMITTER,
            expires_in_days=1,
        )
        owner = await tokens.create_token(
            database,
            OPERATOR,
            organisation_code=REQUESTER.code,
            role=Role.REQUESTER,
            expires_in_days=1,
        )
    finally:
        await database.dispose()
    return Platform(database_url, collection_id, council.secret, owner.secret)


@contextmanager
def serving(database_url: str) -> Iterator[str]:
    """A real uvicorn server on a free port, in a thread; yields its base URL."""
    port = free_port()
    settings = load_settings(database_url=database_url, max_tokens=20000)
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="error")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@contextmanager
def serving_process(database_url: str, log: Path, **settings: object) -> Iterator[str]:
    """`ldp-graph serve` in a process of its own on a free port; yields its base URL.

    As `served_process`, for callers that do not need the process id.
    """
    with served_process(database_url, log, **settings) as (base_url, _pid):
        yield base_url


@contextmanager
def served_process(database_url: str, log: Path, **settings: object) -> Iterator[tuple[str, int]]:
    """`ldp-graph serve` in a process of its own on a free port; yields its URL and pid.

    `settings` become LDP_* variables of that process (rate_limit_per_token=0 sets
    LDP_RATE_LIMIT_PER_TOKEN=0, say). Its output, one log line per request as in
    production, goes to the file `log`. The process is stopped on the way out.
    """
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LDP_")}
    env |= {f"LDP_{name.upper()}": str(value) for name, value in settings.items()}
    env["LDP_DATABASE_URL"] = database_url
    command = [sys.executable, "-m", "ldp_graph", "serve", "--host", "127.0.0.1"]
    with log.open("ab") as output:
        server = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [*command, "--port", str(port)], env=env, stdout=output, stderr=subprocess.STDOUT
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"the server exited with {server.returncode}; see {log}")
            try:
                if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start within 60 s")
            time.sleep(0.1)
        yield base_url, server.pid
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def sqlite_url(directory: Path, name: str) -> str:
    return f"sqlite+aiosqlite:///{directory / name}"


def run(coroutine):  # type: ignore[no-untyped-def]
    return asyncio.run(coroutine)


# A requester's page of CLAS children: every leaf a child record has, 20 values a record (its
# 7 fields with the code values' labels, 10; record metadata with the council, 9; __typename,
# which Apollo Client adds to every selection), and the 5-field selection that must cost
# proportionally less. The baselines render the same shape (`baseline_node`).
FULL = """
query ($id: ID!, $n: Int!) { collection(id: $id) { clas { child(first: $n) { nodes {
  __typename childId council scn dateOfBirth
  sex { code label } ethnicity { code label } disability { code label }
  meta { key line entity versionNumber submissionId raw council { code name kind } }
} } } } }
"""
FIVE = """
query ($id: ID!, $n: Int!) { collection(id: $id) { clas { child(first: $n) { nodes {
  childId dateOfBirth sex { code } ethnicity { code } disability { code }
} } } } }
"""
FULL_LEAVES = 20
# The baselines' SQL: a collection's child rows with their version, submission and council,
# as FULL reads them (one parameter, the collection id; qmark style, `$1` for asyncpg).
BASELINE_SQL = (
    "SELECT r.key, r.line, r.data, v.number, v.submission_id, o.code, o.name, o.kind "
    "FROM records r JOIN submission_versions v ON v.id = r.version_id "
    "JOIN submissions s ON s.id = v.submission_id "
    "JOIN organisations o ON o.code = s.council_code "
    "WHERE s.collection_id = ? AND r.entity = 'child' ORDER BY r.version_id, r.id"
)
CODE_FIELDS = ("sex", "ethnicity", "disability")


def child_code_labels() -> dict[str, dict[str, str]]:
    """The labels of the child's code fields FULL selects, as the baselines render them."""
    spec = load_registry().get("clas")
    assert spec is not None
    fields = spec.entities["child"].fields
    return {
        name: {c.code: c.label for c in spec.code_lists[fields[name].code_list].codes}  # type: ignore[index]
        for name in CODE_FIELDS
    }


async def timed_upload(base_url: str, platform: Platform, files: list[Path]) -> tuple[int, float]:
    """Upload `files` as the council through the client: (records stored, seconds taken)."""
    async with LdpClient(base_url, platform.council_token) as client:
        started = time.perf_counter()
        result = await client.submit_files(platform.collection_id, files)
        elapsed = time.perf_counter() - started
    return result.version["recordCount"], elapsed


def baseline_node(row: Sequence[Any], labels: dict[str, dict[str, str]]) -> dict[str, object]:
    """A row of BASELINE_SQL in FULL's shape, as a baseline without GraphQL renders it."""
    key, line, data, number, submission, code, name, kind = row
    values = orjson.loads(data)
    return {
        "__typename": "ClasChild",
        "childId": values.get("child_id"),
        "council": values.get("council"),
        "scn": values.get("scn"),
        "dateOfBirth": values.get("date_of_birth"),
        **{
            field: {"code": values.get(field), "label": labels[field].get(values.get(field))}
            for field in CODE_FIELDS
        },
        "meta": {
            "key": key,
            "line": line,
            "entity": "child",
            "versionNumber": number,
            "submissionId": submission,
            "raw": values,
            "council": {"code": code, "name": name, "kind": kind.upper()},
        },
    }


def leaves(value: object) -> int:
    """The leaf values of one node (a JSON scalar such as `raw` counts as one)."""
    if isinstance(value, dict):
        return sum(1 if k == "raw" else leaves(v) for k, v in value.items())
    return 1


def page(
    client: httpx.Client, token: str, collection: str, n: int, query: str = FULL
) -> tuple[float, list[Any]]:
    """One page of `n` children through HTTP GraphQL: (seconds, its nodes, checked to be n)."""
    started = time.perf_counter()
    response = client.post(
        "/graphql",
        json={"query": query, "variables": {"id": collection, "n": n}},
        headers={"Authorization": f"Bearer {token}"},
    )
    elapsed = time.perf_counter() - started
    nodes = response.json()["data"]["collection"]["clas"]["child"]["nodes"]
    assert len(nodes) == n, len(nodes)
    return elapsed, nodes


def timed(client: httpx.Client, token: str, collection: str, n: int, query: str = FULL) -> float:
    """Seconds for one page of `n` children through HTTP GraphQL (checked to hold all n)."""
    return page(client, token, collection, n, query)[0]


def same_shape(graphql_nodes: list[Any], baseline_nodes: list[Any]) -> None:
    """Stop the benchmark unless both sides answer the same nodes, of FULL_LEAVES values each."""
    assert len(graphql_nodes) == len(baseline_nodes), (len(graphql_nodes), len(baseline_nodes))
    if graphql_nodes != baseline_nodes:
        first = next(
            i for i, (a, b) in enumerate(zip(graphql_nodes, baseline_nodes, strict=True)) if a != b
        )
        raise SystemExit(
            f"baseline differs at node {first}: {baseline_nodes[first]} "
            f"against GraphQL's {graphql_nodes[first]}"
        )
    assert leaves(graphql_nodes[0]) == FULL_LEAVES, leaves(graphql_nodes[0])
