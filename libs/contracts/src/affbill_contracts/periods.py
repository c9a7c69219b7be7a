"""Billing periods as clerks name them on the wire (``affbill run --period 2026-11``).

The name is the API's format; the days are what travels in commands: the first and the
last day of the period, both billed. Pure, standard library only.
"""

from __future__ import annotations

import datetime as dt
import re

FORMATS = ("2026-11 (a month), 2026-Q4 (a quarter), 2026-W47 (an ISO week), "
           "2026-11-01..2026-11-14 (first..last day)")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_QUARTER = re.compile(r"(\d{4})-Q([1-4])")
_WEEK = re.compile(r"(\d{4})-W(\d{2})")
_DAYS = re.compile(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})")


def month_days(year: int, month: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, month, 1)
    after = dt.date(year + month // 12, month % 12 + 1, 1)
    return start, after - dt.timedelta(days=1)


def period_days(name: str) -> tuple[dt.date, dt.date]:
    """(first day, last day) of a named period; ValueError says which formats exist."""
    try:
        if m := _MONTH.fullmatch(name):
            return month_days(int(m[1]), int(m[2]))
        if m := _QUARTER.fullmatch(name):
            first = month_days(int(m[1]), 3 * int(m[2]) - 2)[0]
            return first, month_days(int(m[1]), 3 * int(m[2]))[1]
        if m := _WEEK.fullmatch(name):
            monday = dt.date.fromisocalendar(int(m[1]), int(m[2]), 1)
            return monday, monday + dt.timedelta(days=6)
        if m := _DAYS.fullmatch(name):
            start, end = dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2])
            if start > end:
                raise ValueError("its last day is before its first")
            return start, end
    except ValueError as exc:
        raise ValueError(f"period {name!r}: {exc}") from None
    raise ValueError(f"period {name!r}: not a period; use {FORMATS}")
