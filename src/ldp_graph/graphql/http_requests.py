"""Reading a GraphQL-over-HTTP request, and refusing a malformed one with a GraphQL-shaped body.

The GraphQL-over-HTTP specification fixes what a well-formed request is: a POST body of
`application/json` (multipart uploads aside) holding a JSON object whose `query` is a string,
`operationName` a string or null, and `variables` and `extensions` objects or null; or the
same parameters in a GET's query string. Anything else is refused before the schema sees it,
with a 4xx status and a `{"errors": [...]}` body every GraphQL client can show: 415 for a body
type other than JSON, 405 (with `Allow`) for an operation the method may not run, 400 for the
rest. strawberry's own refusals (plain text) are turned into the same shape by the view.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from cross_web import HTTPException
from graphql import GraphQLError
from starlette.responses import Response
from strawberry.file_uploads.utils import replace_placeholders_with_files
from strawberry.http import GraphQLRequestData
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType

JSON = "application/json"
MULTIPART = "multipart/form-data"

# What each method may run over plain HTTP. Subscriptions need a connection that stays open:
# they are served over WebSocket (graphql-transport-ws) only.
OPERATIONS_BY_METHOD: Mapping[str, frozenset[OperationType]] = {
    "GET": frozenset({OperationType.QUERY}),
    "POST": frozenset({OperationType.QUERY, OperationType.MUTATION}),
}


class Refused(HTTPException):
    """A request refused before any operation runs: status, message, code and extra headers."""

    def __init__(
        self,
        status: HTTPStatus,
        message: str,
        *,
        code: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(status.value, message)
        self.code = code or status.name
        self.headers = dict(headers or {})


def bad_request(message: str) -> Refused:
    return Refused(HTTPStatus.BAD_REQUEST, message, code="BAD_REQUEST")


def refusal_response(error: HTTPException) -> Response:
    """The JSON answer for a refusal: ours, or one strawberry raised with a plain reason."""
    if isinstance(error, Refused):
        code, headers = error.code, error.headers
    else:
        code, headers = HTTPStatus(error.status_code).name, {}
        if error.status_code == HTTPStatus.METHOD_NOT_ALLOWED:
            headers = {"Allow": "GET, POST"}
    body = {"errors": [{"message": error.reason, "extensions": {"code": code}}]}
    return Response(
        json.dumps(body).encode(),
        status_code=error.status_code,
        media_type=JSON,
        headers=headers,
    )


def body_kind(content_type: str | None) -> str:
    """`application/json` or `multipart/form-data`, from a POST's Content-Type; else 415."""
    media, _, parameters = (content_type or "").partition(";")
    media = media.strip().lower()
    if media == JSON:
        charset = _parameter(parameters, "charset")
        if charset not in (None, "utf-8", "utf8"):
            raise Refused(
                HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                f"A GraphQL request body must be UTF-8, not {charset}.",
            )
        return JSON
    if media == MULTIPART:
        return MULTIPART
    named = f"Content-Type {media}" if media else "no Content-Type"
    raise Refused(
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
        f"POST a GraphQL request as application/json (files as multipart/form-data); "
        f"this request has {named}.",
    )


def _parameter(parameters: str, name: str) -> str | None:
    for parameter in parameters.split(";"):
        key, _, value = parameter.partition("=")
        if key.strip().lower() == name:
            return value.strip().strip('"').lower()
    return None


def decode_json(text: str | bytes, what: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, UnicodeDecodeError) as error:
        raise bad_request(f"{what} is not valid JSON: {error}.") from None


def multipart_operations(form: Mapping[str, Any], files: Mapping[str, Any]) -> object:
    """The operation of an upload (the GraphQL multipart request convention): `operations`
    with the files put where `map` says; a `map` that does not fit is a 400, never a 500."""
    operations = decode_json(form.get("operations", "{}"), "The `operations` part")
    files_map = decode_json(form.get("map", "{}"), "The `map` part")
    if not isinstance(files_map, dict) or not all(
        isinstance(paths, list) and all(isinstance(p, str) for p in paths)
        for paths in files_map.values()
    ):
        raise bad_request(
            "The `map` part must be a JSON object of file fields to lists of paths, such as "
            '{"0": ["variables.files.0"]}.'
        )
    try:
        return replace_placeholders_with_files(operations, files_map, files)
    except (KeyError, IndexError, ValueError, TypeError) as error:
        raise bad_request(
            f"The `map` part names a file or a place in `operations` that is not there: {error}."
        ) from None


def operation_request(data: object) -> GraphQLRequestData:
    """The request's parameters, each of the type the specification requires; else 400."""
    if isinstance(data, list):
        # One operation per request: a batch would run many past the per-request limits.
        raise bad_request("Batching is not enabled: send one operation per request.")
    if not isinstance(data, dict):
        raise bad_request(
            "A GraphQL request must be a JSON object with a `query` string (and optionally "
            "`operationName`, `variables` and `extensions`)."
        )
    query = data.get("query")
    if not isinstance(query, str | None):
        raise bad_request("`query` must be a string holding the GraphQL document.")
    operation_name = data.get("operationName")
    if not isinstance(operation_name, str | None):
        raise bad_request("`operationName` must be a string or null.")
    variables = data.get("variables")
    if not isinstance(variables, dict | None):
        raise bad_request("`variables` must be a JSON object (or null).")
    extensions = data.get("extensions")
    if not isinstance(extensions, dict | None):
        raise bad_request("`extensions` must be a JSON object (or null).")
    return GraphQLRequestData(
        query=query, variables=variables, operation_name=operation_name, extensions=extensions
    )


def query_parameters(params: Mapping[str, str]) -> dict[str, Any]:
    """A GET's parameters, `variables` and `extensions` decoded from their JSON text."""
    data: dict[str, Any] = dict(params)
    for name in ("variables", "extensions"):
        if data.get(name):
            data[name] = decode_json(data[name], f"The `{name}` parameter")
        elif name in data:
            data[name] = None  # present but empty: as if absent
    return data


def no_document() -> Refused:
    return bad_request(
        "No GraphQL document: send it as `query` (or name a persisted one by its hash in "
        "`extensions.persistedQuery`)."
    )


def no_such_operation(operation_name: str | None) -> PreExecutionError:
    """A GraphQL request error (200 under application/json, 400 under the specification's
    type, as for a document that does not validate): the request itself was well-formed."""
    message = (
        "The document defines no operation to run."
        if operation_name is None
        else f'The document defines no operation named "{operation_name}".'
    )
    return PreExecutionError(data=None, errors=[GraphQLError(message)])


def not_runnable(operation: OperationType, method: str) -> Refused:
    """The refusal of an operation the method may not run (see OPERATIONS_BY_METHOD)."""
    if operation is OperationType.SUBSCRIPTION:
        return Refused(
            HTTPStatus.BAD_REQUEST,
            "Subscriptions are not served over plain HTTP: open a WebSocket to this endpoint "
            "with the graphql-transport-ws protocol.",
            code="SUBSCRIPTION_OVER_HTTP",
        )
    return Refused(
        HTTPStatus.METHOD_NOT_ALLOWED,
        f"A {operation.value} cannot run over {method}: send it with POST.",
        headers={"Allow": "POST"},
    )
