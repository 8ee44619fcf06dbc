"""GET /exports/{secret}: stream an export made by `exportRecords`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from ldp_graph.errors import NotFound
from ldp_graph.exports.formats import serialise
from ldp_graph.services import exports


async def download(request: Request) -> Response:
    state = request.app.state
    try:
        opened = await exports.open_export(
            state.database, state.specs, request.path_params["secret"]
        )
    except NotFound as exc:
        return JSONResponse({"error": exc.message}, status_code=404)
    return StreamingResponse(
        serialise(opened.format, opened.columns, opened.pages),
        media_type=opened.format.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{opened.filename}"',
            "Cache-Control": "no-store",
        },
    )
