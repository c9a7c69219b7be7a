"""HTTP routes of the billing service: billing profiles and the generator; the manual
generator's routes (customers, drafts, invoices) come from drafts_http."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, HTTPException, Query, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, field_validator, model_validator

from affbill_billing.adapters.generator_queries import GeneratorFilter, generator_rows, open_items
from affbill_billing.adapters.page_cache import PageCache
from affbill_billing.domain.dates import DueDateBasis, InvoiceDateRule
from affbill_billing.domain.drafts import DraftError
from affbill_billing.domain.grouping import LineGrouping
from affbill_billing.domain.periods import BillingFrequency
from affbill_billing.domain.profiles import BuyerKind, CurrencyMode, TaxTreatment
from affbill_billing.domain.thresholds import reaches_threshold
from affbill_billing.entrypoints import (
    drafts_http,
    drilldown_http,
    number_series_http,
    periods_http,
    rates_http,
    schedules_http,
    seller_entities_http,
)
from affbill_billing.entrypoints import views_api as v
from affbill_billing.service_layer import profiles
from affbill_billing.service_layer.errors import NotFound, Refused
from affbill_contracts.bounds import MAX_PAGE, Name, Text
from affbill_contracts.common import PostalAddress
from affbill_contracts.invoices import EInvoiceFormat
from affbill_contracts.money import CurrencyCode
from affbill_contracts.wire import amount_text, answers, jsonable, rounded
from affbill_runtime.audit_http import audit_router
from affbill_runtime.runtime import Runtime

PROFILE_FIELDS = ("billing_name", "address", "country", "vat_id", "buyer_kind",
                  "tax_treatment", "billing_currency", "threshold_amount", "threshold_currency",
                  "payment_days", "invoice_date_rule", "drafts_by_default", "line_grouping",
                  "number_series", "credit_note_series", "cancellation_series", "seller_entity",
                  "email_recipients", "intro_text", "closing_text", "e_invoice_format",
                  "buyer_reference", "debtor_number", "language", "currency_mode",
                  "billing_frequency", "due_date_basis", "parked_reason",
                  "threshold_max_periods", "threshold_waived_at_fiscal_year_end")


Email = Annotated[Name, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]


class ProfileUpdate(BaseModel):
    """Fields to change; those left out stay as they are."""

    model_config = {"extra": "forbid"}

    version: int | None = Field(None, ge=1, le=2**31 - 1,
                                description="The version you edited; 409 if it moved on.")
    billing_name: Name | None = Field(None, min_length=1, max_length=200)
    address: PostalAddress | None = None
    country: str | None = Field(None, pattern="^[A-Z]{2}$")
    vat_id: Name | None = Field(None, max_length=30, description=(
        "The buyer's VAT id (BT-48), checked for its country's format and check digits."))
    buyer_kind: BuyerKind | None = Field(None, description=(
        "What an EU buyer without VAT id is: 'business' or 'consumer' (billed with the "
        "seller's VAT). Until it is said, such a customer is not billed."))
    tax_treatment: TaxTreatment | None = Field(None, description=(
        "Read only: decided from the seller, country, vat_id and buyer_kind."))
    billing_currency: CurrencyCode | None = None
    threshold_amount: Decimal | None = Field(None, ge=0, max_digits=18, decimal_places=2)
    threshold_currency: CurrencyCode | None = None
    payment_days: int | None = Field(None, ge=0, le=365)
    invoice_date_rule: InvoiceDateRule | None = None
    due_date_basis: DueDateBasis | None = Field(None, description="Count payment_days from "
                                                "the invoice date or from the generation day.")
    billing_frequency: BillingFrequency | None = Field(None, description="The periods a run "
                                                       "bills: weekly, biweekly, monthly, "
                                                       "quarterly.")
    threshold_max_periods: int | None = Field(None, ge=1, le=120, description="Below the "
                                              "threshold, bill anyway once the oldest item "
                                              "is this many periods old.")
    threshold_waived_at_fiscal_year_end: bool | None = Field(
        None, description="Below the threshold, bill everything held back anyway with the "
        "period that holds the fiscal year's last day (AFFBILL_BILLING_FISCAL_YEAR_START_MONTH).")
    parked_reason: Text | None = Field(None, min_length=1, max_length=500, pattern=r"\S",
                                       description="Park the customer: runs leave it out, "
                                       "with this reason, until it is set to null.")
    drafts_by_default: bool | None = None
    line_grouping: LineGrouping | None = None
    number_series: Name | None = Field(None, min_length=1, max_length=50)
    credit_note_series: Name | None = Field(None, min_length=1, max_length=50, description=(
        "Series of credit notes (null: the invoice series with its correction suffix)."))
    cancellation_series: Name | None = Field(None, min_length=1, max_length=50, description=(
        "Series of cancellations (null: the invoice series with its correction suffix)."))
    seller_entity: Name | None = Field(None, min_length=1, max_length=50, description=(
        "The seller entity that bills this customer (null: the configured seller)."))
    email_recipients: list[Email] | None = Field(None, max_length=20)
    intro_text: Text | None = Field(None, max_length=2000, description="Printed above the lines.")
    closing_text: Text | None = Field(None, max_length=2000, description="Printed below them.")
    e_invoice_format: EInvoiceFormat | None = Field(
        None, description="factur-x (PDF/A-3 with EN 16931 XML) or xrechnung (in addition an "
                          "XRechnung XML; needs buyer_reference).")
    buyer_reference: Name | None = Field(
        None, min_length=1, max_length=100, pattern=r"\S",
        description="The buyer's reference (BT-10), for XRechnung the Leitweg-ID.")
    debtor_number: Name | None = Field(
        None, min_length=1, max_length=40, pattern=r"\S",
        description="The customer's debtor number (BT-46), printed as Customer no.")
    language: Literal["en", "de"] | None = Field(
        None, description="Language of the PDF, with its number and date formats.")
    currency_mode: CurrencyMode | None = Field(
        None, description="split: one document per currency of the items; convert: one "
                          "document in billing_currency, every line converted at the rate.")

    @field_validator("tax_treatment", mode="before")
    @classmethod
    def _treatment_is_decided(cls, value: Any) -> Any:
        raise ValueError("is decided from country, vat_id and buyer_kind: change those")

    @model_validator(mode="after")
    def _threshold_has_a_currency(self) -> ProfileUpdate:
        if self.threshold_amount is not None and self.threshold_currency is None:
            raise ValueError("threshold_currency is required with threshold_amount")
        if "language" in self.model_fields_set and self.language is None:
            raise ValueError("language cannot be empty: en or de")
        return self


printable = jsonable
"""Amounts as strings ("12.50"), times RFC 3339 with Z, days ISO, ids as text, all the way
down (affbill_contracts.wire)."""


def build_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(tags=["billing"])
    router.include_router(drafts_http.build_router(runtime, printable))
    router.include_router(drilldown_http.build_router(runtime, printable))
    router.include_router(seller_entities_http.build_router(runtime))
    router.include_router(number_series_http.build_router(runtime))
    router.include_router(rates_http.build_router(runtime, printable))
    router.include_router(periods_http.build_router(runtime, printable))
    router.include_router(schedules_http.build_router(runtime, printable))
    router.include_router(audit_router(runtime.engine))
    pages = PageCache(runtime.engine, runtime.settings.generator_page_reuse_s)

    async def read_profile(customer_id: str) -> dict[str, Any]:
        try:
            row = await profiles.read_profile(runtime.engine, customer_id)
        except NotFound as exc:
            raise HTTPException(404, str(exc)) from None
        return jsonable(row)

    @router.get("/customers/{customer_id}/profile", **answers(v.Profile))
    async def get_profile(customer_id: str) -> dict[str, Any]:
        return await read_profile(customer_id)

    @router.patch("/customers/{customer_id}/profile", **answers(v.Profile))
    async def update_profile(customer_id: str, body: ProfileUpdate) -> dict[str, Any]:
        changes = body.model_dump(exclude_unset=True, exclude={"version"}, mode="json")
        try:
            await profiles.change_profile(runtime.engine, customer_id, changes, body.version,
                                          runtime.settings.seller_country)
        except NotFound as exc:
            raise HTTPException(404, str(exc)) from None
        except Refused as exc:
            raise HTTPException(409, str(exc)) from None
        except DraftError as exc:
            raise RequestValidationError([{"loc": ("body", exc.field), "type": "value_error",
                                           "msg": exc.reason}]) from None
        return await read_profile(customer_id)

    @router.get("/generator", **answers(v.GeneratorPage))
    async def generator(
            customer: str | None = None, account_manager: str | None = None,
            period_from: dt.date | None = None, period_to: dt.date | None = None,
            currency: str | None = None, page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
            page_size: Annotated[int, Query(ge=1, le=500)] = 50) -> Response:
        key = (customer, account_manager, period_from, period_to, currency, page, page_size)
        return Response(await pages.page(key, lambda: generator_page(
            GeneratorFilter(customer, account_manager, period_from, period_to, currency),
            page, page_size)), media_type="application/json")

    async def generator_page(f: GeneratorFilter, page: int, page_size: int) -> bytes:
        customers, rows = await generator_rows(runtime.engine, f, page_size,
                                               (page - 1) * page_size)
        lines: dict[str, dict[str, Any]] = {}
        for r in rows:
            line = lines.setdefault(r["customer_id"], generator_line(r))
            line["totals"].append(generator_total(r))
        return orjson.dumps({"page": page, "page_size": page_size,
                             "customers": customers, "lines": list(lines.values())})

    @router.get("/generator/{customer_id}/items", **answers(v.ItemPage))
    async def customer_items(
            customer_id: str, period_from: dt.date | None = None, period_to: dt.date | None = None,
            offer_id: str | None = None, currency: str | None = None,
            page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
            page_size: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
        f = GeneratorFilter(None, None, period_from, period_to, currency)
        rows = await open_items(runtime.engine, customer_id, f, offer_id, page_size,
                                (page - 1) * page_size)
        return {"page": page, "page_size": page_size,
                "total": rows[0]["total_items"] if rows else 0,
                "items": [open_item(r) for r in rows]}

    return router


def generator_line(r: dict[str, Any]) -> dict[str, Any]:
    """A generator line's head: the customer and its threshold, rounded for people."""
    return {"customer_id": r["customer_id"], "name": r["name"],
            "account_manager_id": r["account_manager_id"], "totals": [],
            "threshold": None if r["threshold_amount"] is None else {
                "amount": rounded(r["threshold_amount"], r["threshold_currency"] or r["currency"]),
                "currency": r["threshold_currency"]}}


def generator_total(r: dict[str, Any]) -> dict[str, Any]:
    """One currency of a generator line; amounts rounded to the currency's minor unit (the
    exact stat figures are on the items)."""
    cur = r["currency"]
    same = r["threshold_currency"] in (None, cur)
    return {"currency": cur, "open_total": rounded(r["total"], cur), "items": r["items"],
            "first_day": str(r["first_day"]), "last_day": str(r["last_day"]),
            "pending_conversions": r["pending_count"],
            "pending_value": rounded(Decimal(r["pending_value"]), cur),
            "in_drafts": {"items": r["draft_items"], "total": rounded(r["draft_total"], cur)},
            "reaches_threshold": reaches_threshold(r["total"], r["threshold_amount"])
            if same else None}


def open_item(r: dict[str, Any]) -> dict[str, Any]:
    """An open billable item: revenue rounded for people, revenue_exact as the stats gave it."""
    return {**jsonable({k: v for k, v in r.items() if k != "total_items"}),
            "revenue": rounded(r["revenue"], r["currency"]),
            "revenue_exact": amount_text(r["revenue"])}
