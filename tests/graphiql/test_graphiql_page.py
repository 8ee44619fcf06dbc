"""The GraphiQL page loads only what this server ships, under a strict policy, with real examples.

Councils' networks often block public CDNs; `test_graphiql_offline.py` opens the page in a
browser with the network cut off. These tests need no browser.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import httpx
from graphql import parse, validate

from ldp_graph.app import create_app
from ldp_graph.config import Settings
from ldp_graph.graphiql.examples import EXAMPLES
from ldp_graph.graphiql.page import ASSETS_DIRECTORY, ASSETS_PATH
from ldp_graph.graphql.schema import build_schema
from tests.conftest import Api

HTML = {"accept": "text/html"}
JAVASCRIPT_TYPES = ("text/javascript", "application/javascript")


class _Page(HTMLParser):
    """The URLs a page makes the browser load, its inline scripts and its GraphiQL container."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str | None] = []
        self.inline_scripts: list[str] = []
        self.links: list[tuple[str | None, str | None]] = []
        self.container: dict[str, str | None] = {}
        self.style_elements = 0
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script":
            self.scripts.append(values.get("src"))
            self._in_script = True
        elif tag == "link":
            self.links.append((values.get("rel"), values.get("href")))
        elif tag == "style":
            self.style_elements += 1
        elif values.get("id") == "graphiql":
            self.container = values
        if tag not in {"script", "link"}:
            for name, value in attrs:
                if name in {"src", "href", "srcset", "action", "style"}:
                    raise AssertionError(f"<{tag} {name}={value!r}> loads or styles by itself")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts.append(data)


async def _page(api: Api) -> tuple[httpx.Response, _Page]:
    response = await api.client.get("/graphql", headers=HTML)
    assert response.status_code == 200
    parsed = _Page()
    parsed.feed(response.text)
    return response, parsed


async def test_graphiql_page_loads_only_assets_served_by_this_server(api: Api) -> None:
    response, page = await _page(api)

    stylesheets = [href for rel, href in page.links if rel == "stylesheet"]
    icons = [href for rel, href in page.links if rel == "icon"]
    assert response.headers["content-type"].startswith("text/html")
    assert page.scripts == [
        f"{ASSETS_PATH}/react.production.min.js",
        f"{ASSETS_PATH}/react-dom.production.min.js",
        f"{ASSETS_PATH}/graphiql.min.js",
        f"{ASSETS_PATH}/ldp-graphiql.js",
    ]
    assert stylesheets == [f"{ASSETS_PATH}/graphiql.min.css", f"{ASSETS_PATH}/ldp-graphiql.css"]
    assert icons == ["data:,"]  # else the browser asks for /favicon.ico
    assert page.inline_scripts == []
    assert page.style_elements == 0


async def test_graphiql_assets_are_served_with_their_content_types(api: Api) -> None:
    _, page = await _page(api)
    stylesheets = [href for rel, href in page.links if rel == "stylesheet"]

    for url in [*page.scripts, *stylesheets]:
        assert url is not None
        response = await api.client.get(url)
        expected = JAVASCRIPT_TYPES if url.endswith(".js") else ("text/css",)

        assert response.status_code == 200, url
        assert response.headers["content-type"].startswith(expected), url
        assert response.headers["x-content-type-options"] == "nosniff"  # so the type must be right
        assert response.headers["cache-control"] == "no-cache", url  # revalidated by ETag
        assert response.content == (ASSETS_DIRECTORY / url.rsplit("/", 1)[1]).read_bytes()


async def test_graphiql_page_policy_allows_only_this_origin_and_no_inline_script(
    api: Api,
) -> None:
    response, _ = await _page(api)
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response.headers["content-security-policy"].split(";")
    )

    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["connect-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe" not in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"


async def test_graphiql_page_preloads_every_example_tab(api: Api) -> None:
    _, page = await _page(api)

    assert page.container["data-endpoint"] == "/graphql"
    assert json.loads(page.container["data-tabs"] or "") == [e.tab() for e in EXAMPLES]


def test_every_example_operation_is_valid_against_the_schema(settings: Settings) -> None:
    schema = build_schema(settings)._schema

    for example in EXAMPLES:
        document = parse(example.query)
        errors = validate(schema, document)
        tab = example.tab()

        assert errors == [], (example.query, errors)
        for text in (tab.get("variables"), tab.get("headers")):
            assert text is None or isinstance(json.loads(text), dict)


def test_examples_cover_every_role_with_a_named_operation() -> None:
    names = [re.search(r"^(query|mutation|subscription) (\w+)", e.query, re.M) for e in EXAMPLES]

    assert all(names), "every tab is titled by its operation's name"
    assert {e.role for e in EXAMPLES} >= {
        "anyone",
        "end user or anonymous",
        "council submitter",
        "requester",
    }
    # The first tab runs as loaded: the page fetches the schema with its headers.
    assert "headers" not in EXAMPLES[0].tab()
    assert all(
        "Authorization" in json.loads(e.tab()["headers"]) for e in EXAMPLES if e.signed_in_as
    )


def test_vendored_assets_match_their_recorded_checksums() -> None:
    recorded = {}
    for line in (ASSETS_DIRECTORY / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split()
        recorded[name] = digest

    assert set(recorded) == {
        "graphiql.min.js",
        "graphiql.min.css",
        "react.production.min.js",
        "react-dom.production.min.js",
    }
    for name, digest in recorded.items():
        actual = hashlib.sha256((ASSETS_DIRECTORY / name).read_bytes()).hexdigest()
        assert actual == digest, f"{name} differs from scripts/vendor_graphiql's copy"
    for licence in ("LICENSE.graphiql", "LICENSE.react", "LICENSE.react-dom"):
        assert "Permission is hereby granted" in (ASSETS_DIRECTORY / licence).read_text()


def test_graphiql_stylesheet_loads_nothing_from_elsewhere() -> None:
    css = (ASSETS_DIRECTORY / "graphiql.min.css").read_text(encoding="utf-8")
    urls = re.findall(r"url\(\s*['\"]?([^'\")]*)", css)

    assert "@import" not in css
    assert urls, "GraphiQL's fonts are inlined"
    assert all(url.startswith("data:") for url in urls)


async def test_graphiql_off_serves_neither_page_nor_assets(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"graphiql": False}))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        page = await client.get("/graphql", headers=HTML)
        asset = await client.get(f"{ASSETS_PATH}/graphiql.min.js")

    assert not page.headers.get("content-type", "").startswith("text/html")
    assert asset.status_code == 404


def test_wheel_ships_the_graphiql_page_and_its_assets(repo_root: Path, tmp_path: Path) -> None:
    # hatchling comes with the dev extras, so no build environment is fetched.
    subprocess.run(  # noqa: S603 - pip building our own source tree
        [
            sys.executable,
            *("-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation"),
            *("--wheel-dir", str(tmp_path), str(repo_root)),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("ldp_graph-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        shipped = set(archive.namelist())

    for path in sorted(ASSETS_DIRECTORY.iterdir()):
        assert f"ldp_graph/graphiql/assets/{path.name}" in shipped
    assert "ldp_graph/graphiql/page.py" in shipped
