"""Billing periods as the clerk writes them (the same spellings `affbill run --period`
takes): `2026-11`, `2026-Q4`, `2026-W47` (ISO week), `2026-11-01..2026-11-14`."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from affbill_cli.client import GatewayError


def period_range(spec: str) -> tuple[str, str]:
    """The first and last day of the period, as ISO dates; a clear error otherwise."""
    s = spec.strip()
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{2})", s):
            year, month = int(m[1]), int(m[2])
            last = calendar.monthrange(year, month)[1]
            return dt.date(year, month, 1).isoformat(), dt.date(year, month, last).isoformat()
        if m := re.fullmatch(r"(\d{4})-Q([1-4])", s, re.IGNORECASE):
            year, q = int(m[1]), int(m[2])
            end = dt.date(year, 3 * q, calendar.monthrange(year, 3 * q)[1])
            return dt.date(year, 3 * q - 2, 1).isoformat(), end.isoformat()
        if m := re.fullmatch(r"(\d{4})-W(\d{2})", s, re.IGNORECASE):
            monday = dt.date.fromisocalendar(int(m[1]), int(m[2]), 1)
            return monday.isoformat(), (monday + dt.timedelta(days=6)).isoformat()
        if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", s):
            first, last = dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2])
            if first <= last:
                return first.isoformat(), last.isoformat()
    except ValueError:
        pass
    raise GatewayError(f"--period {spec!r}: write 2026-11, 2026-Q4, 2026-W47 or "
                       "2026-11-01..2026-11-14", 2)
