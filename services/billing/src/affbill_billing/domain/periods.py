"""Billing periods: the days a run bills, by a customer's billing frequency. Pure.

Periods tile the calendar: every day belongs to exactly one period of each frequency, and
a period's successor starts the day after it ends. Weeks start on Monday; biweekly
periods are pairs of ISO weeks counted from Monday 2024-01-01; months and quarters are
calendar ones. Which day it is depends on the network's time zone: a period is *closed*
once its last day is over there, and the current day is never billed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from affbill_contracts.periods import month_days

BIWEEKLY_ANCHOR = dt.date(2024, 1, 1)  # a Monday: biweekly periods start 14·n days after it
ONE_DAY = dt.timedelta(days=1)


class BillingFrequency(StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


@dataclass(frozen=True, order=True)
class BillingPeriod:
    """The days from ``start`` to ``end``, both included."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError(f"period: {self.end} is before {self.start}")

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end

    def __str__(self) -> str:
        return f"{self.start}..{self.end}"

    def starts_at(self, zone: ZoneInfo) -> dt.datetime:
        """The instant the period begins: midnight of its first day in the zone, in UTC."""
        return _midnight(self.start, zone)

    def ends_at(self, zone: ZoneInfo) -> dt.datetime:
        """The instant the period is over: midnight after its last day in the zone, in UTC."""
        return _midnight(self.end + ONE_DAY, zone)


def _midnight(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=zone).astimezone(dt.UTC)


def period_of(frequency: BillingFrequency, day: dt.date) -> BillingPeriod:
    """The period of this frequency that holds the day."""
    if frequency is BillingFrequency.WEEKLY:
        monday = day - dt.timedelta(days=day.weekday())
        return BillingPeriod(monday, monday + dt.timedelta(days=6))
    if frequency is BillingFrequency.BIWEEKLY:
        start = BIWEEKLY_ANCHOR + dt.timedelta(days=(day - BIWEEKLY_ANCHOR).days // 14 * 14)
        return BillingPeriod(start, start + dt.timedelta(days=13))
    if frequency is BillingFrequency.MONTHLY:
        return BillingPeriod(*month_days(day.year, day.month))
    first = 3 * ((day.month - 1) // 3) + 1
    return BillingPeriod(month_days(day.year, first)[0], month_days(day.year, first + 2)[1])


def local_day(now: dt.datetime, zone: ZoneInfo) -> dt.date:
    """The day it is in the network's time zone at an aware instant."""
    return now.astimezone(zone).date()


def last_closed(frequency: BillingFrequency, today: dt.date) -> BillingPeriod:
    """The latest period of the frequency that is over on ``today`` (the run's default)."""
    return period_of(frequency, period_of(frequency, today).start - ONE_DAY)


def billed_until(period_end: dt.date, today: dt.date) -> dt.date:
    """The last day a run bills: the period's end, but never today or later."""
    return min(period_end, today - ONE_DAY)
