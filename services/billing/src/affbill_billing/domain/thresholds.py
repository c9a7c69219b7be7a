"""Billing thresholds defer, they don't drop: below the threshold, items wait."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from affbill_billing.domain.periods import ONE_DAY, BillingFrequency, BillingPeriod, period_of


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


def fiscal_year_end_in(billed: BillingPeriod, start_month: int) -> dt.date | None:
    """The last day of a fiscal year (years start on the 1st of ``start_month``) that lies in
    the billed period, if one does."""
    for year in range(billed.start.year, billed.end.year + 2):
        end = dt.date(year, start_month, 1) - ONE_DAY
        if end in billed:
            return end
    return None


def waiver(oldest_day: dt.date, billed: BillingPeriod | None, frequency: BillingFrequency,
           max_periods: int | None, at_fiscal_year_end: bool = False,
           fiscal_year_start_month: int = 1) -> str | None:
    """Why items below the threshold are billed anyway (the end of the job log's
    "Threshold waived for <customer>: …" line), or None: they wait. The maximum age in
    periods, or — when the profile asks for it — the fiscal year end lying in the billed
    period: everything held back is billed with the year's last period."""
    if waived(oldest_day, billed, frequency, max_periods):
        return f"items older than {max_periods} periods"
    if at_fiscal_year_end and billed is not None and (
            end := fiscal_year_end_in(billed, fiscal_year_start_month)):
        return f"fiscal year end {end}"
    return None
