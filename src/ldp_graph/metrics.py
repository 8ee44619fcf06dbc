"""Prometheus metrics: requests, latency, errors, submissions, validation time.

Counts only, never data. `GET /metrics` serves them in the text exposition format.

One process keeps them in memory. Several worker processes (`serve --workers N`) use
prometheus_client's multiprocess mode: `serve` makes a fresh directory and names it in
PROMETHEUS_MULTIPROC_DIR before the workers start, each worker writes its values to its own
files there, and a scrape, whichever worker answers it, adds up every worker's files (those of
workers that have exited too, so totals never go down). The supervising process marks a
worker that has gone as dead (`multiprocess.mark_process_dead`), which drops its values from
gauges of a `live*` multiprocess_mode, and removes the directory when it stops. A gauge added
here must choose its multiprocess_mode (`livesum` for things in progress).
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUESTS = Counter(
    "ldp_http_requests_total", "HTTP requests answered.", ["method", "route", "status"]
)
LATENCY = Histogram(
    "ldp_http_request_seconds",
    "Time to answer an HTTP request.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
UNEXPECTED_ERRORS = Counter(
    "ldp_unexpected_errors_total", "Unexpected errors masked with a reference id."
)
SUBMISSIONS = Counter(
    "ldp_submissions_total", "Versions stored by councils.", ["source_format", "outcome"]
)
VALIDATION = Histogram(
    "ldp_validation_seconds",
    "Time to pre-validate a return.",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)


def _route(scope: Scope) -> str:
    # The route's template, not the raw path: /exports/{secret} must not become a label.
    for route in scope["app"].routes:
        match, _ = route.matches(scope)
        if match == Match.FULL:
            return str(getattr(route, "path", "other"))
    return "unmatched"


class RequestMetrics:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def observe(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, observe)
        finally:
            route = _route(scope)
            REQUESTS.labels(scope["method"], route, str(status)).inc()
            LATENCY.labels(scope["method"], route).observe(time.perf_counter() - started)


MULTIPROCESS_DIRECTORY = "PROMETHEUS_MULTIPROC_DIR"
_log = logging.getLogger(__name__)
_LIVE_GAUGE_FILE = re.compile(r"gauge_live[a-z]+_(\d+)\.db")


async def metrics(_request: Request) -> Response:
    if not os.environ.get(MULTIPROCESS_DIRECTORY):
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
    # Every worker's files, read afresh for each scrape (the documented way: a registry of its
    # own, holding only the collector, so nothing this process registered is counted twice).
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


def mark_dead_workers(directory: Path) -> list[int]:
    """Mark as dead the processes whose live-gauge files remain in `directory` but that have gone.

    Returns their process ids. A worker killed outright (SIGKILL, out of memory) never says so
    itself, hence a check from outside rather than one in the worker's shutdown.
    """
    gone = set()
    for path in directory.iterdir():
        match = _LIVE_GAUGE_FILE.fullmatch(path.name)
        if match and not _running(int(match.group(1))):
            gone.add(int(match.group(1)))
    for pid in sorted(gone):
        multiprocess.mark_process_dead(pid, str(directory))
    return sorted(gone)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists (another user's, the id reused): keep the files
    return True


@contextmanager
def multiprocess_directory(check_every: float = 1.0) -> Iterator[Path]:
    """A fresh directory for the metrics of several worker processes, named in the environment.

    Set before the workers start (they inherit the environment and read it when they import
    prometheus_client); while it is open, workers that have gone are marked dead every
    `check_every` seconds; on leaving, the directory is removed and the variable restored.
    """
    previous = os.environ.get(MULTIPROCESS_DIRECTORY)
    stop = threading.Event()
    with tempfile.TemporaryDirectory(prefix="ldp-metrics-") as name:
        directory = Path(name)

        def watch() -> None:
            while not stop.wait(check_every):
                try:
                    mark_dead_workers(directory)
                except OSError:  # a file gone meanwhile: the next round sees the rest
                    _log.warning("could not mark exited workers' metrics dead", exc_info=True)

        watcher = threading.Thread(target=watch, name="ldp-metrics-workers", daemon=True)
        os.environ[MULTIPROCESS_DIRECTORY] = name
        watcher.start()
        try:
            yield directory
        finally:
            stop.set()
            watcher.join()
            if previous is None:
                os.environ.pop(MULTIPROCESS_DIRECTORY, None)
            else:
                os.environ[MULTIPROCESS_DIRECTORY] = previous
