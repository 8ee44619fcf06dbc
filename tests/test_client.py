"""The Python client and `ldp-graph submit`: one command from a council's export to its report."""

from __future__ import annotations

import asyncio
import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ldp_graph.app import create_app
from ldp_graph.client import ClientError, LdpClient
from ldp_graph.config import Settings
from ldp_graph.specs.registry import load_registry
from ldp_graph.synthetic import generate
from ldp_graph.synthetic.writer import write_csv
from tests.api import flow
from tests.conftest import Api
from tests.live_server import serving
from tests.test_cli import run_cli  # noqa: F401  (fixture)


def _export(tmp_path: Path, error_rate: float) -> list[Path]:
    spec = load_registry().get("clas")
    assert spec is not None
    (generated,) = generate(
        spec, councils=["S12000036"], children_per_council=25, error_rate=error_rate, seed=4
    )
    return write_csv(generated, spec, tmp_path)


@pytest.fixture
async def setup(api: Api) -> dict[str, Any]:
    owner = await flow.requester_token(api)
    collection = await flow.create_collection(api, owner)
    return {"collection": collection["id"], "council": await flow.council_token(api, "S12000036")}


def _client(api: Api, token: str) -> LdpClient:
    return LdpClient("http://testserver", token, transport=httpx.ASGITransport(app=api.app))


async def test_client_uploads_an_export_and_reads_the_full_report(
    api: Api, setup: dict[str, Any], tmp_path: Path
) -> None:
    seen: list[tuple[int, int]] = []

    async with _client(api, setup["council"]) as client:
        result = await client.submit_files(
            setup["collection"], _export(tmp_path, 0.3), progress=lambda s, t: seen.append((s, t))
        )
        issues = await client.issues(result.submission_id, result.version["number"])

    assert result.failed
    assert len(issues) >= result.report["errorCount"] > 0
    assert seen[-1][0] == seen[-1][1]  # the whole upload was read


async def test_client_retry_with_the_same_key_returns_the_first_version(
    api: Api, setup: dict[str, Any], tmp_path: Path
) -> None:
    files = _export(tmp_path, 0.0)
    async with _client(api, setup["council"]) as client:
        first = await client.submit_files(setup["collection"], files, idempotency_key="k1")
        again = await client.submit_files(setup["collection"], files, idempotency_key="k1")

    assert (first.state, first.replayed, again.replayed) == ("PREVALIDATED", False, True)
    assert again.version["number"] == first.version["number"]


async def test_client_turns_typed_refusals_into_client_errors(
    api: Api, setup: dict[str, Any], tmp_path: Path
) -> None:
    outsider = await flow.council_token(api, "S12000040")

    async with _client(api, outsider) as client:
        with pytest.raises(ClientError, match="NotPermitted"):
            await client.submit_files(setup["collection"], _export(tmp_path, 0.0))


class _SlowAnswer(httpx.AsyncBaseTransport):
    """The API, answering `delay` seconds after it has read the upload (a long validation);
    or failing then with `fail`, as a dropped connection does."""

    def __init__(self, app: Any, delay: float, fail: httpx.HTTPError | None = None) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.delay, self.fail = delay, fail

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        await asyncio.sleep(self.delay)
        if self.fail is not None:
            raise self.fail
        return response


async def test_client_reports_the_wait_for_validation_from_the_end_of_the_upload(
    api: Api, setup: dict[str, Any], tmp_path: Path
) -> None:
    seen: list[tuple[str, float]] = []
    transport = _SlowAnswer(api.app, delay=0.4)

    async with LdpClient("http://testserver", setup["council"], transport=transport) as client:
        result = await client.submit_files(
            setup["collection"],
            _export(tmp_path, 0.0),
            progress=lambda sent, total: seen.append(("upload", sent / total)),
            waiting=lambda elapsed: seen.append(("wait", elapsed)),
            tick=0.05,
        )

    assert result.state == "PREVALIDATED"
    kinds = [kind for kind, _ in seen]
    first_wait = kinds.index("wait")
    assert seen[first_wait - 1] == ("upload", 1.0)  # waiting starts once the upload is read
    assert "upload" not in kinds[first_wait:]
    waits = [elapsed for kind, elapsed in seen if kind == "wait"]
    assert len(waits) >= 4
    assert waits == sorted(waits)
    assert waits[0] < 0.05
    assert waits[-1] >= 0.3


