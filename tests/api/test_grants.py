"""createGrant and revokeGrant: the owner shares rows or counts, field by field, then stops."""

from __future__ import annotations

from typing import Any

import pytest

from ldp_graph.domain.organisations import OrganisationKind
from ldp_graph.domain.roles import Role
from tests.api import flow
from tests.conftest import Api

INSPECTORATE = "CARE-INSPECTORATE"

CHILD_ROWS = """
query ($id: ID!) { collection(id: $id) { clas { child { totalCount } } } }
"""

GRANTS = """
query ($id: ID!) { collection(id: $id) { grants { id level grantee { code } revokedAt } } }
"""

AUDIT = """
query ($id: ID!) {
  auditEvents(first: 50, collectionId: $id) {
    nodes { operation actor { code } subject { code } detail }
  }
}
"""


@pytest.fixture
async def story(api: Api) -> dict[str, Any]:
    await flow.organisation(api, INSPECTORATE, OrganisationKind.REQUESTER)
    return await flow.two_of_three_validated(api)


async def _rows(api: Api, story: dict[str, Any], token: str) -> int:
    data = await api.graphql(CHILD_ROWS, {"id": story["collection"]}, token)
    return int(data["collection"]["clas"]["child"]["totalCount"])


async def _grant_codes(api: Api, story: dict[str, Any], token: str | None) -> list[str]:
    data = await api.graphql(GRANTS, {"id": story["collection"]}, token)
    return sorted(g["grantee"]["code"] for g in data["collection"]["grants"])


async def test_grants_are_listed_in_full_for_the_owner_and_each_grantee_sees_its_own(
    api: Api, story: dict[str, Any]
) -> None:
    made = [
        await flow.grant(api, story["owner"], story["collection"], grantee=code, level=level)
        for code, level in ((INSPECTORATE, "AGGREGATES"), ("LDP", "RECORDS"))
    ]
    inspectorate = await api.token(INSPECTORATE, Role.REQUESTER)
    council = await flow.council_token(api, "S12000033")

    assert [m["errors"] for m in made] == [[], []]
    assert made[0]["grant"]["level"] == "AGGREGATES"
    assert made[0]["grant"]["minState"] == "VALIDATED"  # the default
    assert made[0]["grant"]["fields"] is None  # every field
    assert await _grant_codes(api, story, story["owner"]) == [INSPECTORATE, "LDP"]
    assert await _grant_codes(api, story, inspectorate) == [INSPECTORATE]
    assert await _grant_codes(api, story, council) == []
    assert await _grant_codes(api, story, None) == []


@pytest.mark.parametrize(
    ("values", "error", "field"),
    [
        ({"grantee": "NOBODY", "level": "RECORDS"}, "NotFound", "grantee"),
        ({"grantee": flow.REQUESTER, "level": "RECORDS"}, "InvalidInput", "grantee"),
        (
            {"grantee": "LDP", "level": "RECORDS", "fields": ["child.shoe"]},
            "InvalidInput",
            "fields",
        ),
        (
            {"grantee": "LDP", "level": "RECORDS", "fields": ["episode.sex"]},
            "InvalidInput",
            "fields",
        ),
        ({"grantee": "LDP", "level": "RECORDS", "fields": ["child"]}, "InvalidInput", "fields"),
        ({"grantee": "LDP", "level": "RECORDS", "fields": []}, "InvalidInput", "fields"),
        (
            {"grantee": "LDP", "level": "RECORDS", "minState": "PREVALIDATED"},
            "InvalidInput",
            "minState",
        ),
    ],
)
async def test_grant_with_bad_input_names_the_field_and_stores_nothing(
    api: Api, story: dict[str, Any], values: dict[str, Any], error: str, field: str
) -> None:
    payload = await flow.grant(api, story["owner"], story["collection"], **values)

    assert payload["grant"] is None
    assert (payload["errors"][0]["__typename"], payload["errors"][0]["field"]) == (error, field)
    assert await _grant_codes(api, story, story["owner"]) == []


async def test_grant_by_anyone_but_the_owner_is_not_permitted(
    api: Api, story: dict[str, Any]
) -> None:
    other_requester = await flow.requester_token(api, INSPECTORATE)
    council = await flow.council_token(api, "S12000033")
    admin = await api.token("LDP", Role.ADMIN)

    refusals = [
        (await flow.grant(api, token, story["collection"], grantee="LDP", level="RECORDS"))
        for token in (other_requester, council, admin)
    ]

    assert [r["errors"][0]["__typename"] for r in refusals] == ["NotPermitted"] * 3
    assert await _grant_codes(api, story, story["owner"]) == []


async def test_grant_on_an_unknown_collection_is_not_found(api: Api) -> None:
    owner = await flow.requester_token(api)

    payload = await flow.grant(api, owner, "col_missing", grantee="LDP", level="RECORDS")

    assert (payload["errors"][0]["__typename"], payload["errors"][0]["field"]) == (
        "NotFound",
        "collectionId",
    )


