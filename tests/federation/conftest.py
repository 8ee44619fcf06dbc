"""Real processes for the federation tests: npm packages, ldp-graph, a second subgraph, a gateway.

Everything here needs Node.js and the npm packages pinned in `schema/supergraph/`. When node
or npm is missing, or the npm registry cannot be reached to install the packages, the tests
are skipped with that reason (pytest's `-ra` summary shows it); they are never passed without
running. Other npm failures fail the tests.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from ldp_graph.auth.principal import OPERATOR
from ldp_graph.db.engine import Database
from ldp_graph.domain.roles import Role
from ldp_graph.services import organisations, tokens
from tests.conftest import empty_tables
from tests.live_server import free_port
from tests.node_tools import npm_ci, require_node

SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph"
# Written after a successful `npm ci`: the lock file's hash, so a changed lock reinstalls.
STAMP = ".ldp-graph-lock-sha256"


@pytest.fixture(scope="session")
def node() -> str:
    return require_node("the federation tests")


@pytest.fixture(scope="session")
def supergraph_packages(node: str) -> Path:
    """schema/supergraph/node_modules installed from the committed lock file (kept between runs)."""
    lock = hashlib.sha256((SUPERGRAPH / "package-lock.json").read_bytes()).hexdigest()
    stamp = SUPERGRAPH / "node_modules" / STAMP
    if stamp.exists() and stamp.read_text() == lock:
        return SUPERGRAPH
    npm_ci(SUPERGRAPH)
    stamp.write_text(lock)
    return SUPERGRAPH


class Process:
    """A child process whose output goes to a log file, shown when it fails to start."""

    def __init__(self, name: str, command: list[str], log: Path, env: dict[str, str]) -> None:
        self.name = name
        self.log = log
        self._output = log.open("wb")
        self.popen = subprocess.Popen(  # noqa: S603 - our own commands
            command, env=env, stdout=self._output, stderr=subprocess.STDOUT, cwd=SUPERGRAPH
        )

    def wait_until(self, ready: str, payload: dict[str, str] | None = None) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                self.stop()
                pytest.fail(f"{self.name} exited with {self.popen.returncode}:\n{self.output()}")
            try:
                response = (
                    httpx.post(ready, json=payload, timeout=2)
                    if payload
                    else httpx.get(ready, timeout=2)
                )
                if response.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        pytest.fail(f"{self.name} was not ready within 60 s:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self._output.close()


@dataclass(frozen=True)
class Supergraph:
    gateway: str
    ldp_graph: str
    indicators: str
    council_token: str


async def _seed(url: str) -> str:
    """Reference organisations only, and one council token; returns the token."""
    database = Database(url)
    try:
        await empty_tables(database)
        await organisations.ensure_reference_organisations(database)
        token = await tokens.create_token(
            database,
            OPERATOR,
            organisation_code="S12000036",
            role=Role.COUNCIL_SUBMITTER,
            expires_in_days=1,
        )
    finally:
        await database.dispose()
    return token.secret


@pytest.fixture(scope="module")
def supergraph(
    supergraph_packages: Path,
    node: str,
    migrated_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Supergraph]:
    """ldp-graph (on the test database), the indicators subgraph and Apollo Gateway, running."""
    council_token = asyncio.run(_seed(migrated_url))
    logs = tmp_path_factory.mktemp("supergraph")
    env = {**os.environ, "LDP_DATABASE_URL": migrated_url}
    ports = {name: free_port() for name in ("ldp-graph", "indicators", "gateway")}
    ldp_graph = f"http://127.0.0.1:{ports['ldp-graph']}"
    indicators = f"http://127.0.0.1:{ports['indicators']}/graphql"
    gateway = f"http://127.0.0.1:{ports['gateway']}/graphql"
    started: list[Process] = []
    try:
        started.append(
            Process(
                "ldp-graph",
                [sys.executable, "-m", "ldp_graph", "serve", "--port", str(ports["ldp-graph"])],
                logs / "ldp-graph.log",
                env,
            )
        )
        started[-1].wait_until(f"{ldp_graph}/readyz")
        started.append(
            Process(
                "indicators",
                [node, "indicators/server.mjs", "--port", str(ports["indicators"])],
                logs / "indicators.log",
                env,
            )
        )
        started[-1].wait_until(indicators, {"query": "{ __typename }"})
        # The gateway composes from both subgraphs' live `_service { sdl }` as it starts.
        started.append(
            Process(
                "gateway",
                [
                    node,
                    "gateway.mjs",
                    "--port",
                    str(ports["gateway"]),
                    "--subgraph",
                    f"ldp-graph={ldp_graph}/graphql",
                    "--subgraph",
                    f"indicators={indicators}",
                    "--expose-query-plan",
                ],
                logs / "gateway.log",
                env,
            )
        )
        started[-1].wait_until(gateway, {"query": "{ __typename }"})
        yield Supergraph(gateway, f"{ldp_graph}/graphql", indicators, council_token)
    finally:
        for process in reversed(started):
            process.stop()
