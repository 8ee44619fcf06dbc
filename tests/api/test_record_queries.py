"""Record queries: conditions on typed values, sort order, pages with stable cursors, limits."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ldp_graph.app import create_app
from ldp_graph.config import Settings
from tests.api import flow
from tests.conftest import Api
from tests.validation.test_cswq_rules import clean as cswq_clean

VERSION_CHILDREN = """
query ($id: ID!, $where: ClasChildWhere, $order: [ClasChildOrder!], $first: Int!, $after: String) {
  submission(id: $id) { currentVersion { clas {
    child(where: $where, orderBy: $order, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { childId }
    }
  } } }
}
"""


@pytest.fixture
async def returns(api: Api) -> dict[str, Any]:
    return await flow.every_council_submits(api)


async def _version_children(api: Api, token: str, submission: str, **variables: Any) -> Any:
    data = await api.graphql(VERSION_CHILDREN, {"id": submission, "first": 100, **variables}, token)
    return data["submission"]["currentVersion"]["clas"]["child"]


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ({"sex": {"eq": "F"}}, ["C1", "C3", "C5"]),
        ({"sex": {"label": "male"}}, ["C2", "C4"]),
        ({"childId": {"in": ["C2", "C5", "C9"]}}, ["C2", "C5"]),
        ({"dateOfBirth": {"gte": "2012-01-01", "lte": "2014-12-31"}}, ["C2", "C3", "C4"]),
        ({"scn": {"isNull": False}, "sex": {"labelIn": ["Female"]}}, ["C1", "C3", "C5"]),
    ],
)
async def test_filters_select_records_by_value_code_or_label(
    api: Api, returns: dict[str, Any], where: dict[str, Any], expected: list[str]
) -> None:
    token = returns["tokens"]["S12000036"]

    found = await _version_children(api, token, returns["subs"]["S12000036"], where=where)

    assert [n["childId"] for n in found["nodes"]] == expected


async def test_a_date_list_selects_those_days(api: Api, returns: dict[str, Any]) -> None:
    token = returns["tokens"]["S12000036"]
    where = {"dateOfBirth": {"in": ["2011-03-04", "2014-03-04", "2020-01-01"]}}

    found = await _version_children(api, token, returns["subs"]["S12000036"], where=where)

    assert [n["childId"] for n in found["nodes"]] == ["C1", "C4"]


async def test_pages_follow_each_other_in_the_requested_order(
    api: Api, returns: dict[str, Any]
) -> None:
    token = returns["tokens"]["S12000036"]
    order = [{"field": "DATE_OF_BIRTH", "direction": "DESC"}]
    seen: list[str] = []
    after = None
    while True:
        page = await _version_children(
            api, token, returns["subs"]["S12000036"], order=order, first=2, after=after
        )
        seen += [n["childId"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert seen == ["C5", "C4", "C3", "C2", "C1"]


async def test_a_page_size_outside_the_limits_is_a_clear_error(
    api: Api, returns: dict[str, Any]
) -> None:
    token = returns["tokens"]["S12000036"]
    variables = {"id": returns["subs"]["S12000036"], "first": 10_001}

    response = await api.post(VERSION_CHILDREN, variables, token)

    assert "first must be 1 to 10000" in response.json()["errors"][0]["message"]


async def test_the_largest_record_page_is_a_setting(
    api: Api, settings: Settings, returns: dict[str, Any]
) -> None:
    app = create_app(settings.model_copy(update={"max_record_page_size": 3}))
    token = returns["tokens"]["S12000036"]
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        limited = Api(client=client, database=api.database, app=app)
        refused = await limited.post(
            VERSION_CHILDREN, {"id": returns["subs"]["S12000036"], "first": 4}, token
        )
        allowed = await limited.post(
            VERSION_CHILDREN, {"id": returns["subs"]["S12000036"], "first": 3}, token
        )

    assert "first must be 1 to 3" in refused.json()["errors"][0]["message"]
    assert "errors" not in allowed.json()


async def test_a_list_condition_with_too_many_values_is_refused(
    api: Api, returns: dict[str, Any]
) -> None:
    variables = {
        "id": returns["subs"]["S12000036"],
        "first": 100,
        "where": {"childId": {"in": [f"C{i}" for i in range(1001)]}},
    }

    response = await api.post(VERSION_CHILDREN, variables, returns["tokens"]["S12000036"])

    assert "at most 1000 values" in response.json()["errors"][0]["message"]


TEAMS = """
query ($id: ID!, $where: CswqTeamWhere, $order: [CswqTeamOrder!]) {
  submission(id: $id) { currentVersion { cswq {
    team(where: $where, orderBy: $order) { nodes { teamId openCases staffFte meta { raw } } }
  } } }
}
"""


async def _teams(api: Api, open_cases: list[Any], staff_fte: Any = "12.5") -> tuple[str, str]:
    """A quarterly return (numeric fields) with one team per open_cases value: T0, T1, ..."""
    owner = await flow.requester_token(api)
    collection = await flow.create_collection(
        api, owner, specId="cswq", title="Teams", councilCodes=["S12000036"]
    )
    council = await flow.council_token(api, "S12000036")
    records = cswq_clean()
    template = records["team"][0]
    records["team"] = [
        {**template, "team_id": f"T{i}", "open_cases": value, "staff_fte": staff_fte}
        for i, value in enumerate(open_cases)
    ]
    submitted = await flow.submit(api, council, collection["id"], records)
    return council, submitted["submission"]["id"]


async def _team_ids(api: Api, token: str, submission: str, **variables: Any) -> list[str]:
    data = await api.graphql(TEAMS, {"id": submission, **variables}, token)
    return [n["teamId"] for n in data["submission"]["currentVersion"]["cswq"]["team"]["nodes"]]


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"order": [{"field": "OPEN_CASES"}]}, ["T1", "T2", "T0", "T3", "T4"]),
        ({"order": [{"field": "OPEN_CASES", "direction": "DESC"}]}, ["T0", "T2", "T1", "T3", "T4"]),
        ({"where": {"openCases": {"gte": 10}}}, ["T0", "T2"]),
        ({"where": {"openCases": {"lte": 9.5}}}, ["T1"]),
        ({"where": {"openCases": {"eq": 10, "isNull": False}}}, ["T2"]),
        ({"where": {"openCases": {"in": [9, 180]}}}, ["T0", "T1"]),
        ({"where": {"openCases": {"isNull": True}}}, ["T3"]),
    ],
)
async def test_numbers_compare_and_sort_as_numbers_with_unusable_values_last(
    api: Api, variables: dict[str, Any], expected: list[str]
) -> None:
    # 180 as text and 9 as a JSON number; "10" sorts after 9 (as text it would not); T3 sent
    # nothing and T4 "lots": both missing for comparison, last in either direction.
    council, submission = await _teams(api, ["180", 9, "10", None, "lots"])

    assert await _team_ids(api, council, submission, **variables) == expected


async def test_values_beyond_graphqls_types_resolve_to_null_without_an_error(api: Api) -> None:
    council, submission = await _teams(api, [5_000_000_000], staff_fte="1e999")

    data = await api.graphql(TEAMS, {"id": submission}, council)  # asserts no errors

    (team,) = data["submission"]["currentVersion"]["cswq"]["team"]["nodes"]
    assert (team["openCases"], team["staffFte"]) == (None, None)
    assert (team["meta"]["raw"]["open_cases"], team["meta"]["raw"]["staff_fte"]) == (
        5_000_000_000,
        "1e999",
    )


TEAM_PAGE = """
query ($id: ID!, $order: [CswqTeamOrder!], $after: String) {
  submission(id: $id) { currentVersion { cswq {
    team(orderBy: $order, first: 1, after: $after) {
      pageInfo { hasNextPage endCursor } nodes { teamId }
    }
  } } }
}
"""


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
async def test_one_record_pages_walk_ties_and_missing_values_exactly_once(
    api: Api, direction: str
) -> None:
    council, submission = await _teams(api, [None, "10", 9, "lots", "10", 9, None])
    order = [{"field": "OPEN_CASES", "direction": direction}]
    expected = await _team_ids(api, council, submission, order=order)
    seen: list[str] = []
    after = None
    for _ in range(10):
        data = await api.graphql(
            TEAM_PAGE, {"id": submission, "order": order, "after": after}, council
        )
        page = data["submission"]["currentVersion"]["cswq"]["team"]
        seen += [n["teamId"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert seen == expected
    assert sorted(seen) == [f"T{i}" for i in range(7)]
    assert set(expected[-3:]) == {"T0", "T3", "T6"}  # the missing and unusable ones last


EPISODES = """
query ($id: ID!, $where: ClasEpisodeWhere) {
  submission(id: $id) { currentVersion { clas {
    episode(where: $where, orderBy: [{field: EPISODE_ID}]) { nodes { episodeId carePlan } }
  } } }
}
"""


async def test_yes_no_conditions_match_every_spelling_validation_accepts(api: Api) -> None:
    owner = await flow.requester_token(api)
    collection = await flow.create_collection(api, owner)
    token = await flow.council_token(api, "S12000036")
    records = flow.children_by_birth_year(1)
    spellings = ["Y", "yes", "TRUE", True, "1", "N", "no", False, "maybe", None]
    template = records["episode"][0]
    records["episode"] = [
        {**template, "episode_id": f"E{i}", "care_plan": value} for i, value in enumerate(spellings)
    ]
    submission = (await flow.submit(api, token, collection["id"], records))["submission"]["id"]

    async def ids(where: dict[str, Any]) -> list[str]:
        data = await api.graphql(EPISODES, {"id": submission, "where": where}, token)
        return [
            n["episodeId"] for n in data["submission"]["currentVersion"]["clas"]["episode"]["nodes"]
        ]

    assert await ids({"carePlan": {"eq": True}}) == ["E0", "E1", "E2", "E3", "E4"]
    assert await ids({"carePlan": {"eq": False}}) == ["E5", "E6", "E7"]
    assert await ids({"carePlan": {"isNull": True}}) == ["E9"]


COLLECTION_PAGE = """
query ($id: ID!, $first: Int!, $after: String, $order: [ClasChildOrder!]) {
  collection(id: $id) { clas { child(orderBy: $order, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { childId } }
  } } }
}
"""


async def _collection_page(api: Api, token: str, collection: str, **variables: Any) -> Any:
    variables = {"id": collection, "first": 2, "order": [{"field": "CHILD_ID"}], **variables}
    data = await api.graphql(COLLECTION_PAGE, variables, token)
    return data["collection"]["clas"]["child"]


async def test_a_cursor_continues_after_its_record_when_another_council_arrives_meanwhile(
    api: Api,
) -> None:
    owner = await flow.requester_token(api)
    collection = (await flow.create_collection(api, owner))["id"]
    first_council, second_council = flow.COUNCILS[:2]
    await flow.submit(
        api,
        await flow.council_token(api, first_council),
        collection,
        flow.children_by_birth_year(5, first_council),
    )

    page = await _collection_page(api, owner, collection)
    # Arriving between the two reads, and sorting before them: an offset would repeat C2.
    arriving = flow.children_by_birth_year(3, second_council)
    for child in arriving["child"]:
        child["child_id"] = child["child_id"].replace("C", "B")
    await flow.submit(api, await flow.council_token(api, second_council), collection, arriving)
    rest = await _collection_page(
        api, owner, collection, first=100, after=page["pageInfo"]["endCursor"]
    )

    assert [e["node"]["childId"] for e in page["edges"]] == ["C1", "C2"]
    assert page["pageInfo"] == {"hasNextPage": True, "endCursor": page["edges"][-1]["cursor"]}
    assert [e["node"]["childId"] for e in rest["edges"]] == ["C3", "C4", "C5"]
    assert (rest["totalCount"], rest["pageInfo"]["hasNextPage"]) == (8, False)


async def test_a_cursor_used_with_another_order_or_altered_is_a_clear_error(
    api: Api, returns: dict[str, Any]
) -> None:
    collection = returns["collection"]["id"]
    page = await _collection_page(api, returns["owner"], collection)
    cursor = page["pageInfo"]["endCursor"]
    variables = {"id": collection, "first": 2, "after": cursor}

    reordered = await api.post(
        COLLECTION_PAGE, {**variables, "order": [{"field": "SEX"}]}, returns["owner"]
    )
    altered = await api.post(COLLECTION_PAGE, {**variables, "after": cursor[:-4]}, returns["owner"])

    assert "another orderBy" in reordered.json()["errors"][0]["message"]
    assert "not a cursor" in altered.json()["errors"][0]["message"]
