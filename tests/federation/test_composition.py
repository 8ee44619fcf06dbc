"""ldp-graph's SDL composes with another subgraph under Apollo's composition library.

compose.mjs reads the rover-style schema/supergraph/supergraph.yaml (the committed
schema/schema.graphql, which tests/test_schema_snapshot.py keeps equal to the code, and the
example indicators subgraph) and runs @apollo/composition's composeServices.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.federation.conftest import SUPERGRAPH

pytestmark = pytest.mark.node


def compose(node: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own script
        [node, "compose.mjs", *arguments],
        cwd=SUPERGRAPH,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_ldp_graph_composes_with_the_indicators_subgraph_with_no_errors_or_hints(
    supergraph_packages: Path, node: str, tmp_path: Path
) -> None:
    output = tmp_path / "supergraph.graphql"

    result = compose(node, "--output", str(output))

    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "composed ldp-graph, indicators with 0 errors and 0 hint(s)"
    supergraph = output.read_text()
    # Both subgraphs can resolve an Organisation from its code: the join the gateway plans on.
    assert (
        "type Organisation\n"
        '  @join__type(graph: INDICATORS, key: "code")\n'
        '  @join__type(graph: LDP_GRAPH, key: "code")\n'
    ) in supergraph
    assert 'LDP_GRAPH @join__graph(name: "ldp-graph", url: "http://127.0.0.1:8000/graphql")' in (
        supergraph
    )
    # ldp-graph's other entities keep their keys in the supergraph.
    assert 'type Collection\n  @join__type(graph: LDP_GRAPH, key: "id")' in supergraph
    assert 'type Submission\n  @join__type(graph: LDP_GRAPH, key: "id")' in supergraph


def test_compose_script_exits_non_zero_naming_each_composition_error(
    supergraph_packages: Path, node: str, tmp_path: Path
) -> None:
    # A subgraph that disagrees with ldp-graph on the key's type cannot be composed.
    indicators = (SUPERGRAPH / "indicators" / "schema.graphql").read_text()
    broken = tmp_path / "indicators.graphql"
    broken.write_text(indicators.replace("  code: ID!", "  code: String!"))
    config = tmp_path / "supergraph.yaml"
    config.write_text(
        "subgraphs:\n"
        "  ldp-graph:\n"
        "    routing_url: http://127.0.0.1:8000/graphql\n"
        f"    schema: {{file: {SUPERGRAPH.parent / 'schema.graphql'}}}\n"
        "  indicators:\n"
        "    routing_url: http://127.0.0.1:4001/graphql\n"
        f"    schema: {{file: {broken}}}\n"
    )

    result = compose(node, "--config", str(config))

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        'error FIELD_TYPE_MISMATCH: Type of field "Organisation.code" is incompatible across'
        ' subgraphs: it has type "String!" in subgraph "indicators" but type "ID!" in subgraph'
        ' "ldp-graph"',
        "composition failed with 1 error(s)",
    ]
