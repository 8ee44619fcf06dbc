"""GraphiQL works with the network cut off: headless Chromium runs its preloaded examples.

Councils' networks often block public CDNs. The real server (uvicorn, on a SQLite file of its
own) serves the page; the browser may reach that server and nothing else: name resolution
maps every other host to nowhere, and any request to another host is recorded and aborted
before it leaves. The page's Content-Security-Policy stays on, and any violation fails.

Needs Debian's chromium package (`apt-get install -y chromium`); without it these tests are
reported as skipped, never passed. Playwright drives that system browser; it never
downloads one of its own.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, Route, expect, sync_playwright

from ldp_graph.auth.principal import OPERATOR
from ldp_graph.db import migrate
from ldp_graph.db.engine import Database
from ldp_graph.domain.roles import Role
from ldp_graph.graphiql.examples import EXAMPLES
from ldp_graph.services import organisations, tokens

LOCAL_HOST = "127.0.0.1"
COUNCIL = "S12000036"  # City of Edinburgh
FLAGS = [
    "--no-sandbox",  # the tests run as root in a container
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Every name but the local server's fails to resolve: the network is cut off for the
    # browser itself too, not only for the page's requests that Playwright sees.
    f"--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE {LOCAL_HOST}",
]
# A console line the page writes for each Content-Security-Policy violation (a listener added
# before the page's own scripts run; Playwright's init scripts are not subject to the policy).
CSP_MARK = "csp-violation:"
REPORT_CSP_VIOLATIONS = f"""
document.addEventListener("securitypolicyviolation", (event) => {{
  console.error("{CSP_MARK} " + event.violatedDirective + " " + event.blockedURI);
}});
"""
TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def chromium() -> str:
    """The system browser; without it every test here is skipped, and says so."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip(
        "Chromium is not installed (Debian: apt-get install -y chromium): GraphiQL was NOT"
        " opened in a browser with the network cut off"
    )


@dataclass(frozen=True)
class Server:
    url: str
    council_token: str


async def _prepare(database_url: str) -> str:
    """A migrated SQLite file with the reference organisations; a council submitter's token."""
    database = Database(database_url)
    try:
        await migrate.upgrade(database)
        await organisations.ensure_reference_organisations(database)
        token = await tokens.create_token(
            database,
            OPERATOR,
            organisation_code=COUNCIL,
            role=Role.COUNCIL_SUBMITTER,
            expires_in_days=1,
        )
    finally:
        await database.dispose()
    return token.secret


@pytest.fixture(scope="module")
def server(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The real server, started only when there is a browser to point at it."""
    tmp_path = tmp_path_factory.mktemp("graphiql-server")
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'graphiql.sqlite3'}"
    token = asyncio.run(_prepare(database_url))
    with socket.socket() as probe:
        probe.bind((LOCAL_HOST, 0))
        port = probe.getsockname()[1]
    url = f"http://{LOCAL_HOST}:{port}"
    env = {**os.environ, "LDP_DATABASE_URL": database_url, "LDP_GRAPHIQL": "true"}
    with (tmp_path / "server.log").open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own command
            [sys.executable, "-m", "ldp_graph", "serve", "--host", LOCAL_HOST, "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log_text = (tmp_path / "server.log").read_text(errors="replace")
                raise RuntimeError(f"the server did not start:\n{log_text}")
            time.sleep(0.1)
        yield Server(url, token)
    finally:
        process.terminate()
        process.wait(timeout=30)


@dataclass
class Offline:
    """A page in a browser that reaches only the local server, and what it tried."""

    page: Page
    elsewhere: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.elsewhere == [], "the page tried to reach another host"
        assert self.violations == [], "the page broke its Content-Security-Policy"
        assert self.errors == [], "the page's scripts failed"


def _is_local(url: str) -> bool:
    return url.startswith("data:") or urlsplit(url).hostname == LOCAL_HOST


@pytest.fixture
def offline(chromium: str, tmp_path: Path) -> Iterator[Offline]:
    with sync_playwright() as playwright:
        context: BrowserContext = playwright.chromium.launch_persistent_context(
            tmp_path / "profile",  # a fresh profile: no stored tabs, headers or cache
            executable_path=chromium,
            headless=True,
            args=FLAGS,
        )
        try:
            page = context.pages[0] if context.pages else context.new_page()
            offline = Offline(page)

            def cut_off(route: Route) -> None:
                if _is_local(route.request.url):
                    route.continue_()
                else:
                    offline.elsewhere.append(route.request.url)
                    route.abort("internetdisconnected")

            context.route("**/*", cut_off)
            # WebSockets are not routed: record any that is opened to another host.
            page.on(
                "websocket",
                lambda ws: None if _is_local(ws.url) else offline.elsewhere.append(ws.url),
            )
            page.on(
                "console",
                lambda message: (
                    offline.violations.append(message.text)
                    if message.text.startswith(CSP_MARK)
                    else None
                ),
            )
            page.on("pageerror", lambda error: offline.errors.append(str(error)))
            page.add_init_script(REPORT_CSP_VIOLATIONS)
            page.set_default_timeout(TIMEOUT_MS)
            yield offline
        finally:
            context.close()


def _operation_name(query: str) -> str:
    for line in query.splitlines():
        if line.startswith(("query ", "mutation ", "subscription ")):
            return line.split()[1].split("(")[0]
    raise AssertionError(f"no named operation in {query!r}")


def _open(offline: Offline, server: Server) -> Page:
    page = offline.page
    page.goto(f"{server.url}/graphql")  # returns once the page and its assets have loaded
    assert offline.elsewhere == [], "the page tried to load something from another host"
    expect(page.locator(".graphiql-tab-button")).to_have_text(
        [_operation_name(e.query) for e in EXAMPLES], timeout=TIMEOUT_MS
    )
    return page


def expect_result(page: Page, text: str) -> None:
    expect(page.locator(".result-window")).to_contain_text(text, timeout=TIMEOUT_MS)


def test_graphiql_runs_a_preloaded_query_with_the_network_cut_off(
    server: Server, offline: Offline
) -> None:
    page = _open(offline, server)

    page.locator(".graphiql-execute-button").click()

    expect_result(page, '"code": "S12000036"')
    expect_result(page, '"name": "City of Edinburgh"')
    offline.assert_clean()


def test_graphiql_sends_the_token_pasted_into_the_headers_editor(
    server: Server, offline: Offline
) -> None:
    page = _open(offline, server)
    page.get_by_role("tab", name="CouncilAsksAndReports").click()

    page.locator(".graphiql-execute-button").click()
    expect_result(page, "UNAUTHENTICATED")  # the placeholder is no token

    page.get_by_text("Headers", exact=True).click()
    page.locator(".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror").click()
    page.keyboard.press("Control+A")
    # Inserted as text, not typed key by key, so the editor does not add closing brackets.
    page.keyboard.insert_text(json.dumps({"Authorization": f"Bearer {server.council_token}"}))
    page.locator(".graphiql-execute-button").click()

    expect_result(page, '"role": "COUNCIL_SUBMITTER"')
    expect_result(page, '"name": "City of Edinburgh"')
    offline.assert_clean()
