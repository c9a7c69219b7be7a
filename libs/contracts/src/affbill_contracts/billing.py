"""billing.requests (batch runs) and billing.invoices (issued and cancelled documents)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, ClassVar, Literal

from pydantic import Field, model_validator

from affbill_contracts.codec import upcaster
from affbill_contracts.envelope import Payload
from affbill_contracts.invoices import InvoiceDocument
from affbill_contracts.money import CurrencyCode

CustomerKind = Literal["advertiser", "affiliate"]
BillingFrequency = Literal["weekly", "biweekly", "monthly", "quarterly"]
InvoiceDateRule = Literal["today", "last_day_of_period", "first_day_after_period"]
DueDateBasis = Literal["issue_date", "generation_date"]
# customer ids or item ids a clerk may name in one run (the gateway refuses more); the
# contract keeps the wider bounds of version 1 so commands already queued stay valid
MAX_SELECTED = 10_000


class ProcessSelected(Payload):
    """A batch run ("Process selected") over the selection as the clerk made it.

    Billing resolves the selection into customers when the run starts: every customer with
    open items (``all_customers``), given customers, the owners of given items; the filters
    (``currency``, ``customer_kind``, ``account_manager_id``) narrow whatever is selected.

    The billing period: ``period_start`` and ``period_end`` name it for every customer;
    without them each customer is billed for the last closed period of its billing
    frequency, in the network's time zone, as of the day the run starts. Items after the
    period are never billed, nor is the current day; open items of earlier periods (carried
    below the threshold) are. Version 2 added ``all_customers`` and the filters; version 3
    the period's first day, the date rules, and "no period" now means the last closed
    period instead of "up to today" (a version 2 command with ``period_end`` bills up to
    that day, as it did). A period that is not *ready* is billed only with a
    ``force_reason``."""

    EVENT_TYPE: ClassVar[str] = "billing.run.process_selected"
    SCHEMA_VERSION: ClassVar[int] = 3

    run_id: uuid.UUID = Field(description="Idempotency key of the run: the same run twice "
                              "creates nothing twice.",
                              examples=["1c9f0a52-7d0a-4b6e-b8f5-3a2d9e8c7b10"])
    all_customers: bool = Field(default=False, description="Every customer with open items "
                                "when the run starts (the generator's \"select all\").",
                                examples=[False])
    customer_ids: list[str] = Field(default_factory=list, max_length=100_000,
                                    description="Customers whose open items are all billed.",
                                    examples=[["hasoffers-main:advertiser:501"]])
    item_ids: list[uuid.UUID] = Field(default_factory=list, max_length=1_000_000,
                                      description="Single open items to bill.",
                                      examples=[["2f0b3c1e-6e21-4f7e-9b25-4f1b0f3c9a11"]])
    period_start: dt.date | None = Field(default=None, description="First day of the billed "
                                         "period (with period_end).", examples=["2026-10-01"])
    period_end: dt.date | None = Field(default=None, description="Last day of the billed "
                                       "period: only items on or before it are billed.",
                                       examples=["2026-10-31"])
    invoice_date_rule: InvoiceDateRule | None = Field(default=None, description="The invoice "
                                                      "date for this run instead of each "
                                                      "profile's rule.", examples=[None])
    due_date_basis: DueDateBasis | None = Field(default=None, description="Count payment "
                                                "days from the issue date or from the day the "
                                                "run generates, for this run instead of each "
                                                "profile's choice.", examples=[None])
    currency: CurrencyCode | None = Field(default=None, description="Bill only items in this "
                                          "currency.", examples=["EUR"])
    customer_kind: CustomerKind | None = Field(default=None, description="Bill only "
                                               "advertisers or only affiliates.",
                                               examples=["advertiser"])
    account_manager_id: str | None = Field(default=None, min_length=1, max_length=200,
                                           description="Bill only customers this account "
                                           "manager looks after.", examples=["12"])
    billing_frequency: BillingFrequency | None = Field(
        default=None, description="Bill only customers whose profile has this billing "
        "frequency (a schedule's runs: every customer of the frequency, for its period).",
        examples=[None, "monthly"])
    requested_by: str = Field(min_length=1, max_length=200, description="Who asked.",
                              examples=["anna@network.example"])
    dry_run: bool = Field(default=False, description="Compute what the run would do (documents "
                          "per customer with totals, skips with reasons, drafts, the change "
                          "against the previous period) and change nothing.",
                          examples=[False])
    force_reason: str | None = Field(default=None, min_length=1, max_length=500,
                                     description="Bill a period that is not ready (no sync "
                                     "after its end has succeeded yet), and why; the job log "
                                     "records who forced it and this reason.",
                                     examples=[None, "Adtracker outage; figures confirmed by "
                                               "phone"])

    @model_validator(mode="after")
    def _something_selected(self) -> ProcessSelected:
        if self.all_customers and (self.customer_ids or self.item_ids):
            raise ValueError("all_customers cannot be combined with customer_ids or item_ids")
        if not self.all_customers and not self.customer_ids and not self.item_ids:
            raise ValueError("select at least one customer or item")
        if self.period_start and not self.period_end:
            raise ValueError("period_start needs period_end")
        if self.period_start and self.period_end and self.period_start > self.period_end:
            raise ValueError("period_end is before period_start")
        return self


@upcaster(ProcessSelected.EVENT_TYPE, 1)
def _process_selected_v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """Version 1 named customers and items only: the same selection in version 2."""
    return {**payload, "all_customers": False}


@upcaster(ProcessSelected.EVENT_TYPE, 2)
def _process_selected_v2_to_v3(payload: dict[str, Any]) -> dict[str, Any]:
    """Version 2 had no period start and no date rules: the same fields in version 3. A run
    without ``period_end`` billed up to today; version 3 bills the last closed period (the
    current day is never billed)."""
    return dict(payload)


class IssueDrafts(Payload):
    """Bulk issue ("Create") of selected drafts as one job (the envelope's job_id)."""

    EVENT_TYPE: ClassVar[str] = "billing.drafts.issue"

    draft_ids: list[uuid.UUID] = Field(min_length=1, max_length=10_000,
                                       description="Drafts to issue, in this order.",
                                       examples=[["5d2e8f4a-0c1b-4a7e-9f3d-2b6c8e1a4f70"]])
    requested_by: str = Field(min_length=1, max_length=200, description="Who asked.",
                              examples=["anna@network.example"])


class InvoiceIssued(Payload):
    EVENT_TYPE: ClassVar[str] = "billing.invoice.issued"

    document: InvoiceDocument = Field(description="The full snapshot as issued.")
    run_id: uuid.UUID | None = Field(default=None, description="Batch run that issued it, if any.",
                                     examples=[None])
    issued_by: str = Field(description="Who issued it.", examples=["anna@network.example"])


class InvoiceCancelled(Payload):
    """An invoice was cancelled by a cancellation document (type 381) issued with it."""

    EVENT_TYPE: ClassVar[str] = "billing.invoice.cancelled"

    cancelled_invoice_id: uuid.UUID = Field(description="The original invoice.",
                                            examples=["9a3c5e7f-1b2d-4c6e-8f0a-1b2c3d4e5f60"])
    cancelled_number: str = Field(description="The original's number.",
                                  examples=["INV-2026-00042"])
    document: InvoiceDocument = Field(description="The cancellation document as issued.")
    cancelled_by: str = Field(description="Who cancelled it.", examples=["anna@network.example"])
