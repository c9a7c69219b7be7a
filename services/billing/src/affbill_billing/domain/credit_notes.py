"""A partial credit note against an issued invoice: for chosen lines (all or part of
their quantity) or for an amount (pure, no I/O).

The credit note's lines are booked negative like a cancellation's (the unit price
negated; the XML states them positive under type 381), so ledger sums stay plain sums.
It never credits more than the invoice still owes: the credited net amounts of all
credit notes against one invoice stay within its net total.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from affbill_billing.domain.drafts import DraftError
from affbill_billing.domain.invoice_lines import Allowance, AllowanceCharge, Line, Vat
from affbill_billing.domain.money import round_money
from affbill_contracts.invoices import InvoiceDocument


@dataclass(frozen=True)
class CreditedLine:
    line_no: int
    quantity: Decimal | None = None  # None: the whole line


@dataclass(frozen=True)
class CreditRequest:
    lines: tuple[CreditedLine, ...] = ()
    amount: Decimal | None = None  # net, in the invoice's currency
    reason: str | None = None


def _reasons(doc: InvoiceDocument) -> dict[tuple[str, Decimal], str | None]:
    return {(g.vat_category.value, g.vat_rate): g.exemption_reason for g in doc.tax_breakdown}


def original_lines(doc: InvoiceDocument) -> dict[int, Line]:
    """The invoice's lines as billing's domain lines, by line number."""
    reasons = _reasons(doc)
    return {x.line_no: Line(x.description, x.quantity, x.unit_price,
                            Vat(x.vat_category.value, x.vat_rate,
                                reasons.get((x.vat_category.value, x.vat_rate))),
                            x.unit_code, x.period_start, x.period_end, tuple(x.item_ids),
                            Allowance(sum((a.amount for a in x.allowances), Decimal(0)),
                                      x.allowances[0].reason, x.allowances[0].reason_code)
                            if x.allowances else None)
            for x in doc.lines}


def original_adjustments(doc: InvoiceDocument) -> tuple[AllowanceCharge, ...]:
    """The invoice's document allowances and charges as billing's domain values."""
    reasons = _reasons(doc)
    return tuple(AllowanceCharge(a.charge, a.amount, Vat(
        a.vat_category.value, a.vat_rate, reasons.get((a.vat_category.value, a.vat_rate))),
        a.reason, a.reason_code) for a in doc.allowances_charges)


def negated(line: Line) -> Line:
    """The line booked the other way: unit price and allowance negated."""
    allowance = line.allowance and replace(line.allowance, amount=-line.allowance.amount)
    return replace(line, unit_price=-line.unit_price, allowance=allowance)


def _chosen(doc: InvoiceDocument, chosen: tuple[CreditedLine, ...]) -> list[Line]:
    by_no, out = original_lines(doc), []
    for n, c in enumerate(chosen):
        line = by_no.get(c.line_no)
        if line is None:
            raise DraftError(f"lines.{n}.line_no", f"invoice {doc.number} has no line "
                             f"{c.line_no} (lines 1..{len(by_no)})")
        quantity = line.quantity if c.quantity is None else c.quantity
        if quantity <= 0 or abs(quantity) > abs(line.quantity):
            raise DraftError(f"lines.{n}.quantity", f"must be above 0 and at most the "
                             f"invoiced quantity {line.quantity}")
        if line.allowance is not None and quantity != line.quantity:
            raise DraftError(f"lines.{n}.quantity", "the line has an allowance: credit all of "
                             "it, or credit an amount")
        out.append(negated(replace(line, quantity=quantity)))
    return out


def _for_amount(doc: InvoiceDocument, amount: Decimal, reason: str | None) -> list[Line]:
    vats = {(g.vat_category.value, g.vat_rate) for g in doc.tax_breakdown}
    if len(vats) != 1:
        raise DraftError("amount", "the invoice has several VAT rates: credit chosen lines "
                         "instead of an amount")
    if amount <= 0 or round_money(amount, doc.currency) != amount:
        raise DraftError("amount", f"must be a positive amount in {doc.currency}'s minor unit")
    g = doc.tax_breakdown[0]
    text = reason or f"Credit on invoice {doc.number}"
    return [Line(text, Decimal(1), -amount,
                 Vat(g.vat_category.value, g.vat_rate, g.exemption_reason),
                 period_start=doc.period_start, period_end=doc.period_end)]


def credit_lines(doc: InvoiceDocument, request: CreditRequest) -> list[Line]:
    """The credit note's lines, booked negative; a DraftError names the field at fault."""
    if bool(request.lines) == (request.amount is not None):
        raise DraftError("lines", "give either lines (with optional quantities) or an amount")
    if request.lines:
        return _chosen(doc, request.lines)
    assert request.amount is not None
    return _for_amount(doc, request.amount, request.reason)


def check_within(doc: InvoiceDocument, credited_net: Decimal, new_net: Decimal) -> None:
    """Refuse crediting more than the invoice's net total (``credited_net`` is what
    earlier credit notes credited, booked negative like ``new_net``)."""
    left = round_money(doc.totals.line_total + credited_net, doc.currency)
    if -new_net > left:
        raise DraftError("amount", f"credits {-new_net} but only {left} {doc.currency} of "
                         f"invoice {doc.number} is left to credit")
