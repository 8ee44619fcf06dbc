"""Dates as day ordinals: their ISO text, and ages in whole years as the validator counts them."""

from __future__ import annotations

import datetime as dt


class _IsoText(dict[int, str]):
    def __missing__(self, day: int) -> str:
        text = self[day] = dt.date.fromordinal(day).isoformat()
        return text


class _Parts(dict[int, tuple[int, int, int]]):
    def __missing__(self, day: int) -> tuple[int, int, int]:
        d = dt.date.fromordinal(day)
        found = self[day] = (d.year, d.month, d.day)
        return found


# A return spans a few decades of dates at most: caching their text and parts keeps the
# generator's inner loop free of date objects (a cache hit is a plain dict lookup).
ISO = _IsoText()
_parts = _Parts()


def iso(day: int) -> str:
    """The ordinal `day` as YYYY-MM-DD."""
    return ISO[day]


def parts(day: int) -> tuple[int, int, int]:
    return _parts[day]


def ordinal(text: str) -> int:
    """The ordinal of an ISO date the generator wrote."""
    return dt.date.fromisoformat(text).toordinal()


def age(birth: int, at: int) -> int:
    """Whole years from `birth` to `at`; a birthday not yet reached that year does not count."""
    by, bm, bd = _parts[birth]
    ay, am, ad = _parts[at]
    return ay - by - ((am, ad) < (bm, bd))


def shift_years(day: int, years: int) -> int:
    """The same day `years` later (or earlier); 29 February becomes 1 March in a common year,
    the first day on which `age` counts the extra year."""
    y, m, d = parts(day)
    try:
        return dt.date(y + years, m, d).toordinal()
    except ValueError:
        return dt.date(y + years, 3, 1).toordinal()
