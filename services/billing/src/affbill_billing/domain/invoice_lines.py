"""Invoice lines, the tax breakdown and the totals (EN 16931 BR-CO-10/14/17).

- a line's net amount is quantity × unit price, rounded to the currency's minor unit;
- the net total is the sum of the rounded lines;
- VAT is computed once per VAT category and rate on the sum of its lines, rounded;
- grand total = net total + VAT total.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from affbill_billing.domain.money import round_money

ZERO = Decimal(0)


@dataclass(frozen=True)
class Vat:
    category: str  # EN 16931 / UNCL5305: S, Z, E, AE, K, G, O
    rate: Decimal  # percent
    exemption_reason: str | None = None


@dataclass(frozen=True)
class Line:
    description: str
    quantity: Decimal
    unit_price: Decimal
    vat: Vat
    unit_code: str = "C62"
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    item_ids: tuple[uuid.UUID, ...] = field(default_factory=tuple)

    def net(self, currency: str) -> Decimal:
        return round_money(self.quantity * self.unit_price, currency)


@dataclass(frozen=True)
class TaxGroup:
    vat: Vat
    taxable: Decimal
    tax: Decimal


@dataclass(frozen=True)
class Totals:
    net: Decimal
    tax: Decimal
    gross: Decimal
    groups: tuple[TaxGroup, ...]


def tax_breakdown(lines: list[Line], currency: str) -> tuple[TaxGroup, ...]:
    taxable: dict[tuple[str, Decimal], Decimal] = {}
    reasons: dict[tuple[str, Decimal], str | None] = {}
    for line in lines:
        key = (line.vat.category, line.vat.rate)
        taxable[key] = taxable.get(key, ZERO) + line.net(currency)
        reasons.setdefault(key, line.vat.exemption_reason)
    return tuple(
        TaxGroup(Vat(cat, rate, reasons[(cat, rate)]), amount,
                 round_money(amount * rate / 100, currency))
        for (cat, rate), amount in sorted(taxable.items()))


def totals(lines: list[Line], currency: str) -> Totals:
    groups = tax_breakdown(lines, currency)
    net = sum((line.net(currency) for line in lines), ZERO)
    tax = sum((g.tax for g in groups), ZERO)
    return Totals(net=net, tax=tax, gross=net + tax, groups=groups)
