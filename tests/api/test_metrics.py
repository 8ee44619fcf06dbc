"""GET /metrics: Prometheus counts of requests, errors, submissions and validation time."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from prometheus_client.multiprocess import MultiProcessCollector

from ldp_graph.app import create_app
from ldp_graph.config import Settings
from ldp_graph.metrics import MULTIPROCESS_DIRECTORY, mark_dead_workers, multiprocess_directory
from tests.api import flow
from tests.conftest import Api


def _value(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        metric, _, value = line.rpartition(" ")
        match = re.fullmatch(rf"{name}(?:{{(.*)}})?", metric)
        if match and ",".join(sorted((match.group(1) or "").split(","))) == wanted:
            return float(value)
    return 0.0


async def test_metrics_count_requests_by_route_and_submissions_by_outcome(api: Api) -> None:
    before = (await api.client.get("/metrics")).text
    owner = await flow.requester_token(api)
    collection = await flow.create_collection(api, owner)
    broken = flow.clean_return()
    broken["child"][0]["sex"] = "X"
    await flow.submit(api, await flow.council_token(api, "S12000036"), collection["id"], broken)
    await api.client.get("/exports/some-secret-link")

    response = await api.client.get("/metrics")
    after = response.text

    assert response.headers["content-type"].startswith("text/plain")
    failed = {"source_format": "json", "outcome": "prevalidation_failed"}
    assert _value(after, "ldp_submissions_total", **failed) == (
        _value(before, "ldp_submissions_total", **failed) + 1
    )
    assert _value(after, "ldp_validation_seconds_count") > _value(
        before, "ldp_validation_seconds_count"
    )
    graphql = {"method": "POST", "route": "/graphql", "status": "200"}
    assert _value(after, "ldp_http_requests_total", **graphql) >= 2 + _value(
        before, "ldp_http_requests_total", **graphql
    )
    assert "some-secret-link" not in after  # routes are labelled by template
    assert 'route="/exports/{secret}"' in after


async def test_metrics_can_be_switched_off(settings: Settings, api: Api) -> None:
    app = create_app(settings.model_copy(update={"metrics": False}))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        assert (await client.get("/metrics")).status_code == 404


def _worker_counts(directory: Path, route: str) -> dict[int, float]:
    """Requests to `route` each worker counted, read from its own file in the directory."""
    counts = {}
    for path in directory.glob("counter_*.db"):
        pid = int(path.stem.split("_")[1])
        counts[pid] = sum(
            sample.value
            for metric in MultiProcessCollector.merge([str(path)])
            for sample in metric.samples
            if sample.name == "ldp_http_requests_total" and sample.labels["route"] == route
        )
    return counts


def _total(text: str, route: str) -> float:
    return sum(
        float(line.rpartition(" ")[2])
        for line in text.splitlines()
        if line.startswith("ldp_http_requests_total{") and f'route="{route}"' in line
    )


def test_several_workers_answer_scrapes_with_every_workers_counts(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "LDP_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'workers.sqlite3'}",
        "LDP_RATE_LIMIT_PER_ADDRESS": "0",
        "LDP_LOG_LEVEL": "WARNING",
        "TMPDIR": str(tmp_path),  # where serve makes its metrics directory
    }
    env.pop(MULTIPROCESS_DIRECTORY, None)
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "ldp_graph", "serve", "--workers", "2", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so the workers can be killed with it
    )
    try:
        deadline = time.monotonic() + 60
        while not any(tmp_path.glob("ldp-metrics-*/counter_*.db")) or not _answers(base):
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        [directory] = tmp_path.glob("ldp-metrics-*")

        def ask(_: int) -> int:
            # A connection each, so the kernel hands them to either worker.
            query = {"query": "{ __typename }"}
            return httpx.post(f"{base}/graphql", json=query, timeout=10).status_code

        sent = 0
        with ThreadPoolExecutor(8) as pool:
            while len([n for n in _worker_counts(directory, "/graphql").values() if n]) < 2:
                assert sent < 2000, "one worker answered every request"
                assert set(pool.map(ask, range(40))) == {200}
                sent += 40

        scrapes = 0
        while len([n for n in _worker_counts(directory, "/metrics").values() if n]) < 2:
            assert scrapes < 200, "one worker answered every scrape"
            text = httpx.get(f"{base}/metrics", timeout=10).text
            scrapes += 1
            if scrapes == 1 and _total(text, "/graphql") < sent:
                # The count is taken just after the answer is sent: let the last ones land.
                time.sleep(0.5)
                text = httpx.get(f"{base}/metrics", timeout=10).text
            assert _total(text, "/graphql") == sent
        assert "process_cpu_seconds_total" not in text  # per-process collectors: not merged

        # A worker killed outright keeps its counts: the other one (or its replacement) still
        # reports them, so the counter does not go down.
        worker = max(_worker_counts(directory, "/graphql").items(), key=lambda item: item[1])[0]
        os.kill(worker, signal.SIGKILL)
        for _ in range(5):
            assert _total(httpx.get(f"{base}/metrics", timeout=10).text, "/graphql") == sent

        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
        assert not directory.exists()  # removed when serve stops
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
        log.close()


def _answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def test_the_metrics_directory_is_fresh_named_in_the_environment_and_removed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(MULTIPROCESS_DIRECTORY, str(tmp_path))

    with multiprocess_directory() as directory:
        assert os.environ[MULTIPROCESS_DIRECTORY] == str(directory)
        assert directory != tmp_path
        assert list(directory.iterdir()) == []

    assert not directory.exists()
    assert os.environ[MULTIPROCESS_DIRECTORY] == str(tmp_path)


def test_workers_that_have_gone_are_marked_dead(tmp_path: Path) -> None:
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    for name in (
        f"gauge_livesum_{finished.pid}.db",
        f"gauge_livemax_{finished.pid}.db",
        f"gauge_livesum_{os.getpid()}.db",
        f"gauge_all_{finished.pid}.db",
        f"counter_{finished.pid}.db",
    ):
        (tmp_path / name).touch()

    assert mark_dead_workers(tmp_path) == [finished.pid]

    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [
            f"counter_{finished.pid}.db",
            f"gauge_all_{finished.pid}.db",
            f"gauge_livesum_{os.getpid()}.db",
        ]
    )
