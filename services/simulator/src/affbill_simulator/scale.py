"""How big the simulated network is. Everything derives from these and the seed."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


def _default_start() -> dt.date:
    return dt.date.today() - dt.timedelta(days=59)


class Scale(BaseModel):
    seed: int = 42
    advertisers: int = Field(20, ge=1, le=100_000)
    offers_per_advertiser: int = Field(3, ge=1, le=1000)
    affiliates: int = Field(30, ge=1, le=100_000)
    employees: int = Field(5, ge=1, le=10_000)
    start_date: dt.date = Field(default_factory=_default_start)
    days: int = Field(60, ge=0, le=3660)
    rows_per_day: int = Field(200, ge=0, le=1_000_000)
    pending_share: float = Field(0.2, ge=0, le=1)
    currencies_per_advertiser: int = Field(1, ge=1, le=4)
    timezone: str = "Europe/Berlin"
    rate_limit: int = Field(50, ge=0, description="calls per 10 s window; 0 = unlimited")

    @property
    def end_date(self) -> dt.date:
        return self.start_date + dt.timedelta(days=self.days - 1)
