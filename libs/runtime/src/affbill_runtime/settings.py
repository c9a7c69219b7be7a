"""The settings every service shares; each service subclasses with its own prefix."""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "postgresql+asyncpg://affbill:affbill@127.0.0.1:54329/affbill"
DEFAULT_KAFKA = "127.0.0.1:9092"


def asyncpg_url(url: str) -> str:
    """Accept plain postgres URLs (as psql and operators write them) and use asyncpg."""
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix):]
    raise ValueError(f"DATABASE_URL must be a postgresql:// URL, got {url.split('://')[0]}://…")


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", env_file=None)

    service_name: str = "affbill"
    kafka_bootstrap_servers: str = Field(
        DEFAULT_KAFKA, validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS"))
    database_url: str = Field(
        DEFAULT_DATABASE_URL, validation_alias=AliasChoices("DATABASE_URL"))
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    http_workers: int = 1  # processes serving HTTP (each with its own consumers and relay)
    http_access_log: bool = True  # uvicorn's line per request
    log_level: str = Field("INFO", validation_alias=AliasChoices("LOG_LEVEL"))
    db_pool_size: int = 10
    migrate_on_start: bool = True
    outbox_batch_size: int = 1000
    outbox_poll_interval_s: float = 0.2
    outbox_retention_hours: int = 72
    consumer_group: str | None = None  # default affbill-<service name>
    # a message that fails is retried this many times in all, with backoff doubling from
    # consumer_retry_backoff_s, then dead-lettered (<topic>.dlq and rejected_messages)
    consumer_retry_attempts: int = Field(5, ge=1)
    consumer_retry_backoff_s: float = Field(0.5, ge=0)
    consumer_retry_backoff_max_s: float = Field(30.0, ge=0)
    consumer_log_interval_s: float = Field(10.0, ge=0)  # at most one line per kind and interval

    @property
    def group(self) -> str:
        return self.consumer_group or f"affbill-{self.service_name}"

    @property
    def db_schema(self) -> str:
        return self.service_name

    @property
    def async_database_url(self) -> str:
        return asyncpg_url(self.database_url)
