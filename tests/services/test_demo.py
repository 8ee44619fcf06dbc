"""The demo data of `scripts/serve`: each demo token sees what its role should, nothing more."""

from __future__ import annotations

from typing import Any

import pytest

from ldp_graph.domain.roles import Role
from ldp_graph.services import demo
from ldp_graph.specs.registry import load_registry
from tests.conftest import Api

COLLECTIONS = "{ calendar { collection { id title } } }"

VIEW = """
query ($id: ID!) {
  collection(id: $id) {
    submissions { council { code } state }
    clas { child(first: 1) { totalCount } }
  }
}
"""

COUNTS = """
query ($id: ID!) {
  collection(id: $id) { aggregate(entity: "child", by: ["council"]) { submissionsCounted } }
}
"""


@pytest.fixture
async def demo_tokens(api: Api) -> dict[str, Any]:
    await demo.load(api.database, load_registry())
    await demo.load(api.database, load_registry())  # idempotent
    issued = {
        f"{t.role.value}@{t.organisation.code}": t.secret
        for t in await demo.issue_tokens(api.database)
    }
    calendar = (await api.graphql(COLLECTIONS, {}))["calendar"]
    titles = {e["collection"]["title"]: e["collection"]["id"] for e in calendar}
    return {
        "tokens": issued,
        "this_year": titles[demo.DEMO_COLLECTION_TITLE],
        "last_year": titles[demo.DEMO_LAST_YEAR_TITLE],
    }


async def _view(api: Api, token: str | None, collection: str) -> dict[str, Any]:
    return (await api.graphql(VIEW, {"id": collection}, token))["collection"]


async def test_demo_requester_sees_every_council_of_its_collection_mid_flight(
    api: Api, demo_tokens: dict[str, Any]
) -> None:
    view = await _view(api, demo_tokens["tokens"]["requester@SG-CSWS"], demo_tokens["this_year"])

    states = {s["council"]["code"]: s["state"] for s in view["submissions"]}
    assert states == {
        "S12000033": "VALIDATED",
        "S12000034": "CHANGES_REQUESTED",
        "S12000035": "PREVALIDATED",
        "S12000036": "PREVALIDATED",
        "S12000041": "PREVALIDATION_FAILED",
    }
    assert view["clas"]["child"]["totalCount"] == 5 * demo.DEMO_CHILDREN


async def test_demo_council_sees_its_own_submission_only(
    api: Api, demo_tokens: dict[str, Any]
) -> None:
    token = demo_tokens["tokens"][f"council_submitter@{demo.DEMO_COUNCIL_CODE}"]

    view = await _view(api, token, demo_tokens["this_year"])

    assert [s["council"]["code"] for s in view["submissions"]] == [demo.DEMO_COUNCIL_CODE]
    assert view["clas"]["child"]["totalCount"] == demo.DEMO_CHILDREN


async def test_demo_grantee_counts_validated_data_but_reads_no_rows(
    api: Api, demo_tokens: dict[str, Any]
) -> None:
    token = demo_tokens["tokens"][f"requester@{demo.DEMO_GRANTEE.code}"]

    view = await _view(api, token, demo_tokens["this_year"])
    counts = await api.graphql(COUNTS, {"id": demo_tokens["this_year"]}, token)

    assert view["submissions"] == []
    assert view["clas"]["child"]["totalCount"] == 0
    assert counts["collection"]["aggregate"]["submissionsCounted"] == 1


@pytest.mark.parametrize("holder", ["end_user@DEMO-RESEARCH", "admin@LDP", None])
async def test_demo_readers_get_published_counts_only(
    api: Api, demo_tokens: dict[str, Any], holder: str | None
) -> None:
    token = demo_tokens["tokens"][holder] if holder else None

    published = await api.graphql(COUNTS, {"id": demo_tokens["last_year"]}, token)
    in_flight = await api.post(COUNTS, {"id": demo_tokens["this_year"]}, token)
    rows = await _view(api, token, demo_tokens["last_year"])

    assert published["collection"]["aggregate"]["submissionsCounted"] == 4
    assert "not published" in in_flight.json()["errors"][0]["message"]
    assert rows["submissions"] == []
    assert rows["clas"]["child"]["totalCount"] == 0


async def test_demo_tokens_cover_every_role(demo_tokens: dict[str, Any]) -> None:
    roles = {holder.split("@")[0] for holder in demo_tokens["tokens"]}

    assert roles == {r.value for r in Role}
