"""A cancellation document: the original's lines negated, its own number, type 381
referring to the original (an invoice is corrected by cancelling it, never edited)."""

from __future__ import annotations

from dataclasses import replace

from affbill_billing.domain.invoice_lines import Line
from affbill_contracts.invoices import DocumentType


def cancellation_lines(lines: list[Line]) -> list[Line]:
    """Each line at the negated unit price: quantity × price still prints the net amount,
    and every amount and VAT group is exactly the original's negated (HALF_UP rounds
    away from zero, symmetrically)."""
    return [replace(line, unit_price=-line.unit_price, allowance=line.allowance and replace(
        line.allowance, amount=-line.allowance.amount)) for line in lines]


def cancellation_type(original_type: str) -> DocumentType:
    """381 cancels an invoice; a credit note (381) is cancelled by an invoice (380)."""
    return (DocumentType.INVOICE if original_type == DocumentType.CREDIT_NOTE
            else DocumentType.CREDIT_NOTE)
