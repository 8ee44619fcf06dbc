from __future__ import annotations

import pytest

from ldp_graph.specs.model import ReturnSpec
from ldp_graph.specs.registry import load_registry


@pytest.fixture(scope="session")
def spec() -> ReturnSpec:
    found = load_registry().get("clas", "2025-26")
    assert found is not None
    return found
