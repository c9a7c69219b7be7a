"""Property tests of the draft rules: totals recomputed exactly after any edits, items
never lost or doubled, cancellations negate exactly, bad VAT refused."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from affbill_billing.domain.cancellation import cancellation_lines, cancellation_type
from affbill_billing.domain.dates import InvoiceDateRule
from affbill_billing.domain.drafts import Draft, Presets
from affbill_billing.domain.grouping import Item, LineGrouping
from affbill_billing.domain.invoice_lines import Line, Vat, totals
from affbill_billing.domain.invoicing import Terms, document_type, plan_invoice
from affbill_billing.domain.line_rules import DraftError, vat
from affbill_billing.domain.money import round_money
from affbill_billing.domain.profiles import TaxTreatment
from affbill_billing.domain.thresholds import bills_now

RATE = Decimal(19)
money5 = st.decimals(min_value=Decimal(-5000), max_value=Decimal(5000), places=5)
price = st.decimals(min_value=Decimal(-1000), max_value=Decimal(1000), places=6)
qty = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal(10000), places=4)
VATS = [Vat("S", RATE), Vat("S", Decimal(7)), vat("AE", Decimal(0)), vat("G", Decimal(0))]


def presets(grouping: LineGrouping = LineGrouping.OFFER_PER_PERIOD,
            treatment: TaxTreatment = TaxTreatment.DOMESTIC) -> Presets:
    return Presets("Acme", treatment, "EUR", 14, InvoiceDateRule.TODAY, grouping, "default")


def items_from(amounts: list[tuple[str, int, Decimal]]) -> list[Item]:
    return [Item(uuid.uuid4(), offer, f"Offer {offer}", dt.date(2026, 10, 1 + n % 28), "EUR",
                 units, revenue) for n, (offer, units, revenue) in enumerate(amounts)]


item_amounts = st.lists(st.tuples(st.sampled_from("abc"), st.integers(0, 50), money5),
                        min_size=1, max_size=30)
edit = st.one_of(
    st.tuples(st.just("add"), qty, price, st.sampled_from(VATS)),
    st.tuples(st.just("edit"), st.integers(0, 40), qty, price),
    st.tuples(st.just("vat"), st.integers(0, 40), st.sampled_from(VATS)),
    st.tuples(st.just("remove"), st.integers(0, 40)),
    st.tuples(st.just("group"), st.sampled_from(list(LineGrouping))),
    st.tuples(st.just("treat"), st.sampled_from(list(TaxTreatment))),
)


@given(item_amounts, st.lists(edit, max_size=25))
def test_totals_after_any_edits_are_the_sum_of_rounded_lines(
        amounts: list[tuple[str, int, Decimal]], edits: list[tuple]) -> None:
    items = items_from(amounts)
    draft = Draft.from_items(items, presets(), RATE)
    freed: list[uuid.UUID] = []
    for op, *args in edits:
        before = draft.totals()
        if op == "add":
            q, p, v = args
            try:
                draft.add_line(Line("Bonus", q, p, v))
                assert p >= 0
            except DraftError as exc:  # never a negative price (BR-27): nothing changed
                assert p < 0 and exc.field == "line.unit_price" and draft.totals() == before
        elif draft.lines and op in ("edit", "vat", "remove"):
            line_id = draft.lines[args[0] % len(draft.lines)].line_id
            if op == "edit":
                try:
                    draft.edit_line(line_id, {"quantity": args[1], "unit_price": args[2]})
                    assert args[2] >= 0
                except DraftError as exc:
                    assert args[2] < 0 and exc.field == "line.unit_price"
                    assert draft.totals() == before
            elif op == "vat":
                draft.edit_line(line_id, {"vat_category": args[1].category,
                                          "vat_rate": args[1].rate})
            else:
                freed += draft.remove_line(line_id)
        elif op == "group":
            draft.change_presets({"line_grouping": args[0]}, RATE)
        elif op == "treat":
            draft.change_presets({"tax_treatment": args[0]}, RATE)
        t = draft.totals()
        lines = [d.line for d in draft.lines]
        assert t == totals(lines, "EUR")
        assert t.net == sum((line.net("EUR") for line in lines), Decimal(0))
        assert t.net == round_money(t.net, "EUR") and t.gross == t.net + t.tax
        for g in t.groups:
            assert g.tax == round_money(g.taxable * g.vat.rate / 100, "EUR")
        # every item is either reserved by exactly one line, or freed: none lost, none doubled
        on_lines = [i for d in draft.lines for i in d.line.item_ids]
        assert len(on_lines) == len(set(on_lines))
        assert set(on_lines) == {i.item_id for i in draft.items}
        assert sorted(on_lines + freed) == sorted(i.item_id for i in items)


@given(item_amounts, st.sampled_from(list(LineGrouping)), st.sampled_from(list(TaxTreatment)))
def test_a_fresh_draft_agrees_with_the_batch_run_to_the_cent(
        amounts: list[tuple[str, int, Decimal]], grouping: LineGrouping,
        treatment: TaxTreatment) -> None:
    items = items_from(amounts)
    draft = Draft.from_items(items, presets(grouping, treatment), RATE)
    plan = plan_invoice(items, "EUR", Terms(treatment, RATE, grouping, InvoiceDateRule.TODAY, 14),
                        dt.date(2026, 11, 2))
    assert draft.totals() == plan.totals
    assert [d.line for d in draft.lines] == plan.lines


@given(st.lists(st.builds(Line, description=st.just("x"), quantity=qty, unit_price=price,
                          vat=st.sampled_from(VATS)), min_size=1, max_size=30),
       st.sampled_from(["EUR", "JPY", "KWD"]))
def test_a_cancellation_negates_every_amount_exactly(lines: list[Line], cur: str) -> None:
    original, cancelled = totals(lines, cur), totals(cancellation_lines(lines), cur)
    assert (cancelled.net, cancelled.tax, cancelled.gross) == (
        -original.net, -original.tax, -original.gross)
    assert [g.taxable for g in cancelled.groups] == [-g.taxable for g in original.groups]
    for line in cancellation_lines(lines):
        assert line.net(cur) == round_money(line.quantity * line.unit_price, cur)


@given(st.decimals(min_value=-10**6, max_value=10**6, places=2),
       st.decimals(min_value=0, max_value=10**6, places=2))
def test_the_threshold_applies_to_the_size_of_credits_too(total: Decimal,
                                                          threshold: Decimal) -> None:
    assert bills_now(total, threshold) == bills_now(-total, threshold) == (abs(total) >= threshold)
    assert document_type(total) == ("381" if total < 0 else "380")


def test_types_and_vat_rules() -> None:
    assert cancellation_type("380") == "381" and cancellation_type("381") == "380"
    with pytest.raises(DraftError, match="unknown VAT category"):
        vat("X", Decimal(0))
    with pytest.raises(DraftError, match="rate of 0"):
        vat("AE", RATE)
    with pytest.raises(DraftError, match="above 0"):
        vat("S", Decimal(0))
    assert vat("AE", Decimal(0)).exemption_reason


def test_drafts_refuse_what_cannot_be_invoiced() -> None:
    with pytest.raises(DraftError) as empty:
        Draft.from_items([], presets(), RATE)
    assert empty.value.field == "item_ids"
    eur, usd = items_from([("a", 1, Decimal(1)), ("b", 1, Decimal(2))])
    with pytest.raises(DraftError, match="more than one currency"):
        Draft.from_items([eur, Item(usd.item_id, "b", "B", usd.day, "USD", 1, Decimal(2))],
                         presets(), RATE)
    draft = Draft.from_items([eur], presets(), RATE)
    with pytest.raises(DraftError, match="cannot change currency"):
        draft.change_presets({"currency": "USD"}, RATE)
    draft.remove_line(draft.lines[0].line_id)
    with pytest.raises(DraftError, match="empty draft"):
        draft.plan(dt.date(2026, 11, 2))
    with pytest.raises(DraftError, match="at least one line"):
        Draft.custom(presets(), [])


def test_a_custom_invoice_asks_for_its_date_of_supply() -> None:
    """BT-72 or BG-14 on every document: a draft whose lines name no service period is
    refused at Create (422 on supply_date) until the clerk gives the date of supply."""
    fee = Line("Setup fee", Decimal(1), Decimal(250), Vat("S", RATE))
    draft = Draft.custom(presets(), [fee])
    with pytest.raises(DraftError) as missing:
        draft.plan(dt.date(2026, 11, 2))
    assert missing.value.field == "supply_date" and "BT-72" in missing.value.reason
    draft.change_presets({"supply_date": dt.date(2026, 10, 20)}, RATE)
    assert draft.plan(dt.date(2026, 11, 2)).supply_date == dt.date(2026, 10, 20)
    dated = Draft.custom(presets(), [replace(fee, period_start=dt.date(2026, 10, 1),
                                             period_end=dt.date(2026, 10, 31))])
    plan = dated.plan(dt.date(2026, 11, 2))
    assert plan.supply_date is None and plan.period_end == dt.date(2026, 10, 31)


def test_a_line_billed_as_one_amount_names_its_conversions() -> None:
    """1 × 4387.87 for 1,997 conversions: the text says so; an exact price bills them."""
    inexact = items_from([("7", 1997, Decimal("4387.87123"))])
    [line] = Draft.from_items(inexact, presets(), RATE).lines
    assert line.line.quantity == 1
    assert line.line.description == "Offer 7, 2026-10-01 (1,997 conversions)"
    exact = items_from([("7", 4, Decimal("50.00000"))])
    [line] = Draft.from_items(exact, presets(), RATE).lines
    assert (line.line.quantity, line.line.description) == (4, "Offer 7, 2026-10-01")


def test_line_texts_and_terms_speak_the_documents_language_and_count_right() -> None:
    """Issue 14: "(1 conversions)", "within 1 days", English lines on German PDFs."""
    from affbill_billing.domain.grouping import LineGrouping, build_lines
    from affbill_billing.domain.invoice_lines import Vat
    from affbill_billing.domain.invoicing import InvoicePlan
    from affbill_billing.service_layer.documents import payment_terms

    one = items_from([("7", 1, Decimal("3.33333"))])
    many = items_from([("7", 1997, Decimal("4387.87123")),
                       ("7", 3, Decimal("1.00001"))])
    vat = Vat("S", RATE)
    [en] = build_lines(one, LineGrouping.OFFER_PER_PERIOD, vat, "EUR")
    assert en.description == "Offer 7, 2026-10-01 (1 conversion)"
    [de] = build_lines(many, LineGrouping.OFFER_PER_PERIOD, vat, "EUR", "de")
    # the offer's name is the adtracker's; dates and counts are German
    assert de.description == "Offer 7, 01.10.2026 – 02.10.2026 (2.000 Conversions)"
    [period] = build_lines(one, LineGrouping.PERIOD, vat, "EUR", "de")
    assert period.description == "Affiliate-Marketing-Leistungen, 01.10.2026 (1 Conversion)"
    plan = InvoicePlan("EUR", [en], None, dt.date(2026, 11, 2), dt.date(2026, 11, 3),  # type: ignore[arg-type]
                       None, None)
    assert payment_terms("380", plan) == "Payable within 1 day (by 2026-11-03) without deduction."
    assert payment_terms("380", plan, "de") == ("Zahlbar innerhalb von 1 Tag (bis 03.11.2026) "
                                                "ohne Abzug.")
    assert "within 1 day (by" in payment_terms("389", plan)
