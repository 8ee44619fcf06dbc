"""Rate limits per token and per anonymous client address, counted by the `limits` library.

Each caller may make `per_minute` requests in any moving 60-second window; one more gets 429
with `Retry-After` (when the oldest request in the window leaves it). Health, readiness and
metrics are never limited. Counts live where `storage` says: `memory://` keeps them in the
process (with N server processes a caller gets up to N times the rate), `redis://host:port/db`
(or `rediss://`, `redis+unix://`) shares them between every process
on every machine. If the shared store cannot be reached, requests are let through and the
failure is logged (at most once a minute): an outage of the counter must not become an
outage of the API.
"""

from __future__ import annotations

import json
import logging
import math
import time
from typing import Any

from limits import RateLimitItemPerMinute
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import ConfigurationError
from limits.storage import storage_from_string
from starlette.types import ASGIApp, Receive, Scope, Send

from ldp_graph.auth.principal import Principal

EXEMPT = ("/healthz", "/readyz", "/metrics")
STORE_FAILURE_LOG_INTERVAL = 60.0

logger = logging.getLogger(__name__)


class RateLimitStore:
    """Where the counts live: a `limits` async storage, and the Redis pool it uses (if any),
    which the app's lifespan closes."""

    def __init__(self, uri: str) -> None:
        """Raises ValueError naming `uri` when it is neither memory:// nor a Redis URL."""
        plain = uri.removeprefix("async+")
        scheme = plain.partition("://")[0]
        self._pool: Any = None
        options: dict[str, Any] = {}
        if scheme in ("redis", "rediss", "redis+unix"):
            import redis.asyncio  # the [redis] extra; settings check it is installed

            self._pool = redis.asyncio.ConnectionPool.from_url(
                plain.replace("redis+unix://", "unix://", 1)
            )
            options = {
                "implementation": "redispy",
                "key_prefix": "ldp-graph-rate",
                "connection_pool": self._pool,
            }
        elif scheme != "memory":
            raise ValueError(f"rate limit storage {uri!r}: use memory:// or redis://host:port/db")
        try:
            storage = storage_from_string(f"async+{plain}", **options)
        except ConfigurationError as error:
            raise ValueError(f"rate limit storage {uri!r}: {error}") from error
        assert isinstance(storage, Storage)
        self.storage = storage

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.disconnect()


class RateLimits:
    def __init__(
        self,
        app: ASGIApp,
        *,
        per_token: int,
        per_anonymous_address: int,
        store: RateLimitStore,
    ) -> None:
        self.app = app
        self.per_token = RateLimitItemPerMinute(per_token) if per_token > 0 else None
        self.per_address = (
            RateLimitItemPerMinute(per_anonymous_address) if per_anonymous_address > 0 else None
        )
        self.limiter = MovingWindowRateLimiter(store.storage)
        self._store_failure_logged = -math.inf

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
        if limit is None or await self._allowed(limit, key):
            await self.app(scope, receive, send)
            return
        await _refuse(send, await self._retry_after(limit, key))

    async def _allowed(self, limit: RateLimitItemPerMinute, key: str) -> bool:
        try:
            return await self.limiter.hit(limit, key)
        except Exception:  # the store is down or misconfigured: let the request through
            now = time.monotonic()
            if now - self._store_failure_logged >= STORE_FAILURE_LOG_INTERVAL:
                self._store_failure_logged = now
                logger.exception("rate limit storage failed; requests are not being limited")
            return True

    async def _retry_after(self, limit: RateLimitItemPerMinute, key: str) -> int:
        try:
            stats = await self.limiter.get_window_stats(limit, key)
        except Exception:  # the refusal stands; the wait is then a guess
            return limit.get_expiry()
        return max(1, math.ceil(stats.reset_time - time.time()))


async def _refuse(send: Send, retry_after: int) -> None:
    body = json.dumps(
        {
            "errors": [
                {
                    "message": f"Too many requests; try again in {retry_after} s.",
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
                (b"retry-after", str(retry_after).encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
