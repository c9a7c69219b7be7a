"""Settings of the documents service (environment: AFFBILL_DOCUMENTS_*, plus the shared ones)."""

import os

from affbill_runtime.settings import ServiceSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AFFBILL_DOCUMENTS_", extra="ignore")

    service_name: str = "documents"
    http_port: int = 8003
    # worker processes rendering and validating documents (one per core by default)
    render_workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    # billing.invoices events taken per batch: one transaction and one rendering job each
    render_batch_size: int = Field(64, ge=1, le=1000)
