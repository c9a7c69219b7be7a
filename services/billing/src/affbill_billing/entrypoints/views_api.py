"""Response bodies of billing's routes as the clerk's tools read them (the OpenAPI document
types every answer with these; the gateway's document takes them from there). Amounts are
strings rounded to the currency's minor unit, except a stat's exact figure
(`revenue_exact`); times are RFC 3339 with Z (affbill_contracts.wire)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from affbill_contracts.wire import AmountText, Day, Id, JobStarted, Page, View


class CustomerRow(View):
    customer_id: str = Field(examples=["hasoffers-sim:advertiser:501"])
    name: str | None
    kind: str = Field(examples=["advertiser"])
    status: str | None
    account_manager_id: str | None
    default_currency: str | None
    billing_name: str | None
    billing_currency: str | None
    drafts_by_default: bool | None


class CustomerPage(Page):
    items: list[CustomerRow]


class OpenSummary(View):
    currency: str
    open_items: int
    open_total: AmountText
    items_in_drafts: int


class CustomerDetail(View):
    """The customer as synced, its billing profile, open items per currency, drafts."""

    customer_id: str
    name: str | None
    kind: str
    profile: dict[str, Any] | None
    drafts: int = Field(description="Drafts of this customer not issued yet.")
    open: list[OpenSummary]


class Profile(View):
    """A customer's billing profile (PATCH takes the same field names)."""

    customer_id: str
    billing_name: str | None
    billing_currency: str | None
    threshold_amount: AmountText | None
    threshold_currency: str | None
    payment_days: int | None
    drafts_by_default: bool | None
    version: int | None = None


class ThresholdLedger(View):
    customer_id: str
    items: list[dict[str, Any]]


class Threshold(View):
    amount: AmountText
    currency: str


class InDrafts(View):
    items: int
    total: AmountText


class GeneratorTotal(View):
    currency: str
    open_total: AmountText = Field(description="Rounded to the currency's minor unit.")
    items: int
    first_day: Day
    last_day: Day
    pending_conversions: int
    pending_value: AmountText
    in_drafts: InDrafts
    reaches_threshold: bool | None = Field(description="null: threshold in another currency.")


class GeneratorLine(View):
    customer_id: str
    name: str | None
    account_manager_id: str | None
    threshold: Threshold | None
    totals: list[GeneratorTotal]


class GeneratorPage(View):
    page: int
    page_size: int
    customers: int = Field(description="Customers in the generator after the filters.")
    lines: list[GeneratorLine]


class OpenItem(View):
    item_id: Id
    offer_id: str | None
    offer_name: str | None
    day: Day
    currency: str
    units: int | None
    revenue: AmountText = Field(description="Rounded to the currency's minor unit.")
    revenue_exact: AmountText = Field(description="As the stats gave it (up to 10 decimals).",
                                      examples=["13744.00591"])
    adjusts_invoice_id: Id | None
    draft_id: Id | None


class ItemPage(View):
    page: int
    page_size: int
    total: int
    items: list[OpenItem]


class Period(View):
    start: Day
    end: Day
    ready: bool
    status: str
    locked: dict[str, Any] | None
    connectors: list[dict[str, Any]]


class Periods(View):
    time_zone: str
    settle_hours: float
    items: list[Period]


class Rate(View):
    currency: str
    rate: AmountText
    rate_date: Day


class RatesOfDay(View):
    date: Day
    rates: list[Rate]


class PeriodLocked(View):
    period_start: Day
    period_end: Day


class SellerEntity(View):
    entity: str
    legal_name: str
    country: str
    vat_id: str | None
    tax_number: str | None


class NumberSeries(View):
    series: str
    prefix: str
    padding: int
    last_counter: int | None
    issued: bool
    example: str = Field(examples=["RE-2026-00001"])


__all__ = ["JobStarted"]


class MarginLine(View):
    """One offer's (or advertiser's) margin in one currency."""

    key: str = Field(description="The offer id, or the advertiser's customer id.")
    name: str | None
    currency: str
    revenue_billed: AmountText = Field(description="Advertisers' items on issued invoices.")
    revenue_open: AmountText = Field(description="Advertisers' items not billed yet.")
    payout_owed: AmountText = Field(description="Affiliates' items, paid or not.")
    payout_paid: AmountText = Field(description="Affiliates' items on credit notes.")
    margin: AmountText = Field(description="revenue_billed - payout_owed")


class Margins(View):
    period_from: Day
    period_to: Day
    by: str = Field(examples=["offer"])
    lines: list[MarginLine]


class Schedule(View):
    """A scheduled run: what it bills, when, and its next run (None while paused)."""

    schedule_id: str
    paused: bool
    next_run: dict[str, Any] | None


class ScheduleDetail(Schedule):
    runs: list[dict[str, Any]] = Field(description="Its latest scheduled runs.")


class Schedules(View):
    time_zone: str = Field(examples=["Europe/Berlin"])
    leader: dict[str, Any] | None = Field(description="The billing process that starts them.")
    items: list[Schedule]
    runs: list[dict[str, Any]]


class IssuedLine(View):
    line_no: int
    description: str
    items: int = Field(description="How many billable items the line billed.")


class IssuedLines(View):
    """An issued document's lines (drill down: GET …/items?line_no=)."""

    invoice_id: Id
    number: str | None
    status: str
    currency: str
    customer_id: str
    items: list[IssuedLine]
    total: int


class IssuedItems(View):
    """The billable items an issued document (or one line of it) billed."""

    invoice_id: Id
    number: str | None
    line_no: int | None
    items: list[dict[str, Any]]
    total: int
    missing: int | None = Field(description="Ids the snapshot names that billing no longer "
                                            "stores (merged after a cancellation).")
    limit: int
    offset: int


class ItemStatRows(View):
    """The stat rows (per affiliate, as last synced) a billable item adds up."""

    item: dict[str, Any]
    items: list[dict[str, Any]]
    total: int


class PayoutFileView(View):
    """A payout file: SEPA credit transfers (pain.001.001.09) or a CSV for the provider."""

    file_id: Id
    entity: str = Field(description="The seller entity whose account pays.")
    format: str = Field(examples=["sepa"], description="sepa (pain.001.001.09 XML) or csv.")
    currency: str = Field(examples=["EUR"])
    filename: str = Field(examples=["payouts-default-EUR-20261202-1a2b3c4d.xml"])
    sha256: str
    credit_notes: list[str] = Field(description="Numbers of the credit notes it pays out.")
    total: AmountText
    content: str = Field(description="The file itself (XML or CSV text).")


class PayoutExportView(View):
    """An export's files; its credit notes are marked "payout exported" with the file id."""

    job_id: Id
    files: list[PayoutFileView]
    skipped: list[dict[str, str]] = Field(
        description="Credit notes not paid out, with the reason (number, reason).")
