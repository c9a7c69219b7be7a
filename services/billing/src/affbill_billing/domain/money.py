"""Rounding money: HALF_UP to the currency's minor unit (EUR cents, JPY yen, KWD fils)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from affbill_contracts.money import quantum


def round_money(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(quantum(currency), rounding=ROUND_HALF_UP)
