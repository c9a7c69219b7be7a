"""Property tests of the billing money rules: exact to the cent, nothing lost."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from affbill_billing.domain.dates import InvoiceDateRule, due_date, invoice_date
from affbill_billing.domain.grouping import (
    Item,
    LineGrouping,
    _common_price,
    build_lines,
    exact_price,
)
from affbill_billing.domain.invoice_lines import Line, Vat, totals
from affbill_billing.domain.money import round_money
from affbill_billing.domain.numbering import NumberSeries
from affbill_billing.domain.restatements import ItemAmount, NewAdjustment, UpdateOpen, restate
from affbill_billing.domain.thresholds import reaches_threshold

money5 = st.decimals(min_value=Decimal("-100000"), max_value=Decimal("100000"), places=5)
VATS = [Vat("S", Decimal("19")), Vat("S", Decimal("7")), Vat("AE", Decimal("0"), "Reverse charge"),
        Vat("G", Decimal("0"), "Export")]
lines_st = st.lists(st.builds(
    Line, description=st.just("x"),
    quantity=st.decimals(min_value=Decimal("-1000"), max_value=Decimal("100000"), places=2),
    unit_price=st.decimals(min_value=Decimal("-1000"), max_value=Decimal("1000"), places=5),
    vat=st.sampled_from(VATS)), min_size=1, max_size=30)


@given(lines_st, st.sampled_from(["EUR", "JPY", "KWD"]))
def test_totals_are_the_sum_of_rounded_lines_and_vat_per_group(lines: list[Line], cur: str) -> None:
    t = totals(lines, cur)
    assert t.net == sum(line.net(cur) for line in lines)
    assert t.net == round_money(t.net, cur)
    assert sum(g.taxable for g in t.groups) == t.net
    for g in t.groups:
        same = [line for line in lines if (line.vat.category, line.vat.rate) == (g.vat.category,
                                                                               g.vat.rate)]
        assert g.taxable == sum(line.net(cur) for line in same)
        assert g.tax == round_money(g.taxable * g.vat.rate / 100, cur)
    assert t.gross == t.net + t.tax == t.net + sum(g.tax for g in t.groups)


def test_half_up_rounding() -> None:
    assert round_money(Decimal("0.005"), "EUR") == Decimal("0.01")
    assert round_money(Decimal("-0.005"), "EUR") == Decimal("-0.01")
    assert round_money(Decimal("2.5"), "JPY") == Decimal("3")
    assert round_money(Decimal("1.0005"), "KWD") == Decimal("1.001")


@given(st.decimals(min_value=0, max_value=10**6, places=2),
       st.decimals(min_value=0, max_value=10**6, places=2))
def test_threshold_boundary(total: Decimal, threshold: Decimal) -> None:
    assert reaches_threshold(total, threshold) == (total >= threshold)
    assert reaches_threshold(threshold, threshold)
    assert reaches_threshold(total, None)


@given(st.lists(st.tuples(money5, st.integers(0, 500), st.booleans()), min_size=1, max_size=40))
def test_any_restatement_sequence_keeps_invoiced_plus_open_equal_to_source(
        steps: list[tuple[Decimal, int, bool]]) -> None:
    items: list[ItemAmount] = []
    for revenue, units, invoice_now in steps:
        change = restate(items, revenue, units)
        if isinstance(change, UpdateOpen):
            assert not items[change.index].invoiced
            items[change.index] = ItemAmount(change.revenue, change.units, False)
        elif isinstance(change, NewAdjustment):
            items.append(ItemAmount(change.revenue, change.units, False))
        assert sum(i.revenue for i in items) == revenue or (not items and revenue == 0)
        assert sum(i.units for i in items) == units or (not items and units == 0)
        assert sum(not i.invoiced for i in items) <= 1
        if invoice_now:  # a run bills the open item; it is never edited afterwards
            items = [ItemAmount(i.revenue, i.units, True) for i in items]


def _items(amounts: list[tuple[str, int, Decimal]]) -> list[Item]:
    return [Item(uuid.uuid4(), offer, f"Offer {offer}", dt.date(2026, 10, 1 + n % 28), "EUR",
                 units, revenue) for n, (offer, units, revenue) in enumerate(amounts)]


@given(st.lists(st.tuples(st.sampled_from("abc"), st.integers(0, 50), money5), min_size=1,
                max_size=60), st.sampled_from(list(LineGrouping)))
def test_lines_bill_every_item_once_and_print_quantity_times_price(
        amounts: list[tuple[str, int, Decimal]], grouping: LineGrouping) -> None:
    items = _items(amounts)
    lines = build_lines(items, grouping, VATS[0], "EUR")
    billed = [i for line in lines for i in line.item_ids]
    assert sorted(billed) == sorted(i.item_id for i in items)
    for line in lines:
        assert line.net("EUR") == line.quantity * line.unit_price  # as printed, no rounding
        group_revenue = sum(i.revenue for i in items if i.item_id in line.item_ids)
        assert abs(line.net("EUR") - group_revenue) <= Decimal("0.005")


def test_same_price_per_conversion_bills_conversions() -> None:
    items = _items([("a", 3, Decimal("37.50000")), ("a", 2, Decimal("25.00000"))])
    [line] = build_lines(items, LineGrouping.OFFER_PER_PERIOD, VATS[0], "EUR")
    assert (line.quantity, line.unit_price, line.net("EUR")) == (5, Decimal("12.5"),
                                                                  Decimal("62.50"))


def test_numbers_and_dates() -> None:
    series = NumberSeries(prefix="INV-{yyyy}-", padding=5, start=100)
    assert series.next_counter(None) == 100 and series.next_counter(100) == 101
    assert series.format(101, dt.date(2026, 11, 1)) == "INV-2026-00101"
    assert series.format(102, dt.date(2026, 11, 1), cancellation=True) == "INV-2026-00102-S"
    end = dt.date(2026, 10, 31)
    assert invoice_date(InvoiceDateRule.PERIOD_END, dt.date(2026, 11, 5), end) == end
    assert (invoice_date(InvoiceDateRule.DAY_AFTER_PERIOD, dt.date(2026, 11, 5), end)
            == dt.date(2026, 11, 1))
    assert invoice_date(InvoiceDateRule.TODAY, dt.date(2026, 11, 5), end) == dt.date(2026, 11, 5)
    assert due_date(dt.date(2026, 11, 1), 14) == dt.date(2026, 11, 15)


@pytest.mark.parametrize("cur", ["EUR", "JPY"])
def test_a_single_line_total(cur: str) -> None:
    t = totals([Line("x", Decimal("3"), Decimal("0.335"), VATS[0])], cur)
    assert t.net == round_money(Decimal("1.005"), cur)


def _shared_price_by_division(items: list[Item]) -> Decimal | None:
    """The rule as first written: every item's exact price, all equal (the oracle)."""
    prices = set()
    for item in items:
        if item.units <= 0 or (price := exact_price(item.revenue, item.units)) is None:
            return None
        prices.add(price)
    return prices.pop() if len(prices) == 1 else None


@given(st.lists(st.tuples(st.sampled_from([1, 2, 3, 7, 0, -1]), st.sampled_from(
    [Decimal("12.50"), Decimal("4.16667"), Decimal("0"), Decimal("-3.00"), Decimal("0.00001")]),
    st.integers(1, 9)), min_size=1, max_size=6))
def test_a_shared_price_is_found_by_cross_multiplying_as_by_dividing(
        rows: list[tuple[int, Decimal, int]]) -> None:
    # items of one price, some at a multiple of their units: the cases where prices agree
    items = [Item(uuid.uuid4(), "o", "Offer", dt.date(2026, 11, 1), "EUR", units * k,
                  revenue * k) for units, revenue, k in rows]
    assert _common_price(items) == _shared_price_by_division(items)
