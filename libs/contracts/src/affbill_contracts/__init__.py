"""affbill's wire contracts: topic names and the pydantic v2 model of every message."""

from affbill_contracts import topics
from affbill_contracts.adtracker import (
    AdvertiserSynced,
    AffiliateSynced,
    ConversionStatus,
    ConversionSynced,
    EmployeeSynced,
    PartnerStatus,
    StatRowSynced,
)
from affbill_contracts.billing import InvoiceCancelled, InvoiceIssued, IssueDrafts, ProcessSelected
from affbill_contracts.codec import decode, encode, upcaster
from affbill_contracts.documents import DocumentRendered
from affbill_contracts.envelope import EVENT_TYPES, Envelope, Payload
from affbill_contracts.fx import ExchangeRatesPublished, VatAccounting
from affbill_contracts.jobs import (
    JobFinished,
    JobKind,
    JobLogLine,
    JobProgress,
    JobQueued,
    JobStarted,
    JobStatus,
    LogLevel,
)
from affbill_contracts.money import Money
from affbill_contracts.sync import CancelSync, StartSync, SyncScope, SyncSucceeded

__all__ = [
    "EVENT_TYPES", "AdvertiserSynced", "AffiliateSynced", "ConversionStatus", "ConversionSynced",
    "DocumentRendered", "EmployeeSynced", "ExchangeRatesPublished", "VatAccounting",
    "Envelope", "InvoiceCancelled", "InvoiceIssued",
    "IssueDrafts",
    "JobFinished", "JobKind", "JobLogLine", "JobProgress", "JobQueued", "JobStarted",
    "JobStatus", "LogLevel", "CancelSync",
    "Money", "PartnerStatus", "Payload", "ProcessSelected", "StartSync", "StatRowSynced",
    "SyncScope", "SyncSucceeded", "decode", "encode", "topics", "upcaster",
]
