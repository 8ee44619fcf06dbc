"""The GraphiQL page and its assets, all served by ldp-graph itself.

Councils' networks often block public CDNs, so the page loads GraphiQL and React from
`assets/` (see its README) and nothing from elsewhere. Its Content-Security-Policy says so
to the browser: scripts, styles and connections to this origin only, and no inline script
(the page's one script of its own is `ldp-graphiql.js`, which reads the example tabs from a
data attribute). GraphiQL's fonts are data: URLs inside its stylesheet. Its dialogs try to
add a small <style> element that stops the page scrolling behind them; the policy refuses it,
which changes nothing here (the page never scrolls) and keeps inline styles out.
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from ldp_graph.graphiql.examples import EXAMPLES

ASSETS_DIRECTORY = Path(__file__).parent / "assets"
ASSETS_PATH = "/graphiql/assets"

POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "font-src data:",
        "img-src 'self' data:",
        # 'self' covers the same origin's ws:/wss: too, which subscriptions use.
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)

# Order matters: React before ReactDOM before GraphiQL, which expects both as globals.
_SCRIPTS = (
    "react.production.min.js",
    "react-dom.production.min.js",
    "graphiql.min.js",
    "ldp-graphiql.js",
)
_STYLES = ("graphiql.min.css", "ldp-graphiql.css")

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ldp-graph GraphiQL</title>
<link rel="icon" href="data:,">
{styles}
</head>
<body>
<div id="graphiql" data-endpoint="{endpoint}" data-tabs="{tabs}">Loading GraphiQL...</div>
{scripts}
</body>
</html>
"""


def _asset_url(root_path: str, name: str) -> str:
    return html.escape(f"{root_path}{ASSETS_PATH}/{name}")


def page(request: Request) -> Response:
    """The GraphiQL page for the endpoint at the request's own path."""
    root_path = request.scope.get("root_path", "")
    body = _PAGE.format(
        styles="\n".join(
            f'<link rel="stylesheet" href="{_asset_url(root_path, name)}">' for name in _STYLES
        ),
        scripts="\n".join(
            f'<script src="{_asset_url(root_path, name)}"></script>' for name in _SCRIPTS
        ),
        endpoint=html.escape(f"{root_path}{request.url.path}"),
        tabs=html.escape(json.dumps([example.tab() for example in EXAMPLES])),
    )
    return HTMLResponse(body, headers={"content-security-policy": POLICY})


class Assets(StaticFiles):
    """The shipped files. Browsers keep them but revalidate (ETag) after an upgrade."""

    def __init__(self) -> None:
        super().__init__(directory=ASSETS_DIRECTORY)

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        # Not personal data, unlike every other answer (SecurityHeaders' no-store default).
        response.headers["cache-control"] = "no-cache"
        return response
