"""Domain exceptions: the failures a caller can act on.

Services raise these; the GraphQL layer maps each onto a typed error in the schema, once,
in `graphql/errors.py`. Anything else that escapes is unexpected and gets masked.
"""

from __future__ import annotations


class DomainError(Exception):
    """A failure the caller can act on; `message` is written for the person calling."""

    code = "DOMAIN_ERROR"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotPermitted(DomainError):
    code = "NOT_PERMITTED"


class NotFound(DomainError):
    code = "NOT_FOUND"


class Conflict(DomainError):
    code = "CONFLICT"


class InvalidInput(DomainError):
    code = "INVALID_INPUT"


class InvalidTransition(DomainError):
    code = "INVALID_TRANSITION"


class NotAuthenticated(DomainError):
    """The bearer token is unknown, malformed, expired or revoked."""

    code = "UNAUTHENTICATED"


class ValidationFailed(DomainError):
    """Records that must be valid (a requester's write-back, say) have errors."""

    code = "VALIDATION_FAILED"

    def __init__(
        self, message: str, *, field: str | None = None, error_count: int = 0, issues: object = ()
    ) -> None:
        super().__init__(message, field=field)
        self.error_count = error_count
        self.issues = issues
