"""A small Python client for councils' tools: submit a return's files and read the report.

    async with LdpClient("https://ldp.example/", token) as client:
        result = await client.submit_files("col_...", [Path("child.csv"), ...])
        print(result.state, result.report["errorCount"])

It speaks the public GraphQL API only (multipart upload with the preflight header the API
requires), so it works against any ldp-graph deployment.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

SUBMIT = """
mutation Submit($input: SubmitReturnInput!) {
  submitReturn(input: $input) {
    submission { id state }
    version { number recordCount valid errorCount queryCount }
    report { valid errorCount queryCount issuesTruncated
             counts { ruleId severity problems rows } }
    replayed
    errors { __typename message field }
  }
}
"""

FULL_REPORT = """
query Report($id: ID!, $number: Int!) {
  submission(id: $id) { version(number: $number) { report(maxIssues: 10000) {
    issuesTruncated
    issues { problemId ruleId severity entity line key fields value message }
  } } }
}
"""


class ClientError(Exception):
    """The API refused the request (a typed error), or could not be reached."""


@dataclass(frozen=True, slots=True)
class SubmitResult:
    submission_id: str
    state: str
    version: dict[str, Any]
    report: dict[str, Any]
    replayed: bool

    @property
    def failed(self) -> bool:
        return self.state == "PREVALIDATION_FAILED"


class _Progress:
    """Reads a file for httpx while reporting how much of the upload has gone."""

    def __init__(self, path: Path, report: Callable[[int], None]) -> None:
        self._file = path.open("rb")
        self._report = report

    def read(self, size: int = -1) -> bytes:
        chunk = self._file.read(size)
        if chunk:  # the empty read at the end is no progress
            self._report(len(chunk))
        return chunk

    def close(self) -> None:
        self._file.close()


class LdpClient:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 600.0,
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {token}"},
            transport=transport,
            timeout=timeout,
        )

    async def __aenter__(self) -> LdpClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self._http.aclose()

    async def _graphql(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        try:
            response = await self._http.post(
                "/graphql", json={"query": query, "variables": variables}
            )
        except httpx.HTTPError as exc:
            raise ClientError(f"cannot reach the API: {exc}") from None
        return _data(response)

    async def submit_files(
        self,
        collection_id: str,
        paths: Sequence[Path],
        *,
        flat: bool = False,
        idempotency_key: str | None = None,
        progress: Callable[[int, int], None] | None = None,
        waiting: Callable[[float], None] | None = None,
        tick: float = 0.1,
    ) -> SubmitResult:
        """Upload the files as one return; retried with the same key, it is stored once.

        `progress(sent, total)` follows the upload in bytes. The server then validates the
        return before it answers, and reports no progress of its own while it does (the
        mutation answers once, and events are announced only when the version is stored):
        `waiting(seconds)` is called every `tick` seconds from the end of the upload until the
        answer arrives, for an indicator that shows the wait goes on, not how far it has got.
        """
        key = idempotency_key or f"submit-{uuid.uuid4()}"
        operations = {
            "query": SUBMIT,
            "variables": {
                "input": {
                    "collectionId": collection_id,
                    "files": [None] * len(paths),
                    "flat": flat,
                    "idempotencyKey": key,
                }
            },
        }
        mapping = {str(i): [f"variables.input.files.{i}"] for i in range(len(paths))}
        total = sum(p.stat().st_size for p in paths)
        sent = 0
        uploaded = asyncio.Event()

        def advance(size: int) -> None:
            nonlocal sent
            sent += size
            if progress is not None:
                progress(sent, total)
            if sent >= total:
                uploaded.set()

        readers = [_Progress(p, advance) for p in paths]
        request = asyncio.ensure_future(
            self._http.post(
                "/graphql",
                data={"operations": json.dumps(operations), "map": json.dumps(mapping)},
                files={
                    str(i): (p.name, reader, "text/csv")
                    for i, (p, reader) in enumerate(zip(paths, readers, strict=True))
                },
                headers={"GraphQL-Require-Preflight": "1"},
            )
        )
        try:
            if waiting is not None:
                await _while_validating(request, uploaded, waiting, tick)
            response = await request
        except httpx.HTTPError as exc:
            raise ClientError(f"cannot reach the API: {exc}") from None
        finally:
            request.cancel()  # when interrupted; no effect once it has answered
            for reader in readers:
                reader.close()
        payload = _data(response)["submitReturn"]
        if payload["errors"]:
            error = payload["errors"][0]
            raise ClientError(f"{error['__typename']}: {error['message']}")
        return SubmitResult(
            submission_id=payload["submission"]["id"],
            state=payload["submission"]["state"],
            version=payload["version"],
            report=payload["report"],
            replayed=payload["replayed"],
        )

    async def issues(self, submission_id: str, version: int) -> list[dict[str, Any]]:
        """Every issue of a version's report (up to 10,000)."""
        data = await self._graphql(FULL_REPORT, {"id": submission_id, "number": version})
        found = data["submission"]
        if found is None or found["version"] is None:
            raise ClientError(f"no version {version} of submission {submission_id}")
        return found["version"]["report"]["issues"]


async def _while_validating(
    request: asyncio.Future[Any],
    uploaded: asyncio.Event,
    waiting: Callable[[float], None],
    tick: float,
) -> None:
    """Call `waiting(seconds since the upload ended)` every `tick` until `request` is done."""
    upload_done = asyncio.ensure_future(uploaded.wait())
    try:
        await asyncio.wait({request, upload_done}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        upload_done.cancel()
    started = time.monotonic()
    while not request.done():
        waiting(time.monotonic() - started)
        await asyncio.wait({request}, timeout=tick)


def _data(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        raise ClientError(f"HTTP {response.status_code}: not a GraphQL answer") from None
    if response.status_code != 200 or body.get("errors"):
        message = (body.get("errors") or [{"message": f"HTTP {response.status_code}"}])[0]
        raise ClientError(message["message"])
    return body["data"]


def print_progress(sent: int, total: int) -> None:
    """A one-line progress bar on standard error."""
    width = 30
    done = int(width * sent / total) if total else width
    percent = 100 * sent // total if total else 100
    end = "\n" if sent >= total else ""
    print(
        f"\ruploading [{'#' * done}{'.' * (width - done)}] {percent:3d}%", end=end, file=sys.stderr
    )


_SPINNER = "|/-\\"


def print_waiting(elapsed: float) -> None:
    """An indeterminate indicator on standard error, on one line, while the server validates:
    a spinner and the time since the upload ended (the server reports no progress until it
    answers, so there is no percentage to show)."""
    frame = _SPINNER[int(elapsed / 0.1) % len(_SPINNER)]
    print(f"\rvalidating {frame} {elapsed:5.1f}s", end="", file=sys.stderr)


def print_validated(elapsed: float | None) -> None:
    """Ends the validating line: the answer has arrived."""
    took = f" in {elapsed:.1f}s" if elapsed is not None else ""
    print(f"\rvalidating... done{took}          ", file=sys.stderr)
