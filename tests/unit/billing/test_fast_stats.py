"""The stat-row codec's fast path agrees with the contract, and hands anything odd to it."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from affbill_billing.adapters.fast_stats import parse, record_of
from affbill_contracts import Envelope, decode, encode
from affbill_contracts.stat_rows import read_fast
from tests.unit.samples import stat_row


@given(revenue=st.decimals(min_value=-10**9, max_value=10**9, places=5),
       conversions=st.integers(0, 10**6), removed=st.booleans(),
       currency=st.sampled_from(["EUR", "JPY", "KWD", "USD"]))
def test_fast_path_reads_what_the_contract_reads(revenue: Decimal, conversions: int,
                                                 removed: bool, currency: str) -> None:
    raw = encode(Envelope.wrap(stat_row(revenue=revenue, conversions=conversions,
                                        removed=removed, currency=currency)))
    assert read_fast(raw) is not None
    fast, slow = parse(raw), record_of(decode(raw).payload)
    assert fast == slow
    assert [type(v) for v in fast] == [type(v) for v in slow]


@pytest.mark.parametrize("change", [
    {"revenue": "abc"}, {"revenue": 1.5}, {"currency": "XXX"}, {"conversions": -1},
    {"conversions": "3"}, {"advertiser_id": ""}, {"date": "2026-13-01"}, {"removed": "no"}])
def test_anything_odd_goes_to_the_contract(change: dict) -> None:
    raw = json.loads(encode(Envelope.wrap(stat_row())))
    raw["payload"].update(change)
    assert read_fast(json.dumps(raw).encode()) is None


def test_other_versions_and_types_go_to_the_contract() -> None:
    raw = json.loads(encode(Envelope.wrap(stat_row())))
    assert read_fast(json.dumps({**raw, "schema_version": 2}).encode()) is None
    assert read_fast(json.dumps({**raw, "type": "x"}).encode()) is None
    assert read_fast(b"not json") is None
