"""The golden matrix: one document per VAT case × kind of document, as billing issues them.

A VAT case is a base invoice builder (``VAT_CASES``: name → ``(lines) -> InvoiceDocument``);
a kind turns a base into the document of that kind (``KINDS``). Adding a VAT case is one
entry in ``VAT_CASES``; every kind is then built from it. Totals are recomputed with the
architecture's rules (lines rounded HALF_UP, VAT once per category and rate), so each
document is valid unless a test breaks it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from affbill_contracts.common import PostalAddress
from affbill_contracts.invoices import (
    AllowanceCharge,
    EInvoiceFormat,
    InvoiceDocument,
    LineAllowance,
    Party,
    TaxSubtotal,
    Totals,
    VatCategory,
)
from tests.unit.documents.samples import (
    EU_BUYER_EMAIL,
    LEITWEG_ID,
    _round,
    booked_cancellation,
    invoice,
    partial_credit_note,
)

NON_EU_BUYER = Party(name="Acme Advertising Inc.", email="ap@acme-ads.example",
                     address=PostalAddress(lines=["350 Fifth Avenue"], postal_code="10118",
                                           city="New York", region="NY", country_code="US"))
EU_CONSUMER = Party(name="Camille Martin", email="camille.martin@example.fr",
                    address=PostalAddress(lines=["8 rue des Lilas"], postal_code="69003",
                                          city="Lyon", country_code="FR"))
NOT_SUBJECT = "Not subject to VAT in Germany: place of supply of the service is abroad."
EXEMPT = "Exempt from VAT (§ 4 Nr. 8 UStG)."


def retaxed(doc: InvoiceDocument, category: str, rate: Decimal,
            reason: str | None) -> InvoiceDocument:
    """The document with every line, allowance and charge in one VAT category and rate,
    its tax breakdown and totals recomputed."""
    cat = VatCategory(category)
    lines = [x.model_copy(update={"vat_category": cat, "vat_rate": rate}) for x in doc.lines]
    adjustments = [a.model_copy(update={"vat_category": cat, "vat_rate": rate})
                   for a in doc.allowances_charges]
    return retotalled(doc.model_copy(update={"lines": lines, "allowances_charges": adjustments}),
                      reason)


def retotalled(doc: InvoiceDocument, reason: str | None = None) -> InvoiceDocument:
    """Tax breakdown (one group) and totals from the lines, allowances and charges."""
    category, rate = doc.lines[0].vat_category, doc.lines[0].vat_rate
    line_total = sum((x.net_amount for x in doc.lines), Decimal(0))
    allowances = sum((a.amount for a in doc.allowances_charges if not a.charge), Decimal(0))
    charges = sum((a.amount for a in doc.allowances_charges if a.charge), Decimal(0))
    basis = line_total - allowances + charges
    tax = _round(basis * rate / 100)
    group = TaxSubtotal(vat_category=category, vat_rate=rate, taxable_amount=basis,
                        tax_amount=tax, exemption_reason=reason if category != "S" else None)
    return doc.model_copy(update={
        "tax_breakdown": [group],
        "totals": Totals(line_total=line_total, allowance_total=allowances,
                         charge_total=charges, tax_total=tax, grand_total=basis + tax,
                         amount_due=basis + tax)})


def domestic(lines: int) -> InvoiceDocument:
    """S: a German seller's service to a German business, 19 %."""
    return invoice(lines, number="GLD-S-0001")


def reverse_charge(lines: int) -> InvoiceDocument:
    """AE: to a French business with its VAT id (BT-48)."""
    return invoice(lines, reverse_charge=True, number="GLD-AE-0001")


def outside_scope(lines: int) -> InvoiceDocument:
    """O: a B2B service to a US business (place of supply abroad): no VAT ids (BR-O-02)."""
    doc = invoice(lines, number="GLD-O-0001", buyer=NON_EU_BUYER)
    return retaxed(doc, "O", Decimal(0), NOT_SUBJECT)


