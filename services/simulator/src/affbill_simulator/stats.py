"""Reading stat rows of a date window by position (for paging), and day totals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from affbill_simulator.model import Network, Row

Totals = dict[tuple[str, str], list]  # (advertiser, currency) → [revenue, payout, conversions]


class StatWindow:
    def __init__(self, network: Network, date_from: dt.date, date_to: dt.date) -> None:
        self.network = network
        self.days = [date_from + dt.timedelta(days=n)
                     for n in range(max(0, (date_to - date_from).days + 1))]
        self.counts = [network.day_count(d) for d in self.days]
        self.total = sum(self.counts)

    def rows(self, start: int, stop: int) -> Iterator[Row]:
        """Rows start..stop-1 of the window, in order."""
        offset = 0
        for day, count in zip(self.days, self.counts, strict=True):
            if offset + count > start and offset < stop:
                lo, hi = max(start - offset, 0), min(stop - offset, count)
                if day in self.network.overrides:
                    yield from self.network.day_rows(day)[lo:hi]
                else:
                    base = self.network.base_row
                    for k in range(lo, hi):
                        yield base(day, k)
            offset += count
            if offset >= stop:
                return


class DayTotals:
    """Totals per day and (advertiser, currency), cached: the cheap grouped report."""

    def __init__(self, network: Network) -> None:
        self.network = network
        self._cache: dict[dt.date, Totals] = {}

    def forget(self, day: dt.date) -> None:
        self._cache.pop(day, None)

    def day(self, day: dt.date) -> Totals:
        if day not in self._cache:
            totals: Totals = {}
            for row in StatWindow(self.network, day, day).rows(0, self.network.day_count(day)):
                t = totals.setdefault((row.advertiser_id, row.currency),
                                      [Decimal(0), Decimal(0), 0])
                t[0] += row.revenue
                t[1] += row.payout
                t[2] += row.conversions
            self._cache[day] = totals
        return self._cache[day]

    def window(self, date_from: dt.date, date_to: dt.date) -> Iterator[tuple[dt.date, str, str, list]]:
        for day in StatWindow(self.network, date_from, date_to).days:
            for (advertiser, currency), t in sorted(self.day(day).items(),
                                                    key=lambda kv: (int(kv[0][0]), kv[0][1])):
                yield day, advertiser, currency, t
