"""The tables, as SQLAlchemy Core metadata; alembic migrations create them, nothing else does."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa


class UtcDateTime(sa.TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite stores no zone of its own)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


# Stable constraint names keep alembic migrations identical on SQLite and PostgreSQL.
metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

organisations = sa.Table(
    "organisations",
    metadata,
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False, index=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column(
        "organisation_code",
        sa.String(32),
        sa.ForeignKey("organisations.code"),
        nullable=False,
        index=True,
    ),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("label", sa.String(200), nullable=False, server_default=""),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("expires_at", UtcDateTime(), nullable=True),
    sa.Column("revoked_at", UtcDateTime(), nullable=True),
)

audit_events = sa.Table(
    "audit_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("occurred_at", UtcDateTime(), nullable=False, index=True),
    sa.Column("actor_organisation_code", sa.String(32), nullable=True, index=True),
    sa.Column("actor_role", sa.String(32), nullable=True),
    sa.Column("actor_token_id", sa.String(32), nullable=True),
    sa.Column("operation", sa.String(64), nullable=False),
    sa.Column("subject_organisation_code", sa.String(32), nullable=True, index=True),
    sa.Column("collection_id", sa.String(32), nullable=True, index=True),
    sa.Column("record_count", sa.Integer(), nullable=True),
    sa.Column("detail", sa.JSON, nullable=False),
)

# A row id that is a 64-bit integer on PostgreSQL and SQLite's rowid alias on SQLite.
RowId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

collections = sa.Table(
    "collections",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("spec_id", sa.String(64), nullable=False),
    sa.Column("spec_version", sa.String(32), nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("period_start", sa.Date(), nullable=False),
    sa.Column("period_end", sa.Date(), nullable=False),
    sa.Column(
        "owner_code",
        sa.String(32),
        sa.ForeignKey("organisations.code"),
        nullable=False,
        index=True,
    ),
    sa.Column("opens_on", sa.Date(), nullable=False, index=True),
    sa.Column("due_on", sa.Date(), nullable=False, index=True),
    sa.Column("purpose", sa.Text(), nullable=False),
    sa.Column("legal_basis", sa.Text(), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("published_at", UtcDateTime(), nullable=True),
)

collection_councils = sa.Table(
    "collection_councils",
    metadata,
    sa.Column("collection_id", sa.String(32), sa.ForeignKey("collections.id"), primary_key=True),
    sa.Column(
        "council_code",
        sa.String(32),
        sa.ForeignKey("organisations.code"),
        primary_key=True,
        index=True,
    ),
)

submissions = sa.Table(
    "submissions",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("collection_id", sa.String(32), sa.ForeignKey("collections.id"), nullable=False),
    sa.Column(
        "council_code",
        sa.String(32),
        sa.ForeignKey("organisations.code"),
        nullable=False,
        index=True,
    ),
    sa.Column("state", sa.String(32), nullable=False),
    sa.Column("current_version", sa.Integer(), nullable=False),
    sa.Column("validated_version", sa.Integer(), nullable=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.UniqueConstraint("collection_id", "council_code"),
)

submission_versions = sa.Table(
    "submission_versions",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("submission_id", sa.String(32), sa.ForeignKey("submissions.id"), nullable=False),
    sa.Column("number", sa.Integer(), nullable=False),
    sa.Column("author_code", sa.String(32), sa.ForeignKey("organisations.code"), nullable=False),
    sa.Column("author_role", sa.String(32), nullable=False),
    sa.Column("author_token_id", sa.String(32), nullable=True),
    sa.Column("source_format", sa.String(16), nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("record_count", sa.Integer(), nullable=False),
    sa.Column("based_on_version", sa.Integer(), nullable=True),
    sa.Column("note", sa.Text(), nullable=False, server_default=""),
    sa.Column("valid", sa.Boolean(), nullable=False),
    sa.Column("error_count", sa.Integer(), nullable=False),
    sa.Column("query_count", sa.Integer(), nullable=False),
    sa.Column("report", sa.JSON(), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.UniqueConstraint("submission_id", "number"),
)

records = sa.Table(
    "records",
    metadata,
    sa.Column("id", RowId, primary_key=True, autoincrement=True),
    sa.Column("version_id", sa.String(32), sa.ForeignKey("submission_versions.id"), nullable=False),
    sa.Column("entity", sa.String(64), nullable=False),
    sa.Column("key", sa.String(200), nullable=True),
    sa.Column("line", sa.Integer(), nullable=True),
    sa.Column("data", sa.JSON(), nullable=False),
    sa.Index("ix_records_version_entity_key", "version_id", "entity", "key"),
)

version_issues = sa.Table(
    "version_issues",
    metadata,
    sa.Column("id", RowId, primary_key=True, autoincrement=True),
    sa.Column("version_id", sa.String(32), sa.ForeignKey("submission_versions.id"), nullable=False),
    sa.Column("problem_id", sa.String(16), nullable=False),
    sa.Column("rule_id", sa.String(32), nullable=False),
    sa.Column("severity", sa.String(8), nullable=False),
    sa.Column("entity", sa.String(64), nullable=False),
    sa.Column("line", sa.Integer(), nullable=True),
    sa.Column("key", sa.String(200), nullable=True),
    sa.Column("fields", sa.JSON(), nullable=False),
    sa.Column("value", sa.Text(), nullable=True),
    sa.Column("message", sa.Text(), nullable=False),
    sa.Index("ix_version_issues_version_problem", "version_id", "problem_id"),
)

issue_explanations = sa.Table(
    "issue_explanations",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("submission_id", sa.String(32), sa.ForeignKey("submissions.id"), nullable=False),
    sa.Column("problem_id", sa.String(16), nullable=False),
    sa.Column("rule_id", sa.String(32), nullable=False),
    sa.Column("version_number", sa.Integer(), nullable=False),
    sa.Column("explanation", sa.Text(), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("author_code", sa.String(32), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("reviewed_by_code", sa.String(32), nullable=True),
    sa.Column("reviewed_at", UtcDateTime(), nullable=True),
    sa.Index("ix_issue_explanations_submission_problem", "submission_id", "problem_id"),
)

data_queries = sa.Table(
    "data_queries",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column(
        "submission_id",
        sa.String(32),
        sa.ForeignKey("submissions.id"),
        nullable=False,
        index=True,
    ),
    sa.Column("version_number", sa.Integer(), nullable=False),
    sa.Column("entity", sa.String(64), nullable=True),
    sa.Column("record_key", sa.String(200), nullable=True),
    sa.Column("field", sa.String(64), nullable=True),
    sa.Column("rule_id", sa.String(32), nullable=True),
    sa.Column("question", sa.Text(), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("raised_by_code", sa.String(32), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
)

data_query_messages = sa.Table(
    "data_query_messages",
    metadata,
    sa.Column("id", RowId, primary_key=True, autoincrement=True),
    sa.Column(
        "data_query_id",
        sa.String(32),
        sa.ForeignKey("data_queries.id"),
        nullable=False,
        index=True,
    ),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("author_code", sa.String(32), nullable=False),
    sa.Column("author_role", sa.String(32), nullable=False),
    sa.Column("body", sa.Text(), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
)

grants = sa.Table(
    "grants",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column(
        "collection_id",
        sa.String(32),
        sa.ForeignKey("collections.id"),
        nullable=False,
        index=True,
    ),
    sa.Column(
        "grantee_code",
        sa.String(32),
        sa.ForeignKey("organisations.code"),
        nullable=False,
        index=True,
    ),
    sa.Column("level", sa.String(16), nullable=False),
    sa.Column("fields", sa.JSON(), nullable=True),
    sa.Column("min_state", sa.String(32), nullable=False),
    sa.Column("created_by_code", sa.String(32), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("revoked_at", UtcDateTime(), nullable=True),
)

idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("principal", sa.String(100), primary_key=True),
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("request_hash", sa.String(64), nullable=False),
    sa.Column("result_version_id", sa.String(32), nullable=True),
    sa.Column("created_at", UtcDateTime(), nullable=False, index=True),
)

export_links = sa.Table(
    "export_links",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("organisation_code", sa.String(32), nullable=True),
    sa.Column("role", sa.String(32), nullable=True),
    sa.Column("token_id", sa.String(32), nullable=True),
    sa.Column("params", sa.JSON(), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("expires_at", UtcDateTime(), nullable=False, index=True),
)
