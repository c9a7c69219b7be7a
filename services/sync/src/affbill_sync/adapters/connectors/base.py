"""The connector interface every adtracker implements."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Literal, Protocol

from pydantic import BaseModel, Field, HttpUrl

from affbill_contracts.adtracker import (
    AdvertiserSynced,
    AffiliateSynced,
    ConversionStatus,
    ConversionSynced,
    EmployeeSynced,
)
from affbill_sync.domain.model import DayTotal, StatFact
from affbill_sync.domain.quarantine import Rejected


class ConnectorConfig(BaseModel):
    id: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    kind: Literal["hasoffers", "everflow"]
    base_url: HttpUrl
    token: str = Field(min_length=1, description="NetworkToken (HasOffers) or API key (Everflow)")
    timezone: str = "UTC"
    page_size: int = Field(20_000, ge=1, le=100_000)
    timeout_s: float = Field(30, gt=0)
    max_attempts: int = Field(6, ge=1)
    concurrency: int = Field(3, ge=1, le=10)


class AdtrackerError(Exception):
    """The adtracker could not be read; the message says why, for the job log."""


class AdtrackerAuthError(AdtrackerError):
    pass


class RetriesExhausted(AdtrackerError):
    pass


class DataChanged(AdtrackerError):
    """The result changed between pages; the pages read so far cannot be trusted together."""


Partner = AdvertiserSynced | AffiliateSynced | EmployeeSynced


class Connector(Protocol):
    config: ConnectorConfig

    def employees(self) -> AsyncIterator[list[EmployeeSynced | Rejected]]: ...

    def advertisers(self) -> AsyncIterator[list[AdvertiserSynced | Rejected]]: ...

    def affiliates(self) -> AsyncIterator[list[AffiliateSynced | Rejected]]: ...

    def stat_days(self, date_from: dt.date, date_to: dt.date
                  ) -> AsyncIterator[tuple[dt.date, list[StatFact | Rejected]]]:
        """Every day of the window with all its rows, each day complete, in date order."""
        ...

    async def day_totals(self, date_from: dt.date, date_to: dt.date
                         ) -> dict[dt.date, list[DayTotal]]:
        """Per day: totals per advertiser and currency (the cheap partial-sync probe)."""
        ...

    def conversions(self, date_from: dt.date, date_to: dt.date,
                    statuses: list[ConversionStatus]
                    ) -> AsyncIterator[list[ConversionSynced | Rejected]]: ...

    async def aclose(self) -> None: ...
