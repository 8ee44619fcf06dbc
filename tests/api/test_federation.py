"""ldp-graph is an Apollo Federation v2 subgraph: `_service` and `_entities` work."""

from __future__ import annotations

from tests.conftest import Api

ENTITIES = """
query($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Organisation { code name kind }
  }
}
"""


async def test_service_sdl_declares_organisation_keyed_by_code(api: Api) -> None:
    data = await api.graphql("{ _service { sdl } }")

    sdl = data["_service"]["sdl"]
    assert 'type Organisation @key(fields: "code")' in sdl
    assert "specs.apollo.dev/federation/v2" in sdl


async def test_entities_resolves_organisation_references_in_order(api: Api) -> None:
    representations = [
        {"__typename": "Organisation", "code": "S12000049"},
        {"__typename": "Organisation", "code": "NOPE"},
        {"__typename": "Organisation", "code": "S12000033"},
    ]

    data = await api.graphql(ENTITIES, {"representations": representations})

    assert data["_entities"] == [
        {"code": "S12000049", "name": "Glasgow City", "kind": "COUNCIL"},
        None,
        {"code": "S12000033", "name": "Aberdeen City", "kind": "COUNCIL"},
    ]


async def test_entities_loads_many_references_in_one_statement(api: Api) -> None:
    one = [{"__typename": "Organisation", "code": "S12000049"}]
    all_councils = [
        {"__typename": "Organisation", "code": o["code"]}
        for o in (await api.graphql("{ organisations(kind: COUNCIL) { code } }"))["organisations"]
    ]

    with api.count_statements() as for_one:
        await api.graphql(ENTITIES, {"representations": one})
    with api.count_statements() as for_many:
        data = await api.graphql(ENTITIES, {"representations": all_councils})

    assert len(data["_entities"]) == 32
    assert len(for_many) == len(for_one) == 1
