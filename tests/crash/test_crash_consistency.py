"""Crash consistency: SIGKILL the real server mid-upload or mid-store, restart, and check.

Acknowledged means durable and unacknowledged means absent: after every kill the SQLite file
passes its integrity check, holds no partial version (a stored version has all its records),
and a retry with the same idempotency key stores exactly one version.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from ldp_graph.auth.principal import OPERATOR, Principal
from ldp_graph.db import migrate
from ldp_graph.db.engine import Database
from ldp_graph.domain.organisations import Organisation, OrganisationKind
from ldp_graph.domain.roles import Role
from ldp_graph.services import collections, organisations, tokens
from ldp_graph.specs.registry import load_registry
from ldp_graph.synthetic import generate
from ldp_graph.synthetic.writer import write_csv
from tests.api.flow import collection_input

SUBMIT = """
mutation ($input: SubmitReturnInput!) {
  submitReturn(input: $input) { version { id recordCount } errors { __typename message } }
}
"""
KEY = "crash-test-upload"


@pytest.fixture
def crash_db(tmp_path: Path) -> str:
    if os.environ.get("LDP_TEST_DATABASE_URL", "").startswith("postgresql"):
        pytest.skip("the crash test kills a server on its embedded SQLite file")
    return f"sqlite+aiosqlite:///{tmp_path / 'crash.sqlite3'}"


async def _prepare(url: str, tmp_path: Path) -> dict[str, Any]:
    database = Database(url)
    try:
        await migrate.upgrade(database)
        await organisations.ensure_reference_organisations(database)
        await organisations.create_organisation(
            database, OPERATOR, code="SG-CSWS", name="Requester", kind=OrganisationKind.REQUESTER
        )
        requester = Principal(
            organisation=Organisation("SG-CSWS", "Requester", OrganisationKind.REQUESTER),
            role=Role.REQUESTER,
        )
        values = collection_input(councilCodes=["S12000036"])
        collection = await collections.create_collection(
            database,
            load_registry(),
            requester,
            collections.CollectionDraft(
                spec_id="clas",
                spec_version=None,
                title=values["title"],
                council_codes=values["councilCodes"],
                opens_on=dt.date.fromisoformat(values["opensOn"]),
                due_on=dt.date.fromisoformat(values["dueOn"]),
                purpose=values["purpose"],
                legal_basis=values["legalBasis"],
            ),
        )
        token = await tokens.create_token(
            database,
            OPERATOR,
            organisation_code="S12000036",
            role=Role.COUNCIL_SUBMITTER,
            expires_in_days=1,
        )
    finally:
        await database.dispose()
    spec = load_registry().get("clas")
    assert spec is not None
    (generated,) = generate(
        spec, councils=["S12000036"], children_per_council=8000, error_rate=0.02, seed=3
    )
    files = write_csv(generated, spec, tmp_path / "export")
    return {"collection": collection.id, "token": token.secret, "files": files}


class Server:
    def __init__(self, url: str) -> None:
        self.url = url
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {**os.environ, "LDP_DATABASE_URL": self.url}
        self.process = subprocess.Popen(  # noqa: S603 - our own command
            [sys.executable, "-m", "ldp_graph", "serve", "--port", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("the server did not start")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _multipart(story: dict[str, Any]) -> tuple[bytes, str]:
    files: list[Path] = story["files"]
    operations = {
        "query": SUBMIT,
        "variables": {
            "input": {
                "collectionId": story["collection"],
                "files": [None] * len(files),
                "idempotencyKey": KEY,
            }
        },
    }
    request = httpx.Request(
        "POST",
        "http://x/graphql",
        data={
            "operations": json.dumps(operations),
            "map": json.dumps({str(i): [f"variables.input.files.{i}"] for i in range(len(files))}),
        },
        files={str(i): (p.name, p.read_bytes(), "text/csv") for i, p in enumerate(files)},
    )
    return request.read(), request.headers["content-type"]


async def _upload(server: Server, story: dict[str, Any], slow: bool) -> dict[str, Any] | None:
    body, content_type = _multipart(story)

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 64 * 1024):
            yield body[start : start + 64 * 1024]
            if slow:
                await asyncio.sleep(0.02)

    headers = {
        "Authorization": f"Bearer {story['token']}",
        "GraphQL-Require-Preflight": "1",
        "content-type": content_type,
    }
    try:
        async with httpx.AsyncClient(timeout=60) as client:
            response = await client.post(
                f"{server.base}/graphql", content=chunks(), headers=headers
            )
        return response.json()["data"]["submitReturn"]
    except httpx.HTTPError:
        return None  # the server died under us: never acknowledged


async def _state(url: str) -> tuple[str, list[tuple[int, int]]]:
    database = Database(url)
    try:
        async with database.connect() as conn:
            check = (await conn.execute(sa.text("PRAGMA integrity_check"))).scalar_one()
            rows = await conn.execute(
                sa.text(
                    "SELECT v.record_count, "
                    "(SELECT count(*) FROM records r WHERE r.version_id = v.id) "
                    "FROM submission_versions v"
                )
            )
            return check, [tuple(r) for r in rows]
    finally:
        await database.dispose()


@pytest.mark.parametrize(("slow", "kill_after"), [(True, 0.3), (False, 0.5), (False, 1.2)])
async def test_a_killed_server_leaves_no_partial_version_and_the_retry_lands_once(
    crash_db: str, tmp_path: Path, slow: bool, kill_after: float
) -> None:
    story = await _prepare(crash_db, tmp_path)
    server = Server(crash_db)
    server.start()
    try:
        upload = asyncio.create_task(_upload(server, story, slow))
        await asyncio.sleep(kill_after)
        server.kill()
        acknowledged = await upload

        check, versions = await _state(crash_db)
        assert check == "ok"
        assert all(declared == stored for declared, stored in versions)  # nothing partial
        if acknowledged is None:
            assert len(versions) <= 1  # it may have committed just before the kill

        server.start()
        retried = await _upload(server, story, slow=False)
        assert retried is not None
        assert retried["errors"] == []
        check, versions = await _state(crash_db)
        assert check == "ok"
        assert len(versions) == 1
        assert versions[0][0] == versions[0][1] == retried["version"]["recordCount"]
    finally:
        if server.process is not None and server.process.poll() is None:
            server.kill()
