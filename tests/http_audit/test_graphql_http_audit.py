"""graphql-http's conformance audits (GraphQL over HTTP) against a real ldp-graph server.

audit.cjs runs every audit of `serverAudits` (the npm package graphql-http, pinned in
package.json and package-lock.json here) against uvicorn serving the test database. Every
MUST and SHOULD audit must pass; MAY audits are reported in the test's output.

The package is installed once into a cache directory outside the repository
(`$LDP_NPM_CACHE_DIR`, else `$XDG_CACHE_HOME/ldp-graph` or `~/.cache/ldp-graph`), keyed by the
lock file's hash. Without node or npm, or when the npm registry cannot be reached, the test is
skipped with that reason (pytest's `-ra` summary shows it); it is never passed without running.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from ldp_graph.app import create_app
from ldp_graph.config import Settings
from ldp_graph.db.engine import Database
from tests.live_server import serving
from tests.node_tools import npm_ci, require_node

pytestmark = pytest.mark.node

HERE = Path(__file__).resolve().parent
PINNED = ("package.json", "package-lock.json")
STAMP = ".ldp-graph-installed"


@pytest.fixture(scope="module")
def node() -> str:
    return require_node("graphql-http's GraphQL-over-HTTP audits")


def _cache_root() -> Path:
    configured = os.environ.get("LDP_NPM_CACHE_DIR")
    if configured:
        return Path(configured)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "ldp-graph"


@pytest.fixture(scope="module")
def node_modules(node: str) -> Path:
    """graphql-http installed from the committed lock, in a cache kept between runs."""
    lock = hashlib.sha256((HERE / "package-lock.json").read_bytes()).hexdigest()
    target = _cache_root() / f"http-audit-{lock[:16]}"
    # Written only after `npm ci` succeeded: an interrupted install is redone, not trusted.
    stamp = target / "node_modules" / STAMP
    if stamp.exists():
        return target / "node_modules"
    target.mkdir(parents=True, exist_ok=True)
    for name in PINNED:
        shutil.copyfile(HERE / name, target / name)
    npm_ci(target)
    stamp.write_text(lock)
    return target / "node_modules"


@pytest.fixture
def server(database: Database, settings: Settings) -> Iterator[str]:
    """uvicorn on a free port, serving the (emptied, reference-seeded) test database."""
    with serving(create_app(settings)) as url:
        yield f"{url}/graphql"


def _run_audits(node: str, node_modules: Path, url: str) -> list[dict[str, str]]:
    result = subprocess.run(  # noqa: S603 - our own script
        [node, str(HERE / "audit.cjs"), url],
        env={**os.environ, "NODE_PATH": str(node_modules)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _line(result: dict[str, str]) -> str:
    reason = f": {result['reason']}" if result["status"] != "ok" else ""
    return f"{result['status']:>6} {result['id']} {result['name']}{reason}"


async def test_every_must_and_should_audit_of_graphql_http_passes(
    node: str, node_modules: Path, server: str
) -> None:
    # The server runs on a thread of its own; the audit is a blocking child process.
    results = await asyncio.to_thread(_run_audits, node, node_modules, server)

    assert len(results) > 40  # the whole suite ran, not an empty or truncated list
    for level in ("MUST", "SHOULD", "MAY"):
        of_level = [r for r in results if r["name"].startswith(level)]
        passed = sum(r["status"] == "ok" for r in of_level)
        print(f"{level}: {passed}/{len(of_level)} passed")
    for result in results:
        print(_line(result))
    failed = [r for r in results if r["status"] != "ok" and not r["name"].startswith("MAY")]
    assert not failed, "\n".join(map(_line, failed))
