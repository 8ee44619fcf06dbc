"""GraphQL over HTTP: media types, request-error status codes, 406, no mutations over GET."""

from __future__ import annotations

import httpx
import pytest

from ldp_graph.domain.roles import Role
from tests.conftest import Api

GRAPHQL_RESPONSE = "application/graphql-response+json"


async def _post(api: Api, query: str, accept: str | None) -> httpx.Response:
    headers = {"accept": accept} if accept is not None else {}
    return await api.client.post("/graphql", json={"query": query}, headers=headers)


async def test_the_specification_media_type_is_answered_when_asked_for(api: Api) -> None:
    response = await _post(api, "{ __typename }", GRAPHQL_RESPONSE)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert response.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize("query", ["{ nope }", "{ broken"])
async def test_request_errors_get_400_without_data_under_the_specification_type(
    api: Api, query: str
) -> None:
    response = await _post(api, query, GRAPHQL_RESPONSE)

    assert response.status_code == 400
    assert "data" not in response.json()
    assert response.json()["errors"]


async def test_application_json_keeps_200_for_older_clients(api: Api) -> None:
    for accept in (None, "application/json", "*/*"):
        response = await _post(api, "{ nope }", accept)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/json")


async def test_preference_follows_quality_values(api: Api) -> None:
    prefers_json = await _post(api, "{ __typename }", f"{GRAPHQL_RESPONSE};q=0.5, application/json")
    prefers_spec = await _post(api, "{ __typename }", f"application/json;q=0.5, {GRAPHQL_RESPONSE}")

    assert prefers_json.headers["content-type"].startswith("application/json")
    assert prefers_spec.headers["content-type"].startswith(GRAPHQL_RESPONSE)


async def test_unacceptable_media_types_get_406(api: Api) -> None:
    response = await _post(api, "{ __typename }", "text/xml")

    assert response.status_code == 406


async def test_mutations_are_never_run_over_get(api: Api) -> None:
    mutation = (
        'mutation { validateSubmission(input: {specId: "clas", records: {}}) '
        "{ errors { message } } }"
    )

    response = await api.client.get("/graphql", params={"query": mutation})

    assert response.status_code == 400
    assert "mutations are not allowed" in response.text


CREATE_ORGANISATION = """
mutation { createOrganisation(input: {code: "BATCHED", name: "Batched", kind: OTHER}) {
  errors { message } } }
"""


@pytest.mark.parametrize("accept", [None, GRAPHQL_RESPONSE])
async def test_batched_operations_are_refused_and_none_runs(api: Api, accept: str | None) -> None:
    # A JSON array of operations would let one request run many past the per-request limits
    # (cost, rate, timeout); the endpoint takes one operation per request.
    admin = await api.token("LDP", Role.ADMIN)
    headers = {"Authorization": f"Bearer {admin}"} | ({"accept": accept} if accept else {})

    response = await api.client.post(
        "/graphql",
        json=[{"query": CREATE_ORGANISATION}, {"query": "{ __typename }"}],
        headers=headers,
    )

    assert response.status_code == 400
    assert "Batching is not enabled" in response.text
    codes = await api.graphql("{ organisations { code } }", token=admin)
    assert "BATCHED" not in {o["code"] for o in codes["organisations"]}
