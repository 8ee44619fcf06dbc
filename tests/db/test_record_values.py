"""Records parsed into columns (TextFrame) are stored exactly as the same rows as dicts: the
same keys, lines and JSON text, whatever characters the values hold."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ldp_graph.db.repositories.records import _record_values
from ldp_graph.validation.frames import TextFrame

_VALUES = st.none() | st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"]) | st.sampled_from("\x00\x1f\x7f\u2028"),
    max_size=8,
)  # fmt: skip
_COLUMNS = ("id", "parent", "x")
# Rows as a parser makes them: the same keys in the same order.
_ROWS = st.lists(
    st.tuples(_VALUES, _VALUES, _VALUES).map(lambda row: dict(zip(_COLUMNS, row, strict=True))),
    max_size=30,
)


@settings(max_examples=200, derandomize=True, deadline=None, database=None)
@given(rows=_ROWS, keys=st.sampled_from([(), ("id",), ("id", "parent"), ("missing",)]))
def test_a_text_frame_stores_as_its_rows_would(
    rows: list[dict[str, str | None]], keys: tuple[str, ...]
) -> None:
    frame = TextFrame.of_rows(rows) if rows else []
    lines = list(range(2, 2 + len(rows)))
    entity_keys = {"child": keys}

    from_frame = list(_record_values("ver_1", entity_keys, {"child": frame}, {"child": lines}))
    from_dicts = list(_record_values("ver_1", entity_keys, {"child": rows}, {"child": lines}))

    assert from_frame == from_dicts, (rows, keys)
