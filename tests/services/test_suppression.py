"""Small-cell suppression: small counts hidden, and no hidden count recoverable from totals."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ldp_graph.services.suppression import (
    SECONDARY,
    Cell,
    Table,
    primary_reason,
    tabulate,
)

Key = tuple[Hashable | None, ...]
PRIMARY_5 = "Fewer than 5 records (primary suppression)."


def _records(counts: dict[Key, int]) -> list[Key]:
    return [key for key, n in counts.items() for _ in range(n)]


def _shown(table: Table) -> dict[Key, int | None]:
    return {c.key: c.count for c in table.cells}


def _reasons(table: Table) -> dict[Key, str | None]:
    return {c.key: c.reason for c in table.cells if c.suppressed}


# --- hand-checked examples ------------------------------------------------------------------


def test_zero_dimensions_small_total_is_suppressed_with_primary_reason() -> None:
    table = tabulate([()] * 3, ())

    assert table.cells == (Cell((), None, True, PRIMARY_5),)


def test_zero_dimensions_large_or_empty_total_is_shown() -> None:
    assert _shown(tabulate([()] * 7, ())) == {(): 7}
    assert _shown(tabulate([], ())) == {(): 0}


def test_one_way_lone_small_cell_forces_smallest_other_cell_secondary() -> None:
    # U = 23 - 12 - 9 if only U were hidden, so the smaller of F and M (M) goes too.
    table = tabulate(_records({("F",): 12, ("M",): 9, ("U",): 2}), ("sex",))

    assert _shown(table) == {("F",): 12, ("M",): None, ("U",): None, (None,): 23}
    assert _reasons(table) == {("M",): SECONDARY, ("U",): PRIMARY_5}
    assert "secondary suppression" in SECONDARY


def test_one_way_two_small_cells_need_no_secondary_suppression() -> None:
    table = tabulate(_records({("F",): 12, ("M",): 3, ("U",): 2}), ("sex",))

    assert _shown(table) == {("F",): 12, ("M",): None, ("U",): None, (None,): 17}
    assert set(_reasons(table).values()) == {PRIMARY_5}


def test_one_way_listed_categories_without_records_are_shown_as_zero() -> None:
    table = tabulate(_records({("F",): 6, ("M",): 7}), ("sex",), categories=[["U", "M", "F"]])

    assert _shown(table) == {("F",): 6, ("M",): 7, ("U",): 0, (None,): 13}
    assert not any(c.suppressed for c in table.cells)


def test_one_way_small_total_is_suppressed_and_zeros_stay_shown() -> None:
    table = tabulate(_records({("F",): 3}), ("sex",), categories=[["F", "M"]])

    assert _shown(table) == {("F",): None, ("M",): 0, (None,): None}
    assert _reasons(table) == {("F",): PRIMARY_5, (None,): PRIMARY_5}


def test_threshold_seven_suppresses_six_and_says_seven() -> None:
    table = tabulate(_records({("F",): 6, ("M",): 7}), ("sex",), threshold=7)

    assert _shown(table) == {("F",): None, ("M",): None, (None,): 13}
    assert _reasons(table) == {
        ("F",): "Fewer than 7 records (primary suppression).",
        ("M",): SECONDARY,
    }
    assert primary_reason(7) == "Fewer than 7 records (primary suppression)."


def test_threshold_six_or_one_shows_small_counts() -> None:
    records = _records({("F",): 6, ("M",): 1})

    assert _shown(tabulate(records, ("sex",), threshold=8))[("F",)] is None
    assert _shown(tabulate(records[:6], ("sex",), threshold=6)) == {("F",): 6, (None,): 6}
    assert _shown(tabulate(records, ("sex",), threshold=1)) == {("F",): 6, ("M",): 1, (None,): 7}


def test_two_way_small_cell_spreads_through_rows_and_columns_keeping_margins() -> None:
    counts = {("A", "F"): 10, ("A", "M"): 2, ("B", "F"): 8, ("B", "M"): 9}

    table = tabulate(_records(counts), ("council", "sex"), categories=[["A", "B"], ["F", "M", "U"]])

    # A-M is small; row A then gives it away through A-F (10 < row total 12), column M
    # through B-M, column F through B-F; the four cells protect one another.
    assert _shown(table) == {
        **dict.fromkeys(counts),
        ("A", "U"): 0,
        ("B", "U"): 0,
        ("A", None): 12,
        ("B", None): 17,
        (None, "F"): 18,
        (None, "M"): 11,
        (None, "U"): 0,
        (None, None): 29,
    }
    assert _reasons(table) == {
        ("A", "F"): SECONDARY,
        ("A", "M"): PRIMARY_5,
        ("B", "F"): SECONDARY,
        ("B", "M"): SECONDARY,
    }


def test_two_way_small_row_total_is_suppressed_and_protected_in_the_margin() -> None:
    counts = {
        ("A", "F"): 3,
        ("A", "M"): 1,
        ("B", "F"): 6,
        ("B", "M"): 8,
        ("C", "F"): 9,
        ("C", "M"): 7,
    }

    table = tabulate(_records(counts), ("council", "sex"))

    # Row A (4) is small; the row totals add up to the grand total, so B's (14 < 16) goes too.
    # Column F hides B-F (6), column M hides C-M (7), and row C then hides C-F.
    assert _reasons(table) == {
        ("A", "F"): PRIMARY_5,
        ("A", "M"): PRIMARY_5,
        ("A", None): PRIMARY_5,
        ("B", "F"): SECONDARY,
        ("B", None): SECONDARY,
        ("C", "F"): SECONDARY,
        ("C", "M"): SECONDARY,
    }
    shown = {key: n for key, n in _shown(table).items() if n is not None}
    assert shown == {
        ("B", "M"): 8,
        ("C", None): 16,
        (None, "F"): 18,
        (None, "M"): 16,
        (None, None): 34,
    }


def test_two_way_lone_hidden_cell_beside_zeros_hides_its_total_not_a_zero() -> None:
    counts = {("A", "F"): 2, ("A", "M"): 10}

    table = tabulate(_records(counts), ("council", "sex"), categories=[["A", "Z"], ["F", "M"]])

    # Column M is A-M (hidden for row A) plus Z-M (0): the only other non-zero count in that
    # line is the column total, so it goes, and the zero and the grand total stay.
    assert _reasons(table) == {
        ("A", "F"): PRIMARY_5,
        ("A", "M"): SECONDARY,
        (None, "F"): PRIMARY_5,
        (None, "M"): SECONDARY,
    }
    assert [_shown(table)[k] for k in [("Z", "F"), ("Z", "M"), ("Z", None), (None, None)]] == [
        0,
        0,
        0,
        12,
    ]


def test_two_way_cells_are_ordered_cells_row_totals_column_totals_grand_total() -> None:
    counts = {("B", "M"): 6, ("A", "F"): 7, ("B", "F"): 8, ("A", "M"): 9}
    records = _records(counts)[::-1]  # arrival order must not matter

    table = tabulate(records, ("council", "sex"), categories=[["B", "A"], ["M", "F"]])

    assert [c.key for c in table.cells] == [
        ("A", "F"),
        ("A", "M"),
        ("B", "F"),
        ("B", "M"),
        ("A", None),
        ("B", None),
        (None, "F"),
        (None, "M"),
        (None, None),
    ]
    assert table == tabulate(sorted(records), ("council", "sex"))
    assert table.cell(None, None).is_total
    assert not table.cell("A", "F").is_total


@pytest.mark.parametrize(
    ("records", "dimensions", "categories"),
    [
        ([("A", "F", "x")], ("a", "b", "c"), None),
        ([("A",)], ("a", "a"), None),
        ([("A", None)], ("a", "b"), None),
        ([("A",)], ("a",), [["A"], ["F"]]),
    ],
)
def test_tabulate_malformed_input_raises_value_error(
    records: list[Key], dimensions: tuple[str, ...], categories: list[list[str]] | None
) -> None:
    with pytest.raises(ValueError, match="dimension"):
        tabulate(records, dimensions, categories=categories)


def test_tabulate_threshold_below_one_raises_value_error() -> None:
    with pytest.raises(ValueError, match="threshold"):
        tabulate([], (), threshold=0)


# --- the attacker, and the properties every table must have ---------------------------------


def _lines(table: Table) -> list[tuple[list[Key], Key]]:
    """Every (members, total) that add up, rebuilt from the table's keys alone."""
    keys = [c.key for c in table.cells]
    if len(table.dimensions) == 0:
        return []
    if len(table.dimensions) == 1:
        return [([k for k in keys if k != (None,)], (None,))]
    rows = sorted({k[0] for k in keys if k[0] is not None})
    columns = sorted({k[1] for k in keys if k[1] is not None})
    lines = [([(r, c) for c in columns], (r, None)) for r in rows]
    lines += [([(r, c) for r in rows], (None, c)) for c in columns]
    lines.append(([(r, None) for r in rows], (None, None)))
    lines.append(([(None, c) for c in columns], (None, None)))
    return lines


