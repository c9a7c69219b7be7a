"""Settings of the documents service (environment: AFFBILL_DOCUMENTS_*, plus the shared ones)."""

from pydantic_settings import SettingsConfigDict

from affbill_runtime.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AFFBILL_DOCUMENTS_", extra="ignore")

    service_name: str = "documents"
    http_port: int = 8003
