"""Settings of the gateway service (environment: AFFBILL_GATEWAY_*, plus the shared ones)."""

from pydantic_settings import SettingsConfigDict

from affbill_runtime.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AFFBILL_GATEWAY_", extra="ignore")

    service_name: str = "gateway"
    http_port: int = 8000
