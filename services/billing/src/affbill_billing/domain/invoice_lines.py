"""Invoice lines, the tax breakdown and the totals (EN 16931 BR-CO-10..17).

- a line's net amount is quantity × unit price, rounded to the currency's minor unit,
  less its line allowance (BG-27);
- the net total is the sum of the rounded lines (BT-106);
- document allowances (BG-20) and charges (BG-21) fall in a VAT category and rate: each
  group's taxable amount is its lines' sum - its allowances + its charges (BR-CO-13);
- VAT is computed once per VAT category and rate on the group's taxable amount, rounded;
- grand total = net total - allowances + charges + VAT total.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from affbill_billing.domain.fx import Converted
from affbill_billing.domain.money import round_money

ZERO = Decimal(0)


@dataclass(frozen=True)
class Vat:
    category: str  # EN 16931 / UNCL5305: S, Z, E, AE, K, G, O
    rate: Decimal  # percent
    exemption_reason: str | None = None


@dataclass(frozen=True)
class Allowance:
    """A discount on one line (BG-27), with a reason (BT-139) or UNTDID 5189 code (BT-140)."""

    amount: Decimal
    reason: str | None = None
    reason_code: str | None = None


@dataclass(frozen=True)
class AllowanceCharge:
    """A document-level allowance (BG-20) or charge (BG-21) in one VAT category and rate."""

    charge: bool
    amount: Decimal
    vat: Vat
    reason: str | None = None
    reason_code: str | None = None  # UNTDID 5189 (allowance) / 7161 (charge)

    @property
    def signed(self) -> Decimal:
        """What it adds to the taxable amount."""
        return self.amount if self.charge else -self.amount


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
    allowance: Allowance | None = None
    converted: Converted | None = None  # convert mode: the amount in the items' currency

    def net(self, currency: str) -> Decimal:
        gross = round_money(self.quantity * self.unit_price, currency)
        return gross - self.allowance.amount if self.allowance else gross


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
    allowances: Decimal = ZERO  # BT-107
    charges: Decimal = ZERO  # BT-108


def tax_breakdown(lines: list[Line], currency: str,
                  adjustments: tuple[AllowanceCharge, ...] = ()) -> tuple[TaxGroup, ...]:
    taxable: dict[tuple[str, Decimal], Decimal] = {}
    reasons: dict[tuple[str, Decimal], str | None] = {}
    for line in lines:
        key = (line.vat.category, line.vat.rate)
        taxable[key] = taxable.get(key, ZERO) + line.net(currency)
        reasons.setdefault(key, line.vat.exemption_reason)
    for a in adjustments:
        key = (a.vat.category, a.vat.rate)
        taxable[key] = taxable.get(key, ZERO) + a.signed
        reasons.setdefault(key, a.vat.exemption_reason)
    return tuple(
        TaxGroup(Vat(cat, rate, reasons[(cat, rate)]), amount,
                 round_money(amount * rate / 100, currency))
        for (cat, rate), amount in sorted(taxable.items()))


def totals(lines: list[Line], currency: str,
           adjustments: tuple[AllowanceCharge, ...] = ()) -> Totals:
    groups = tax_breakdown(lines, currency, adjustments)
    net = sum((line.net(currency) for line in lines), ZERO)
    allowances = sum((a.amount for a in adjustments if not a.charge), ZERO)
    charges = sum((a.amount for a in adjustments if a.charge), ZERO)
    tax = sum((g.tax for g in groups), ZERO)
    return Totals(net=net, tax=tax, gross=net - allowances + charges + tax, groups=groups,
                  allowances=allowances, charges=charges)
