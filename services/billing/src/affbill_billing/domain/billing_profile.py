"""A customer's billing profile as a typed value: what a run bills by. Pure, no I/O."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from affbill_billing.domain.customers import Side, side_of
from affbill_billing.domain.dates import DueDateBasis, InvoiceDateRule
from affbill_billing.domain.drafts import Presets
from affbill_billing.domain.grouping import LineGrouping
from affbill_billing.domain.invoicing import Terms
from affbill_billing.domain.payouts import (
    AffiliateTaxStatus,
    BankDetails,
    PayoutMethod,
    TaxStatusMissing,
    pays_now,
    tax_status,
    tax_status_missing,
)
from affbill_billing.domain.periods import BillingFrequency
from affbill_billing.domain.profiles import (
    BuyerKind,
    CurrencyMode,
    TaxTreatment,
    decided,
    tax_treatment,
    vat_id_missing,
)
from affbill_billing.domain.seller_entities import SellerEntity
from affbill_billing.domain.thresholds import bills_now

DEFAULT_SERIES = "default"  # the shipped series a new advertiser's profile numbers from


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
    debtor_number: str | None = None  # BT-46, "Customer no."
    language: str = "en"  # of the PDF: en or de
    tax_number: str | None = None  # an affiliate's, as the seller of its credit notes
    bank: BankDetails | None = None  # an affiliate's account its payouts go to


@dataclass(frozen=True)
class BillingProfile:
    """The billing presets of one customer (table billing_profiles) with its name."""

    customer_id: str
    name: str  # the customer's name in the adtracker (the job log uses it)
    billing_name: str
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
    debtor_number: str | None = None
    language: str = "en"
    buyer_kind: BuyerKind | None = None  # an EU buyer without VAT id: business or consumer
    seller_entity: str | None = None  # the entity that bills it (None: the configured seller)
    credit_note_series: str | None = None  # None: the invoice series with its suffix
    cancellation_series: str | None = None
    issuer: SellerEntity | None = None  # that entity's details, read with the profile
    currency_mode: CurrencyMode = CurrencyMode.SPLIT
    billing_frequency: BillingFrequency = BillingFrequency.MONTHLY  # the periods a run bills
    due_date_basis: DueDateBasis = DueDateBasis.ISSUE_DATE
    parked_reason: str | None = None  # runs leave the customer out while set
    threshold_max_periods: int | None = None  # below the threshold, billed anyway after N
    # below the threshold, billed anyway in the period holding the fiscal year's last day
    threshold_waived_at_fiscal_year_end: bool = False
    # the affiliate side (its items are payouts, paid by self-billed credit note)
    tax_status: AffiliateTaxStatus | None = None  # None: decided from country and VAT id
    tax_number: str | None = None
    payout_method: PayoutMethod | None = None
    bank: BankDetails | None = None

    @property
    def side(self) -> Side:
        return side_of(self.customer_id)

    def tax_treatment(self, seller_country: str) -> TaxTreatment | AffiliateTaxStatus | None:
        """The VAT treatment of this customer's documents from its seller — its entity, or
        the configured seller of ``seller_country`` (None: an EU buyer without VAT id whose
        kind the profile does not say). An affiliate's is its tax status (None: not set
        and not plain from country and VAT id)."""
        country = self.issuer.country if self.issuer else seller_country
        if self.side is Side.AFFILIATE:
            return tax_status(self.tax_status, country, self.country, self.vat_id)
        return tax_treatment(country, self.country, self.vat_id, self.buyer_kind)

    def undecided(self) -> str:
        """The job-log line of a run that leaves the items open: VAT treatment undecided."""
        if self.side is Side.AFFILIATE:
            return tax_status_missing(self.name)
        return vat_id_missing(self.name)

    def series_for(self, document_type: str) -> str:
        """The series a document of this type is numbered from (a run's credit notes from
        restatements from the credit note series where the profile names one)."""
        if document_type == "381" and self.credit_note_series:
            return self.credit_note_series
        return self.invoice_series

    @property
    def invoice_series(self) -> str:
        """The profile's series; one left at the shipped `default` takes its seller entity's
        default series where the entity names one."""
        if (self.number_series == DEFAULT_SERIES and self.issuer is not None
                and self.issuer.number_series):
            return self.issuer.number_series
        return self.number_series

    def converts_into(self) -> str | None:
        """The billing currency every item is converted into (convert mode; a run's drafts
        by default stay split), else None: one document per currency."""
        if self.currency_mode is CurrencyMode.CONVERT and not self.drafts_by_default:
            return self.billing_currency
        return None

    def bills_now(self, total: Decimal, currency: str) -> bool:
        """A run bills the total now: its size reaches the threshold; an affiliate's only
        when positive (a negative balance is carried and netted, never paid out)."""
        threshold = self.threshold_in(currency)
        if self.side is Side.AFFILIATE:
            return pays_now(total, threshold)
        return bills_now(total, threshold)

    def threshold_in(self, currency: str) -> Decimal | None:
        """The billing threshold where it is set in this currency (or in none)."""
        return (self.threshold_amount
                if self.threshold_currency in (None, currency) else None)

    def terms(self, domestic_vat_rate: Decimal, seller_country: str) -> Terms:
        """What a run bills by; VatIdMissing while the treatment is undecided."""
        if self.issuer is not None:  # the entity's country and rate
            seller_country, domestic_vat_rate = (self.issuer.country,
                                                 self.issuer.domestic_vat_rate)
        treatment: TaxTreatment | AffiliateTaxStatus | None
        if self.side is Side.AFFILIATE:
            treatment = tax_status(self.tax_status, seller_country, self.country, self.vat_id)
            if treatment is None:
                raise TaxStatusMissing(self.name)
        else:
            treatment = decided(seller_country, self.country, self.vat_id, self.buyer_kind,
                                self.name)
        return Terms(treatment, domestic_vat_rate, self.line_grouping,
                     self.invoice_date_rule, self.payment_days, self.due_date_basis,
                     self.language)

    def buyer(self) -> Buyer:
        return Buyer(self.billing_name, dict(self.address), self.country, self.vat_id,
                     self.email_recipients, self.buyer_reference, self.e_invoice_format,
                     self.debtor_number, self.language, self.tax_number, self.bank)

    def notes(self) -> list[str | None]:
        return [self.intro_text, self.closing_text]

    def presets(self, seller_country: str,
                period: tuple[dt.date, dt.date] | None = None) -> Presets:
        """The presets a new draft of this customer starts from; a run's draft states the
        service ``period`` its documents would (None: the draft's lines' days)."""
        return Presets(
            billing_name=self.billing_name, tax_treatment=self.tax_treatment(seller_country),
            buyer_kind=self.buyer_kind, seller_entity=self.seller_entity,
            currency=self.billing_currency or "", payment_days=self.payment_days,
            invoice_date_rule=self.invoice_date_rule, line_grouping=self.line_grouping,
            number_series=self.invoice_series, address=dict(self.address),
            country=self.country, vat_id=self.vat_id, intro_text=self.intro_text,
            closing_text=self.closing_text, buyer_reference=self.buyer_reference,
            e_invoice_format=self.e_invoice_format or "factur-x",
            buyer_email=self.email_recipients[0] if self.email_recipients else None,
            debtor_number=self.debtor_number, language=self.language,
            period_start=period[0] if period else None, period_end=period[1] if period else None,
            side=self.side.value, tax_number=self.tax_number, bank=self.bank)


def buyer_of(presets: Presets) -> Buyer:
    """A draft's buyer: its presets; its electronic address (BT-49) the profile's first
    e-mail recipient when the draft was made, or the one the clerk set on the draft."""
    return Buyer(presets.billing_name, dict(presets.address), presets.country, presets.vat_id,
                 (presets.buyer_email,) if presets.buyer_email else (),
                 presets.buyer_reference, presets.e_invoice_format, presets.debtor_number,
                 presets.language, presets.tax_number, presets.bank)
