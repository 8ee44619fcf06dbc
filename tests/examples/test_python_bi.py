"""The documented BI example works: gql pulls a collection's children page by page."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

try:  # gql uses httpx2 where it is installed, httpx otherwise: hand it the same package's
    import httpx2 as client_http  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover
    import httpx as client_http

from tests.api import flow
from tests.conftest import Api


def _example(repo_root: Path) -> ModuleType:
    path = repo_root / "examples" / "python_bi" / "pull_children.py"
    spec = importlib.util.spec_from_file_location("pull_children", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_the_bi_example_pulls_every_readable_child_across_pages(
    api: Api, repo_root: Path
) -> None:
    owner = await flow.requester_token(api)
    collection = await flow.create_collection(api, owner)
    for code in ("S12000036", "S12000033"):
        token = await flow.council_token(api, code)
        await flow.submit(api, token, collection["id"], flow.children(600, code))
    example = _example(repo_root)

    rows = await example.pull_children(
        "http://testserver",
        owner,
        collection["id"],
        transport=client_http.ASGITransport(app=api.app),
    )

    assert len(rows) == 1200  # two pages of up to 1000
    assert {r["council"] for r in rows} == {"S12000036", "S12000033"}
    assert {r["sex"] for r in rows} == {"Female", "Male"}
