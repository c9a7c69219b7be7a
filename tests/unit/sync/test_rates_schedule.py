"""The rates schedule tries a failed round again soon, then waits its interval."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import httpx
import pytest

from affbill_sync.domain.rates import DayRates, RatesFormatError
from affbill_sync.service_layer import rates


class FlakySource:
    name = "ecb"

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0

    async def fetch(self, client: httpx.AsyncClient, since: dt.date, today: dt.date
                    ) -> list[DayRates]:
        self.calls += 1
        if self.calls <= self.failures:
            raise RatesFormatError("the source is not up yet")
        return []


async def test_a_failed_round_is_retried_with_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    sleeps: list[float] = []
    source = FlakySource(failures=3)

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 5:
            raise asyncio.CancelledError

    async def synced(uow_factory: Any, src: Any, client: Any, since: dt.date,
                     today: dt.date) -> rates.RatesSynced:
        await src.fetch(client, since, today)
        return rates.RatesSynced(src.name, 0, 0)

    monkeypatch.setattr(rates.asyncio, "sleep", sleep)
    monkeypatch.setattr(rates, "sync_rates", synced)
    with pytest.raises(asyncio.CancelledError):
        await rates.rates_forever(lambda: None, source, every_s=3600, window_days=7,  # type: ignore[arg-type, return-value]
                                  retry_s=5)
    assert sleeps == [5, 10, 20, 3600, 3600]  # three failures back off, then the interval
