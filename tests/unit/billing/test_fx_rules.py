"""Which rate a document uses, and exact conversion (domain/fx.py), in memory."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from affbill_billing.config import Settings
from affbill_billing.domain.billing_profile import Buyer
from affbill_billing.domain.conversion import plan_converted, skip_line
from affbill_billing.domain.dates import InvoiceDateRule
from affbill_billing.domain.fx import (
    ExchangeRate,
    MissingRate,
    RateBook,
    RateDateRule,
    conversion,
    into_base,
    rate_day,
)
from affbill_billing.domain.grouping import Item, LineGrouping
from affbill_billing.domain.invoice_lines import Line, Vat, totals
from affbill_billing.domain.invoicing import InvoicePlan, Terms
from affbill_billing.domain.profiles import TaxTreatment
from affbill_billing.service_layer.documents import snapshot
from affbill_contracts.invoices import InvoiceLine

FRI, SAT, SUN, MON = (dt.date(2026, 11, 27) + dt.timedelta(days=n) for n in range(4))
GOOD_FRIDAY, EASTER_MONDAY = dt.date(2026, 4, 3), dt.date(2026, 4, 6)


def gbp(day: dt.date, rate: str, source: str = "ecb") -> ExchangeRate:
    return ExchangeRate("GBP", day, Decimal(rate), source)


def test_a_weekend_uses_fridays_rate_and_a_holiday_the_last_published() -> None:
    book = RateBook([gbp(FRI, "0.86905"), gbp(dt.date(2026, 4, 2), "0.85120"),
                     gbp(dt.date(2026, 4, 7), "0.85300")])
    assert book.on("GBP", SAT).rate_date == FRI == book.on("GBP", SUN).rate_date
    assert book.on("GBP", FRI).rate == Decimal("0.86905")
    # Good Friday and Easter Monday: TARGET holidays, the Thursday before is the last rate
    assert book.on("GBP", GOOD_FRIDAY).rate_date == dt.date(2026, 4, 2)
    assert book.on("GBP", EASTER_MONDAY).rate == Decimal("0.85120")


def test_a_missing_rate_is_never_guessed() -> None:
    book = RateBook([gbp(FRI, "0.86905")])
    with pytest.raises(MissingRate, match="No GBP rate for 2026-11-26"):
        book.on("GBP", FRI - dt.timedelta(days=1))  # nothing before it
    with pytest.raises(MissingRate, match="No GBP rate for 2026-12-05"):
        book.on("GBP", FRI + dt.timedelta(days=8))  # the last one is too old
    with pytest.raises(MissingRate, match="No USD rate"):
        book.on("USD", FRI)


def test_a_correction_replaces_the_days_rate() -> None:
    book = RateBook([gbp(FRI, "0.86905"), gbp(FRI, "0.86950", "manual")])
    assert (book.on("GBP", SAT).rate, book.on("GBP", SAT).source) == (Decimal("0.86950"),
                                                                      "manual")


def test_the_rate_day_follows_the_sellers_rule() -> None:
    assert rate_day(RateDateRule.INVOICE_DATE, MON, FRI) == MON
    assert rate_day(RateDateRule.PERIOD_END, MON, FRI) == FRI
    assert rate_day(RateDateRule.PERIOD_END, MON, None) == MON


def test_conversion_divides_by_the_published_quote_and_rounds_once() -> None:
    rate = gbp(FRI, "0.86905")
    # 99.75 GBP / 0.86905 = 114.7805…: 114.78 EUR (no rounded inverse 1.1507 × 99.75 = 114.78…)
    assert into_base(Decimal("99.75"), rate) == Decimal("114.78")
    assert into_base(Decimal("-99.75"), rate) == Decimal("-114.78")  # symmetric
    usd = ExchangeRate("USD", FRI, Decimal("1.1606"), "ecb")
    book = RateBook([rate, usd])
    cross = conversion(book, "GBP", "USD", SAT)
    assert (cross.source_rate, cross.target_rate, cross.direct) == (rate, usd, None)
    assert cross.apply(Decimal("700.00")) == Decimal("934.84")  # 700 / 0.86905 × 1.1606
    assert conversion(book, "EUR", "GBP", SAT).apply(Decimal("100")) == Decimal("86.91")
    direct = ExchangeRate("USD", FRI, Decimal("1.3355"), "openexchangerates", base="GBP")
    book = RateBook([rate, usd, direct])
    used = conversion(book, "GBP", "USD", SAT)
    assert used.direct == direct  # a direct quote wins: no cross rate through the euro
    assert used.apply(Decimal("700.00")) == Decimal("934.85")


amounts = st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=2,
                      allow_nan=False, allow_infinity=False)
quotes = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("20000"), places=5,
                     allow_nan=False, allow_infinity=False).filter(lambda q: q > 0)


@given(amounts=st.lists(amounts, min_size=1, max_size=30), quote=quotes)
def test_converted_lines_sum_to_the_total_and_the_snapshot_reproduces_them(
        amounts: list[Decimal], quote: Decimal) -> None:
    rate = gbp(FRI, str(quote))
    converted = [into_base(a, rate) for a in amounts]
    assert all(c == c.quantize(Decimal("0.01")) for c in converted)
    # each line is the exact quotient rounded HALF_UP once, never more than half a cent off
    for a, c in zip(amounts, converted, strict=True):
        assert abs(c - a / quote) <= Decimal("0.005") + Decimal("1e-20")
    # a total built from the converted lines is their sum; from the snapshot's rate and the
    # source amounts the same lines come back, whoever recomputes them
    stored = ExchangeRate("GBP", rate.rate_date, Decimal(str(rate.rate)), "ecb")
    assert [into_base(a, stored) for a in amounts] == converted
    assert sum(converted, Decimal(0)) == sum((into_base(a, stored) for a in amounts),
                                             Decimal(0))


def _plan(currency: str, vat: Vat) -> InvoicePlan:
    lines = [Line("Shop CPS", Decimal(5), Decimal("105.00"), vat)]
    return InvoicePlan(currency, lines, totals(lines, currency), SAT, SAT + dt.timedelta(14),
                       dt.date(2026, 11, 1), dt.date(2026, 11, 27))


def test_a_foreign_currency_document_states_its_vat_in_euro() -> None:
    book = RateBook([gbp(FRI, "0.86905")])
    plan = _plan("GBP", Vat("S", Decimal(19)))
    doc = snapshot(uuid.uuid4(), "(pending)", "c", plan, Buyer("Acme"), Settings(),
                   rates=book)
    fx = doc.vat_accounting
    assert fx is not None and doc.totals.tax_total == Decimal("99.75")
    assert (fx.currency, fx.rate, fx.rate_date, fx.source) == ("EUR", Decimal("0.86905"),
                                                               FRI, "ecb")
    assert fx.tax_total == (Decimal("99.75") / Decimal("0.86905")).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP) == Decimal("114.78")
    eur = snapshot(uuid.uuid4(), "(pending)", "c", _plan("EUR", Vat("S", Decimal(19))),
                   Buyer("Acme"), Settings(), rates=book)
    assert eur.vat_accounting is None  # already in the accounting currency


def test_vat_charged_without_a_rate_is_refused_and_no_vat_needs_none() -> None:
    with pytest.raises(MissingRate, match="No GBP rate for 2026-11-28"):
        snapshot(uuid.uuid4(), "(pending)", "c", _plan("GBP", Vat("S", Decimal(19))),
                 Buyer("Acme"), Settings(), rates=RateBook([]))
    export = snapshot(uuid.uuid4(), "(pending)", "c", _plan("GBP", Vat("G", Decimal(0))),
                      Buyer("Acme"), Settings(), rates=RateBook([]))
    assert export.vat_accounting is None


# convert mode (domain/conversion.py) ------------------------------------------------------

def _item(currency: str, revenue: str, units: int = 1, offer: str = "20",
          day: dt.date = dt.date(2026, 11, 2)) -> Item:
    return Item(uuid.uuid4(), offer, f"Offer {offer}", day, currency, units, Decimal(revenue))


TERMS = Terms(TaxTreatment.DOMESTIC, Decimal(19), LineGrouping.OFFER_PER_PERIOD,
              InvoiceDateRule.TODAY, 14)
BOOK = RateBook([gbp(FRI, "0.86905"), ExchangeRate("USD", FRI, Decimal("1.1606"), "ecb"),
                 ExchangeRate("CHF", FRI, Decimal("0.9312"), "ecb")])


def recomputed(line: InvoiceLine) -> Decimal:
    """A line's net from its stored snapshot alone, by the contract's formula."""
    c = line.conversion
    assert c is not None
    if c.direct_rate is not None:
        value = c.source_amount * c.direct_rate
    else:
        with localcontext() as ctx:
            ctx.prec = 60
            value = c.source_amount / (c.source_rate or 1) * (c.target_rate or 1)
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_a_converted_multi_currency_invoice() -> None:
    items = [_item("GBP", "700.00", 7), _item("USD", "120.50"), _item("EUR", "80.00", 4),
             _item("GBP", "10.00", 1, offer="21")]
    plan = plan_converted(items, "EUR", TERMS, SAT, BOOK, RateDateRule.INVOICE_DATE)
    assert plan.currency == "EUR" and len(plan.lines) == 4
    doc = snapshot(uuid.uuid4(), "(pending)", "c", plan, Buyer("Acme"), Settings(), rates=BOOK)
    by_source = {(ln.conversion.source_currency if ln.conversion else "EUR",
                  ln.conversion.source_amount if ln.conversion else ln.net_amount): ln
                 for ln in doc.lines}
    seven = by_source[("GBP", Decimal("700.00"))]
    assert seven.net_amount == Decimal("805.48")  # 700 / 0.86905 = 805.477…
    assert seven.quantity * seven.unit_price == seven.net_amount  # prints exactly
    assert seven.conversion is not None and seven.conversion.rate_date == FRI
    assert by_source[("EUR", Decimal("80.00"))].conversion is None  # nothing converted
    assert doc.totals.line_total == sum(ln.net_amount for ln in doc.lines)
    for ln in doc.lines:
        if ln.conversion:
            assert recomputed(ln) == ln.net_amount
    assert doc.vat_accounting is None  # a euro document


def test_a_threshold_reached_only_through_conversion() -> None:
    items = [_item("GBP", "700.00"), _item("USD", "300.00")]  # 805.48 + 258.49 EUR
    assert skip_line(items, "EUR", Decimal(1000), "EUR", TERMS, SAT, BOOK,
                     RateDateRule.INVOICE_DATE) is None  # neither currency alone reaches it
    line = skip_line(items[:1], "EUR", Decimal(1000), "EUR", TERMS, SAT, BOOK,
                     RateDateRule.INVOICE_DATE)
    assert line == ("Skipped items with a total of 805.48 EUR (from 700.00 GBP at 0.86905) "
                    "(threshold 1000.00 EUR)")
    with pytest.raises(MissingRate, match="No GBP rate for 2026-12-07"):
        skip_line(items, "EUR", Decimal(1000), "EUR", TERMS, dt.date(2026, 12, 7), BOOK,
                  RateDateRule.INVOICE_DATE)


money = st.decimals(min_value=Decimal("-100000"), max_value=Decimal("100000"), places=5,
                    allow_nan=False, allow_infinity=False)


@settings(deadline=None)
@given(rows=st.lists(st.tuples(st.sampled_from(["GBP", "USD", "CHF", "EUR"]), money,
                               st.integers(0, 50), st.sampled_from(["20", "21", "22"])),
                     min_size=1, max_size=25),
       target=st.sampled_from(["EUR", "GBP", "USD"]))
def test_converted_lines_sum_to_the_total_and_recompute_from_their_snapshot(
        rows: list[tuple[str, Decimal, int, str]], target: str) -> None:
    items = [_item(cur, str(rev), units, offer) for cur, rev, units, offer in rows]
    plan = plan_converted(items, target, TERMS, SAT, BOOK, RateDateRule.INVOICE_DATE)
    doc = snapshot(uuid.uuid4(), "(pending)", "c", plan, Buyer("Acme"), Settings(),
                   rates=BOOK)
    assert doc.totals.line_total == sum((ln.net_amount for ln in doc.lines), Decimal(0))
    assert doc.totals.grand_total == doc.totals.line_total + doc.totals.tax_total
    billed = [i for ln in doc.lines for i in ln.item_ids]
    assert sorted(billed) == sorted(i.item_id for i in items)  # each item on one line
    for ln in doc.lines:
        assert ln.quantity * ln.unit_price == ln.net_amount
        if ln.conversion is not None:
            assert ln.conversion.source_currency != target
            assert recomputed(ln) == ln.net_amount
