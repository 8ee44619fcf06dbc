"""Logs: JSON lines (or text) with request ids, for the app and for uvicorn alike."""

from __future__ import annotations

import io
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from ldp_graph import logs
from ldp_graph.config import SettingsError, load_settings


def _logger_writing(log_format: logs.LogFormat) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    logger = logging.getLogger(f"tests.logs.{log_format}")
    logger.handlers = [logs.handler(log_format, stream)]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, stream


def test_a_json_line_has_timestamp_level_logger_message_and_request_id() -> None:
    logger, stream = _logger_writing("json")

    logger.warning("disk %s full", "var", extra={"percent": 97})

    line = json.loads(stream.getvalue())
    assert line["level"] == "WARNING"
    assert line["logger"] == "tests.logs.json"
    assert line["message"] == "disk var full"
    assert line["request_id"] is None  # logged outside any request
    assert line["percent"] == 97
    assert line["timestamp"].endswith("+00:00")


def test_an_exception_is_logged_as_its_trace_on_the_same_json_line() -> None:
    logger, stream = _logger_writing("json")

    try:
        raise ValueError("the detail")
    except ValueError:
        logger.exception("failed")

    [text] = stream.getvalue().splitlines()  # one line, the trace's line breaks escaped
    line = json.loads(text)
    assert line["message"] == "failed"
    assert "Traceback" in line["exception"]
    assert "ValueError: the detail" in line["exception"]


def test_a_text_line_names_its_request_id_or_a_dash() -> None:
    logger, stream = _logger_writing("text")

    logger.info("outside a request")
    logger.info("given one", extra={"request_id": "abc-1"})

    first, second = stream.getvalue().splitlines()
    assert " INFO tests.logs.text [-] outside a request" in first
    assert "[abc-1] given one" in second


@pytest.mark.parametrize(
    ("environment", "configured", "expected"),
    [
        ("production", None, "json"),
        ("development", None, "text"),
        ("production", "text", "text"),
        ("development", "json", "json"),
    ],
)
def test_the_log_format_follows_the_environment_unless_set(
    monkeypatch: pytest.MonkeyPatch, environment: str, configured: str | None, expected: str
) -> None:
    monkeypatch.setenv("LDP_ENVIRONMENT", environment)
    if configured:
        monkeypatch.setenv("LDP_LOG_FORMAT", configured)
    else:
        monkeypatch.delenv("LDP_LOG_FORMAT", raising=False)

    assert logs.log_format(load_settings()) == expected


def test_the_log_level_is_read_in_any_case_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LDP_LOG_LEVEL", "debug")
    assert load_settings().log_level == "DEBUG"

    monkeypatch.setenv("LDP_LOG_LEVEL", "chatty")
    with pytest.raises(SettingsError, match="LDP_LOG_LEVEL"):
        load_settings()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run_server(command: list[str], tmp_path: Path, port: int) -> str:
    """Start the server, send one request, stop it gracefully; return what it wrote to stderr."""
    env = {
        **os.environ,
        "LDP_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'logs.sqlite3'}",
        "LDP_LOG_FORMAT": "json",
    }
    with (tmp_path / "stderr").open("w+") as stderr:
        process = subprocess.Popen(  # noqa: S603 - our own command
            command, env=env, stdout=subprocess.DEVNULL, stderr=stderr
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).is_success:
                        break
                except httpx.HTTPError:
                    if time.monotonic() > deadline or process.poll() is not None:
                        raise
                    time.sleep(0.2)
            response = httpx.post(
                f"http://127.0.0.1:{port}/graphql",
                json={"query": "{ __typename }"},
                headers={"X-Request-ID": "logged-1"},
            )
            assert response.headers["X-Request-ID"] == "logged-1"
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
        stderr.seek(0)
        return stderr.read()


@pytest.mark.parametrize("how", ["serve", "serve-workers", "uvicorn-factory"])
def test_the_server_writes_only_json_lines_uvicorns_own_included(tmp_path: Path, how: str) -> None:
    port = _free_port()
    command = {
        "serve": [sys.executable, "-m", "ldp_graph", "serve", "--port", str(port)],
        "serve-workers": [
            *(sys.executable, "-m", "ldp_graph", "serve", "--port", str(port), "--workers", "2")
        ],
        "uvicorn-factory": [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "ldp_graph.app:app_from_environment",
            "--port",
            str(port),
        ],
    }[how]

    output = _run_server(command, tmp_path, port)

    lines = [json.loads(line) for line in output.splitlines()]  # each line is JSON
    assert any(
        line["logger"].startswith("uvicorn") and "Uvicorn running on" in line["message"]
        for line in lines
    )
    access = [line for line in lines if line["logger"] == "ldp_graph.access"]
    assert [(a["request_id"], a["path"], a["status"]) for a in access] == [
        ("logged-1", "/graphql", 200)
    ]
    assert not any(line["logger"] == "uvicorn.access" for line in lines)
    warned = any(line["level"] == "WARNING" and "SQLite" in line["message"] for line in lines)
    assert warned == (how == "serve-workers")  # workers on SQLite do not share events
