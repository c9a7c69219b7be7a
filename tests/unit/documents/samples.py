"""Issued documents as billing sends them, for the documents tests and the bench.

Totals follow the architecture's rules (lines rounded HALF_UP, VAT once per
category and rate), so a sample is valid EN 16931 unless a test breaks it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from affbill_contracts.common import PostalAddress
from affbill_contracts.fx import LineConversion, VatAccounting
from affbill_contracts.invoices import (
    AllowanceCharge,
    InvoiceDocument,
    InvoiceLine,
    LineAllowance,
    Party,
    PaymentInstructions,
    PrecedingInvoice,
    TaxSubtotal,
    Totals,
)

SELLER = Party(name="Affiliate Network GmbH", vat_id="DE999999999",
               company_register="Amtsgericht Berlin HRB 000000", email="billing@network.example",
               address=PostalAddress(lines=["Friedrichstraße 1"], postal_code="10117",
                                     city="Berlin", country_code="DE"))
DOMESTIC_BUYER = Party(name="Acme Media GmbH", vat_id="DE123456789",
                       address=PostalAddress(lines=["Hauptstraße 5", "3. OG"],
                                             postal_code="10115", city="Berlin",
                                             country_code="DE"))
EU_BUYER = Party(name="Publicité Lumière SARL", vat_id="FR40303265045",
                 address=PostalAddress(lines=["12 rue de la Paix"], postal_code="75002",
                                       city="Paris", country_code="FR"))
EU_BUYER_EMAIL = "factures@lumiere.example"
REVERSE_CHARGE = ("Reverse charge: VAT to be accounted for by the recipient"
                  " (Art. 196 VAT Directive).")
CENT = Decimal("0.01")


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def invoice(lines: int = 3, *, reverse_charge: bool = False, number: str = "INV-2026-00042",
            buyer: Party | None = None, customer_id: str = "hasoffers-main:advertiser:501",
            issue_date: dt.date = dt.date(2026, 11, 1), **overrides: Any) -> InvoiceDocument:
    category, vat_rate = ("AE", Decimal(0)) if reverse_charge else ("S", Decimal(19))
    start, end = dt.date(2026, 10, 1), dt.date(2026, 10, 31)
    items = []
    for n in range(1, lines + 1):
        quantity, price = Decimal(3 + n % 40), Decimal("12.50") + Decimal(n % 7) / 4
        items.append(InvoiceLine(
            line_no=n, description=f"Shop CPS offer {n} (DE), October 2026",
            quantity=quantity, unit_price=price, net_amount=_round(quantity * price),
            vat_category=category, vat_rate=vat_rate, period_start=start, period_end=end))
    net = sum((i.net_amount for i in items), Decimal(0))
    tax = _round(net * vat_rate / 100)
    fields: dict[str, Any] = {
        "invoice_id": uuid.uuid4(), "number": number, "document_type": "380",
        "customer_id": customer_id, "issue_date": issue_date,
        "due_date": issue_date + dt.timedelta(days=14), "period_start": start,
        "period_end": end, "currency": "EUR", "seller": SELLER,
        "buyer": buyer or (EU_BUYER if reverse_charge else DOMESTIC_BUYER), "lines": items,
        "tax_breakdown": [TaxSubtotal(vat_category=category, vat_rate=vat_rate, taxable_amount=net,
                                   tax_amount=tax,
                                   exemption_reason=REVERSE_CHARGE if reverse_charge else None)],
        "totals": Totals(line_total=net, tax_total=tax, grand_total=net + tax,
                      amount_due=net + tax),
        "payment": PaymentInstructions(iban="DE89370400440532013000", bic="COBADEFFXXX",
                                    bank_name="Commerzbank", reference=number,
                                    terms="Payable within 14 days (by 2026-11-15) without "
                                          "deduction."),
        "notes": ["Thank you for your business."]}
    fields.update(overrides)
    return InvoiceDocument(**fields)


def cancellation(original: InvoiceDocument, number: str | None = None) -> InvoiceDocument:
    """The cancellation document (381) of an invoice: same lines and amounts, refers to it."""
    number = number or f"{original.number}-S"
    data = original.model_dump()
    data.update(invoice_id=uuid.uuid4(), number=number, document_type="381",
                issue_date=original.issue_date + dt.timedelta(days=3),
                due_date=original.issue_date + dt.timedelta(days=3),
                payment={**data["payment"], "reference": number,
                         "terms": "Nothing to pay: the amount is credited."},
                preceding_invoice=PrecedingInvoice(number=original.number,
                                                   issue_date=original.issue_date))
    return InvoiceDocument.model_validate(data)


def negated(doc: InvoiceDocument) -> InvoiceDocument:
    """The same document with negative quantities and amounts, as billing issues
    cancellations and credit notes from restatements."""
    data = doc.model_dump()
    for line in data["lines"]:
        line["quantity"], line["net_amount"] = -line["quantity"], -line["net_amount"]
    for group in data["tax_breakdown"]:
        group["taxable_amount"], group["tax_amount"] = (-group["taxable_amount"],
                                                        -group["tax_amount"])
    data["totals"] = {k: -v for k, v in data["totals"].items()}
    return InvoiceDocument.model_validate(data)


LEITWEG_ID = "04011000-12345-67"


def xrechnung_invoice(lines: int = 3, **overrides: Any) -> InvoiceDocument:
    """An invoice to a buyer who requires XRechnung: with its Leitweg-ID (BT-10) and its
    invoice e-mail address (BT-49)."""
    buyer = DOMESTIC_BUYER.model_copy(update={"email": "rechnungseingang@stadt.example"})
    fields: dict[str, Any] = {"buyer": buyer, "buyer_reference": LEITWEG_ID,
                              "e_invoice_format": "xrechnung", "number": "INV-2026-00050"}
    return invoice(lines, **{**fields, **overrides})


def booked_cancellation(original: InvoiceDocument, number: str | None = None) -> InvoiceDocument:
    """The cancellation as billing books it: 381, each unit price negated (so every
    amount is the original's negated), referring to the original."""
    doc = cancellation(original, number)
    data = doc.model_dump()
    for line in data["lines"]:
        line["unit_price"], line["net_amount"] = -line["unit_price"], -line["net_amount"]
        for a in line["allowances"]:
            a["amount"] = -a["amount"]
    for group in data["tax_breakdown"]:
        group["taxable_amount"], group["tax_amount"] = (-group["taxable_amount"],
                                                        -group["tax_amount"])
    for ac in data["allowances_charges"]:
        ac["amount"] = -ac["amount"]
    data["totals"] = {k: -v for k, v in data["totals"].items()}
    if data.get("vat_accounting"):
        data["vat_accounting"]["tax_total"] = -data["vat_accounting"]["tax_total"]
    data["payment"]["terms"] = f"Cancels invoice {original.number}; the amount is no longer due."
    return InvoiceDocument.model_validate(data)


def partial_credit_note(original: InvoiceDocument, line_nos: list[int],
                        number: str = "INV-2026-00060-G") -> InvoiceDocument:
    """A credit note (381) for some lines of an invoice, booked negative as billing does,
    referring to the invoice it corrects (BG-3, not a cancellation)."""
    lines = [line.model_copy(update={"line_no": n, "unit_price": -line.unit_price,
                                     "net_amount": -line.net_amount})
             for n, line in enumerate((x for x in original.lines if x.line_no in line_nos), 1)]
    g = original.tax_breakdown[0]
    net = sum((x.net_amount for x in lines), Decimal(0))
    tax = _round(net * g.vat_rate / 100)
    return InvoiceDocument.model_validate({**original.model_dump(),
        "invoice_id": uuid.uuid4(), "number": number, "document_type": "381",
        "issue_date": original.issue_date + dt.timedelta(days=5),
        "due_date": original.issue_date + dt.timedelta(days=5), "lines": lines,
        "tax_breakdown": [g.model_copy(update={"taxable_amount": net, "tax_amount": tax})],
        "totals": Totals(line_total=net, tax_total=tax, grand_total=net + tax,
                         amount_due=net + tax),
        "payment": original.payment.model_copy(update={
            "reference": number, "terms": "Credit note: the amount is credited to your "
                                          "account; nothing to pay."}),
        "preceding_invoice": PrecedingInvoice(number=original.number,
                                              issue_date=original.issue_date,
                                              cancelled=False)})


def with_allowances(number: str = "INV-2026-00061") -> InvoiceDocument:
    """An invoice with a line allowance (BG-27), a returned unit (negative quantity), a
    document allowance (BG-20, 5189 code 95) and a charge (BG-21, 7161 code ABK)."""
    base = invoice(3, number=number)
    first, second, third = base.lines
    discounted = first.model_copy(update={
        "net_amount": first.net_amount - Decimal("5.00"),
        "allowances": [LineAllowance(amount=Decimal("5.00"), reason="Volume discount",
                                     reason_code="95")]})
    returned = third.model_copy(update={
        "quantity": Decimal(-1), "net_amount": -third.unit_price,
        "description": "Returned: " + third.description})
    lines = [discounted, second, returned]
    allowance = AllowanceCharge(charge=False, amount=Decimal("20.00"), reason="Loyalty discount",
                                reason_code="95", vat_category="S", vat_rate=Decimal(19))
    charge = AllowanceCharge(charge=True, amount=Decimal("7.50"), reason="Handling",
                             reason_code="ABK", vat_category="S", vat_rate=Decimal(19))
    line_total = sum((x.net_amount for x in lines), Decimal(0))
    basis = line_total - allowance.amount + charge.amount
    tax = _round(basis * 19 / 100)
    return base.model_copy(update={
        "lines": lines, "allowances_charges": [allowance, charge],
        "tax_breakdown": [base.tax_breakdown[0].model_copy(update={
            "taxable_amount": basis, "tax_amount": tax})],
        "totals": Totals(line_total=line_total, allowance_total=allowance.amount,
                         charge_total=charge.amount, tax_total=tax,
                         grand_total=basis + tax, amount_due=basis + tax)})


# ECB-like rates per euro (as the simulator publishes them) for the foreign-currency samples
RATES = {"GBP": Decimal("0.86905"), "USD": Decimal("1.1606"), "CHF": Decimal("0.9312")}


def foreign(currency: str, number: str, lines: int = 3) -> InvoiceDocument:
    """An invoice with German VAT in another currency: BT-6 EUR and BT-111 its VAT in euro
    at the ECB rate of the day before the invoice date (a Saturday has none)."""
    doc = invoice(lines, number=number, currency=currency)
    rate = RATES[currency]
    tax_eur = (doc.totals.tax_total / rate).quantize(CENT, rounding=ROUND_HALF_UP)
    return doc.model_copy(update={"vat_accounting": VatAccounting(
        currency="EUR", rate=rate, rate_date=dt.date(2026, 10, 30), source="ecb",
        tax_total=tax_eur)})


def converted(number: str = "INV-2026-00074") -> InvoiceDocument:
    """A euro invoice of items in GBP, USD and EUR, each foreign line converted once at
    the ECB rates (convert mode): 700.00 GBP → 805.48, 120.50 USD → 103.83."""
    base = invoice(3, number=number)
    first, second, third = base.lines
    day = dt.date(2026, 10, 30)
    lines = [
        first.model_copy(update={
            "description": "Shop CPS offer 1 (700.00 GBP)", "quantity": Decimal(1),
            "unit_price": Decimal("805.48"), "net_amount": Decimal("805.48"),
            "conversion": LineConversion(source_currency="GBP", source_amount=Decimal("700.00"),
                                         base="EUR", source_rate=RATES["GBP"], rate_date=day,
                                         source="ecb")}),
        second.model_copy(update={
            "description": "Shop CPS offer 2 (120.50 USD)", "quantity": Decimal(1),
            "unit_price": Decimal("103.83"), "net_amount": Decimal("103.83"),
            "conversion": LineConversion(source_currency="USD", source_amount=Decimal("120.50"),
                                         base="EUR", source_rate=RATES["USD"], rate_date=day,
                                         source="ecb")}),
        third]
    net = sum((x.net_amount for x in lines), Decimal(0))
    tax = _round(net * 19 / 100)
    return base.model_copy(update={
        "lines": lines, "tax_breakdown": [base.tax_breakdown[0].model_copy(update={
            "taxable_amount": net, "tax_amount": tax})],
        "totals": Totals(line_total=net, tax_total=tax, grand_total=net + tax,
                         amount_due=net + tax)})
