"""Small-cell suppression for published counts, so no child can be singled out.

Primary suppression hides every count from 1 to threshold-1 (zeros are shown: a zero reveals
nothing about any child, and hiding zeros would hide most of a sparse table). Secondary
suppression then makes sure no hidden count can be worked out from the totals shown: in every
line of the table whose members add up (a row with its row total, a column with its column
total, the row totals with the grand total, the column totals with the grand total), either
nothing is hidden or at least two members are. Where exactly one is hidden, the smallest other
non-zero member of that line is hidden too, and this repeats until no line has a lone hidden
member. Cells are preferred to totals, and the grand total is hidden only as a last resort.

Known limit: this is the standard line-by-line heuristic. In larger two-way tables, combining
several lines can sometimes narrow a hidden value to a range (rarely to one value); a full
linear-programming audit (as tau-argus offers) is beyond it.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

PRIMARY = "Fewer than {t} records (primary suppression)."
SECONDARY = (
    "Hidden so that a suppressed count cannot be worked out from the totals "
    "(secondary suppression)."
)

Key = tuple[Hashable | None, ...]  # one value per dimension; None marks a total over it


@dataclass(frozen=True, slots=True)
class Cell:
    key: Key
    count: int | None  # None when suppressed
    suppressed: bool
    reason: str | None

    @property
    def is_total(self) -> bool:
        return None in self.key


@dataclass(frozen=True, slots=True)
class Table:
    dimensions: tuple[str, ...]
    threshold: int
    cells: list[Cell]  # inner cells first, then margins, then the grand total


def tabulate(
    rows: Iterable[Sequence[Hashable]],
    dimensions: Sequence[str],
    *,
    threshold: int = 5,
    categories: Sequence[Sequence[Hashable]] | None = None,
) -> Table:
    """Count `rows` (one tuple of dimension values each) into a suppressed 0-, 1- or 2-way table.

    `categories` lists every value of each dimension, so that empty cells show as 0.
    """
    counts: dict[Key, int] = {}
    for row in rows:
        key = tuple(row)
        counts[key] = counts.get(key, 0) + 1
    return tabulate_counts(counts, dimensions, threshold=threshold, categories=categories)


def tabulate_counts(
    counts: dict[Key, int],
    dimensions: Sequence[str],
    *,
    threshold: int = 5,
    categories: Sequence[Sequence[Hashable]] | None = None,
) -> Table:
    """As `tabulate`, from counts already made (by SQL, say) per combination of values."""
    if len(dimensions) > 2:
        raise ValueError("at most two dimensions")
    if threshold < 1:
        raise ValueError("the threshold is at least 1")
    if any(len(key) != len(dimensions) or None in key for key in counts):
        raise ValueError("every count needs one value per dimension, none of them None")
    values = [
        sorted(set(categories[i] if categories else ()) | {k[i] for k in counts}, key=_order)
        for i in range(len(dimensions))
    ]
    true = _with_margins(counts, values)
    hidden: dict[Key, str] = {
        key: PRIMARY.format(t=threshold) for key, n in true.items() if 1 <= n < threshold
    }
    _protect(true, hidden, _lines(values))
    cells = [
        Cell(key, None if key in hidden else n, key in hidden, hidden.get(key))
        for key, n in sorted(true.items(), key=lambda item: _position(item[0]))
    ]
    return Table(tuple(dimensions), threshold, cells)


def _order(value: Hashable) -> tuple[int, str]:
    return (0, str(value)) if value is not None else (1, "")


def _position(key: Key) -> tuple[object, ...]:
    return (sum(v is None for v in key), *(_order(v) for v in key))


def _with_margins(counts: dict[Key, int], values: list[list[Hashable]]) -> dict[Key, int]:
    table: dict[Key, int] = {}
    if len(values) == 0:
        table[()] = counts.get((), 0)
    elif len(values) == 1:
        for a in values[0]:
            table[(a,)] = counts.get((a,), 0)
        table[(None,)] = sum(table[(a,)] for a in values[0])
    else:
        for a in values[0]:
            for b in values[1]:
                table[(a, b)] = counts.get((a, b), 0)
        for a in values[0]:
            table[(a, None)] = sum(table[(a, b)] for b in values[1])
        for b in values[1]:
            table[(None, b)] = sum(table[(a, b)] for a in values[0])
        table[(None, None)] = sum(table[(a, None)] for a in values[0])
    return table


def _lines(values: list[list[Hashable]]) -> list[tuple[list[Key], Key]]:
    """Each line as (its members that add up, their total)."""
    if len(values) == 0:
        return []
    if len(values) == 1:
        return [([(a,) for a in values[0]], (None,))]
    rows, columns = values
    lines: list[tuple[list[Key], Key]] = [([(a, b) for b in columns], (a, None)) for a in rows]
    lines += [([(a, b) for a in rows], (None, b)) for b in columns]
    lines.append(([(a, None) for a in rows], (None, None)))
    lines.append(([(None, b) for b in columns], (None, None)))
    return lines


def _protect(
    true: dict[Key, int], hidden: dict[Key, str], lines: list[tuple[list[Key], Key]]
) -> None:
    changed = True
    while changed:
        changed = False
        for members, total in lines:
            line = [*members, total]
            if sum(key in hidden for key in line) != 1:
                continue
            hidden[_complement(true, hidden, members, total)] = SECONDARY
            changed = True


def _complement(
    true: dict[Key, int], hidden: dict[Key, str], members: list[Key], total: Key
) -> Key:
    """The member to hide with a lone hidden one: the smallest non-zero cell, else a total."""
    shown = [k for k in members if k not in hidden]
    for candidates in (
        [k for k in shown if true[k] > 0],
        list(shown),
    ):
        if candidates:
            return min(candidates, key=lambda k: (true[k], _position(k)))
    return total  # every member is hidden but one: the line's total must go too
