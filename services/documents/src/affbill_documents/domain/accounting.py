"""A document's amounts in the seller's accounting currency, for the API view and the
exports that follow (pure, no I/O).

A document in the accounting currency is its own; one in another currency is converted at
the rate on its snapshot (``vat_accounting``: rate, date, source): the VAT is the BT-111
billing stated, net and gross are divided by the rate and rounded HALF_UP to the
accounting currency's minor unit, each once. Amounts keep billing's booked sign. A
foreign document issued without a rate (before rates were kept, or without VAT while no
rate was known) has none: None, never a guessed rate.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from affbill_contracts.invoices import InvoiceDocument
from affbill_contracts.money import quantum

ACCOUNTING_CURRENCY = "EUR"


def _converted(value: Decimal, rate: Decimal, currency: str) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 60
        exact = value / rate
    return exact.quantize(quantum(currency), rounding=ROUND_HALF_UP)


def accounting_amounts(doc: InvoiceDocument) -> dict[str, Any] | None:
    """{currency, rate, rate_date, source, net_total, tax_total, gross_total} or None."""
    t = doc.totals
    net = t.line_total - t.allowance_total + t.charge_total
    if doc.currency == ACCOUNTING_CURRENCY:
        return {"currency": doc.currency, "rate": "1", "rate_date": None, "source": None,
                "net_total": str(net), "tax_total": str(t.tax_total),
                "gross_total": str(t.grand_total)}
    fx = doc.vat_accounting
    if fx is None:
        return None
    return {"currency": fx.currency, "rate": str(fx.rate), "rate_date": fx.rate_date.isoformat(),
            "source": fx.source, "net_total": str(_converted(net, fx.rate, fx.currency)),
            "tax_total": str(fx.tax_total),
            "gross_total": str(_converted(net, fx.rate, fx.currency) + fx.tax_total)}
