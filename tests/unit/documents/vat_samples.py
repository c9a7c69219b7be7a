"""One document per VAT case, as billing builds it from seller and buyer (golden documents
and the documents matrix take their VAT cases from here).

Each builder runs billing's own rule (``profiles.tax_treatment``), plan (``plan_invoice``)
and snapshot, so a sample states exactly what a run would issue for such a buyer:
``domestic`` (S at the seller's rate), ``reverse_charge`` (AE, the buyer's VAT id, the
reverse-charge statement), ``outside_scope`` (O, the place-of-supply note, no VAT ids) and
``eu_consumer`` (an EU buyer without VAT id declared a consumer: S at the seller's rate).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from affbill_billing.config import Settings
from affbill_billing.domain.billing_profile import Buyer
from affbill_billing.domain.dates import InvoiceDateRule
from affbill_billing.domain.grouping import Item, LineGrouping
from affbill_billing.domain.invoice_lines import Allowance, AllowanceCharge, Line, totals
from affbill_billing.domain.invoicing import (
    InvoicePlan,
    Terms,
    document_type,
    plan_invoice,
    vat_for,
)
from affbill_billing.domain.profiles import BuyerKind, TaxTreatment, tax_treatment
from affbill_billing.service_layer.documents import snapshot
from affbill_contracts.invoices import InvoiceDocument
from tests.unit.documents.samples import booked_cancellation, partial_credit_note

TODAY = dt.date(2026, 11, 2)
SELLER_COUNTRY = "DE"
ADDRESSES = {
    "DE": {"lines": ["Hauptstraße 5"], "postal_code": "10115", "city": "Berlin"},
    "FR": {"lines": ["12 rue de la Paix"], "postal_code": "75002", "city": "Paris"},
    "AT": {"lines": ["Kärntner Straße 3"], "postal_code": "1010", "city": "Wien"},
    "US": {"lines": ["350 Fifth Avenue"], "postal_code": "10118", "city": "New York"},
}
# (name, country, VAT id, kind) of the buyer of each case
BUYERS = {
    "domestic": ("Acme Media GmbH", "DE", "DE136695976", None),
    "reverse_charge": ("Publicité Lumière SARL", "FR", "FR40303265045", None),
    "outside_scope": ("Stark Finance Inc.", "US", None, None),
    "eu_consumer": ("Maria Huber", "AT", None, BuyerKind.CONSUMER),
}


def settings() -> Settings:
    return Settings(seller_country=SELLER_COUNTRY)


def items(count: int = 3, currency: str = "EUR") -> list[Item]:
    """Billable items of one October: ``count`` offers, a few days each."""
    return [Item(uuid.uuid4(), str(offer), f"Shop CPS offer {offer}",
                 dt.date(2026, 10, 1 + day * 9), currency, 3 + offer + day,
                 (Decimal("12.50") + Decimal(offer) / 4) * (3 + offer + day))
            for offer in range(1, count + 1) for day in range(3)]


def buyer_of(case: str) -> Buyer:
    name, country, vat_id, _ = BUYERS[case]
    return Buyer(name, dict(ADDRESSES[country]), country, vat_id,
                 (f"billing@{case.replace('_', '-')}.example",))


def vat_document(case: str, count: int = 3, number: str = "INV-2026-00070",
                 currency: str = "EUR") -> InvoiceDocument:
    """The invoice a run issues for the case's buyer from a German seller."""
    name, country, vat_id, kind = BUYERS[case]
    treatment = tax_treatment(SELLER_COUNTRY, country, vat_id, kind)
    assert treatment is not None, case
    config = settings()
    terms = Terms(treatment, config.domestic_vat_rate, LineGrouping.OFFER_PER_PERIOD,
                  InvoiceDateRule.TODAY, 14)
    plan = plan_invoice(items(count, currency), currency, terms, TODAY)
    return snapshot(uuid.uuid4(), number, f"hasoffers-main:advertiser:{case}", plan,
                    buyer_of(case), config, document_type=document_type(plan.totals.net))


VAT_CASES: dict[str, Callable[[], InvoiceDocument]] = {
    case: (lambda case=case: vat_document(case)) for case in BUYERS}


def _treatment(case: str) -> TaxTreatment:
    _, country, vat_id, kind = BUYERS[case]
    treatment = tax_treatment(SELLER_COUNTRY, country, vat_id, kind)
    assert treatment is not None, case
    return treatment


def _issued(case: str, plan: InvoicePlan, number: str, **kwargs: Any) -> InvoiceDocument:
    return snapshot(uuid.uuid4(), number, f"hasoffers-main:advertiser:{case}", plan,
                    buyer_of(case), settings(), document_type=document_type(plan.totals.net),
                    **kwargs)


def with_adjustments(case: str, number: str = "INV-2026-00071") -> InvoiceDocument:
    """The case's invoice with a line allowance (BG-27), a returned unit, a document
    allowance (BG-20) and a charge (BG-21), all under the case's VAT."""
    vat = vat_for(_treatment(case), settings().domestic_vat_rate)
    lines = [Line("Shop CPS offer 1, October 2026", Decimal(40), Decimal("12.75"), vat,
                  allowance=Allowance(Decimal("15.00"), "Volume discount", "95")),
             Line("Shop CPS offer 2, October 2026", Decimal(25), Decimal("9.10"), vat),
             Line("Returned: Shop CPS offer 2", Decimal(-1), Decimal("9.10"), vat)]
    adjustments = (AllowanceCharge(False, Decimal("20.00"), vat, "Loyalty discount", "95"),
                   AllowanceCharge(True, Decimal("7.50"), vat, "Handling", "ABK"))
    plan = InvoicePlan("EUR", lines, totals(lines, "EUR", adjustments), TODAY,
                       TODAY + dt.timedelta(14), dt.date(2026, 10, 1), dt.date(2026, 10, 31),
                       adjustments)
    return _issued(case, plan, number)


def custom(case: str, number: str = "INV-2026-00072") -> InvoiceDocument:
    """A custom invoice (free lines from the manual generator) under the case's VAT."""
    vat = vat_for(_treatment(case), settings().domestic_vat_rate)
    lines = [Line("Setup fee, tracking integration", Decimal(1), Decimal("250.00"), vat,
                  period_start=dt.date(2026, 10, 1), period_end=dt.date(2026, 10, 31)),
             Line("Newsletter placement", Decimal(2), Decimal("480.00"), vat,
                  period_start=dt.date(2026, 10, 15), period_end=dt.date(2026, 10, 15))]
    plan = InvoicePlan("EUR", lines, totals(lines, "EUR"), TODAY, TODAY + dt.timedelta(14),
                       dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    return _issued(case, plan, number)


def xrechnung(case: str, number: str = "INV-2026-00073") -> InvoiceDocument:
    """The case's invoice to a buyer who requires XRechnung (Leitweg-ID, e-mail)."""
    return vat_document(case, number=number).model_copy(update={
        "e_invoice_format": "xrechnung", "buyer_reference": "04011000-12345-67"})


def kinds(case: str) -> dict[str, InvoiceDocument]:
    """Every kind of document of one VAT case, as billing books it."""
    invoice = vat_document(case)
    return {"invoice": invoice, "allowances_charges": with_adjustments(case),
            "cancellation": booked_cancellation(invoice, f"{invoice.number}-S"),
            "partial_credit_note": partial_credit_note(invoice, [1, 2]),
            "custom": custom(case), "xrechnung": xrechnung(case)}
