"""Property tests of the pure twins of billing's SQL (affbill_billing.domain): the fold over
billable items, the generator totals, what a run makes of a customer, cancellations.
tests/integration/billing/test_billing_oracle.py checks the database against these."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Context, Decimal, localcontext

from hypothesis import given
from hypothesis import strategies as st

from affbill_billing.domain.billable_items import BillableItems, StatRow
from affbill_billing.domain.cancellation import cancellation_lines
from affbill_billing.domain.generator_totals import OpenItem, fold
from affbill_billing.domain.grouping import Item, LineGrouping, build_lines
from affbill_billing.domain.invoice_lines import Line, Vat, totals
from affbill_billing.domain.money import round_money
from affbill_billing.domain.restatements import (
    DropOpen,
    ItemAmount,
    NewAdjustment,
    UpdateOpen,
    follow_source,
)
from affbill_billing.domain.run_documents import one_statement, run_documents

DAY = dt.date(2026, 10, 1)
money5 = st.decimals(min_value=Decimal("-500"), max_value=Decimal("5000"), places=5)
stat_row = st.builds(
    lambda c, o, d, cur, aff, units, revenue, removed: StatRow(
        f"{c}|{o}|{d}|{cur}|{aff}", c, o, "Offer", DAY + dt.timedelta(d), cur,
        0 if removed else units, Decimal(0) if removed else revenue),
    st.sampled_from(["a", "b"]), st.sampled_from(["20", "21"]), st.integers(0, 2),
    st.sampled_from(["EUR", "JPY"]), st.sampled_from(["1", "2"]), st.integers(0, 9), money5,
    st.booleans())
# what happens to the items: a stat batch, invoicing a customer, cancelling an invoice
action = st.one_of(st.lists(stat_row, min_size=1, max_size=6).map(lambda b: ("ingest", b)),
                   st.sampled_from(["a", "b"]).map(lambda c: ("invoice", c)),
                   st.integers(0, 20).map(lambda n: ("cancel", n)))


@given(st.lists(action, max_size=30))
def test_open_plus_invoiced_is_the_source_and_invoiced_items_never_change(actions: list) -> None:
    billable = BillableItems()
    invoices: list[tuple[int, str]] = []
    cancelled: set[int] = set()
    frozen: dict[int, tuple[Decimal, int, int]] = {}  # invoiced items as they were billed
    for kind, arg in actions:
        if kind == "ingest":
            billable.apply_stat_rows(arg)
        elif kind == "invoice":
            refs = [i.ref for i in billable.selected_by_run(arg, None, None)]
            invoices.append((len(invoices), arg))
            billable.invoice(refs, len(invoices) - 1)
            frozen.update({r: (billable.items[r].revenue, billable.items[r].units,
                               len(invoices) - 1) for r in refs})
        elif invoices and (n := arg % len(invoices)) not in cancelled:
            cancelled.add(n)
            billable.return_items(n, invoices[n][1])
            frozen = {r: f for r, f in frozen.items() if f[2] != n}
        keys = {k for k, _ in billable.stat_rows}
        for key in keys:
            revenue, units, _ = billable.source(key)
            items = billable.of_key(key)
            assert sum((i.revenue for i in items), Decimal(0)) == revenue
            assert sum(i.units for i in items) == units
            assert sum(i.is_open for i in items) <= 1
            assert not any(i.is_open and i.revenue == 0 and i.units == 0 for i in items)
        for ref, (revenue, units, invoice) in frozen.items():
            item = billable.items[ref]
            assert (item.revenue, item.units, item.invoice_id) == (revenue, units, invoice)


def test_a_restatement_to_nothing_drops_the_open_item_and_an_adjustment_follows_the_last_invoice(
        ) -> None:
    billed = [ItemAmount(Decimal(10), 1, True, "first", 1),
              ItemAmount(Decimal(5), 1, True, "second", 2)]
    assert follow_source([*billed, ItemAmount(Decimal(3), 1, False)], Decimal(15), 2
                         ) == DropOpen(2, Decimal(0), 0)
    # an open item holding nothing (a cancellation merged into it) goes when its key is touched
    assert follow_source([*billed, ItemAmount(Decimal(0), 0, False)], Decimal(15), 2
                         ) == DropOpen(2, Decimal(0), 0)
    assert follow_source([*billed, ItemAmount(Decimal(0), 0, False)], Decimal(16), 2
                         ) == UpdateOpen(2, Decimal(1), 0)
    assert follow_source(billed, Decimal(16), 2) == NewAdjustment(Decimal(1), 0, "second")
    assert follow_source(billed, Decimal(15), 2) is None


items_st = st.lists(st.builds(
    Item, item_id=st.uuids(), offer_id=st.sampled_from(["20", "21"]), offer_name=st.just("O"),
    day=st.integers(0, 5).map(lambda d: DAY + dt.timedelta(d)),
    currency=st.sampled_from(["EUR", "JPY", "USD"]), units=st.integers(0, 5), revenue=money5),
    max_size=12, unique_by=lambda i: i.item_id)


@given(items_st, st.one_of(st.none(), st.decimals(0, 3000, places=2)),
       st.sampled_from([None, "EUR", "JPY"]), st.booleans(), st.booleans())
def test_a_run_bills_every_selected_item_once_or_lets_it_wait(
        items: list[Item], threshold: Decimal | None, currency: str | None, whole: bool,
        drafts: bool) -> None:
    run = run_documents(items, threshold, currency)
    billed = [i.item_id for d in run.documents for i in d.items]
    assert len(billed) == len(set(billed))
    waiting = {s.currency for s in run.skips}
    assert sorted(billed) == sorted(i.item_id for i in items if i.currency not in waiting)
    for doc in run.documents:
        assert doc.total == round_money(sum((i.revenue for i in doc.items), Decimal(0)),
                                        doc.currency)
        assert {i.currency for i in doc.items} == {doc.currency}
    for skip in run.skips:
        assert abs(skip.total) < skip.threshold and currency in (None, skip.currency)
    if one_statement(run, whole, drafts):
        assert len(run.documents) == 1 and not run.skips and whole and not drafts


@given(st.lists(st.tuples(st.sampled_from(["a", "b"]), st.sampled_from(["EUR", "JPY"]),
                          st.integers(0, 5), money5, st.booleans(), st.booleans()), max_size=20))
def test_generator_totals_count_and_sum_every_open_item_once(rows: list) -> None:
    billable = BillableItems()
    for n, (customer, cur, day, revenue, is_open, in_draft) in enumerate(rows):
        billable.apply_stat_rows([StatRow(str(n), customer, str(n), "O", DAY + dt.timedelta(day),
                                      cur, 1, revenue)])
        [item] = billable.of_key((customer, str(n), DAY + dt.timedelta(day), cur))
        if in_draft:
            billable.reserve([item.ref], "draft")
        if not is_open:
            billable.invoice([item.ref], uuid.uuid4())
    lines = fold(OpenItem(i.customer_id, i.currency, i.day, i.revenue, i.in_draft)
                 for i in billable.items.values() if i.is_open)
    open_items = [i for i in billable.items.values() if i.is_open]
    assert set(lines) == {(i.customer_id, i.currency) for i in open_items}
    assert sum(t.items + t.draft_items for t in lines.values()) == len(open_items)
    assert sum(t.total + t.draft_total for t in lines.values()) == sum(
        (i.revenue for i in open_items), Decimal(0))
    for (customer, cur), t in lines.items():
        days = [i.day for i in open_items if (i.customer_id, i.currency) == (customer, cur)]
        assert (t.first_day, t.last_day) == (min(days), max(days))


VATS = [Vat("S", Decimal("19")), Vat("S", Decimal("7")), Vat("AE", Decimal(0), "Reverse charge")]


@given(st.lists(st.builds(Line, description=st.just("x"),
                          quantity=st.decimals(0, 1000, places=2),
                          unit_price=st.decimals(-1000, 1000, places=5),
                          vat=st.sampled_from(VATS)), min_size=1, max_size=10),
       st.sampled_from(["EUR", "JPY", "KWD"]))
def test_a_cancellation_is_the_original_negated_to_the_cent(lines: list[Line], cur: str) -> None:
    original, cancelling = totals(lines, cur), totals(cancellation_lines(lines), cur)
    assert (cancelling.net, cancelling.tax, cancelling.gross) == (
        -original.net, -original.tax, -original.gross)
    assert [g.tax for g in cancelling.groups] == [-g.tax for g in original.groups]


@given(st.lists(st.tuples(st.integers(1, 9), st.decimals(-1000, 1000, places=2)), min_size=1,
                max_size=4), st.sampled_from(["EUR", "JPY"]))
def test_a_line_prints_quantity_times_price_exactly_with_a_price_the_contract_takes(
        amounts: list[tuple[int, Decimal]], cur: str) -> None:
    """Found by the oracle test: 12.50000 for 3 conversions made a unit price of
    4.166666666666666666666666667 (Decimal's 28 digits hid the inexact division) and the
    run failed on the document's 10-decimal limit."""
    items = [Item(uuid.uuid4(), "20", "O", DAY, "EUR", units, revenue)
             for units, revenue in amounts]
    for line in build_lines(items, LineGrouping.OFFER_PER_PERIOD, VATS[0], cur):
        assert line.unit_price.as_tuple().exponent >= -10
        with localcontext(Context(prec=100)):
            assert line.quantity * line.unit_price == line.net(cur)


def test_twelve_fifty_for_three_conversions_bills_the_amount() -> None:
    [line] = build_lines([Item(uuid.uuid4(), "20", "O", DAY, "EUR", 3, Decimal("12.50000"))],
                         LineGrouping.OFFER_PER_PERIOD, VATS[0], "EUR")
    assert (line.quantity, line.unit_price) == (Decimal(1), Decimal("12.50"))
