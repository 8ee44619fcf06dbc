"""Realistic synthetic CLAS returns with seeded errors of known kinds, for tests and benchmarks."""

from ldp_graph.synthetic.generator import SEEDED_KINDS, generate
from ldp_graph.synthetic.records import CouncilReturn, SeededError

__all__ = ["SEEDED_KINDS", "CouncilReturn", "SeededError", "generate"]
