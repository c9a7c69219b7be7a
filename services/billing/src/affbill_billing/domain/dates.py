"""The invoice date and the due date a profile (or a run) asks for. Pure.

Invoice date: the day the document is generated ("today"), the last day of the billed
period, or the first day after it. Due date: the payment days counted from the invoice
date or from the day the document is generated (they differ when the invoice date is
the period's end).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum


class InvoiceDateRule(StrEnum):
    TODAY = "today"
    PERIOD_END = "last_day_of_period"
    DAY_AFTER_PERIOD = "first_day_after_period"


class DueDateBasis(StrEnum):
    ISSUE_DATE = "issue_date"
    GENERATION_DATE = "generation_date"


def invoice_date(rule: InvoiceDateRule, today: dt.date, period_end: dt.date) -> dt.date:
    if rule is InvoiceDateRule.PERIOD_END:
        return period_end
    if rule is InvoiceDateRule.DAY_AFTER_PERIOD:
        return period_end + dt.timedelta(days=1)
    return today


def due_date(issue_date: dt.date, payment_days: int, *, generated: dt.date | None = None,
             basis: DueDateBasis = DueDateBasis.ISSUE_DATE) -> dt.date:
    """``payment_days`` after the issue date, or after ``generated`` by that basis."""
    start = generated if basis is DueDateBasis.GENERATION_DATE and generated else issue_date
    return start + dt.timedelta(days=payment_days)
