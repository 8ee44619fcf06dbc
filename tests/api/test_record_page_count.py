"""A record page counts its matching records only when totalCount is selected.

The count is a statement of its own over every matching record, so a page that does not
ask for it goes without; whichever way totalCount is selected (alias, fragment, inline
fragment, directives), it is counted and exact.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.api import flow
from tests.conftest import Api

PAGE = """
query ($id: ID! %s) { collection(id: $id) { clas {
  child(first: 2, where: {sex: {eq: "F"}}) { %s nodes { childId } }
} } }
"""
FRAGMENT = "fragment Total on ClasChildConnection { totalCount }"

SELECTIONS = {
    "plain": "totalCount",
    "alias": "n: totalCount",
    "fragment": "...Total",
    "inline fragment": "... on ClasChildConnection { totalCount }",
    "untyped inline fragment": "... { totalCount }",
    "included": "totalCount @include(if: $yes)",
    "not skipped": "totalCount @skip(if: $no)",
    "under an included fragment": "... @include(if: $yes) { ...Total }",
}


@pytest.fixture
async def returns(api: Api) -> dict[str, Any]:
    return await flow.every_council_submits(api)


async def _page(api: Api, returns: dict[str, Any], selection: str) -> dict[str, Any]:
    """The page with `selection` beside its nodes (a document declares only what it uses)."""
    variables: dict[str, Any] = {"id": returns["collection"]["id"]}
    declared = ""
    for name, value in (("yes", True), ("no", False)):
        if f"${name}" in selection:
            variables[name] = value
            declared += f", ${name}: Boolean!"
    document = PAGE % (declared, selection)
    if "...Total" in selection:
        document += FRAGMENT
    data = await api.graphql(document, variables, returns["owner"])
    return data["collection"]["clas"]["child"]


@pytest.mark.parametrize("selection", SELECTIONS)
async def test_a_selected_total_is_counted_however_it_is_selected(
    api: Api, returns: dict[str, Any], selection: str
) -> None:
    every = await api.graphql(
        "query ($id: ID!) { collection(id: $id) { clas {"
        ' child(first: 1000, where: {sex: {eq: "F"}}) { nodes { childId } } } } }',
        {"id": returns["collection"]["id"]},
        returns["owner"],
    )
    expected = len(every["collection"]["clas"]["child"]["nodes"])

    page = await _page(api, returns, SELECTIONS[selection])

    assert expected > 2
    assert len(page["nodes"]) == 2
    assert page.get("totalCount", page.get("n")) == expected


async def test_a_page_without_its_total_runs_no_count(api: Api, returns: dict[str, Any]) -> None:
    await _page(api, returns, "")  # the organisations are read once and kept
    with api.count_statements() as counted:
        await _page(api, returns, "totalCount")
    with api.count_statements() as lean:
        await _page(api, returns, "")
    with api.count_statements() as skipped:  # a skipped total may still be counted: no harm
        page = await _page(api, returns, "totalCount @skip(if: $yes)")

    assert len(lean) == len(counted) - 1
    assert not any("count(" in s.lower() for s in lean)
    assert any("count(" in s.lower() for s in counted)
    assert "totalCount" not in page
    assert len(skipped) in (len(lean), len(counted))
