"""Small-cell suppression: small counts hidden, and no hidden count recoverable from totals."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from ldp_graph.services.suppression import PRIMARY, SECONDARY, Table, tabulate


def _shown(table: Table) -> dict[tuple[object, ...], int | None]:
    return {c.key: c.count for c in table.cells}


def test_zero_dimensions_is_one_total_hidden_when_small() -> None:
    assert _shown(tabulate([()] * 3, ())) == {(): None}
    assert _shown(tabulate([()] * 7, ())) == {(): 7}


def test_one_way_table_hides_small_cells_and_a_complement_for_a_lone_one() -> None:
    rows = [("F",)] * 12 + [("M",)] * 9 + [("U",)] * 2

    table = tabulate(rows, ("sex",), threshold=5)

    cells = {c.key: c for c in table.cells}
    assert cells[("U",)].count is None
    assert cells[("U",)].reason == PRIMARY.format(t=5)
    assert cells[("M",)].count is None  # the smallest other cell: U = total - F - M otherwise
    assert cells[("M",)].reason == SECONDARY
    assert cells[("F",)].count == 12
    assert cells[(None,)].count == 23


def test_zeros_are_shown_and_listed_categories_appear_as_zero() -> None:
    rows = [("F",)] * 6 + [("M",)] * 7

    table = tabulate(rows, ("sex",), categories=[["F", "M", "U"]])

    assert _shown(table) == {("F",): 6, ("M",): 7, ("U",): 0, (None,): 13}


def test_threshold_is_configurable() -> None:
    rows = [("F",)] * 6 + [("M",)] * 7

    assert _shown(tabulate(rows, ("sex",), threshold=7))[("F",)] is None
    assert _shown(tabulate(rows, ("sex",), threshold=6))[("F",)] == 6


def test_two_way_table_protects_rows_columns_and_margins() -> None:
    rows = (
        [("A", "F")] * 10
        + [("A", "M")] * 2
        + [("B", "F")] * 8
        + [("B", "M")] * 9
        + [("C", "F")] * 7
        + [("C", "M")] * 11
    )

    table = tabulate(rows, ("council", "sex"))

    shown = _shown(table)
    assert shown[("A", "M")] is None
    assert shown[("A", "F")] is None  # row A would give it away
    assert table.cells[-1].key == (None, None)
    assert shown[(None, None)] == 47
    _assert_safe(table, _true(rows, table))


def _true(rows: list[tuple[object, ...]], table: Table) -> dict[tuple[object, ...], int]:
    counts = Counter(rows)
    dims = len(table.dimensions)
    found = {}
    for cell in table.cells:
        found[cell.key] = sum(
            n
            for key, n in counts.items()
            if all(cell.key[i] is None or cell.key[i] == key[i] for i in range(dims))
        )
    return found


def _lines(table: Table) -> list[list[tuple[object, ...]]]:
    keys = [c.key for c in table.cells]
    if len(table.dimensions) == 1:
        return [keys]
    rows = {k[0] for k in keys if k[0] is not None}
    columns = {k[1] for k in keys if k[1] is not None}
    lines = [[k for k in keys if k[0] == r] for r in rows]
    lines += [[k for k in keys if k[1] == c] for c in columns]
    lines.append([k for k in keys if k[1] is None])
    lines.append([k for k in keys if k[0] is None])
    return lines


def _assert_safe(table: Table, true: dict[tuple[object, ...], int]) -> None:
    known = {c.key: c.count for c in table.cells if not c.suppressed}
    for cell in table.cells:
        if not cell.suppressed:
            assert cell.count == true[cell.key]
            assert cell.count == 0 or cell.count >= table.threshold
    # An attacker solves any line with exactly one unknown, again and again.
    progress = True
    while progress:
        progress = False
        for line in _lines(table):
            unknown = [k for k in line if k not in known]
            if len(unknown) == 1:
                known[unknown[0]] = true[unknown[0]]  # members add up to the line's total
                progress = True
    assert all(c.key not in known for c in table.cells if c.suppressed)


counts = st.integers(min_value=0, max_value=12)


@settings(max_examples=200, deadline=None)
@given(st.lists(counts, min_size=1, max_size=6))
def test_one_way_tables_never_reveal_a_hidden_count(sizes: list[int]) -> None:
    rows = [(f"c{i}",) for i, n in enumerate(sizes) for _ in range(n)]
    table = tabulate(rows, ("x",), categories=[[f"c{i}" for i in range(len(sizes))]])

    _assert_safe(table, _true(rows, table))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(counts, min_size=4, max_size=4), min_size=1, max_size=5))
def test_two_way_tables_never_reveal_a_hidden_count(grid: list[list[int]]) -> None:
    rows = [
        (f"r{i}", f"c{j}")
        for i, line in enumerate(grid)
        for j, n in enumerate(line)
        for _ in range(n)
    ]
    categories = [[f"r{i}" for i in range(len(grid))], [f"c{j}" for j in range(4)]]
    table = tabulate(rows, ("r", "c"), categories=categories)

    _assert_safe(table, _true(rows, table))
    for line in _lines(table):
        hidden = [k for k in line if k in {c.key for c in table.cells if c.suppressed}]
        assert len(hidden) != 1
