"""What the PDF prints: billing's snapshot turned into display strings (pure, no I/O).

The template receives this as JSON (typst ``sys.inputs``) and only places the
strings; every wording and number format is decided here, where it is tested.
Amounts are printed exactly as issued: padded to the currency's minor unit,
never rounded.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from affbill_contracts.common import PostalAddress
from affbill_contracts.invoices import DocumentType, InvoiceDocument, Party
from affbill_contracts.money import UnknownCurrency, quantum
from affbill_contracts.presentation import is_credit, presented

CATEGORY_NAMES = {"S": "VAT", "Z": "VAT (zero rated)", "E": "VAT exempt",
                  "AE": "Reverse charge", "K": "Intra-EU supply (VAT exempt)",
                  "G": "Export (VAT exempt)", "O": "Not subject to VAT"}


def plain(value: Decimal) -> str:
    """A decimal in positional notation, as many digits as it has ("1E+2" → "100")."""
    text = format(value, "f")
    return "0" if text in ("-0", "") else text


def money(value: Decimal, currency: str) -> str:
    """``1,234.50``: thousands grouped, padded to the currency's minor unit, never rounded."""
    try:
        padded = value.quantize(quantum(currency))
    except UnknownCurrency:
        padded = value
    shown = padded if padded == value else value  # more digits than the currency has: keep them
    return format(shown, ",f")


def amount(value: Decimal, currency: str) -> str:
    """An amount for the API: storage padding dropped, the currency's minor unit kept
    ("525.0000000000" EUR → "525.00", JPY → "525"), never rounded."""
    return money(value.normalize(), currency).replace(",", "")


def rate(value: Decimal) -> str:
    """A VAT rate in percent without trailing zeros: 19 → "19 %", 7.50 → "7.5 %"."""
    text = plain(value)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text} %"


