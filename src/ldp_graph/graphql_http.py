"""GraphQL over HTTP media types: `application/graphql-response+json` and 406.

A client that asks for `application/graphql-response+json` (the GraphQL-over-HTTP
specification's type) gets it, with a 4xx status for request errors (a document that does not
parse or validate: no `data` is sent then), so HTTP tooling can tell them from field errors.
`application/json` stays the default for older clients, with 200 for every well-formed
request. A request whose Accept header allows neither is refused with 406. Malformed requests
(400), other body types (415) and operations the method may not run (405, 400) are refused by
the view (graphql/http_requests.py); this middleware only gives those refusals the negotiated
media type.
"""

from __future__ import annotations

import json

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


def _preference(accept: str) -> str | None:
    """The media type to answer with, or None when none the client accepts is offered."""
    if not accept.strip():
        return JSON
    entries: list[tuple[str, float]] = []
    for part in accept.split(","):
        media, *params = (p.strip().lower() for p in part.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        entries.append((media, q))

    def weight(types: set[str]) -> float:
        return max((q for media, q in entries if media in types), default=0.0)

    wildcard = {"application/*", "*/*"}
    explicit = weight({GRAPHQL_RESPONSE})
    json_q = weight({JSON} | wildcard)
    if explicit > 0 and explicit >= json_q:
        return GRAPHQL_RESPONSE
    if json_q > 0:
        return JSON
    return None


class GraphQLOverHTTP:
    def __init__(self, app: ASGIApp, path: str = "/graphql") -> None:
        self.app = app
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        accept = headers.get("accept", "")
        if "text/html" in accept and scope["method"] == "GET":
            await self.app(scope, receive, send)  # the GraphiQL page
            return
        wanted = _preference(accept)
        if wanted is None:
            await _not_acceptable(send)
            return
        if wanted == JSON:
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def buffered(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            assert start is not None
            body = b"".join(chunks)
            status = start["status"]
            original_type = Headers(raw=start["headers"]).get("content-type", "")
            kept = [
                (k, v)
                for k, v in start["headers"]
                if k.lower() not in (b"content-type", b"content-length")
            ]
            if original_type.startswith(JSON):
                original_type = f"{GRAPHQL_RESPONSE}; charset=utf-8"
                if status == 200 and _is_request_error(body):
                    status = 400
                    body = json.dumps({"errors": json.loads(body)["errors"]}).encode()
            kept += [
                (b"content-type", original_type.encode()),
                (b"content-length", str(len(body)).encode()),
            ]
            await send({"type": "http.response.start", "status": status, "headers": kept})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, buffered)


def _is_request_error(body: bytes) -> bool:
    """No data and errors without a path: the document did not parse or validate."""
    try:
        payload = json.loads(body)
    except ValueError:
        return False
    if not isinstance(payload, dict) or payload.get("data") is not None:
        return False
    errors = payload.get("errors") or []
    return bool(errors) and all("path" not in e for e in errors)


async def _not_acceptable(send: Send) -> None:
    error = {
        "message": f"This endpoint answers {GRAPHQL_RESPONSE} or {JSON}: accept one of them.",
        "extensions": {"code": "NOT_ACCEPTABLE"},
    }
    body = json.dumps({"errors": [error]}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 406,
            "headers": [
                (b"content-type", JSON.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