async def test_client_stops_reporting_the_wait_when_the_connection_fails(
    api: Api, setup: dict[str, Any], tmp_path: Path
) -> None:
    waits: list[float] = []
    transport = _SlowAnswer(api.app, delay=0.2, fail=httpx.ReadError("connection reset"))

    async with LdpClient("http://testserver", setup["council"], transport=transport) as client:
        with pytest.raises(ClientError, match="cannot reach the API: connection reset"):
            await client.submit_files(
                setup["collection"], _export(tmp_path, 0.0), waiting=waits.append, tick=0.05
            )
        reported = len(waits)
        await asyncio.sleep(0.2)

    assert reported >= 2
    assert len(waits) == reported  # nothing left ticking after the failure


async def test_client_without_a_waiting_callback_reports_nothing_and_still_answers(
    api: Api, setup: dict[str, Any], tmp_path: Path
) -> None:
    transport = _SlowAnswer(api.app, delay=0.1)

    async with LdpClient("http://testserver", setup["council"], transport=transport) as client:
        result = await client.submit_files(setup["collection"], _export(tmp_path, 0.0))

    assert result.state == "PREVALIDATED"


@pytest.fixture
def server(settings: Settings) -> Iterator[str]:
    with serving(create_app(settings)) as url:
        yield url


async def _submit_quietly(
    cli: Any, server: str, setup: dict[str, Any], report: Path, files: list[Path]
) -> tuple[int, str, str]:
    """`ldp-graph submit` as the council, writing the full report to `report`."""
    return await cli(
        "submit",
        "--url",
        server,
        "--token",
        setup["council"],
        "--collection",
        setup["collection"],
        "--report",
        str(report),
        "--quiet",
        *map(str, files),
    )


async def test_submit_command_prints_the_summary_writes_the_report_and_fails_on_errors(
    setup: dict[str, Any],
    server: str,
    tmp_path: Path,
    run_cli,  # noqa: F811
) -> None:
    files = _export(tmp_path, 0.3)
    report = tmp_path / "report.csv"

    code, out, _ = await _submit_quietly(run_cli, server, setup, report, files)

    assert code == 1
    assert "PREVALIDATION_FAILED" in out
    assert "rule" in out
    with report.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows
    assert {"ruleId", "entity", "line", "message"} <= set(rows[0])


async def test_submit_command_report_csv_neutralises_formulas_in_submitted_values(
    setup: dict[str, Any],
    server: str,
    tmp_path: Path,
    run_cli,  # noqa: F811
) -> None:
    files = _export(tmp_path, 0.0)
    child = next(f for f in files if f.name == "child.csv")
    with child.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[0]["sex"] = "=cmd|' /C calc'!A0"
    with child.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    report = tmp_path / "report.csv"

    code, _, _ = await _submit_quietly(run_cli, server, setup, report, files)

    assert code == 1
    with report.open(encoding="utf-8") as handle:
        values = [row["value"] for row in csv.DictReader(handle)]
    assert "'=cmd|' /C calc'!A0" in values
    assert not any(value.startswith("=") for value in values)


async def test_submit_command_with_a_bad_token_exits_two(
    setup: dict[str, Any],
    server: str,
    tmp_path: Path,
    run_cli,  # noqa: F811
) -> None:
    files = _export(tmp_path, 0.0)

    code, _, err = await run_cli(
        "submit",
        "--url",
        server,
        "--token",
        "ldp_nope_nope",
        "--collection",
        setup["collection"],
        "--quiet",
        *map(str, files),
    )

    assert code == 2
    assert "token" in err


async def test_submit_command_shows_upload_progress_then_an_elapsed_time_while_validating(
    setup: dict[str, Any],
    server: str,
    tmp_path: Path,
    run_cli,  # noqa: F811
) -> None:
    files = _export(tmp_path, 0.0)

    code, out, err = await run_cli(
        "submit",
        "--url",
        server,
        "--token",
        setup["council"],
        "--collection",
        setup["collection"],
        *map(str, files),
    )

    assert code == 0
    assert "PREVALIDATED" in out
    uploading = err.index("uploading [")
    assert "100%\n" in err[uploading:]
    assert re.search(r"\rvalidating [|/\\-] +[0-9]+\.[0-9]s", err)  # spinner and seconds
    assert re.search(r"\rvalidating\.\.\. done in [0-9]+\.[0-9]s +\n", err)
    assert err.index("validating") > err.index("100%")


async def test_submit_command_refused_after_the_upload_ends_the_spinner_line_first(
    api: Api,
    setup: dict[str, Any],
    server: str,
    tmp_path: Path,
    run_cli,  # noqa: F811
) -> None:
    outsider = await flow.council_token(api, "S12000040")

    code, _, err = await run_cli(
        "submit",
        "--url",
        server,
        "--token",
        outsider,
        "--collection",
        setup["collection"],
        *map(str, _export(tmp_path, 0.0)),
    )

    assert code == 2
    assert "validating" in err
    assert "done" not in err
    assert re.search(r"\nldp-graph: NotPermitted: .+\n$", err)
