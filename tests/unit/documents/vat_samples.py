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

from affbill_billing.config import Settings
from affbill_billing.domain.billing_profile import Buyer
from affbill_billing.domain.dates import InvoiceDateRule
from affbill_billing.domain.grouping import Item, LineGrouping
from affbill_billing.domain.invoicing import Terms, document_type, plan_invoice
from affbill_billing.domain.profiles import BuyerKind, tax_treatment
from affbill_billing.service_layer.documents import snapshot
from affbill_contracts.invoices import InvoiceDocument

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
