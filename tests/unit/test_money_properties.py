"""Property tests: amounts cross the wire exactly, whatever their digits."""

from __future__ import annotations

import json
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from affbill_contracts import Envelope, decode, encode
from affbill_contracts.money import MINOR_UNITS
from tests.unit.samples import stat_row

amounts = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=5,
                      allow_nan=False, allow_infinity=False)


@given(revenue=amounts, payout=amounts, currency=st.sampled_from(sorted(MINOR_UNITS)))
def test_amounts_round_trip_exactly(revenue: Decimal, payout: Decimal, currency: str) -> None:
    envelope = Envelope.wrap(stat_row(revenue=revenue, payout=payout, currency=currency))
    raw = encode(envelope)
    assert "e" not in json.loads(raw)["payload"]["revenue"].lower() or revenue == 0
    decoded = decode(raw).payload
    assert decoded.revenue == revenue and decoded.payout == payout
    assert str(decoded.revenue) == str(revenue)
