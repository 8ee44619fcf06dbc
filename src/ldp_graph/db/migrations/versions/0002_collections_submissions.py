"""Collections, submissions and their versions, records, review, grants, idempotency, exports.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "export_links",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("organisation_code", sa.String(length=32), nullable=True),
        sa.Column("role", sa.String(length=32), nullable=True),
        sa.Column("token_id", sa.String(length=32), nullable=True),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_export_links_token_hash")),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("principal", sa.String(length=100), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("result_version_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("principal", "key", name=op.f("pk_idempotency_keys")),
    )
    op.create_table(
        "collections",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("spec_id", sa.String(length=64), nullable=False),
        sa.Column("spec_version", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("owner_code", sa.String(length=32), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_code"],
            ["organisations.code"],
            name=op.f("fk_collections_owner_code_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collections")),
    )
    op.create_index(op.f("ix_collections_due_on"), "collections", ["due_on"], unique=False)
    op.create_index(op.f("ix_collections_opens_on"), "collections", ["opens_on"], unique=False)
    op.create_index(op.f("ix_collections_owner_code"), "collections", ["owner_code"], unique=False)
    op.create_table(
        "collection_councils",
        sa.Column("collection_id", sa.String(length=32), nullable=False),
        sa.Column("council_code", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["collections.id"],
            name=op.f("fk_collection_councils_collection_id_collections"),
        ),
        sa.ForeignKeyConstraint(
            ["council_code"],
            ["organisations.code"],
            name=op.f("fk_collection_councils_council_code_organisations"),
        ),
        sa.PrimaryKeyConstraint(
            "collection_id", "council_code", name=op.f("pk_collection_councils")
        ),
    )
    op.create_index(
        op.f("ix_collection_councils_council_code"),
        "collection_councils",
        ["council_code"],
        unique=False,
    )
    op.create_table(
        "grants",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("collection_id", sa.String(length=32), nullable=False),
        sa.Column("grantee_code", sa.String(length=32), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=True),
        sa.Column("min_state", sa.String(length=32), nullable=False),
        sa.Column("created_by_code", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["collection_id"], ["collections.id"], name=op.f("fk_grants_collection_id_collections")
        ),
        sa.ForeignKeyConstraint(
            ["grantee_code"],
            ["organisations.code"],
            name=op.f("fk_grants_grantee_code_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grants")),
    )
    op.create_index(op.f("ix_grants_collection_id"), "grants", ["collection_id"], unique=False)
    op.create_index(op.f("ix_grants_grantee_code"), "grants", ["grantee_code"], unique=False)
    op.create_table(
        "submissions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("collection_id", sa.String(length=32), nullable=False),
        sa.Column("council_code", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("validated_version", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["collections.id"],
            name=op.f("fk_submissions_collection_id_collections"),
        ),
        sa.ForeignKeyConstraint(
            ["council_code"],
            ["organisations.code"],
            name=op.f("fk_submissions_council_code_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submissions")),
        sa.UniqueConstraint(
            "collection_id", "council_code", name=op.f("uq_submissions_collection_id")
        ),
    )
    op.create_index(
        op.f("ix_submissions_council_code"), "submissions", ["council_code"], unique=False
    )
    op.create_table(
        "data_queries",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("submission_id", sa.String(length=32), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=True),
        sa.Column("record_key", sa.String(length=200), nullable=True),
        sa.Column("field", sa.String(length=64), nullable=True),
        sa.Column("rule_id", sa.String(length=32), nullable=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("raised_by_code", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_data_queries_submission_id_submissions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_queries")),
    )
    op.create_index(
        op.f("ix_data_queries_submission_id"), "data_queries", ["submission_id"], unique=False
    )
    op.create_table(
        "issue_explanations",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("submission_id", sa.String(length=32), nullable=False),
        sa.Column("problem_id", sa.String(length=16), nullable=False),
        sa.Column("rule_id", sa.String(length=32), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("author_code", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by_code", sa.String(length=32), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_issue_explanations_submission_id_submissions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issue_explanations")),
    )
    op.create_index(
        "ix_issue_explanations_submission_problem",
        "issue_explanations",
        ["submission_id", "problem_id"],
        unique=False,
    )
    op.create_table(
        "submission_versions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("submission_id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("author_code", sa.String(length=32), nullable=False),
        sa.Column("author_role", sa.String(length=32), nullable=False),
        sa.Column("author_token_id", sa.String(length=32), nullable=True),
        sa.Column("source_format", sa.String(length=16), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("based_on_version", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.Column("error_count", sa.Integer(), nullable=False),
        sa.Column("query_count", sa.Integer(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_code"],
            ["organisations.code"],
            name=op.f("fk_submission_versions_author_code_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_submission_versions_submission_id_submissions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission_versions")),
        sa.UniqueConstraint(
            "submission_id", "number", name=op.f("uq_submission_versions_submission_id")
        ),
    )
    op.create_table(
        "data_query_messages",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("data_query_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("author_code", sa.String(length=32), nullable=False),
        sa.Column("author_role", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["data_query_id"],
            ["data_queries.id"],
            name=op.f("fk_data_query_messages_data_query_id_data_queries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_query_messages")),
    )
    op.create_index(
        op.f("ix_data_query_messages_data_query_id"),
        "data_query_messages",
        ["data_query_id"],
        unique=False,
    )
    op.create_table(
        "records",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("version_id", sa.String(length=32), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=True),
        sa.Column("line", sa.Integer(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["submission_versions.id"],
            name=op.f("fk_records_version_id_submission_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_records")),
    )
    op.create_index(
        "ix_records_version_entity_key", "records", ["version_id", "entity", "key"], unique=False
    )
    op.create_table(
        "version_issues",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("version_id", sa.String(length=32), nullable=False),
        sa.Column("problem_id", sa.String(length=16), nullable=False),
        sa.Column("rule_id", sa.String(length=32), nullable=False),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("line", sa.Integer(), nullable=True),
        sa.Column("key", sa.String(length=200), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["submission_versions.id"],
            name=op.f("fk_version_issues_version_id_submission_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_version_issues")),
    )
    op.create_index(
        "ix_version_issues_version_problem",
        "version_issues",
        ["version_id", "problem_id"],
        unique=False,
    )
    op.add_column("audit_events", sa.Column("collection_id", sa.String(length=32), nullable=True))
    op.add_column("audit_events", sa.Column("record_count", sa.Integer(), nullable=True))
    op.create_index(
        op.f("ix_audit_events_collection_id"), "audit_events", ["collection_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_audit_events_collection_id"), table_name="audit_events")
    # SQLite cannot drop columns in place; batch mode rebuilds the table there.
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_column("record_count")
        batch.drop_column("collection_id")
    op.drop_index("ix_version_issues_version_problem", table_name="version_issues")
    op.drop_table("version_issues")
    op.drop_index("ix_records_version_entity_key", table_name="records")
    op.drop_table("records")
    op.drop_index(op.f("ix_data_query_messages_data_query_id"), table_name="data_query_messages")
    op.drop_table("data_query_messages")
    op.drop_table("submission_versions")
    op.drop_index("ix_issue_explanations_submission_problem", table_name="issue_explanations")
    op.drop_table("issue_explanations")
    op.drop_index(op.f("ix_data_queries_submission_id"), table_name="data_queries")
    op.drop_table("data_queries")
    op.drop_index(op.f("ix_submissions_council_code"), table_name="submissions")
    op.drop_table("submissions")
    op.drop_index(op.f("ix_grants_grantee_code"), table_name="grants")
    op.drop_index(op.f("ix_grants_collection_id"), table_name="grants")
    op.drop_table("grants")
    op.drop_index(op.f("ix_collection_councils_council_code"), table_name="collection_councils")
    op.drop_table("collection_councils")
    op.drop_index(op.f("ix_collections_owner_code"), table_name="collections")
    op.drop_index(op.f("ix_collections_opens_on"), table_name="collections")
    op.drop_index(op.f("ix_collections_due_on"), table_name="collections")
    op.drop_table("collections")
    op.drop_table("idempotency_keys")
    op.drop_table("export_links")
