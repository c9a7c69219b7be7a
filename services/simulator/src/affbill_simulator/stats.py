"""Reading stat rows of a date window by position (for paging), and day totals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from affbill_simulator.model import Network, Row

# (advertiser, currency) → [revenue, payout, conversions]; amounts in 0.00001 units
Totals = dict[tuple[str, str], list]


class StatWindow:
    def __init__(self, network: Network, date_from: dt.date, date_to: dt.date) -> None:
        self.network = network
        self.days = [date_from + dt.timedelta(days=n)
                     for n in range(max(0, (date_to - date_from).days + 1))]
        self.counts = [network.day_count(d) for d in self.days]
        self.total = sum(self.counts)

    def rows(self, start: int, stop: int, totals: "DayTotals | None" = None) -> Iterator[Row]:
        """Rows start..stop-1 of the window, in order (telling `totals` what it served)."""
        offset = 0
        for day, count in zip(self.days, self.counts, strict=True):
            if offset + count > start and offset < stop:
                lo, hi = max(start - offset, 0), min(stop - offset, count)
                if day in self.network.overrides:
                    chunk = self.network.day_rows(day)[lo:hi]
                else:
                    base = self.network.base_row
                    chunk = [base(day, k) for k in range(lo, hi)]
                if totals is not None:
                    totals.observe(day, lo, chunk)
                yield from chunk
            offset += count
            if offset >= stop:
                return


class DayTotals:
    """Totals per day and (advertiser, currency), cached: the cheap grouped report."""

    def __init__(self, network: Network) -> None:
        self.network = network
        self._cache: dict[dt.date, Totals] = {}
        self._partial: dict[dt.date, tuple[int, Totals]] = {}  # rows seen in order so far

    def forget(self, day: dt.date) -> None:
        self._cache.pop(day, None)
        self._partial.pop(day, None)

    @staticmethod
    def _add(totals: Totals, rows: list[Row]) -> None:
        for row in rows:
            t = totals.setdefault((row.advertiser_id, row.currency), [0, 0, 0])
            t[0] += row.revenue5
            t[1] += row.payout5
            t[2] += row.conversions

    def observe(self, day: dt.date, first: int, rows: list[Row]) -> None:
        """Rows of a day just served in order: their totals come for free."""
        if day in self._cache:
            return
        seen, totals = self._partial.get(day, (0, {}))
        if first != seen:
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
            self._add(totals, list(StatWindow(self.network, day, day).rows(
                0, self.network.day_count(day))))
            self._cache[day] = totals
        return self._cache[day]

    def window(self, date_from: dt.date, date_to: dt.date) -> Iterator[tuple[dt.date, str, str, list]]:
        for day in StatWindow(self.network, date_from, date_to).days:
            for (advertiser, currency), t in sorted(self.day(day).items(),
                                                    key=lambda kv: (int(kv[0][0]), kv[0][1])):
                yield day, advertiser, currency, t
