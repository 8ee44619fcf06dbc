"""GraphQL over HTTP: media types, request-error status codes, 406, 405, 415, malformed requests,
operation selection and subscriptions refused over plain HTTP (tests/http_audit/ runs
graphql-http's conformance audits on top of these)."""

from __future__ import annotations

import httpx
import pytest

from ldp_graph.app import create_app
from ldp_graph.config import Settings
from ldp_graph.db.engine import Database
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
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_ACCEPTABLE"


async def test_mutations_are_never_run_over_get_405_names_post(api: Api) -> None:
    admin = await api.token("LDP", Role.ADMIN)
    mutation = (
        'mutation { createOrganisation(input: {code: "VIAGET", name: "x", kind: OTHER}) {\n'
        "  errors { message } } }"
    )

    for accept in (None, GRAPHQL_RESPONSE):
        headers = {"Authorization": f"Bearer {admin}"} | ({"accept": accept} if accept else {})
        response = await api.client.get("/graphql", params={"query": mutation}, headers=headers)

        assert response.status_code == 405
        assert response.headers["allow"] == "POST"
        (error,) = response.json()["errors"]
        assert error["message"] == "A mutation cannot run over GET: send it with POST."
        assert error["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    codes = await api.graphql("{ organisations { code } }", token=admin)
    assert "VIAGET" not in {o["code"] for o in codes["organisations"]}


async def test_methods_other_than_get_and_post_get_a_graphql_shaped_405(api: Api) -> None:
    response = await api.client.put("/graphql", json={"query": "{ __typename }"})

    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


@pytest.mark.parametrize(
    ("content_type", "named"),
    [
        ("text/plain", "Content-Type text/plain"),
        ("application/graphql", "Content-Type application/graphql"),
        ("application/x-www-form-urlencoded", "Content-Type application/x-www-form-urlencoded"),
        (None, "no Content-Type"),
    ],
)
async def test_bodies_other_than_json_get_415(
    api: Api, content_type: str | None, named: str
) -> None:
    headers = {"content-type": content_type} if content_type else {}

    response = await api.client.post(
        "/graphql", content=b'{"query": "{ __typename }"}', headers=headers
    )

    assert response.status_code == 415
    (error,) = response.json()["errors"]
    assert named in error["message"]
    assert error["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"


async def test_json_in_another_charset_than_utf8_gets_415(api: Api) -> None:
    response = await api.client.post(
        "/graphql",
        content=b'{"query": "{ __typename }"}',
        headers={"content-type": "application/json; charset=latin1"},
    )

    assert response.status_code == 415
    assert "UTF-8" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"query": "{ __typename }"', "The request body is not valid JSON"),
        (b"", "The request body is not valid JSON"),
        (b'"{ __typename }"', "A GraphQL request must be a JSON object"),
        (b"null", "A GraphQL request must be a JSON object"),
        (b'{"variables": {}}', "No GraphQL document"),
        (b'{"query": 1}', "`query` must be a string"),
        (b'{"query": ["{ __typename }"]}', "`query` must be a string"),
        (b'{"query": "{ __typename }", "operationName": 1}', "`operationName` must be a string"),
        (b'{"query": "{ __typename }", "variables": []}', "`variables` must be a JSON object"),
        (b'{"query": "{ __typename }", "variables": "{}"}', "`variables` must be a JSON object"),
        (b'{"query": "{ __typename }", "extensions": 0}', "`extensions` must be a JSON object"),
    ],
)
@pytest.mark.parametrize("accept", [None, GRAPHQL_RESPONSE])
async def test_malformed_requests_get_400_with_a_graphql_shaped_body(
    api: Api, body: bytes, message: str, accept: str | None
) -> None:
    headers = {"content-type": "application/json"} | ({"accept": accept} if accept else {})

    response = await api.client.post("/graphql", content=body, headers=headers)

    assert response.status_code == 400
    assert response.headers["content-type"].startswith(accept or "application/json")
    (error,) = response.json()["errors"]
    assert error["message"].startswith(message)
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert "data" not in response.json()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"query": "{ __typename }", "variables": "{"}, "The `variables` parameter is not valid"),
        ({"query": "{ __typename }", "variables": "[1]"}, "`variables` must be a JSON object"),
        ({"query": "{ __typename }", "extensions": "1"}, "`extensions` must be a JSON object"),
        ({"operationName": "A"}, "No GraphQL document"),
    ],
)
async def test_malformed_get_parameters_get_400(
    api: Api, params: dict[str, str], message: str
) -> None:
    response = await api.client.get(
        "/graphql", params=params, headers={"accept": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["message"].startswith(message)


async def test_get_runs_queries_with_json_variables(api: Api) -> None:
    response = await api.client.get(
        "/graphql",
        params={
            "query": "query T($name: String!) { __type(name: $name) { name } }",
            "variables": '{"name": "Query"}',
        },
        headers={"accept": GRAPHQL_RESPONSE},
    )

    assert response.status_code == 200
    assert response.json() == {"data": {"__type": {"name": "Query"}}}


SUBSCRIPTION = 'subscription { submissionEvents(collectionId: "1") { __typename } }'


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("accept", [None, GRAPHQL_RESPONSE, "multipart/mixed, application/json"])
async def test_subscriptions_are_refused_over_plain_http(
    api: Api, method: str, accept: str | None
) -> None:
    headers = {"accept": accept} if accept else {}
    if method == "GET":
        response = await api.client.get("/graphql", params={"query": SUBSCRIPTION}, headers=headers)
    else:
        response = await api.client.post("/graphql", json={"query": SUBSCRIPTION}, headers=headers)

    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert "graphql-transport-ws" in error["message"]
    assert error["extensions"]["code"] == "SUBSCRIPTION_OVER_HTTP"


@pytest.mark.parametrize(
    "requested_headers",
    ["content-type, authorization", "graphql-require-preflight", "apollo-require-preflight"],
)
async def test_cors_preflight_is_answered_by_the_cors_middleware(
    database: Database, settings: Settings, requested_headers: str
) -> None:
    app = create_app(settings.model_copy(update={"cors_origins": ["https://council.example"]}))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client,
    ):
        response = await client.options(
            "/graphql",
            headers={
                "origin": "https://council.example",
                "access-control-request-method": "POST",
                "access-control-request-headers": requested_headers,
            },
        )

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "https://council.example"
    assert "POST" in response.headers["access-control-allow-methods"]


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
