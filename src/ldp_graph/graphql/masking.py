"""Mask unexpected errors: the client gets a reference to quote, the log gets the trace.

Limit, parse and validation errors stay readable (strawberry's stock MaskErrors would
hide them too): only exceptions that escaped our own code are masked.
"""

from __future__ import annotations

import logging
import uuid

from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from ldp_graph.errors import DomainError
from ldp_graph.metrics import UNEXPECTED_ERRORS

logger = logging.getLogger("ldp_graph.errors")


def is_unexpected(error: GraphQLError) -> bool:
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError | DomainError)


class MaskUnexpectedErrors(MaskErrors):
    def __init__(self) -> None:
        super().__init__(should_mask_error=is_unexpected)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        reference = uuid.uuid4().hex[:12]
        UNEXPECTED_ERRORS.inc()
        logger.error(
            "unexpected error %s at %s",
            reference,
            error.path,
            exc_info=error.original_error,
        )
        return GraphQLError(
            message=f"Unexpected error. Quote reference {reference} to the platform team.",
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None,
            extensions={"code": "INTERNAL_SERVER_ERROR", "reference": reference},
        )