def _attack(table: Table) -> dict[Key, int]:
    """What someone learns by solving, again and again, any line with exactly one unknown."""
    known = {c.key: c.count for c in table.cells if c.count is not None}
    solved = True
    while solved:
        solved = False
        for members, total in _lines(table):
            unknown = [k for k in (*members, total) if k not in known]
            if len(unknown) != 1:
                continue
            (key,) = unknown
            if key == total:
                known[key] = sum(known[k] for k in members)
            else:
                known[key] = known[total] - sum(known[k] for k in members if k != key)
            solved = True
    return known


def test_attacker_primary_only_table_recovers_the_hidden_cell() -> None:
    # Without secondary suppression, U = 23 - 12 - 9: the attacker must find that.
    naive = Table(
        ("sex",),
        5,
        (
            Cell(("F",), 12, False, None),
            Cell(("M",), 9, False, None),
            Cell(("U",), None, True, PRIMARY_5),
            Cell((None,), 23, False, None),
        ),
    )

    assert _attack(naive)[("U",)] == 2


def _true(records: list[Key], table: Table) -> dict[Key, int]:
    """True counts of every cell and total, straight from the records."""
    counts = Counter(records)
    return {
        cell.key: sum(
            n
            for record, n in counts.items()
            if all(v is None or v == record[i] for i, v in enumerate(cell.key))
        )
        for cell in table.cells
    }


