"""What the PDF prints: billing's snapshot turned into display strings (pure, no I/O).

The template receives this as JSON (typst ``sys.inputs``) and only places the
strings; every wording and number format is decided here (the words of each language
in :mod:`wording`), where it is tested. The document's ``language`` (en, de) picks the
words and the locale's number and date formats.
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
from affbill_documents.domain import wording
from affbill_documents.domain.wording import LABELS, SENTENCES, localized_day, localized_number

CATEGORY_NAMES = wording.CATEGORY_NAMES["en"]


def plain(value: Decimal) -> str:
    """A decimal in positional notation, as many digits as it has ("1E+2" → "100"); a
    negative zero is written "0.00" (the Schematron reads "-0.00" as not zero, BR-E-09)."""
    text = format(abs(value) if value == 0 else value, "f")
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


def day(value: dt.date | None, language: str = "en") -> str:
    return localized_day(value, language)


def period(start: dt.date | None, end: dt.date | None, language: str = "en") -> str:
    if start and end:
        return (day(start, language) if start == end
                else f"{day(start, language)} – {day(end, language)}")
    return day(start or end, language)


def address_lines(address: PostalAddress) -> list[str]:
    city = " ".join(p for p in (address.postal_code, address.city) if p)
    return [*address.lines, *(x for x in (city, address.region, address.country_code) if x)]


def _party(party: Party) -> dict[str, Any]:
    return {"name": party.name, "address": address_lines(party.address),
            "vat_id": party.vat_id or "", "tax_number": party.tax_number or "",
            "email": party.email or "", "register": party.company_register or "",
            "directors": ", ".join(party.managing_directors)}


def _unless(text: str, same_as: str) -> str:
    return "" if text == same_as else text


def title(doc: InvoiceDocument) -> str:
    words = LABELS[wording.language_of(doc.language)]
    if doc.document_type is DocumentType.SELF_BILLED:
        return words["self_billed"]
    if doc.document_type is DocumentType.CREDIT_NOTE:
        cancels = doc.preceding_invoice is not None and doc.preceding_invoice.cancelled
        return words["cancellation"] if cancels else words["credit_note"]
    return words["invoice"]


def number_title(doc: InvoiceDocument) -> str:
    """The title beside the number in the facts block: the short form, so label and number
    fit side by side (the full title is the heading below)."""
    if doc.document_type is DocumentType.SELF_BILLED:
        return LABELS[wording.language_of(doc.language)]["self_billed_short"]
    return title(doc)


def corrects(doc: InvoiceDocument) -> tuple[str, str]:
    """The heading line and sentence naming the invoice a 381 corrects (BG-3)."""
    ref, lang = doc.preceding_invoice, wording.language_of(doc.language)
    if ref is None:
        return "", ""
    say, facts = SENTENCES[lang], {"number": ref.number, "date": day(ref.issue_date, lang)}
    if ref.cancelled:
        return say["cancels_heading"].format(**facts), say["cancels"].format(**facts)
    return say["credits_heading"].format(**facts), say["credits"].format(**facts)


def settlement(doc: InvoiceDocument) -> dict[str, str]:
    """What the payment block says: an invoice asks for a transfer by its due date; a
    credit note or cancellation says the amount is credited or refunded, never asks."""
    lang = wording.language_of(doc.language)
    words, say = LABELS[lang], SENTENCES[lang]
    due = localized_number(money(doc.totals.amount_due, doc.currency), lang)
    if is_credit(doc):
        return {"due_label": words["amount_credited"], "due_date": "",
                "instruction": say["credited"].format(amount=due, currency=doc.currency)}
    instruction = ""
    if doc.document_type is DocumentType.SELF_BILLED:  # the network pays the affiliate
        if doc.payment.iban:
            bic = say["bic"].format(bic=doc.payment.bic) if doc.payment.bic else ""
            instruction = say["payout"].format(iban=doc.payment.iban, bic=bic,
                                               reference=doc.payment.reference)
        return {"due_label": words["amount_paid"], "due_date": day(doc.due_date, lang),
                "instruction": instruction}
    if doc.payment.iban:
        bic = say["bic"].format(bic=doc.payment.bic) if doc.payment.bic else ""
        instruction = say["transfer"].format(iban=doc.payment.iban, bic=bic,
                                             reference=doc.payment.reference)
    return {"due_label": words["amount_due"], "due_date": day(doc.due_date, lang),
            "instruction": instruction}


def _allowances(doc: InvoiceDocument, lang: str) -> list[dict[str, str]]:
    cur, words = doc.currency, LABELS[lang]
    return [{"label": f"{words['charge'] if a.charge else words['allowance']}"
                      f"{': ' + a.reason if a.reason else ''} "
                      f"({localized_number(rate(a.vat_rate), lang)})",
             "amount": localized_number(money(a.amount if a.charge else -a.amount, cur), lang)}
            for a in doc.allowances_charges]


def _line_allowances(line: Any, cur: str, lang: str) -> str:
    return "; ".join(f"{LABELS[lang]['less']} {localized_number(money(a.amount, cur), lang)}"
                     f"{' ' + a.reason if a.reason else ''}" for a in line.allowances)


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


def print_model(doc: InvoiceDocument, *, draft: bool = False) -> dict[str, Any]:
    """The JSON the invoice template renders; amounts as EN 16931 states them, words and
    formats in the document's language. ``draft``: a preview, watermarked DRAFT, with no
    number."""
    doc = presented(doc)
    cur, lang = doc.currency, wording.language_of(doc.language)

    def m(value: Decimal) -> str:
        return localized_number(money(value, cur), lang)

    whole = period(doc.period_start, doc.period_end, lang)
    exemptions = list(dict.fromkeys(g.exemption_reason for g in doc.tax_breakdown
                                    if g.exemption_reason))
    heading, cancels = corrects(doc)
    names, words = wording.CATEGORY_NAMES[lang], LABELS[lang]
    return {
        "title": title(doc), "number_title": number_title(doc), "labels": words, "lang": lang,
        "number": "" if draft else doc.number, "watermark": words["draft"] if draft else "",
        "issue_date": day(doc.issue_date, lang),
        "due_date": settlement(doc)["due_date"],
        "period": whole,
        "supply_date": day(doc.delivery_date, lang),
        "customer_id": doc.debtor_number or "",  # the debtor number, never the internal key
        "buyer_reference": doc.buyer_reference or "",
        "currency": cur,
        "seller": _party(doc.seller),
        "buyer": _party(doc.buyer),
        "lines": [{"no": str(line.line_no), "description": line.description,
                   "period": _unless(period(line.period_start, line.period_end, lang), whole),
                   "quantity": localized_number(format(line.quantity, ",f"), lang),
                   "unit_price": m(line.unit_price), "net": m(line.net_amount),
                   "vat": localized_number(rate(line.vat_rate), lang),
                   "allowances": _line_allowances(line, cur, lang)}
                  for line in doc.lines],
        "tax": [{"label": f"{names.get(g.vat_category.value, words['vat'])} "
                          f"{localized_number(rate(g.vat_rate), lang)} {words['on']} "
                          f"{m(g.taxable_amount)}",
                 "amount": m(g.tax_amount)} for g in doc.tax_breakdown],
        "allowances": _allowances(doc, lang),
        "totals": {"net": m(doc.totals.line_total), "tax": m(doc.totals.tax_total),
                   "gross": m(doc.totals.grand_total), "due": m(doc.totals.amount_due)},
        "payment": {"terms": doc.payment.terms, "iban": doc.payment.iban or "",
                    "bic": doc.payment.bic or "", "bank": doc.payment.bank_name or "",
                    "reference": "" if draft else doc.payment.reference},
        # a draft has no number to quote yet: it asks for nothing
        "settlement": {**settlement(doc), **({"instruction": ""} if draft else {})},
        "exemptions": exemptions,
        "heading": heading,
        "cancels": cancels,
        "notes": list(doc.notes),
        "vat_accounting": vat_accounting(doc),
        "conversions": conversions(doc),
    }
