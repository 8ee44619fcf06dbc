"""Root fields, mutations and `_entities` representations per request are limited before any
resolver runs: over a limit the request is refused with its code, count and limit; at it, it runs.
"""

from __future__ import annotations

from typing import Any

import httpx

from ldp_graph.app import create_app
from ldp_graph.config import Settings
from tests.api import flow
from tests.api.test_limits import _post_with
from tests.conftest import Api

# Six different root fields and fifteen aliases (the alias limit): 21 root fields.
DIFFERENT = [
    "me { role }",
    "organisations { code }",
    "returnSpecs { id }",
    "calendar { collection { id } }",
    "_service { sdl }",
    'organisation(code: "S12000033") { name }',
]


def _root_fields(count: int) -> str:
    aliased = [f"m{i}: me {{ role }}" for i in range(count - len(DIFFERENT))]
    return "{ " + " ".join(DIFFERENT + aliased) + " }"


def _create_many(count: int) -> str:
    fields = " ".join(
        f"c{i}: createCollection(input: $input) {{ collection {{ id }} errors {{ message }} }}"
        for i in range(count)
    )
    return f"mutation Many($input: CreateCollectionInput!) {{ {fields} }}"


ENTITIES = """
query ($r: [_Any!]!) { _entities(representations: $r) { ... on Organisation { code } } }
"""


def _references(count: int) -> list[dict[str, str]]:
    return [{"__typename": "Organisation", "code": flow.COUNCILS[i % 3]} for i in range(count)]


def _refused(body: dict[str, Any], code: str) -> dict[str, Any]:
    assert body.get("data") is None, body
    [error] = body["errors"]
    assert error["extensions"]["code"] == code, error
    return error


async def test_more_root_fields_than_the_limit_are_refused_before_any_sql(
    api: Api, settings: Settings
) -> None:
    assert settings.max_root_fields == 20

    with api.count_statements() as statements:
        body = (await api.post(_root_fields(21))).json()

    error = _refused(body, "TOO_MANY_ROOT_FIELDS")
    assert error["extensions"] == {
        "code": "TOO_MANY_ROOT_FIELDS",
        "rootFields": 21,
        "maxRootFields": 20,
    }
    assert "21 root fields, over the limit of 20" in error["message"]
    assert statements == []  # no resolver ran


async def test_as_many_root_fields_as_the_limit_run(api: Api) -> None:
    data = await api.graphql(_root_fields(20))

    assert len(data) == 20


async def test_root_fields_are_counted_as_they_run(settings: Settings) -> None:
    two = settings.model_copy(update={"max_root_fields": 2})
    # One response key asked for twice runs once; introspection is not counted.
    merged = "{ me { role } me { organisation { code } } __typename organisations { code } }"
    # Fragments at the root, named and inline, are expanded.
    spread = (
        "{ me { role } ...F ... on Query { calendar { collection { id } } } } "
        "fragment F on Query { organisations { code } }"
    )

    assert "errors" not in await _post_with(two, merged)
    error = _refused(await _post_with(two, spread), "TOO_MANY_ROOT_FIELDS")
    assert error["extensions"]["rootFields"] == 3
    assert error["extensions"]["maxRootFields"] == 2


async def test_more_mutations_than_the_limit_are_refused_and_change_nothing(
    api: Api, settings: Settings
) -> None:
    assert settings.max_mutations == 4
    owner = await flow.requester_token(api)

    body = (await api.post(_create_many(5), {"input": flow.collection_input()}, owner)).json()

    error = _refused(body, "TOO_MANY_MUTATIONS")
    assert error["extensions"] == {"code": "TOO_MANY_MUTATIONS", "mutations": 5, "maxMutations": 4}
    assert "5 mutations, over the limit of 4" in error["message"]
    assert (await api.graphql("{ calendar { collection { id } } }", token=owner))["calendar"] == []


async def test_as_many_mutations_as_the_limit_run(api: Api) -> None:
    owner = await flow.requester_token(api)

    data = await api.graphql(_create_many(4), {"input": flow.collection_input()}, owner)

    assert all(payload["errors"] == [] for payload in data.values())
    calendar = (await api.graphql("{ calendar { collection { id } } }", token=owner))["calendar"]
    assert len(calendar) == 4


async def test_only_the_operation_asked_for_counts_its_mutations(api: Api) -> None:
    owner = await flow.requester_token(api)
    document = _create_many(5) + " " + _create_many(1).replace("Many", "One")

    response = await api.client.post(
        "/graphql",
        json={
            "query": document,
            "operationName": "One",
            "variables": {"input": flow.collection_input()},
        },
        headers={"Authorization": f"Bearer {owner}"},
    )

    assert "errors" not in response.json(), response.json()


async def test_mutation_limit_is_settable_and_a_request_error_for_graphql_response_clients(
    settings: Settings, api: Api
) -> None:
    owner = await flow.requester_token(api)
    app = create_app(settings.model_copy(update={"max_mutations": 1}))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        response = await client.post(
            "/graphql",
            json={"query": _create_many(2), "variables": {"input": flow.collection_input()}},
            headers={
                "Authorization": f"Bearer {owner}",
                "Accept": "application/graphql-response+json",
            },
        )

    assert response.status_code == 400
    assert _refused(response.json(), "TOO_MANY_MUTATIONS")["extensions"]["maxMutations"] == 1
    assert (await api.graphql("{ calendar { collection { id } } }", token=owner))["calendar"] == []


async def test_more_representations_than_the_limit_are_refused_before_any_sql(
    api: Api, settings: Settings
) -> None:
    assert settings.max_entity_representations == 100

    with api.count_statements() as statements:
        body = (await api.post(ENTITIES, {"r": _references(101)})).json()

    error = _refused(body, "TOO_MANY_REPRESENTATIONS")
    assert error["extensions"] == {
        "code": "TOO_MANY_REPRESENTATIONS",
        "representations": 101,
        "maxRepresentations": 100,
    }
    assert "101 representations to _entities, over the limit of 100" in error["message"]
    assert statements == []


async def test_as_many_representations_as_the_limit_resolve(api: Api) -> None:
    data = await api.graphql(ENTITIES, {"r": _references(100)})

    assert [entity["code"] for entity in data["_entities"]] == [r["code"] for r in _references(100)]


async def test_representations_are_counted_over_every_entities_field(settings: Settings) -> None:
    ten = settings.model_copy(update={"max_entity_representations": 10})
    literal = ", ".join(f'{{__typename: "Organisation", code: "S{i}"}}' for i in range(6))
    # Six literal ones under one name and six under an alias: twelve, over ten.
    twice = (
        f"{{ _entities(representations: [{literal}]) {{ __typename }} "
        f"again: _entities(representations: [{literal}]) {{ __typename }} }}"
    )
    once = f"{{ _entities(representations: [{literal}]) {{ __typename }} }}"

    error = _refused(await _post_with(ten, twice), "TOO_MANY_REPRESENTATIONS")
    assert error["extensions"]["representations"] == 12
    assert "errors" not in await _post_with(ten, once)
