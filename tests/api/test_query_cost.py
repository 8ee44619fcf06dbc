"""The computed query cost: lists multiply by their page size; costly operations never run."""

from __future__ import annotations

import json
import time

from graphql import GraphQLSchema, parse
from graphql import build_schema as build_sdl

from ldp_graph.config import Settings
from ldp_graph.graphql.cost import operation_costs
from ldp_graph.graphql.schema import build_schema
from tests.api import flow
from tests.api.test_limits import _post_with
from tests.conftest import Api

SDL = """
type Query {
  items(first: Int = 10): ItemConnection!
  tags: [String!]!
  things: [Thing!]!
  report(maxIssues: Int! = 5): Report!
}
type ItemConnection { nodes: [Item!]! edges: [Edge!]! pageInfo: PageInfo! }
type Edge { node: Item! }
type Item { id: ID! name: String! children(first: Int = 10): ItemConnection! }
type Thing { a: Int things: [Thing!]! }
type PageInfo { hasNextPage: Boolean! }
type Report { valid: Boolean! issues: [Thing!]! }
"""

SMALL = build_sdl(SDL)


def cost_of(
    query: str,
    variables: dict | None = None,
    *,
    schema: GraphQLSchema = SMALL,
    list_size: int = 20,
) -> int:
    [(_, cost)] = operation_costs(schema, parse(query), variables, list_size=list_size)
    return cost


def test_each_object_costs_one_and_scalars_and_scalar_lists_cost_nothing() -> None:
    assert cost_of("{ tags report { valid } }") == 1


def test_page_size_multiplies_the_lists_just_below_a_connection() -> None:
    query = (
        "{ items(first: 3) { nodes { id name } edges { node { id } } pageInfo { hasNextPage } } }"
    )

    # items 1 + nodes 3 x 1 + edges 3 x (edge 1 + node 1) + pageInfo 1
    assert cost_of(query) == 1 + 3 + 6 + 1


def test_page_size_defaults_to_the_arguments_default_when_absent() -> None:
    assert cost_of("{ items { nodes { id } } }") == 1 + 10


def test_page_size_is_read_from_variables_and_variable_defaults() -> None:
    query = "query ($n: Int) { items(first: $n) { nodes { id } } }"

    assert cost_of(query, {"n": 7}) == 1 + 7
    assert cost_of("query ($n: Int = 4) { items(first: $n) { nodes { id } } }") == 1 + 4
    assert cost_of(query, {}) == 1 + 10  # a missing variable: the argument's default


def test_page_size_that_is_not_an_integer_counts_the_default() -> None:
    # Such a value fails coercion before execution; the cost must not crash meanwhile.
    query = "query ($n: Int) { items(first: $n) { nodes { id } } }"

    assert cost_of(query, {"n": "lots"}) == 1 + 10
    assert cost_of(query, {"n": True}) == 1 + 10


def test_page_size_sent_as_a_whole_float_counts_as_the_int_that_runs() -> None:
    # JSON's 10000.0 and 1e4 decode to floats, which graphql-core accepts for an Int.
    query = "query ($n: Int) { items(first: $n) { nodes { id } } }"

    assert cost_of(query, {"n": 7.0}) == 1 + 7
    assert cost_of(query, {"n": 1e4}) == 1 + 10_000
    assert cost_of(query, {"n": 7.5}) == 1 + 10  # refused by coercion: the default
    assert cost_of(query, {"n": float("inf")}) == 1 + 10


def test_max_issues_sizes_the_report_issues() -> None:
    assert cost_of("{ report(maxIssues: 1000) { valid issues { a } } }") == 1 + 1000


def test_list_without_page_size_assumes_the_configured_length() -> None:
    assert cost_of("{ things { a } }", list_size=20) == 20
    assert cost_of("{ things { a } }", list_size=3) == 3


def test_nested_lists_multiply() -> None:
    query = """{ items(first: 100) { nodes { children(first: 100) { nodes {
      children(first: 100) { nodes { id } } } } } } }"""

    assert cost_of(query) > 100 * 100 * 100


def test_fragments_and_inline_fragments_cost_what_they_select() -> None:
    plain = cost_of("{ items(first: 9) { nodes { id name } } }")

    named = cost_of(
        "{ items(first: 9) { ...Page } } "
        "fragment Page on ItemConnection { nodes { ...Names } } "
        "fragment Names on Item { id name }"
    )
    inline = cost_of("{ items(first: 9) { ... on ItemConnection { nodes { ... { id name } } } } }")

    assert named == inline == plain


