"""Relay-style pagination pieces shared by every connection."""

from __future__ import annotations

import base64

import strawberry

from ldp_graph.errors import InvalidInput

_PREFIX = "o:"


@strawberry.type(description="Where a page sits in its connection.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="True when more items follow.")
    end_cursor: str | None = strawberry.field(
        description="Pass as `after` to fetch the next page; null on an empty page."
    )


def cursor(offset: int) -> str:
    """An opaque cursor; record versions never change, so a position is a stable cursor."""
    return base64.urlsafe_b64encode(f"{_PREFIX}{offset}".encode()).decode()


def offset_after(after: str | None) -> int:
    if after is None:
        return 0
    try:
        text = base64.urlsafe_b64decode(after.encode()).decode()
        if not text.startswith(_PREFIX):
            raise ValueError(text)
        return int(text.removeprefix(_PREFIX)) + 1
    except ValueError:
        raise InvalidInput("after is not a cursor of this connection.", field="after") from None
