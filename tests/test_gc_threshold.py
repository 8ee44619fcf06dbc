"""Serving raises the collector's young-generation threshold, and cycles are still collected."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from ldp_graph.app import GC_YOUNG_THRESHOLD, create_app
from ldp_graph.config import load_settings


@pytest.fixture
def default_thresholds() -> Iterator[tuple[int, int, int]]:
    """The process's thresholds at Python's defaults for the test, restored after it."""
    before = gc.get_threshold()
    gc.set_threshold(700, *before[1:])
    yield gc.get_threshold()
    gc.set_threshold(*before)


async def test_the_app_raises_the_young_threshold_at_start_up(
    tmp_path: Path, default_thresholds: tuple[int, int, int]
) -> None:
    app = create_app(load_settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'a.sqlite3'}"))
    assert gc.get_threshold() == default_thresholds  # nothing changes before start-up

    async with app.router.lifespan_context(app):
        assert gc.get_threshold() == (GC_YOUNG_THRESHOLD, *default_thresholds[1:])


class _Node:
    def __init__(self) -> None:
        self.other: object = self  # a cycle: only the collector frees it


def test_cycles_are_still_collected_at_the_raised_threshold(
    default_thresholds: tuple[int, int, int],
) -> None:
    gc.set_threshold(GC_YOUNG_THRESHOLD, *default_thresholds[1:])
    cycle = _Node()
    gone = weakref.ref(cycle)
    del cycle

    kept = [[] for _ in range(3 * GC_YOUNG_THRESHOLD)]  # allocations, as a page makes

    assert gone() is None
    assert len(kept) == 3 * GC_YOUNG_THRESHOLD
