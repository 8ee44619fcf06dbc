"""The fast completion of plain objects (graphql/execution.py) answers exactly as graphql-core.

Every operation here runs through two apps on one database: the default one, and one with
`fast_completion` off (graphql-core's own executor). The whole HTTP responses must be equal:
data, nulls, errors and their paths, for aliases, fragments, repeated fields, directives,
typenames, fields outside a grant and values that did not parse.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import strawberry
from graphql import GraphQLError, GraphQLInt, GraphQLString

from ldp_graph.app import create_app
from ldp_graph.config import Settings
from ldp_graph.domain.organisations import OrganisationKind
from ldp_graph.domain.roles import Role
from ldp_graph.graphql import completion_plans
from ldp_graph.graphql.execution import FastCompletion
from tests.api import flow
from tests.conftest import Api

INSPECTORATE = "CARE-INSPECTORATE"

EVERY_FIELD = """
query ($id: ID!) { collection(id: $id) { clas { child(first: 50) { totalCount nodes {
  __typename childId council scn dateOfBirth sex { code label } ethnicity { code label }
  disability { code label }
  meta { key line entity versionNumber submissionId raw council { code name kind } }
} } } } }
"""

ALIASES_AND_REPEATS = """
query ($id: ID!) { collection(id: $id) { clas { child(first: 50) { nodes {
  id: childId again: childId childId __typename
  sex { code } sex { label } gender: sex { __typename c: code }
  meta { __typename key } meta { line }
} } } } }
"""

FRAGMENTS = """
query ($id: ID!) { collection(id: $id) { clas {
  child(first: 50) { nodes { ...Child ... on ClasChild { dateOfBirth } ... { scn } } }
  episode(first: 50) { edges { cursor node { episodeId startDate endDate carePlan
    destination { ...Code } } } pageInfo { hasNextPage endCursor } }
} } }
fragment Child on ClasChild { childId sex { ...Code } meta { ...Meta } }
fragment Code on CodeValue { code label }
fragment Meta on RecordMeta { entity versionNumber }
"""

DIRECTIVES = """
query ($id: ID!, $yes: Boolean!, $no: Boolean!) { collection(id: $id) { clas {
  child(first: 50) { nodes {
    childId @include(if: $yes) scn @include(if: $no) dateOfBirth @skip(if: $yes)
    sex @skip(if: $no) { code label @include(if: $no) }
    ... on ClasChild @include(if: $no) { council }
    ...Ethnicity @skip(if: $no)
  } }
} } }
fragment Ethnicity on ClasChild { ethnicity { code } }
"""

WITH_A_RESOLVER_FIELD = """
query ($id: ID!) { collection(id: $id) { clas { placement(first: 50) { edges { cursor node {
  placementId startDate placementType { code label } meta { line council { code name } }
} } } } } }
"""

# Each record's council is one shared value: completed once per selection, under aliases and
# repeats, and the same either way.
SHARED_COUNCILS = """
query ($id: ID!) { collection(id: $id) { clas { child(first: 50) { nodes {
  meta { council { code } c: council { n: name code __typename } council { kind } }
  again: meta { council { name } }
} } } } }
"""

OPERATIONS = {
    "every field": EVERY_FIELD,
    "aliases and repeats": ALIASES_AND_REPEATS,
    "fragments": FRAGMENTS,
    "directives": DIRECTIVES,
    "a field with a resolver inside": WITH_A_RESOLVER_FIELD,
    "shared councils": SHARED_COUNCILS,
}


def _messy_return(council: str) -> dict[str, Any]:
    """Values that do not parse, codes outside their lists, blanks and padding."""
    records = flow.children(4, council)
    records["child"][0]["date_of_birth"] = "not-a-date"
    records["child"][1]["sex"] = "Q"  # outside the code list: a label of null
    records["child"][2]["scn"] = None
    records["child"][3]["ethnicity"] = "  WS  "
    records["episode"][0]["care_plan"] = "perhaps"
    return records


@pytest.fixture
async def reference(api: Api, settings: Settings) -> AsyncIterator[Api]:
    """The same database served by graphql-core's own executor."""
    app = create_app(settings.model_copy(update={"fast_completion": False}))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client,
    ):
        yield Api(client=client, database=api.database, app=app)


