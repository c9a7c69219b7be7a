"""Stat rows of a date window by position (for paging), and totals per day.

A window's global row index runs day by day: the page [start, stop) touches only
the days it overlaps, and only those rows are generated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from affbill_simulator.model import Network, Row

# (advertiser, currency) → [revenue, payout, conversions]; amounts in 0.00001 units
Totals = dict[tuple[str, str], list[int]]


class StatWindow:
    def __init__(self, network: Network, date_from: dt.date, date_to: dt.date) -> None:
        self.network = network
        self.days = [date_from + dt.timedelta(days=n)
                     for n in range(max(0, (date_to - date_from).days + 1))]
        self.counts = [network.day_count(d) for d in self.days]
        self.total = sum(self.counts)

    def page(self, start: int, stop: int, totals: DayTotals | None = None) -> list[Row]:
        """Rows start..stop-1 of the window in report order (telling `totals` what it served)."""
        out: list[Row] = []
        offset = 0
        for day, count in zip(self.days, self.counts, strict=True):
            if offset >= stop:
                break
            if offset + count > start:
                lo = max(start - offset, 0)
                chunk = self.network.rows(day, lo, min(stop - offset, count))
                if totals is not None:
                    totals.observe(day, lo, chunk)
                out += chunk
            offset += count
        return out


class DayTotals:
    """Totals per day and (advertiser, currency), cached: the cheap grouped report and truth.

    Rows served in order fill the cache for free, so the sync's per-day probe after a
    full read costs nothing; a restatement forgets its day.
    """

    def __init__(self, network: Network) -> None:
        self.network = network
        self._cache: dict[dt.date, Totals] = {}
        self._partial: dict[dt.date, tuple[int, Totals]] = {}  # rows seen in order so far

    def forget(self, day: dt.date) -> None:
        self._cache.pop(day, None)
        self._partial.pop(day, None)

    @staticmethod
    def _add(totals: Totals, rows: list[Row]) -> None:
        for _, advertiser, _, _, currency, conversions, revenue, payout in rows:
            t = totals.get((advertiser, currency))
            if t is None:
                t = totals[(advertiser, currency)] = [0, 0, 0]
            t[0] += revenue
            t[1] += payout
            t[2] += conversions

    def observe(self, day: dt.date, first: int, rows: list[Row]) -> None:
        if day in self._cache:
            return
        seen, totals = self._partial.get(day, (0, {}))
        if first != seen:  # not the continuation of what was seen: pages came out of order
            return
        self._add(totals, rows)
        seen += len(rows)
        if seen >= self.network.day_count(day):
            self._cache[day] = totals
            self._partial.pop(day, None)
        else:
            self._partial[day] = (seen, totals)

    def day(self, day: dt.date) -> Totals:
        if day not in self._cache:
            totals: Totals = {}
            self._add(totals, self.network.rows(day, 0, self.network.day_count(day)))
            self._cache[day] = totals
        return self._cache[day]

    def window(self, date_from: dt.date, date_to: dt.date
               ) -> Iterator[tuple[dt.date, str, str, list[int]]]:
        """(day, advertiser, currency, [revenue, payout, conversions]) in report order."""
        for day in StatWindow(self.network, date_from, date_to).days:
            for (advertiser, currency), t in sorted(self.day(day).items(),
                                                    key=lambda kv: (int(kv[0][0]), kv[0][1])):
                yield day, advertiser, currency, t
