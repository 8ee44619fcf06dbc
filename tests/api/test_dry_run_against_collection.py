"""validateSubmission against an open collection: the collection's pinned spec version and its
period decide the report, the parties to the ask may run it, and nothing is stored."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ldp_graph.domain.roles import Role
from tests.api import flow
from tests.api.test_return_specs import _row_counts
from tests.conftest import Api
from tests.validation.clas_records import clean_return

VALIDATE = """
mutation($input: ValidateSubmissionInput!) {
  validateSubmission(input: $input) {
    report { specId specVersion valid errorCount counts { ruleId } }
    errors { __typename message field }
  }
}
"""
COUNCIL, OTHER_COUNCIL = flow.COUNCILS[0], "S12000041"  # Aberdeen is asked; Angus is not
LATE = flow.COUNCILS[1]  # asked too, and submits after publication


async def _dry_run(api: Api, token: str | None, **given: Any) -> dict[str, Any]:
    given.setdefault("records", clean_return())
    return (await api.graphql(VALIDATE, {"input": given}, token))["validateSubmission"]


def _rules(payload: dict[str, Any]) -> set[str]:
    assert payload["errors"] == [], payload["errors"]
    return {c["ruleId"] for c in payload["report"]["counts"]}


def _without_scn() -> dict[str, Any]:
    records = clean_return()
    del records["child"][0]["scn"]  # a school-age child: CLAS-013Q, new in 2025-26
    return records


async def test_dry_run_against_a_collection_uses_its_pinned_spec_version(api: Api) -> None:
    requester = await flow.requester_token(api)
    pinned = await flow.create_collection(
        api,
        requester,
        specVersion="2024-25",
        periodStart="2025-08-01",
        periodEnd="2026-07-31",
    )
    council = await flow.council_token(api, COUNCIL)

    against_collection = await _dry_run(
        api, council, collectionId=pinned["id"], records=_without_scn()
    )
    against_latest = await _dry_run(api, council, specId="clas", records=_without_scn())

    assert (
        against_collection["report"]["specId"],
        against_collection["report"]["specVersion"],
    ) == ("clas", "2024-25")
    assert _rules(against_collection) == set()
    assert _rules(against_latest) == {"CLAS-013Q"}


async def test_dry_run_against_a_collection_checks_over_the_collections_period(api: Api) -> None:
    requester = await flow.requester_token(api)
    next_year = await flow.create_collection(
        api, requester, periodStart="2026-08-01", periodEnd="2027-07-31"
    )
    council = await flow.council_token(api, COUNCIL)

    against_collection = await _dry_run(api, council, collectionId=next_year["id"])
    against_spec = await _dry_run(api, council, specId="clas")

    assert "CLAS-004" in _rules(against_collection)  # the episode lies outside its period
    assert _rules(against_spec) == set()


async def test_dry_run_against_a_collection_stores_nothing(api: Api) -> None:
    requester = await flow.requester_token(api)
    collection = await flow.create_collection(api, requester)
    council = await flow.council_token(api, COUNCIL)
    records = clean_return()
    records["child"][0]["sex"] = "Q"
    before = await _row_counts(api)

    failing = await _dry_run(api, council, collectionId=collection["id"], records=records)
    clean = await _dry_run(api, requester, collectionId=collection["id"])

    assert (failing["report"]["valid"], failing["report"]["errorCount"]) == (False, 1)
    assert clean["report"]["valid"] is True
    assert await _row_counts(api) == before


async def test_council_asked_owner_and_admin_may_dry_run_against_a_collection(api: Api) -> None:
    requester = await flow.requester_token(api)
    collection = await flow.create_collection(api, requester)
    admin = await api.token("LDP", Role.ADMIN)
    council = await flow.council_token(api, COUNCIL)

    for token in (council, requester, admin):
        payload = await _dry_run(api, token, collectionId=collection["id"])

        assert payload["errors"] == []
        assert payload["report"]["valid"] is True


async def test_others_may_not_dry_run_against_a_collection_but_may_against_its_spec(
    api: Api,
) -> None:
    requester = await flow.requester_token(api)
    collection = await flow.create_collection(api, requester)
    others = {
        "council not asked": await flow.council_token(api, OTHER_COUNCIL),
        "another requester": await flow.requester_token(api, "ONS"),
        "end user": await api.token(flow.REQUESTER, Role.END_USER),
        "anonymous": None,
    }

    for who, token in others.items():
        refused = await _dry_run(api, token, collectionId=collection["id"])
        allowed = await _dry_run(api, token, specId="clas", specVersion="2025-26")

        assert refused["report"] is None, who
        assert [(e["__typename"], e["field"]) for e in refused["errors"]] == [
            ("NotPermitted", "collectionId")
        ], who
        assert allowed["report"]["valid"] is True, who


async def test_dry_run_against_a_published_collection_works_for_a_late_council_as_submitting_does(
    api: Api,
) -> None:
    requester = await flow.requester_token(api)
    early, late = await flow.council_token(api, COUNCIL), await flow.council_token(api, LATE)
    collection = await flow.create_collection(api, requester)
    submitted = await flow.submit(api, early, collection["id"])
    assert (await flow.mark_validated(api, requester, submitted["submission"]["id"]))[
        "errors"
    ] == []
    assert (await flow.publish(api, requester, collection["id"]))["errors"] == []

    dry_run = await _dry_run(api, late, collectionId=collection["id"])
    submission = await flow.submit(api, late, collection["id"])

    assert dry_run["errors"] == []
    assert dry_run["report"]["valid"] is True
    assert submission["errors"] == []


async def test_dry_run_against_a_not_yet_open_collection_is_an_invalid_transition(
    api: Api,
) -> None:
    requester = await flow.requester_token(api)
    council = await flow.council_token(api, COUNCIL)
    future = await flow.create_collection(
        api,
        requester,
        opensOn=(dt.date.today() + dt.timedelta(days=30)).isoformat(),
        dueOn=(dt.date.today() + dt.timedelta(days=90)).isoformat(),
    )

    not_yet = await _dry_run(api, council, collectionId=future["id"])

    assert not_yet["report"] is None
    assert not_yet["errors"][0]["__typename"] == "InvalidTransition"
    assert "specId clas, specVersion 2025-26" in not_yet["errors"][0]["message"]


async def test_dry_run_names_exactly_one_of_spec_or_collection(api: Api) -> None:
    requester = await flow.requester_token(api)
    collection = (await flow.create_collection(api, requester))["id"]
    cases = [
        ({"collectionId": "col_does_not_exist"}, "NotFound", "collectionId"),
        ({"specId": "clas", "collectionId": collection}, "InvalidInput", "collectionId"),
        ({"specVersion": "2025-26", "collectionId": collection}, "InvalidInput", "collectionId"),
        ({}, "InvalidInput", "specId"),
        ({"specVersion": "2025-26"}, "InvalidInput", "specId"),
        (
            {"collectionId": collection, "periodStart": "2025-08-01"},
            "InvalidInput",
            "periodStart",
        ),
        ({"collectionId": collection, "periodEnd": "2026-07-31"}, "InvalidInput", "periodEnd"),
        ({"collectionId": collection, "maxIssues": 0}, "InvalidInput", "maxIssues"),
        ({"collectionId": collection, "records": {}}, "InvalidInput", "records"),
    ]
    for given, error_type, field in cases:
        payload = await _dry_run(api, requester, **given)

        assert payload["report"] is None, given
        assert [(e["__typename"], e["field"]) for e in payload["errors"]] == [
            (error_type, field)
        ], given