@pytest.fixture
async def world(api: Api) -> dict[str, Any]:
    owner = await flow.requester_token(api)
    collection = await flow.create_collection(api, owner)
    clean, messy = flow.COUNCILS[0], flow.COUNCILS[1]
    clean_payload = await flow.submit(
        api, await flow.council_token(api, clean), collection["id"], flow.children(3, clean)
    )
    validated = await flow.mark_validated(api, owner, clean_payload["submission"]["id"])
    assert validated["errors"] == [], validated
    await flow.submit(
        api, await flow.council_token(api, messy), collection["id"], _messy_return(messy)
    )
    await flow.organisation(api, INSPECTORATE, OrganisationKind.REQUESTER)
    await flow.grant(
        api,
        owner,
        collection["id"],
        grantee=INSPECTORATE,
        level="RECORDS",
        fields=["child.child_id", "child.sex", "placement.placement_id"],
    )
    return {
        "collection": collection["id"],
        "tokens": {
            "owner": owner,
            "council": await flow.council_token(api, messy),
            "grantee": await api.token(INSPECTORATE, Role.REQUESTER),
        },
    }


async def _both(api: Api, reference: Api, query: str, variables: dict[str, Any], token: str):
    fast = await api.post(query, variables, token)
    slow = await reference.post(query, variables, token)
    return fast, slow


@pytest.mark.parametrize("reader", ["owner", "council", "grantee"])
@pytest.mark.parametrize("operation", OPERATIONS)
async def test_fast_completion_answers_exactly_as_graphql_core(
    api: Api, reference: Api, world: dict[str, Any], operation: str, reader: str
) -> None:
    variables = {"id": world["collection"], "yes": True, "no": False}

    fast, slow = await _both(
        api, reference, OPERATIONS[operation], variables, world["tokens"][reader]
    )

    assert fast.status_code == slow.status_code == 200
    assert fast.json() == slow.json()
    assert "errors" not in fast.json(), fast.json()


async def test_the_comparison_sees_records_nulls_and_hidden_fields(
    api: Api, world: dict[str, Any]
) -> None:
    # Guards the test above against comparing two empty answers.
    variables = {"id": world["collection"]}
    owner = await api.graphql(EVERY_FIELD, variables, world["tokens"]["owner"])
    grantee = await api.graphql(EVERY_FIELD, variables, world["tokens"]["grantee"])

    nodes = owner["collection"]["clas"]["child"]["nodes"]
    assert len(nodes) == 7
    assert {n["meta"]["council"]["code"] for n in nodes} == set(flow.COUNCILS[:2])
    assert all(n["meta"]["council"]["kind"] == "COUNCIL" for n in nodes)
    assert any(n["dateOfBirth"] is None and n["meta"]["raw"]["date_of_birth"] for n in nodes)
    assert {"code": "Q", "label": None} in [n["sex"] for n in nodes]
    hidden = grantee["collection"]["clas"]["child"]["nodes"]
    assert len(hidden) == 3
    assert all(n["dateOfBirth"] is None and n["sex"]["code"] for n in hidden)


async def test_a_record_list_is_read_in_the_same_statements_either_way(
    api: Api, reference: Api, world: dict[str, Any]
) -> None:
    variables = {"id": world["collection"]}
    token = world["tokens"]["owner"]
    for app in (api, reference):  # each has read the organisations it keeps (see services)
        await app.post(WITH_A_RESOLVER_FIELD, variables, token)
    with api.count_statements() as fast:
        await api.post(WITH_A_RESOLVER_FIELD, variables, token)
    with reference.count_statements() as slow:
        await reference.post(WITH_A_RESOLVER_FIELD, variables, token)

    assert len(fast) == len(slow)


