"""Persisted queries: Apollo's automatic persisted queries (APQ) and an operation allow-list.

The wire format is Apollo's, which GraphQL Code Generator's persisted documents use too: the
request carries `extensions: {"persistedQuery": {"version": 1, "sha256Hash": "<64 hex>"}}` in a
POST body, or the same JSON in GET's `extensions` parameter, with or without `query`.

`LDP_PERSISTED_QUERIES` picks the mode:

- `off`: documents travel in full; a request naming a hash is answered
  `PersistedQueryNotSupported`, which tells Apollo clients to stop sending hashes.
- `apq` (default): a hash alone runs the document registered under it, or is answered
  `PersistedQueryNotFound` so the client sends hash and query; that pair runs and, once the
  document has parsed and validated, is remembered in a bounded in-process LRU store (by
  bytes). A query whose sha256 is not the hash is refused. Plain queries run as before.
- `allowlist`: only the documents in the manifest (`LDP_OPERATION_ALLOWLIST`) run, named by
  hash or sent as their exact text; anything else is refused with `OPERATION_NOT_ALLOWED`
  (an unknown hash alone with `PersistedQueryNotFound`), before it is even parsed.

Refusals are ordinary GraphQL request errors with `extensions.code`: HTTP 200 under
`application/json` (Apollo clients read them there), 400 under
`application/graphql-response+json` (graphql_http.py). graphql/persisted_schema.py applies
this before the schema parses anything.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from cachetools import LRUCache

Mode = Literal["off", "apq", "allowlist"]

# Apollo clients recognise these two by their message, not only by their code.
NOT_FOUND = ("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
NOT_SUPPORTED = ("PersistedQueryNotSupported", "PERSISTED_QUERY_NOT_SUPPORTED")
HASH_MISMATCH = (
    "The query's sha256 hash is not extensions.persistedQuery.sha256Hash.",
    "PERSISTED_QUERY_HASH_MISMATCH",
)
INVALID = (
    "extensions.persistedQuery must be {version: 1, sha256Hash: <64 hexadecimal digits>}.",
    "PERSISTED_QUERY_INVALID",
)
NOT_ALLOWED = (
    "This server runs only the operations on its allow-list: send a listed document "
    "or its sha256 hash in extensions.persistedQuery.",
    "OPERATION_NOT_ALLOWED",
)

APOLLO_MANIFEST_FORMAT = "apollo-persisted-query-manifest"
_SHA256 = re.compile(r"[0-9a-f]{64}")


class ManifestError(ValueError):
    """The allow-list manifest cannot be read or does not hold what it claims."""


class Refused(Exception):
    """The request may not run; `message` and `code` become its GraphQL error."""

    def __init__(self, message_and_code: tuple[str, str]) -> None:
        self.message, self.code = message_and_code
        super().__init__(self.message)


def sha256_hex(document: str) -> str:
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


def load_manifest(path: Path) -> dict[str, str]:
    """Read an allow-list manifest into {sha256: document}, checking every hash.

    Two formats are read: the flat `{"<sha256>": "<document>"}` object that GraphQL Code
    Generator's client preset writes (`persistedDocuments: {hashAlgorithm: "sha256"}`), and
    Apollo's `{"format": "apollo-persisted-query-manifest", "version": 1, "operations":
    [{"id", "body", ...}]}`. Every id must be the sha256 of its document: a manifest built
    with another hash (codegen's default is sha1) would otherwise refuse every request.
    """
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ManifestError(f"cannot read {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise ManifestError(f"{path} is not JSON: {exc}") from None
    if isinstance(content, dict) and content.get("format") == APOLLO_MANIFEST_FORMAT:
        operations = content.get("operations")
        if content.get("version") != 1 or not isinstance(operations, list):
            raise ManifestError(f"{path}: an Apollo manifest needs version 1 and operations")
        pairs = [
            (op.get("id"), op.get("body")) if isinstance(op, dict) else (None, None)
            for op in operations
        ]
    elif isinstance(content, dict):
        pairs = list(content.items())
    else:
        raise ManifestError(f"{path}: expected an object of sha256 hash -> document")
    documents: dict[str, str] = {}
    for key, document in pairs:
        if not isinstance(key, str) or not isinstance(document, str):
            raise ManifestError(f"{path}: every entry needs a string id and document")
        if sha256_hex(document) != key.lower():
            raise ManifestError(f"{path}: {key!r} is not the sha256 hash of its document")
        documents[key.lower()] = document
    if not documents:
        raise ManifestError(f"{path} lists no operations")
    return documents


class PersistedQueries:
    """Turns a request's query and extensions into the document to run, or refuses it."""

    def __init__(
        self,
        mode: Mode,
        manifest: Mapping[str, str] | None = None,
        cache_bytes: int = 8 * 1024 * 1024,
    ) -> None:
        if mode == "allowlist" and not manifest:
            raise ValueError("allowlist mode needs a manifest")
        self.mode = mode
        self.manifest = dict(manifest or {})
        # Bounded by the documents' total size, not their number: a document may be large.
        self._registered: LRUCache[str, str] = LRUCache(
            maxsize=cache_bytes, getsizeof=lambda document: len(document.encode("utf-8"))
        )

    def resolve(
        self, query: str | None, extensions: Mapping[str, Any] | None
    ) -> tuple[str | None, str | None]:
        """The document to run and, in APQ mode, the hash to remember it under once it ran."""
        persisted = (extensions or {}).get("persistedQuery")
        if persisted is None:
            if self.mode == "allowlist" and query is not None:
                self._require_listed(sha256_hex(query))
            return query, None
        if self.mode == "off":
            raise Refused(NOT_SUPPORTED)
        wanted = _requested_hash(persisted)
        if query is not None:
            if sha256_hex(query) != wanted:
                raise Refused(HASH_MISMATCH)
            if self.mode == "allowlist":
                self._require_listed(wanted)
                return query, None
            return query, wanted
        document = (self.manifest if self.mode == "allowlist" else self._registered).get(wanted)
        if document is None:
            raise Refused(NOT_FOUND)
        return document, None

    def remember(self, sha256: str, document: str) -> None:
        # A document larger than the whole store still ran; it is just not kept.
        with contextlib.suppress(ValueError):
            self._registered[sha256] = document

    def _require_listed(self, sha256: str) -> None:
        if sha256 not in self.manifest:
            raise Refused(NOT_ALLOWED)


def _requested_hash(persisted: object) -> str:
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        raise Refused(INVALID)
    wanted = persisted.get("sha256Hash")
    if not isinstance(wanted, str) or not _SHA256.fullmatch(wanted.lower()):
        raise Refused(INVALID)
    return wanted.lower()
