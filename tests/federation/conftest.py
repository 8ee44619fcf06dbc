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
import re
import shutil
import socket
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

SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph"
MINIMUM_NODE = 20
# npm's messages when it cannot reach the registry at all (DNS, refused, timed out, offline).
UNREACHABLE = re.compile(
    r"ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|ENOTCACHED|offline"
)
# Written after a successful `npm ci`: the lock file's hash, so a changed lock reinstalls.
STAMP = ".ldp-graph-lock-sha256"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def node() -> str:
    found = shutil.which("node")
    if found is None or shutil.which("npm") is None:
        pytest.skip("node or npm is not on PATH: the federation tests need Node.js >= 20 and npm")
    version = subprocess.run(  # noqa: S603 - the node found on PATH
        [found, "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    if int(version.lstrip("v").split(".")[0]) < MINIMUM_NODE:
        pytest.skip(f"node {version} is too old: the federation tests need Node.js >= 20")
    return found


@pytest.fixture(scope="session")
def supergraph_packages(node: str) -> Path:
    """schema/supergraph/node_modules installed from the committed lock file (kept between runs)."""
    lock = hashlib.sha256((SUPERGRAPH / "package-lock.json").read_bytes()).hexdigest()
    stamp = SUPERGRAPH / "node_modules" / STAMP
    if stamp.exists() and stamp.read_text() == lock:
        return SUPERGRAPH
    npm = shutil.which("npm")
    assert npm is not None
    # --ignore-scripts: nothing these packages need runs at install time.
    result = subprocess.run(  # noqa: S603 - npm with fixed arguments
        [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=SUPERGRAPH,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        output = result.stdout + result.stderr
        unreachable = [line for line in output.splitlines() if UNREACHABLE.search(line)]
        if unreachable:
            pytest.skip(f"npm ci could not reach the npm registry: {unreachable[0].strip()}")
        pytest.fail(f"npm ci failed in schema/supergraph:\n{output}")
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
