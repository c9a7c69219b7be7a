"""HTTP routes of the billing service: billing profiles and the generator; the manual
generator's routes (customers, drafts, invoices) come from drafts_http."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, HTTPException, Query, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, field_validator, model_validator

from affbill_billing.adapters.generator_queries import GeneratorFilter, generator_rows, open_items
from affbill_billing.adapters.page_cache import PageCache
from affbill_billing.domain.customers import Side
from affbill_billing.domain.dates import DueDateBasis, InvoiceDateRule
from affbill_billing.domain.drafts import DraftError
from affbill_billing.domain.grouping import LineGrouping
from affbill_billing.domain.payouts import AffiliateTaxStatus, PayoutMethod
from affbill_billing.domain.periods import BillingFrequency
from affbill_billing.domain.profiles import BuyerKind, CurrencyMode, TaxTreatment
from affbill_billing.domain.thresholds import reaches_threshold
from affbill_billing.entrypoints import (
    drafts_http,
    number_series_http,
    periods_http,
    rates_http,
    seller_entities_http,
)
from affbill_billing.service_layer import profiles
from affbill_billing.service_layer.errors import NotFound, Refused
from affbill_contracts.bounds import MAX_PAGE, Name, Text
from affbill_contracts.common import PostalAddress
from affbill_contracts.invoices import EInvoiceFormat
from affbill_contracts.money import CurrencyCode
from affbill_runtime.audit_http import audit_router
from affbill_runtime.runtime import Runtime

PROFILE_FIELDS = ("billing_name", "address", "country", "vat_id", "buyer_kind",
                  "tax_treatment", "billing_currency", "threshold_amount", "threshold_currency",
                  "payment_days", "invoice_date_rule", "drafts_by_default", "line_grouping",
                  "number_series", "credit_note_series", "cancellation_series", "seller_entity",
                  "email_recipients", "intro_text", "closing_text", "e_invoice_format",
                  "buyer_reference", "debtor_number", "language", "currency_mode",
                  "billing_frequency", "due_date_basis", "parked_reason",
                  "threshold_max_periods", "tax_status", "tax_number", "payout_method",
                  "bank_account")


Email = Annotated[Name, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]


class BankAccount(BaseModel):
    """An affiliate's account its payouts go to; IBAN and BIC are checked when saved."""

    model_config = {"extra": "forbid"}

    account_holder: Name = Field(min_length=1, max_length=140, examples=["Klick Medien GmbH"])
    iban: Name = Field(min_length=5, max_length=42, examples=["DE89370400440532013000"])
    bic: Name | None = Field(None, min_length=8, max_length=11, examples=["COBADEFFXXX"])
    bank_name: Name | None = Field(None, max_length=140, examples=["Commerzbank"])


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

    tax_status: AffiliateTaxStatus | None = Field(None, description=(
        "An affiliate's VAT status, which decides its self-billed credit notes' VAT: "
        "domestic_vat (S), eu_reverse_charge (AE), non_eu (O), small_business (E, § 19 "
        "UStG), not_a_business (O). Null: decided from country and VAT id where plain."))
    tax_number: Name | None = Field(None, min_length=1, max_length=40, pattern=r"\S",
                                    description="An affiliate's tax number (BT-32), which "
                                    "identifies a small business without VAT id.")
    payout_method: PayoutMethod | None = Field(None, description="How an affiliate is paid: "
                                               "sepa, wire, paypal, other.")
    bank_account: BankAccount | None = Field(None, description="An affiliate's bank account "
                                             "(IBAN and BIC checked).")

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


def amount_text(value: Decimal) -> str:
    """An amount without storage padding, but with at least two decimals (12.50, 0.00125)."""
    whole, _, frac = format(value, "f").partition(".")
    return f"{whole}.{frac.rstrip('0').ljust(2, '0')}"


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return amount_text(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return str(value)
    return value


def printable(value: Any) -> Any:
    """Amounts as strings ("12.50"), dates ISO, ids as text, all the way down."""
    if isinstance(value, dict):
        return {k: printable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [printable(v) for v in value]
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, StrEnum):
        return value.value
    return _json(value)


def build_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(tags=["billing"])
    router.include_router(drafts_http.build_router(runtime, printable))
    router.include_router(seller_entities_http.build_router(runtime))
    router.include_router(number_series_http.build_router(runtime))
    router.include_router(rates_http.build_router(runtime, printable))
    router.include_router(periods_http.build_router(runtime, printable))
    router.include_router(audit_router(runtime.engine))
    pages = PageCache(runtime.engine, runtime.settings.generator_page_reuse_s)

    async def read_profile(customer_id: str) -> dict[str, Any]:
        try:
            row = await profiles.read_profile(runtime.engine, customer_id)
        except NotFound as exc:
            raise HTTPException(404, str(exc)) from None
        return {k: _json(v) for k, v in row.items()}

    @router.get("/customers/{customer_id}/profile")
    async def get_profile(customer_id: str) -> dict[str, Any]:
        return await read_profile(customer_id)

    @router.patch("/customers/{customer_id}/profile")
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

    @router.get("/generator")
    async def generator(
            customer: str | None = None, account_manager: str | None = None,
            period_from: dt.date | None = None, period_to: dt.date | None = None,
            currency: str | None = None, page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
            page_size: Annotated[int, Query(ge=1, le=500)] = 50,
            kind: Side = Side.ADVERTISER) -> Response:
        """The generator of one side, like the product's tabs: the advertisers' (invoices)
        unless ``kind=affiliate`` asks for the affiliates' (their payout items)."""
        key = (customer, account_manager, period_from, period_to, currency, page, page_size,
               kind)
        return Response(await pages.page(key, lambda: generator_page(
            GeneratorFilter(customer, account_manager, period_from, period_to, currency,
                            kind.value),
            page, page_size)), media_type="application/json")

    async def generator_page(f: GeneratorFilter, page: int, page_size: int) -> bytes:
        customers, rows = await generator_rows(runtime.engine, f, page_size,
                                               (page - 1) * page_size)
        lines: dict[str, dict[str, Any]] = {}
        for r in rows:
            line = lines.setdefault(r["customer_id"], {
                "customer_id": r["customer_id"], "name": r["name"],
                "account_manager_id": r["account_manager_id"], "totals": [],
                "threshold": None if r["threshold_amount"] is None else {
                    "amount": amount_text(r["threshold_amount"]),
                    "currency": r["threshold_currency"]}})
            same = r["threshold_currency"] in (None, r["currency"])
            line["totals"].append({
                "currency": r["currency"], "open_total": amount_text(r["total"]),
                "items": r["items"],
                "first_day": str(r["first_day"]), "last_day": str(r["last_day"]),
                "pending_conversions": r["pending_count"],
                "pending_value": amount_text(Decimal(r["pending_value"])),
                "in_drafts": {"items": r["draft_items"], "total": amount_text(r["draft_total"])},
                "reaches_threshold": reaches_threshold(r["total"], r["threshold_amount"])
                if same else None})
        return orjson.dumps({"page": page, "page_size": page_size,
                             "customers": customers, "lines": list(lines.values())})

    @router.get("/generator/{customer_id}/items")
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
                "items": [{k: _json(str(v)
                                    if k in ("item_id", "adjusts_invoice_id", "draft_id") and v
                                    else v) for k, v in r.items() if k != "total_items"}
                          for r in rows]}

    return router
