"""Typed records: councils use their data at once; requesters read every council's as it lands.

Who reads what (and the audit of it); conditions, order and pages are in test_record_queries.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa

from ldp_graph.auth import policy
from ldp_graph.auth.principal import Principal
from ldp_graph.db.repositories.records import FieldFilter, SortKey
from ldp_graph.domain.grants import AccessLevel, Grant
from ldp_graph.domain.organisations import Organisation, OrganisationKind
from ldp_graph.domain.roles import Role
from ldp_graph.domain.submissions import SubmissionState
from ldp_graph.errors import InvalidInput
from ldp_graph.services import collections as collections_service
from ldp_graph.services import records as records_service
from ldp_graph.specs.model import FieldType
from ldp_graph.specs.registry import load_registry
from tests.api import flow
from tests.conftest import Api

TYPED_CHILDREN = """
query ($id: ID!) {
  submission(id: $id) { currentVersion { clas {
    child {
      totalCount
      nodes { childId dateOfBirth sex { code label } disability { code label }
              meta { key line versionNumber council { code } raw } }
    }
  } } }
}
"""

COLLECTION_CHILDREN = """
query ($id: ID!, $councils: [String!], $states: [SubmissionState!]) {
  collection(id: $id) {
    clas(councils: $councils, states: $states) {
      child(orderBy: [{field: CHILD_ID}]) { totalCount nodes { childId meta { council { code } } } }
    }
  }
}
"""


@pytest.fixture
async def returns(api: Api) -> dict[str, Any]:
    return await flow.every_council_submits(api)


async def _typed_children(api: Api, token: str, submission: str) -> Any:
    data = await api.graphql(TYPED_CHILDREN, {"id": submission}, token)
    return data["submission"]["currentVersion"]["clas"]["child"]


async def test_council_reads_its_records_typed_right_after_submitting(
    api: Api, returns: dict[str, Any]
) -> None:
    token = returns["tokens"]["S12000036"]

    found = await _typed_children(api, token, returns["subs"]["S12000036"])

    first = found["nodes"][0]
    assert found["totalCount"] == 5
    assert first["childId"] == "C1"
    assert first["dateOfBirth"] == "2011-03-04"
    assert first["sex"] == {"code": "F", "label": "Female"}
    assert first["meta"]["key"] == "C1"
    assert first["meta"]["council"] == {"code": "S12000036"}
    assert first["meta"]["versionNumber"] == 1


async def test_values_that_do_not_parse_resolve_to_null_and_raw_keeps_them(api: Api) -> None:
    owner = await flow.requester_token(api)
    collection = await flow.create_collection(api, owner)
    token = await flow.council_token(api, "S12000036")
    records = flow.children_by_birth_year(1)
    records["child"][0].update(date_of_birth="04/03/2012", sex="Q")
    submission = (await flow.submit(api, token, collection["id"], records))["submission"]["id"]

    (child,) = (await _typed_children(api, token, submission))["nodes"]

    assert child["dateOfBirth"] is None
    assert child["sex"] == {"code": "Q", "label": None}
    assert child["meta"]["raw"]["date_of_birth"] == "04/03/2012"


async def test_owner_reads_every_councils_records_as_they_arrive_and_filters_by_council(
    api: Api, returns: dict[str, Any]
) -> None:
    variables = {"id": returns["collection"]["id"]}

    everyone = await api.graphql(COLLECTION_CHILDREN, variables, returns["owner"])
    one = await api.graphql(
        COLLECTION_CHILDREN, {**variables, "councils": ["S12000049"]}, returns["owner"]
    )
    failed = await api.graphql(
        COLLECTION_CHILDREN, {**variables, "states": ["PREVALIDATION_FAILED"]}, returns["owner"]
    )

    assert everyone["collection"]["clas"]["child"]["totalCount"] == 15
    codes = {n["meta"]["council"]["code"] for n in one["collection"]["clas"]["child"]["nodes"]}
    assert codes == {"S12000049"}
    assert failed["collection"]["clas"]["child"]["totalCount"] == 0


async def test_owner_reads_a_version_that_failed_prevalidation_the_moment_it_arrives(
    api: Api,
) -> None:
    owner = await flow.requester_token(api)
    collection = (await flow.create_collection(api, owner))["id"]
    records = flow.children_by_birth_year(2, "S12000049")
    records["child"][0]["date_of_birth"] = "yesterday"
    council = await flow.council_token(api, "S12000049")
    state = (await flow.submit(api, council, collection, records))["submission"]["state"]

    failed = await api.graphql(
        COLLECTION_CHILDREN, {"id": collection, "states": ["PREVALIDATION_FAILED"]}, owner
    )

    assert state == "PREVALIDATION_FAILED"
    assert [n["childId"] for n in failed["collection"]["clas"]["child"]["nodes"]] == ["C1", "C2"]


async def test_a_council_reads_only_its_own_records_and_strangers_none(
    api: Api, returns: dict[str, Any]
) -> None:
    variables = {"id": returns["collection"]["id"]}
    stranger = await flow.requester_token(api, "CARE-INSPECTORATE")

    own = await api.graphql(COLLECTION_CHILDREN, variables, returns["tokens"]["S12000036"])
    others = await api.graphql(COLLECTION_CHILDREN, variables, stranger)
    anonymous = await api.graphql(COLLECTION_CHILDREN, variables)

    codes = {n["meta"]["council"]["code"] for n in own["collection"]["clas"]["child"]["nodes"]}
    assert codes == {"S12000036"}
    assert others["collection"]["clas"]["child"]["totalCount"] == 0
    assert anonymous["collection"]["clas"]["child"]["totalCount"] == 0


async def test_every_record_read_is_audited_with_who_and_how_many(
    api: Api, returns: dict[str, Any]
) -> None:
    await api.graphql(COLLECTION_CHILDREN, {"id": returns["collection"]["id"]}, returns["owner"])

    async with api.database.read() as session:
        rows = (
            await session.execute(
                sa.text(
                    "SELECT actor_organisation_code, collection_id, record_count "
                    "FROM audit_events WHERE operation = 'records.read'"
                )
            )
        ).all()
    assert sorted(tuple(r) for r in rows) == [
        (flow.REQUESTER, returns["collection"]["id"], 5),
        (flow.REQUESTER, returns["collection"]["id"], 5),
        (flow.REQUESTER, returns["collection"]["id"], 5),
    ]


NESTED_RECORDS = """
query ($id: ID!) { collection(id: $id) { clas {
  child(first: 1000) { nodes { childId sex { label } meta { versionNumber council { name } } } }
  episode(first: 1000) { nodes { episodeId carePlan meta { council { code } } } }
} } }
"""


async def test_record_queries_run_the_same_statements_for_one_record_or_many(
    api: Api,
) -> None:
    owner = await flow.requester_token(api)
    one = (await flow.create_collection(api, owner, councilCodes=["S12000036"]))["id"]
    many = (await flow.create_collection(api, owner))["id"]
    await flow.submit(
        api, await flow.council_token(api, "S12000036"), one, flow.children_by_birth_year(1)
    )
    for code in flow.COUNCILS:
        await flow.submit(
            api, await flow.council_token(api, code), many, flow.children_by_birth_year(40, code)
        )

    with api.count_statements() as for_one:
        small = await api.graphql(NESTED_RECORDS, {"id": one}, owner)
    with api.count_statements() as for_many:
        large = await api.graphql(NESTED_RECORDS, {"id": many}, owner)

    assert len(small["collection"]["clas"]["child"]["nodes"]) == 1
    assert len(large["collection"]["clas"]["child"]["nodes"]) == 120
    # Each council read gets its own audit event (so each council sees who read its data):
    # that is the only statement that grows, once per council and entity, never per record.
    audit_inserts = [s for s in for_many if s.startswith("INSERT INTO audit_events")]
    assert len(audit_inserts) == 2 * len(flow.COUNCILS)
    assert len(for_many) - len(audit_inserts) == len(for_one) - 2


async def test_a_grantee_filtering_or_sorting_on_a_field_outside_its_grant_is_refused(
    api: Api, returns: dict[str, Any]
) -> None:
    collection = await collections_service.get_collection(api.database, returns["collection"]["id"])
    grant = Grant(
        id="gr_1",
        collection_id=collection.id,
        grantee_code="CARE-INSPECTORATE",
        level=AccessLevel.RECORDS,
        fields=frozenset({"child.child_id", "child.sex"}),
        min_state=SubmissionState.RECEIVED,
        created_by_code=flow.REQUESTER,
        created_at=dt.datetime.now(dt.UTC),
        revoked_at=None,
    )
    grantee = _principal("CARE-INSPECTORATE", OrganisationKind.REQUESTER, Role.REQUESTER)
    access = policy.data_access(grantee, collection, "S12000036", [grant])
    # The versions the owner reads, seen through the grantee's grant: the field rule alone.
    owner = _principal(flow.REQUESTER, OrganisationKind.REQUESTER, Role.REQUESTER)
    owners_scope = await records_service.collection_scope(
        api.database, load_registry(), owner, collection, spec_id="clas"
    )
    assert owners_scope is not None
    scope = dataclasses.replace(
        owners_scope,
        versions=tuple(dataclasses.replace(v, fields=access.fields) for v in owners_scope.versions),
    )

    allowed = await records_service.read_page(
        api.database,
        grantee,
        scope,
        "child",
        filters=[FieldFilter("sex", eq="F", type=FieldType.CODE)],
        order=[SortKey("child_id")],
    )
    with pytest.raises(InvalidInput, match=r"child\.date_of_birth"):
        await records_service.read_page(
            api.database,
            grantee,
            scope,
            "child",
            filters=[FieldFilter("date_of_birth", gte="2012-01-01", type=FieldType.DATE)],
        )
    with pytest.raises(InvalidInput, match=r"child\.scn"):
        await records_service.read_page(
            api.database, grantee, scope, "child", order=[SortKey("scn")]
        )

    assert access.fields == frozenset({"child.child_id", "child.sex"})
    assert allowed.total == 3 * len(flow.COUNCILS)  # C1, C3 and C5 of each council


def _principal(code: str, kind: OrganisationKind, role: Role) -> Principal:
    return Principal(organisation=Organisation(code, code, kind), role=role)
