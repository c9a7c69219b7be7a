"""The sync's own view of adtracker facts, before they become wire events."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from affbill_sync.domain.facts import stat_key


@dataclass(slots=True, frozen=True)
class StatFact:
    """One stat row as read, validated. Millions of these pass through: kept lean."""

    date: dt.date
    advertiser_id: str
    offer_id: str
    offer_name: str
    affiliate_id: str
    currency: str
    conversions: int
    revenue: Decimal
    payout: Decimal

    def key(self, connector: str) -> str:
        return stat_key(connector, self.date.isoformat(), self.advertiser_id, self.offer_id,
                        self.affiliate_id, self.currency)

    def digest(self) -> bytes:
        # hot path: the amounts as the source wrote them (stable per connector)
        return hashlib.blake2b(f"{self.offer_name}\x1f{self.conversions}\x1f{self.revenue}"
                               f"\x1f{self.payout}".encode(), digest_size=16).digest()


@dataclass(frozen=True)
class DayTotal:
    """A day's totals for one advertiser and currency: what the partial-sync probe compares."""

    advertiser_id: str
    currency: str
    revenue: Decimal
    payout: Decimal
    conversions: int

    def as_tuple(self) -> tuple[str, str, Decimal, Decimal, int]:
        return (self.advertiser_id, self.currency, self.revenue, self.payout, self.conversions)


def totals_of(facts: list[StatFact]) -> list[DayTotal]:
    sums: dict[tuple[str, str], list] = {}
    for f in facts:
        s = sums.setdefault((f.advertiser_id, f.currency), [Decimal(0), Decimal(0), 0])
        s[0] += f.revenue
        s[1] += f.payout
        s[2] += f.conversions
    return [DayTotal(a, c, r, p, n) for (a, c), (r, p, n) in sums.items()]
