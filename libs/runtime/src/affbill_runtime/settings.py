"""The settings every service shares; each service subclasses with its own prefix."""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from affbill_runtime.kafka_security import KafkaSecurity
from affbill_runtime.topic_layout import TopicLayout

DEFAULT_DATABASE_URL = "postgresql+asyncpg://affbill:affbill@127.0.0.1:54329/affbill"
DEFAULT_KAFKA = "127.0.0.1:9092"
# used only outside production when AFFBILL_INTERNAL_SECRET is unset: anyone can sign with it
DEVELOPMENT_SECRET = "affbill-development-only-internal-secret"
MIN_SECRET_LENGTH = 32


def asyncpg_url(url: str) -> str:
    """Accept plain postgres URLs (as psql and operators write them) and use asyncpg."""
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix):]
    raise ValueError(f"DATABASE_URL must be a postgresql:// URL, got {url.split('://')[0]}://…")


def _shared(name: str, default: Any = None) -> Any:
    """A setting every service reads under the same name, ``AFFBILL_<NAME>``."""
    return Field(default, validation_alias=AliasChoices(f"AFFBILL_{name.upper()}", name))


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


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
    # processed event ids are forgotten after this: longer than any redelivery (Kafka retention)
    inbox_retention_days: int = 14
    consumer_group: str | None = None  # default affbill-<service name>
    # "production" turns the internal OpenAPI pages off and makes the internal secret required
    env: str = Field("development", validation_alias=AliasChoices("AFFBILL_ENV"))
    # the gateway signs every call to a service with it (HMAC-SHA256); services verify it
    internal_secret: SecretStr | None = Field(
        None, validation_alias=AliasChoices("AFFBILL_INTERNAL_SECRET", "internal_secret"))
    http_max_body_bytes: int = 16 * 1024 * 1024  # a larger request body gets 413
    # the topics' layout on the cluster (see messaging.TopicLayout); a cluster whose topics
    # an operator manages (Strimzi KafkaTopic) turns creation off: a service then checks
    # that they exist and refuses to start without them
    # (one setting for all services: AFFBILL_KAFKA_CREATE_TOPICS, AFFBILL_KAFKA_TOPIC_*)
    kafka_create_topics: bool = Field(True, validation_alias=AliasChoices(
        "AFFBILL_KAFKA_CREATE_TOPICS", "kafka_create_topics"))
    kafka_topic_replication_factor: int = Field(1, ge=1, validation_alias=AliasChoices(
        "AFFBILL_KAFKA_TOPIC_REPLICATION_FACTOR", "kafka_topic_replication_factor"))
    kafka_topic_min_insync_replicas: int | None = Field(None, ge=1, validation_alias=AliasChoices(
        "AFFBILL_KAFKA_TOPIC_MIN_INSYNC_REPLICAS", "kafka_topic_min_insync_replicas"))
    kafka_topic_retention_ms: int | None = Field(None, ge=-1, validation_alias=AliasChoices(
        "AFFBILL_KAFKA_TOPIC_RETENTION_MS", "kafka_topic_retention_ms"))  # -1: kept for ever
    # how every Kafka client of the service authenticates and encrypts (kafka_security.py;
    # one setting for all services: AFFBILL_KAFKA_SECURITY_PROTOCOL, AFFBILL_KAFKA_SASL_*,
    # AFFBILL_KAFKA_SSL_*); each service has a principal of its own (docs/operations.md)
    kafka_security_protocol: str = _shared("kafka_security_protocol", "PLAINTEXT")
    kafka_sasl_mechanism: str = _shared("kafka_sasl_mechanism", "SCRAM-SHA-512")
    kafka_sasl_username: str | None = _shared("kafka_sasl_username")
    kafka_sasl_password: SecretStr | None = _shared("kafka_sasl_password")
    kafka_ssl_ca_file: str | None = _shared("kafka_ssl_ca_file")
    kafka_ssl_cert_file: str | None = _shared("kafka_ssl_cert_file")
    kafka_ssl_key_file: str | None = _shared("kafka_ssl_key_file")
    kafka_ssl_key_password: SecretStr | None = _shared("kafka_ssl_key_password")
    kafka_ssl_check_hostname: bool = _shared("kafka_ssl_check_hostname", True)
    # on SIGTERM a handler in flight may finish for this long, then it is cancelled: its
    # offsets stay uncommitted and the batch is handled again after the restart (well inside
    # Kubernetes' default 30 s grace period)
    shutdown_grace_s: float = 8.0
    # Python's cyclic garbage collector runs after this many new container objects (its
    # default, 700, collects ~600 times per batch run of 1,000 customers × 200 items: a
    # quarter of billing's CPU); 0 keeps Python's default (see affbill_runtime.process)
    gc_young_threshold: int = Field(100_000, ge=0)

    @model_validator(mode="after")
    def _production_needs_a_secret(self) -> ServiceSettings:
        if self.production and self.internal_secret is None:
            raise ValueError("AFFBILL_INTERNAL_SECRET is required when AFFBILL_ENV=production")
        if self.internal_secret is not None and len(
                self.internal_secret.get_secret_value()) < MIN_SECRET_LENGTH:
            raise ValueError(f"AFFBILL_INTERNAL_SECRET must have at least {MIN_SECRET_LENGTH} "
                             "characters")
        self.kafka_security  # noqa: B018 -- a combination that cannot work fails at start
        return self

    @property
    def kafka_security(self) -> KafkaSecurity:
        """How this service's Kafka clients authenticate and encrypt."""
        return KafkaSecurity(
            self.kafka_security_protocol.strip().upper(),  # type: ignore[arg-type]
            self.kafka_sasl_mechanism.strip().upper(),  # type: ignore[arg-type]
            self.kafka_sasl_username, _secret(self.kafka_sasl_password),
            self.kafka_ssl_ca_file or None, self.kafka_ssl_cert_file or None,
            self.kafka_ssl_key_file or None, _secret(self.kafka_ssl_key_password),
            self.kafka_ssl_check_hostname)

    @property
    def production(self) -> bool:
        return self.env.strip().lower() == "production"

    @property
    def signing_key(self) -> bytes:
        """The shared secret of gateway and services (the development one when unset)."""
        secret = self.internal_secret.get_secret_value() if self.internal_secret else None
        return (secret or DEVELOPMENT_SECRET).encode()
    # a message that fails is retried this many times in all, with backoff doubling from
    # consumer_retry_backoff_s, then dead-lettered (<topic>.dlq and rejected_messages)
    consumer_retry_attempts: int = Field(5, ge=1)
    consumer_retry_backoff_s: float = Field(0.5, ge=0)
    consumer_retry_backoff_max_s: float = Field(30.0, ge=0)
    consumer_log_interval_s: float = Field(10.0, ge=0)  # at most one line per kind and interval

    @property
    def topic_layout(self) -> TopicLayout:
        return TopicLayout(self.kafka_topic_replication_factor,
                           self.kafka_topic_min_insync_replicas, self.kafka_topic_retention_ms)

    @property
    def group(self) -> str:
        return self.consumer_group or f"affbill-{self.service_name}"

    @property
    def db_schema(self) -> str:
        return self.service_name

    @property
    def async_database_url(self) -> str:
        return asyncpg_url(self.database_url)
