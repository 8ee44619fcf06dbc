"""Rate limits per token and per anonymous client address (token buckets, per process).

Each caller has a bucket of `per_minute` requests that refills continuously; an empty bucket
means 429 with `Retry-After`. Health, readiness and metrics are never limited. Buckets live in
the process: with N server processes a caller gets up to N times the rate, which operators
size for (a shared store is the next step if that matters).
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from ldp_graph.auth.principal import Principal

EXEMPT = ("/healthz", "/readyz", "/metrics")
MAX_BUCKETS = 100_000


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimits:
    def __init__(self, app: ASGIApp, *, per_token: int, per_anonymous_address: int) -> None:
        self.app = app
        self.per_token = per_token
        self.per_address = per_anonymous_address
        self._buckets: dict[str, _Bucket] = {}

    def _take(self, key: str, per_minute: int) -> float:
        """0 when a request may go now; otherwise the seconds until it may."""
        now = time.monotonic()
        rate = per_minute / 60.0
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= MAX_BUCKETS:
                self._buckets.clear()  # a flood of new callers must not exhaust memory
            bucket = self._buckets[key] = _Bucket(float(per_minute), now)
        bucket.tokens = min(float(per_minute), bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / rate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in EXEMPT:
            await self.app(scope, receive, send)
            return
        user = scope.get("user")
        if isinstance(user, Principal) and user.token_id is not None:
            key, limit = f"token:{user.token_id}", self.per_token
        else:
            client = scope.get("client")
            key, limit = f"address:{client[0] if client else 'unknown'}", self.per_address
        if limit <= 0:
            await self.app(scope, receive, send)
            return
        wait = self._take(key, limit)
        if wait == 0:
            await self.app(scope, receive, send)
            return
        retry = str(max(1, math.ceil(wait)))
        body = json.dumps(
            {
                "errors": [
                    {
                        "message": f"Too many requests; try again in {retry} s.",
                        "extensions": {"code": "RATE_LIMITED"},
                    }
                ]
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 429,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"retry-after", retry.encode()),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
