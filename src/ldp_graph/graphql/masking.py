"""Mask unexpected errors: the client gets an id to quote, the log gets the trace.

The id is the request's id (the one in the `X-Request-ID` response header and on every log
line of the request), so one id finds the trace and everything else the request did.

Limit, parse and validation errors stay readable (strawberry's stock MaskErrors would
hide them too): only exceptions that escaped our own code are masked.
"""

from __future__ import annotations

import logging

from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from ldp_graph.errors import DomainError
from ldp_graph.metrics import UNEXPECTED_ERRORS
from ldp_graph.request_id import current_request_id, new_request_id

logger = logging.getLogger("ldp_graph.errors")


def is_unexpected(error: GraphQLError) -> bool:
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError | DomainError)


class MaskUnexpectedErrors(MaskErrors):
    def __init__(self) -> None:
        super().__init__(should_mask_error=is_unexpected)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        # Outside an HTTP request (a schema executed directly) there is no request id yet.
        request_id = current_request_id() or new_request_id()
        UNEXPECTED_ERRORS.inc()
        logger.error(
            "unexpected error in request %s at %s",
            request_id,
            error.path,
            exc_info=error.original_error,
            extra={"request_id": request_id},
        )
        return GraphQLError(
            message=f"Unexpected error. Quote request id {request_id} to the platform team.",
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None,
            # `reference` is kept for clients written before request ids existed.
            extensions={
                "code": "INTERNAL_SERVER_ERROR",
                "reference": request_id,
                "requestId": request_id,
            },
        )
