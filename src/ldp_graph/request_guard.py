"""Request body limits and the preflight rule for uploads, enforced while the body streams.

A JSON GraphQL request is small (DESIGN §7: 2 MB); a council's files are large, so multipart
uploads get their own limit. Both are counted as bytes arrive, so an oversized request is
refused with 413 before it is read into memory, and a declared Content-Length over the limit
is refused before any byte is read.

Multipart requests must carry a non-simple header (`GraphQL-Require-Preflight` or
`Apollo-Require-Preflight`, the convention of Apollo Server): browsers only send such a
header after a CORS preflight, so a hostile page cannot post a form (CSRF) to the API.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PREFLIGHT_HEADERS = (b"graphql-require-preflight", b"apollo-require-preflight")


class BodyTooLarge(Exception):
    pass


class RequestGuard:
    def __init__(self, app: ASGIApp, *, max_json_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_json_bytes = max_json_bytes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        is_upload = content_type == b"multipart/form-data"
        if is_upload and not any(h in headers for h in PREFLIGHT_HEADERS):
            await _refuse(
                send,
                400,
                "BAD_REQUEST",
                "Uploads need a GraphQL-Require-Preflight header (any value); it protects "
                "against cross-site request forgery.",
            )
            return
        limit = self.max_upload_bytes if is_upload else self.max_json_bytes
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _refuse(send, 413, "PAYLOAD_TOO_LARGE", _too_large(limit, is_upload))
            return
        received = 0
        response_started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not response_started:
                await _refuse(send, 413, "PAYLOAD_TOO_LARGE", _too_large(limit, is_upload))


def _too_large(limit: int, is_upload: bool) -> str:
    what = "An upload" if is_upload else "A GraphQL request body"
    return f"{what} may be at most {limit} bytes."


async def _refuse(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps({"errors": [{"message": message, "extensions": {"code": code}}]}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
