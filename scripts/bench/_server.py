"""Shared set-up for the benchmarks: a migrated SQLite file, a collection, a live server."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from ldp_graph.app import create_app
from ldp_graph.auth.principal import OPERATOR, Principal
from ldp_graph.config import load_settings
from ldp_graph.db import migrate
from ldp_graph.db.engine import Database
from ldp_graph.domain.organisations import Organisation, OrganisationKind
from ldp_graph.domain.roles import Role
from ldp_graph.services import collections, organisations, tokens
from ldp_graph.specs.registry import load_registry

COUNCIL = "S12000036"


@dataclass(frozen=True)
class Platform:
    url: str
    collection_id: str
    council_token: str
    requester_token: str


async def prepare(database_url: str) -> Platform:
    database = Database(database_url)
    try:
        await migrate.upgrade(database)
        await organisations.ensure_reference_organisations(database)
        requester = Organisation("SG-CSWS", "Requester", OrganisationKind.REQUESTER)
        await organisations.create_organisation(
            database, OPERATOR, code=requester.code, name=requester.name, kind=requester.kind
        )
        today = dt.date.today()
        collection = await collections.create_collection(
            database,
            load_registry(),
            Principal(organisation=requester, role=Role.REQUESTER),
            collections.CollectionDraft(
                spec_id="clas",
                spec_version=None,
                title="bench",
                council_codes=[COUNCIL],
                opens_on=today - dt.timedelta(days=1),
                due_on=today + dt.timedelta(days=30),
                purpose="benchmark",
                legal_basis="benchmark",
            ),
        )
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
            organisation_code=requester.code,
            role=Role.REQUESTER,
            expires_in_days=1,
        )
    finally:
        await database.dispose()
    return Platform(database_url, collection.id, council.secret, owner.secret)


@contextmanager
def serving(database_url: str) -> Iterator[str]:
    """A real uvicorn server on a free port, in a thread; yields its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
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


def sqlite_url(directory: Path, name: str) -> str:
    return f"sqlite+aiosqlite:///{directory / name}"


def run(coroutine):  # type: ignore[no-untyped-def]
    return asyncio.run(coroutine)
