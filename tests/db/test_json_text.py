"""Stored JSON is read exactly as json reads it, however fast the usual path."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from ldp_graph.db import json_text

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
)
_DOCUMENTS = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)


def _same(a: Any, b: Any) -> bool:
    """Equal, and of the same types throughout (1 and 1.0 are equal but not the same)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b) or (a != a and b != b)  # NaN is itself here


@given(_DOCUMENTS)
def test_documents_read_as_json_reads_them(document: Any) -> None:
    text = json.dumps(document)

    assert _same(json_text.loads(text), json.loads(text))


def test_long_integers_and_nan_keep_their_value() -> None:
    for text in (
        '{"scn": 100000000000000000000}',
        '{"a": "x", "b": [1.5, -123456789012345678901234]}',
        '{"n": 18446744073709551616, "f": 0.5}',
        '{"n": NaN}',
        "[9223372036854775807, 1e400]",
        "-9223372036854775809",  # a whole document: found by the property test above
    ):
        assert _same(json_text.loads(text), json.loads(text)), text
