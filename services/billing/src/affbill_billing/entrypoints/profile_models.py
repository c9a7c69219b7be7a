"""The billing profile as the clerk edits it over HTTP: the request model of
`PATCH /customers/{id}/profile`, an affiliate's payout fields included."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from affbill_billing.domain.dates import DueDateBasis, InvoiceDateRule
from affbill_billing.domain.grouping import LineGrouping
from affbill_billing.domain.payouts import AffiliateTaxStatus, PayoutMethod
from affbill_billing.domain.periods import BillingFrequency
from affbill_billing.domain.profiles import BuyerKind, CurrencyMode, TaxTreatment
from affbill_contracts.bounds import Name, Text
from affbill_contracts.common import PostalAddress
from affbill_contracts.invoices import EInvoiceFormat
from affbill_contracts.money import CurrencyCode

PROFILE_FIELDS = ("billing_name", "address", "country", "vat_id", "buyer_kind",
                  "tax_treatment", "billing_currency", "threshold_amount", "threshold_currency",
                  "payment_days", "invoice_date_rule", "drafts_by_default", "line_grouping",
                  "number_series", "credit_note_series", "cancellation_series", "seller_entity",
                  "email_recipients", "intro_text", "closing_text", "e_invoice_format",
                  "buyer_reference", "debtor_number", "language", "currency_mode",
                  "billing_frequency", "due_date_basis", "parked_reason",
                  "threshold_max_periods", "threshold_waived_at_fiscal_year_end", "tax_status",
                  "tax_number", "payout_method",
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
