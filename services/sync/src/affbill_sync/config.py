"""Settings of the sync service (environment: AFFBILL_SYNC_*, plus the shared ones)."""

from pydantic_settings import SettingsConfigDict

from affbill_runtime.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AFFBILL_SYNC_", extra="ignore")

    service_name: str = "sync"
    http_port: int = 8001
