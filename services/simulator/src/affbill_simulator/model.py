"""The simulated network: partners, offers, stat rows and conversions, computed on demand.

Stat row k of day d is a pure function of (seed, d, k): rows are never all held
in memory. Within a day, rows come out sorted by (advertiser, offer, affiliate,
currency) because row k picks a combination inside the k-th stride of the
combination space. Restated, removed and added rows are overrides: a day with
overrides is materialised as a list, the others stay virtual.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from affbill_simulator.scale import Scale

CURRENCIES = ("EUR", "USD", "GBP", "CHF")
STATUSES = ("active", "active", "active", "active", "pending", "blocked")
Q5 = Decimal("0.00001")
MASK = (1 << 64) - 1


def mix(*values: int) -> int:
    """Deterministic pseudo-randomness from integers (hashing int tuples is not salted)."""
    h = hash(values) & MASK
    return (h * 0x9E3779B97F4A7C15 & MASK) ^ (h >> 29)


@dataclass(frozen=True, slots=True)
class Row:
    """Amounts are whole units of 0.00001 (the 5 decimals adtrackers send): cheap to make."""

    date: dt.date
    advertiser_id: str
    offer_id: str
    affiliate_id: str
    currency: str
    conversions: int
    revenue5: int
    payout5: int

    @property
    def revenue(self) -> Decimal:
        return Decimal(self.revenue5).scaleb(-5)

    @property
    def payout(self) -> Decimal:
        return Decimal(self.payout5).scaleb(-5)

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        return (self.date.isoformat(), self.advertiser_id, self.offer_id, self.affiliate_id,
                self.currency)

    def sort_key(self) -> tuple[int, int, int, str]:
        return (int(self.advertiser_id), int(self.offer_id), int(self.affiliate_id), self.currency)


@dataclass(frozen=True)
class Conversion:
    conversion_id: str
    at: dt.datetime  # network-local, naive
    advertiser_id: str
    offer_id: str
    affiliate_id: str
    currency: str
    revenue: Decimal
    payout: Decimal
    status: str


class Network:
    def __init__(self, scale: Scale) -> None:
        self.scale = s = scale
        self.offer_count = s.advertisers * s.offers_per_advertiser
        self.space = self.offer_count * s.affiliates * s.currencies_per_advertiser
        self.per_day = min(s.rows_per_day, self.space)
        self.overrides: dict[dt.date, dict[tuple[str, ...], Row | None]] = {}
        self._materialised: dict[dt.date, list[Row]] = {}
        self.statuses: dict[str, str] = {}
        self._prices = [0] + [self.offer_price5(o) for o in range(1, self.offer_count + 1)]
        self._currencies = [[]] + [self.currencies(a) for a in range(1, s.advertisers + 1)]
        self.conversions = self._conversions()

    # --- partners -------------------------------------------------------
    def currencies(self, advertiser: int) -> list[str]:
        first = mix(self.scale.seed, 11, advertiser) % len(CURRENCIES)
        n = self.scale.currencies_per_advertiser
        return [CURRENCIES[(first + i) % len(CURRENCIES)] for i in range(n)]

    def manager(self, kind: int, partner: int) -> int:
        return 1 + mix(self.scale.seed, kind, partner) % self.scale.employees

    def status(self, kind: int, partner: int) -> str:
        return STATUSES[mix(self.scale.seed, 20 + kind, partner) % len(STATUSES)]

    def offer_price(self, offer: int) -> Decimal:
        return Decimal(self.offer_price5(offer)).scaleb(-5)

    def offer_price5(self, offer: int) -> int:
        return (50 + mix(self.scale.seed, 3, offer) % 4950) * 1000

    # --- stat rows ------------------------------------------------------
    def day_index(self, day: dt.date) -> int:
        return (day - self.scale.start_date).days

    def base_row(self, day: dt.date, k: int) -> Row:
        s, d = self.scale, self.day_index(day)
        lo, hi = k * self.space // self.per_day, (k + 1) * self.space // self.per_day
        h = mix(s.seed, d, k)
        combo = lo + h % (hi - lo)
        cur_i = combo % s.currencies_per_advertiser
        aff_i = combo // s.currencies_per_advertiser % s.affiliates
        offer = combo // (s.currencies_per_advertiser * s.affiliates) + 1
        advertiser = (offer - 1) // s.offers_per_advertiser + 1
        conversions = (h >> 20) % 40
        revenue = self._prices[offer] * conversions
        if (h >> 30) % 5 == 0:  # a bonus with source precision: exercises rounding
            revenue += (h >> 34) % 100_000
        return Row(day, str(advertiser), str(offer), str(1000 + aff_i + 1),
                   self._currencies[advertiser][cur_i], conversions, revenue, revenue * 4 // 5)

    def has_day(self, day: dt.date) -> bool:
        return 0 <= self.day_index(day) < self.scale.days or day in self.overrides

    def day_count(self, day: dt.date) -> int:
        if day in self.overrides:
            return len(self.day_rows(day))
        return self.per_day if self.has_day(day) else 0

    def day_rows(self, day: dt.date) -> list[Row]:
        if day not in self.overrides:
            return [self.base_row(day, k) for k in range(self.day_count(day))]
        if day not in self._materialised:
            base = ([self.base_row(day, k) for k in range(self.per_day)]
                    if 0 <= self.day_index(day) < self.scale.days else [])
            rows = {r.key: r for r in base}
            for key, row in self.overrides[day].items():
                if row is None:
                    rows.pop(key, None)
                else:
                    rows[key] = row
            self._materialised[day] = sorted(rows.values(), key=Row.sort_key)
        return self._materialised[day]

    def row_at(self, day: dt.date, k: int) -> Row:
        if day in self.overrides:
            return self.day_rows(day)[k]
        return self.base_row(day, k)

    def restate(self, row_key: tuple[str, ...], row: Row | None) -> None:
        day = dt.date.fromisoformat(row_key[0])
        self.overrides.setdefault(day, {})[row_key] = row
        self._materialised.pop(day, None)

    def find(self, row_key: tuple[str, ...]) -> Row | None:
        day = dt.date.fromisoformat(row_key[0])
        return next((r for r in self.day_rows(day) if r.key == row_key), None)

    # --- conversions ----------------------------------------------------
    def _conversions(self) -> list[Conversion]:
        s, out = self.scale, []
        for d in range(s.days):
            day = s.start_date + dt.timedelta(days=d)
            for a in range(1, s.advertisers + 1):
                h = mix(s.seed, 7, d, a)
                for n in range(h % 4):
                    hn = mix(h, n)
                    offer = (a - 1) * s.offers_per_advertiser + 1 + hn % s.offers_per_advertiser
                    price = self.offer_price(offer)
                    pending = (hn >> 16) % 1000 < s.pending_share * 1000
                    at = dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=hn % 86400)
                    out.append(Conversion(f"c-{len(out) + 1}", at, str(a), str(offer),
                                          str(1001 + (hn >> 8) % s.affiliates),
                                          self.currencies(a)[0], price, price * Decimal("0.8"),
                                          "pending" if pending else "approved"))
        return out

    def conversion_status(self, c: Conversion) -> str:
        return self.statuses.get(c.conversion_id, c.status)
