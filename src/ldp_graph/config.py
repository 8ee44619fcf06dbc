"""Settings from the environment (prefix `LDP_`), validated once at start-up."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Literal

from pydantic import Field, PositiveInt, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ldp_graph.persisted_queries import load_manifest

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///var/ldp.sqlite3"

_RATE_LIMIT_SCHEMES = (
    "memory",
    "redis",
    "rediss",
    "redis+unix",
)
_DRIVER_ALIASES = {
    "sqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
}
_SUPPORTED_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")


class Settings(BaseSettings):
    """Everything an operator can set; each field is read from `LDP_<NAME>`."""

    model_config = SettingsConfigDict(env_prefix="LDP_", extra="ignore", frozen=True)

    database_url: str = Field(
        DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL: sqlite+aiosqlite:///path or postgresql+asyncpg://...",
    )
    environment: Literal["development", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)

    graphiql: bool = Field(True, description="Serve the GraphiQL page on GET /graphql.")
    introspection: bool = Field(True, description="Allow schema introspection queries.")
    max_query_depth: PositiveInt = 10
    max_aliases: PositiveInt = 15
    max_tokens: PositiveInt = 2000
    max_query_cost: PositiveInt = Field(
        50_000,
        description="Largest computed cost of an operation: four 10,000-record pages "
        "(10,000 and a little each, whatever fields they select) pass, five do not.",
    )
    query_cost_list_size: PositiveInt = Field(
        20, description="Length the cost assumes for a list that takes no page size."
    )
    max_root_fields: PositiveInt = Field(
        20,
        description="Most root fields one operation may ask for (by response key, fragments "
        "expanded, introspection not counted).",
    )
    max_mutations: PositiveInt = Field(
        4,
        description="Most mutations (root fields of a mutation) one request may run, so "
        "aliases cannot make one request into hundreds of writes.",
    )
    max_entity_representations: PositiveInt = Field(
        100,
        description="Most representations one request may pass to _entities (a federation "
        "gateway's batch of references), over all its _entities fields.",
    )
    max_json_body_bytes: PositiveInt = Field(
        2 * 1024 * 1024, description="Largest JSON GraphQL request body (413 above it)."
    )
    max_upload_bytes: PositiveInt = Field(
        256 * 1024 * 1024, description="Largest multipart upload request (413 above it)."
    )
    metrics: bool = Field(True, description="Serve Prometheus metrics on GET /metrics.")
    request_timeout_seconds: float = Field(
        10, ge=0, description="Longest a query or mutation may run (0: no limit)."
    )
    upload_timeout_seconds: float = Field(
        600, ge=0, description="Longest an upload may take, reading included (0: no limit)."
    )
    oidc_issuer: str | None = Field(None, description="Accept OIDC JWTs from this issuer.")
    oidc_audience: str | None = Field(None, description="The audience the JWTs must name.")
    oidc_jwks_url: str | None = Field(None, description="Where the issuer publishes its keys.")
    oidc_jwks_file: str | None = Field(None, description="Or a JWKS file with the keys.")
    oidc_organisation_claim: str = Field("ldp_org", description="Claim naming the organisation.")
    oidc_role_claim: str = Field("ldp_role", description="Claim naming the role.")
    oidc_leeway_seconds: int = Field(30, ge=0, le=300, description="Clock skew allowed.")
    rate_limit_per_token: int = Field(
        1200, ge=0, description="Requests per minute per token (0: no limit)."
    )
    rate_limit_per_address: int = Field(
        300, ge=0, description="Requests per minute per anonymous client address (0: no limit)."
    )
    rate_limit_storage: str = Field(
        "memory://",
        description=(
            "Where rate limit counts are kept: memory:// (each process counts alone) or "
            "redis://host:port/db (shared by every process and machine; the [redis] extra)."
        ),
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description="Browser origins allowed to call the API (JSON list); none by default.",
    )
    fast_completion: bool = Field(
        True,
        description=(
            "Complete plain objects (typed records) in one loop per object rather than one "
            "resolver call per field; off only to compare with graphql-core's own executor."
        ),
    )
    persisted_queries: Literal["off", "apq", "allowlist"] = Field(
        "apq",
        description="off; apq: Apollo's automatic persisted queries; allowlist: only the "
        "manifest's operations run.",
    )
    operation_allowlist: Path | None = Field(
        None,
        validate_default=True,
        description="The manifest (sha256 -> document) that allowlist mode runs.",
    )
    apq_cache_bytes: PositiveInt = Field(
        8 * 1024 * 1024, description="Most bytes of documents the APQ store keeps (LRU)."
    )
    max_page_size: PositiveInt = Field(100, description="Largest page of audit events.")
    max_record_page_size: PositiveInt = Field(
        10_000, description="Largest page of typed records (the bulk read path)."
    )

    token_default_expiry_days: PositiveInt = Field(
        90, description="Lifetime of a token created without --expires-in."
    )

    log_format: Literal["json", "text"] | None = Field(
        None, description="json or text; unset: json in production, text in development."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    otel_endpoint: str | None = Field(
        None,
        description="OTLP/HTTP collector base URL (spans go to <url>/v1/traces); needs the "
        "[tracing] extra. The standard OTEL_EXPORTER_OTLP_* variables work too.",
    )

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_case_level(cls, level: object) -> object:
        return level.upper() if isinstance(level, str) else level

    @field_validator("database_url")
    @classmethod
    def _normalise_database_url(cls, url: str) -> str:
        scheme, sep, rest = url.partition("://")
        if not sep:
            raise ValueError("must look like sqlite+aiosqlite:///path or postgresql+asyncpg://...")
        scheme = _DRIVER_ALIASES.get(scheme, scheme)
        if scheme not in _SUPPORTED_DRIVERS:
            raise ValueError(f"driver {scheme!r} is not supported; use one of {_SUPPORTED_DRIVERS}")
        return f"{scheme}://{rest}"

    @field_validator("rate_limit_storage")
    @classmethod
    def _known_rate_limit_storage(cls, uri: str) -> str:
        scheme = uri.partition("://")[0].removeprefix("async+")
        if scheme not in _RATE_LIMIT_SCHEMES:
            raise ValueError("use memory:// or redis://host:port/db (or rediss://, redis+unix://)")
        if scheme != "memory" and importlib.util.find_spec("redis") is None:
            raise ValueError("a Redis store needs the redis client: pip install 'ldp-graph[redis]'")
        return uri

    @field_validator("operation_allowlist")
    @classmethod
    def _readable_manifest(cls, path: Path | None, info: ValidationInfo) -> Path | None:
        # Checked at start-up, so a missing or wrong manifest stops the server, not requests.
        if path is None:
            if info.data.get("persisted_queries") == "allowlist":
                raise ValueError("LDP_PERSISTED_QUERIES=allowlist needs a manifest file")
            return None
        load_manifest(path)
        return path

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


class SettingsError(Exception):
    """A setting is invalid; the message is one line naming it."""


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment; raise `SettingsError` naming the first bad one."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "LDP_" + str(first["loc"][0]).upper() if first["loc"] else "LDP_*"
        raise SettingsError(f"invalid setting {name}: {first['msg']}") from None
