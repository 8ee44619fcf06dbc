"""Indexes to purge idempotency keys past their lifetime and export links once expired.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        op.f("ix_idempotency_keys_created_at"), "idempotency_keys", ["created_at"], unique=False
    )
    op.create_index(
        op.f("ix_export_links_expires_at"), "export_links", ["expires_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_export_links_expires_at"), table_name="export_links")
    op.drop_index(op.f("ix_idempotency_keys_created_at"), table_name="idempotency_keys")