def test_fragment_spread_twice_counts_twice() -> None:
    fragment = "fragment F on Item { children { pageInfo { hasNextPage } } }"
    once = cost_of("{ items(first: 9) { nodes { ...F } } } " + fragment)
    twice = cost_of("{ items(first: 9) { nodes { ...F ...F } } } " + fragment)

    assert twice - once == 9 * 2  # each item's children connection and its pageInfo


def test_fragments_doubling_at_every_level_cost_linear_time() -> None:
    levels = 40
    fragments = " ".join(
        f"fragment F{i} on Thing {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    )
    last = f"fragment F{levels} on Thing {{ things {{ a }} }}"
    query = f"{{ things {{ ...F0 }} }} {fragments} {last}"

    started = time.monotonic()
    cost = cost_of(query)

    assert cost == 20 * (1 + 2**levels * 20)
    assert time.monotonic() - started < 1


def test_cyclic_fragments_do_not_hang_the_cost() -> None:
    # Validation refuses the cycle; the cost, computed alongside, must still finish.
    query = (
        "{ things { ...A } } fragment A on Thing { things { ...B } } fragment B on Thing { ...A }"
    )

    assert cost_of(query) == 20 * (1 + 20 * (1 + 0))


def test_introspection_and_typename_cost_nothing() -> None:
    assert cost_of("{ __typename __schema { types { fields { name } } } }") == 0


def test_entities_cost_multiplies_by_the_number_of_representations() -> None:
    schema = build_schema(Settings())._schema
    query = """query ($r: [_Any!]!) { _entities(representations: $r) {
      ... on Organisation { code name } } }"""
    representations = [{"__typename": "Organisation", "code": f"S{i}"} for i in range(30)]

    assert cost_of(query, {"r": representations}, schema=schema) == 30


def test_lists_the_service_caps_are_costed_at_their_cap() -> None:
    # A version diff lists up to 1000 records each way; issue changes up to 100 of each kind.
    schema = build_schema(Settings())._schema
    diff = '{ versionDiff(submissionId: "s", from: 1, to: 2) { added { key } } }'
    changes = '{ submission(id: "s") { versions { issueChanges { fixed { ruleId } } } } }'

    assert cost_of(diff, schema=schema) == 1 + 1000
    assert cost_of(changes, schema=schema) == 1 + 20 * (1 + 1 + 100)


FULL_PAGE = """
query ($id: ID!, $n: Int!) { collection(id: $id) { clas { child(first: $n) { nodes {
  childId council scn dateOfBirth
  sex { code label } ethnicity { code label } disability { code label }
  meta { key line entity versionNumber submissionId }
} } } } }
"""

# Every council's submission, every version, a full report each: 20 x 20 x 10,000 issues.
EVERY_REPORT = """
query ($n: Int!) { calendar { collection { submissions { versions {
  report(maxIssues: $n) { issues { ruleId message } } } } } } }
"""

CREATE_WITH_COSTLY_PAYLOAD = """
mutation ($input: CreateCollectionInput!) { createCollection(input: $input) {
  collection { submissions { versions { report(maxIssues: 10000) { issues { ruleId } } } } }
  errors { message } } }
"""


def _costly(body: dict) -> dict:
    [error] = body["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"
    return error


async def test_ten_thousand_records_of_twenty_fields_in_one_page_are_allowed(api: Api) -> None:
    body = (await api.post(FULL_PAGE, {"id": "1", "n": 10_000})).json()

    assert "errors" not in body, body


async def test_costly_query_is_refused_with_its_cost_and_limit_before_any_sql(
    api: Api, settings: Settings
) -> None:
    with api.count_statements() as statements:
        body = (await api.post(EVERY_REPORT, {"n": 10_000})).json()

    error = _costly(body)
    assert body.get("data") is None
    assert error["extensions"]["maxCost"] == settings.max_query_cost
    assert f"cost {error['extensions']['cost']}" in error["message"]
    assert f"limit of {settings.max_query_cost}" in error["message"]
    assert statements == []  # no resolver ran


def _pages(count: int) -> str:
    """FULL_PAGE asking for `count` pages of children under aliases."""
    page = FULL_PAGE[FULL_PAGE.index("child(first") : FULL_PAGE.rindex("} } }")]
    return FULL_PAGE.replace(page, " ".join(f"p{i}: {page}" for i in range(count)))


async def test_four_full_pages_in_one_operation_are_allowed(api: Api) -> None:
    body = (await api.post(_pages(4), {"id": "1", "n": 10_000})).json()

    assert "errors" not in body, body


async def test_five_full_pages_are_refused_when_their_size_is_sent_as_a_float(api: Api) -> None:
    # Five 10,000-record pages cost a little over 50,000; at the default page size they pass.
    for n in ("10000", "10000.0", "1e4"):
        response = await api.client.post(
            "/graphql",
            content=f'{{"query": {json.dumps(_pages(5))}, "variables": {{"id": "1", "n": {n}}}}}',
            headers={"Content-Type": "application/json"},
        )
        _costly(response.json())
    assert "errors" not in (await api.post(_pages(5), {"id": "1", "n": 100})).json()


async def test_same_query_with_a_small_page_variable_runs(api: Api) -> None:
    body = (await api.post(EVERY_REPORT, {"n": 1})).json()

    assert "errors" not in body, body


async def test_costly_mutation_is_refused_and_changes_nothing(api: Api) -> None:
    owner = await flow.requester_token(api)

    body = (
        await api.post(CREATE_WITH_COSTLY_PAYLOAD, {"input": flow.collection_input()}, owner)
    ).json()

    _costly(body)
    assert (await api.graphql("{ calendar { collection { id } } }", token=owner))["calendar"] == []


async def test_only_the_operation_asked_for_is_costed(api: Api) -> None:
    document = "query Cheap { me { role } } " + EVERY_REPORT.replace("query (", "query Costly(")

    cheap = await api.client.post(
        "/graphql",
        json={"query": document, "operationName": "Cheap", "variables": {"n": 10_000}},
    )
    costly = await api.client.post(
        "/graphql",
        json={"query": document, "operationName": "Costly", "variables": {"n": 10_000}},
    )

    assert "errors" not in cheap.json(), cheap.json()
    _costly(costly.json())


async def test_cost_limit_is_settable(settings: Settings) -> None:
    tight = settings.model_copy(update={"max_query_cost": 5})

    body = await _post_with(tight, "{ organisations { code name } }")

    assert _costly(body)["extensions"]["cost"] == 20


async def test_costly_query_is_a_request_error_for_graphql_response_clients(api: Api) -> None:
    response = await api.client.post(
        "/graphql",
        json={"query": EVERY_REPORT, "variables": {"n": 10_000}},
        headers={"Accept": "application/graphql-response+json"},
    )

    assert response.status_code == 400
    _costly(response.json())


def test_record_values_cost_nothing_of_their_own_but_what_they_fetch_counts() -> None:
    # Code values and meta are completed from the record already read; meta's council is
    # an organisation fetched per record.
    schema = build_schema(Settings())._schema
    values = '{ collection(id: "c") { clas { child(first: 100) { nodes { sex { code } '
    council = values + "meta { council { code } } "

    assert cost_of(values + "} } } } }", schema=schema) == 1 + 1 + 1 + 100
    assert cost_of(council + "} } } } }", schema=schema) == 1 + 1 + 1 + 100 * 2


def test_a_reused_document_is_costed_again_for_other_variables_and_kept_without() -> None:
    sized = parse("query ($n: Int) { items(first: $n) { nodes { id } } }")
    costs = [
        cost for n in (2, 7, 2) for _, cost in operation_costs(SMALL, sized, {"n": n}, list_size=20)
    ]
    assert costs == [1 + 2, 1 + 7, 1 + 2]
    fixed = parse("{ items(first: 3) { nodes { id } } }")
    for list_size in (20, 20, 5):  # kept per schema and list size
        [(_, cost)] = operation_costs(SMALL, fixed, None, list_size=list_size)
        assert cost == 1 + 3
    [(_, cost)] = operation_costs(SMALL, parse("{ things { a } }"), None, list_size=20)
    assert cost == 20
    reused = parse("{ things { a } }")
    assert [c for _, c in operation_costs(SMALL, reused, None, list_size=20)] == [20]
    assert [c for _, c in operation_costs(SMALL, reused, None, list_size=5)] == [5]
