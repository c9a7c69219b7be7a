"""The explicit list of individual conversions and their status moves.

At most 5 per day and advertiser, so the list is small enough to build at reset.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from affbill_simulator.money import Q5
from affbill_simulator.partners import Partners
from affbill_simulator.scale import Scale, mix

# "invalid" is Everflow's own word; HasOffers shows such a conversion as rejected
MOVES = {("pending", "approved"), ("pending", "rejected"), ("pending", "invalid"),
         ("approved", "rejected")}
PAYOUT_SHARE = Decimal("0.8")


@dataclass(frozen=True)
class Conversion:
    conversion_id: str
    at: dt.datetime  # network-local, naive: how HasOffers writes it
    advertiser_id: str
    offer_id: str
    affiliate_id: str
    currency: str
    revenue: Decimal
    payout: Decimal
    status: str  # as generated; moves live in Conversions.moved


class NotAllowed(Exception):
    pass


class Conversions:
    def __init__(self, scale: Scale, partners: Partners) -> None:
        self.all = list(_generate(scale, partners))
        self.by_id = {c.conversion_id: c for c in self.all}
        self.moved: dict[str, str] = {}

    def status(self, c: Conversion) -> str:
        return self.moved.get(c.conversion_id, c.status)

    def select(self, date_from: dt.date, date_to: dt.date, statuses: set[str]
               ) -> list[Conversion]:
        """Conversions of the window (network-local days), in id order; any status if none."""
        return [c for c in self.all if date_from <= c.at.date() <= date_to
                and (not statuses or self.status(c) in statuses)]

    def move(self, conversion_id: str, status: str) -> None:
        """KeyError for an unknown id, NotAllowed for a move the adtracker refuses."""
        current = self.status(self.by_id[conversion_id])
        if (current, status) not in MOVES:
            raise NotAllowed(f"{conversion_id} cannot go from {current} to {status}")
        self.moved[conversion_id] = status


def _generate(scale: Scale, partners: Partners) -> Iterator[Conversion]:
    n, per_advertiser = 0, scale.offers_per_advertiser
    for d in range(scale.days):
        midnight = dt.datetime.combine(scale.start_date + dt.timedelta(days=d), dt.time())
        for advertiser in range(1, scale.advertisers + 1):
            h = mix(scale.seed, 7, d, advertiser)
            for i in range(h % 6):
                hi = mix(h, i)
                offer = (advertiser - 1) * per_advertiser + 1 + hi % per_advertiser
                price = Decimal(partners.offer_price5(offer)).scaleb(-5)
                pending = (hi >> 16) % 1000 < scale.pending_share * 1000
                n += 1
                yield Conversion(f"c-{n}", midnight + dt.timedelta(seconds=(hi >> 24) % 86_400),
                                 str(advertiser), str(offer),
                                 str(1001 + (hi >> 8) % scale.affiliates),
                                 partners.currencies(advertiser)[0], price,
                                 (price * PAYOUT_SHARE).quantize(Q5),
                                 "pending" if pending else "approved")
