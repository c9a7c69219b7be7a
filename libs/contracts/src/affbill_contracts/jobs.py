"""jobs.events: every long job reports its start, progress, log lines and end here."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from affbill_contracts.bounds import Count, Name, ScrubbedText, Seq
from affbill_contracts.envelope import Payload


class JobKind(StrEnum):
    STANDARD_SYNC = "standard_sync"
    PARTIAL_SYNC = "partial_sync"
    BATCH_RUN = "batch_run"
    BULK_ISSUE = "bulk_issue"
    ISSUE = "issue"  # one draft created by hand ("Create")
    CANCELLATION = "cancellation"
    CREDIT_NOTE = "credit_note"  # a partial credit note against an issued invoice
    PAYOUT_EXPORT = "payout_export"  # payout files for the affiliates' credit notes
    RENDERING = "rendering"


class JobStatus(StrEnum):
    SUCCEEDED = "succeeded"
    SUCCEEDED_WITH_WARNINGS = "succeeded_with_warnings"
    FAILED = "failed"
    CANCELLED = "cancelled"  # stopped on request; what it finished before stays


class LogLevel(StrEnum):
    DEBUG = "debug"
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


_SERVICE = Field(description="Service that produced the event.", examples=["billing"])
_SEQ = Field(ge=0, description="Order of this event among the producing service's events "
             "for the job; with occurred_at it orders log lines across services.", examples=[3])


class JobQueued(Payload):
    """A command for a job was accepted (the gateway publishes it): the job shows as queued
    before the owning service starts it."""

    EVENT_TYPE: ClassVar[str] = "jobs.job.queued"

    service: str = Field(description="Service that accepted the command.", examples=["gateway"])
    seq: Seq = _SEQ
    kind: JobKind = Field(description="What kind of job.", examples=["batch_run"])
    title: Name = Field(description="Human title.", examples=["Process selected: all customers"])
    requested_by: str = Field(description="Who asked for it.", examples=["anna@network.example"])


class JobStarted(Payload):
    EVENT_TYPE: ClassVar[str] = "jobs.job.started"

    service: str = _SERVICE
    seq: Seq = _SEQ
    kind: JobKind = Field(description="What kind of job.", examples=["batch_run"])
    title: Name = Field(description="Human title.", examples=["Process selected: 12 customers"])
    started_by: str = Field(description="Who started it.", examples=["anna@network.example"])


class JobProgress(Payload):
    EVENT_TYPE: ClassVar[str] = "jobs.job.progress"

    service: str = _SERVICE
    seq: Seq = _SEQ
    step: str = Field(description="Step of the job.", examples=["stats"])
    done: Count = Field(description="Units done in this step.", examples=[5000])
    total: Count | None = Field(default=None, description="Units in the step, if known.",
                                         examples=[20000])
    counters: dict[str, Count] = Field(
        default_factory=dict, description="Named counters of the step.",
        examples=[{"fetched": 5000, "published": 120, "unchanged": 4880, "quarantined": 0}])


class JobLogLine(Payload):
    EVENT_TYPE: ClassVar[str] = "jobs.job.log"

    service: str = _SERVICE
    seq: Seq = _SEQ
    level: LogLevel = Field(description="Severity.", examples=["info"])
    text: ScrubbedText = Field(description="The line as the user reads it (C1 and bidi "
                               "controls are scrubbed).",
                      examples=["Document INV-2026-00042 created for Acme Media GmbH"])


class JobFinished(Payload):
    EVENT_TYPE: ClassVar[str] = "jobs.job.finished"

    service: str = _SERVICE
    seq: Seq = _SEQ
    status: JobStatus = Field(description="How it ended.", examples=["succeeded"])
    counts: dict[str, Count] = Field(
        default_factory=dict, description="Totals of the job.",
        examples=[{"documents_created": 10, "customers_skipped": 2}])
    reason: str | None = Field(default=None, description="Why it failed, when it failed.",
                               examples=[None])
