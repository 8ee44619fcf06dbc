"""From submitted text to typed values, leniently: a value that does not parse stays text.

CSV gives text, JSON gives text or native values; both are first turned into text (`as_text`)
so one set of lexical rules decides what a valid date, number or yes/no is. The vectorised
engine applies the same rules to whole columns (see frames.py); the two must agree.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ldp_graph.specs.model import FieldType

# ASCII digits only ([0-9], not \d): Python's int() would also read other scripts' digits.
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
INTEGER_PATTERN = r"^[+-]?[0-9]{1,18}$"  # fits a 64-bit integer
NUMBER_PATTERN = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]{1,3})?$"
# Only ASCII white space is trimmed, identically here and in the vectorised engine.
WHITESPACE = " \t\n\r\f\v"
TRUE_WORDS = frozenset({"y", "yes", "true", "1"})
FALSE_WORDS = frozenset({"n", "no", "false", "0"})

_date = re.compile(DATE_PATTERN)
_integer = re.compile(INTEGER_PATTERN)
_number = re.compile(NUMBER_PATTERN)


def as_text(value: Any) -> str | None:
    """The submitted value as trimmed text; None for missing or blank."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    text = value if isinstance(value, str) else str(value)
    text = text.strip(WHITESPACE)
    return text or None


def coerce(text: str | None, field_type: FieldType) -> Any:
    """The typed value of `text`, or `text` itself when it is not a valid `field_type`."""
    if text is None or field_type in (FieldType.STRING, FieldType.CODE):
        return text
    if field_type == FieldType.DATE:
        if _date.match(text):
            try:
                return dt.date(int(text[:4]), int(text[5:7]), int(text[8:10]))
            except ValueError:  # 2025-02-30, month 13, year 0
                return text
        return text
    if field_type == FieldType.INTEGER:
        return int(text) if _integer.match(text) else text
    if field_type == FieldType.NUMBER:
        return float(text) if _number.match(text) else text
    lowered = text.lower()
    if lowered in TRUE_WORDS:
        return True
    if lowered in FALSE_WORDS:
        return False
    return text
