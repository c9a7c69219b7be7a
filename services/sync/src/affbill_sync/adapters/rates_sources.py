"""Where exchange rates come from: one interface, the ECB (default) and openexchangerates.

A source answers "the days you published from ``since`` to ``today``" with the rates as
published. The ECB serves three files of one format: the daily file (today's rates), the
90-day file and the whole history; the source reads the smallest one that covers the
window. openexchangerates answers one day per request (``historical/<date>.json``). The
base URL of each is a setting, so the bundled simulator serves both formats to the demo
and the tests. Transient failures (5xx, timeouts, 429) are retried by RetryingClient.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

import httpx

from affbill_sync.adapters.connectors.http import RetryingClient
from affbill_sync.domain.rates import DayRates, parse_ecb, parse_openexchangerates

ECB_URL = "https://www.ecb.europa.eu/stats/eurofxref"
OXR_URL = "https://openexchangerates.org/api"


class RatesSource(Protocol):
    name: str

    async def fetch(self, client: httpx.AsyncClient, since: dt.date, today: dt.date
                    ) -> list[DayRates]:
        """The days published from ``since`` through ``today``, oldest first."""
        ...


class EcbSource:
    """The ECB's euro reference rates (about 16:00 CET on TARGET business days)."""

    def __init__(self, base_url: str = ECB_URL, name: str = "ecb") -> None:
        self.base_url = base_url.rstrip("/")
        self.name = name

    def file_for(self, since: dt.date, today: dt.date | None = None) -> str:
        """The daily file holds today's rates, the 90-day file the last 90 days (counted
        from the real today, whatever window is asked for), the history all."""
        days = ((today or dt.date.today()) - since).days
        if days <= 0:
            return "eurofxref-daily.xml"
        return "eurofxref-hist-90d.xml" if days < 85 else "eurofxref-hist.xml"

    async def fetch(self, client: httpx.AsyncClient, since: dt.date, today: dt.date
                    ) -> list[DayRates]:
        url = f"{self.base_url}/{self.file_for(since)}"
        response = await RetryingClient(client, platform=self.name, max_attempts=4).request(
            "GET", url)
        return [d for d in parse_ecb(response.content, self.name, since)
                if d.rate_date <= today]


class OpenExchangeRatesSource:
    """openexchangerates.org: one request per day; ``base`` as the plan allows (EUR asks
    for direct euro rates; the free plan only quotes USD)."""

    def __init__(self, base_url: str = OXR_URL, app_id: str = "", base: str = "EUR",
                 name: str = "openexchangerates") -> None:
        self.base_url = base_url.rstrip("/")
        self.app_id = app_id
        self.base = base
        self.name = name

    async def fetch(self, client: httpx.AsyncClient, since: dt.date, today: dt.date
                    ) -> list[DayRates]:
        http = RetryingClient(client, platform=self.name, max_attempts=4)
        days = []
        day = since
        while day <= today:
            response = await http.request(
                "GET", f"{self.base_url}/historical/{day.isoformat()}.json",
                params={"app_id": self.app_id, "base": self.base})
            days.append(parse_openexchangerates(response.content, self.name, day))
            day += dt.timedelta(days=1)
        return days


def build_source(kind: str, base_url: str | None, app_id: str = "") -> RatesSource:
    """The configured source (``AFFBILL_SYNC_RATES_SOURCE``: ecb or openexchangerates)."""
    if kind == "ecb":
        return EcbSource(base_url or ECB_URL)
    if kind == "openexchangerates":
        return OpenExchangeRatesSource(base_url or OXR_URL, app_id)
    raise ValueError(f"rates_source: {kind!r} is not a rates source (ecb, openexchangerates)")
