"""A zip of per-entity CSVs, read in memory with its sizes checked (zip bombs, path tricks)."""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePosixPath

from ldp_graph.ingest.parsed import IngestError, Limits

ZIP_MAGIC = b"PK\x03\x04"
_CHUNK = 1024 * 1024


def members(name: str, data: bytes, limits: Limits) -> list[tuple[str, bytes]]:
    """The CSV files in the archive, as (file name without folders, bytes)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise IngestError("is not a readable zip archive", file=name) from None
    entries = [i for i in archive.infolist() if not i.is_dir()]
    if len(entries) > limits.max_files:
        raise IngestError(f"holds {len(entries)} files; at most {limits.max_files}", file=name)
    if sum(i.file_size for i in entries) > limits.max_total_bytes:
        raise IngestError("unpacks to more than the allowed size", file=name)
    found: list[tuple[str, bytes]] = []
    total = 0
    for info in entries:
        path = PurePosixPath(info.filename.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts:
            raise IngestError(f"member {info.filename!r} has an unsafe path", file=name)
        if path.name.startswith(".") or "__MACOSX" in path.parts:
            continue  # operating-system clutter, not data
        if info.flag_bits & 0x1:
            raise IngestError(f"member {info.filename!r} is encrypted", file=name)
        chunks = []
        with archive.open(info) as handle:
            # Count what really comes out: declared sizes can lie.
            while chunk := handle.read(_CHUNK):
                total += len(chunk)
                if total > limits.max_total_bytes:
                    raise IngestError("unpacks to more than the allowed size", file=name)
                chunks.append(chunk)
        found.append((path.name, b"".join(chunks)))
    if not found:
        raise IngestError("holds no files", file=name)
    return found
