"""The simulated network's stat rows: a pure function of (seed, scale, day, row index).

Stat rows are never all held in memory. A day's natural keys are the combinations
(offer, affiliate, currency), numbered offer-major; offer ids are contiguous per
advertiser and each advertiser's currencies are numbered alphabetically, so
combination order is the report order (advertiser, offer, affiliate, currency).
Row k of a day picks one combination inside the k-th of `per_day` equal strides of
that space: keys are unique per day and come out sorted without sorting, and row k
alone can be computed, so a page costs O(page size).

Restated, removed and added rows are small overrides: a day that has any is
materialised as a sorted list; every other day stays virtual.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from affbill_simulator.partners import Partners
from affbill_simulator.scale import Scale, mix

RowKey = tuple[str, str, str, str, str]  # date (ISO), advertiser, offer, affiliate, currency


class Row(NamedTuple):
    """Amounts are whole units of 0.00001 (the 5 decimals adtrackers send).

    A NamedTuple because a page makes 50,000 of them: 4x cheaper than a frozen dataclass.
    """

    date: dt.date
    advertiser_id: str
    offer_id: str
    affiliate_id: str
    currency: str
    conversions: int
    revenue5: int
    payout5: int

    @property
    def key(self) -> RowKey:
        return (self.date.isoformat(), self.advertiser_id, self.offer_id, self.affiliate_id,
                self.currency)

    def sort_key(self) -> tuple[int, int, int, str]:
        return (int(self.advertiser_id), int(self.offer_id), int(self.affiliate_id), self.currency)


class Network:
    def __init__(self, scale: Scale) -> None:
        self.scale = s = scale
        self.partners = Partners(scale)
        self.per_offer = s.affiliates * s.currencies_per_advertiser
        self.space = s.advertisers * s.offers_per_advertiser * self.per_offer
        self.per_day = min(s.rows_per_day, self.space)
        self.overrides: dict[dt.date, dict[RowKey, Row | None]] = {}
        self._materialised: dict[dt.date, list[Row]] = {}
        offers = range(1, s.advertisers * s.offers_per_advertiser + 1)
        # per-index lookups instead of arithmetic and str() per row: the hot path
        self._offer_ids = [str(o) for o in offers]
        self._offer_advertiser = [str((o - 1) // s.offers_per_advertiser + 1) for o in offers]
        self._offer_prices = [self.partners.offer_price5(o) for o in offers]
        self._offer_currencies = [sorted(self.partners.currencies((o - 1) // s.offers_per_advertiser
                                                                  + 1)) for o in offers]
        self._affiliate_ids = [str(1001 + i) for i in range(s.affiliates)]

    def day_index(self, day: dt.date) -> int:
        return (day - self.scale.start_date).days

    def in_scale(self, day: dt.date) -> bool:
        return 0 <= self.day_index(day) < self.scale.days

    def base_rows(self, day: dt.date, start: int, stop: int) -> list[Row]:
        """Rows start..stop-1 of a day as generated (overrides not applied)."""
        seed, d = self.scale.seed, self.day_index(day)
        space, per_day, per_offer = self.space, self.per_day, self.per_offer
        currencies = self.scale.currencies_per_advertiser
        offer_ids, advertisers, prices = self._offer_ids, self._offer_advertiser, self._offer_prices
        offer_currencies, affiliate_ids = self._offer_currencies, self._affiliate_ids
        out = []
        for k in range(start, stop):
            lo = k * space // per_day
            h = mix(seed, d, k)
            offer, rest = divmod(lo + h % ((k + 1) * space // per_day - lo), per_offer)
            affiliate, currency = divmod(rest, currencies)
            conversions = (h >> 20) % 40
            revenue = prices[offer] * conversions
            if (h >> 30) % 5 == 0:  # a bonus with source precision: exercises rounding
                revenue += (h >> 34) % 100_000
            out.append(Row(day, advertisers[offer], offer_ids[offer], affiliate_ids[affiliate],
                           offer_currencies[offer][currency], conversions, revenue,
                           revenue * 4 // 5))
        return out

    def day_count(self, day: dt.date) -> int:
        if day in self.overrides:
            return len(self.day_rows(day))
        return self.per_day if self.in_scale(day) else 0

    def rows(self, day: dt.date, start: int, stop: int) -> list[Row]:
        """Rows start..stop-1 of a day in report order, overrides applied."""
        if day in self.overrides:
            return self.day_rows(day)[start:stop]
        return self.base_rows(day, start, min(stop, self.day_count(day)))

    def day_rows(self, day: dt.date) -> list[Row]:
        if day not in self.overrides:
            return self.base_rows(day, 0, self.day_count(day))
        if day not in self._materialised:
            base = self.base_rows(day, 0, self.per_day) if self.in_scale(day) else []
            rows = {r.key: r for r in base}
            for key, row in self.overrides[day].items():
                if row is None:
                    rows.pop(key, None)
                else:
                    rows[key] = row
            self._materialised[day] = sorted(rows.values(), key=Row.sort_key)
        return self._materialised[day]

    def find(self, key: RowKey) -> Row | None:
        return next((r for r in self.day_rows(dt.date.fromisoformat(key[0])) if r.key == key),
                    None)

    def restate(self, key: RowKey, row: Row | None) -> None:
        """Change, add (row) or remove (None) the row with this natural key."""
        day = dt.date.fromisoformat(key[0])
        self.overrides.setdefault(day, {})[key] = row
        self._materialised.pop(day, None)
