"""sync.requests: commands that start a sync job."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import ClassVar

from pydantic import Field, model_validator

from affbill_contracts.envelope import Payload


class SyncScope(StrEnum):
    STANDARD = "standard"  # employees, advertisers, affiliates, stats, pending conversions
    PARTIAL = "partial"  # stats and pending conversions only


class StartSync(Payload):
    EVENT_TYPE: ClassVar[str] = "sync.start"

    connector: str = Field(
        min_length=1, max_length=64,
        description="Id of the configured adtracker connector to sync.",
        examples=["hasoffers-main"],
    )
    scope: SyncScope = Field(
        description="standard: employees, advertisers, affiliates, stats, pending conversions; "
        "partial: stats and pending conversions only.",
        examples=["standard"],
    )
    date_from: dt.date | None = Field(
        default=None,
        description="First day of the stats window (network time zone); default: first day "
        "of the previous month.",
        examples=["2026-10-01"],
    )
    date_to: dt.date | None = Field(
        default=None,
        description="Last day of the stats window, inclusive; default: today.",
        examples=["2026-11-26"],
    )
    requested_by: str = Field(
        min_length=1, max_length=200,
        description="Who asked: a user or API key name, or 'scheduler'.",
        examples=["anna@network.example"],
    )

    @model_validator(mode="after")
    def _window(self) -> StartSync:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_from must not be after date_to")
        return self