def day(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def period(start: dt.date | None, end: dt.date | None) -> str:
    if start and end:
        return day(start) if start == end else f"{day(start)} – {day(end)}"
    return day(start or end)


def address_lines(address: PostalAddress) -> list[str]:
    city = " ".join(p for p in (address.postal_code, address.city) if p)
    return [*address.lines, *(x for x in (city, address.region, address.country_code) if x)]


def _party(party: Party) -> dict[str, Any]:
    return {"name": party.name, "address": address_lines(party.address),
            "vat_id": party.vat_id or "", "tax_number": party.tax_number or "",
            "email": party.email or "", "register": party.company_register or ""}


def _unless(text: str, same_as: str) -> str:
    return "" if text == same_as else text


def title(doc: InvoiceDocument) -> str:
    if doc.document_type is DocumentType.CREDIT_NOTE:
        cancels = doc.preceding_invoice is not None and doc.preceding_invoice.cancelled
        return "Cancellation" if cancels else "Credit note"
    return "Invoice"


def corrects(doc: InvoiceDocument) -> tuple[str, str]:
    """The heading line and sentence naming the invoice a 381 corrects (BG-3)."""
    ref = doc.preceding_invoice
    if ref is None:
        return "", ""
    if ref.cancelled:
        return (f"Cancellation of invoice {ref.number}",
                f"This document cancels invoice {ref.number} of {day(ref.issue_date)}.")
    return (f"Credit note for invoice {ref.number}",
            f"This credit note corrects invoice {ref.number} of {day(ref.issue_date)}.")


def settlement(doc: InvoiceDocument) -> dict[str, str]:
    """What the payment block says: an invoice asks for a transfer by its due date; a
    credit note or cancellation says the amount is credited or refunded, never asks."""
    due = money(doc.totals.amount_due, doc.currency)
    if is_credit(doc):
        return {"due_label": "Amount credited", "due_date": "",
                "instruction": f"The amount of {due} {doc.currency} will be credited to your "
                               "account or refunded to you. Nothing is to be paid."}
    instruction = ""
    if doc.payment.iban:
        bic = f" (BIC {doc.payment.bic})" if doc.payment.bic else ""
        instruction = (f"Please transfer the amount due to IBAN {doc.payment.iban}{bic}, "
                       f"quoting the reference {doc.payment.reference}.")
    return {"due_label": "Amount due", "due_date": day(doc.due_date), "instruction": instruction}


def _allowances(doc: InvoiceDocument) -> list[dict[str, str]]:
    cur = doc.currency
    return [{"label": f"{'Charge' if a.charge else 'Allowance'}"
                      f"{': ' + a.reason if a.reason else ''} ({rate(a.vat_rate)})",
             "amount": money(a.amount if a.charge else -a.amount, cur)}
            for a in doc.allowances_charges]


def _line_allowances(line: Any, cur: str) -> str:
    return "; ".join(f"less {money(a.amount, cur)}{' ' + a.reason if a.reason else ''}"
                     for a in line.allowances)


def vat_accounting(doc: InvoiceDocument) -> dict[str, str] | None:
    """The VAT in the seller's accounting currency and the rate it was converted at (Art.
    230 VAT Directive), for a document in another currency; None otherwise."""
    fx = doc.vat_accounting
    if fx is None:
        return None
    source = {"ecb": "ECB euro reference rate", "manual": "rate entered by hand"}.get(
        fx.source, f"rate of {fx.source}")
    return {"currency": fx.currency, "tax": money(fx.tax_total, fx.currency),
            "rate": f"Exchange rate: 1 {fx.currency} = {plain(fx.rate)} {doc.currency} "
                    f"({source} of {day(fx.rate_date)}); VAT {money(fx.tax_total, fx.currency)}"
                    f" {fx.currency}."}


def conversions(doc: InvoiceDocument) -> str:
    """The quotes the converted lines used (convert mode), one sentence; "" when none."""
    quotes: dict[tuple[str, str], str] = {}
    for line in doc.lines:
        c = line.conversion
        if c is None:
            continue
        for rate, of in ((c.source_rate, c.source_currency), (c.target_rate, doc.currency)):
            if rate is not None:
                quotes[(of, c.rate_date.isoformat())] = (
                    f"1 {c.base} = {plain(rate)} {of} ({c.source}, {day(c.rate_date)})")
        if c.direct_rate is not None:
            quotes[(c.source_currency, c.rate_date.isoformat())] = (
                f"1 {c.source_currency} = {plain(c.direct_rate)} {doc.currency} "
                f"({c.source}, {day(c.rate_date)})")
    if not quotes:
        return ""
    return (f"Amounts in other currencies converted into {doc.currency} at: "
            + "; ".join(quotes[k] for k in sorted(quotes)) + ".")


def print_model(doc: InvoiceDocument) -> dict[str, Any]:
    """The JSON the invoice template renders; amounts as EN 16931 states them."""
    doc = presented(doc)
    cur = doc.currency
    whole = period(doc.period_start, doc.period_end)
    exemptions = list(dict.fromkeys(g.exemption_reason for g in doc.tax_breakdown
                                    if g.exemption_reason))
    heading, cancels = corrects(doc)
    return {
        "title": title(doc),
        "number": doc.number,
        "issue_date": day(doc.issue_date),
        "due_date": settlement(doc)["due_date"],
        "period": whole,
        "customer_id": doc.customer_id,
        "buyer_reference": doc.buyer_reference or "",
        "currency": cur,
        "seller": _party(doc.seller),
        "buyer": _party(doc.buyer),
        "lines": [{"no": str(line.line_no), "description": line.description,
                   "period": _unless(period(line.period_start, line.period_end), whole),
                   "quantity": format(line.quantity, ",f"),
                   "unit_price": money(line.unit_price, cur),
                   "net": money(line.net_amount, cur), "vat": rate(line.vat_rate),
                   "allowances": _line_allowances(line, cur)}
                  for line in doc.lines],
        "tax": [{"label": f"{CATEGORY_NAMES.get(g.vat_category.value, 'VAT')} "
                          f"{rate(g.vat_rate)} on {money(g.taxable_amount, cur)}",
                 "amount": money(g.tax_amount, cur)} for g in doc.tax_breakdown],
        "allowances": _allowances(doc),
        "totals": {"net": money(doc.totals.line_total, cur),
                   "tax": money(doc.totals.tax_total, cur),
                   "gross": money(doc.totals.grand_total, cur),
                   "due": money(doc.totals.amount_due, cur)},
        "payment": {"terms": doc.payment.terms, "iban": doc.payment.iban or "",
                    "bic": doc.payment.bic or "", "bank": doc.payment.bank_name or "",
                    "reference": doc.payment.reference},
        "settlement": settlement(doc),
        "exemptions": exemptions,
        "heading": heading,
        "cancels": cancels,
        "notes": list(doc.notes),
        "vat_accounting": vat_accounting(doc),
        "conversions": conversions(doc),
    }
