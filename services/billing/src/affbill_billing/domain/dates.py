"""The invoice date and the due date a profile asks for."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum


class InvoiceDateRule(StrEnum):
    TODAY = "today"
    PERIOD_END = "last_day_of_period"
    DAY_AFTER_PERIOD = "first_day_after_period"


def invoice_date(rule: InvoiceDateRule, today: dt.date, period_end: dt.date) -> dt.date:
    if rule is InvoiceDateRule.PERIOD_END:
        return period_end
    if rule is InvoiceDateRule.DAY_AFTER_PERIOD:
        return period_end + dt.timedelta(days=1)
    return today


def due_date(issue_date: dt.date, payment_days: int) -> dt.date:
    return issue_date + dt.timedelta(days=payment_days)
