"""The network model: unique sorted natural keys, O(page) addressing, exact amounts, determinism."""

from __future__ import annotations

import datetime as dt

from affbill_simulator.model import Network
from affbill_simulator.money import five, number
from affbill_simulator.scale import Scale
from affbill_simulator.stats import StatWindow
from tests.simulator.conftest import START

MULTI = Scale(seed=9, advertisers=4, offers_per_advertiser=3, affiliates=5, days=3,
              rows_per_day=50, currencies_per_advertiser=3, start_date=START)


def test_keys_are_unique_per_day_and_in_report_order() -> None:
    net = Network(MULTI)
    for d in range(MULTI.days):
        rows = net.rows(START + dt.timedelta(days=d), 0, MULTI.rows_per_day)
        keys = [(int(r.advertiser_id), int(r.offer_id), int(r.affiliate_id), r.currency)
                for r in rows]
        assert len(keys) == MULTI.rows_per_day == len(set(keys))
        assert keys == sorted(keys)
        for r in rows:  # offers belong to their advertiser, currencies are the advertiser's
            assert (int(r.offer_id) - 1) // 3 + 1 == int(r.advertiser_id)
            assert r.currency in net.partners.currencies(int(r.advertiser_id))


def test_rows_per_day_is_capped_by_the_combinations() -> None:
    tiny = Scale(advertisers=1, offers_per_advertiser=1, affiliates=2, days=2, rows_per_day=10,
                 start_date=START)
    window = StatWindow(Network(tiny), START, START + dt.timedelta(days=1))
    assert window.counts == [2, 2]
    assert len({r.key for r in window.page(0, 4)}) == 4


def test_any_page_equals_the_same_slice_of_the_whole_window() -> None:
    window = StatWindow(Network(MULTI), START, START + dt.timedelta(days=2))
    whole = window.page(0, window.total)
    assert len(whole) == 150
    for start, stop in [(0, 7), (45, 55), (49, 101), (140, 150), (149, 400), (150, 160)]:
        assert window.page(start, stop) == whole[start:stop]


def test_same_seed_same_rows_other_seed_other_rows() -> None:
    day = START + dt.timedelta(days=1)
    assert Network(MULTI).rows(day, 0, 50) == Network(MULTI).rows(day, 0, 50)
    other = Network(MULTI.model_copy(update={"seed": 10})).rows(day, 0, 50)
    assert other != Network(MULTI).rows(day, 0, 50)


def test_days_outside_the_scale_have_no_rows() -> None:
    net = Network(MULTI)
    assert net.day_count(START - dt.timedelta(days=1)) == 0
    assert net.day_count(START + dt.timedelta(days=3)) == 0
    assert StatWindow(net, START + dt.timedelta(days=2), START).total == 0  # reversed window


def test_money_text_is_exact() -> None:
    assert [five(v) for v in (0, 5, 12_345_000, -150_000)] == [
        "0.00000", "0.00005", "123.45000", "-1.50000"]
    assert [number(v) for v in (0, 5, 12_345_000, 9_870_000, 10_000_000)] == [
        "0", "0.00005", "123.45", "98.7", "100"]
