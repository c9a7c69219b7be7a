"""Settings of the billing service (environment: AFFBILL_BILLING_*, plus the shared ones)."""

from pydantic_settings import SettingsConfigDict

from affbill_runtime.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AFFBILL_BILLING_", extra="ignore")

    service_name: str = "billing"
    http_port: int = 8002
