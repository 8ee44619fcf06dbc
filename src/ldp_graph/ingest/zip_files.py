"""A zip of per-entity CSVs, read in memory with its sizes checked (zip bombs, path tricks).

Nothing is extracted to disk. The declared sizes are checked before anything is unpacked,
and the bytes that really come out are counted as they stream, because declared sizes lie.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import PurePosixPath

from ldp_graph.ingest.parsed import IngestError, Limits

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a member first, or an empty archive
_CHUNK = 1024 * 1024
# What a damaged or exotic archive raises while it is read.
_UNREADABLE = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError)


def is_zip(name: str, data: bytes) -> bool:
    return data.startswith(ZIP_MAGIC) or name.lower().endswith(".zip")


def members(name: str, data: bytes, limits: Limits) -> list[tuple[str, bytes]]:
    """The files in the archive as (path inside it, bytes), folders and OS clutter left out."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (*_UNREADABLE, ValueError):
        raise IngestError("is not a readable zip archive; zip the CSV files again", name) from None
    entries = [i for i in archive.infolist() if not i.is_dir()]
    if len(entries) > limits.max_files:
        raise IngestError(f"holds {len(entries)} files; at most {limits.max_files}", name)
    if sum(i.file_size for i in entries) > limits.max_total_bytes:
        raise IngestError(f"unpacks to more than the allowed size, {_mb(limits)}", name)
    if any(i.filename == "xl/workbook.xml" for i in entries):
        raise IngestError("is an Excel workbook; save each sheet as CSV UTF-8", name)
    found: list[tuple[str, bytes]] = []
    total = 0
    for info in entries:
        path = PurePosixPath(info.filename.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts or ":" in info.filename:
            raise IngestError(f"member {info.filename!r} has an unsafe path", name)
        if path.name.startswith(".") or "__MACOSX" in path.parts:
            continue  # operating-system clutter, not data
        if info.flag_bits & 0x1:
            raise IngestError(f"member {info.filename!r} is encrypted; zip it without one", name)
        chunks = []
        try:
            with archive.open(info) as handle:
                while chunk := handle.read(_CHUNK):
                    total += len(chunk)
                    if total > limits.max_total_bytes:
                        raise IngestError(
                            f"unpacks to more than the allowed size, {_mb(limits)}", name
                        )
                    chunks.append(chunk)
        except _UNREADABLE as exc:
            raise IngestError(
                f"member {info.filename!r} cannot be unpacked ({exc}); zip the files again", name
            ) from None
        found.append((str(path), b"".join(chunks)))
    if not found:
        raise IngestError("holds no files; zip the entity CSVs, e.g. child.csv", name)
    return found


def _mb(limits: Limits) -> str:
    return f"{limits.max_total_bytes / 1024 / 1024:g} MB"
