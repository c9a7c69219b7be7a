"""Billing thresholds defer, they don't drop: below the threshold, items wait."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from affbill_billing.domain.periods import BillingFrequency, BillingPeriod, period_of


def reaches_threshold(open_total: Decimal, threshold: Decimal | None) -> bool:
    """Equal to the threshold is invoiced; no threshold means always."""
    return threshold is None or open_total >= threshold


def bills_now(total: Decimal, threshold: Decimal | None) -> bool:
    """A batch run bills a total when its size reaches the threshold, whatever its sign:
    a credit of 3.00 waits like an invoice of 3.00 (docs/decisions.md)."""
    return reaches_threshold(abs(total), threshold)


def waived(oldest_day: dt.date, billed: BillingPeriod | None, frequency: BillingFrequency,
           max_periods: int | None) -> bool:
    """A profile's maximum age: items carried for ``max_periods`` periods are billed anyway,
    below the threshold — when the oldest one's period lies that many periods before the
    billed period."""
    if max_periods is None or billed is None:
        return False
    period = period_of(frequency, oldest_day)
    for _ in range(max_periods):
        period = period_of(frequency, period.end + dt.timedelta(days=1))
    return period.start <= billed.start
