"""Request ids: one id per request, echoed to the caller, carried by every log line and trace.

A caller (or the gateway in front) may send `X-Request-ID`; a sane one is kept so that one id
follows the request through every hop, anything else is replaced by a fresh id. The id lives
in a contextvar for the request's duration, goes back in the `X-Request-ID` response header
(also on the 401/413/429/503 answers other middleware give) and ends the request with one
access log line. The access line names the path, never the query string: a GET's query
string holds the GraphQL document and its variables, which may carry personal data.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ldp_graph.auth.principal import Principal

HEADER = "X-Request-ID"
# Long enough for UUIDs and tracing ids, short and plain enough to be safe in a header and
# a text log line (no spaces, quotes or line breaks a caller could forge lines with).
_SANE = re.compile(r"[A-Za-z0-9._:+/=-]{1,128}")
# Probes and scrapes come every few seconds: at INFO they would drown the real traffic.
_QUIET_PATHS = ("/healthz", "/readyz", "/metrics")

_current: ContextVar[str | None] = ContextVar("ldp_request_id", default=None)
access_log = logging.getLogger("ldp_graph.access")
error_log = logging.getLogger("ldp_graph.errors")


def current_request_id() -> str | None:
    """The id of the request being handled, or None outside a request."""
    return _current.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


def sanitised(value: str | None) -> str | None:
    """The caller's id if it is sane, else None (and a fresh one is made)."""
    if value is not None and _SANE.fullmatch(value):
        return value
    return None


def _incoming(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            return sanitised(value.decode("latin-1"))
    return None


class RequestId:
    """Outermost middleware: give the request its id, echo it, log the request's outcome."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = _incoming(scope) or new_request_id()
        token = _current.set(request_id)
        started = time.perf_counter()
        status: int | None = None

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] in ("http.response.start", "websocket.accept"):
                status = message.get("status")
                MutableHeaders(scope=message).append(HEADER, request_id)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # Starlette has already answered 500; the trace is logged here with the id.
            error_log.exception("unhandled error in %s %s", scope.get("method"), scope["path"])
            status = status or 500
            raise
        finally:
            if scope["type"] == "http":
                _log_access(scope, status, time.perf_counter() - started)
            _current.reset(token)


def _log_access(scope: Scope, status: int | None, seconds: float) -> None:
    quiet = scope["path"] in _QUIET_PATHS
    level = logging.DEBUG if quiet else logging.INFO
    if not access_log.isEnabledFor(level):
        return
    user = scope.get("user")
    principal = user if isinstance(user, Principal) else None
    fields: dict[str, Any] = {
        "method": scope["method"],
        "path": scope["path"],
        "status": status,
        "duration_ms": round(seconds * 1000, 1),
        "organisation": principal.organisation_code if principal else None,
        "role": principal.role.value if principal and principal.role else None,
    }
    who = f" {principal.display_name}" if principal else ""
    access_log.log(
        level,
        "%s %s %s %.1f ms%s",
        fields["method"],
        fields["path"],
        status if status is not None else "-",
        fields["duration_ms"],
        who,
        extra=fields,
    )
