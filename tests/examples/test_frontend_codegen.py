"""The documented frontend example works: codegen, `tsc --noEmit`, and its manifest runs.

GraphQL Code Generator reads schema/schema.graphql and examples/frontend/src/operations/,
`tsc` proves the typed client and pages line up with the generated types, and every operation
of the generated persisted-documents manifest then runs, by hash, against the API in
allow-list mode. Needs Node and npm (and the npm registry the first time, for `npm ci`);
without them the test skips and says which was missing.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from ldp_graph.app import create_app
from ldp_graph.config import Settings, load_settings
from tests.api import flow
from tests.conftest import Api

NETWORK_FAILURES = ("ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "ECONNREFUSED", "ECONNRESET", "network")
COUNCIL = "S12000036"


def _run(command: list[str], cwd: Path, timeout: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - a fixed npm command line, no user input
        command, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )


def _installed_matches_lock(frontend: Path) -> bool:
    """node_modules holds exactly the locked versions (npm's hidden lockfile says which)."""
    hidden = frontend / "node_modules" / ".package-lock.json"
    if not hidden.exists():
        return False

    def versions(path: Path) -> dict[str, str | None]:
        packages = json.loads(path.read_text(encoding="utf-8")).get("packages", {})
        return {name: entry.get("version") for name, entry in packages.items() if name}

    return versions(hidden) == versions(frontend / "package-lock.json")


@pytest.fixture(scope="module")
def generated(request: pytest.FixtureRequest) -> tuple[Path, dict[str, str]]:
    """Install (once), generate and type-check the example; return its manifest and content."""
    frontend = Path(request.config.rootpath) / "examples" / "frontend"
    npm = shutil.which("npm")
    if shutil.which("node") is None or npm is None:
        pytest.skip("Node.js and npm are not installed: the frontend example cannot be built")
    if not _installed_matches_lock(frontend):
        installed = _run([npm, "ci", "--no-audit", "--no-fund"], frontend, timeout=600)
        if installed.returncode != 0:
            output = installed.stdout + installed.stderr
            if any(failure in output for failure in NETWORK_FAILURES):
                pytest.skip(f"the npm registry is unreachable, so `npm ci` failed:\n{output}")
            pytest.fail(f"npm ci failed:\n{output}")
    for script in ("codegen", "typecheck"):
        ran = _run([npm, "run", "--silent", script], frontend, timeout=300)
        assert ran.returncode == 0, f"npm run {script} failed:\n{ran.stdout}{ran.stderr}"
    manifest = frontend / "src" / "gql" / "persisted-documents.json"
    return manifest, json.loads(manifest.read_text(encoding="utf-8"))


def _operation_name(document: str) -> str:
    match = re.match(r"\s*(?:query|mutation|subscription)\s+(\w+)", document)
    assert match, f"every frontend operation needs a name: {document[:60]}"
    return match.group(1)


async def _data_for_every_operation(api: Api) -> dict[str, tuple[str, dict[str, Any]]]:
    """Per operation name: the token a frontend user would hold, and its variables."""
    owner = await flow.requester_token(api)
    collection = await flow.create_collection(api, owner)
    council = await flow.council_token(api, COUNCIL)
    submitted = await flow.submit(api, council, collection["id"], flow.children(30, COUNCIL))
    return {
        "CouncilCalendar": (council, {"council": COUNCIL}),
        "SubmissionReport": (council, {"id": submitted["submission"]["id"]}),
        "ChildrenPage": (
            owner,
            {"collectionId": collection["id"], "where": {"sex": {"label": "Female"}}, "first": 10},
        ),
    }


CHECKS: dict[str, Callable[[dict[str, Any]], bool]] = {
    "CouncilCalendar": lambda data: any(
        entry["council"]["code"] == COUNCIL for entry in data["calendar"]
    ),
    "SubmissionReport": lambda data: data["submission"]["currentVersion"]["report"]["valid"],
    "ChildrenPage": lambda data: (
        bool(data["collection"]["clas"]["child"]["nodes"])
        and {n["sex"]["label"] for n in data["collection"]["clas"]["child"]["nodes"]} == {"Female"}
    ),
}


async def test_the_frontend_manifest_runs_every_operation_in_allowlist_mode(
    api: Api, settings: Settings, generated: tuple[Path, dict[str, str]]
) -> None:
    manifest, documents = generated
    cases = await _data_for_every_operation(api)
    names = {_operation_name(document): digest for digest, document in documents.items()}
    assert set(names) == set(cases), "give each new frontend operation a case in this test"
    app = create_app(
        load_settings(
            database_url=settings.database_url,
            persisted_queries="allowlist",
            operation_allowlist=str(manifest),
        )
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        for name, digest in names.items():
            token, variables = cases[name]
            response = await client.post(
                "/graphql",
                json={
                    "variables": variables,
                    "extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}},
                },
                headers={"Authorization": f"Bearer {token}"},
            )
            body = response.json()

            assert response.status_code == 200, (name, body)
            assert "errors" not in body, (name, body["errors"])
            assert CHECKS[name](body["data"]), (name, body["data"])