async def test_record_grant_shares_only_the_granted_fields_of_validated_versions(
    api: Api, story: dict[str, Any]
) -> None:
    await flow.grant(
        api,
        story["owner"],
        story["collection"],
        grantee=INSPECTORATE,
        level="RECORDS",
        fields=["child.child_id", "child.sex"],
    )
    grantee = await api.token(INSPECTORATE, Role.REQUESTER)
    query = """
    query ($id: ID!) { collection(id: $id) { clas { child(first: 1000) {
      totalCount nodes { childId sex { code } dateOfBirth meta { raw } } } } } }
    """

    data = await api.graphql(query, {"id": story["collection"]}, grantee)

    found = data["collection"]["clas"]["child"]
    assert found["totalCount"] == 36  # the two validated councils only, not Glasgow's 6
    node = found["nodes"][0]
    assert node["childId"] is not None
    assert node["sex"] is not None
    assert node["dateOfBirth"] is None  # not granted
    assert set(node["meta"]["raw"]) == {"child_id", "sex"}


async def test_grant_from_published_shares_nothing_until_the_collection_is_published(
    api: Api, story: dict[str, Any]
) -> None:
    await flow.grant(
        api,
        story["owner"],
        story["collection"],
        grantee=INSPECTORATE,
        level="RECORDS",
        minState="PUBLISHED",
    )
    grantee = await api.token(INSPECTORATE, Role.REQUESTER)

    before = await _rows(api, story, grantee)
    await flow.publish(api, story["owner"], story["collection"])

    assert before == 0
    assert await _rows(api, story, grantee) == 36


async def test_admin_reads_records_only_through_an_explicit_grant(
    api: Api, story: dict[str, Any]
) -> None:
    admin = await api.token("LDP", Role.ADMIN)

    before = await _rows(api, story, admin)
    await flow.grant(api, story["owner"], story["collection"], grantee="LDP", level="RECORDS")

    assert before == 0
    assert await _rows(api, story, admin) == 36


async def test_revoked_grant_shares_nothing_and_cannot_be_revoked_twice(
    api: Api, story: dict[str, Any]
) -> None:
    made = await flow.grant(
        api, story["owner"], story["collection"], grantee=INSPECTORATE, level="RECORDS"
    )
    grantee = await api.token(INSPECTORATE, Role.REQUESTER)
    while_granted = await _rows(api, story, grantee)

    revoked = await flow.revoke_grant(api, story["owner"], made["grant"]["id"])
    again = await flow.revoke_grant(api, story["owner"], made["grant"]["id"])

    assert while_granted == 36
    assert revoked["errors"] == []
    assert revoked["grant"]["revokedAt"] is not None
    assert await _rows(api, story, grantee) == 0
    assert again["errors"][0]["__typename"] == "InvalidTransition"


async def test_revoke_by_anyone_but_the_owner_is_not_found_and_the_grant_stays(
    api: Api, story: dict[str, Any]
) -> None:
    made = await flow.grant(
        api, story["owner"], story["collection"], grantee=INSPECTORATE, level="RECORDS"
    )
    grantee = await api.token(INSPECTORATE, Role.REQUESTER)

    # Not NotPermitted: a stranger must not learn which grants exist.
    by_grantee = await flow.revoke_grant(api, grantee, made["grant"]["id"])
    unknown = await flow.revoke_grant(api, story["owner"], "gr_missing")

    assert by_grantee["errors"][0]["__typename"] == "NotFound"
    assert unknown["errors"][0]["__typename"] == "NotFound"
    assert await _rows(api, story, grantee) == 36


async def test_grant_changes_are_audited_with_the_grantee_as_subject(
    api: Api, story: dict[str, Any]
) -> None:
    made = await flow.grant(
        api,
        story["owner"],
        story["collection"],
        grantee=INSPECTORATE,
        level="AGGREGATES",
        fields=["child.sex"],
    )
    await flow.revoke_grant(api, story["owner"], made["grant"]["id"])

    data = await api.graphql(AUDIT, {"id": story["collection"]}, story["owner"])

    events = {e["operation"]: e for e in data["auditEvents"]["nodes"]}
    for operation in ("grant.create", "grant.revoke"):
        assert events[operation]["actor"]["code"] == flow.REQUESTER
        assert events[operation]["subject"]["code"] == INSPECTORATE
        assert events[operation]["detail"]["grant_id"] == made["grant"]["id"]
    assert events["grant.create"]["detail"]["level"] == "aggregates"
    assert events["grant.create"]["detail"]["fields"] == ["child.sex"]


GRANTEE_CALENDAR = """
query ($council: String) { calendar(council: $council) { collection { submissions {
  council { code } state
  currentVersion { number report(maxIssues: 5) { errorCount issues { ruleId } }
                   issueChanges { new { ruleId } } }
} } } }
"""


