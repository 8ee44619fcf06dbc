"""Repeated documents skip parsing and document-only validation; per-request checks still run."""

from __future__ import annotations

from unittest import mock

import graphql
from graphql import parse

from ldp_graph.graphql import document_cache
from ldp_graph.graphql.document_cache import DocumentCache
from tests.api import flow
from tests.api.test_operation_limits import ENTITIES, _create_many, _references
from tests.conftest import Api

PAGE = "{ returnSpecs { id } me { role } __typename } "
COSTLY = """
query ($n: Int!) { collection(id: "x") { submissions { versions {
  report(maxIssues: $n) { issues { ruleId message } } } } } }
"""


def test_cache_keeps_the_most_recently_used_and_bounds_text_and_entries() -> None:
    cache = DocumentCache(max_entries=2, max_text=50)
    for text in ("{ a }", "{ b }", "{ c }"):
        cache.put(text, parse(text))
        cache.get("{ a }")  # a stays the most recently used

    assert cache.get("{ a }") is not None
    assert cache.get("{ c }") is not None
    assert cache.get("{ b }") is None
    assert len(cache) == 2
    assert cache.put("{ " + "x " * 40 + "}", parse("{ x }")) is None  # too long to keep


async def test_a_repeated_document_is_parsed_and_validated_once(api: Api) -> None:
    query = PAGE + "# once"
    with (
        mock.patch("strawberry.schema.schema.parse", wraps=graphql.parse) as parsing,
        mock.patch.object(
            document_cache, "validate_document", wraps=document_cache.validate_document
        ) as validating,
    ):
        for _ in range(3):
            body = (await api.post(query)).json()
            assert "errors" not in body, body

    assert parsing.call_count == 1
    assert validating.call_count == 1


async def test_cost_is_checked_on_every_request_of_a_cached_document(api: Api) -> None:
    cheap = (await api.post(COSTLY, {"n": 1})).json()
    costly = (await api.post(COSTLY, {"n": 10_000_000})).json()
    cheap_again = (await api.post(COSTLY, {"n": 1})).json()

    assert cheap == cheap_again == {"data": {"collection": None}}  # valid: no such collection
    assert costly["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"


async def test_an_invalid_document_is_refused_every_time(api: Api) -> None:
    for _ in range(2):
        body = (await api.post("{ noSuchField }")).json()
        assert body.get("data") is None
        assert "noSuchField" in body["errors"][0]["message"]


async def test_a_document_that_does_not_parse_is_refused_every_time(api: Api) -> None:
    for _ in range(2):
        body = (await api.post("{ me { ")).json()
        assert body["errors"][0]["message"].startswith("Syntax Error")


async def test_representations_are_counted_on_every_request_of_a_cached_document(
    api: Api,
) -> None:
    few = (await api.post(ENTITIES, {"r": _references(1)})).json()
    many = (await api.post(ENTITIES, {"r": _references(101)})).json()

    assert "errors" not in few, few
    assert many["errors"][0]["extensions"]["code"] == "TOO_MANY_REPRESENTATIONS"


async def test_the_operation_named_is_held_to_the_limits_whatever_ran_before(api: Api) -> None:
    owner = await flow.requester_token(api)
    document = _create_many(5) + " " + _create_many(1).replace("Many", "One")
    bodies = [
        (
            await api.client.post(
                "/graphql",
                json={
                    "query": document,
                    "operationName": name,
                    "variables": {"input": flow.collection_input()},
                },
                headers={"Authorization": f"Bearer {owner}"},
            )
        ).json()
        for name in ("One", "Many")
    ]

    assert "errors" not in bodies[0], bodies[0]
    assert bodies[1]["errors"][0]["extensions"]["code"] == "TOO_MANY_MUTATIONS"
