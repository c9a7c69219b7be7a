"""Settings of the jobs service (environment: AFFBILL_JOBS_*, plus the shared ones)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from affbill_runtime.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AFFBILL_JOBS_", extra="ignore")

    service_name: str = "jobs"
    http_port: int = 8004
    batch_max_records: int = Field(5000, ge=1, description="Job events taken per batch.")
    follow_poll_s: float = Field(
        1.0, gt=0, description="A waiting follower re-reads at least this often, in case a "
        "notification from another replica was lost.")
    first_lines: int = Field(100, ge=1, le=500, description="Lines shown with a job's detail.")

    @property
    def channel(self) -> str:
        """The LISTEN/NOTIFY channel of this schema's job changes."""
        return f"{self.db_schema}.jobs_changed"
