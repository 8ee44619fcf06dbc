"""One shared world for the permission matrix, built through the API once per module.

Every party the matrix names, and every relationship between a party and the data: own and
other council, own and other requester's collection, validated and only-submitted
submissions, published and unpublished collections, a field-level records grant, an
aggregates-only grant, and an admin with a grant on one collection and none on another.

Cells whose expected answer is "allowed" and that change state act on objects kept for that
cell alone (a collection only published by its cell, a query only answered by its cell...), so
the cells do not depend on the order they run in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ldp_graph.domain.organisations import OrganisationKind
from ldp_graph.domain.roles import Role
from tests.api import flow
from tests.conftest import Api

# Councils: A and B are asked by the main collection; C is asked only by the other requester.
COUNCIL_A = "S12000036"
COUNCIL_B = "S12000033"
COUNCIL_C = "S12000049"
REQUESTER_1 = flow.REQUESTER  # owns the main collection
REQUESTER_2 = "OTHER-REQUESTER"
RECORDS_GRANTEE = "CARE-INSPECTORATE"
AGGREGATES_GRANTEE = "AUDIT-SCOTLAND"
END_USER_ORG = "DEMO-RESEARCH"
PLATFORM = "LDP"

# The fields of the field-level grants; everything else of the spec stays hidden.
GRANTED_FIELDS = ("child.child_id", "child.sex")
MISSING_ID = "sub_does_not_exist"

CHILDREN = 12  # per council in the main and published collections


@dataclass
class World:
    tokens: dict[str, str | None] = field(default_factory=dict)  # actor -> bearer token
    ids: dict[str, str] = field(default_factory=dict)  # target name -> id
    # Councils that have submitted to each collection target (what its owner sees).
    submitted: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def token(self, actor: str) -> str | None:
        return self.tokens[actor]

    def id(self, target: str) -> str:
        return self.ids.get(target, target)


def _failing_return(council: str) -> dict[str, Any]:
    records = flow.children(CHILDREN, council)
    # An error on a field the grants do not share, so a leak of it would be visible.
    records["child"][0]["date_of_birth"] = "not-a-date"
    return records


def _return_with_queries(council: str, count: int = 2) -> dict[str, Any]:
    records = flow.children(CHILDREN, council, "FM")
    for child in records["child"][:count]:
        child["scn"] = None  # CLAS-013Q: query severity, explainable, not an error
    return records


async def _submitted(api: Api, token: str, collection: str, records: dict[str, Any]) -> Any:
    payload = await flow.submit(api, token, collection, records)
    assert payload["errors"] == [], payload["errors"]
    return payload


async def _validated(api: Api, owner: str, submission: str) -> None:
    payload = await flow.mark_validated(api, owner, submission)
    assert payload["errors"] == [], payload["errors"]


async def _granted(api: Api, owner: str, collection: str, **values: Any) -> str:
    payload = await flow.grant(api, owner, collection, **values)
    assert payload["errors"] == [], payload["errors"]
    return str(payload["grant"]["id"])


async def build(api: Api) -> World:
    world = World()
    for code, kind in (
        (REQUESTER_1, OrganisationKind.REQUESTER),
        (REQUESTER_2, OrganisationKind.REQUESTER),
        (RECORDS_GRANTEE, OrganisationKind.REQUESTER),
        (AGGREGATES_GRANTEE, OrganisationKind.REQUESTER),
        (END_USER_ORG, OrganisationKind.OTHER),
    ):
        await flow.organisation(api, code, kind)
    r1 = await api.token(REQUESTER_1, Role.REQUESTER)
    r2 = await api.token(REQUESTER_2, Role.REQUESTER)
    council = {code: await flow.council_token(api, code) for code in (COUNCIL_A, COUNCIL_B)}
    council[COUNCIL_C] = await flow.council_token(api, COUNCIL_C)
    world.tokens = {
        "council_A": council[COUNCIL_A],
        "council_B": council[COUNCIL_B],
        "council_C": council[COUNCIL_C],
        "requester_1": r1,
        "requester_2": r2,
        "records_grantee": await api.token(RECORDS_GRANTEE, Role.REQUESTER),
        "aggregates_grantee": await api.token(AGGREGATES_GRANTEE, Role.REQUESTER),
        "admin": await api.token(PLATFORM, Role.ADMIN),
        "end_user": await api.token(END_USER_ORG, Role.END_USER),
        "anonymous": None,
    }
    ab = [COUNCIL_A, COUNCIL_B]

    # The main collection: A validated on its second version, B only submitted, under review.
    main = (await flow.create_collection(api, r1, councilCodes=ab, title="Main"))["id"]
    await _submitted(api, council[COUNCIL_A], main, _failing_return(COUNCIL_A))
    # Its validated version keeps a query-severity issue on a field no grant shares.
    a_main = await _submitted(api, council[COUNCIL_A], main, _return_with_queries(COUNCIL_A, 1))
    await _validated(api, r1, a_main["submission"]["id"])
    b_main = await _submitted(api, council[COUNCIL_B], main, _return_with_queries(COUNCIL_B))
    problems = [i["problemId"] for i in b_main["report"]["issues"] if i["ruleId"] == "CLAS-013Q"]
    assert len(problems) == 2, b_main["report"]
    b_sub = b_main["submission"]["id"]
    queries = {}
    for name in ("query_to_answer", "query_to_follow_up", "query_to_resolve"):
        raised = await flow.raise_query(api, r1, b_sub, f"{name}?", entity="child", recordKey="C1")
        assert raised["errors"] == [], raised["errors"]
        queries[name] = raised["dataQuery"]["id"]
    answered = await flow.on_query(
        api, flow.ANSWER_DATA_QUERY, council[COUNCIL_B], queries["query_to_follow_up"]
    )
    assert answered["errors"] == [], answered["errors"]
    explained = await api.graphql(
        EXPLAIN,
        {"input": {"submissionId": b_sub, "problemId": problems[0], "explanation": "Right."}},
        council[COUNCIL_B],
    )
    assert explained["explainIssue"]["errors"] == [], explained
    records_grant = await _granted(
        api, r1, main, grantee=RECORDS_GRANTEE, level="RECORDS", fields=list(GRANTED_FIELDS)
    )
    await _granted(api, r1, main, grantee=AGGREGATES_GRANTEE, level="AGGREGATES")

    # The other requester's collection, asking A, B and C.
    other = (
        await flow.create_collection(
            api, r2, councilCodes=[COUNCIL_A, COUNCIL_B, COUNCIL_C], title="Other"
        )
    )["id"]
    a_other = await _submitted(api, council[COUNCIL_A], other, flow.children(4, COUNCIL_A))
    b_other = await _submitted(api, council[COUNCIL_B], other, flow.children(4, COUNCIL_B))
    other_grant = await _granted(api, r2, other, grantee=END_USER_ORG, level="AGGREGATES")

    # A collection of the other requester kept for its owner to publish (an allow cell).
    to_publish = (await flow.create_collection(api, r2, councilCodes=[COUNCIL_A]))["id"]
    a_to_publish = await _submitted(
        api, council[COUNCIL_A], to_publish, flow.children(4, COUNCIL_A)
    )
    await _validated(api, r2, a_to_publish["submission"]["id"])

    # A published collection of the main requester; the platform holds a field-level grant.
    published = (await flow.create_collection(api, r1, councilCodes=ab, title="Published"))["id"]
    published_subs = {}
    for code in ab:
        done = await _submitted(api, council[code], published, _return_with_queries(code, 1))
        await _validated(api, r1, done["submission"]["id"])
        published_subs[code] = done["submission"]["id"]
    assert (await flow.publish(api, r1, published))["errors"] == []
    await _granted(
        api, r1, published, grantee=PLATFORM, level="RECORDS", fields=list(GRANTED_FIELDS)
    )

    # Not open yet: submitting is a state refusal, not a permission one.
    today = dt.date.today()
    future = (
        await flow.create_collection(
            api,
            r1,
            councilCodes=[COUNCIL_A],
            opensOn=(today + dt.timedelta(days=30)).isoformat(),
            dueOn=(today + dt.timedelta(days=90)).isoformat(),
        )
    )["id"]
    events = (await flow.create_collection(api, r1, councilCodes=[COUNCIL_A], title="Events"))["id"]

    # The owner reads every record once, so each council has a read of its data to audit.
    await api.graphql(
        "query ($id: ID!) { collection(id: $id) { clas { child { totalCount } } } }",
        {"id": main},
        r1,
    )

    world.ids = {
        "main_collection": main,
        "other_requesters_collection": other,
        "collection_to_publish": to_publish,
        "published_collection": published,
        "not_yet_open_collection": future,
        "events_collection": events,
        "missing_collection": "col_does_not_exist",
        "A_in_main": a_main["submission"]["id"],
        "B_in_main": b_sub,
        "A_in_other": a_other["submission"]["id"],
        "B_in_other": b_other["submission"]["id"],
        "A_in_published": published_subs[COUNCIL_A],
        "missing_submission": MISSING_ID,
        "problem_to_explain": problems[1],
        "explanation_to_review": explained["explainIssue"]["explanation"]["id"],
        "records_grant": records_grant,
        "other_collections_grant": other_grant,
        **queries,
    }
    world.submitted = {
        "main_collection": (COUNCIL_A, COUNCIL_B),
        "published_collection": (COUNCIL_A, COUNCIL_B),
        "other_requesters_collection": (COUNCIL_A, COUNCIL_B),
    }
    return world


EXPLAIN = """
mutation ($input: ExplainIssueInput!) {
  explainIssue(input: $input) {
    explanation { id problemId state }
    errors { __typename message field }
  }
}
"""
