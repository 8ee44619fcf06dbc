"""Uploads read a chunk at a time (ingest/sources.py) give what the same bytes read whole give:
the same refusals with the same messages, the same text, and the same records."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ldp_graph.ingest import IngestError, Limits, parse_files, sources
from ldp_graph.ingest.csv_files import decode
from ldp_graph.specs.model import ReturnSpec
from tests.ingest.files import synthetic, written

PROPERTY = settings(max_examples=300, derandomize=True, deadline=None, database=None)

# Bytes near the edges of UTF-8: multi-byte characters, stray continuation bytes, NULs, BOMs.
_PIECES = st.sampled_from(
    [b"a", b",", b"\n", b"\r\n", b" ", b"\x00", b"\xef\xbb\xbf", b"\xff\xfe", b"\xc3\xa9",
     b"\xe2\x82\xac", b"\xf0\x9f\x98\x80", b"\xc3", b"\xe2\x82", b"\x80", b"\xed\xa0\x80",
     b"\xf8", b"\xc0\xaf"]
)  # fmt: skip


def _outcome(read: object) -> tuple[str, str]:
    try:
        return ("text", read())  # type: ignore[operator]
    except IngestError as exc:
        return ("refused", exc.message)


def _chunked_text(source: sources.Source) -> str:
    with sources.text_of(source, "child.csv") as text:
        return text.read()


@PROPERTY
@given(pieces=st.lists(_PIECES, max_size=12), chunk=st.integers(1, 5))
def test_chunked_checks_and_text_equal_decoding_the_whole_file(
    pieces: list[bytes], chunk: int
) -> None:
    data = b"".join(pieces)
    whole = _outcome(lambda: decode(data, "child.csv"))
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(sources, "_CHUNK", chunk)  # characters split across chunks
        assert _outcome(lambda: _chunked_text(data)) == whole
        assert _outcome(lambda: _chunked_text(io.BytesIO(data))) == whole


def test_files_and_their_bytes_parse_to_the_same_return(spec: ReturnSpec, tmp_path: Path) -> None:
    files = written(synthetic(spec), spec, tmp_path)
    handles = [(name, io.BytesIO(data)) for name, data in files]

    from_files = parse_files(spec, handles, limits=Limits())

    assert from_files == parse_files(spec, files)
    assert all(not handle.closed for _, handle in handles)  # their owner closes them
