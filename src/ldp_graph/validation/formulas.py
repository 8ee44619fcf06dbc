"""Values a spreadsheet could run as a formula (CSV injection), told the same way everywhere.

OWASP's CSV-injection advice: a cell starting with =, +, -, @, tab, carriage return or line
feed may be run as a formula when the file is opened in a spreadsheet; some spreadsheets also
read the full-width forms of those signs, and skip leading spaces first. CSV exports quote
such values (`exports.formats.neutralise`) and validation flags them in submitted free text
(`field_checks.formula_values`); both use the predicate below, in Python or as a polars
expression, so the two can never disagree about what a formula is.
"""

from __future__ import annotations

import polars as pl

FORMULA_START = "=+-@\t\r\n\uff1d\uff0b\uff0d\uff20"
LEADING_SPACES = " \u00a0\u3000"


def _class(characters: str) -> str:
    """`characters` written for a regex character class, readable by Python and polars alike."""
    return "".join(
        {"-": r"\-", "\t": r"\t", "\r": r"\r", "\n": r"\n"}.get(c, c) for c in characters
    )


# The same test as `starts_like_formula`, as a regular expression for whole columns.
FORMULA_PATTERN = f"^[{_class(LEADING_SPACES)}]*[{_class(FORMULA_START)}]"

_FORMULA_START = frozenset(FORMULA_START)


def starts_like_formula(value: str) -> bool:
    """Whether a spreadsheet could run `value` as a formula."""
    return value.lstrip(LEADING_SPACES)[:1] in _FORMULA_START


def starts_like_formula_expr(text: pl.Expr) -> pl.Expr:
    """`starts_like_formula` of each value of a text column, vectorised (null stays null)."""
    return text.str.contains(FORMULA_PATTERN)


# The built-in check every return gets (schema/returns/README.md, "Built-in checks"): a query,
# not an error, since such text can be meant ("- see plan", "+44 ..."); exports quote it anyway.
FORMULA_RULE = "FORMULA-001"
FORMULA_MESSAGE = (
    "{label} starts with '{value}', and a value starting with =, +, - or @ can run as a "
    "formula when the return is opened in a spreadsheet. If this is the text you meant, "
    "explain it in reply to this query; if not, remove the sign at the start and resubmit."
)
