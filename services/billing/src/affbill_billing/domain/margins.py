"""The network's margin: what advertisers were billed for an offer's days against what its
affiliates earned on them. Pure, no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal

ZERO = Decimal(0)


@dataclass(frozen=True)
class Margin:
    """One offer (or advertiser) in one currency for a period."""

    key: str  # the offer (connector:offer id) or the advertiser (its customer id)
    name: str
    advertiser_id: str | None
    currency: str
    revenue_billed: Decimal = ZERO  # advertisers' items on issued invoices
    revenue_open: Decimal = ZERO  # advertisers' items not billed yet
    payout_owed: Decimal = ZERO  # affiliates' items, paid or not
    payout_paid: Decimal = ZERO  # of those, on issued credit notes

    @property
    def margin(self) -> Decimal:
        """Revenue billed less payout owed: what the billed days leave the network."""
        return self.revenue_billed - self.payout_owed


def by_advertiser(offers: Iterable[Margin], names: dict[str, str]) -> list[Margin]:
    """The offers' margins summed per advertiser and currency (an offer no advertiser row
    names stays apart, under its own key), in advertiser order."""
    folded: dict[tuple[str, str], Margin] = {}
    for m in offers:
        key = m.advertiser_id or m.key
        start = folded.get((key, m.currency)) or Margin(
            key, names.get(key, m.name), m.advertiser_id, m.currency)
        folded[(key, m.currency)] = replace(
            start, revenue_billed=start.revenue_billed + m.revenue_billed,
            revenue_open=start.revenue_open + m.revenue_open,
            payout_owed=start.payout_owed + m.payout_owed,
            payout_paid=start.payout_paid + m.payout_paid)
    return [folded[k] for k in sorted(folded)]