@strawberry.type(description="A plain object, as the fast completion takes them.")
class Item:
    name: str = strawberry.field(description="Never null.")
    size: int | None = strawberry.field(description="A 32-bit integer or null.")
    tags: list[str] = strawberry.field(description="A list: graphql-core completes it.")
    parent: Item | None = strawberry.field(description="Another item.")


class Exploding:
    """An item whose `size` raises, like a bug in a property."""

    name = "boom"
    tags: list[str] = []
    parent = None

    @property
    def size(self) -> int:
        raise RuntimeError("size failed")


ITEMS: list[Any] = [
    Item(name="a", size=1, tags=["x"], parent=None),
    Item(name="b", size=None, tags=[], parent=Item(name="c", size=2, tags=[], parent=None)),
    Item(name=None, size=3, tags=[], parent=None),  # type: ignore[arg-type]  # null in non-null
    Item(name="d", size=2**40, tags=[], parent=None),  # beyond GraphQL's Int
    Exploding(),
]


@strawberry.type(description="Root.")
class ItemQuery:
    @strawberry.field(description="Items, some of them broken.")
    def items(self) -> list[Item]:
        return ITEMS

    @strawberry.field(description="Items that are all sound.")
    def sound(self) -> list[Item]:
        return ITEMS[:2]


@pytest.mark.parametrize(
    "query",
    [
        "{ sound { name size parent { name size } } }",
        "{ sound { n: name ...F parent { ...F } } } fragment F on Item { size __typename }",
        "{ sound { name tags } }",
        "{ items { name } }",
        "{ items { size } }",
        "{ items { name size tags parent { name } } }",
    ],
)
def test_errors_nulls_and_paths_are_graphql_cores_own(query: str) -> None:
    fast = strawberry.Schema(query=ItemQuery, execution_context_class=FastCompletion)
    reference = strawberry.Schema(query=ItemQuery)

    got, expected = fast.execute_sync(query), reference.execute_sync(query)

    assert got.data == expected.data
    assert [e.formatted for e in got.errors or []] == [e.formatted for e in expected.errors or []]


async def test_record_pages_do_take_the_fast_path(
    api: Api, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Else the comparisons above would compare graphql-core with itself.
    completed: list[Any] = []
    compile_plan = completion_plans.compile_plan

    def counting(plan: Any) -> Any:
        complete = compile_plan(plan)

        def count(source: Any) -> Any:
            completed.append(source)
            return complete(source)

        return count

    monkeypatch.setattr(completion_plans, "compile_plan", counting)

    await api.graphql(EVERY_FIELD, {"id": world["collection"]}, world["tokens"]["owner"])

    records = [s for s in completed if type(s).__name__ == "ClasChild"]
    assert len(records) == 7


def test_a_compiled_plan_reads_any_attribute_name_and_refuses_nulls_where_non_null() -> None:
    # A spec's field may be named like a Python keyword: its property is read by getattr.
    plan = completion_plans.Plan(
        [
            ("from", "from", False, GraphQLString, str),
            ("n", "n", True, GraphQLInt, int),
            ("t", None, True, "Thing", None),
        ]
    )

    assert plan.complete(SimpleNamespace(**{"from": "x", "n": 3})) == {
        "from": "x",
        "n": 3,
        "t": "Thing",
    }
    assert plan.complete(SimpleNamespace(**{"from": None, "n": 7}))["from"] is None
    with pytest.raises(completion_plans.NotPlain):
        plan.complete(SimpleNamespace(**{"from": "x", "n": None}))
    with pytest.raises(GraphQLError):  # graphql-core's own refusal, seen by FastCompletion
        plan.complete(SimpleNamespace(**{"from": "x", "n": 2**40}))
