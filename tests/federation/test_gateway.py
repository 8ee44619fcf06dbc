"""ldp-graph behind a real Apollo Gateway, joined with a second subgraph through `_entities`.

The gateway composes ldp-graph's live `_service { sdl }` with the example
benchmarking-indicators subgraph (schema/supergraph/indicators), which extends `Organisation`
by its `code`. Each query here needs both subgraphs: neither alone holds the answer, and the
gateway's query plan shows the `_entities` fetch that joined them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.federation.conftest import Supergraph

pytestmark = pytest.mark.node

# The indicators subgraph's example values (schema/supergraph/indicators/data.json) for 2023-24.
INDICATORS_2023_24 = {
    "S12000033": [
        {"indicator": {"id": "balance-of-care", "unit": "percent"}, "value": 89.4},
        {"indicator": {"id": "residential-cost-per-week", "unit": "GBP"}, "value": 5120.0},
    ],
    "S12000036": [
        {"indicator": {"id": "balance-of-care", "unit": "percent"}, "value": 91.2},
        {"indicator": {"id": "residential-cost-per-week", "unit": "GBP"}, "value": 4875.5},
    ],
    "S12000049": [
        {"indicator": {"id": "balance-of-care", "unit": "percent"}, "value": 87.9},
        {"indicator": {"id": "residential-cost-per-week", "unit": "GBP"}, "value": 4390.25},
    ],
    "S12000017": [
        {"indicator": {"id": "balance-of-care", "unit": "percent"}, "value": 92.7},
    ],
}


def through_gateway(
    supergraph: Supergraph, query: str, token: str | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The data, and the gateway's fetches (service and operation) in plan order."""
    headers = {
        "Apollo-Query-Plan-Experimental": "1",
        "Apollo-Query-Plan-Experimental-Format": "internal",
    }
    if token:
        headers["Authorization"] = f"Bearer {token}"
    response = httpx.post(supergraph.gateway, json={"query": query}, headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    return body["data"], list(_fetches(body["extensions"]["__queryPlanExperimental"]))


def _fetches(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if node.get("kind") == "Fetch":
        yield node
    if "node" in node and node["node"] is not None:
        yield from _fetches(node["node"])
    for child in node.get("nodes", []):
        yield from _fetches(child)


def entity_fetches(fetches: list[dict[str, Any]], service: str) -> list[str]:
    return [
        fetch["operation"]
        for fetch in fetches
        if fetch["serviceName"] == service and "_entities(representations:" in fetch["operation"]
    ]


def test_gateway_adds_indicators_to_ldp_graph_councils_through_entities(
    supergraph: Supergraph,
) -> None:
    data, fetches = through_gateway(
        supergraph,
        """{ organisations(kind: COUNCIL) {
               code name kind indicators(period: "2023-24") { indicator { id unit } value }
           } }""",
    )

    councils = {council["code"]: council for council in data["organisations"]}
    assert len(councils) == 32
    assert councils["S12000033"] == {
        "code": "S12000033",
        "name": "Aberdeen City",
        "kind": "COUNCIL",
        "indicators": INDICATORS_2023_24["S12000033"],
    }
    assert {code: c["indicators"] for code, c in councils.items() if c["indicators"]} == (
        INDICATORS_2023_24
    )
    # Councils the indicators service holds nothing for still come back, with no values.
    assert councils["S12000034"]["indicators"] == []
    assert [fetch["serviceName"] for fetch in fetches] == ["ldp-graph", "indicators"]
    assert len(entity_fetches(fetches, "indicators")) == 1


def test_gateway_names_ranked_councils_from_ldp_graph_entities(supergraph: Supergraph) -> None:
    data, fetches = through_gateway(
        supergraph,
        """{ indicatorRanking(id: "balance-of-care", period: "2023-24") {
               rank value organisation { code name kind }
           } }""",
    )

    # Ranks and values come from the indicators subgraph; names and kinds only ldp-graph has.
    assert data["indicatorRanking"] == [
        {"rank": 1, "value": 92.7, "organisation": _council("S12000017", "Highland")},
        {"rank": 2, "value": 91.2, "organisation": _council("S12000036", "City of Edinburgh")},
        {"rank": 3, "value": 89.4, "organisation": _council("S12000033", "Aberdeen City")},
        {"rank": 4, "value": 87.9, "organisation": _council("S12000049", "Glasgow City")},
    ]
    assert [fetch["serviceName"] for fetch in fetches] == ["indicators", "ldp-graph"]
    assert len(entity_fetches(fetches, "ldp-graph")) == 1


def test_gateway_passes_the_callers_token_on_to_ldp_graph(supergraph: Supergraph) -> None:
    query = """{ me { role organisation {
                   code name indicators(period: "2022-23") { indicator { id } value }
               } } }"""

    anonymous, _ = through_gateway(supergraph, query)
    council, fetches = through_gateway(supergraph, query, token=supergraph.council_token)

    assert anonymous == {"me": None}
    assert council == {
        "me": {
            "role": "COUNCIL_SUBMITTER",
            "organisation": {
                "code": "S12000036",
                "name": "City of Edinburgh",
                "indicators": [{"indicator": {"id": "balance-of-care"}, "value": 90.6}],
            },
        }
    }
    assert len(entity_fetches(fetches, "indicators")) == 1


def test_gateway_passes_on_ldp_graphs_refusal_of_an_invalid_token(supergraph: Supergraph) -> None:
    response = httpx.post(
        supergraph.gateway,
        json={"query": "{ me { role } }"},
        headers={"Authorization": "Bearer not-a-token"},
        timeout=30,
    )

    body = response.json()
    (error,) = body["errors"]
    assert body["data"] == {"me": None}
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert error["extensions"]["response"]["status"] == 401
    assert error["extensions"]["response"]["body"]["errors"] == [
        {
            "message": "The bearer token is not a valid ldp-graph token.",
            "extensions": {"code": "UNAUTHENTICATED"},
        }
    ]
    # The gateway keeps its own stack traces (and install paths) out of answers.
    assert "stacktrace" not in error["extensions"]


def _council(code: str, name: str) -> dict[str, str]:
    return {"code": code, "name": name, "kind": "COUNCIL"}
