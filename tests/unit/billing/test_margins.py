"""The margin view's fold: per advertiser the sum of its offers, per currency apart."""

from __future__ import annotations

from decimal import Decimal

from affbill_billing.domain.margins import Margin, by_advertiser


def test_offers_fold_per_advertiser_and_currency() -> None:
    offers = [Margin("ho:20", "Shop CPS", "ho:advertiser:7", "EUR", Decimal(150), Decimal(0),
                     Decimal(110), Decimal(80)),
              Margin("ho:21", "Shop CPL", "ho:advertiser:7", "EUR", Decimal(20), Decimal(30),
                     Decimal(37), Decimal(0)),
              Margin("ho:22", "App", "ho:advertiser:7", "USD", Decimal(10), Decimal(0),
                     Decimal(4), Decimal(4)),
              Margin("ho:99", "Orphan", None, "EUR", Decimal(0), Decimal(0), Decimal(5),
                     Decimal(0))]
    folded = by_advertiser(offers, {"ho:advertiser:7": "Acme"})
    assert [(m.key, m.name, m.currency, m.revenue_billed, m.payout_owed, m.margin)
            for m in folded] == [
        ("ho:99", "Orphan", "EUR", 0, 5, -5),
        ("ho:advertiser:7", "Acme", "EUR", 170, 147, 23),
        ("ho:advertiser:7", "Acme", "USD", 10, 4, 6)]
    assert sum(m.margin for m in folded) == sum(m.margin for m in offers)
