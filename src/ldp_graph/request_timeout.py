"""Request time limits: a request that runs too long is stopped, its work rolled back.

Cancelling the request's task cancels what it awaits: a PostgreSQL statement is cancelled by
asyncpg, and an open transaction is rolled back, so a stopped request leaves nothing behind.
Uploads get a longer limit than queries; downloads, which stream, and health checks none.
"""

from __future__ import annotations

import asyncio
import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNLIMITED = ("/healthz", "/readyz", "/metrics", "/exports/")


class RequestTimeout:
    def __init__(self, app: ASGIApp, *, seconds: float, upload_seconds: float) -> None:
        self.app = app
        self.seconds = seconds
        self.upload_seconds = upload_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(UNLIMITED):
            await self.app(scope, receive, send)
            return
        content_type = dict(scope["headers"]).get(b"content-type", b"")
        limit = self.upload_seconds if content_type.startswith(b"multipart/") else self.seconds
        if limit <= 0:
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            async with asyncio.timeout(limit):
                await self.app(scope, receive, tracking_send)
        except TimeoutError:
            if started:
                raise  # the answer had begun: the connection is cut short instead
            await _timed_out(send, limit)


async def _timed_out(send: Send, limit: float) -> None:
    body = json.dumps(
        {
            "errors": [
                {
                    "message": (
                        f"The request took longer than {limit:g} s and was stopped; nothing it "
                        "was changing was kept. Narrow it, or try again later."
                    ),
                    "extensions": {"code": "TIMEOUT"},
                }
            ]
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 503,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
