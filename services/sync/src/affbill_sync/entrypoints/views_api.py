"""Response bodies of the sync service's routes (typed in the OpenAPI document, which the
gateway's takes them from). Times are RFC 3339 with Z."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from affbill_contracts.wire import Day, Id, Timestamp, View


class Connector(View):
    """An adtracker connector as configured (never its token)."""

    id: str = Field(examples=["hasoffers-sim"])
    kind: str = Field(examples=["hasoffers"])
    base_url: str
    timezone: str = Field(examples=["Europe/Berlin"])


class SyncRun(View):
    """A sync: window, status, per-entity counts and why it ended as it did."""

    job_id: Id
    connector: str
    scope: str = Field(examples=["standard", "partial"])
    date_from: Day
    date_to: Day
    status: str = Field(examples=["requested", "running", "succeeded", "failed"])
    requested_by: str | None = None
    requested_at: Timestamp | None = None
    started_at: Timestamp | None = None
    finished_at: Timestamp | None = None
    counts: dict[str, Any]
    reason: str | None = None


class SyncAnswer(View):
    job_id: Id
    status: str = Field(examples=["queued", "cancelling"])


class QuarantinedRow(View):
    """An adtracker row refused with its reason; kept as it came."""

    id: int
    job_id: Id
    connector: str
    entity: str
    natural_key: str | None
    reason: str
    raw: Any
    created_at: Timestamp


class RatesSynced(View):
    source: str
    days: int
    published: int
    first: Day | None
    last: Day | None
