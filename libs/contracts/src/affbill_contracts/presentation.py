"""A document as it is stated in its XML and on its PDF (pure, no I/O).

Billing's snapshot keeps amounts signed as the ledger books them: a credit note or a
cancellation (381) carries negative lines and totals, so sums over documents are
plain sums. EN 16931 wants the opposite: the document type carries the sign, the
amounts of a credit note are stated positive, and no item net price (BT-146) is ever
negative (BR-27). ``presented`` makes that statement; it never changes a value, only
its sign, so the XML and the PDF state exactly what billing issued.
"""

from __future__ import annotations

from decimal import Decimal

from affbill_contracts.invoices import DocumentType, InvoiceDocument, InvoiceLine


def is_credit(doc: InvoiceDocument) -> bool:
    """A 381 (credit note or cancellation): it credits, it never asks for payment."""
    return doc.document_type is DocumentType.CREDIT_NOTE


def sign_of(doc: InvoiceDocument) -> Decimal:
    """-1 for a credit note booked negative (billing's snapshots), else 1: a 381 whose
    amounts are already stated positive is taken as stated."""
    booked_negative = doc.totals.grand_total < 0 or (
        doc.totals.grand_total == 0 and doc.totals.line_total < 0)
    return Decimal(-1) if is_credit(doc) and booked_negative else Decimal(1)


def _line(line: InvoiceLine, sign: Decimal) -> InvoiceLine:
    """The line's amounts times ``sign``; a negative unit price is stated as a positive
    price with the quantity's sign turned (quantity × price is unchanged)."""
    price_sign = Decimal(-1) if line.unit_price < 0 else Decimal(1)
    return line.model_copy(update={
        "quantity": line.quantity * sign * price_sign, "unit_price": line.unit_price * price_sign,
        "net_amount": line.net_amount * sign,
        "allowances": [a.model_copy(update={"amount": a.amount * sign})
                       for a in line.allowances],
        "conversion": line.conversion and line.conversion.model_copy(
            update={"source_amount": line.conversion.source_amount * sign})})


def presented(doc: InvoiceDocument) -> InvoiceDocument:
    """The document with the signs EN 16931 states: a 381 positive, no negative price."""
    sign = sign_of(doc)
    if sign > 0 and all(line.unit_price >= 0 for line in doc.lines):
        return doc  # stated as booked: nothing to turn (the common case, no copy)
    update: dict[str, object] = {"lines": [_line(line, sign) for line in doc.lines]}
    if sign < 0:
        update["tax_breakdown"] = [g.model_copy(update={
            "taxable_amount": -g.taxable_amount, "tax_amount": -g.tax_amount})
            for g in doc.tax_breakdown]
        update["totals"] = doc.totals.model_copy(update={
            k: -v for k, v in doc.totals.model_dump().items() if isinstance(v, Decimal)})
        update["allowances_charges"] = [a.model_copy(update={"amount": -a.amount})
                                        for a in doc.allowances_charges]
        if doc.vat_accounting is not None:
            update["vat_accounting"] = doc.vat_accounting.model_copy(
                update={"tax_total": -doc.vat_accounting.tax_total})
    return doc.model_copy(update=update)
