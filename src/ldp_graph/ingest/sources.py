"""An uploaded file as the parsers read it: its bytes, or a binary file (an upload spooled to
disk), read a chunk at a time so a large upload is never held whole in memory.

The checks `csv_files.decode` makes on bytes (UTF-16, NUL bytes, UTF-8 with the offset of
the first byte that cannot be read) are made here chunk by chunk, with the same messages.
"""

from __future__ import annotations

import codecs
import hashlib
import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO, TextIO

from ldp_graph.ingest.parsed import IngestError

Source = bytes | BinaryIO

_CHUNK = 1024 * 1024
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def chunks(source: Source) -> Iterator[bytes]:
    """The source's bytes from the start, a chunk at a time."""
    if isinstance(source, bytes):
        for start in range(0, len(source), _CHUNK):
            yield source[start : start + _CHUNK]
        return
    source.seek(0)
    while chunk := source.read(_CHUNK):
        yield chunk


def head(source: Source, size: int) -> bytes:
    if isinstance(source, bytes):
        return source[:size]
    source.seek(0)
    return source.read(size)


def read_all(source: Source) -> bytes:
    if isinstance(source, bytes):
        return source
    source.seek(0)
    return source.read()


def is_blank(source: Source) -> bool:
    """Nothing but white space (as `bytes.strip` takes it), or nothing at all."""
    return not any(chunk.strip() for chunk in chunks(source))


def sha256(source: Source) -> hashlib._Hash:
    digest = hashlib.sha256()
    for chunk in chunks(source):
        digest.update(chunk)
    return digest


def check_text(source: Source, name: str) -> None:
    """Raise as `csv_files.decode` would for the same bytes; return if they are UTF-8 text."""
    if head(source, 2).startswith(UTF16_BOMS):
        raise IngestError("the file is UTF-16 (it holds NUL bytes); save it as CSV UTF-8", name)
    bad_byte = None
    offset = 0  # of `pending` in the file
    pending = b""  # the start of a character split between chunks
    for chunk in chunks(source):
        if b"\x00" in chunk:
            raise IngestError("the file holds NUL bytes; is it a spreadsheet, not a CSV?", name)
        if bad_byte is None:
            data = pending + chunk
            try:
                _, used = codecs.utf_8_decode(data, "strict", False)
            except UnicodeDecodeError as exc:
                bad_byte = offset + exc.start
            else:
                pending, offset = data[used:], offset + used
    if bad_byte is None and pending:
        try:
            codecs.utf_8_decode(pending, "strict", True)
        except UnicodeDecodeError as exc:
            bad_byte = offset + exc.start
    if bad_byte is not None:
        raise IngestError(
            f"the file is not UTF-8 (byte {bad_byte} cannot be read); save it as CSV UTF-8", name
        )


@contextmanager
def text_of(source: Source, name: str) -> Iterator[TextIO]:
    """The source as text, decoded as it is read, without its byte-order mark (if any)."""
    check_text(source, name)
    binary = io.BytesIO(source) if isinstance(source, bytes) else source
    binary.seek(0)
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")  # type: ignore[arg-type]
    try:
        yield text
    finally:
        text.detach()  # the upload is its owner's to close, not the wrapper's
