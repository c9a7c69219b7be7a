"""How big the simulated network is, and the seeded randomness everything derives from."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

MASK = (1 << 64) - 1
MAX_OFFERS = 100_000
MAX_ADVERTISER_DAYS = 100_000  # about 250,000 explicit conversions, built at reset


def mix(*values: int) -> int:
    """Deterministic pseudo-randomness from integers.

    Hashes of int tuples are not salted per process (unlike str), so the same seed
    gives the same bytes in every run; the multiply-xorshift spreads the bits.
    """
    h = hash(values) & MASK
    return (h * 0x9E3779B97F4A7C15 & MASK) ^ (h >> 29)


def _default_start() -> dt.date:
    return dt.date.today() - dt.timedelta(days=59)


class Scale(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seed: int = 42
    advertisers: int = Field(20, ge=1, le=100_000)
    offers_per_advertiser: int = Field(3, ge=1, le=1000)
    affiliates: int = Field(30, ge=1, le=100_000)
    employees: int = Field(5, ge=1, le=10_000)
    start_date: dt.date = Field(default_factory=_default_start,
                                description="first day with stats; default: today - 59 days")
    days: int = Field(60, ge=0, le=3660)
    rows_per_day: int = Field(200, ge=0, le=10_000_000)
    pending_share: float = Field(0.2, ge=0, le=1)
    currencies_per_advertiser: int = Field(1, ge=1, le=4)
    timezone: str = "Europe/Berlin"
    # not in the network's data, but reset with it so a test can tighten the limit
    rate_limit: int = Field(50, ge=0, description="calls per 10 s window; 0 = unlimited")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (KeyError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _bounded(self) -> Scale:
        # offers are indexed in memory and conversions listed at reset: keep both small
        if self.advertisers * self.offers_per_advertiser > MAX_OFFERS:
            raise ValueError(f"at most {MAX_OFFERS} offers (advertisers x offers_per_advertiser)")
        if self.advertisers * self.days > MAX_ADVERTISER_DAYS:
            raise ValueError(f"at most {MAX_ADVERTISER_DAYS} advertiser days (advertisers x days)")
        return self

    @property
    def end_date(self) -> dt.date:
        return self.start_date + dt.timedelta(days=self.days - 1)
