"""Building an invoice from a customer's open items: pure, no I/O.

One document per currency. Lines as the profile groups them; VAT by the
profile's tax treatment; dates by its invoice-date rule and payment terms.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from affbill_billing.domain.customers import Side
from affbill_billing.domain.dates import DueDateBasis, InvoiceDateRule, due_date, invoice_date
from affbill_billing.domain.grouping import Item, LineGrouping, build_lines
from affbill_billing.domain.invoice_lines import AllowanceCharge, Line, Totals, Vat, totals
from affbill_billing.domain.payouts import AffiliateTaxStatus, payout_vat
from affbill_billing.domain.periods import BillingPeriod
from affbill_billing.domain.profiles import TaxTreatment
from affbill_contracts.invoices import DocumentType

REVERSE_CHARGE = ("Reverse charge: VAT to be accounted for by the recipient"
                  " (Art. 196 VAT Directive).")
EXPORT = "Export of goods outside the EU (VAT exempt, Art. 146 VAT Directive)."
PLACE_OF_SUPPLY = ("Not subject to VAT in the seller's country: the place of supply of the "
                   "service is the customer's country (Art. 44 and 59 VAT Directive).")


def vat_for(treatment: TaxTreatment | AffiliateTaxStatus | None, domestic_rate: Decimal
            ) -> Vat:
    """The VAT of a line under the treatment (None, undecided: the seller's rate, and such
    a document is refused before numbering); an affiliate's credit note's by its status."""
    if isinstance(treatment, AffiliateTaxStatus):
        return payout_vat(treatment, domestic_rate)
    if treatment is TaxTreatment.EU_REVERSE_CHARGE:
        return Vat("AE", Decimal(0), REVERSE_CHARGE)
    if treatment is TaxTreatment.OUTSIDE_SCOPE:
        return Vat("O", Decimal(0), PLACE_OF_SUPPLY)
    if treatment is TaxTreatment.EXPORT:
        return Vat("G", Decimal(0), EXPORT)
    return Vat("S", domestic_rate)


@dataclass(frozen=True)
class Terms:
    tax_treatment: TaxTreatment | AffiliateTaxStatus
    domestic_vat_rate: Decimal
    grouping: LineGrouping
    date_rule: InvoiceDateRule
    payment_days: int
    due_basis: DueDateBasis = DueDateBasis.ISSUE_DATE
    language: str = "en"  # of the line texts: the profile's document language


@dataclass(frozen=True)
class InvoicePlan:
    currency: str
    lines: list[Line]
    totals: Totals
    issue_date: dt.date
    due_date: dt.date
    period_start: dt.date | None
    period_end: dt.date | None
    adjustments: tuple[AllowanceCharge, ...] = ()  # document allowances and charges
    supply_date: dt.date | None = None  # BT-72; else the service period dates the supply


def basis(t: Totals) -> Decimal:
    """The document's net after document allowances and charges (BT-109)."""
    return t.net - t.allowances + t.charges


def document_type(net_total: Decimal, side: Side = Side.ADVERTISER) -> DocumentType:
    """EN 16931 type: 380 invoice, 381 credit note when the lines sum below zero
    (restatements after invoicing). Amounts keep their sign on either. An affiliate's is a
    self-billed credit note (389): a run pays only positive totals (payouts.pays_now)."""
    if side is Side.AFFILIATE:
        return DocumentType.SELF_BILLED
    return DocumentType.CREDIT_NOTE if net_total < 0 else DocumentType.INVOICE


def service_period(items: list[Item], period: BillingPeriod | None
                   ) -> tuple[dt.date, dt.date]:
    """The service period a document states: the billed period (from an earlier day when
    items carried from earlier periods are on it); without one, the items' days."""
    first, last = min(i.day for i in items), max(i.day for i in items)
    return (first, last) if period is None else (min(first, period.start), period.end)


def plan_invoice(items: list[Item], currency: str, terms: Terms, today: dt.date,
                 period: BillingPeriod | None = None) -> InvoicePlan:
    """The document the items make on ``today`` (the generation day) for the period."""
    lines = build_lines(items, terms.grouping, vat_for(terms.tax_treatment,
                                                       terms.domestic_vat_rate), currency,
                        terms.language)
    start, end = service_period(items, period)
    issued = invoice_date(terms.date_rule, today, end)
    return InvoicePlan(currency, lines, totals(lines, currency), issued,
                       due_date(issued, terms.payment_days, generated=today,
                                basis=terms.due_basis), start, end)
