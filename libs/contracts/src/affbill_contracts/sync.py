"""sync.requests: commands that start or stop a sync job."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import ClassVar

from pydantic import AwareDatetime, Field, model_validator

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
    republish: bool = Field(
        default=False,
        description="Publish every stat row of the window again, changed or not, so consumers "
        "derive what they did not keep (billing: the payout items of rows synced before "
        "it kept payouts). Idempotent for billing; standard scope only.",
        examples=[False],
    )

    @model_validator(mode="after")
    def _window(self) -> StartSync:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_from must not be after date_to")
        return self


class CancelSync(Payload):
    """Stop a queued or running sync. A running sync stops between two pages: the Kafka
    transaction of the step it is in is aborted, so nothing of that step is published;
    the steps finished before stay. The job ends ``cancelled``."""

    EVENT_TYPE: ClassVar[str] = "sync.cancel"

    sync_job_id: uuid.UUID = Field(description="The job id of the sync to stop.",
                                   examples=["0b8e8a52-7f0c-4d3e-9a55-3f2f4f1d9c11"])
    requested_by: str = Field(
        min_length=1, max_length=200, description="Who asked to stop it.",
        examples=["anna@network.example"],
    )


class SyncSucceeded(Payload):
    """A standard or partial sync ended succeeded (with or without quarantined rows): every
    fact it read was published before. Billing decides from these whether a billing period
    is *ready* (a sync that started after the period's end plus a settle time and read the
    period's days)."""

    EVENT_TYPE: ClassVar[str] = "adtracker.sync.succeeded"

    connector: str = Field(min_length=1, max_length=64, description="The adtracker connector.",
                           examples=["hasoffers-main"])
    scope: SyncScope = Field(description="standard or partial.", examples=["standard"])
    date_from: dt.date = Field(description="First day of the stats window it read.",
                               examples=["2026-11-01"])
    date_to: dt.date = Field(description="Last day of the stats window it read.",
                             examples=["2026-12-02"])
    started_at: AwareDatetime = Field(description="When it started reading (its last start, "
                                      "if it was resumed).", examples=["2026-12-02T06:00:00Z"])
    finished_at: AwareDatetime = Field(description="When it ended.",
                                       examples=["2026-12-02T06:04:10Z"])
