"""Response headers that keep browsers from misusing the API's answers.

Answers hold personal data: never cached, never sniffed into another type, never framed,
never sent on as a referrer. The GraphiQL page is the one HTML page and sets its own
Content-Security-Policy (graphiql/page.py); everything else gets one that allows nothing.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_ALWAYS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}
_NOT_HTML = {"content-security-policy": "default-src 'none'; frame-ancestors 'none'"}
_HSTS = {"strict-transport-security": "max-age=31536000; includeSubDomains"}


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, production: bool) -> None:
        self.app = app
        self.production = production

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                added = dict(_ALWAYS)
                if not headers.get("content-type", "").startswith("text/html"):
                    added |= _NOT_HTML
                if self.production:
                    added |= _HSTS
                for name, value in added.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
