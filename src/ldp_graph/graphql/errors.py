"""Typed user errors in the schema, and the one mapping from domain exceptions onto them."""

from __future__ import annotations

import strawberry

from ldp_graph import errors


@strawberry.interface(description="A problem with a request that the caller can act on.")
class UserError:
    message: str = strawberry.field(description="What went wrong, written for the caller.")
    field: str | None = strawberry.field(
        description="The input field the problem concerns, where it concerns one."
    )


@strawberry.type(description="The caller is not permitted to do this.")
class NotPermitted(UserError):
    pass


@strawberry.type(description="Something the request names does not exist or is not visible.")
class NotFound(UserError):
    pass


@strawberry.type(description="The request clashes with the current state (a duplicate, say).")
class Conflict(UserError):
    pass


@strawberry.type(description="An input value is not acceptable; `field` names it.")
class InvalidInput(UserError):
    pass


@strawberry.type(description="The object is not in a state that allows this change.")
class InvalidTransition(UserError):
    pass


@strawberry.type(description="The records have errors where valid records are required.")
class ValidationFailed(UserError):
    error_count: int = strawberry.field(description="How many error-severity problems remain.")


_ERROR_TYPES: dict[type[errors.DomainError], type[UserError]] = {
    errors.NotPermitted: NotPermitted,
    errors.NotFound: NotFound,
    errors.Conflict: Conflict,
    errors.InvalidInput: InvalidInput,
    errors.InvalidTransition: InvalidTransition,
}

ERROR_TYPES: tuple[type[UserError], ...] = (*_ERROR_TYPES.values(), ValidationFailed)


def to_user_error(exc: errors.DomainError) -> UserError:
    if isinstance(exc, errors.ValidationFailed):
        return ValidationFailed(message=exc.message, field=exc.field, error_count=exc.error_count)
    for domain_type in type(exc).__mro__:
        error_type = _ERROR_TYPES.get(domain_type)  # type: ignore[arg-type]
        if error_type is not None:
            return error_type(message=exc.message, field=exc.field)
    raise exc
