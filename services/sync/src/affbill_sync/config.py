"""Settings of the sync service (environment: AFFBILL_SYNC_*, plus the shared ones)."""

from pydantic_settings import SettingsConfigDict

from affbill_runtime.settings import ServiceSettings
from affbill_sync.adapters.connectors.base import ConnectorConfig

SIMULATOR = ConnectorConfig(id="hasoffers-sim", kind="hasoffers", base_url="http://127.0.0.1:8090",
                            token="sim-token", timezone="Europe/Berlin")


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AFFBILL_SYNC_", extra="ignore")

    service_name: str = "sync"
    http_port: int = 8001
    # JSON list in AFFBILL_SYNC_CONNECTORS; the default is the bundled simulator
    connectors: list[ConnectorConfig] = [SIMULATOR]
    max_window_days: int = 400  # a longer sync window is refused (422 at the HTTP route)
    lease_s: float = 30.0  # a running sync renews its lease; lapsed, another worker takes over
    max_attempts: int = 3  # a sync whose process died this often is failed as abandoned
    # exchange rates: the source's kind and base URL (the default is the bundled simulator,
    # like the connectors; the ECB's own is https://www.ecb.europa.eu/stats/eurofxref)
    rates_source: str = "ecb"  # or "openexchangerates"
    rates_url: str = "http://127.0.0.1:8090/ecb"
    rates_app_id: str = ""  # openexchangerates' app id
    rates_every_s: float = 3600.0  # the schedule; 0 turns it off (on demand only)
    rates_window_days: int = 7  # days fetched each round (corrections inside it are seen)

    def connector(self, connector_id: str) -> ConnectorConfig | None:
        return next((c for c in self.connectors if c.id == connector_id), None)
