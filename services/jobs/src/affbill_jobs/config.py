"""Settings of the jobs service (environment: AFFBILL_JOBS_*, plus the shared ones)."""

from pydantic_settings import SettingsConfigDict

from affbill_runtime.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AFFBILL_JOBS_", extra="ignore")

    service_name: str = "jobs"
    http_port: int = 8004
