"""Reading the JSON documents the database stores (records, reports, audit details)."""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

# A number of 19 digits or more may lie beyond 64 bits, which orjson would read as a float
# (in a document, or as the whole document).
_LONG_NUMBER = re.compile(r"(?:^|[:\[,])\s*-?[0-9]{19}")


def loads(text: str) -> Any:
    """orjson reads stored documents several times faster than json. json reads what orjson
    would not read exactly: long integers, and NaN from an older row.

    orjson reads an integer beyond 64 bits as a float, so only a document in which orjson
    found a float is searched for a long number: the search costs more than orjson's whole
    parse, and most records (text from CSV uploads) hold no number at all.
    """
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)
    if _has_float(value) and _LONG_NUMBER.search(text) is not None:
        return json.loads(text)
    return value


def _has_float(value: Any) -> bool:
    kind = type(value)
    if kind is float:
        return True
    if kind is dict:
        value = value.values()
    elif kind is not list:
        return False
    for item in value:
        kind = type(item)
        if kind is str:
            continue
        if kind is float or ((kind is dict or kind is list) and _has_float(item)):
            return True
    return False
