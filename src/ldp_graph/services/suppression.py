"""Small-cell suppression for published counts, so no child can be singled out.

End users read published data only as tables of counts: every cell of a 0-, 1- or 2-way
table, every margin (row and column totals) and the grand total.

Primary suppression hides every count from 1 to threshold-1, cells and totals alike. Zeros
are shown: a zero says that no child has that combination, which singles nobody out, and most
cells of a table by council and code list are zero, so hiding zeros would hide most of the
table and point straight at the few small cells that really are hidden.

Secondary suppression then makes sure no hidden count can be worked out from the totals shown.
A line is a set of counts that add up to a shown total: each row with its row total, each
column with its column total, the row totals with the grand total, the column totals with the
grand total (in a one-way table, the cells with the grand total). In every line either nothing
is hidden or at least two counts are. Where exactly one is hidden, the smallest other non-zero
count of that line is hidden too (so the least information is lost; ties go to the first in
table order, so cells before totals), the grand total only as a last resort, and this repeats
until no line has a lone hidden count. Zeros are never hidden, not even as complements.

Known limit: this line-by-line protection is the standard secondary suppression heuristic. It
stops anyone solving one line at a time, however often they repeat it. In larger two-way
tables, combining several lines at once (and knowing that counts are never negative) can in
rare cases narrow a hidden count to a range, not always to an exact value; a full
linear-programming audit (as tau-argus offers) is beyond it.

This module is pure: it knows nothing of the database or of GraphQL.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

PRIMARY = "Fewer than {t} records (primary suppression)."
SECONDARY = (
    "Suppressed so that a suppressed cell cannot be worked out from the totals "
    "(secondary suppression)."
)

Key = tuple[Hashable | None, ...]  # one value per dimension; None marks a total over it
Line = tuple[tuple[Key, ...], Key]  # members that add up, and the total they add up to


def primary_reason(threshold: int) -> str:
    return PRIMARY.format(t=threshold)


@dataclass(frozen=True, slots=True)
class Cell:
    """One count of the table. `key[i]` is the value of dimension i, None in a total over it."""

    key: Key
    count: int | None  # None when suppressed
    suppressed: bool
    reason: str | None  # why it is suppressed, in words a reader understands; None when shown

    @property
    def is_total(self) -> bool:
        return None in self.key


@dataclass(frozen=True, slots=True)
class Table:
    dimensions: tuple[str, ...]
    threshold: int
    cells: tuple[Cell, ...]  # inner cells first, then row totals, column totals, grand total

    def cell(self, *key: Hashable | None) -> Cell:
        """The cell at `key`, e.g. `table.cell("S12000036", None)` for a row total."""
        for cell in self.cells:
            if cell.key == key:
                return cell
        raise KeyError(key)


def tabulate(
    rows: Iterable[Sequence[Hashable]],
    dimensions: Sequence[str],
    *,
    threshold: int = 5,
    categories: Sequence[Sequence[Hashable]] | None = None,
) -> Table:
    """Count `rows` (one tuple of dimension values per record) into a suppressed table.

    `dimensions` names 0, 1 or 2 dimensions. `categories` lists every value of each dimension
    (a code list, say), so that values nobody has show as zero cells rather than go missing.
    """
    counts: dict[Key, int] = {}
    for row in rows:
        key = tuple(row)
        counts[key] = counts.get(key, 0) + 1
    return tabulate_counts(counts, dimensions, threshold=threshold, categories=categories)


def tabulate_counts(
    counts: Mapping[Key, int],
    dimensions: Sequence[str],
    *,
    threshold: int = 5,
    categories: Sequence[Sequence[Hashable]] | None = None,
) -> Table:
    """As `tabulate`, from counts already made (by SQL, say) per combination of values."""
    _check(counts, dimensions, threshold, categories)
    values = [
        _sorted({*(categories[i] if categories else ()), *(key[i] for key in counts)})
        for i in range(len(dimensions))
    ]
    true = _with_margins(counts, values)
    hidden: dict[Key, str] = {
        key: primary_reason(threshold) for key, n in true.items() if 1 <= n < threshold
    }
    position = _positions(values)
    _protect(true, hidden, _lines(values), position)
    cells = tuple(
        Cell(key, None if key in hidden else n, key in hidden, hidden.get(key))
        for key, n in sorted(true.items(), key=lambda item: position[item[0]])
    )
    return Table(tuple(dimensions), threshold, cells)


def _check(
    counts: Mapping[Key, int],
    dimensions: Sequence[str],
    threshold: int,
    categories: Sequence[Sequence[Hashable]] | None,
) -> None:
    if len(dimensions) > 2 or len(set(dimensions)) != len(dimensions):
        raise ValueError("count by at most two different dimensions")
    if threshold < 1:
        raise ValueError("the threshold is at least 1")
    if categories is not None and len(categories) != len(dimensions):
        raise ValueError("give one list of categories per dimension")
    for key, n in counts.items():
        if len(key) != len(dimensions) or None in key:
            raise ValueError("every record needs one value per dimension, none of them None")
        if n < 0:
            raise ValueError("counts are never negative")


def _sorted(values: set[Hashable]) -> list[Hashable]:
    """Values in their natural order, so GraphQL clients see the same order every time."""
    try:
        return sorted(values)  # type: ignore[type-var]
    except TypeError:  # mixed types: still deterministic, unlike set order
        return sorted(values, key=lambda v: (type(v).__name__, str(v)))


def _positions(values: list[list[Hashable]]) -> dict[Key, tuple[int, ...]]:
    """Table order of every key: cells, then row totals, then column totals, then the grand
    total; within each, by the sorted dimension values."""
    ranks = [{v: r for r, v in enumerate(dim)} | {None: len(dim)} for dim in values]
    if len(values) == 0:
        keys: list[Key] = [()]
    elif len(values) == 1:
        keys = [(a,) for a in [*values[0], None]]
    else:
        keys = [(a, b) for a in [*values[0], None] for b in [*values[1], None]]
    return {
        key: (sum(v is None for v in key), *(ranks[i][v] for i, v in enumerate(key)))
        for key in keys
    }


def _with_margins(counts: Mapping[Key, int], values: list[list[Hashable]]) -> dict[Key, int]:
    """True counts of every cell (zeros included), every margin and the grand total."""
    table: dict[Key, int] = {}
    if len(values) == 0:
        table[()] = counts.get((), 0)
    elif len(values) == 1:
        for a in values[0]:
            table[(a,)] = counts.get((a,), 0)
        table[(None,)] = sum(table[(a,)] for a in values[0])
    else:
        rows, columns = values
        for a in rows:
            for b in columns:
                table[(a, b)] = counts.get((a, b), 0)
        for a in rows:
            table[(a, None)] = sum(table[(a, b)] for b in columns)
        for b in columns:
            table[(None, b)] = sum(table[(a, b)] for a in rows)
        table[(None, None)] = sum(table[(a, None)] for a in rows)
    return table


def _lines(values: list[list[Hashable]]) -> list[Line]:
    """Every line whose members add up to a shown total: the equations an attacker can use."""
    if len(values) == 0:
        return []  # a lone total is protected by primary suppression alone
    if len(values) == 1:
        return [(tuple((a,) for a in values[0]), (None,))]
    rows, columns = values
    lines: list[Line] = [(tuple((a, b) for b in columns), (a, None)) for a in rows]
    lines += [(tuple((a, b) for a in rows), (None, b)) for b in columns]
    lines.append((tuple((a, None) for a in rows), (None, None)))
    lines.append((tuple((None, b) for b in columns), (None, None)))
    return lines


def _protect(
    true: dict[Key, int],
    hidden: dict[Key, str],
    lines: list[Line],
    position: dict[Key, tuple[int, ...]],
) -> None:
    """Hide complements until no line has exactly one hidden count.

    Hiding a complement can leave another line with a lone hidden count, so sweep again until
    a sweep changes nothing; each sweep hides at least one more count, so this ends.
    """
    changed = True
    while changed:
        changed = False
        for members, total in lines:
            if sum(key in hidden for key in (*members, total)) == 1:
                hidden[_complement(true, hidden, (*members, total), position)] = SECONDARY
                changed = True


def _complement(
    true: dict[Key, int],
    hidden: dict[Key, str],
    line: tuple[Key, ...],
    position: dict[Key, tuple[int, ...]],
) -> Key:
    """The count to hide beside a line's lone hidden one: the smallest shown non-zero count.

    Hiding a zero would protect nothing (everybody can see a zero coming) and hiding the grand
    total costs every reader the headline figure, so zeros never and the grand total last.
    A candidate always exists: hidden counts are never zero, so if the lone hidden count is a
    member its (shown) total is non-zero, and if it is the total some member is non-zero.
    """
    grand = tuple(None for _ in line[0])
    candidates = [key for key in line if key not in hidden and true[key] > 0]
    return min(candidates, key=lambda key: (key == grand, true[key], position[key]))