def exempt(lines: int) -> InvoiceDocument:
    """E: a VAT-exempt service to a German business, with its exemption reason (BR-E-10)."""
    return retaxed(invoice(lines, number="GLD-E-0001"), "E", Decimal(0), EXEMPT)


def eu_consumer(lines: int) -> InvoiceDocument:
    """S: a service to a consumer in France (no VAT id, the profile says consumer): supplied
    where the supplier is (Art. 45 VAT Directive), German VAT at 19 %."""
    return invoice(lines, number="GLD-C-0001", buyer=EU_CONSUMER)


VAT_CASES: dict[str, Callable[[int], InvoiceDocument]] = {
    "S": domestic,
    "AE": reverse_charge,
    "O": outside_scope,
    "E": exempt,
    "EU-consumer": eu_consumer,
}
CATEGORY = {"EU-consumer": "S"}  # the VAT category of a case whose name is not its code


def with_allowances_and_charges(base: InvoiceDocument) -> InvoiceDocument:
    """A line allowance (BG-27), a returned unit (negative quantity), a document allowance
    (BG-20) and a charge (BG-21), in the base's VAT category and rate."""
    first, *middle, last = base.lines
    cat, rate = first.vat_category, first.vat_rate
    lines = [first.model_copy(update={
                 "net_amount": first.net_amount - Decimal("5.00"),
                 "allowances": [LineAllowance(amount=Decimal("5.00"), reason="Volume discount",
                                              reason_code="95")]}),
             *middle,
             last.model_copy(update={"quantity": Decimal(-1), "net_amount": -last.unit_price,
                                     "description": "Returned: " + last.description})]
    adjustments = [
        AllowanceCharge(charge=False, amount=Decimal("20.00"), reason="Loyalty discount",
                        reason_code="95", vat_category=cat, vat_rate=rate),
        AllowanceCharge(charge=True, amount=Decimal("7.50"), reason="Handling",
                        reason_code="ABK", vat_category=cat, vat_rate=rate)]
    reason = base.tax_breakdown[0].exemption_reason
    return retotalled(base.model_copy(update={"lines": lines, "allowances_charges": adjustments,
                                              "number": base.number + "-A"}), reason)


def credit_note(base: InvoiceDocument) -> InvoiceDocument:
    """A credit note from restatements (381, booked negative, no invoice referred to)."""
    data = booked_cancellation(base).model_dump()
    data.update(preceding_invoice=None, number=base.number + "-C",
                notes=["Credit for restated conversions, October 2026."])
    data["payment"]["terms"] = "Credit note: the amount is credited to your account."
    return InvoiceDocument.model_validate(data)


def custom(base: InvoiceDocument) -> InvoiceDocument:
    """A custom invoice: free lines without a service period, dated by its supply (BT-72)."""
    lines = [x.model_copy(update={"period_start": None, "period_end": None,
                                  "item_ids": []}) for x in base.lines]
    return base.model_copy(update={"lines": lines, "period_start": None, "period_end": None,
                                   "delivery_date": dt.date(2026, 10, 20),
                                   "number": base.number + "-M"})


def xrechnung(base: InvoiceDocument) -> InvoiceDocument:
    """For a buyer who requires XRechnung: its Leitweg-ID (BT-10) and address (BT-49)."""
    buyer = base.buyer.model_copy(update={"email": base.buyer.email or EU_BUYER_EMAIL})
    return base.model_copy(update={"e_invoice_format": EInvoiceFormat.XRECHNUNG, "buyer": buyer,
                                   "buyer_reference": LEITWEG_ID,
                                   "number": base.number + "-X"})


KINDS: dict[str, Callable[[InvoiceDocument], InvoiceDocument]] = {
    "invoice": lambda base: base,
    "allowances_charges": with_allowances_and_charges,
    "credit_note": credit_note,
    "cancellation": booked_cancellation,
    "partial_credit_note": lambda base: partial_credit_note(base, [1, 3],
                                                            number=base.number + "-G"),
    "custom": custom,
    "xrechnung": xrechnung,
}


def golden(case: str, kind: str, lines: int = 3) -> InvoiceDocument:
    return KINDS[kind](VAT_CASES[case](lines))
