"""A customer's billing profile as a typed value: what a run bills by. Pure, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from affbill_billing.domain.dates import DueDateBasis, InvoiceDateRule
from affbill_billing.domain.drafts import Presets
from affbill_billing.domain.grouping import LineGrouping
from affbill_billing.domain.invoicing import Terms
from affbill_billing.domain.periods import BillingFrequency
from affbill_billing.domain.profiles import TaxTreatment


@dataclass(frozen=True)
class Buyer:
    """The customer as a document names it (BT-44 …, BT-49 the first e-mail recipient)."""

    billing_name: str
    address: dict[str, Any] = field(default_factory=dict)
    country: str | None = None
    vat_id: str | None = None
    email_recipients: tuple[str, ...] = ()
    buyer_reference: str | None = None
    e_invoice_format: str | None = None


@dataclass(frozen=True)
class BillingProfile:
    """The billing presets of one customer (table billing_profiles) with its name."""

    customer_id: str
    name: str  # the customer's name in the adtracker (the job log uses it)
    billing_name: str
    tax_treatment: TaxTreatment
    billing_currency: str | None
    threshold_amount: Decimal | None
    threshold_currency: str | None
    payment_days: int
    invoice_date_rule: InvoiceDateRule
    drafts_by_default: bool
    line_grouping: LineGrouping
    number_series: str
    address: dict[str, Any] = field(default_factory=dict)
    country: str | None = None
    vat_id: str | None = None
    email_recipients: tuple[str, ...] = ()
    intro_text: str | None = None
    closing_text: str | None = None
    e_invoice_format: str = "factur-x"
    buyer_reference: str | None = None
    billing_frequency: BillingFrequency = BillingFrequency.MONTHLY  # the periods a run bills
    due_date_basis: DueDateBasis = DueDateBasis.ISSUE_DATE
    parked_reason: str | None = None  # runs leave the customer out while set
    threshold_max_periods: int | None = None  # below the threshold, billed anyway after N

    def threshold_in(self, currency: str) -> Decimal | None:
        """The billing threshold where it is set in this currency (or in none)."""
        return (self.threshold_amount
                if self.threshold_currency in (None, currency) else None)

    def terms(self, domestic_vat_rate: Decimal) -> Terms:
        return Terms(self.tax_treatment, domestic_vat_rate, self.line_grouping,
                     self.invoice_date_rule, self.payment_days, self.due_date_basis)

    def buyer(self) -> Buyer:
        return Buyer(self.billing_name, dict(self.address), self.country, self.vat_id,
                     self.email_recipients, self.buyer_reference, self.e_invoice_format)

    def notes(self) -> list[str | None]:
        return [self.intro_text, self.closing_text]

    def presets(self) -> Presets:
        """The presets a new draft of this customer starts from."""
        return Presets(
            billing_name=self.billing_name, tax_treatment=self.tax_treatment,
            currency=self.billing_currency or "", payment_days=self.payment_days,
            invoice_date_rule=self.invoice_date_rule, line_grouping=self.line_grouping,
            number_series=self.number_series, address=dict(self.address),
            country=self.country, vat_id=self.vat_id, intro_text=self.intro_text,
            closing_text=self.closing_text, buyer_reference=self.buyer_reference,
            e_invoice_format=self.e_invoice_format or "factur-x")


def buyer_of(presets: Presets) -> Buyer:
    """A draft's buyer: its presets (no e-mail recipients are copied into a draft)."""
    return Buyer(presets.billing_name, dict(presets.address), presets.country, presets.vat_id,
                 (), presets.buyer_reference, presets.e_invoice_format)
