"""Collections and the calendar: requesters ask, councils see every ask in one place."""

from __future__ import annotations

import datetime as dt

from ldp_graph.domain.roles import Role
from tests.api import flow
from tests.conftest import Api

CALENDAR = """
query Calendar($from: Date, $to: Date, $council: String) {
  calendar(from: $from, to: $to, council: $council) {
    collection { id title dueOn purpose legalBasis specId }
    council { code }
    submissionState statusVisible daysUntilDue
  }
}
"""

_COUNT_ROWS = "SELECT count(*) FROM collections"


async def test_create_collection_by_requester_stores_the_ask_with_the_spec_period(
    api: Api,
) -> None:
    token = await flow.requester_token(api)

    created = await flow.create_collection(api, token)

    assert created["specId"] == "clas"
    assert created["specVersion"] == "2025-26"
    assert (created["periodStart"], created["periodEnd"]) == ("2025-08-01", "2026-07-31")
    assert created["owner"] == {"code": flow.REQUESTER}
    assert [c["code"] for c in created["councils"]] == sorted(flow.COUNCILS)


async def test_create_collection_by_a_council_is_not_permitted(api: Api) -> None:
    token = await flow.council_token(api, "S12000036")

    data = await api.graphql(flow.CREATE_COLLECTION, {"input": flow.collection_input()}, token)

    assert data["createCollection"]["collection"] is None
    assert data["createCollection"]["errors"][0]["__typename"] == "NotPermitted"


async def test_create_collection_with_bad_input_names_the_field_and_stores_nothing(
    api: Api,
) -> None:
    token = await flow.requester_token(api)
    cases = {
        "specId": flow.collection_input(specId="nope"),
        "dueOn": flow.collection_input(opensOn="2026-05-01", dueOn="2026-04-01"),
        "councilCodes": flow.collection_input(councilCodes=["S12000036", "SG-CSWS"]),
        "purpose": flow.collection_input(purpose="  "),
    }
    for field, values in cases.items():
        data = await api.graphql(flow.CREATE_COLLECTION, {"input": values}, token)
        errors = data["createCollection"]["errors"]
        assert [(e["__typename"], e["field"]) for e in errors] == [("InvalidInput", field)]
    async with api.database.read() as session:
        from sqlalchemy import text

        assert (await session.execute(text(_COUNT_ROWS))).scalar_one() == 0


async def test_calendar_shows_a_council_its_asks_and_its_own_submission_state(api: Api) -> None:
    requester = await flow.requester_token(api)
    asked = await flow.create_collection(api, requester, councilCodes=["S12000036"])
    await flow.create_collection(api, requester, councilCodes=["S12000033"], title="Other")
    council = await flow.council_token(api, "S12000036")
    await flow.submit(api, council, asked["id"])

    entries = (await api.graphql(CALENDAR, {}, council))["calendar"]

    assert [e["collection"]["id"] for e in entries] == [asked["id"]]
    assert entries[0]["council"] == {"code": "S12000036"}
    assert entries[0]["submissionState"] == "PREVALIDATED"
    assert entries[0]["statusVisible"] is True
    assert entries[0]["daysUntilDue"] == 60


async def test_calendar_for_anonymous_lists_asks_but_hides_councils_submission_state(
    api: Api,
) -> None:
    requester = await flow.requester_token(api)
    asked = await flow.create_collection(api, requester)
    council = await flow.council_token(api, "S12000036")
    await flow.submit(api, council, asked["id"])

    whole = (await api.graphql(CALENDAR, {}))["calendar"]
    for_council = (await api.graphql(CALENDAR, {"council": "S12000036"}))["calendar"]

    assert [(e["council"], e["submissionState"]) for e in whole] == [(None, None)]
    assert whole[0]["collection"]["purpose"].startswith("National statistics")
    assert [(e["submissionState"], e["statusVisible"]) for e in for_council] == [(None, False)]


async def test_calendar_window_keeps_asks_whose_dates_meet_it(api: Api) -> None:
    requester = await flow.requester_token(api)
    await flow.create_collection(api, requester, opensOn="2026-01-01", dueOn="2026-02-01")
    await flow.create_collection(api, requester, opensOn="2026-06-01", dueOn="2026-07-01")
    variables = {"from": "2026-01-15", "to": "2026-03-01"}

    entries = (await api.graphql(CALENDAR, variables))["calendar"]

    assert [e["collection"]["dueOn"] for e in entries] == ["2026-02-01"]


async def test_calendar_with_a_reversed_window_is_a_clear_error(api: Api) -> None:
    response = await api.post(CALENDAR, {"from": "2026-03-01", "to": "2026-01-01"})

    assert "`to` is before `from`" in response.json()["errors"][0]["message"]


async def test_collection_is_a_federation_entity_resolved_by_id(api: Api) -> None:
    requester = await flow.requester_token(api)
    asked = await flow.create_collection(api, requester)
    query = """
    query ($reps: [_Any!]!) { _entities(representations: $reps) {
      ... on Collection { id title owner { code } } } }
    """

    data = await api.graphql(query, {"reps": [{"__typename": "Collection", "id": asked["id"]}]})

    assert data["_entities"] == [
        {"id": asked["id"], "title": "CLAS 2025-26", "owner": {"code": flow.REQUESTER}}
    ]


async def test_collection_not_yet_open_refuses_submissions(api: Api) -> None:
    requester = await flow.requester_token(api)
    later = (dt.date.today() + dt.timedelta(days=5)).isoformat()
    asked = await flow.create_collection(api, requester, opensOn=later)
    council = await api.token("S12000036", Role.COUNCIL_SUBMITTER)

    payload = await flow.submit(api, council, asked["id"])

    assert payload["errors"][0]["__typename"] == "InvalidTransition"
    assert later in payload["errors"][0]["message"]


CALENDAR_NESTED = """
query ($council: String) { calendar(council: $council) {
  collection { id title owner { code name } councils { code name }
               grants { level grantee { code } }
               submissions { council { code } state currentVersion { number valid } } }
  council { code name } submissionState statusVisible daysUntilDue
} }
"""


async def test_calendar_runs_the_same_statements_for_one_ask_or_fifty(api: Api) -> None:
    # The N+1 guard: nested owners, councils and submissions come in batches, never per ask.
    owner = await flow.requester_token(api)
    lone, crowded = flow.COUNCILS[0], flow.COUNCILS[1]
    first = await flow.create_collection(api, owner, councilCodes=[lone, crowded])
    for i in range(49):
        await flow.create_collection(api, owner, title=f"Ask {i}", councilCodes=[crowded])
    for code in (lone, crowded):
        await flow.submit(api, await flow.council_token(api, code), first["id"])

    with api.count_statements() as for_one:
        one = await api.graphql(CALENDAR_NESTED, {"council": lone}, owner)
    with api.count_statements() as for_fifty:
        fifty = await api.graphql(CALENDAR_NESTED, {"council": crowded}, owner)

    assert len(one["calendar"]) == 1
    assert len(fifty["calendar"]) == 50
    assert len(for_fifty) == len(for_one)
