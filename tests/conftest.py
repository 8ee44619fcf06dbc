"""Test harness: every test runs against a freshly reset database, SQLite by default.

Set LDP_TEST_DATABASE_URL (scripts/test does, for its PostgreSQL pass) to run the same
suite on another database. The schema is migrated once per session; each test then
empties the tables and re-seeds the reference organisations.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy import event
from starlette.applications import Starlette

from ldp_graph import logs
from ldp_graph.app import create_app
from ldp_graph.auth.principal import OPERATOR
from ldp_graph.config import Settings, load_settings
from ldp_graph.db import migrate
from ldp_graph.db.engine import Database
from ldp_graph.db.tables import metadata
from ldp_graph.domain.roles import Role
from ldp_graph.services import organisations, tokens


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    configured = os.environ.get("LDP_TEST_DATABASE_URL")
    if configured:
        return configured
    return f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


async def _reset_schema(url: str) -> None:
    database = Database(url)
    try:
        if not database.is_sqlite:
            async with database.engine.begin() as conn:
                await conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                await conn.execute(sa.text("CREATE SCHEMA public"))
        await migrate.upgrade(database)
    finally:
        await database.dispose()


@pytest.fixture(scope="session")
def migrated_url(database_url: str) -> str:
    asyncio.run(_reset_schema(database_url))
    return database_url


async def empty_tables(database: Database) -> None:
    async with database.transaction() as session:
        for table in reversed(metadata.sorted_tables):
            await session.execute(table.delete())


@pytest.fixture
async def database(migrated_url: str) -> AsyncIterator[Database]:
    database = Database(migrated_url)
    await empty_tables(database)
    await organisations.ensure_reference_organisations(database)
    yield database
    await database.dispose()


@pytest.fixture
def settings(migrated_url: str) -> Settings:
    return load_settings(database_url=migrated_url)


@dataclass
class Api:
    """The real HTTP app, driven in-process through httpx's ASGI transport."""

    client: httpx.AsyncClient
    database: Database
    app: Starlette

    @contextmanager
    def count_statements(self) -> Iterator[list[str]]:
        """Collect the SQL statements the app's own engine runs inside the block."""
        statements: list[str] = []
        engine = self.app.state.database.engine.sync_engine

        def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            if not statement.startswith("BEGIN"):  # SQLite's explicit BEGIN is no query
                statements.append(statement)

        event.listen(engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", record)

    async def post(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )

    async def graphql(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        """Run an operation that must succeed; return its `data`."""
        response = await self.post(query, variables, token)
        body = response.json()
        assert response.status_code == 200, body
        assert "errors" not in body, body["errors"]
        return body["data"]

    async def token(self, organisation_code: str, role: Role) -> str:
        issued = await tokens.create_token(
            self.database,
            OPERATOR,
            organisation_code=organisation_code,
            role=role,
            expires_in_days=1,
        )
        return issued.secret


@pytest.fixture
async def api(database: Database, settings: Settings) -> AsyncIterator[Api]:
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client,
    ):
        yield Api(client=client, database=database, app=app)


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


@dataclass
class CapturedLogs:
    """What the process logged, as the production JSON handler wrote it."""

    stream: io.StringIO

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text.splitlines()]

    def of(self, logger: str) -> list[dict[str, Any]]:
        return [line for line in self.lines() if line["logger"] == logger]


@pytest.fixture
def json_logs() -> Iterator[CapturedLogs]:
    """Every INFO-or-higher record logged during the test, through `logs.handler("json")`."""
    stream = io.StringIO()
    handler = logs.handler("json", stream)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield CapturedLogs(stream)
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
