"""Opaque identifiers: a readable prefix and 64 random bits, e.g. `col_3f9a1c2e8b7d6a50`."""

from __future__ import annotations

import secrets


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(8)}"