def _assert_protected(records: list[Key], table: Table) -> None:
    true = _true(records, table)
    t = table.threshold
    hidden = {c.key for c in table.cells if c.suppressed}
    for cell in table.cells:
        assert cell.suppressed == (cell.count is None) == (cell.reason is not None)
        if not cell.suppressed:
            assert cell.count == true[cell.key]  # (a) what is shown is true
            assert not 1 <= cell.count < t  # (d) no small count is shown
        elif 1 <= true[cell.key] < t:
            assert cell.reason == primary_reason(t)
        else:
            assert cell.reason == SECONDARY
        assert true[cell.key] > 0 or not cell.suppressed  # zeros are always shown
    for members, total in _lines(table):
        assert len(hidden & {*members, total}) != 1  # (b) never a lone hidden count in a line
    learned = _attack(table)
    assert all(learned[k] == true[k] for k in learned)  # the attacker is sound...
    assert not hidden & learned.keys()  # (c) ...and learns no hidden count
    grand = table.cells[-1]
    assert not grand.suppressed or 1 <= true[grand.key] < t  # the headline goes only if small


# Mostly small counts, so that tables are full of suppression to get wrong.
counts = st.one_of(st.integers(0, 6), st.integers(0, 40))
thresholds = st.integers(min_value=1, max_value=6)


@settings(max_examples=300, deadline=None)
@given(st.lists(counts, min_size=1, max_size=8), thresholds)
def test_one_way_random_table_shows_truth_and_hides_no_recoverable_count(
    sizes: list[int], threshold: int
) -> None:
    records: list[Key] = [(f"c{i}",) for i, n in enumerate(sizes) for _ in range(n)]
    categories = [[f"c{i}" for i in range(len(sizes))]]

    table = tabulate(records, ("x",), threshold=threshold, categories=categories)

    _assert_protected(records, table)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 6).flatmap(
        lambda width: st.lists(
            st.lists(counts, min_size=width, max_size=width), min_size=1, max_size=6
        )
    ),
    thresholds,
)
def test_two_way_random_table_shows_truth_and_hides_no_recoverable_count(
    grid: list[list[int]], threshold: int
) -> None:
    records: list[Key] = [
        (f"r{i}", f"c{j}")
        for i, line in enumerate(grid)
        for j, n in enumerate(line)
        for _ in range(n)
    ]
    categories = [[f"r{i}" for i in range(len(grid))], [f"c{j}" for j in range(len(grid[0]))]]

    table = tabulate(records, ("r", "c"), threshold=threshold, categories=categories)

    assert len(table.cells) == (len(grid) + 1) * (len(grid[0]) + 1)
    _assert_protected(records, table)


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 12), thresholds)
def test_zero_way_random_total_shows_truth_or_primary_suppression(n: int, threshold: int) -> None:
    records: list[Key] = [()] * n

    _assert_protected(records, tabulate(records, (), threshold=threshold))
