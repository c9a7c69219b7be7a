"""Response bodies of the manual generator's draft and invoice routes (typed in billing's
OpenAPI document, which the gateway's takes them from). Amounts are strings rounded to the
currency's minor unit (a unit price keeps its up to 6 decimals); times RFC 3339 with Z."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from affbill_contracts.wire import AmountText, Day, Id, Page, Timestamp, View


class Allowance(View):
    amount: AmountText
    reason: str | None
    reason_code: str | None


class DraftLine(View):
    line_id: Id
    description: str
    quantity: AmountText
    unit_code: str
    unit_price: AmountText
    vat_category: str
    vat_rate: AmountText
    net_amount: AmountText
    period_start: Day | None
    period_end: Day | None
    item_ids: list[Id]
    allowance: Allowance | None


class TaxGroup(View):
    vat_category: str
    vat_rate: AmountText
    taxable_amount: AmountText
    tax_amount: AmountText


class Totals(View):
    net: AmountText
    tax: AmountText
    gross: AmountText


class Approvals(View):
    required: int
    count: int
    by: list[str]
    complete: bool


class DraftSummary(View):
    draft_id: Id
    customer_id: str
    customer_name: str | None
    currency: str
    version: int
    created_by: str | None
    created_at: Timestamp
    lines: int
    items: int
    totals: Totals
    age_days: int
    approvals: Approvals


class DraftPage(Page):
    items: list[DraftSummary]


class Draft(View):
    """A draft: its presets (this invoice's copy of the profile), lines and totals."""

    draft_id: Id
    customer_id: str
    customer_name: str | None
    status: str = Field(examples=["draft"])
    version: int = Field(description="Send it back with every change; 409 if it moved on.")
    created_by: str | None
    created_at: Timestamp
    updated_at: Timestamp | None
    presets: dict[str, Any]
    currency: str
    document_type: str
    lines: list[DraftLine]
    tax_breakdown: list[TaxGroup]
    allowances_charges: list[dict[str, Any]]
    totals: Totals
    items: int = Field(description="Billable items reserved by the draft.")
    approvals: Approvals


class Invoice(View):
    """An issued document as billing keeps it (number, totals, the stated document)."""

    invoice_id: Id
    number: str | None
    status: str
    kind: str = Field(examples=["invoice", "credit_note", "cancellation"])
    customer_id: str
    currency: str
    issue_date: Day | None
    due_date: Day | None
    issued_at: Timestamp | None
    totals: Totals
    cancellation: dict[str, Any] | None
    document: dict[str, Any] | None
    job_id: Id | None = None