async def test_a_grantee_reading_fifty_reports_runs_the_statements_of_one(api: Api) -> None:
    # The N+1 guard for readers through a grant: whether each submission's issue lists may be
    # shown to them is decided in one batch, not per submission.
    await flow.organisation(api, INSPECTORATE, OrganisationKind.REQUESTER)
    owner = await flow.requester_token(api)
    lone, crowded = flow.COUNCILS[0], flow.COUNCILS[1]
    for code, asks in ((lone, 1), (crowded, 50)):
        council = await flow.council_token(api, code)
        for i in range(asks):
            collection = await flow.create_collection(
                api, owner, title=f"Ask {i} of {code}", councilCodes=[code]
            )
            submitted = await flow.submit(api, council, collection["id"])
            validated = await flow.mark_validated(api, owner, submitted["submission"]["id"])
            made = await flow.grant(
                api, owner, collection["id"], grantee=INSPECTORATE, level="RECORDS"
            )
            assert (validated["errors"], made["errors"]) == ([], [])
    inspectorate = await api.token(INSPECTORATE, Role.REQUESTER)

    with api.count_statements() as for_one:
        one = await api.graphql(GRANTEE_CALENDAR, {"council": lone}, inspectorate)
    with api.count_statements() as for_fifty:
        fifty = await api.graphql(GRANTEE_CALENDAR, {"council": crowded}, inspectorate)

    seen = [s for ask in fifty["calendar"] for s in ask["collection"]["submissions"]]
    assert len(one["calendar"]) == 1
    assert len(seen) == 50
    assert {(s["council"]["code"], s["state"]) for s in seen} == {(crowded, "VALIDATED")}
    assert all(s["currentVersion"]["report"]["issues"] is not None for s in seen)
    assert len(for_fifty) == len(for_one)


async def test_owner_lists_submissions_without_reading_grants_and_a_grantee_through_them(
    api: Api, story: dict[str, Any]
) -> None:
    # The owner reads every submission whatever the grants say: no statement reads them.
    await flow.grant(
        api, story["owner"], story["collection"], grantee=INSPECTORATE, level="RECORDS"
    )
    grantee = await api.token(INSPECTORATE, Role.REQUESTER)
    query = "query ($id: ID!) { collection(id: $id) { submissions { council { code } } } }"

    with api.count_statements() as by_owner:
        owned = await api.graphql(query, {"id": story["collection"]}, story["owner"])
    with api.count_statements() as by_grantee:
        granted = await api.graphql(query, {"id": story["collection"]}, grantee)

    assert len(owned["collection"]["submissions"]) == 3
    assert len(granted["collection"]["submissions"]) == 2  # the validated ones only
    assert not [s for s in by_owner if "FROM grants" in s]
    assert [s for s in by_grantee if "FROM grants" in s]


MIXED_READ = """
query ($id: ID!, $where: ClasChildWhere) { collection(id: $id) { clas {
  child(first: 50, where: $where) {
    nodes { childId dateOfBirth meta { key raw council { code } } }
  }
} } }
"""


async def test_a_council_with_a_field_grant_sees_all_of_its_own_return_and_granted_fields_of_others(
    api: Api,
) -> None:
    owner = await flow.requester_token(api)
    collection = await flow.create_collection(api, owner)
    other, council = flow.COUNCILS[0], flow.COUNCILS[1]
    payload = await flow.submit(
        api, await flow.council_token(api, other), collection["id"], flow.children(3, other)
    )
    assert (await flow.mark_validated(api, owner, payload["submission"]["id"]))["errors"] == []
    token = await flow.council_token(api, council)
    await flow.submit(api, token, collection["id"], flow.children(2, council))
    made = await flow.grant(
        api, owner, collection["id"], grantee=council, level="RECORDS", fields=["child.sex"]
    )
    assert made["errors"] == []

    data = await api.graphql(MIXED_READ, {"id": collection["id"]}, token)
    by_filter = await api.post(
        MIXED_READ, {"id": collection["id"], "where": {"dateOfBirth": {"isNull": True}}}, token
    )

    nodes = data["collection"]["clas"]["child"]["nodes"]
    others = [n for n in nodes if n["meta"]["council"]["code"] == other]
    own = [n for n in nodes if n["meta"]["council"]["code"] == council]
    assert len(others) == 3
    assert len(own) == 2
    for node in others:  # only the granted field, whatever order the versions come in
        assert (node["childId"], node["dateOfBirth"], node["meta"]["key"]) == (None, None, None)
        assert set(node["meta"]["raw"]) == {"sex"}
    for node in own:
        assert node["childId"] is not None
        assert node["meta"]["key"] == node["childId"]
    # A field hidden in any version read may not select records: it would show through.
    refusal = by_filter.json()
    assert refusal["errors"][0]["message"] == "You may not filter or sort on child.date_of_birth."
    assert "nodes" not in str(refusal.get("data"))


async def test_a_grantee_without_the_key_fields_does_not_see_the_record_key(
    api: Api, story: dict[str, Any]
) -> None:
    made = await flow.grant(
        api, story["owner"], story["collection"], grantee=INSPECTORATE, level="RECORDS",
        fields=["child.sex"],
    )  # fmt: skip
    assert made["errors"] == []
    token = await api.token(INSPECTORATE, Role.REQUESTER)

    data = await api.graphql(MIXED_READ, {"id": story["collection"]}, token)

    nodes = data["collection"]["clas"]["child"]["nodes"]
    assert nodes
    assert {(n["childId"], n["meta"]["key"]) for n in nodes} == {(None, None)}
